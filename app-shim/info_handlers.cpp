// GET /, /health and /stats.
#include "handlers.hpp"
#include "json_contact.hpp"

namespace contacts::api {
namespace {

// "connected", or why not: the seed's /health puts the error text in "database".
std::string ping(db::Pool& pool) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto lease = pool.acquire(std::chrono::seconds(2));
    if (!lease) return lease.error().message;
    auto const result = (*lease)->exec("SELECT 1");
    if (result) return "connected";
    // A reused connection may have died while idle; only a fresh one's failure counts.
    if (!lease->reused()) return result.error().message;
  }
  return "unreachable";
}

}  // namespace

Response Api::root() const {
  return json_response(200, {{"service", "contacts-api"},
                             {"version", info_.version},
                             {"region", info_.region},
                             {"endpoints",
                              {"GET /", "GET /health", "GET /stats", "GET /contacts?limit=&offset=",
                               "GET /contacts/:id", "POST /contacts", "PUT /contacts/:id", "DELETE /contacts/:id",
                               "GET /contacts/search/:query"}}});
}

Response Api::health() {
  auto const database = ping(databases_.primary());
  bool healthy = database == "connected";
  nlohmann::json body = {{"database", database}, {"region", info_.region}, {"db_host", info_.db_host}};
  if (auto* replica = databases_.replica()) {
    auto const replica_state = ping(*replica);
    healthy = healthy && replica_state == "connected";
    body["replica"] = replica_state;
    body["replica_host"] = info_.replica_host.value_or("");
  }
  body["status"] = healthy ? "healthy" : "unhealthy";
  // 503 lets a platform health check act on it; the body says why.
  return json_response(healthy ? 200 : 503, body);
}

Response Api::stats() {
  auto const stats = repo_.stats();
  if (!stats) return error_response(stats.error());
  nlohmann::json latest = nullptr;
  if (stats->latest_contact) latest = rfc3339_utc(*stats->latest_contact);
  return json_response(200, {{"total_contacts", stats->total_contacts},
                             {"unique_companies", stats->unique_companies},
                             {"latest_contact", latest},
                             {"served_by", info_.region},
                             {"db_host", info_.db_host}});
}

}  // namespace contacts::api

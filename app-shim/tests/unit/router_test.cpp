// Routing and input checks that answer before any database is needed. The database is
// configured at a closed loopback port: a test that reached it would see 503, not pass.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "router.hpp"

using namespace contacts;

namespace {

struct Fixture {
  db::Config config = [] {
    auto parsed = db::config_from_env({{"DB_HOST", "127.0.0.1"}, {"DB_PORT", "1"}});
    return *parsed;
  }();
  db::Databases databases{config};
  ContactsRepo repo{databases};
  api::Api api{repo, databases, api::ServiceInfo{"test", "lhr", "127.0.0.1", std::nullopt}};
  api::Router router{api};

  api::Response call(std::string method, std::string target, std::string body = {}) {
    return router.handle(api::Request{std::move(method), std::move(target), std::move(body)});
  }
};

std::string error_of(api::Response const& response) { return nlohmann::json::parse(response.body).at("error"); }

}  // namespace

TEST_CASE_FIXTURE(Fixture, "GET / describes the service") {
  auto const response = call("GET", "/");
  CHECK(response.status == 200);
  auto const body = nlohmann::json::parse(response.body);
  CHECK(body["service"] == "contacts-api");
  CHECK(body["region"] == "lhr");
}

TEST_CASE_FIXTURE(Fixture, "unknown routes are 404, wrong methods 405 with Allow") {
  CHECK(call("GET", "/nope").status == 404);
  CHECK(call("GET", "/contacts/1/extra").status == 404);
  auto const response = call("DELETE", "/contacts");
  CHECK(response.status == 405);
  REQUIRE(response.headers.size() == 1);
  CHECK(response.headers[0].first == "Allow");
  CHECK(response.headers[0].second == "GET, POST");
  CHECK(call("POST", "/health").status == 405);
  CHECK(call("PATCH", "/contacts/1").status == 405);
  CHECK(call("POST", "/contacts/search/x").status == 405);
}

TEST_CASE_FIXTURE(Fixture, "bad paging is refused before the database") {
  for (auto const* target : {"/contacts?limit=0", "/contacts?limit=101", "/contacts?limit=-1", "/contacts?limit=abc",
                             "/contacts?limit=", "/contacts?offset=-1", "/contacts?offset=1.5",
                             "/contacts/search/x?limit=0"}) {
    CAPTURE(target);
    CHECK(call("GET", target).status == 400);
  }
  CHECK(error_of(call("GET", "/contacts?limit=500")) == "limit must be an integer from 1 to 100");
  CHECK(call("GET", "/contacts?limit=%zz").status == 400);
}

TEST_CASE_FIXTURE(Fixture, "bad ids and bodies are refused before the database") {
  for (auto const* id : {"abc", "0", "-1", "1.0", "99999999999", "%31"}) {
    CAPTURE(id);
    CHECK(call("GET", std::string("/contacts/") + id).status == 400);
    CHECK(call("DELETE", std::string("/contacts/") + id).status == 400);
  }
  CHECK(error_of(call("POST", "/contacts", "{")) == "body is not valid JSON");
  CHECK(error_of(call("PUT", "/contacts/1", R"({"name":"x"})")) == "email is required");
}

TEST_CASE_FIXTURE(Fixture, "bad search queries are refused before the database") {
  CHECK(error_of(call("GET", "/contacts/search/")) == "search query must not be empty");
  CHECK(error_of(call("GET", "/contacts/search")) == "search query must not be empty");
  CHECK(error_of(call("GET", "/contacts/search/%C3")) == "search query is not valid UTF-8");
  CHECK(error_of(call("GET", "/contacts/search/a%00b")) == "search query must not contain NUL characters");
  CHECK(error_of(call("GET", "/contacts/search/%G0")) == "search query is not valid percent-encoding");
  CHECK(call("GET", "/contacts/search/" + std::string(201, 'a')).status == 400);
}

TEST_CASE_FIXTURE(Fixture, "an unreachable database is 503, not a crash") {
  auto const response = call("GET", "/contacts");
  CHECK(response.status == 503);
  CHECK(error_of(response) == "database unavailable");
  auto const health = call("GET", "/health");
  CHECK(health.status == 503);
  auto const body = nlohmann::json::parse(health.body);
  CHECK(body["status"] == "unhealthy");
  CHECK(body["database"] != "connected");
  CHECK(body["db_host"] == "127.0.0.1");
}

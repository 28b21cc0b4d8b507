#include "config/parameters.hpp"

#include <algorithm>
#include <array>

namespace wgs::config::parameters {
namespace {

struct Entry {
  std::string_view keyword;
  Use use;
  std::string_view owner;
};

constexpr std::array<Entry, 36> libpq15 = {{
    {"host", Use::modelled, ""},
    {"hostaddr", Use::modelled, ""},
    {"port", Use::modelled, ""},
    {"dbname", Use::modelled, ""},
    {"user", Use::modelled, ""},
    {"password", Use::modelled, ""},
    {"passfile", Use::modelled, ""},
    {"sslmode", Use::modelled, ""},
    {"sslrootcert", Use::modelled, ""},
    {"sslpassword", Use::modelled, ""},
    {"target_session_attrs", Use::modelled, ""},
    {"channel_binding", Use::passed_on, ""},
    {"client_encoding", Use::passed_on, ""},
    {"options", Use::passed_on, ""},
    {"keepalives", Use::passed_on, ""},
    {"keepalives_idle", Use::passed_on, ""},
    {"keepalives_interval", Use::passed_on, ""},
    {"keepalives_count", Use::passed_on, ""},
    {"tcp_user_timeout", Use::passed_on, ""},
    {"sslcompression", Use::passed_on, ""},
    {"sslcert", Use::passed_on, ""},
    {"sslkey", Use::passed_on, ""},
    {"sslcrl", Use::passed_on, ""},
    {"sslcrldir", Use::passed_on, ""},
    {"sslsni", Use::passed_on, ""},
    {"ssl_min_protocol_version", Use::passed_on, ""},
    {"ssl_max_protocol_version", Use::passed_on, ""},
    {"requirepeer", Use::passed_on, ""},
    {"krbsrvname", Use::passed_on, ""},
    {"gsslib", Use::passed_on, ""},
    {"connect_timeout", Use::not_checked, "libpq's; the checks use SIDECAR_CHECK_TIMEOUT"},
    {"application_name", Use::not_checked, "libpq's; the checks call themselves wgsidecar-check"},
    {"fallback_application_name", Use::not_checked, "libpq's; the checks call themselves wgsidecar-check"},
    {"gssencmode", Use::not_checked, "libpq's; the checks use TLS, not GSSAPI"},
    {"replication", Use::not_checked, "libpq's; the checks make an ordinary connection"},
    {"service", Use::not_checked, "libpq's; the checks do not read pg_service.conf"},
}};

// Keywords of libpq releases after the checks' libpq 15: the app's libpq may know them.
constexpr std::array<std::string_view, 14> newer_libpq = {
    "load_balance_hosts", "require_auth",     "sslcertmode",       "gssdelegation",  "sslnegotiation",
    "min_protocol_version", "max_protocol_version", "sslkeylogfile", "scram_client_key", "scram_server_key",
    "oauth_issuer",       "oauth_client_id",  "oauth_client_secret", "oauth_scope",
};

// Settings of drivers and ORMs that read DATABASE_URL themselves (their documented URL
// parameters). pgx reads every pool_* as a pool setting.
constexpr std::array<Entry, 27> drivers = {{
    {"schema", Use::app_only, "Prisma"},
    {"connection_limit", Use::app_only, "Prisma"},
    {"pool_timeout", Use::app_only, "Prisma"},
    {"socket_timeout", Use::app_only, "Prisma"},
    {"pgbouncer", Use::app_only, "Prisma"},
    {"statement_cache_size", Use::app_only, "Prisma"},
    {"max_connection_lifetime", Use::app_only, "Prisma"},
    {"max_idle_connection_lifetime", Use::app_only, "Prisma"},
    {"sslidentity", Use::app_only, "Prisma"},
    {"sslaccept", Use::app_only, "Prisma"},
    {"single_use_connections", Use::app_only, "Prisma"},
    {"statement_cache_capacity", Use::app_only, "pgx"},
    {"description_cache_capacity", Use::app_only, "pgx"},
    {"default_query_exec_mode", Use::app_only, "pgx"},
    {"min_read_buffer_size", Use::app_only, "pgx"},
    {"servicefile", Use::app_only, "pgx"},
    {"ssl", Use::app_only, "node-postgres"},
    {"uselibpqcompat", Use::app_only, "node-postgres"},
    {"pool", Use::app_only, "Rails"},
    {"checkout_timeout", Use::app_only, "Rails"},
    {"idle_timeout", Use::app_only, "Rails"},
    {"reaping_frequency", Use::app_only, "Rails"},
    {"prepared_statements", Use::app_only, "Rails"},
    {"statement_limit", Use::app_only, "Rails"},
    {"advisory_locks", Use::app_only, "Rails"},
    {"encoding", Use::app_only, "Rails"},
    {"schema_search_path", Use::app_only, "Rails"},
}};

constexpr std::array<std::string_view, libpq15.size()> keyword_list = [] {
  std::array<std::string_view, libpq15.size()> out{};
  for (std::size_t i = 0; i < libpq15.size(); ++i) out[i] = libpq15[i].keyword;
  return out;
}();

template <class Table>
Entry const* find(Table const& table, std::string_view keyword) {
  auto const found = std::find_if(table.begin(), table.end(), [&](Entry const& e) { return e.keyword == keyword; });
  return found == table.end() ? nullptr : &*found;
}

}  // namespace

Kind classify(std::string_view keyword) {
  if (auto const* entry = find(libpq15, keyword)) return {entry->use, entry->owner};
  if (std::find(newer_libpq.begin(), newer_libpq.end(), keyword) != newer_libpq.end()) {
    return {Use::app_only, "libpq 16 or later"};
  }
  if (auto const* entry = find(drivers, keyword)) return {entry->use, entry->owner};
  if (keyword.starts_with("pool_")) return {Use::app_only, "pgx"};
  return {};
}

std::span<std::string_view const> libpq_keywords() { return keyword_list; }

}  // namespace wgs::config::parameters

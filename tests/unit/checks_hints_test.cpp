// The classification table: libpq's messages as libpq 15 words them, in the phase the
// connection had reached, must name the suspect the incident report could not tell apart.
#include <doctest/doctest.h>

#include <set>

#include "checks/hints.hpp"

using namespace wgs::checks;

namespace {

struct Row {
  char const* name;
  PgPhase phase;
  bool timed_out;
  char const* message;
  char const* sqlstate;  // nullptr: none
  Stage stage;
  Failure failure;
};

std::string const at = "connection to server at \"10.50.0.1\", port 5432 failed: ";

Row const table[] = {
    {"refused", PgPhase::connecting, false, "Connection refused\n\tIs the server running on that host and accepting TCP/IP connections?\n", nullptr, Stage::tcp, Failure::tcp_refused},
    {"SYN dropped", PgPhase::connecting, true, "no answer to the TCP connect within 5s", nullptr, Stage::tcp, Failure::tcp_timeout},
    {"no route", PgPhase::connecting, false, "No route to host\n", nullptr, Stage::tcp, Failure::tcp_unreachable},
    {"SSLRequest answered N", PgPhase::tls, false, "server does not support SSL, but SSL was required\n", nullptr, Stage::tls, Failure::ssl_not_offered},
    {"TLS stall (MTU)", PgPhase::tls, true, "the TLS handshake did not finish within 5s", nullptr, Stage::tls, Failure::tls_stall},
    {"reset during TLS", PgPhase::tls, false, "server closed the connection unexpectedly\n\tThis probably means the server terminated abnormally\n", nullptr, Stage::tls, Failure::tls_reset},
    {"SSL SYSCALL EOF", PgPhase::tls, false, "SSL SYSCALL error: EOF detected\n", nullptr, Stage::tls, Failure::tls_reset},
    {"wrong CA", PgPhase::tls, false, "SSL error: certificate verify failed\n", nullptr, Stage::tls, Failure::tls_certificate},
    {"wrong host name", PgPhase::tls, false, "server certificate for \"db.lab\" does not match host name \"10.50.0.1\"\n", nullptr, Stage::tls, Failure::tls_hostname},
    {"HTTP server (TLS)", PgPhase::tls, false, "received invalid response to SSL negotiation: H\n", nullptr, Stage::tls, Failure::not_postgres},
    {"HTTP server (plain)", PgPhase::startup, false, "expected authentication request from server, but received H\n", nullptr, Stage::auth, Failure::not_postgres},
    {"wrong password", PgPhase::startup, false, "FATAL:  password authentication failed for user \"app\"\n", nullptr, Stage::auth, Failure::bad_password},
    {"28P01 by SQLSTATE", PgPhase::query, false, "ERROR: something", "28P01", Stage::auth, Failure::bad_password},
    {"missing database", PgPhase::startup, false, "FATAL:  database \"nope\" does not exist\n", nullptr, Stage::auth, Failure::missing_database},
    {"3D000 by SQLSTATE", PgPhase::query, false, "FATAL: gone", "3D000", Stage::auth, Failure::missing_database},
    {"pg_hba", PgPhase::startup, false, "FATAL:  no pg_hba.conf entry for host \"10.50.0.1\", user \"app\", database \"contacts\", no encryption\n", nullptr, Stage::auth, Failure::no_hba_entry},
    {"no password", PgPhase::startup, false, "fe_sendauth: no password supplied\n", nullptr, Stage::auth, Failure::no_password},
    {"a standby for read-write", PgPhase::startup, false, "session is read-only\n", nullptr, Stage::auth, Failure::wrong_server_kind},
    {"a primary for standby", PgPhase::startup, false, "server is not in hot standby mode\n", nullptr, Stage::auth, Failure::wrong_server_kind},
    {"starting up", PgPhase::startup, false, "FATAL:  the database system is starting up\n", nullptr, Stage::auth, Failure::server_starting},
    {"closed after TLS", PgPhase::startup, false, "server closed the connection unexpectedly\n", nullptr, Stage::auth, Failure::server_closed},
    {"silent server", PgPhase::startup, true, "no answer during startup/authentication within 5s", nullptr, Stage::auth, Failure::auth_timeout},
};

}  // namespace

TEST_CASE("checks: libpq failures are classified by phase, message and SQLSTATE") {
  for (auto const& row : table) {
    CAPTURE(row.name);
    PgFailureFacts facts{row.phase, row.timed_out, at + row.message,
                         row.sqlstate ? std::optional<std::string>(row.sqlstate) : std::nullopt};
    auto const classified = classify_pg(facts);
    CHECK(stage_name(classified.stage) == stage_name(row.stage));
    CHECK(failure_name(classified.failure) == failure_name(row.failure));
  }
}

TEST_CASE("checks: each suspect gets its own hint, naming what to check next") {
  HintContext context{"10.50.0.1", 5432, "require", "10.50.0.1", 1420, 1380, "DB_*", std::nullopt, std::nullopt, "any"};
  std::set<std::string> seen;
  for (auto failure : {Failure::no_tunnel, Failure::no_handshake, Failure::stale_handshake, Failure::ping_lost, Failure::ping_error,
                       Failure::tcp_refused, Failure::tcp_timeout, Failure::tcp_unreachable, Failure::ssl_not_offered,
                       Failure::tls_stall, Failure::tls_reset, Failure::tls_certificate, Failure::tls_hostname,
                       Failure::not_postgres, Failure::bad_password, Failure::missing_database, Failure::no_hba_entry,
                       Failure::no_password, Failure::wrong_server_kind,
                       Failure::server_closed, Failure::server_starting, Failure::auth_timeout,
                       Failure::mtu_black_hole, Failure::mtu_nothing_crossed}) {
    auto const text = hint(failure, context);
    CAPTURE(failure_name(failure));
    CHECK_FALSE(text.empty());
    CHECK(seen.insert(text).second);
  }
  CHECK(hint(Failure::no_handshake, context).find("51820") != std::string::npos);
  CHECK(hint(Failure::no_tunnel, context).find("wgsidecar up") != std::string::npos);
  CHECK(hint(Failure::no_tunnel, context).find("51820") == std::string::npos);
  CHECK(hint(Failure::ping_lost, context).find("AllowedIPs") != std::string::npos);
  CHECK(hint(Failure::tcp_refused, context).find("DNAT") != std::string::npos);
  CHECK(hint(Failure::tcp_timeout, context).find("security group") != std::string::npos);
  CHECK(hint(Failure::ssl_not_offered, context).find("'N'") != std::string::npos);
  CHECK(hint(Failure::tls_stall, context).find("MTU") != std::string::npos);
  CHECK(hint(Failure::not_postgres, context).find("not PostgreSQL") != std::string::npos);
  CHECK(hint(Failure::bad_password, context).find("SCRAM") != std::string::npos);
  CHECK(hint(Failure::missing_database, context).find("DB_NAME") != std::string::npos);
  CHECK(hint(Failure::mtu_black_hole, context).find("WG_MTU=1380") != std::string::npos);
}

TEST_CASE("checks: verify-full against an IP names the hostaddr recipe, in the user's own variables") {
  auto const message = "server certificate for \"mydb.abc123.us-east-1.rds.amazonaws.com\" does not match host name "
                       "\"10.50.0.1\"";
  REQUIRE(certificate_name(message) == std::optional<std::string>("mydb.abc123.us-east-1.rds.amazonaws.com"));
  CHECK(certificate_name("server certificate for \"bad name;rm\" does not match") == std::nullopt);
  CHECK(certificate_name("certificate verify failed") == std::nullopt);
  struct Case {
    char const* source;
    char const* host;
    std::vector<char const*> fragments;
  };
  std::vector<Case> const cases = {
      {"DB_*", "10.50.0.1", {"DB_HOST to mydb.abc123.us-east-1.rds.amazonaws.com", "DB_HOSTADDR=10.50.0.1", "RDS verify-full through the hub"}},
      {"PG*", "10.50.0.1", {"PGHOST to mydb.abc123", "PGHOSTADDR=10.50.0.1"}},
      {"DATABASE_URL", "10.50.0.1", {"the host in DATABASE_URL", "hostaddr= in DATABASE_URL=10.50.0.1"}},
      {"DB_*", "db.other.internal", {"does not name db.other.internal (it names mydb.abc123", "DB_HOSTADDR"}},
  };
  for (auto const& c : cases) {
    HintContext context{c.host, 5432, "verify-full", "10.50.0.1", std::nullopt, std::nullopt, c.source, std::nullopt,
                        certificate_name(message), "any"};
    auto const text = hint(Failure::tls_hostname, context);
    CAPTURE(text);
    for (auto const* fragment : c.fragments) CHECK(text.find(fragment) != std::string::npos);
  }
}

#pragma once
// From what libpq says when a connection fails to the tcp, tls and auth stages. libpq quotes
// the server's bytes in its messages, so this is where a server that is not PostgreSQL (or
// a hostile one) reaches the report: pure, so a fuzzer feeds it whatever such a server can
// make libpq say (tests/fuzz/fuzz_server_reply.cpp).
#include <optional>
#include <string>
#include <string_view>

#include "checks/hints.hpp"
#include "checks/pg_probe.hpp"

namespace wgs::checks {

struct PgFailure {
  PgPhase phase = PgPhase::connecting;
  bool timed_out = false;
  std::string_view message;              // PQerrorMessage / PQresultErrorMessage, as libpq gave it
  std::optional<std::string> sqlstate;   // PG_DIAG_SQLSTATE, when a result carried one
  double ms = 0;                         // how long the failed stage ran
};

// `so_far` with the failure recorded: the stage classify_pg names fails with the message
// cleaned (clean_message: one line, the password hidden, controls escaped), the stages after
// it are skipped, and `failure` says which hint applies.
PgProbeResult record_failure(PgProbeResult so_far, PgFailure const& failure, std::string_view password);

}  // namespace wgs::checks

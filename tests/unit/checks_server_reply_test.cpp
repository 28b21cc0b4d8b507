// What `check` reports when the server on the port is not PostgreSQL, from the messages libpq
// gives for such servers (as the lab's garbage server makes it give them): always one failed
// stage with a hint, the server's bytes shown but never obeyed.
#include <doctest/doctest.h>

#include "checks/pg_failure.hpp"
#include "checks/stages.hpp"
#include "text/utf8.hpp"

namespace checks = wgs::checks;
namespace text = wgs::text;
using checks::PgPhase;
using checks::Stage;
using checks::Status;

namespace {

checks::HintContext context() { return {"10.50.0.1", 5432, "require", "10.50.0.1", 1420, std::nullopt}; }

}  // namespace

TEST_CASE("server replies: one failed stage with a hint, whatever the server said") {
  struct Row {
    char const* name;
    PgPhase phase;
    std::string message;
    Stage failed;
    std::string hint_has;
  };
  Row const rows[] = {
      {"noise after the SSLRequest", PgPhase::tls, "received invalid response to SSL negotiation: \xFF", Stage::tls,
       "not PostgreSQL"},
      {"TLS accepted, then noise", PgPhase::tls, "SSL error: wrong version number", Stage::tls, "not PostgreSQL"},
      {"an ErrorResponse with a forged line and a terminal escape", PgPhase::startup,
       "FATAL:  caf\xE9\n2099-01-01T00:00:00.000Z wgsidecar error forged\x1B[2J", Stage::auth, "unexpected failure"},
      {"a message of an unknown type", PgPhase::startup,
       "expected authentication request from server, but received \x01", Stage::auth, "not PostgreSQL"},
      {"an authentication request libpq does not know", PgPhase::startup,
       "authentication method 1234567 not supported", Stage::auth, "not PostgreSQL"},
      {"a framing libpq cannot follow", PgPhase::startup,
       "lost synchronization with server: got message type \"\xC3\", length -1", Stage::auth, "not PostgreSQL"},
      {"hung up at once", PgPhase::startup, "server closed the connection unexpectedly\n\tThis probably means",
       Stage::auth, "closed the connection"},
      {"stopped answering", PgPhase::tls, "", Stage::tls, "MTU"},
      {"nothing at all", PgPhase::query, "", Stage::auth, "unexpected failure"},
  };
  for (auto const& row : rows) {
    CAPTURE(row.name);
    checks::PgProbeResult so_far;
    so_far.tcp = {Status::ok, 1, "", ""};
    checks::PgFailure failure{row.phase, row.message.empty() && row.phase == PgPhase::tls, row.message, {}, 2};
    auto const stages = checks::pg_stages("primary", checks::record_failure(so_far, failure, "pw"), context());
    int failed = 0;
    for (auto const& stage : stages) {
      if (stage.status != Status::fail) continue;
      ++failed;
      CHECK(stage.stage == row.failed);
      CHECK(stage.hint.find(row.hint_has) != std::string::npos);
      CHECK(text::is_valid_utf8(stage.error));
      CHECK(stage.error.find('\n') == std::string::npos);
      CHECK(stage.error.find('\x1B') == std::string::npos);
    }
    CHECK(failed == 1);
  }
}

TEST_CASE("server replies: the stages after the failed one are skipped, the ones before kept") {
  checks::PgProbeResult so_far;
  so_far.tcp = {Status::ok, 1.5, "", ""};
  auto const result = checks::record_failure(so_far, {PgPhase::tls, false, "SSL SYSCALL error: EOF detected", {}, 3}, "pw");
  CHECK(result.tcp.status == Status::ok);
  CHECK(result.tcp.ms == 1.5);
  CHECK(result.tls.status == Status::fail);
  CHECK(result.tls.ms == 3);
  CHECK(result.auth.status == Status::skip);
  REQUIRE(result.failure);
  CHECK(result.failure->failure == checks::Failure::tls_reset);
}

TEST_CASE("server replies: the password never shows, even when the server echoes it") {
  auto const result = checks::record_failure({}, {PgPhase::startup, false, "FATAL: bad password s3cret\xFF", {}, 1}, "s3cret");
  CHECK(result.auth.error == "FATAL: bad password (hidden)\\xff");
}

#include "checks/pg_failure.hpp"

namespace wgs::checks {

PgProbeResult record_failure(PgProbeResult so_far, PgFailure const& failure, std::string_view password) {
  PgFailureFacts facts{failure.phase, failure.timed_out, clean_message(failure.message, password), failure.sqlstate};
  auto const classified = classify_pg(facts);
  so_far.failure = classified;
  PgStage const failed{Status::fail, failure.ms, facts.message, ""};
  PgStage const skipped{Status::skip, 0, "", ""};
  if (classified.stage == Stage::tcp) {
    so_far.tcp = failed;
    so_far.tls = so_far.auth = skipped;
  } else if (classified.stage == Stage::tls) {
    so_far.tls = failed;
    so_far.auth = skipped;
  } else {
    so_far.auth = failed;
  }
  return so_far;
}

}  // namespace wgs::checks

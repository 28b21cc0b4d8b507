#pragma once
// One non-blocking libpq connection, driven by Asio on PQsocket, that yields three stages:
// tcp (connect done), tls (SSLRequest answered and handshake done) and auth (startup,
// authentication and SELECT 1), each with its own timing and its own deadline.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "checks/hints.hpp"
#include "checks/report.hpp"
#include "config/config.hpp"
#include "util/duration.hpp"

namespace wgs::checks {

struct PgProbeSettings {
  config::Database const* database = nullptr;  // outlives the probe
  config::DatabaseHost host;                   // which of its hosts; hostaddr set, so libpq never resolves
  Duration stage_timeout = std::chrono::seconds(5);
  Stage last_stage = Stage::auth;  // tcp or tls: hang up once that stage is decided
};

struct PgStage {
  Status status = Status::skip;
  double ms = 0;
  std::string error;   // scrubbed of the password
  std::string detail;  // e.g. "TLSv1.3" or "not used (sslmode=prefer)"
};

struct PgProbeResult {
  PgStage tcp, tls, auth;
  std::optional<Classified> failure;  // set when a stage failed
  std::vector<std::string> transitions;  // "CONNECTION_STARTED +0.1ms", for debugging
};

// Starts the probe on `io`; `done` runs on `io` once every stage is decided.
void async_pg_probe(boost::asio::io_context& io, PgProbeSettings settings,
                    std::function<void(PgProbeResult)> done);

// libpq's name for a connection status ("CONNECTION_SSL_STARTUP").
std::string_view connection_status_name(int status);

// One line from libpq's multi-line message, with the password replaced by "(hidden)" and
// anything else than printable UTF-8 escaped (text/escape.hpp).
std::string clean_message(std::string_view message, std::string_view password);

}  // namespace wgs::checks

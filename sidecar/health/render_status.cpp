// /readyz and /status bodies.
#include <algorithm>
#include <cmath>
#include <ctime>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include "health/render.hpp"
#include "text/json.hpp"

namespace wgs::health {

namespace {

using nlohmann::json;

// Milliseconds are plenty for ages and uptimes, and keep the document short.
double rounded(double value) { return std::round(value * 1000.0) / 1000.0; }

json optional_number(std::optional<double> const& value) {
  return value ? json(rounded(*value)) : json(nullptr);
}

// RFC 3339 in UTC, whole seconds: "2026-11-22T18:43:00Z".
std::string rfc3339(std::chrono::system_clock::time_point at) {
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", fmt::gmtime(std::chrono::system_clock::to_time_t(at)));
}

json tunnel_json(TunnelState const& tunnel) {
  return {{"interface", tunnel.interface},
          {"backend", tunnel.backend},
          {"state", tunnel.state},
          {"handshake_age_seconds", optional_number(tunnel.handshake_age_seconds)},
          {"rx_bytes", tunnel.rx_bytes},
          {"tx_bytes", tunnel.tx_bytes},
          {"last_probe_ms", optional_number(tunnel.last_probe_ms)}};
}

json recoveries_json(Snapshot const& snapshot) {
  json by_step = json::object();
  for (auto step : recovery_steps) by_step[std::string(step)] = 0;
  for (auto const& [step, count] : snapshot.recoveries_by_step) by_step[step] = count;
  json recent = json::array();
  for (auto const& recovery : snapshot.recent_recoveries) {
    recent.push_back({{"at", rfc3339(recovery.at)},
                      {"step", recovery.step},
                      {"reason", recovery.reason},
                      {"succeeded", recovery.succeeded}});
  }
  return {{"by_step", by_step}, {"recent", recent}};
}

json app_json(Snapshot const& snapshot) {
  json recent = json::array();
  for (auto const& restart : snapshot.app_restarts) {
    recent.push_back({{"at", rfc3339(restart.at)}, {"exit_code", restart.exit_code}});
  }
  return {{"pid", snapshot.app_pid ? json(*snapshot.app_pid) : json(nullptr)},
          {"restarts", snapshot.app_restart_count},
          {"recent_restarts", recent}};
}

}  // namespace

// /readyz answers from the latest gating check, which may be a minute old: say how old.
std::string check_age(Snapshot const& snapshot) {
  if (!snapshot.last_check_age_seconds) return {};
  return fmt::format(" (gating checks {:.0f}s ago)", std::floor(*snapshot.last_check_age_seconds));
}

std::string readyz_body(Snapshot const& snapshot) {
  if (snapshot.ready) return "ready" + check_age(snapshot) + "\n";
  if (snapshot.not_ready_reason.empty()) return "not ready" + check_age(snapshot) + "\n";
  // One line, whatever the reason holds: probes and people read the first line.
  auto reason = snapshot.not_ready_reason;
  std::replace_if(reason.begin(), reason.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
  return "not ready: " + reason + check_age(snapshot) + "\n";
}

json status_json(Snapshot const& snapshot) {
  return {{"ready", snapshot.ready},
          {"not_ready_reason", snapshot.not_ready_reason},
          {"uptime_seconds", rounded(snapshot.uptime_seconds)},
          {"config", snapshot.config},
          {"tunnel", tunnel_json(snapshot.tunnel)},
          {"last_check", snapshot.last_check ? checks::to_json(*snapshot.last_check) : json(nullptr)},
          {"last_check_age_seconds", optional_number(snapshot.last_check_age_seconds)},
          {"database_logins", snapshot.database_logins},
          {"recoveries", recoveries_json(snapshot)},
          {"app", app_json(snapshot)}};
}

std::string status_body(Snapshot const& snapshot) {
  // A stray invalid UTF-8 byte in an error text must not turn /status into a 500.
  return text::json_text(status_json(snapshot), 2) + "\n";
}

}  // namespace wgs::health

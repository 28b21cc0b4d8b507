// SIDECAR_* settings for the checks and the supervisor.
#include <algorithm>

#include "config/fields.hpp"
#include "config/load.hpp"

namespace wgs::config {
namespace {

void duration(Environment const& env, char const* name, Duration& out, Problems& problems) {
  auto const value = lookup(env, name);
  if (!value) return;
  auto parsed = parse_duration(*value);
  if (!parsed) problems.add(name, parsed.error().message);
  else if (parsed->count() == 0) problems.add(name, "must be longer than 0");
  else out = *parsed;
}

void flag(Environment const& env, char const* name, bool& out, Problems& problems) {
  auto const value = lookup(env, name);
  if (!value) return;
  if (*value == "1" || *value == "true") out = true;
  else if (*value == "0" || *value == "false") out = false;
  else problems.add(name, "must be 1 or 0");
}

constexpr std::string_view gating_stages[] = {"handshake", "ping", "tcp", "tls", "auth"};

void require(Environment const& env, Supervision& out, Problems& problems) {
  auto const value = lookup(env, "SIDECAR_REQUIRE");
  if (!value) return;
  out.require.clear();
  if (*value == "none") return;
  for (auto stage : fields::split_list(*value)) {
    if (std::find(std::begin(gating_stages), std::end(gating_stages), stage) == std::end(gating_stages)) {
      problems.add("SIDECAR_REQUIRE", fmt::format("'{}' is not a stage (handshake, ping, tcp, tls, auth, or none)", stage));
    } else {
      out.require.emplace_back(stage);
    }
  }
}

}  // namespace

Checks read_checks(Environment const& env, Problems& problems) {
  Checks checks;
  checks.ping_host = lookup(env, "SIDECAR_PING_HOST").value_or("");
  if (!checks.ping_host.empty() && !net::IpAddress::parse(checks.ping_host)) {
    problems.add("SIDECAR_PING_HOST", "must be an IP address (the hub's tunnel address, e.g. 10.50.0.1)");
  }
  duration(env, "SIDECAR_CHECK_TIMEOUT", checks.stage_timeout, problems);
  return checks;
}

Supervision read_supervision(Environment const& env, Problems& problems) {
  Supervision supervision;
  duration(env, "SIDECAR_STARTUP_TIMEOUT", supervision.startup_timeout, problems);
  duration(env, "SIDECAR_SHUTDOWN_TIMEOUT", supervision.shutdown_timeout, problems);
  require(env, supervision, problems);
  if (auto keep = lookup(env, "SIDECAR_KEEP_ENV")) {
    for (auto name : fields::split_list(*keep)) supervision.keep_env.emplace_back(name);
  }
  flag(env, "SIDECAR_KEEP_TUNNEL", supervision.keep_tunnel, problems);
  flag(env, "SIDECAR_SIGNAL_GROUP", supervision.signal_group, problems);
  if (auto restart = lookup(env, "SIDECAR_APP_RESTART")) {
    if (*restart == "on-failure") supervision.app_restart = AppRestart::on_failure;
    else if (*restart != "never") problems.add("SIDECAR_APP_RESTART", "must be never or on-failure");
  }
  return supervision;
}

Monitor read_monitor(Environment const& env, Problems& problems) {
  Monitor monitor;
  duration(env, "SIDECAR_PROBE_INTERVAL", monitor.probe_interval, problems);
  duration(env, "SIDECAR_STALE_AFTER", monitor.stale_after, problems);
  duration(env, "SIDECAR_GIVE_UP_AFTER", monitor.give_up_after, problems);
  duration(env, "SIDECAR_CHECK_INTERVAL", monitor.check_interval, problems);
  if (monitor.stale_after < monitor.probe_interval) {
    problems.add("SIDECAR_STALE_AFTER", "must be at least SIDECAR_PROBE_INTERVAL (staleness is judged at each probe)");
  }
  // Each gating check is a database login; more often than the cheap probe buys nothing, and
  // a /readyz more than an hour old says little.
  if (monitor.check_interval < monitor.probe_interval || monitor.check_interval > Duration(3'600'000)) {
    problems.add("SIDECAR_CHECK_INTERVAL", "must be between SIDECAR_PROBE_INTERVAL and 1h");
  }
  return monitor;
}

Health read_health(Environment const& env, Problems& problems) {
  Health health;
  if (auto listen = lookup(env, "SIDECAR_HEALTH_ADDR")) {
    auto parsed = net::HostPort::parse(*listen);
    if (!parsed || !parsed->numeric()) {
      problems.add("SIDECAR_HEALTH_ADDR", "must be IP:PORT, e.g. 0.0.0.0:9090 or [::]:9090");
    } else {
      health.listen = *parsed;
    }
  }
  return health;
}

}  // namespace wgs::config

// SIDECAR_* settings for the checks and the supervisor.
#include <algorithm>

#include "config/fields.hpp"
#include "config/load.hpp"

namespace wgs::config {
namespace {

using namespace std::chrono_literals;

// A duration setting and its range, as the README's table gives them. The ranges keep every
// timer a timer: nothing fires in a busy loop, and nothing waits longer than anyone would.
struct DurationSetting {
  char const* name;
  DurationRange range;
};
constexpr DurationSetting check_timeout{"SIDECAR_CHECK_TIMEOUT", {100ms, 5min}};
constexpr DurationSetting startup_timeout{"SIDECAR_STARTUP_TIMEOUT", {1s, 24h}};
constexpr DurationSetting shutdown_timeout{"SIDECAR_SHUTDOWN_TIMEOUT", {100ms, 1h}};
constexpr DurationSetting probe_interval{"SIDECAR_PROBE_INTERVAL", {100ms, 1h}};
constexpr DurationSetting stale_after{"SIDECAR_STALE_AFTER", {100ms, 24h}};
constexpr DurationSetting give_up_after{"SIDECAR_GIVE_UP_AFTER", {1s, 168h}};
constexpr DurationSetting check_interval{"SIDECAR_CHECK_INTERVAL", {1s, 1h}};

void duration(Environment const& env, DurationSetting const& which, Duration& out, Problems& problems) {
  auto const value = setting(env, which.name, problems);
  if (!value) return;
  auto parsed = parse_duration(*value, which.range);
  if (!parsed) problems.add(which.name, parsed.error().message);
  else out = *parsed;
}

void flag(Environment const& env, char const* name, bool& out, Problems& problems) {
  auto const value = setting(env, name, problems);
  if (!value) return;
  if (*value == "1" || *value == "true") out = true;
  else if (*value == "0" || *value == "false") out = false;
  else problems.add(name, "must be 1 or 0");
}

constexpr std::string_view gating_stages[] = {"handshake", "ping", "tcp", "tls", "auth"};

// `where` is the stage's position (fields::position): a stage that is not one is not quoted.
void add_stage(std::string_view stage, std::string const& where, Supervision& out, Problems& problems) {
  if (stage == "none") {
    problems.add("SIDECAR_REQUIRE", "none cannot be combined with stages; give none alone, or only stages");
  } else if (std::find(std::begin(gating_stages), std::end(gating_stages), stage) == std::end(gating_stages)) {
    problems.add("SIDECAR_REQUIRE", fmt::format("{}is not a stage (handshake, ping, tcp, tls, auth, or none)", where));
  } else if (std::find(out.require.begin(), out.require.end(), stage) == out.require.end()) {
    out.require.emplace_back(stage);
  }
}

// Turning start gating off is a decision, so it takes the word none: an empty list is a
// mistake that would otherwise start the app with the database unreachable.
void require(Environment const& env, Supervision& out, Problems& problems) {
  auto const value = setting(env, "SIDECAR_REQUIRE", problems);
  if (!value) return;
  out.require.clear();
  auto const stages = fields::split_list(*value);
  if (stages.size() == 1 && stages.front() == "none") return;
  if (stages.empty()) problems.add("SIDECAR_REQUIRE", "lists no stage; write none to start the app without gating");
  for (std::size_t i = 0; i < stages.size(); ++i) {
    add_stage(stages[i], fields::position(i, stages.size()), out, problems);
  }
}

}  // namespace

Checks read_checks(Environment const& env, Problems& problems) {
  Checks checks;
  checks.ping_host = setting(env, "SIDECAR_PING_HOST", problems).value_or("");
  if (!checks.ping_host.empty() && !net::IpAddress::parse(checks.ping_host)) {
    problems.add("SIDECAR_PING_HOST", "must be an IP address (the hub's tunnel address, e.g. 10.50.0.1)");
  }
  duration(env, check_timeout, checks.stage_timeout, problems);
  return checks;
}

Supervision read_supervision(Environment const& env, Problems& problems) {
  Supervision supervision;
  duration(env, startup_timeout, supervision.startup_timeout, problems);
  duration(env, shutdown_timeout, supervision.shutdown_timeout, problems);
  require(env, supervision, problems);
  if (auto keep = setting(env, "SIDECAR_KEEP_ENV", problems)) {
    for (auto name : fields::split_list(*keep)) supervision.keep_env.emplace_back(name);
    if (supervision.keep_env.empty()) problems.add("SIDECAR_KEEP_ENV", "lists no variable; unset it to keep none");
  }
  flag(env, "SIDECAR_KEEP_TUNNEL", supervision.keep_tunnel, problems);
  flag(env, "SIDECAR_SIGNAL_GROUP", supervision.signal_group, problems);
  if (auto restart = setting(env, "SIDECAR_APP_RESTART", problems)) {
    if (*restart == "on-failure") supervision.app_restart = AppRestart::on_failure;
    else if (*restart != "never") problems.add("SIDECAR_APP_RESTART", "must be never or on-failure");
  }
  read_app_process(env, supervision, problems);
  return supervision;
}

Monitor read_monitor(Environment const& env, Problems& problems) {
  Monitor monitor;
  duration(env, probe_interval, monitor.probe_interval, problems);
  duration(env, stale_after, monitor.stale_after, problems);
  duration(env, give_up_after, monitor.give_up_after, problems);
  duration(env, check_interval, monitor.check_interval, problems);
  if (monitor.stale_after < monitor.probe_interval) {
    problems.add("SIDECAR_STALE_AFTER", "must be at least SIDECAR_PROBE_INTERVAL (staleness is judged at each probe)");
  }
  // Each gating check is a database login; more often than the cheap probe buys nothing, and
  // a /readyz more than an hour old says little.
  if (monitor.check_interval < monitor.probe_interval) {
    problems.add("SIDECAR_CHECK_INTERVAL", "must be between SIDECAR_PROBE_INTERVAL and 1h (the checks follow the probes)");
  }
  return monitor;
}

// An IP, [::] (dual stack) or a name from /etc/hosts such as Fly's fly-local-6pn; the name
// is looked up when `run` starts (health/listen_address.hpp), where its absence is fatal.
Health read_health(Environment const& env, Problems& problems) {
  Health health;
  if (auto listen = lookup(env, "SIDECAR_HEALTH_ADDR")) {
    auto parsed = net::HostPort::parse(*listen);
    if (!parsed || !(parsed->numeric() || net::is_host_name(parsed->host))) {
      problems.add("SIDECAR_HEALTH_ADDR",
                   "must be IP:PORT, [::]:PORT (IPv4 and IPv6) or NAME:PORT with a name from /etc/hosts, e.g. "
                   "[::]:9090 or fly-local-6pn:9090");
    } else {
      health.listen = *parsed;
    }
  }
  return health;
}

}  // namespace wgs::config

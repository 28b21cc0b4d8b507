#include "config/load.hpp"

#include <algorithm>
#include <array>

#include "config/secret_files.hpp"
#include "config/secret_variables.hpp"

namespace wgs::config {
namespace {

// Every SIDECAR_* variable wgsidecar reads. Anything else with the prefix is a typo, and a
// typo in a timeout is better caught at start than found in an incident.
constexpr std::array<std::string_view, 22> sidecar_variables = {
    "SIDECAR_LOG_FORMAT",     "SIDECAR_LOG_LEVEL",     "SIDECAR_PING_HOST",   "SIDECAR_CHECK_TIMEOUT",
    "SIDECAR_STARTUP_TIMEOUT", "SIDECAR_SHUTDOWN_TIMEOUT", "SIDECAR_REQUIRE",  "SIDECAR_KEEP_ENV",
    "SIDECAR_KEEP_TUNNEL",    "SIDECAR_SIGNAL_GROUP",  "SIDECAR_APP_RESTART", "SIDECAR_PROBE_INTERVAL",
    "SIDECAR_STALE_AFTER",    "SIDECAR_GIVE_UP_AFTER", "SIDECAR_HEALTH_ADDR",   "SIDECAR_CHECK_INTERVAL",
    "SIDECAR_APP_USER",       "SIDECAR_APP_KEEP_CAPS", "SIDECAR_APP_PARENT_DEATH_SIGNAL", "SIDECAR_ENROLL",
    "SIDECAR_ENROLL_TOKEN",   "SIDECAR_ENROLL_PORT",
};

// A secret's NAME_FILE form is as known as NAME.
bool is_known_sidecar_variable(std::string_view name) {
  bool const listed = std::find(sidecar_variables.begin(), sidecar_variables.end(), name) != sidecar_variables.end();
  return listed || (name.ends_with("_FILE") && find_secret_variable(name) != nullptr);
}

void reject_unknown_sidecar_variables(Environment const& env, Problems& problems) {
  for (auto const& [name, value] : env) {
    if (!name.starts_with("SIDECAR_")) continue;
    if (!is_known_sidecar_variable(name)) {
      problems.add(std::string(name), "is not a setting wgsidecar knows (see the configuration table in the README)");
    }
  }
}

}  // namespace

Logging read_logging(Environment const& env, Problems& problems) {
  Logging logging;
  if (auto format = setting(env, "SIDECAR_LOG_FORMAT", problems)) {
    if (*format == "json") logging.format = LogFormat::json;
    else if (*format != "text") problems.add("SIDECAR_LOG_FORMAT", "must be text or json");
  }
  if (auto level = setting(env, "SIDECAR_LOG_LEVEL", problems)) {
    if (*level == "debug") logging.debug = true;
    else if (*level != "info") problems.add("SIDECAR_LOG_LEVEL", "must be info or debug");
  }
  logging.region = lookup(env, "FLY_REGION").value_or("");
  logging.machine_id = lookup(env, "FLY_MACHINE_ID").value_or("");
  return logging;
}

Loaded load(Environment const& given, LoadOptions const& options) {
  Loaded loaded;
  auto& problems = loaded.problems;
  auto const env = with_secret_files(given, problems);
  auto wireguard = read_wireguard(env, options, problems);
  if (wireguard) validate_wireguard(*wireguard, problems);
  loaded.config.wireguard = std::move(wireguard).value_or(WireGuard{});
  loaded.config.databases = read_databases(env, problems);
  loaded.config.logging = read_logging(env, problems);
  loaded.config.checks = read_checks(env, problems);
  loaded.config.supervision = read_supervision(env, problems);
  loaded.config.monitor = read_monitor(env, problems);
  loaded.config.health = read_health(env, problems);
  loaded.config.enrollment = read_enrollment(env, problems);
  reject_unknown_sidecar_variables(env, problems);
  return loaded;
}

}  // namespace wgs::config

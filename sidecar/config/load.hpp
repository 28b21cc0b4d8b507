#pragma once
// Turns the environment (and an optional wg-quick file) into a validated Config. Each secret
// variable NAME may instead be given as NAME_FILE (config/secret_files.hpp).
#include <optional>
#include <string>

#include "config/config.hpp"
#include "config/environment.hpp"
#include "config/problems.hpp"

namespace wgs::config {

struct LoadOptions {
  std::optional<std::string> config_file;  // --config FILE: a wg-quick file
};

struct Loaded {
  Config config;      // usable only when problems is empty
  Problems problems;  // every problem found, in the order the README lists the variables
};

Loaded load(Environment const& env, LoadOptions const& options = {});

// The parts, each reporting into `problems` (exposed for tests and for `load`).
// nullopt when the tunnel's wg-quick file could not be read (reported once, with the reason).
std::optional<WireGuard> read_wireguard(Environment const& env, LoadOptions const& options, Problems& problems);
std::vector<Database> read_databases(Environment const& env, Problems& problems);
Logging read_logging(Environment const& env, Problems& problems);
Checks read_checks(Environment const& env, Problems& problems);
Supervision read_supervision(Environment const& env, Problems& problems);
void read_app_process(Environment const& env, Supervision& supervision, Problems& problems);
Monitor read_monitor(Environment const& env, Problems& problems);
Health read_health(Environment const& env, Problems& problems);
Enrollment read_enrollment(Environment const& env, Problems& problems);
void validate_wireguard(WireGuard const& wireguard, Problems& problems);

}  // namespace wgs::config

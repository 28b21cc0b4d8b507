#pragma once
// The command line: global options, the command table, and what every command shares.
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "config/load.hpp"
#include "util/duration.hpp"

namespace wgs::cli {

struct Invocation;

struct Command {
  std::string_view name;
  int (*action)(Invocation const&);
  std::string_view usage;    // e.g. "check [--json]"
  std::string_view summary;  // one line, for `wgsidecar help`
  std::string_view options;  // for `wgsidecar COMMAND --help`: a "  --flag  meaning" line each
  // run: the first word that is not one of its options starts the app's command line, whose
  // own --help is the app's.
  bool passes_arguments = false;
};

struct Invocation {
  Command const* command = nullptr;
  std::vector<std::string> args;        // after the command, options included
  config::LoadOptions load;             // --config FILE
  std::span<Command const> all_commands;  // for help
};

// The global options, then the command and its arguments. nullopt after printing a usage error.
std::optional<Invocation> parse_command_line(int argc, char** argv, std::span<Command const> commands);

// Loads and validates the configuration; on problems prints all of them and returns nullopt
// (the caller exits with exit_code::config). Either way the secrets are then wiped from this
// process's environment block (config/secret_variables.hpp): `env` is the only copy left.
std::optional<config::Config> load_config(Invocation const& invocation, config::Environment const& env);
// The same, from this process's environment.
std::optional<config::Config> load_config(Invocation const& invocation);
// What `check` and `run` say about the databases before they start: settings of the app's
// driver that the checks ignore (each named once), or that no database is configured.
void log_database_notes(config::Config const& config);
// Every problem at once (up to a limit, then how many more); the caller exits with 78. With
// SIDECAR_LOG_FORMAT=json in `logging` they are one log line with the problems as a field, so a
// log shipper gets them whole; otherwise one line each, escaped.
void report_problems(config::Problems const& problems, config::Logging const& logging = {});

// The command's options (cli/options.cpp).
bool has_flag(Invocation const& invocation, std::string_view flag);
// Rejects any argument that is neither one of `flags` nor one of `with_values` followed by its
// value, naming it; returns false after printing.
bool only_flags(Invocation const& invocation, std::initializer_list<std::string_view> flags,
                std::initializer_list<std::string_view> with_values = {});
// The DURATION after `name` (e.g. --wait 10s): nullopt when the option is absent, an error
// naming the option when the value is missing or is not a duration.
std::optional<Result<Duration>> duration_option(Invocation const& invocation, std::string_view name);

// Each command, defined in its own file.
int genkey_command(Invocation const&);
int genpsk_command(Invocation const&);
int pubkey_command(Invocation const&);
int config_command(Invocation const&);
int hub_peer_command(Invocation const&);
int up_command(Invocation const&);
int down_command(Invocation const&);
int status_command(Invocation const&);
int check_command(Invocation const&);
int run_command(Invocation const&);
int probe_command(Invocation const&);
int hub_command(Invocation const&);
int help_command(Invocation const&);
int version_command(Invocation const&);

}  // namespace wgs::cli

#pragma once
// The command line: global options, the command table, and what every command shares.
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "config/load.hpp"

namespace wgs::cli {

struct Invocation;

struct Command {
  std::string_view name;
  int (*action)(Invocation const&);
  std::string_view usage;
  std::string_view summary;
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
// (the caller exits with exit_code::config).
std::optional<config::Config> load_config(Invocation const& invocation);
bool has_flag(Invocation const& invocation, std::string_view flag);
// Rejects any argument not in `allowed`, naming it; returns false after printing.
bool only_flags(Invocation const& invocation, std::initializer_list<std::string_view> allowed);

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
int hub_command(Invocation const&);
int help_command(Invocation const&);
int version_command(Invocation const&);

}  // namespace wgs::cli

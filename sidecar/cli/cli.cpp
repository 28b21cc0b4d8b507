#include "cli/cli.hpp"

#include <algorithm>
#include <cstdio>

#include <fmt/format.h>

#include "config/environment.hpp"
#include "log/log.hpp"
#include "util/exit_codes.hpp"
#include "wgs/version.hpp"

namespace wgs::cli {
namespace {

constexpr Command command_table[] = {
    {"run", run_app_command, "run [--exec] -- CMD [ARGS]", "tunnel up, checks, then run CMD and keep the tunnel alive"},
    {"up", up_command, "up [--wait DURATION]", "bring the tunnel up (and wait for the first handshake)"},
    {"down", down_command, "down", "take the tunnel down; succeeds when nothing is there"},
    {"check", check_command, "check [--json]", "prove the path to PostgreSQL: handshake, ping, tcp, tls, auth, mtu"},
    {"status", status_command, "status [--json]", "the tunnel as `wg show` sees it, plus backend and MTU"},
    {"config", config_command, "config [--json]", "print the effective configuration, secrets hidden"},
    {"hub-peer", hub_peer_command, "hub-peer", "print the [Peer] stanza the hub needs for this edge"},
    {"genkey", genkey_command, "genkey", "print a new private key (as `wg genkey`)"},
    {"genpsk", genpsk_command, "genpsk", "print a new preshared key (as `wg genpsk`)"},
    {"pubkey", pubkey_command, "pubkey < private.key", "print the public key of a private key (as `wg pubkey`)"},
    {"version", version_command, "version", "print the version"},
    {"help", help_command, "help", "show this help"},
};

Command const* find_command(std::string_view name) {
  for (auto const& command : command_table) {
    if (command.name == name) return &command;
  }
  return nullptr;
}

void usage_error(std::string const& message) {
  std::fprintf(stderr, "wgsidecar: %s\nRun `wgsidecar --help` for usage.\n", message.c_str());
}

}  // namespace

std::span<Command const> commands() { return command_table; }

bool has_flag(Invocation const& invocation, std::string_view flag) {
  return std::find(invocation.args.begin(), invocation.args.end(), flag) != invocation.args.end();
}

bool only_flags(Invocation const& invocation, std::initializer_list<std::string_view> allowed) {
  for (auto const& arg : invocation.args) {
    if (std::find(allowed.begin(), allowed.end(), arg) == allowed.end()) {
      usage_error(fmt::format("{}: unexpected argument '{}'", invocation.command, arg));
      return false;
    }
  }
  return true;
}

std::optional<config::Config> load_config(Invocation const& invocation) {
  auto loaded = config::load(config::process_environment(), invocation.load);
  if (!loaded.problems.empty()) {
    std::fprintf(stderr, "wgsidecar: the configuration has %zu problem%s:\n", loaded.problems.list().size(),
                 loaded.problems.list().size() == 1 ? "" : "s");
    for (auto const& problem : loaded.problems.list()) std::fprintf(stderr, "  %s\n", problem.to_string().c_str());
    return std::nullopt;
  }
  log::configure(loaded.config.logging);
  return std::move(loaded.config);
}

int help_command(Invocation const&) {
  std::string text = fmt::format(
      "wgsidecar {} — WireGuard to your database, checked, then your app, kept alive.\n\n"
      "Usage: wgsidecar [--config FILE] COMMAND [OPTIONS]\n\nCommands:\n",
      version);
  for (auto const& command : command_table) text += fmt::format("  {:<24} {}\n", command.usage, command.summary);
  text +=
      "\nOptions:\n"
      "  --config FILE            read the tunnel from a wg-quick file instead of WG_* variables\n"
      "  --help, --version\n\n"
      "Configuration comes from the environment (fly secrets): WG_PRIVATE_KEY, WG_ADDRESS,\n"
      "WG_PEER_PUBLIC_KEY, WG_PEER_ENDPOINT, DB_HOST, ... — see the README for the full table.\n"
      "Exit codes: 0 ok, 64 bad usage, 69 database path unavailable, 78 bad configuration.\n";
  std::fputs(text.c_str(), stdout);
  return exit_code::ok;
}

int version_command(Invocation const&) {
  std::printf("wgsidecar %s\n", version);
  return exit_code::ok;
}

int run_command(int argc, char** argv) {
  Invocation invocation;
  std::vector<std::string> rest;
  for (int i = 1; i < argc; ++i) {
    std::string_view const arg = argv[i];
    if (arg == "--config" && invocation.command.empty()) {
      if (i + 1 >= argc) return usage_error("--config needs a file path"), exit_code::usage;
      invocation.load.config_file = argv[++i];
    } else if (arg.starts_with("--config=") && invocation.command.empty()) {
      invocation.load.config_file = std::string(arg.substr(9));
    } else if ((arg == "--help" || arg == "-h") && invocation.command.empty()) {
      invocation.command = "help";
    } else if (arg == "--version" && invocation.command.empty()) {
      invocation.command = "version";
    } else if (invocation.command.empty()) {
      invocation.command = arg;
    } else {
      invocation.args.emplace_back(arg);
    }
  }
  if (invocation.command.empty()) invocation.command = "help";
  auto const* command = find_command(invocation.command);
  if (command == nullptr && invocation.command.find('/') != std::string::npos) {
    invocation.args.insert(invocation.args.begin(), invocation.command);
    invocation.command = "run";
    command = find_command("run");
  }
  if (command == nullptr) {
    usage_error(fmt::format("unknown command '{}'", invocation.command));
    return exit_code::usage;
  }
  return command->run(invocation);
}

}  // namespace wgs::cli

// help [COMMAND] (also --help, and COMMAND --help) and version.
#include <algorithm>
#include <cctype>
#include <cstdio>

#include <fmt/format.h>

#include "cli/cli.hpp"
#include "util/exit_codes.hpp"
#include "wgs/version.hpp"

namespace wgs::cli {
namespace {

constexpr std::string_view help_option = "  --help, -h               show this help\n";

std::string overview(std::span<Command const> commands) {
  std::string text = fmt::format(
      "wgsidecar {} — WireGuard to your database, checked, then your app, kept alive.\n\n"
      "Usage: wgsidecar [--config FILE] COMMAND [OPTIONS]\n\nCommands:\n",
      version);
  for (auto const& command : commands) text += fmt::format("  {:<36} {}\n", command.usage, command.summary);
  text +=
      "\nOptions:\n"
      "  --config FILE            read the tunnel from a wg-quick file instead of WG_* variables\n"
      "  --help, --version\n\n"
      "`wgsidecar COMMAND --help` shows a command's options. Configuration comes from the\n"
      "environment (fly secrets): WG_PRIVATE_KEY, WG_ADDRESS, WG_PEER_PUBLIC_KEY, WG_PEER_ENDPOINT,\n"
      "DB_HOST, ... — see the README for the full table.\n"
      "Exit codes: 0 ok, 1 failed, 64 bad usage, 69 the path to the database (or the supervisor's\n"
      "readiness) is not there, 71 the system refused, 78 bad configuration; run: the app's status.\n";
  return text;
}

std::string command_help(Command const& command) {
  std::string summary(command.summary);
  if (!summary.empty()) summary[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(summary[0])));
  return fmt::format("Usage: wgsidecar [--config FILE] {}\n\n{}.\n\nOptions:\n{}{}", command.usage, summary,
                     help_option, command.options);
}

Command const* named(std::span<Command const> commands, std::string_view name) {
  auto const found = std::find_if(commands.begin(), commands.end(), [&](Command const& c) { return c.name == name; });
  return found == commands.end() ? nullptr : &*found;
}

}  // namespace

int help_command(Invocation const& invocation) {
  if (invocation.args.empty()) {
    std::fputs(overview(invocation.all_commands).c_str(), stdout);
    return exit_code::ok;
  }
  auto const* command = invocation.args.size() == 1 ? named(invocation.all_commands, invocation.args[0]) : nullptr;
  if (command == nullptr) {
    std::fprintf(stderr, "wgsidecar help: no command '%s'; `wgsidecar help` lists them\n", invocation.args[0].c_str());
    return exit_code::usage;
  }
  std::fputs(command_help(*command).c_str(), stdout);
  return exit_code::ok;
}

int version_command(Invocation const& invocation) {
  if (!only_flags(invocation, {})) return exit_code::usage;
  std::printf("wgsidecar %s\n", version);
  return exit_code::ok;
}

}  // namespace wgs::cli

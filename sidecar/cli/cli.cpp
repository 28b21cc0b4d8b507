#include "cli/cli.hpp"

#include <cstdio>

#include <fmt/format.h>

#include "config/environment.hpp"
#include "log/log.hpp"

namespace wgs::cli {
namespace {

Command const* find_command(std::span<Command const> commands, std::string_view name) {
  for (auto const& command : commands) {
    if (command.name == name) return &command;
  }
  return nullptr;
}

void usage_error(std::string const& message) {
  std::fprintf(stderr, "wgsidecar: %s\nRun `wgsidecar --help` for usage.\n", message.c_str());
}

// The command's name and its arguments, with the global options taken out.
struct Words {
  std::string command;
  std::vector<std::string> args;
  config::LoadOptions load;
};

std::optional<Words> split_words(int argc, char** argv) {
  Words words;
  for (int i = 1; i < argc; ++i) {
    std::string_view const arg = argv[i];
    bool const global = words.command.empty();
    if (global && arg == "--config") {
      if (i + 1 >= argc) {
        usage_error("--config needs a file path");
        return std::nullopt;
      }
      words.load.config_file = argv[++i];
    } else if (global && arg.starts_with("--config=")) {
      words.load.config_file = std::string(arg.substr(9));
    } else if (global && (arg == "--help" || arg == "-h")) {
      words.command = "help";
    } else if (global && arg == "--version") {
      words.command = "version";
    } else if (global) {
      words.command = arg;
    } else {
      words.args.emplace_back(arg);
    }
  }
  if (words.command.empty()) words.command = "help";
  return words;
}

// --help or -h among the command's own options: before `--`, and for run before the app's
// command line, whose --help belongs to the app.
bool asks_for_help(Invocation const& invocation) {
  for (auto const& arg : invocation.args) {
    if (arg == "--help" || arg == "-h") return true;
    if (arg == "--" || (invocation.command->passes_arguments && !arg.starts_with("-"))) return false;
  }
  return false;
}

}  // namespace

std::optional<Invocation> parse_command_line(int argc, char** argv, std::span<Command const> commands) {
  auto words = split_words(argc, argv);
  if (!words) return std::nullopt;
  Invocation invocation{find_command(commands, words->command), std::move(words->args), std::move(words->load),
                        commands};
  // `wgsidecar /app/server` is `wgsidecar run -- /app/server`, as an ENTRYPOINT is written.
  if (invocation.command == nullptr && words->command.find('/') != std::string::npos) {
    invocation.args.insert(invocation.args.begin(), words->command);
    invocation.command = find_command(commands, "run");
  }
  if (invocation.command == nullptr) {
    usage_error(fmt::format("unknown command '{}'", words->command));
    return std::nullopt;
  }
  // `wgsidecar COMMAND --help` is `wgsidecar help COMMAND`.
  if (invocation.command->name != words->command || !asks_for_help(invocation)) return invocation;
  invocation.args = {std::string(invocation.command->name)};
  invocation.command = find_command(commands, "help");
  return invocation;
}

void print_problems(config::Problems const& problems) {
  auto const count = problems.list().size();
  std::fprintf(stderr, "wgsidecar: the configuration has %zu problem%s:\n", count, count == 1 ? "" : "s");
  for (auto const& problem : problems.list()) std::fprintf(stderr, "  %s\n", problem.to_string().c_str());
}

std::optional<config::Config> load_config(Invocation const& invocation) {
  auto loaded = config::load(config::process_environment(), invocation.load);
  if (!loaded.problems.empty()) {
    print_problems(loaded.problems);
    return std::nullopt;
  }
  log::configure(loaded.config.logging);
  return std::move(loaded.config);
}

}  // namespace wgs::cli

#include "cli/cli.hpp"

#include <cstdio>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "config/environment.hpp"
#include "config/secret_variables.hpp"
#include "log/log.hpp"
#include "text/escape.hpp"
#include "util/exit_codes.hpp"
#include "wgs/version.hpp"

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

void report_problems(config::Problems const& problems, config::Logging const& logging) {
  auto const summary = fmt::format("the configuration has {} problem{}", problems.count(), problems.count() == 1 ? "" : "s");
  if (logging.format == config::LogFormat::json) {
    nlohmann::json listed = nlohmann::json::array();
    for (auto const& problem : problems.list()) listed.push_back({{"variable", problem.where}, {"problem", problem.what}});
    log::configure(logging);
    return log::write(log::Level::error, summary, {{"problems", listed}, {"not_listed", problems.not_listed()}}, {});
  }
  std::string out = fmt::format("wgsidecar: {}:\n", summary);
  for (auto const& problem : problems.list()) out += "  " + text::escape_controls(problem.to_string()) + "\n";
  if (problems.not_listed() > 0) out += fmt::format("  and {} more\n", problems.not_listed());
  std::fputs(out.c_str(), stderr);
}

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

std::optional<config::Config> load_config(Invocation const& invocation) {
  return load_config(invocation, config::process_environment());
}

std::optional<config::Config> load_config(Invocation const& invocation, config::Environment const& env) {
  auto loaded = config::load(env, invocation.load);
  config::wipe_secrets_from_process_environment();
  if (!loaded.problems.empty()) {
    report_problems(loaded.problems, loaded.config.logging);
    return std::nullopt;
  }
  log::configure(loaded.config.logging);
  return std::move(loaded.config);
}

}  // namespace wgs::cli

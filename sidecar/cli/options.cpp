// A command's own options: flags, and options that take the next word as their value.
#include <algorithm>
#include <cstdio>

#include <fmt/format.h>

#include "cli/cli.hpp"

namespace wgs::cli {
namespace {

bool is_one_of(std::initializer_list<std::string_view> names, std::string_view arg) {
  return std::find(names.begin(), names.end(), arg) != names.end();
}

void option_error(Invocation const& invocation, std::string const& message) {
  std::fprintf(stderr, "wgsidecar %.*s: %s\nRun `wgsidecar %.*s --help` for its options.\n",
               static_cast<int>(invocation.command->name.size()), invocation.command->name.data(), message.c_str(),
               static_cast<int>(invocation.command->name.size()), invocation.command->name.data());
}

}  // namespace

bool has_flag(Invocation const& invocation, std::string_view flag) {
  return std::find(invocation.args.begin(), invocation.args.end(), flag) != invocation.args.end();
}

bool only_flags(Invocation const& invocation, std::initializer_list<std::string_view> flags,
                std::initializer_list<std::string_view> with_values) {
  auto const& args = invocation.args;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (is_one_of(flags, args[i])) continue;
    if (!is_one_of(with_values, args[i])) {
      option_error(invocation, fmt::format("unexpected argument '{}'", args[i]));
      return false;
    }
    if (++i == args.size()) {
      option_error(invocation, fmt::format("{} needs a value", args[i - 1]));
      return false;
    }
  }
  return true;
}

std::optional<Result<Duration>> duration_option(Invocation const& invocation, std::string_view name) {
  auto const& args = invocation.args;
  auto const found = std::find(args.begin(), args.end(), name);
  if (found == args.end()) return std::nullopt;
  if (found + 1 == args.end()) return Result<Duration>(make_error(fmt::format("{} needs a duration, e.g. 10s", name)));
  auto parsed = parse_duration(*(found + 1));
  if (!parsed) return Result<Duration>(make_error(fmt::format("{}: {}", name, parsed.error().message)));
  return parsed;
}

}  // namespace wgs::cli

#include "supervise/spawn.hpp"

#include <cerrno>

#include <fmt/format.h>

#include "process/exec_args.hpp"
#include "process/spawn.hpp"

namespace wgs::supervise {
namespace {

std::string search_path(LockedStrings const& env) {
  for (auto const& entry : env) {
    if (entry.starts_with("PATH=")) return std::string(std::string_view(entry).substr(5));
  }
  return "/usr/local/bin:/usr/bin:/bin";
}

process::ChildSpec app_spec(std::vector<std::string> const& argv, LockedStrings const& env, AppOptions const& options) {
  process::ChildSpec spec;
  spec.program = process::find_on_path(argv.at(0), search_path(env)).value_or(argv.at(0));
  spec.argv = process::exec_pointers(argv);
  spec.envp = process::exec_pointers(env);
  spec.grouping = process::Grouping::process_group;
  spec.parent_death_signal = options.parent_death_signal;
  spec.privileges = options.privileges;
  return spec;
}

SpawnError describe(process::Failure const& failure, std::string const& program) {
  if (failure.step != process::Step::exec) return {126, fmt::format("cannot run {}: {}", program, failure.message())};
  int const code = (failure.error == ENOENT || failure.error == ENOTDIR) ? 127 : 126;
  return {code, fmt::format("cannot run {}: {}", program, std::strerror(failure.error))};
}

}  // namespace

AppOptions app_options(config::Supervision const& supervision) {
  AppOptions options;
  options.privileges.user = supervision.app_user;
  options.privileges.keep = supervision.app_capabilities;
  options.parent_death_signal = supervision.app_parent_death_signal;
  return options;
}

Spawned spawn(std::vector<std::string> const& argv, LockedStrings const& env, AppOptions const& options) {
  auto const started = process::start(app_spec(argv, env, options));
  Spawned spawned{started.pid, std::nullopt};
  if (started.failed) spawned.failed = describe(*started.failed, argv.at(0));
  return spawned;
}

SpawnError exec_in_place(std::vector<std::string> const& argv, LockedStrings const& env, AppOptions const& options) {
  auto spec = app_spec(argv, env, options);
  spec.parent_death_signal = 0;  // this process stays; its parent is not ours to watch
  return describe(process::exec_here(spec), argv.at(0));
}

}  // namespace wgs::supervise

#pragma once
// Starting the app: its own process group (so a stop reaches everything it started), only
// stdin/stdout/stderr, the privileges it may keep (SIDECAR_APP_USER, SIDECAR_APP_KEEP_CAPS),
// the default signal mask, an optional parent-death signal, and an exec failure reported as
// tini does (127 not found, 126 not executable) instead of a silent exit. The fork itself
// is process/spawn's, shared with the userspace WireGuard's start.
#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "keys/locked_memory.hpp"
#include "process/privileges.hpp"

namespace wgs::supervise {

struct AppOptions {
  process::Privileges privileges;
  int parent_death_signal = 0;  // SIDECAR_APP_PARENT_DEATH_SIGNAL; 0: none
};

// What the configuration says about the app's privileges and parent-death signal.
AppOptions app_options(config::Supervision const& supervision);

struct SpawnError {
  int exit_code;  // 127 or 126
  std::string message;
};

struct Spawned {
  pid_t pid = -1;
  std::optional<SpawnError> failed;  // exec did not happen; pid has already exited
};

// argv[0] is looked up on the PATH of `env` when it has no slash, as execvp does.
Spawned spawn(std::vector<std::string> const& argv, LockedStrings const& env, AppOptions const& options);

// Replaces this process (--exec mode), with the same preparation. Returns only on failure.
SpawnError exec_in_place(std::vector<std::string> const& argv, LockedStrings const& env, AppOptions const& options);

}  // namespace wgs::supervise

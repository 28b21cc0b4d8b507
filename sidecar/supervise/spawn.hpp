#pragma once
// Starting the app: its own process group (so a stop reaches everything it started), the
// default signal mask and dispositions restored, and an exec failure reported as tini does
// (127 not found, 126 not executable) instead of a silent exit.
#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "util/result.hpp"

namespace wgs::supervise {

struct SpawnError {
  int exit_code;  // 127 or 126
  std::string message;
};

struct Spawned {
  pid_t pid = -1;
  std::optional<SpawnError> failed;  // exec did not happen; pid has already exited
};

// argv[0] is looked up on the PATH of `env` when it has no slash, as execvp does.
Spawned spawn(std::vector<std::string> const& argv, std::vector<std::string> const& env);

// Replaces this process (--exec mode). Returns only on failure.
SpawnError exec_in_place(std::vector<std::string> const& argv, std::vector<std::string> const& env);

}  // namespace wgs::supervise

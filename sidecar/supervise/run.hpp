#pragma once
// `wgsidecar run -- CMD...`: the whole ENTRYPOINT — tunnel up, checks until the path works
// (or the startup deadline), the app started with a clean environment, PID 1's duties
// while it runs, the tunnel down after it exits, and the app's status as ours.
#include <string>
#include <vector>

#include "config/config.hpp"
#include "keys/locked_memory.hpp"

namespace wgs::supervise {

struct RunRequest {
  std::vector<std::string> command;
  bool exec = false;  // --exec: execve the app after the checks, no supervision
};

// `app_env`: the app's whole environment (supervise/app_environment.hpp), kept for restarts.
int supervise(config::Config const& config, LockedStrings const& app_env, RunRequest const& request);

}  // namespace wgs::supervise

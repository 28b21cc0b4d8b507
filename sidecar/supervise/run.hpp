#pragma once
// `wgsidecar run -- CMD...`: the whole ENTRYPOINT — tunnel up, checks until the path works
// (or the startup deadline), the app started with a clean environment, PID 1's duties
// while it runs, the tunnel down after it exits, and the app's status as ours.
#include <string>
#include <vector>

#include "config/config.hpp"
#include "config/environment.hpp"

namespace wgs::supervise {

struct RunRequest {
  std::vector<std::string> command;
  bool exec = false;  // --exec: execve the app after the checks, no supervision
};

int supervise(config::Config const& config, config::Environment const& env, RunRequest const& request);

}  // namespace wgs::supervise

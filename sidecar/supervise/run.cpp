#include "supervise/run.hpp"

#include <cstdio>

#include "checks/report.hpp"
#include "log/log.hpp"
#include "supervise/app_environment.hpp"
#include "supervise/spawn.hpp"
#include "supervise/startup.hpp"
#include "supervise/supervisor.hpp"
#include "util/exit_codes.hpp"

namespace wgs::supervise {
namespace {

void take_tunnel_down(config::Config const& config) {
  if (config.supervision.keep_tunnel) return;
  if (auto done = tunnel::down(config.wireguard, Duration(2000)); !done) log::warn("{}", done.error().message);
}

int start_failed(config::Config const& config, Startup const& startup) {
  take_tunnel_down(config);
  if (startup.stopped_by) return 128 + *startup.stopped_by;
  if (startup.last_report) std::fputs(checks::to_text(*startup.last_report).c_str(), stderr);
  return exit_code::unavailable;
}

}  // namespace

int run(config::Config const& config, config::Environment const& env, RunRequest const& request) {
  SignalQueue signals;
  become_subreaper();
  auto startup = start_tunnel_and_wait(config, signals);
  if (!startup.ready) return start_failed(config, startup);
  auto const app_env = app_environment(env, config.supervision.keep_env);
  log::info("the path works: starting {}", request.command.front());
  if (request.exec) {
    auto const failure = exec_in_place(request.command, app_env);
    log::error("{}", failure.message);
    return failure.exit_code;
  }
  auto const app = spawn(request.command, app_env);
  if (app.failed) {
    log::error("{}", app.failed->message);
    reap_children(app.pid);
    take_tunnel_down(config);
    return app.failed->exit_code;
  }
  int const code = supervise_app(app.pid, signals, config.supervision);
  take_tunnel_down(config);
  reap_children(-1);  // the userspace implementation, once its device is gone
  return code;
}

}  // namespace wgs::supervise

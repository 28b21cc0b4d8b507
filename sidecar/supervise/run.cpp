#include "supervise/run.hpp"

#include <cstdio>

#include <boost/asio/io_context.hpp>

#include "checks/report.hpp"
#include "log/log.hpp"
#include "monitor/monitor.hpp"
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

// The app under supervision and the tunnel under watch, on one event loop, until the app
// has ended for good.
int supervise(config::Config const& config, Startup startup, SignalQueue& signals, AppSupervisor::StartApp start_app) {
  boost::asio::io_context io;
  AppSupervisor app(io, signals, config.supervision, std::move(start_app));
  app.on_finished([&io] { io.stop(); });
  if (!app.start()) return *app.exit_code();
  monitor::Monitor monitor(io, config, std::move(*startup.tunnel), std::move(startup.last_report),
                           [&app](std::string const& reason) {
                             app.stop_app("the tunnel is down for good (" + reason + ")", exit_code::unavailable);
                           });
  monitor.start();
  io.run();
  monitor.stop();
  return *app.exit_code();
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
  int const code = supervise(config, std::move(startup), signals,
                             [&request, &app_env] { return spawn(request.command, app_env); });
  take_tunnel_down(config);
  reap_children(-1);  // the userspace implementation, once its device is gone
  return code;
}

}  // namespace wgs::supervise

#include "supervise/startup.hpp"

#include <chrono>
#include <memory>

#include "checks/runner.hpp"
#include "log/log.hpp"
#include "netlink/rtnl.hpp"

namespace wgs::supervise {
namespace {

using Clock = std::chrono::steady_clock;

checks::CheckInputs gating_inputs(config::Config const& config, tunnel::Tunnel& tunnel) {
  auto inputs = checks::inputs_from(config);
  auto* backend = tunnel.backend.get();
  inputs.last_handshake = [backend]() -> std::optional<std::chrono::system_clock::time_point> {
    auto state = backend->read();
    if (!state || state->peers.empty()) return std::nullopt;
    return state->peers.front().last_handshake;
  };
  inputs.interface_mtu = tunnel.mtu;
  return inputs;
}

}  // namespace

Startup start_tunnel_and_wait(config::Config const& config, SignalQueue& signals) {
  Startup startup;
  auto const deadline = Clock::now() + config.supervision.startup_timeout;
  Duration backoff(250);
  std::string last_problem;
  while (true) {
    if (!startup.tunnel) {
      auto tunnel = tunnel::up(config.wireguard, {.detach_userspace = false});
      if (tunnel) startup.tunnel = std::move(*tunnel);
      else last_problem = tunnel.error().message;
    }
    if (startup.tunnel) {
      if (config.supervision.require.empty()) return startup.ready = true, std::move(startup);
      startup.last_report = checks::run(config, gating_inputs(config, *startup.tunnel));
      if (startup.last_report->ok_for(config.supervision.require)) return startup.ready = true, std::move(startup);
      last_problem = startup.last_report->failures();
    }
    auto const left = std::chrono::duration_cast<Duration>(deadline - Clock::now());
    if (left.count() <= 0) break;
    log::info("waiting for the path to the database ({}); retrying in {}", last_problem, format_duration(backoff));
    if (auto signal = signals.next(std::min(backoff, left)); signal && means_stop(*signal)) {
      startup.stopped_by = *signal;
      return startup;
    }
    backoff = std::min(backoff * 2, Duration(5000));
  }
  log::error("the path to the database did not work within {}: {}", format_duration(config.supervision.startup_timeout),
             last_problem);
  return startup;
}

}  // namespace wgs::supervise

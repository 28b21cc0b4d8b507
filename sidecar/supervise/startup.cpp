#include "supervise/startup.hpp"

#include <chrono>
#include <condition_variable>

#include "checks/runner.hpp"
#include "enroll/identity.hpp"
#include "log/log.hpp"
#include "tunnel/mtu_probe.hpp"

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

// Sleeps for `wait` unless a stop is requested first; false when it was.
bool sleep_unless_stopped(std::stop_token const& stop, Duration wait) {
  std::mutex mutex;
  std::condition_variable_any woken;
  std::unique_lock lock(mutex);
  return !woken.wait_for(lock, stop, wait, [] { return false; }) && !stop.stop_requested();
}

// WG_MTU=probe, once per start: true when done (or nothing to do). A failed probe is logged
// and retried on the next round; the checks still run, and name an MTU black hole if it is one.
bool probe_mtu_once(config::Config const& config, tunnel::Tunnel& tunnel) {
  if (config.wireguard.interface.mtu_mode != config::MtuMode::probe) return true;
  auto const probed = tunnel::probe_and_apply_mtu(config, tunnel);
  if (!probed) log::warn("WG_MTU=probe: {}; keeping mtu {}", probed.error().message, tunnel.mtu);
  return bool(probed);
}

}  // namespace

void StartupProgress::update(std::string problem, std::optional<checks::Report> const& report) {
  std::lock_guard lock(mutex_);
  problem_ = std::move(problem);
  if (report) report_ = report;
}

std::string StartupProgress::problem() const {
  std::lock_guard lock(mutex_);
  return problem_;
}

std::optional<checks::Report> StartupProgress::report() const {
  std::lock_guard lock(mutex_);
  return report_;
}

Startup start_tunnel_and_wait(config::Config const& config, StartupOptions const& options, std::stop_token stop,
                              StartupProgress& progress) {
  Startup startup;
  auto const deadline = Clock::now() + config.supervision.startup_timeout;
  Duration backoff(250);
  std::string last_problem;
  bool mtu_probed = false;
  auto edge = std::shared_ptr<enroll::Edge>(enroll::Edge::from(config));
  while (!stop.stop_requested()) {
    if (!startup.wireguard) {
      auto identity = enroll::settle_identity(config, edge.get());
      if (identity.refused) {
        startup.refused = identity.problem;
        return startup;
      }
      startup.wireguard = std::move(identity.wireguard);
      if (edge && edge->is_enrolled()) startup.enrollment = edge;
      last_problem = identity.problem;
    }
    if (startup.wireguard && !startup.tunnel) {
      auto tunnel = tunnel::up(*startup.wireguard, {.detach_userspace = options.detach_userspace});
      if (tunnel) startup.tunnel = std::move(*tunnel);
      else last_problem = tunnel.error().message;
    }
    if (startup.tunnel && !mtu_probed) mtu_probed = probe_mtu_once(config, *startup.tunnel);
    if (startup.tunnel) {
      if (config.supervision.require.empty()) return startup.ready = true, std::move(startup);
      startup.last_report = checks::prove_path(config, gating_inputs(config, *startup.tunnel));
      if (startup.last_report->ok_for(config.supervision.require)) return startup.ready = true, std::move(startup);
      last_problem = startup.last_report->failures();
    }
    progress.update("starting: " + last_problem, startup.last_report);
    auto const left = std::chrono::duration_cast<Duration>(deadline - Clock::now());
    if (left.count() <= 0) {
      log::error("the path to the database did not work within {}: {}",
                 format_duration(config.supervision.startup_timeout), last_problem);
      return startup;
    }
    log::info("waiting for the path to the database ({}); retrying in {}", last_problem, format_duration(backoff));
    if (!sleep_unless_stopped(stop, std::min(backoff, left))) break;
    backoff = std::min(backoff * 2, Duration(5000));
  }
  startup.stopped = true;
  return startup;
}

}  // namespace wgs::supervise

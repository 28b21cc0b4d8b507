#include "supervise/startup.hpp"

#include <chrono>
#include <condition_variable>

#include <fmt/format.h>

#include "checks/runner.hpp"
#include "enroll/identity.hpp"
#include "log/log.hpp"
#include "monitor/readiness.hpp"
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

// A start that did not work in time: the last report rides on the error line, as a field
// in JSON mode and as the usual table for people in text mode.
void log_gave_up(config::Config const& config, std::string const& problem, std::optional<checks::Report> const& report) {
  auto const message = fmt::format("the path to the database did not work within {}: {}",
                                   format_duration(config.supervision.startup_timeout), problem);
  if (!report) return log::write(log::Level::error, message);
  log::write(log::Level::error, message, {{"report", checks::to_json(*report)}}, checks::to_text(*report));
}

// The start policy's retries in the log: a line when the reason for waiting changes, not one
// per attempt (a database that stays down for a minute is one line, not twenty); each attempt
// at debug level.
class RetryLog {
 public:
  void note(std::string const& problem, Duration next_wait) {
    ++attempts_;
    if (problem == logged_) {
      log::debug("attempt {} failed the same way; retrying in {}", attempts_, format_duration(next_wait));
      return;
    }
    logged_ = problem;
    log::info("waiting for the path to the database ({}); retrying in {}, and logging again when the reason changes",
              problem, format_duration(next_wait));
  }

 private:
  std::string logged_;
  unsigned attempts_ = 0;
};

// Waiting does not bring back a missing userspace implementation or a capability the
// container was not given: say so now, not after SIDECAR_STARTUP_TIMEOUT.
Startup ready(Startup startup) {
  startup.ready = true;
  return startup;
}

Startup refused(Startup startup, Error const& error) {
  log::error("{} (waiting would not change this)", error.message);
  startup.refused = true;
  return startup;
}

}  // namespace

void StartupProgress::update(std::string problem, std::optional<checks::Report> const& report) {
  std::lock_guard lock(mutex_);
  problem_ = std::move(problem);
  if (report) report_ = report;
}

void StartupProgress::checked(checks::Report const& report) {
  std::lock_guard lock(mutex_);
  monitor::count_logins(report, logins_);
}

std::map<std::string, std::uint64_t> StartupProgress::logins() const {
  std::lock_guard lock(mutex_);
  return logins_;
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
  RetryLog retries;
  bool mtu_probed = false;
  auto edge = std::shared_ptr<enroll::Edge>(enroll::Edge::from(config));
  while (!stop.stop_requested()) {
    if (!startup.wireguard) {
      auto identity = enroll::settle_identity(config, edge.get());
      if (identity.refused) {
        startup.credential_refused = identity.problem;
        return startup;
      }
      startup.wireguard = std::move(identity.wireguard);
      if (edge && edge->is_enrolled()) startup.enrollment = edge;
      last_problem = identity.problem;
    }
    if (startup.wireguard && !startup.tunnel) {
      auto tunnel = tunnel::up(*startup.wireguard, {.detach_userspace = options.detach_userspace});
      if (tunnel) startup.tunnel = std::move(*tunnel);
      else if (tunnel::is_refused_for_good(tunnel.error())) return refused(std::move(startup), tunnel.error());
      else last_problem = tunnel.error().message;
    }
    if (startup.tunnel && !mtu_probed) mtu_probed = probe_mtu_once(config, *startup.tunnel);
    if (startup.tunnel) {
      if (config.supervision.require.empty()) return ready(std::move(startup));
      startup.last_report = checks::prove_path(config, gating_inputs(config, *startup.tunnel));
      progress.checked(*startup.last_report);
      if (startup.last_report->ok_for(config.supervision.require)) return ready(std::move(startup));
      last_problem = startup.last_report->failures();
    }
    progress.update("starting: " + last_problem, startup.last_report);
    auto const left = std::chrono::duration_cast<Duration>(deadline - Clock::now());
    if (left.count() <= 0) {
      log_gave_up(config, last_problem, startup.last_report);
      return startup;
    }
    retries.note(last_problem, backoff);
    if (!sleep_unless_stopped(stop, std::min(backoff, left))) break;
    backoff = std::min(backoff * 2, Duration(5000));
  }
  startup.stopped = true;
  return startup;
}

}  // namespace wgs::supervise

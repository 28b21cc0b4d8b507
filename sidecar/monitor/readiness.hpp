#pragma once
// /readyz's gating checks (SIDECAR_REQUIRE) while the app runs. Each is a whole database
// login (TCP, TLS, SCRAM: a backend forked on RDS and PBKDF2 rounds on both sides), so they
// have a cadence of their own, longer than the tunnel probe's: every SIDECAR_CHECK_INTERVAL,
// sooner while they fail (from SIDECAR_PROBE_INTERVAL, doubling) so /readyz turns 200 soon
// after a fault is mended, and at once when the monitor or the supervisor hints at trouble
// (a probe went unanswered, the tunnel went stale or came back, the app exited) — never
// more than once per probe interval. They run on a thread of their own, with their own
// timer: a check waiting out its timeouts never delays a probe or a repair, and a check that
// is due or done does not wake the monitor's thread (only its result crosses, under the
// monitor's lock).
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "checks/report.hpp"
#include "config/config.hpp"
#include "monitor/freshness.hpp"

namespace wgs::monitor {

// The wait before the next check: the check interval after a pass, and after the n-th
// failure in a row the probe interval doubled n-1 times, up to the check interval.
Duration next_check_after(unsigned failures_in_row, Duration probe_interval, Duration check_interval);

// Adds the logins `report` made (an auth stage that ran, passed or not) to `counts`, by target.
void count_logins(checks::Report const& report, std::map<std::string, std::uint64_t>& counts);

class Readiness {
 public:
  using Done = std::function<void(checks::Report const& report)>;

  // `done` runs on the checks' thread after every check.
  Readiness(config::Config const& config, Done done);
  ~Readiness();
  Readiness(Readiness const&) = delete;
  Readiness& operator=(Readiness const&) = delete;

  // Starts the thread. `passing`: whether the last check (the start's) passed.
  void start(bool passing);
  // Trouble hinted: check now (or as soon as the rate limit allows). Any thread.
  void check_soon(std::string why);
  // A check in progress finishes; its result is dropped.
  void stop();

 private:
  // On the checks' thread.
  void schedule(Duration after);
  void bring_forward(std::string const& why);
  void run();

  config::Config const& config_;
  Done done_;
  std::atomic<bool> stopped_ = false;
  std::optional<Clock::time_point> last_start_;
  unsigned failures_ = 0;
  unsigned checks_run_ = 0;
  boost::asio::io_context loop_;  // before everything that lives on it
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{loop_.get_executor()};
  boost::asio::steady_timer timer_{loop_};
  boost::asio::io_context checks_io_;  // the checks' own sockets wait here, one check at a time
  std::thread thread_;
};

}  // namespace wgs::monitor

#pragma once
// /readyz's gating checks (SIDECAR_REQUIRE) while the app runs. Each is a whole database
// login (TCP, TLS, SCRAM: a backend forked on RDS and PBKDF2 rounds on both sides), so they
// have a cadence of their own, longer than the tunnel probe's: every SIDECAR_CHECK_INTERVAL,
// sooner while they fail (from SIDECAR_PROBE_INTERVAL, doubling) so /readyz turns 200 soon
// after a fault is mended, and at once when the monitor or the supervisor hints at trouble
// (a probe went unanswered, the tunnel went stale or came back, the app exited) — never
// more than once per probe interval. They run on a thread of their own, so a check waiting
// out its timeouts never delays a probe or a repair; the result comes back on the loop.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>

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

  // `done` runs on `loop` after every check. `passing`: whether the last check (the start's) passed.
  Readiness(boost::asio::io_context& loop, config::Config const& config, Done done);
  ~Readiness();
  Readiness(Readiness const&) = delete;
  Readiness& operator=(Readiness const&) = delete;

  void start(bool passing);
  // Trouble hinted: check now (or as soon as the rate limit allows). On the loop.
  void check_soon(std::string const& why);
  void stop();

 private:
  void schedule(Duration after);
  void run();
  void finished(checks::Report const& report);

  boost::asio::io_context& loop_;
  config::Config const& config_;
  Done done_;
  boost::asio::steady_timer timer_;
  bool running_ = false;
  bool again_ = false;  // a hint came while a check ran
  bool stopped_ = false;
  std::optional<Clock::time_point> last_start_;
  unsigned failures_ = 0;
  unsigned checks_run_ = 0;
  boost::asio::thread_pool thread_{1};
};

}  // namespace wgs::monitor

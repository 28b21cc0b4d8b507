#include "supervise/supervisor.hpp"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>

#include "log/log.hpp"
#include "supervise/exit_status.hpp"

namespace wgs::supervise {
namespace {

using Clock = std::chrono::steady_clock;

class AppWatch {
 public:
  AppWatch(pid_t app, config::Supervision const& settings) : app_(app), settings_(settings) {}

  void on_signal(int signal) {
    if (!is_forwarded(signal)) return;
    ::kill(settings_.signal_group ? -app_ : app_, signal);
    if (means_stop(signal) && !stopping_) {
      log::info("received {}: stopping the app (it has {} before SIGKILL)", strsignal(signal),
                format_duration(settings_.shutdown_timeout));
      stopping_ = true;
      stop_deadline_ = Clock::now() + settings_.shutdown_timeout;
    }
  }

  void on_tick() {
    if (stopping_ && Clock::now() >= stop_deadline_ && !killed_) {
      log::warn("the app did not stop within {}: sending SIGKILL to its process group",
                format_duration(settings_.shutdown_timeout));
      ::kill(-app_, SIGKILL);
      killed_ = true;
    }
  }

  Duration wait_limit() const {
    if (!stopping_ || killed_) return Duration(60'000);
    auto const left = std::chrono::duration_cast<Duration>(stop_deadline_ - Clock::now());
    return std::max(left, Duration(0));
  }

 private:
  pid_t app_;
  config::Supervision const& settings_;
  bool stopping_ = false;
  Clock::time_point stop_deadline_{};
  bool killed_ = false;
};

}  // namespace

void become_subreaper() {
  if (::getpid() == 1) return;
  if (::prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) log::warn("cannot become a child subreaper: orphans will not be reaped");
}

std::optional<int> reap_children(pid_t watched) {
  std::optional<int> status_of_watched;
  int status = 0;
  pid_t pid = 0;
  while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) {
    if (pid == watched) status_of_watched = status;
  }
  return status_of_watched;
}

int supervise_app(pid_t app, SignalQueue& signals, config::Supervision const& settings) {
  AppWatch watch(app, settings);
  while (true) {
    // A child may have exited before we started listening for SIGCHLD: reap first.
    if (auto status = reap_children(app)) {
      int const code = exit_code_of(*status);
      log::info("the app exited with status {}", code);
      return code;
    }
    if (auto signal = signals.next(watch.wait_limit())) {
      if (*signal != SIGCHLD) watch.on_signal(*signal);
    }
    watch.on_tick();
  }
}

}  // namespace wgs::supervise

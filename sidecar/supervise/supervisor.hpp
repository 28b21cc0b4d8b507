#pragma once
// PID 1's duties while the app runs, as tini does them: pass signals on, reap every
// zombie (orphaned grandchildren included), and when asked to stop give the app its
// shutdown budget before SIGKILLing its process group. Event-driven on the caller's
// io_context: signals arrive through the signalfd, timers end the shutdown budget and
// space out restarts (SIDECAR_APP_RESTART=on-failure).
#include <sys/types.h>

#include <deque>
#include <functional>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "config/config.hpp"
#include "health/snapshot.hpp"
#include "supervise/signals.hpp"
#include "supervise/spawn.hpp"

namespace wgs::supervise {

// Makes this process the reaper of orphaned descendants even when it is not PID 1 (on Fly,
// the platform's init is PID 1 and runs us as its child).
void become_subreaper();

// Reaps every exited child without blocking; returns the wait status of `watched` if it was
// among them.
std::optional<int> reap_children(pid_t watched);

class AppSupervisor {
 public:
  using StartApp = std::function<Spawned()>;

  AppSupervisor(boost::asio::io_context& io, SignalQueue& signals, config::Supervision const& settings,
                StartApp start_app);
  ~AppSupervisor();
  AppSupervisor(AppSupervisor const&) = delete;
  AppSupervisor& operator=(AppSupervisor const&) = delete;

  // Starts the app and listens for signals. False when the app could not be executed
  // (exit_code() says 127 or 126).
  bool start();
  // Stops the app as a stop signal would, and ends with `exit_code` whatever the app's
  // own status (the monitor gave up on the tunnel).
  void stop_app(std::string const& reason, int exit_code);
  // Called once the app has ended for good (after restarts, if any).
  void on_finished(std::function<void()> done) { on_finished_ = std::move(done); }
  // Called each time the app exits, with its status, before a restart or the end.
  void on_exit(std::function<void(int code)> exited) { on_exit_ = std::move(exited); }
  std::optional<int> exit_code() const { return exit_code_; }

  // The app's part of /status.
  void describe(health::Snapshot& snapshot) const;

 private:
  void listen_for_signals();
  void on_signal(int signal);
  void on_child_exited();
  void app_ended(int code);
  void restart_later();
  std::optional<int> launch();  // the exit code when the app could not be executed
  void begin_stop(int signal);
  void finish(int code);

  SignalQueue& signals_;
  config::Supervision const& settings_;
  StartApp start_app_;
  boost::asio::posix::stream_descriptor signal_stream_;
  boost::asio::steady_timer kill_timer_;
  boost::asio::steady_timer restart_timer_;

  pid_t app_ = -1;  // -1 while no app runs (before a restart)
  bool stopping_ = false;
  std::optional<int> forced_exit_code_;
  std::optional<int> exit_code_;
  std::function<void()> on_finished_;
  std::function<void(int)> on_exit_;
  Duration restart_wait_{1000};
  std::chrono::steady_clock::time_point started_at_{};
  std::uint64_t restart_count_ = 0;
  std::deque<health::AppRestart> recent_restarts_;
};

}  // namespace wgs::supervise

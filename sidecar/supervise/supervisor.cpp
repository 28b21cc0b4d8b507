#include "supervise/supervisor.hpp"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

#include "log/log.hpp"
#include "supervise/exit_status.hpp"

namespace wgs::supervise {
namespace {

constexpr Duration longest_restart_wait{30'000};
constexpr Duration steady_run{60'000};  // an app that ran this long starts again at the shortest wait
constexpr std::size_t kept_restarts = 20;

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

AppSupervisor::AppSupervisor(boost::asio::io_context& io, SignalQueue& signals, config::Supervision const& settings,
                             StartApp start_app)
    : signals_(signals),
      settings_(settings),
      start_app_(std::move(start_app)),
      signal_stream_(io, signals.fd()),
      kill_timer_(io),
      restart_timer_(io) {}

AppSupervisor::~AppSupervisor() { signal_stream_.release(); }  // the SignalQueue owns the descriptor

bool AppSupervisor::start() {
  if (auto failed = launch()) {
    exit_code_ = *failed;
    return false;
  }
  listen_for_signals();
  // A child may have exited before we started listening for SIGCHLD.
  on_child_exited();
  return true;
}

std::optional<int> AppSupervisor::launch() {
  auto const spawned = start_app_();
  if (spawned.failed) {
    log::error("{}", spawned.failed->message);
    reap_children(spawned.pid);
    return spawned.failed->exit_code;
  }
  app_ = spawned.pid;
  started_at_ = std::chrono::steady_clock::now();
  return std::nullopt;
}

void AppSupervisor::listen_for_signals() {
  signal_stream_.async_wait(boost::asio::posix::stream_descriptor::wait_read, [this](boost::system::error_code error) {
    if (error || exit_code_) return;
    while (auto signal = signals_.next(Duration(0))) on_signal(*signal);
    if (!exit_code_) listen_for_signals();
  });
}

void AppSupervisor::on_signal(int signal) {
  if (signal == SIGCHLD) return on_child_exited();
  if (!is_forwarded(signal)) return;
  if (app_ > 0) ::kill(settings_.signal_group ? -app_ : app_, signal);
  if (means_stop(signal)) begin_stop(signal);
}

void AppSupervisor::begin_stop(int signal) {
  if (stopping_) return;
  stopping_ = true;
  restart_timer_.cancel();
  if (app_ <= 0) return finish(forced_exit_code_.value_or(128 + signal));  // between restarts: nothing to wait for
  log::info("{}: stopping the app (it has {} before SIGKILL)",
            forced_exit_code_ ? std::string("giving up") : fmt::format("received {}", strsignal(signal)),
            format_duration(settings_.shutdown_timeout));
  kill_timer_.expires_after(settings_.shutdown_timeout);
  kill_timer_.async_wait([this](boost::system::error_code error) {
    if (error || app_ <= 0) return;
    log::warn("the app did not stop within {}: sending SIGKILL to its process group",
              format_duration(settings_.shutdown_timeout));
    ::kill(-app_, SIGKILL);
  });
}

void AppSupervisor::stop_app(std::string const& reason, int exit_code) {
  log::error("stopping the app: {}", reason);
  forced_exit_code_ = exit_code;
  if (app_ > 0) ::kill(settings_.signal_group ? -app_ : app_, SIGTERM);
  begin_stop(SIGTERM);
}

void AppSupervisor::on_child_exited() {
  auto status = reap_children(app_);
  if (!status) return;
  app_ = -1;
  app_ended(exit_code_of(*status));
}

void AppSupervisor::app_ended(int code) {
  kill_timer_.cancel();
  log::info("the app exited with status {}", code);
  if (on_exit_) on_exit_(code);
  bool const restart = settings_.app_restart == config::AppRestart::on_failure && code != 0 && !stopping_;
  if (!restart) return finish(forced_exit_code_.value_or(code));
  ++restart_count_;
  recent_restarts_.push_back({std::chrono::system_clock::now(), code});
  if (recent_restarts_.size() > kept_restarts) recent_restarts_.pop_front();
  restart_later();
}

void AppSupervisor::restart_later() {
  if (std::chrono::steady_clock::now() - started_at_ >= steady_run) restart_wait_ = Duration(1000);
  log::warn("SIDECAR_APP_RESTART=on-failure: starting the app again in {}", format_duration(restart_wait_));
  restart_timer_.expires_after(restart_wait_);
  restart_wait_ = std::min(restart_wait_ * 2, longest_restart_wait);
  restart_timer_.async_wait([this](boost::system::error_code error) {
    if (error || stopping_) return;
    if (auto failed = launch()) return finish(*failed);
    on_child_exited();
  });
}

void AppSupervisor::finish(int code) {
  if (exit_code_) return;
  exit_code_ = code;
  kill_timer_.cancel();
  restart_timer_.cancel();
  signal_stream_.cancel();
  if (on_finished_) on_finished_();
}

void AppSupervisor::describe(health::Snapshot& snapshot) const {
  if (app_ > 0) snapshot.app_pid = app_;
  snapshot.app_restart_count = restart_count_;
  snapshot.app_restarts.assign(recent_restarts_.begin(), recent_restarts_.end());
}

}  // namespace wgs::supervise

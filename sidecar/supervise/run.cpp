#include "supervise/run.hpp"

#include <memory>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "config/describe.hpp"
#include "health/server.hpp"
#include "log/log.hpp"
#include "memory/hot_code.hpp"
#include "memory/release.hpp"
#include "monitor/monitor.hpp"
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

// One `run`, on one event loop: while the start policy works on a thread of its own the
// loop answers signals (a stop ends the wait); then it supervises the app and watches the
// tunnel until the app has ended for good.
class Session {
 public:
  Session(config::Config const& config, LockedStrings const& app_env, RunRequest const& request, SignalQueue& signals)
      : config_(config),
        request_(request),
        app_env_(app_env),
        app_options_(app_options(config.supervision)),
        signals_(signals),
        startup_signals_(io_, signals.fd()) {}

  ~Session() { startup_signals_.release(); }  // the SignalQueue owns the descriptor

  int serve() {
    if (!serve_health()) return exit_code::os_error;
    listen_during_startup();
    startup_thread_ = std::jthread([this](std::stop_token stop) {
      auto startup = start_tunnel_and_wait(config_, {.detach_userspace = request_.exec}, stop, progress_);
      boost::asio::post(io_, [this, startup = std::move(startup)]() mutable { started(std::move(startup)); });
    });
    io_.run();
    health_.reset();
    if (monitor_) monitor_->stop();
    return finish();
  }

 private:
  // /healthz answers from the start; /readyz says "starting" until the checks have passed.
  // An address that cannot be served is fatal before anything else starts: a platform check
  // pointed at it would call a healthy machine dead, and nobody would see why.
  bool serve_health() {
    if (!config_.health.listen) return true;
    auto source = [this](health::Detail detail) { return snapshot(detail); };
    auto server = health::Server::start(io_, *config_.health.listen, source);
    if (!server) {
      log::error("SIDECAR_HEALTH_ADDR: {}", server.error().message);
      return false;
    }
    health_ = std::move(*server);
    log::info("health endpoints on {} (/healthz, /readyz, /status, /metrics)", health_->address());
    return true;
  }

  health::Snapshot snapshot(health::Detail detail) {
    health::Snapshot snapshot;
    snapshot.config = config::to_json(config_);
    snapshot.uptime_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_at_).count();
    snapshot.tunnel.interface = config_.wireguard.interface.name;
    if (monitor_) {
      if (detail == health::Detail::full) monitor_->read_peer_for_view();
      monitor_->describe(snapshot);
    } else {
      snapshot.not_ready_reason = progress_.problem();
      snapshot.last_check = progress_.report();
      snapshot.database_logins = progress_.logins();
    }
    if (app_) app_->describe(snapshot);
    return snapshot;
  }

  void listen_during_startup() {
    startup_signals_.async_wait(boost::asio::posix::stream_descriptor::wait_read, [this](boost::system::error_code error) {
      if (error) return;
      while (auto signal = signals_.next(Duration(0))) {
        if (!means_stop(*signal)) continue;  // no app yet to pass it to
        log::info("received {} while starting: stopping", strsignal(*signal));
        stop_signal_ = *signal;
        startup_thread_.request_stop();
      }
      if (!startup_done_) listen_during_startup();
    });
  }

  void started(Startup startup) {
    startup_done_ = true;
    startup_signals_.release();
    startup_thread_.join();
    if (startup.credential_refused) {
      log::error("{}", *startup.credential_refused);
      code_ = exit_code::config;
      return io_.stop();
    }
    enrollment_ = startup.enrollment;
    if (stop_signal_ || !startup.ready) {
      code_ = stop_signal_ ? 128 + *stop_signal_ : startup.refused ? exit_code::os_error : exit_code::unavailable;
      return io_.stop();
    }
    log::info("the path works: starting {}", request_.command.front());
    if (request_.exec) {
      exec_ = true;
      return io_.stop();
    }
    app_ = std::make_unique<AppSupervisor>(io_, signals_, config_.supervision,
                                           [this] { return spawn(request_.command, app_env_, app_options_); });
    app_->on_finished([this] { io_.stop(); });
    // An app that exits may have lost its database: /readyz should know now, not a minute later.
    app_->on_exit([this](int code) {
      if (monitor_) monitor_->recheck(fmt::format("the app exited with status {}", code));
    });
    if (!app_->start()) return io_.stop();
    monitor::Handover handover{std::move(*startup.wireguard), startup.enrollment, std::move(*startup.tunnel),
                               std::move(startup.last_report), progress_.logins()};
    monitor_ = std::make_unique<monitor::Monitor>(io_, config_, std::move(handover), [this](std::string const& reason) {
      app_->stop_app("the tunnel is down for good (" + reason + ")", exit_code::unavailable);
    });
    monitor_->start();
    memory::release_after_burst();  // the start's libpq, OpenSSL and netlink code is not needed for a while
  }

  // After the app has stopped: the hub frees this machine's address and peer at once
  // instead of after its expiry. Bounded so the whole stop fits Fly's kill_timeout.
  void leave_the_hub() {
    if (!enrollment_ || !enrollment_->is_enrolled() || config_.supervision.keep_tunnel) return;
    auto const address = enrollment_->lease().address.to_string();
    if (auto left = enrollment_->leave(Duration(700)); !left) {
      log::warn("leaving the hub at {}: {}; it forgets this machine after its expiry", enrollment_->hub_address(),
                left.error().message);
    } else {
      log::info("left the hub at {}: {} is free", enrollment_->hub_address(), address);
    }
  }

  int finish() {
    if (exec_) {
      auto const failure = exec_in_place(request_.command, app_env_, app_options_);
      log::error("{}", failure.message);
      return failure.exit_code;
    }
    monitor_.reset();  // stops a userspace implementation we started
    leave_the_hub();
    take_tunnel_down(config_);
    reap_children(-1);  // the userspace implementation, once its device is gone
    if (app_ && app_->exit_code()) return *app_->exit_code();
    return code_;
  }

  config::Config const& config_;
  RunRequest const& request_;
  LockedStrings const& app_env_;
  AppOptions const app_options_;
  SignalQueue& signals_;
  boost::asio::io_context io_;
  boost::asio::posix::stream_descriptor startup_signals_;
  StartupProgress progress_;
  std::jthread startup_thread_;
  bool startup_done_ = false;
  std::optional<int> stop_signal_;
  bool exec_ = false;
  int code_ = exit_code::unavailable;
  std::unique_ptr<AppSupervisor> app_;
  std::shared_ptr<enroll::Edge> enrollment_;
  std::unique_ptr<monitor::Monitor> monitor_;
  std::unique_ptr<health::Server> health_;
  std::chrono::steady_clock::time_point const started_at_ = std::chrono::steady_clock::now();
};

}  // namespace

int supervise(config::Config const& config, LockedStrings const& app_env, RunRequest const& request) {
  memory::share_one_arena();  // before any thread allocates
  auto const hot_code = memory::keep_hot_code_on_huge_page();
  log::debug("{}", hot_code.on_huge_page ? hot_code.detail : "hot code on small pages: " + hot_code.detail);
  SignalQueue signals;
  become_subreaper();
  Session session(config, app_env, request, signals);
  return session.serve();
}

}  // namespace wgs::supervise

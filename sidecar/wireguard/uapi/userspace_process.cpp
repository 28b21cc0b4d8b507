#include "wireguard/uapi/userspace_process.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <utility>

#include <fmt/format.h>

#include "wireguard/uapi/child_launch.hpp"
#include "wireguard/uapi/client.hpp"

namespace wgs::wireguard::uapi {
namespace {

using Clock = std::chrono::steady_clock;

std::string search_path() {
  char const* path = std::getenv("PATH");
  return path != nullptr && *path != '\0' ? path : detail::default_search_path;
}

// The end of what it printed, on one line of an error message.
std::string last_words(std::string text) {
  constexpr std::size_t shown = 2048;
  if (text.size() > shown) text.erase(0, text.size() - shown);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  for (auto& c : text) {
    if (c == '\n') c = ' ';
  }
  return text.empty() ? "(no output)" : text;
}

}  // namespace

Result<UserspaceProcess> UserspaceProcess::start(std::string const& ifname, ProcessOptions const& options) {
  auto const doing = fmt::format("starting {} for {}", options.implementation, ifname);
  if (socket_accepts(ifname)) {
    return make_error(fmt::format("{}: something already serves {} (an implementation for an interface of this name, "
                                  "maybe in another network namespace)",
                                  doing, socket_path(ifname)),
                      EADDRINUSE);
  }
  auto const path = search_path();
  auto program = detail::find_program(options.implementation, path);
  if (!program) return make_error(fmt::format("{}: {}", doing, program.error().message), program.error().code);
  auto child = detail::launch(*program, detail::command_line(*program, ifname), detail::child_environment(path),
                              options.detach);
  if (!child) return make_error(fmt::format("{}: {}", doing, child.error().message), child.error().code);
  UserspaceProcess process(*program, child->pid, child->pidfd, child->output_fd, options.detach);

  auto const deadline = Clock::now() + options.startup_timeout;
  while (Clock::now() < deadline) {
    if (socket_accepts(ifname)) return process;
    if (!process.is_running()) {
      return process.startup_failure(
          ifname, fmt::format("it {} before {} accepted connections", process.describe_exit(), socket_path(ifname)));
    }
    // A short pause (it ends early if the process dies): the socket usually appears within
    // tens of milliseconds, and each pause is time added to every start (bench/: phase:link).
    process.wait_for_exit(Duration(5));
  }
  if (socket_accepts(ifname)) return process;
  (void)process.stop(Duration(2000));
  return process.startup_failure(ifname, fmt::format("{} did not accept connections within {} ms", socket_path(ifname),
                                                      options.startup_timeout.count()));
}

UserspaceProcess::UserspaceProcess(std::string program, pid_t pid, int pidfd, int output_fd, bool detached)
    : program_(std::move(program)), pid_(pid), pidfd_(pidfd), detached_(detached) {
  if (output_fd >= 0) output_ = OutputTail(output_fd);
}

UserspaceProcess::UserspaceProcess(UserspaceProcess&& other) noexcept
    : program_(std::move(other.program_)),
      pid_(std::exchange(other.pid_, -1)),
      pidfd_(std::exchange(other.pidfd_, -1)),
      detached_(other.detached_),
      exited_(other.exited_),
      exit_code_(other.exit_code_),
      exit_signal_(other.exit_signal_),
      output_(std::move(other.output_)) {}

UserspaceProcess::~UserspaceProcess() {
  if (pidfd_ < 0) return;
  if (detached_) {
    (void)is_running();  // reaps it if it already died, and leaves it running otherwise
  } else {
    (void)stop(Duration(2000));
  }
  ::close(pidfd_);
  pidfd_ = -1;
}

bool UserspaceProcess::wait_for_exit(Duration limit) const {
  auto const deadline = Clock::now() + limit;
  while (!exited_) {
    auto const left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    pollfd entry{pidfd_, POLLIN, 0};  // a pidfd is readable once the process has exited
    int const ready = ::poll(&entry, 1, left > 0 ? static_cast<int>(left) : 0);
    if (ready > 0) collect_exit();
    if (ready == 0 || (ready < 0 && errno != EINTR)) break;
  }
  return exited_;
}

void UserspaceProcess::collect_exit() const {
  siginfo_t info{};
  if (::waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(pidfd_), &info, WEXITED | WNOHANG) == 0) {
    if (info.si_pid == 0) return;  // still running
    exited_ = true;
    if (info.si_code == CLD_EXITED) {
      exit_code_ = info.si_status;
    } else {
      exit_signal_ = info.si_status;
    }
    return;
  }
  // ECHILD: a reaper of orphans (our own PID 1 loop) collected it first; the pidfd said it ended.
  exited_ = true;
}

bool UserspaceProcess::is_running() const {
  if (pidfd_ < 0 || exited_) return false;
  return !wait_for_exit(Duration(0));
}

std::string UserspaceProcess::describe_exit() const {
  if (!exited_) return "is running";
  if (exit_signal_ != 0) return fmt::format("was killed by signal {} ({})", exit_signal_, ::strsignal(exit_signal_));
  if (exit_code_ >= 0) return fmt::format("exited with status {}", exit_code_);
  return "exited";
}

Status UserspaceProcess::stop(Duration grace) {
  if (!is_running()) return ok_status();
  detail::signal_pidfd(pidfd_, SIGTERM);
  if (wait_for_exit(grace)) return ok_status();
  detail::signal_pidfd(pidfd_, SIGKILL);
  if (wait_for_exit(Duration(5000))) return ok_status();
  return make_error(fmt::format("stopping {} (pid {}): it did not exit after SIGKILL", program_, pid_), ETIMEDOUT);
}

Error UserspaceProcess::startup_failure(std::string const& ifname, std::string_view why) const {
  auto message = fmt::format("starting {} for {}: {}", program_, ifname, why);
  if (!detached_) {
    output_.wait_for_end(Duration(500));
    message += fmt::format("; its output: {}", last_words(output_.text()));
  }
  return make_error(std::move(message), ECHILD);
}

}  // namespace wgs::wireguard::uapi

#include "supervise/signals.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <stdexcept>

namespace wgs::supervise {
namespace {

bool is_synchronous(int signal) {
  return signal == SIGSEGV || signal == SIGBUS || signal == SIGILL || signal == SIGFPE || signal == SIGTRAP ||
         signal == SIGABRT || signal == SIGSYS;
}

sigset_t handled_signals() {
  sigset_t set;
  sigfillset(&set);
  for (int signal : {SIGKILL, SIGSTOP, SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGABRT, SIGSYS}) sigdelset(&set, signal);
  return set;
}

}  // namespace

bool is_forwarded(int signal) {
  return signal != SIGCHLD && signal != SIGKILL && signal != SIGSTOP && !is_synchronous(signal);
}

bool means_stop(int signal) { return signal == SIGINT || signal == SIGTERM; }

SignalQueue::SignalQueue() {
  auto const set = handled_signals();
  sigprocmask(SIG_BLOCK, &set, nullptr);
  fd_ = ::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
  if (fd_ < 0) throw std::runtime_error("signalfd failed");
}

SignalQueue::~SignalQueue() {
  if (fd_ >= 0) ::close(fd_);
}

std::optional<int> SignalQueue::next(Duration timeout) {
  pollfd pfd{fd_, POLLIN, 0};
  if (::poll(&pfd, 1, static_cast<int>(timeout.count())) <= 0) return std::nullopt;
  signalfd_siginfo info{};
  if (::read(fd_, &info, sizeof info) != sizeof info) return std::nullopt;
  return static_cast<int>(info.ssi_signo);
}

}  // namespace wgs::supervise

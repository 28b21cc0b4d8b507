#include "process/spawn.hpp"

#include <fcntl.h>
#include <linux/close_range.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <functional>

#include <fmt/format.h>

#include "process/lasting_thread.hpp"

namespace wgs::process {
namespace {

// What the child writes to the report pipe when a step fails.
struct Report {
  Step step;
  int error;
};

// tini's restore_signals: the default mask and dispositions, whatever we set for ourselves.
void restore_default_signals() {
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  struct sigaction defaults {};
  defaults.sa_handler = SIG_DFL;
  for (int signal = 1; signal < NSIG; ++signal) {
    if (signal != SIGKILL && signal != SIGSTOP) ::sigaction(signal, &defaults, nullptr);
  }
}

int connect_stdio(ChildSpec const& spec) {
  int const wanted[3] = {spec.stdin_fd, spec.stdout_fd, spec.stderr_fd};
  for (int fd = 0; fd < 3; ++fd) {
    if (wanted[fd] >= 0 && wanted[fd] != fd && ::dup2(wanted[fd], fd) < 0) return errno;
  }
  // Everything else closes at exec, inherited or ours, flagged or not. (Kernels before 5.11
  // lack the flag; there every descriptor we open is close-on-exec by itself.)
  ::syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC);
  return 0;
}

// Between fork and exec, or before an exec in place: async-signal-safe calls only.
Report prepare(ChildSpec const& spec, pid_t parent, bool forked) {
  if (forked && (spec.grouping == Grouping::session ? ::setsid() : ::setpgid(0, 0)) < 0) return {Step::group, errno};
  if (int error = connect_stdio(spec)) return {Step::stdio, error};
  if (spec.umask) ::umask(*spec.umask);
  Step failed = Step::capabilities;
  if (int error = drop_privileges(spec.privileges, failed)) return {failed, error};
  // After the uid change, which would clear it. If the parent is already gone, nobody would
  // ever send the signal: give up rather than run unwatched.
  if (forked && spec.parent_death_signal != 0) {
    if (::prctl(PR_SET_PDEATHSIG, spec.parent_death_signal, 0, 0, 0) != 0) return {Step::parent_death, errno};
    if (::getppid() != parent) return {Step::parent_death, ESRCH};
  }
  restore_default_signals();
  return {Step::exec, 0};
}

[[noreturn]] void become(ChildSpec const& spec, pid_t parent, int report_fd) {
  auto report = prepare(spec, parent, true);
  if (report.error == 0) {
    ::execve(spec.program.c_str(), spec.argv.data(), spec.envp.data());
    report = {Step::exec, errno};
  }
  [[maybe_unused]] auto const written = ::write(report_fd, &report, sizeof report);
  ::_exit(127);
}

Started fork_and_exec(ChildSpec const& spec) {
  int report_pipe[2];
  if (::pipe2(report_pipe, O_CLOEXEC) != 0) return {-1, Failure{Step::fork, errno}};
  pid_t const parent = ::getpid();
  pid_t const pid = ::fork();
  if (pid == 0) {
    ::close(report_pipe[0]);
    become(spec, parent, report_pipe[1]);
  }
  int const fork_error = errno;
  ::close(report_pipe[1]);
  Started started{pid, std::nullopt};
  if (pid < 0) {
    started.failed = Failure{Step::fork, fork_error};
  } else {
    if (spec.grouping == Grouping::process_group) ::setpgid(pid, pid);  // signals to the group work at once
    Report report{};
    ssize_t got = 0;
    do {
      got = ::read(report_pipe[0], &report, sizeof report);  // end of file: exec happened
    } while (got < 0 && errno == EINTR);
    if (got == sizeof report) started.failed = Failure{report.step, report.error};
  }
  ::close(report_pipe[0]);
  return started;
}

}  // namespace

std::string Failure::message() const { return fmt::format("{}: {}", describe(step), std::strerror(error)); }

Started start(ChildSpec const& spec) {
  if (spec.parent_death_signal == 0) return fork_and_exec(spec);
  Started started;
  run_on_lasting_thread([&] { started = fork_and_exec(spec); });
  return started;
}

Failure exec_here(ChildSpec const& spec) {
  auto const report = prepare(spec, ::getppid(), false);
  if (report.error != 0) return {report.step, report.error};
  ::execve(spec.program.c_str(), spec.argv.data(), spec.envp.data());
  return {Step::exec, errno};
}

}  // namespace wgs::process

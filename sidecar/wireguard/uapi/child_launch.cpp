#include "wireguard/uapi/child_launch.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "util/exec.hpp"

namespace wgs::wireguard::uapi::detail {
namespace {

// The fds the child starts with: 0 from /dev/null, 1 and 2 to `output`.
struct ChildFds {
  int null = -1;
  int output = -1;
  int report = -1;  // write end of the exec-failure pipe (close-on-exec)
};

// Runs in the forked child: async-signal-safe calls only.
[[noreturn]] void become_implementation(char const* program, char* const* argv, char* const* envp, ChildFds fds,
                                        bool detach) {
  if (detach) {
    ::setsid();
  } else {
    ::setpgid(0, 0);
  }
  ::dup2(fds.null, STDIN_FILENO);
  ::dup2(fds.output, STDOUT_FILENO);
  ::dup2(fds.output, STDERR_FILENO);
  // Whatever else we hold open (netlink sockets, the app's pipes) is not the child's business.
  ::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
  restore_default_signals();
  ::execve(program, argv, envp);
  int const error = errno;
  [[maybe_unused]] auto const written = ::write(fds.report, &error, sizeof error);
  ::_exit(127);
}

void close_all(std::initializer_list<int> fds) {
  for (int fd : fds) {
    if (fd >= 0) ::close(fd);
  }
}

Error system_error(std::string_view what) { return make_error(fmt::format("{}: {}", what, std::strerror(errno)), errno); }

}  // namespace

int open_pidfd(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }

int signal_pidfd(int pidfd, int signal) {
  return static_cast<int>(::syscall(SYS_pidfd_send_signal, pidfd, signal, nullptr, 0));
}

std::vector<std::string> command_line(std::string const& program, std::string const& ifname) {
  auto const base = program.substr(program.rfind('/') + 1);
  if (base.find("boringtun") != std::string::npos) {
    return {program, "--foreground", "--disable-drop-privileges", ifname};
  }
  return {program, "-f", ifname};
}

std::vector<std::string> child_environment(std::string const& search_path) {
  return {"PATH=" + search_path, "WG_PROCESS_FOREGROUND=1", "LOG_LEVEL=error"};
}

Result<std::string> find_program(std::string const& name, std::string const& search_path) {
  if (name.empty()) return make_error("the implementation's name is empty", ENOENT);
  if (name.find('/') != std::string::npos) {
    if (::access(name.c_str(), X_OK) == 0) return name;
    return make_error(fmt::format("cannot run {}: {}", name, std::strerror(errno)), errno);
  }
  std::size_t start = 0;
  while (start <= search_path.size()) {
    auto const end = std::min(search_path.find(':', start), search_path.size());
    auto const dir = search_path.substr(start, end - start);
    auto const candidate = (dir.empty() ? std::string(".") : dir) + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return make_error(fmt::format("{} was not found on PATH ({})", name, search_path), ENOENT);
}

Result<Child> launch(std::string const& program, std::vector<std::string> const& argv,
                     std::vector<std::string> const& env, bool detach) {
  auto args = exec_pointers(argv);
  auto envp = exec_pointers(env);
  ChildFds fds;
  int output[2] = {-1, -1};
  int report[2] = {-1, -1};
  fds.null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  if (fds.null < 0) return system_error("opening /dev/null");
  if (::pipe2(report, O_CLOEXEC) != 0 || (!detach && ::pipe2(output, O_CLOEXEC) != 0)) {
    auto error = system_error("pipe");
    close_all({fds.null, report[0], report[1]});
    return error;
  }
  fds.output = detach ? fds.null : output[1];
  fds.report = report[1];
  pid_t const pid = ::fork();
  if (pid == 0) become_implementation(program.c_str(), args.data(), envp.data(), fds, detach);
  auto const fork_error = errno;
  close_all({fds.null, output[1], report[1]});
  if (pid < 0) {
    close_all({output[0], report[0]});
    return make_error(fmt::format("fork: {}", std::strerror(fork_error)), fork_error);
  }
  Child child{pid, open_pidfd(pid), output[0]};
  int const pidfd_error = errno;
  int exec_error = 0;
  ssize_t got = 0;
  do {
    got = ::read(report[0], &exec_error, sizeof exec_error);  // EOF: exec succeeded
  } while (got < 0 && errno == EINTR);
  ::close(report[0]);
  if (got == sizeof exec_error || child.pidfd < 0) {
    if (got != sizeof exec_error) ::kill(pid, SIGKILL);  // running, but we could not hold on to it
    close_all({child.pidfd, child.output_fd});
    ::waitpid(pid, nullptr, 0);
    if (got != sizeof exec_error) return make_error(fmt::format("pidfd_open: {}", std::strerror(pidfd_error)), pidfd_error);
    return make_error(fmt::format("cannot run {}: {}", program, std::strerror(exec_error)), exec_error);
  }
  return child;
}

}  // namespace wgs::wireguard::uapi::detail

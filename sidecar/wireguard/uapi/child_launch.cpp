#include "wireguard/uapi/child_launch.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "process/exec_args.hpp"
#include "process/spawn.hpp"

namespace wgs::wireguard::uapi::detail {
namespace {

void close_all(std::initializer_list<int> fds) {
  for (int fd : fds) {
    if (fd >= 0) ::close(fd);
  }
}

Error system_error(std::string_view what) { return make_error(fmt::format("{}: {}", what, std::strerror(errno)), errno); }

// Detached: its own session and output to /dev/null, so it outlives us. Otherwise its own
// process group, output to our pipe, and SIGTERM when wgsidecar ends however it ends (a
// kill -9 included), so no tunnel is left behind without a supervisor: wireguard-go removes
// its interface and socket on SIGTERM.
process::ChildSpec implementation_spec(std::string const& program, std::vector<std::string> const& argv,
                                       std::vector<std::string> const& env, int null_fd, int output_fd, bool detach) {
  process::ChildSpec spec;
  spec.program = program;
  spec.argv = process::exec_pointers(argv);
  spec.envp = process::exec_pointers(env);
  spec.grouping = detach ? process::Grouping::session : process::Grouping::process_group;
  spec.stdin_fd = null_fd;
  spec.stdout_fd = output_fd;
  spec.stderr_fd = output_fd;
  spec.umask = 077;  // its UAPI socket (and anything else it creates) is for root alone
  spec.parent_death_signal = detach ? 0 : SIGTERM;
  return spec;
}

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
  auto const found = process::find_on_path(name, search_path);
  if (!found) return make_error(fmt::format("{} was not found on PATH ({})", name, search_path), ENOENT);
  if (::access(found->c_str(), X_OK) != 0) {
    return make_error(fmt::format("cannot run {}: {}", *found, std::strerror(errno)), errno);
  }
  return *found;
}

Result<Child> launch(std::string const& program, std::vector<std::string> const& argv,
                     std::vector<std::string> const& env, bool detach) {
  int output[2] = {-1, -1};
  int const null_fd = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null_fd < 0) return system_error("opening /dev/null");
  if (!detach && ::pipe2(output, O_CLOEXEC) != 0) {
    auto error = system_error("pipe");
    close_all({null_fd});
    return error;
  }
  auto const started =
      process::start(implementation_spec(program, argv, env, null_fd, detach ? null_fd : output[1], detach));
  close_all({null_fd, output[1]});
  if (started.pid < 0) {
    close_all({output[0]});
    return make_error(started.failed->message(), started.failed->error);
  }
  Child child{started.pid, started.failed ? -1 : open_pidfd(started.pid), output[0]};
  int const pidfd_error = errno;
  if (started.failed || child.pidfd < 0) {
    if (!started.failed) ::kill(started.pid, SIGKILL);  // running, but we could not hold on to it
    close_all({child.pidfd, child.output_fd});
    ::waitpid(started.pid, nullptr, 0);
    if (!started.failed) return make_error(fmt::format("pidfd_open: {}", std::strerror(pidfd_error)), pidfd_error);
    return make_error(fmt::format("cannot run {}: {}", program, started.failed->message()), started.failed->error);
  }
  return child;
}

}  // namespace wgs::wireguard::uapi::detail

#pragma once
// How a userspace WireGuard is started: its command line, its environment (built from
// nothing, never inherited: ours holds WG_PRIVATE_KEY) and how process/spawn starts it.
// Internal to uapi/; split out so the pure parts can be tested.
#include <sys/types.h>

#include <string>
#include <vector>

#include "util/result.hpp"

namespace wgs::wireguard::uapi::detail {

inline constexpr char const* default_search_path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// wireguard-go style `IMPL -f IFNAME`; boringtun wants its own flags, and must keep the
// privileges it needs to reconfigure the device.
std::vector<std::string> command_line(std::string const& program, std::string const& ifname);

// PATH, WG_PROCESS_FOREGROUND=1 (no re-exec, no "kernel has first class support" banner)
// and LOG_LEVEL=error. Nothing else.
std::vector<std::string> child_environment(std::string const& search_path);

// The executable `name` names: itself when it has a slash, else the first match on
// `search_path`, as execvp would find it (but without a shell and before forking).
Result<std::string> find_program(std::string const& name, std::string const& search_path);

// pidfd system calls (Debian 12's glibc declares the wrappers without C linkage for C++).
int open_pidfd(pid_t pid);
int signal_pidfd(int pidfd, int signal);

struct Child {
  pid_t pid = -1;
  int pidfd = -1;      // refers to the child even after someone else reaps it
  int output_fd = -1;  // read end of its stdout/stderr; -1 when detached
};

// Forks and execs `program` with umask 077 (its socket is root's alone). detach: its own
// session and output to /dev/null, so it outlives us; otherwise its own process group (a
// terminal's ^C is not for it), output to a pipe, and SIGTERM when wgsidecar ends, however
// it ends. Returns once exec has happened or failed.
Result<Child> launch(std::string const& program, std::vector<std::string> const& argv,
                     std::vector<std::string> const& env, bool detach);

}  // namespace wgs::wireguard::uapi::detail

#pragma once
// A userspace WireGuard (wireguard-go, boringtun) we start for one interface: it creates
// the TUN device and serves the UAPI socket; we wait until that socket accepts, and stop
// the process when we are done with it. Deleting the TUN link also ends it.
#include <sys/types.h>

#include <string>

#include "wireguard/uapi/output_tail.hpp"
#include "util/duration.hpp"
#include "util/result.hpp"

namespace wgs::wireguard::uapi {

struct ProcessOptions {
  std::string implementation = "wireguard-go";  // a name looked up on PATH, or a path
  // Own session, output to /dev/null: the process outlives us (CLI `wgsidecar up`).
  bool detach = false;
  Duration startup_timeout{10000};  // until the UAPI socket accepts connections
};

class UserspaceProcess {
 public:
  // Starts `IMPL -f IFNAME` (boringtun: `IMPL --foreground --disable-drop-privileges
  // IFNAME`) with a minimal environment and waits for its socket. Fails, with the
  // process's last output, if it exits first; stops it if the deadline passes. Fails at
  // once if something already serves the interface's socket.
  static Result<UserspaceProcess> start(std::string const& ifname, ProcessOptions const& options);

  UserspaceProcess(UserspaceProcess&& other) noexcept;
  UserspaceProcess& operator=(UserspaceProcess&&) = delete;
  UserspaceProcess(UserspaceProcess const&) = delete;
  UserspaceProcess& operator=(UserspaceProcess const&) = delete;
  // A process we did not detach is stopped (2 s grace); a detached one keeps running.
  ~UserspaceProcess();

  pid_t pid() const { return pid_; }
  // False once it has exited, whoever reaped it (a PID 1 reaper may have).
  bool is_running() const;
  // "exited with status 1", "was killed by signal 9", or "is running".
  std::string describe_exit() const;
  // Its last few KiB of stdout/stderr (empty when detached).
  std::string output() const { return output_.text(); }
  // SIGTERM, SIGKILL after `grace`, then reap. Ok if it has already exited.
  Status stop(Duration grace);

 private:
  UserspaceProcess(std::string program, pid_t pid, int pidfd, int output_fd, bool detached);
  void collect_exit() const;  // reaps, when it is ours to reap, and records how it ended
  bool wait_for_exit(Duration limit) const;
  Error startup_failure(std::string const& ifname, std::string_view why) const;

  std::string program_;
  pid_t pid_ = -1;
  int pidfd_ = -1;
  bool detached_ = false;
  mutable bool exited_ = false;
  mutable int exit_code_ = -1;  // -1: killed by a signal, or reaped elsewhere
  mutable int exit_signal_ = 0;
  OutputTail output_;
};

}  // namespace wgs::wireguard::uapi

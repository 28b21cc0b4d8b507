#pragma once
// Every child wgsidecar starts (the app, the userspace WireGuard) is forked and exec'd here,
// prepared the same way between fork and exec:
//   - its own process group, or its own session when it must outlive us;
//   - stdin/stdout/stderr as asked, and nothing else: every other descriptor is marked
//     close-on-exec first, so a socket another thread opened a moment ago (libpq's, c-ares')
//     cannot leak into it either;
//   - the privileges it may keep (privileges.hpp), an optional umask and parent-death signal;
//   - the default signal mask and dispositions (tini's restore_signals);
// and a failure of any step (or of exec) is reported back through a close-on-exec pipe
// instead of a silent exit.
//
// fork rather than posix_spawn: posix_spawn has no portable way to change the uid, clear
// supplementary groups, drop capabilities or set no_new_privs and a parent-death signal
// (glibc's extensions stop at setsid and the process group), and these must happen in the
// child, after fork and before exec, with nothing but async-signal-safe system calls.
#include <sys/stat.h>
#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "process/privileges.hpp"

namespace wgs::process {

enum class Grouping {
  process_group,  // a terminal's ^C is not for it; signals to the group reach what it starts
  session,        // detached: outlives us (`wgsidecar up`, --exec)
};

struct ChildSpec {
  std::string program;      // a path: look names up on PATH before (exec_args.hpp)
  std::vector<char*> argv;  // NULL-terminated (exec_pointers); the strings outlive start()
  std::vector<char*> envp;
  Grouping grouping = Grouping::process_group;
  int stdin_fd = -1;  // -1: ours
  int stdout_fd = -1;
  int stderr_fd = -1;
  std::optional<mode_t> umask;
  // Sent to the child when wgsidecar ends, however it ends. Such children are forked on a
  // thread that lives as long as the process (lasting_thread.hpp).
  int parent_death_signal = 0;
  Privileges privileges;
};

struct Failure {
  Step step = Step::exec;
  int error = 0;  // errno
  std::string message() const;  // "switching to its user: Operation not permitted"
};

struct Started {
  pid_t pid = -1;                 // >0 even when it failed after fork: reap it
  std::optional<Failure> failed;  // nothing was exec'd
};

// Forks, prepares and execs; returns once exec has happened or failed.
Started start(ChildSpec const& spec);

// Prepares this process the same way (without the process group change when `grouping` is
// process_group and we lead none) and execs; returns only on failure.
Failure exec_here(ChildSpec const& spec);

}  // namespace wgs::process

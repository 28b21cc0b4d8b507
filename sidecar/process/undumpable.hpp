#pragma once
// Keeps this process's memory to itself: no core dump (a crash would write the key and the
// password to disk), and /proc/<pid>/mem, environ, fd/ and ptrace refused to anyone without
// CAP_SYS_PTRACE — other users, and root apps, which lose that capability (privileges.hpp).
// Children are unaffected: exec makes them dumpable again.
namespace wgs::process {

// PR_SET_DUMPABLE 0. Call before anything reads a secret; a failure is logged and ignored
// (the kernel always allows it).
void become_undumpable();

}  // namespace wgs::process

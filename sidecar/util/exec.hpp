#pragma once
// What every fork+execve in wgsidecar needs: argv/envp arrays for execve, and a child that
// starts with the default signal mask and dispositions (tini's restore_signals), whatever
// the supervisor blocked for itself.
#include <string>
#include <vector>

namespace wgs {

// NULL-terminated pointers into `strings`, which must outlive the result.
std::vector<char*> exec_pointers(std::vector<std::string> const& strings);

// Async-signal-safe: call in the forked child just before execve.
void restore_default_signals();

}  // namespace wgs

#pragma once
// A thread that lives as long as the process, to fork children that must die with it.
// PR_SET_PDEATHSIG fires when the *thread* that forked the child ends, not the process:
// wireguard-go forked by the start policy's thread would be killed the moment the start
// succeeds, and one forked by the monitor's worker when the monitor stops. Forked here, it
// is signalled only when wgsidecar itself ends, however it ends (kill -9 included).
#include <functional>

namespace wgs::process {

// Runs `job` on that thread (started on first use) and returns once it is done. Calls from
// several threads take turns.
void run_on_lasting_thread(std::function<void()> const& job);

}  // namespace wgs::process

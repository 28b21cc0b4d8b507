#pragma once
// How a child's wait status becomes our exit code, the way tini and docker report it.
namespace wgs::supervise {

// The exit code when it exited; 128+N when signal N killed it.
int exit_code_of(int wait_status);

}  // namespace wgs::supervise

#pragma once
// `wgsidecar hub`: the hub's WireGuard interface (through the same backends as the edge),
// the enrollment service on the public port, /healthz, /status and /metrics on the local
// one, and a sweep that prunes silent machines. Runs until SIGINT or SIGTERM, then takes
// the interface down (as `wg-quick down` would). Returns the exit code.
#include "hub/settings.hpp"

namespace wgs::hub {

int serve(Settings const& settings);

}  // namespace wgs::hub

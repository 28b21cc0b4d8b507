#pragma once
// The start policy: bring the tunnel up and run the gating checks, retrying with backoff
// until they pass or SIDECAR_STARTUP_TIMEOUT ends. A stop signal ends the wait early.
#include <optional>

#include "checks/report.hpp"
#include "config/config.hpp"
#include "supervise/signals.hpp"
#include "tunnel/tunnel.hpp"

namespace wgs::supervise {

struct Startup {
  std::optional<tunnel::Tunnel> tunnel;  // up, even when the checks did not pass in time
  std::optional<checks::Report> last_report;
  bool ready = false;
  std::optional<int> stopped_by;  // the signal that ended the wait
};

Startup start_tunnel_and_wait(config::Config const& config, SignalQueue& signals);

}  // namespace wgs::supervise

#pragma once
// Which identity this machine's tunnel runs on, settled once at start (by `run`'s start
// policy, and by `up`): its own from the hub when the hub enrolls (`wgsidecar hub`), else —
// under SIDECAR_ENROLL=auto, when nothing answers on the hub's enrollment port — the shared
// one from WG_PRIVATE_KEY, as with a plain WireGuard hub: one identity, one machine.
//
// Telling a plain hub apart costs one TCP connection attempt to the hub's enrollment port
// (its WireGuard port number, over TCP): refused at once on a plain hub in a lab, and cut
// short after `auto_deadline` where a firewall drops it. SIDECAR_ENROLL=off skips it.
#include <optional>
#include <string>

#include "config/config.hpp"
#include "enroll/edge.hpp"
#include "util/duration.hpp"

namespace wgs::enroll {

inline constexpr Duration auto_deadline{1000};
inline constexpr Duration required_deadline{3000};

struct Identity {
  std::optional<config::WireGuard> wireguard;  // settled: bring this up
  bool refused = false;                        // the hub refused: a configuration problem (exit 78)
  std::string problem;                         // why not settled yet (retry), or why refused
  std::optional<Duration> retry_after;
};

// One attempt. `edge` is nullptr under SIDECAR_ENROLL=off; afterwards edge->is_enrolled()
// says which identity was settled on.
Identity settle_identity(config::Config const& config, Edge* edge);

}  // namespace wgs::enroll

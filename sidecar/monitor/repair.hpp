#pragma once
// The monitor's hands: look at the tunnel as the kernel and the backend see it, and carry
// out one step of the ladder. Blocking calls (netlink, UAPI, DNS, process start): the
// monitor runs them on its worker thread, one at a time, and they alone touch the Tunnel.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "config/config.hpp"
#include "enroll/edge.hpp"
#include "monitor/ladder.hpp"
#include "tunnel/tunnel.hpp"

namespace wgs::monitor {

struct Inspection {
  bool interface_present = true;  // the link exists under its name and index
  bool implementation_alive = true;  // the userspace process (always true for the kernel)
  std::string missing;            // "route 10.50.0.0/24, address 10.50.3.10/32, link down"; empty: none
  std::optional<Duration> handshake_age;
  std::uint64_t rx_bytes = 0;
  std::uint64_t tx_bytes = 0;
  bool peer_read = false;         // the handshake and counters above were read
  std::string error;              // the inspection itself failed (netlink, UAPI)

  // What is broken in a way no probe needs to confirm, and the step that mends it.
  std::optional<Step> damage_step() const;
  std::string damage() const;
};

// The link (rtnetlink: present, up, its addresses and routes) and whether a userspace
// implementation still runs. The peer is not read: that is ask_peer's, when a probe wants it.
Inspection inspect_link(config::WireGuard const& wireguard, tunnel::Tunnel& tunnel);
// The peer alone, and whether a userspace implementation still runs: the probe's look
// while rtnetlink events watch the link. In two steps: the question now, the Inspection when
// the returned function is called (wireguard::Backend::ask says why).
std::function<Inspection()> ask_peer(tunnel::Tunnel& tunnel);
// The link's look with what a read of the peer saw.
Inspection with_peer(Inspection link, Inspection const& peer);

struct StepOutcome {
  bool succeeded = false;
  std::string detail;  // what it did, or why it failed
  bool new_device = false;  // the interface was re-created: counters start at zero
  bool changed_nothing = false;  // it found nothing to mend (the links step on an intact link)
};

// Takes `step` on `tunnel` (re-creating replaces its contents). The enroll step may give
// `wireguard` a new address and preshared key; `edge` is this machine's enrollment.
StepOutcome take_step(Step step, config::WireGuard& wireguard, tunnel::Tunnel& tunnel, enroll::Edge* edge);

}  // namespace wgs::monitor

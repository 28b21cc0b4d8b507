#pragma once
// Bringing the tunnel up and down as one operation each — `wg-quick up/down` without a
// shell: choose the backend (kernel, or userspace when the kernel has none), configure the
// device, then the link. `up` on a tunnel that is already there re-applies the config.
#include <memory>
#include <optional>
#include <vector>

#include "config/config.hpp"
#include "wireguard/backend.hpp"
#include "util/duration.hpp"
#include "wireguard/device.hpp"

namespace wgs::tunnel {

struct UpOptions {
  bool detach_userspace = true;  // false when `run` supervises the implementation itself
  Duration resolve_timeout{5000};
  // The monitor's re-apply: update the peer in place, so a live session survives it.
  bool keep_sessions = false;
};

struct Tunnel {
  std::unique_ptr<wireguard::Backend> backend;
  int ifindex = 0;
  std::uint32_t mtu = 0;
  std::vector<std::optional<wireguard::Endpoint>> endpoints;  // as resolved for this bring-up
};

Result<Tunnel> up(config::WireGuard const& wireguard, UpOptions const& options);

// Whether a failed `up` was refused by the system in a way that waiting does not change: the
// userspace implementation is missing or cannot be executed, the kernel refuses us netlink
// (no CAP_NET_ADMIN), or WG_BACKEND=kernel on a kernel without WireGuard. `up` and `run`
// exit 71 on these at once; anything else (a name that does not resolve yet) is worth a retry.
bool is_refused_for_good(Error const& error);

// Re-resolves the endpoints and re-applies the device and link settings to the running
// tunnel, keeping its backend (and the userspace process wgsidecar supervises).
Status reconfigure(config::WireGuard const& wireguard, Tunnel& tunnel, UpOptions const& options);

// Removes the interface (and with it its addresses and routes; a userspace implementation
// exits when its device goes). Succeeds when there is nothing to remove.
Status down(config::WireGuard const& wireguard, Duration timeout);

// The backend of an existing tunnel (for status and checks); an error when there is none.
Result<std::unique_ptr<wireguard::Backend>> attach(config::WireGuard const& wireguard);

// Polls until the first peer has a handshake, or the deadline passes.
Status wait_for_handshake(wireguard::Backend& backend, config::WireGuard const& wireguard, Duration timeout);

}  // namespace wgs::tunnel

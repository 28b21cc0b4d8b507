#include "monitor/repair.hpp"

#include <fmt/format.h>

#include "enroll/identity.hpp"
#include "log/log.hpp"
#include "netlink/rtnl.hpp"
#include "tunnel/link_setup.hpp"

namespace wgs::monitor {
namespace {

namespace rtnl = netlink::rtnl;

std::string describe(tunnel::Missing const& missing) {
  std::vector<std::string> parts;
  for (auto const& route : missing.routes) parts.push_back("route " + route.to_string());
  for (auto const& address : missing.addresses) parts.push_back("address " + address.to_string());
  if (missing.down) parts.emplace_back("link down");
  return fmt::format("{}", fmt::join(parts, ", "));
}

std::string endpoints_text(std::vector<std::optional<wireguard::Endpoint>> const& endpoints) {
  std::vector<std::string> parts;
  for (auto const& endpoint : endpoints) parts.push_back(endpoint ? endpoint->to_string() : "none");
  return fmt::format("{}", fmt::join(parts, ", "));
}

void read_peer(Result<wireguard::DeviceState> const& state, Inspection& seen) {
  if (!state) {
    seen.error = state.error().message;
    return;
  }
  seen.peer_read = true;
  if (state->peers.empty()) return;
  auto const& peer = state->peers.front();
  seen.rx_bytes = peer.rx_bytes;
  seen.tx_bytes = peer.tx_bytes;
  if (peer.last_handshake) {
    seen.handshake_age = std::chrono::duration_cast<Duration>(std::chrono::system_clock::now() - *peer.last_handshake);
  }
}

// Whether the link is there under its name and index, and what it lacks. An error: the
// link could not be looked at at all.
Status look_at_links(config::WireGuard const& wireguard, tunnel::Tunnel const& tunnel, Inspection& seen) {
  auto socket = rtnl::open();
  if (!socket) return socket.error();
  auto link = rtnl::get_link(*socket, wireguard.interface.name);
  if (!link) return link.error();
  seen.interface_present = link->has_value() && (*link)->index == tunnel.ifindex;
  if (!seen.interface_present || !seen.implementation_alive) return ok_status();
  if (auto missing = tunnel::find_missing(*socket, **link, wireguard)) seen.missing = describe(*missing);
  else seen.error = missing.error().message;
  return ok_status();
}

StepOutcome restore_links(config::WireGuard const& wireguard, tunnel::Tunnel& tunnel) {
  auto socket = rtnl::open();
  if (!socket) return {false, socket.error().message};
  auto link = rtnl::get_link(*socket, tunnel.ifindex);
  if (!link) return {false, link.error().message};
  auto missing = tunnel::find_missing(*socket, *link, wireguard);
  if (!missing) return {false, missing.error().message};
  if (missing->empty()) return {.succeeded = true, .detail = "nothing was missing", .changed_nothing = true};
  if (auto applied = tunnel::apply_link(*socket, tunnel.ifindex, wireguard, tunnel.mtu); !applied) {
    return {false, applied.error().message};
  }
  return {true, "restored " + describe(*missing)};
}

StepOutcome reapply_peer(config::WireGuard const& wireguard, tunnel::Tunnel& tunnel, bool keep_session = true) {
  auto const before = endpoints_text(tunnel.endpoints);
  if (auto done = tunnel::reconfigure(wireguard, tunnel, {.detach_userspace = false, .keep_sessions = keep_session});
      !done) {
    return {false, done.error().message};
  }
  auto const after = endpoints_text(tunnel.endpoints);
  if (before == after) return {true, fmt::format("re-applied the peer (endpoint {})", after)};
  return {true, fmt::format("the endpoint moved from {} to {}: re-applied the peer", before, after)};
}

StepOutcome recreate_interface(config::WireGuard const& wireguard, tunnel::Tunnel& tunnel) {
  if (auto removed = tunnel::down(wireguard, Duration(3000)); !removed) log::warn("{}", removed.error().message);
  tunnel.backend.reset();  // stops a userspace implementation that outlived its device
  auto fresh = tunnel::up(wireguard, {.detach_userspace = false});
  if (!fresh) return {false, fresh.error().message, true};
  tunnel = std::move(*fresh);
  return {true, fmt::format("re-created {} ({} backend, index {})", wireguard.interface.name, tunnel.backend->name(),
                            tunnel.ifindex),
          true};
}

// The hub restarted or pruned this machine: it drops the machine's handshakes and nothing
// else says so. Enrolling again is one request; the hub keeps the address when it can, and
// a renewal of a lease it still holds changes nothing. Then the peer step, whatever came of it.
StepOutcome reenroll(config::WireGuard& wireguard, tunnel::Tunnel& tunnel, enroll::Edge& edge) {
  auto const before = wireguard.interface.addresses;
  auto const attempt = edge.enroll(enroll::required_deadline);
  if (attempt.outcome != enroll::Outcome::enrolled) {
    auto peer = reapply_peer(wireguard, tunnel);
    return {peer.succeeded, fmt::format("enrolling again failed ({}); {}", attempt.detail, peer.detail)};
  }
  edge.apply_lease(wireguard);
  if (wireguard.interface.addresses != before) {
    if (auto socket = rtnl::open()) {
      for (auto const& old : before) rtnl::delete_address(*socket, tunnel.ifindex, old);
    }
  }
  // A hub that had forgotten this machine cannot read its old session: drop it, so the next
  // packet starts a handshake instead of WireGuard waiting 15 s for an answer first.
  bool const new_peer = edge.lease().new_peer;
  auto peer = reapply_peer(wireguard, tunnel, !new_peer);
  return {peer.succeeded, fmt::format("{}{}; {}", attempt.detail, new_peer ? " (the hub had forgotten it: a new session)" : "",
                                      peer.detail)};
}

}  // namespace

std::optional<Step> Inspection::damage_step() const {
  if (!interface_present || !implementation_alive) return Step::interface;
  if (!missing.empty()) return Step::links;
  return std::nullopt;
}

std::string Inspection::damage() const {
  // Deleting the interface ends a userspace implementation and killing it removes the
  // interface: say what is seen, not which came first.
  if (!interface_present && !implementation_alive) return "the interface is gone and its userspace implementation has exited";
  if (!implementation_alive) return "the userspace implementation has exited";
  if (!interface_present) return "the interface is gone";
  if (!missing.empty()) return "missing from the link: " + missing;
  return {};
}

// What the backend alone tells: whether there is one (a re-creation that failed half-way left
// none) and whether its implementation still runs.
Inspection backend_seen(tunnel::Tunnel const& tunnel) {
  Inspection seen;
  seen.interface_present = tunnel.backend != nullptr;
  seen.implementation_alive = tunnel.backend && tunnel.backend->is_alive();
  return seen;
}

std::function<Inspection()> ask_peer(tunnel::Tunnel& tunnel) {
  auto seen = backend_seen(tunnel);
  if (!seen.implementation_alive) return [seen] { return seen; };
  return [seen, answer = tunnel.backend->ask()]() mutable {
    read_peer(answer(), seen);
    return seen;
  };
}

Inspection inspect_link(config::WireGuard const& wireguard, tunnel::Tunnel& tunnel) {
  auto seen = backend_seen(tunnel);
  if (!tunnel.backend) return seen;
  if (auto links = look_at_links(wireguard, tunnel, seen); !links) seen.error = links.error().message;
  return seen;
}

Inspection with_peer(Inspection link, Inspection const& peer) {
  link.implementation_alive = link.implementation_alive && peer.implementation_alive;
  link.handshake_age = peer.handshake_age;
  link.rx_bytes = peer.rx_bytes;
  link.tx_bytes = peer.tx_bytes;
  link.peer_read = peer.peer_read;
  if (link.error.empty()) link.error = peer.error;
  return link;
}

StepOutcome take_step(Step step, config::WireGuard& wireguard, tunnel::Tunnel& tunnel, enroll::Edge* edge) {
  if (!tunnel.backend) step = Step::interface;  // an earlier re-creation failed half-way
  switch (step) {
    case Step::links: return restore_links(wireguard, tunnel);
    case Step::peer: return reapply_peer(wireguard, tunnel);
    case Step::enroll: return edge != nullptr ? reenroll(wireguard, tunnel, *edge) : reapply_peer(wireguard, tunnel);
    case Step::interface: return recreate_interface(wireguard, tunnel);
  }
  return {false, "unknown step"};
}

}  // namespace wgs::monitor

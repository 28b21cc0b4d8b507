#pragma once
// The link side of bringing the tunnel up, as wg-quick does it after `wg setconf`: the
// addresses, the MTU, the link up, and a route for every allowed-IPs prefix the
// addresses do not already cover. Also the check the monitor uses to find what is missing.
#include <vector>

#include "config/config.hpp"
#include "netlink/rtnl.hpp"
#include "wireguard/device.hpp"

namespace wgs::tunnel {

// The MTU to set: WG_MTU when fixed; otherwise the route MTU towards the endpoints minus 80.
Result<std::uint32_t> choose_mtu(netlink::Socket& rtnl, config::Interface const& iface,
                                 std::vector<std::optional<wireguard::Endpoint>> const& endpoints);

Status apply_link(netlink::Socket& rtnl, int index, config::WireGuard const& wireguard, std::uint32_t mtu);

struct Missing {
  std::vector<net::Prefix> addresses;
  std::vector<net::Prefix> routes;
  bool down = false;
  bool empty() const { return addresses.empty() && routes.empty() && !down; }
};

// What apply_link would add again to `link` (addresses, routes, the up flag).
Result<Missing> find_missing(netlink::Socket& rtnl, netlink::rtnl::LinkInfo const& link,
                             config::WireGuard const& wireguard);

}  // namespace wgs::tunnel

#include "tunnel/link_setup.hpp"

#include <algorithm>

#include "log/log.hpp"
#include "tunnel/plan.hpp"

namespace wgs::tunnel {

namespace rtnl = netlink::rtnl;

Result<std::uint32_t> choose_mtu(netlink::Socket& socket, config::Interface const& iface,
                                 std::vector<std::optional<wireguard::Endpoint>> const& endpoints) {
  if (iface.mtu_mode == config::MtuMode::fixed) return iface.mtu;
  std::vector<net::IpAddress> ips;
  for (auto const& endpoint : endpoints) {
    if (endpoint) ips.push_back(endpoint->ip);
  }
  return rtnl::tunnel_mtu(socket, ips);
}

Status apply_link(netlink::Socket& socket, int index, config::WireGuard const& wireguard, std::uint32_t mtu) {
  for (auto const& address : wireguard.interface.addresses) {
    if (auto added = rtnl::add_address(socket, index, address); !added) return added;
  }
  if (auto set = rtnl::set_mtu(socket, index, mtu); !set) return set;
  if (auto up = rtnl::set_up(socket, index, true); !up) return up;
  for (auto const& route : routes_needed(wireguard)) {
    if (auto added = rtnl::add_route(socket, index, route); !added) return added;
  }
  return ok_status();
}

Result<Missing> find_missing(netlink::Socket& socket, rtnl::LinkInfo const& link, config::WireGuard const& wireguard) {
  Missing missing;
  missing.down = !link.is_up();
  auto addresses = rtnl::list_addresses(socket, link.index);
  if (!addresses) return addresses.error();
  for (auto const& wanted : wireguard.interface.addresses) {
    if (std::find(addresses->begin(), addresses->end(), wanted) == addresses->end()) missing.addresses.push_back(wanted);
  }
  auto routes = rtnl::list_routes(socket, link.index);
  if (!routes) return routes.error();
  for (auto const& wanted : routes_needed(wireguard)) {
    bool const present = std::any_of(routes->begin(), routes->end(),
                                     [&](auto const& route) { return route.destination == wanted; });
    if (!present) missing.routes.push_back(wanted);
  }
  return missing;
}

}  // namespace wgs::tunnel

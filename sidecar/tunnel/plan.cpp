#include "tunnel/plan.hpp"

#include <algorithm>

#include "dns/resolve.hpp"

namespace wgs::tunnel {

Result<std::vector<std::optional<wireguard::Endpoint>>> resolve_endpoints(config::WireGuard const& wireguard,
                                                                   Duration timeout) {
  std::vector<std::optional<wireguard::Endpoint>> out;
  for (auto const& peer : wireguard.peers) {
    if (!peer.endpoint) {
      out.emplace_back();
      continue;
    }
    auto addresses = dns::resolve(peer.endpoint->host, timeout);
    if (!addresses) return make_error(fmt::format("peer endpoint {}: {}", peer.endpoint->to_string(), addresses.error().message));
    out.push_back(wireguard::Endpoint{addresses->front(), peer.endpoint->port});
  }
  return out;
}

wireguard::DeviceSettings device_settings(config::WireGuard const& wireguard,
                                   std::vector<std::optional<wireguard::Endpoint>> const& endpoints) {
  wireguard::DeviceSettings settings;
  settings.private_key = &wireguard.interface.private_key;
  settings.listen_port = wireguard.interface.listen_port;
  settings.fwmark = wireguard.interface.fwmark;
  for (std::size_t i = 0; i < wireguard.peers.size(); ++i) {
    auto const& peer = wireguard.peers[i];
    wireguard::PeerSettings out;
    out.public_key = peer.public_key;
    out.preshared_key = peer.preshared_key ? &*peer.preshared_key : nullptr;
    out.endpoint = i < endpoints.size() ? endpoints[i] : std::nullopt;
    out.persistent_keepalive = peer.persistent_keepalive;
    out.allowed_ips = peer.allowed_ips;
    settings.peers.push_back(std::move(out));
  }
  return settings;
}

std::vector<net::Prefix> routes_needed(config::WireGuard const& wireguard) {
  std::vector<net::Prefix> routes;
  if (wireguard.interface.table == config::RouteTable::off) return routes;
  for (auto const& peer : wireguard.peers) {
    for (auto const& allowed : peer.allowed_ips) {
      auto const prefix = allowed.network();
      bool const connected = std::any_of(wireguard.interface.addresses.begin(), wireguard.interface.addresses.end(),
                                         [&](auto const& address) { return address.network().covers(prefix); });
      if (!connected && std::find(routes.begin(), routes.end(), prefix) == routes.end()) routes.push_back(prefix);
    }
  }
  std::stable_sort(routes.begin(), routes.end(), [](auto const& a, auto const& b) { return a.length > b.length; });
  return routes;
}

}  // namespace wgs::tunnel

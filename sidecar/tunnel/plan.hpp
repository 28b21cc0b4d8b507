#pragma once
// What bringing the tunnel up means for a given configuration, as plain data: the device
// settings for the backend (endpoints resolved) and the routes to add. Pure functions, so
// the decisions wg-quick makes are unit-tested here.
#include <optional>
#include <vector>

#include "config/config.hpp"
#include "util/duration.hpp"
#include "util/result.hpp"
#include "wireguard/device.hpp"

namespace wgs::tunnel {

// One resolved endpoint per peer (nullopt for a peer without one), names through c-ares.
Result<std::vector<std::optional<wireguard::Endpoint>>> resolve_endpoints(config::WireGuard const& wireguard,
                                                                   Duration timeout);

// Settings that point into `wireguard` for the keys: it must outlive the result.
wireguard::DeviceSettings device_settings(config::WireGuard const& wireguard,
                                   std::vector<std::optional<wireguard::Endpoint>> const& endpoints);

// Every allowed-IPs prefix not already covered by an interface address's own network (the
// seed: 10.50.0.0/24 via wg0), longest prefix first, duplicates removed — wg-quick's rule.
std::vector<net::Prefix> routes_needed(config::WireGuard const& wireguard);

// WireGuard's worst-case overhead (IPv6 outer header): wg-quick subtracts it from the
// route MTU towards the endpoint.
inline constexpr std::uint32_t wireguard_overhead = 80;
inline constexpr std::uint32_t default_underlay_mtu = 1500;

}  // namespace wgs::tunnel

#pragma once
// rtnetlink operations on a socket: what `ip link`, `ip address` and `ip route` would do,
// without running them. Links are named when created or looked up, and addressed by index
// afterwards. Errors read "what we were doing: strerror (kernel's reason)" with the errno
// in Error::code, so callers can tell EOPNOTSUPP ("no such link kind") from the rest.
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "net/address.hpp"
#include "netlink/rtnl_messages.hpp"
#include "netlink/socket.hpp"
#include "util/result.hpp"

namespace wgs::netlink::rtnl {

Result<Socket> open(Duration timeout = default_timeout);

// Links. create_link fails with code EOPNOTSUPP when the kernel does not know `kind`
// (for "wireguard": no module, time for the userspace fallback) and EEXIST when taken.
Status create_link(Socket& socket, std::string_view ifname, std::string_view kind);
Status delete_link(Socket& socket, int index);
Result<std::optional<int>> find_link(Socket& socket, std::string_view ifname);  // nullopt: no such link
Result<std::optional<LinkInfo>> get_link(Socket& socket, std::string_view ifname);
Result<LinkInfo> get_link(Socket& socket, int index);
Status set_mtu(Socket& socket, int index, std::uint32_t mtu);
Status set_up(Socket& socket, int index, bool up);

// Addresses. Adding one that is already there succeeds (idempotent, like a restart needs).
Status add_address(Socket& socket, int index, net::Prefix const& address);
Status delete_address(Socket& socket, int index, net::Prefix const& address);
Result<std::vector<net::Prefix>> list_addresses(Socket& socket, int index);  // v4 and v6

// Routes through the link without gateway. Adding an existing one succeeds.
Status add_route(Socket& socket, int index, net::Prefix const& destination, std::uint32_t table = main_table);
Status delete_route(Socket& socket, int index, net::Prefix const& destination, std::uint32_t table = main_table);
// The link's IPv4 and IPv6 routes in `table` (kernel-made ones included: check protocol).
Result<std::vector<RouteInfo>> list_routes(Socket& socket, int index, std::uint32_t table = main_table);
// "ip route get IP": the route the kernel would use, with its output link and MTU metric.
Result<RouteInfo> lookup_route(Socket& socket, net::IpAddress const& destination);

// wg-quick's MTU rule (set_mtu_up): for each endpoint the MTU of the route towards it, or
// of that route's device; the smallest wins. With no endpoint answering, the same for the
// IPv4 default route, else 1500. Minus WireGuard's worst-case overhead of 80 bytes.
inline constexpr std::uint32_t wireguard_overhead = 80;
inline constexpr std::uint32_t fallback_underlay_mtu = 1500;
Result<std::uint32_t> tunnel_mtu(Socket& socket, std::span<net::IpAddress const> endpoints);
// The rule itself, on MTUs already looked up (nullopt: the endpoint had no route).
std::uint32_t tunnel_mtu_from(std::span<std::optional<std::uint32_t> const> endpoint_mtus,
                              std::optional<std::uint32_t> default_route_mtu);

}  // namespace wgs::netlink::rtnl

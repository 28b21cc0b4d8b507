#pragma once
// rtnetlink requests and replies as pure functions on byte buffers: links, addresses and
// routes. The I/O lives in rtnl.hpp; these are what the unit tests and the fuzzer drive.
#include <linux/netlink.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "net/address.hpp"
#include "util/result.hpp"

namespace wgs::netlink::rtnl {

using Buffer = std::span<std::uint8_t>;
using Message = Result<std::span<std::uint8_t>>;  // the built request inside the buffer

inline constexpr std::uint32_t main_table = 254;  // RT_TABLE_MAIN

struct LinkInfo {
  int index = 0;
  std::string name;
  std::string kind;        // IFLA_INFO_KIND: "wireguard", "tun"... empty for plain devices
  unsigned flags = 0;      // IFF_UP, IFF_RUNNING, ...
  std::uint32_t mtu = 0;
  std::uint8_t operstate = 0;  // IF_OPER_UP, IF_OPER_DOWN, ... (RFC 2863)
  bool is_up() const;          // administratively up (IFF_UP)
};

struct AddressInfo {
  int index = 0;
  net::Prefix prefix;  // the interface's own address with its prefix length, e.g. 10.50.0.2/24
};

struct RouteInfo {
  net::Prefix destination;  // 0.0.0.0/0 or ::/0 for a default route
  int oif = 0;              // 0 when the route has no output interface (e.g. multipath)
  std::uint32_t table = 0;
  std::uint8_t protocol = 0;  // RTPROT_*
  std::uint8_t scope = 0;     // RT_SCOPE_*
  std::uint8_t type = 0;      // RTN_*
  std::optional<net::IpAddress> gateway;
  std::optional<std::uint32_t> mtu;  // RTA_METRICS / RTAX_MTU, when the route carries one
};

// Links. `kind` is an IFLA_INFO_KIND such as "wireguard".
Message build_create_link(Buffer buffer, std::string_view ifname, std::string_view kind);
Message build_delete_link(Buffer buffer, int index);
Message build_get_link(Buffer buffer, std::string_view ifname);
Message build_get_link(Buffer buffer, int index);
// RTM_NEWLINK on an existing link: MTU and/or IFF_UP, whichever is given.
Message build_set_link(Buffer buffer, int index, std::optional<std::uint32_t> mtu, std::optional<bool> up);
Result<LinkInfo> parse_link(nlmsghdr const& message);

// Addresses: RTM_NEWADDR with IFA_LOCAL and IFA_ADDRESS both set (create|excl), or RTM_DELADDR.
Message build_add_address(Buffer buffer, int index, net::Prefix const& address);
Message build_delete_address(Buffer buffer, int index, net::Prefix const& address);
Message build_dump_addresses(Buffer buffer, int family);  // AF_INET, AF_INET6 or AF_UNSPEC
Result<AddressInfo> parse_address(nlmsghdr const& message);

// Routes through a device without gateway: scope link, proto boot, unicast, in `table`.
Message build_add_route(Buffer buffer, int index, net::Prefix const& destination, std::uint32_t table = main_table);
Message build_delete_route(Buffer buffer, int index, net::Prefix const& destination,
                           std::uint32_t table = main_table);
Message build_dump_routes(Buffer buffer, int family);
// "ip route get IP": the kernel answers with the route it would use.
Message build_route_lookup(Buffer buffer, net::IpAddress const& destination);
Result<RouteInfo> parse_route(nlmsghdr const& message);

}  // namespace wgs::netlink::rtnl

#include "netlink/rtnl_messages.hpp"

#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sys/socket.h>

#include <fmt/format.h>

#include "netlink/reader.hpp"
#include "netlink/writer.hpp"

namespace wgs::netlink::rtnl {
namespace {

std::span<std::uint8_t const> address_bytes(net::IpAddress const& ip) { return {ip.bytes.data(), ip.size()}; }

std::optional<net::IpAddress> read_ip(int family, nlattr const& attribute) {
  auto const bytes = payload(attribute);
  net::IpAddress ip;
  ip.family = family;
  if ((family != AF_INET && family != AF_INET6) || bytes.size() != ip.size()) return std::nullopt;
  std::copy(bytes.begin(), bytes.end(), ip.bytes.begin());
  return ip;
}

Message build_address(Buffer buffer, std::uint16_t type, std::uint16_t flags, int index,
                      net::Prefix const& address) {
  MessageWriter writer(buffer, type, flags);
  auto* const header = writer.put_header<ifaddrmsg>();
  header->ifa_family = static_cast<std::uint8_t>(address.address.family);
  header->ifa_prefixlen = address.length;
  header->ifa_index = static_cast<std::uint32_t>(index);
  writer.put(IFA_LOCAL, address_bytes(address.address));
  writer.put(IFA_ADDRESS, address_bytes(address.address));
  return writer.finish("building an address request");
}

Message build_route(Buffer buffer, std::uint16_t type, std::uint16_t flags, int index, net::Prefix const& destination,
                    std::uint32_t table) {
  MessageWriter writer(buffer, type, flags);
  auto* const header = writer.put_header<rtmsg>();
  header->rtm_family = static_cast<std::uint8_t>(destination.address.family);
  header->rtm_dst_len = destination.length;
  header->rtm_table = static_cast<std::uint8_t>(table < 256 ? table : RT_TABLE_UNSPEC);
  if (type == RTM_NEWROUTE) {
    header->rtm_protocol = RTPROT_BOOT;
    header->rtm_scope = RT_SCOPE_LINK;  // a device route without gateway, as iproute2 sets it
    header->rtm_type = RTN_UNICAST;
  } else {
    header->rtm_scope = RT_SCOPE_NOWHERE;  // delete: match any scope and protocol
  }
  if (table >= 256) writer.put_u32(RTA_TABLE, table);
  writer.put(RTA_DST, address_bytes(destination.network().address));
  writer.put_u32(RTA_OIF, static_cast<std::uint32_t>(index));
  return writer.finish("building a route request");
}

Status read_link_info(nlattr const& nest, LinkInfo& link) {
  return for_each_nested(nest, [&](nlattr const& attribute) -> Status {
    if (type_of(attribute) == IFLA_INFO_KIND) {
      auto kind = read_string(attribute);
      if (!kind) return malformed("IFLA_INFO_KIND is not a string");
      link.kind = std::move(*kind);
    }
    return ok_status();
  });
}

Status read_metrics(nlattr const& nest, RouteInfo& route) {
  return for_each_nested(nest, [&](nlattr const& attribute) -> Status {
    if (type_of(attribute) == RTAX_MTU) {
      auto const mtu = read_as<std::uint32_t>(attribute);
      if (!mtu) return malformed("RTAX_MTU is not a u32");
      if (*mtu != 0) route.mtu = *mtu;
    }
    return ok_status();
  });
}

}  // namespace

bool LinkInfo::is_up() const { return (flags & IFF_UP) != 0; }

Message build_create_link(Buffer buffer, std::string_view ifname, std::string_view kind) {
  MessageWriter writer(buffer, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
  writer.put_header<ifinfomsg>()->ifi_family = AF_UNSPEC;
  writer.put_string(IFLA_IFNAME, ifname);
  auto* const link_info = writer.nest_start(IFLA_LINKINFO);
  writer.put_string(IFLA_INFO_KIND, kind);
  writer.nest_end(link_info);
  return writer.finish("building a create-link request");
}

Message build_delete_link(Buffer buffer, int index) {
  MessageWriter writer(buffer, RTM_DELLINK, 0);
  writer.put_header<ifinfomsg>()->ifi_index = index;
  return writer.finish("building a delete-link request");
}

Message build_get_link(Buffer buffer, std::string_view ifname) {
  MessageWriter writer(buffer, RTM_GETLINK, 0);
  writer.put_header<ifinfomsg>()->ifi_family = AF_UNSPEC;
  writer.put_string(IFLA_IFNAME, ifname);
  writer.put_u32(IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);  // keeps the reply small
  return writer.finish("building a get-link request");
}

Message build_get_link(Buffer buffer, int index) {
  MessageWriter writer(buffer, RTM_GETLINK, 0);
  writer.put_header<ifinfomsg>()->ifi_index = index;
  writer.put_u32(IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
  return writer.finish("building a get-link request");
}

Message build_set_link(Buffer buffer, int index, std::optional<std::uint32_t> mtu, std::optional<bool> up) {
  MessageWriter writer(buffer, RTM_NEWLINK, 0);
  auto* const header = writer.put_header<ifinfomsg>();
  header->ifi_index = index;
  if (up) {
    header->ifi_change = IFF_UP;
    header->ifi_flags = *up ? IFF_UP : 0;
  }
  if (mtu) writer.put_u32(IFLA_MTU, *mtu);
  return writer.finish("building a set-link request");
}

Result<LinkInfo> parse_link(nlmsghdr const& message) {
  auto const* const header = fixed_header<ifinfomsg>(message);
  if (header == nullptr) return malformed("link message shorter than struct ifinfomsg");
  LinkInfo link;
  link.index = header->ifi_index;
  link.flags = header->ifi_flags;
  auto const status = for_each_attribute(message, sizeof(ifinfomsg), [&](nlattr const& attribute) -> Status {
    switch (type_of(attribute)) {
      case IFLA_IFNAME:
        link.name = read_string(attribute).value_or("");
        return ok_status();
      case IFLA_MTU:
        link.mtu = read_as<std::uint32_t>(attribute).value_or(0);
        return ok_status();
      case IFLA_OPERSTATE:
        link.operstate = read_as<std::uint8_t>(attribute).value_or(0);
        return ok_status();
      case IFLA_LINKINFO:
        return read_link_info(attribute, link);
      default:
        return ok_status();
    }
  });
  if (!status) return status.error();
  return link;
}

Message build_add_address(Buffer buffer, int index, net::Prefix const& address) {
  return build_address(buffer, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, index, address);
}

Message build_delete_address(Buffer buffer, int index, net::Prefix const& address) {
  return build_address(buffer, RTM_DELADDR, 0, index, address);
}

Message build_dump_addresses(Buffer buffer, int family) {
  MessageWriter writer(buffer, RTM_GETADDR, 0);
  writer.put_header<ifaddrmsg>()->ifa_family = static_cast<std::uint8_t>(family);
  return writer.finish("building an address dump request");
}

Result<AddressInfo> parse_address(nlmsghdr const& message) {
  auto const* const header = fixed_header<ifaddrmsg>(message);
  if (header == nullptr) return malformed("address message shorter than struct ifaddrmsg");
  std::optional<net::IpAddress> local;
  std::optional<net::IpAddress> address;
  auto const status = for_each_attribute(message, sizeof(ifaddrmsg), [&](nlattr const& attribute) -> Status {
    // On point-to-point links IFA_ADDRESS is the peer; IFA_LOCAL is ours when present.
    if (type_of(attribute) == IFA_LOCAL) local = read_ip(header->ifa_family, attribute);
    if (type_of(attribute) == IFA_ADDRESS) address = read_ip(header->ifa_family, attribute);
    return ok_status();
  });
  if (!status) return status.error();
  auto const ip = local ? local : address;
  if (!ip) return malformed("address message without a usable IFA_LOCAL or IFA_ADDRESS");
  if (header->ifa_prefixlen > (ip->is_v4() ? 32 : 128)) return malformed("address prefix length out of range");
  return AddressInfo{static_cast<int>(header->ifa_index), net::Prefix{*ip, header->ifa_prefixlen}};
}

// A replace, not an exclusive create: the tunnel's prefixes belong on its link, and a route
// for one of them on another link (`ip route replace ... dev eth0`, or left over from an
// earlier interface) would otherwise answer EEXIST and keep the traffic away from the tunnel.
Message build_add_route(Buffer buffer, int index, net::Prefix const& destination, std::uint32_t table) {
  return build_route(buffer, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, index, destination, table);
}

Message build_delete_route(Buffer buffer, int index, net::Prefix const& destination, std::uint32_t table) {
  return build_route(buffer, RTM_DELROUTE, 0, index, destination, table);
}

Message build_dump_routes(Buffer buffer, int family) {
  MessageWriter writer(buffer, RTM_GETROUTE, 0);
  writer.put_header<rtmsg>()->rtm_family = static_cast<std::uint8_t>(family);
  return writer.finish("building a route dump request");
}

Message build_route_lookup(Buffer buffer, net::IpAddress const& destination) {
  MessageWriter writer(buffer, RTM_GETROUTE, 0);
  auto* const header = writer.put_header<rtmsg>();
  header->rtm_family = static_cast<std::uint8_t>(destination.family);
  header->rtm_dst_len = static_cast<std::uint8_t>(destination.size() * 8);
  writer.put(RTA_DST, address_bytes(destination));
  return writer.finish("building a route lookup");
}

Result<RouteInfo> parse_route(nlmsghdr const& message) {
  auto const* const header = fixed_header<rtmsg>(message);
  if (header == nullptr) return malformed("route message shorter than struct rtmsg");
  int const family = header->rtm_family;
  if (family != AF_INET && family != AF_INET6) return malformed(fmt::format("route of address family {}", family));
  RouteInfo route;
  route.destination.address.family = family;
  route.destination.length = header->rtm_dst_len;
  if (route.destination.length > route.destination.max_length()) return malformed("route prefix length out of range");
  route.table = header->rtm_table;
  route.protocol = header->rtm_protocol;
  route.scope = header->rtm_scope;
  route.type = header->rtm_type;
  auto const status = for_each_attribute(message, sizeof(rtmsg), [&](nlattr const& attribute) -> Status {
    switch (type_of(attribute)) {
      case RTA_DST:
        if (auto ip = read_ip(family, attribute)) route.destination.address = *ip;
        return ok_status();
      case RTA_OIF:
        route.oif = static_cast<int>(read_as<std::uint32_t>(attribute).value_or(0));
        return ok_status();
      case RTA_GATEWAY:
        route.gateway = read_ip(family, attribute);
        return ok_status();
      case RTA_TABLE:
        route.table = read_as<std::uint32_t>(attribute).value_or(route.table);
        return ok_status();
      case RTA_METRICS:
        return read_metrics(attribute, route);
      default:
        return ok_status();
    }
  });
  if (!status) return status.error();
  return route;
}

}  // namespace wgs::netlink::rtnl

// rtnetlink requests attribute by attribute, reply and event parsing, and wg-quick's MTU rule.
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sys/socket.h>

#include <cerrno>

#include "netlink/events.hpp"
#include "netlink/rtnl.hpp"
#include "netlink_test_support.hpp"

using namespace wgs;
using namespace wgs::netlink;
using namespace wgs::netlink::testing;

namespace {

constexpr std::uint8_t oper_up = 6;  // IF_OPER_UP: linux/if.h clashes with net/if.h

net::Prefix prefix(std::string_view text) { return *net::Prefix::parse(text); }
net::IpAddress ip(std::string_view text) { return *net::IpAddress::parse(text); }

std::span<std::uint8_t const> bytes_of(net::IpAddress const& address) { return {address.bytes.data(), address.size()}; }

}  // namespace

TEST_CASE("rtnl: create a link of a kind, delete it, look it up") {
  std::vector<std::uint8_t> buffer(1024);
  auto const create = rtnl::build_create_link(buffer, "wg0", "wireguard");
  REQUIRE(create.ok());
  auto const& header = netlink_header(*create);
  CHECK(header.nlmsg_type == RTM_NEWLINK);
  CHECK(header.nlmsg_flags == (NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL));
  CHECK(header_of<ifinfomsg>(*create).ifi_family == AF_UNSPEC);
  auto const attributes = message_attributes(header, sizeof(ifinfomsg));
  CHECK(attributes.string(IFLA_IFNAME) == "wg0");
  REQUIRE(is_nested(attributes.at(IFLA_LINKINFO)));
  CHECK(nested(attributes.at(IFLA_LINKINFO)).string(IFLA_INFO_KIND) == "wireguard");

  auto const remove = rtnl::build_delete_link(buffer, 7);
  REQUIRE(remove.ok());
  CHECK(netlink_header(*remove).nlmsg_type == RTM_DELLINK);
  CHECK(header_of<ifinfomsg>(*remove).ifi_index == 7);

  auto const get = rtnl::build_get_link(buffer, "wg0");
  REQUIRE(get.ok());
  CHECK(netlink_header(*get).nlmsg_type == RTM_GETLINK);
  CHECK(message_attributes(netlink_header(*get), sizeof(ifinfomsg)).string(IFLA_IFNAME) == "wg0");
}

TEST_CASE("rtnl: set MTU and up/down touch only what is asked") {
  std::vector<std::uint8_t> buffer(1024);
  auto const both = rtnl::build_set_link(buffer, 4, 1420u, true);
  REQUIRE(both.ok());
  CHECK(netlink_header(*both).nlmsg_type == RTM_NEWLINK);
  CHECK((netlink_header(*both).nlmsg_flags & NLM_F_CREATE) == 0);
  CHECK(header_of<ifinfomsg>(*both).ifi_index == 4);
  CHECK(header_of<ifinfomsg>(*both).ifi_flags == IFF_UP);
  CHECK(header_of<ifinfomsg>(*both).ifi_change == IFF_UP);
  CHECK(message_attributes(netlink_header(*both), sizeof(ifinfomsg)).as<std::uint32_t>(IFLA_MTU) == 1420);

  auto const down = rtnl::build_set_link(buffer, 4, std::nullopt, false);
  REQUIRE(down.ok());
  CHECK(header_of<ifinfomsg>(*down).ifi_flags == 0);
  CHECK(header_of<ifinfomsg>(*down).ifi_change == IFF_UP);
  CHECK_FALSE(message_attributes(netlink_header(*down), sizeof(ifinfomsg)).has(IFLA_MTU));

  auto const mtu_only = rtnl::build_set_link(buffer, 4, 1280u, std::nullopt);
  REQUIRE(mtu_only.ok());
  CHECK(header_of<ifinfomsg>(*mtu_only).ifi_change == 0);
}

TEST_CASE("rtnl: addresses carry IFA_LOCAL and IFA_ADDRESS, v4 and v6") {
  std::vector<std::uint8_t> buffer(1024);
  for (auto const* text : {"10.50.0.2/24", "fd00:50::2/64"}) {
    CAPTURE(text);
    auto const address = prefix(text);
    auto const add = rtnl::build_add_address(buffer, 3, address);
    REQUIRE(add.ok());
    CHECK(netlink_header(*add).nlmsg_type == RTM_NEWADDR);
    CHECK(netlink_header(*add).nlmsg_flags == (NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL));
    auto const& header = header_of<ifaddrmsg>(*add);
    CHECK(header.ifa_family == address.address.family);
    CHECK(header.ifa_prefixlen == address.length);
    CHECK(header.ifa_index == 3);
    auto const attributes = message_attributes(netlink_header(*add), sizeof(ifaddrmsg));
    CHECK(attributes.size_of(IFA_LOCAL) == address.address.size());
    CHECK(attributes.size_of(IFA_ADDRESS) == address.address.size());
    CHECK(std::equal(payload(attributes.at(IFA_LOCAL)).begin(), payload(attributes.at(IFA_LOCAL)).end(),
                     address.address.bytes.begin()));

    // The kernel's answer to a dump reads back as the same address.
    auto const parsed = rtnl::parse_address(netlink_header(*add));
    REQUIRE(parsed.ok());
    CHECK(parsed->index == 3);
    CHECK(parsed->prefix == address);
  }
}

TEST_CASE("rtnl: routes are device routes, scope link, proto boot, in the main table, replacing another link's") {
  std::vector<std::uint8_t> buffer(1024);
  auto const add = rtnl::build_add_route(buffer, 6, prefix("10.60.1.9/16"));
  REQUIRE(add.ok());
  CHECK(netlink_header(*add).nlmsg_type == RTM_NEWROUTE);
  CHECK(netlink_header(*add).nlmsg_flags == (NLM_F_REQUEST | NLM_F_CREATE | NLM_F_REPLACE));
  auto const& header = header_of<rtmsg>(*add);
  CHECK(header.rtm_family == AF_INET);
  CHECK(header.rtm_dst_len == 16);
  CHECK(header.rtm_table == RT_TABLE_MAIN);
  CHECK(header.rtm_protocol == RTPROT_BOOT);
  CHECK(header.rtm_scope == RT_SCOPE_LINK);
  CHECK(header.rtm_type == RTN_UNICAST);
  auto const attributes = message_attributes(netlink_header(*add), sizeof(rtmsg));
  CHECK(attributes.as<std::uint32_t>(RTA_OIF) == 6);
  CHECK(attributes.size_of(RTA_DST) == 4);
  auto const route = rtnl::parse_route(netlink_header(*add));
  REQUIRE(route.ok());
  CHECK(route->destination == prefix("10.60.0.0/16"));  // host bits cleared for the kernel
  CHECK(route->oif == 6);
  CHECK(route->table == RT_TABLE_MAIN);

  auto const big_table = rtnl::build_add_route(buffer, 6, prefix("::/0"), 51820);
  REQUIRE(big_table.ok());
  CHECK(header_of<rtmsg>(*big_table).rtm_table == RT_TABLE_UNSPEC);
  auto const big_attributes = message_attributes(netlink_header(*big_table), sizeof(rtmsg));
  CHECK(big_attributes.as<std::uint32_t>(RTA_TABLE) == 51820);
  CHECK(big_attributes.size_of(RTA_DST) == 16);

  auto const remove = rtnl::build_delete_route(buffer, 6, prefix("fd00::/64"));
  REQUIRE(remove.ok());
  CHECK(netlink_header(*remove).nlmsg_type == RTM_DELROUTE);
  CHECK(header_of<rtmsg>(*remove).rtm_protocol == RTPROT_UNSPEC);  // delete whatever made it
  CHECK(header_of<rtmsg>(*remove).rtm_scope == RT_SCOPE_NOWHERE);
}

TEST_CASE("rtnl: route lookup request and its answer with an MTU metric") {
  std::vector<std::uint8_t> buffer(1024);
  auto const lookup = rtnl::build_route_lookup(buffer, ip("2001:db8::9"));
  REQUIRE(lookup.ok());
  CHECK(netlink_header(*lookup).nlmsg_type == RTM_GETROUTE);
  CHECK((netlink_header(*lookup).nlmsg_flags & NLM_F_DUMP) == 0);
  CHECK(header_of<rtmsg>(*lookup).rtm_dst_len == 128);
  CHECK(message_attributes(netlink_header(*lookup), sizeof(rtmsg)).size_of(RTA_DST) == 16);

  ReplyStream reply;
  auto& writer = reply.begin(RTM_NEWROUTE, 0, 1);
  auto* const header = writer.put_header<rtmsg>();
  header->rtm_family = AF_INET;
  header->rtm_dst_len = 32;
  header->rtm_table = RT_TABLE_MAIN;
  header->rtm_type = RTN_UNICAST;
  writer.put(RTA_DST, bytes_of(ip("192.0.2.10")));
  writer.put_u32(RTA_OIF, 2);
  writer.put(RTA_GATEWAY, bytes_of(ip("192.0.2.1")));
  writer.put_u32(RTA_TABLE, RT_TABLE_MAIN);
  auto* const metrics = writer.nest_start(RTA_METRICS);
  writer.put_u32(RTAX_MTU, 1380);
  writer.nest_end(metrics);
  reply.end();
  auto const route = rtnl::parse_route(netlink_header(reply.bytes));
  REQUIRE(route.ok());
  CHECK(route->oif == 2);
  CHECK(route->mtu == std::optional<std::uint32_t>(1380));
  CHECK(route->gateway == std::optional(ip("192.0.2.1")));
  CHECK(route->destination == prefix("192.0.2.10/32"));
}

TEST_CASE("rtnl: link replies give name, kind, flags, MTU and operstate") {
  ReplyStream reply;
  auto& writer = reply.begin(RTM_NEWLINK, 0, 1);
  auto* const header = writer.put_header<ifinfomsg>();
  header->ifi_index = 9;
  header->ifi_flags = IFF_UP | IFF_RUNNING | IFF_NOARP;
  writer.put_string(IFLA_IFNAME, "wg0");
  writer.put_u32(IFLA_MTU, 1420);
  writer.put_u8(IFLA_OPERSTATE, oper_up);
  auto* const info = writer.nest_start(IFLA_LINKINFO);
  writer.put_string(IFLA_INFO_KIND, "wireguard");
  writer.nest_end(info);
  reply.end();
  auto const link = rtnl::parse_link(netlink_header(reply.bytes));
  REQUIRE(link.ok());
  CHECK(link->index == 9);
  CHECK(link->name == "wg0");
  CHECK(link->kind == "wireguard");
  CHECK(link->mtu == 1420);
  CHECK(link->is_up());
  CHECK(link->operstate == oper_up);

  auto cut = reply.bytes;
  cut.resize(NLMSG_HDRLEN + 8);  // shorter than struct ifinfomsg
  reinterpret_cast<nlmsghdr*>(cut.data())->nlmsg_len = static_cast<std::uint32_t>(cut.size());
  CHECK_FALSE(rtnl::parse_link(netlink_header(cut)).ok());
}

TEST_CASE("rtnl: wg-quick's MTU rule") {
  using Mtus = std::vector<std::optional<std::uint32_t>>;
  CHECK(rtnl::tunnel_mtu_from(Mtus{1500}, std::nullopt) == 1420);
  CHECK(rtnl::tunnel_mtu_from(Mtus{1500, 1400}, std::nullopt) == 1320);  // the smallest path wins
  CHECK(rtnl::tunnel_mtu_from(Mtus{std::nullopt, 1380}, 9001) == 1300);   // the default only without answers
  CHECK(rtnl::tunnel_mtu_from(Mtus{std::nullopt}, 9001) == 8921);
  CHECK(rtnl::tunnel_mtu_from(Mtus{}, std::nullopt) == 1420);
  CHECK(rtnl::tunnel_mtu_from(Mtus{40}, std::nullopt) == 1420);  // nonsense never wraps around
}

TEST_CASE("netlink events: link, address and route changes from one datagram") {
  ReplyStream stream;
  auto& link = stream.begin(RTM_DELLINK, 0, 0);
  link.put_header<ifinfomsg>()->ifi_index = 5;
  link.put_string(IFLA_IFNAME, "h5t0");
  stream.end();
  auto& route = stream.begin(RTM_DELROUTE, 0, 0);
  auto* const rt = route.put_header<rtmsg>();
  rt->rtm_family = AF_INET6;
  rt->rtm_dst_len = 64;
  rt->rtm_table = RT_TABLE_MAIN;
  route.put(RTA_DST, bytes_of(ip("fd00:50::")));
  route.put_u32(RTA_OIF, 5);
  stream.end();
  auto& address = stream.begin(RTM_NEWADDR, 0, 0);
  auto* const ifa = address.put_header<ifaddrmsg>();
  ifa->ifa_family = AF_INET;
  ifa->ifa_prefixlen = 24;
  ifa->ifa_index = 5;
  address.put(IFA_ADDRESS, bytes_of(ip("10.50.0.2")));
  stream.end();
  stream.begin(RTM_NEWNEIGH, 0, 0).put_header<ifinfomsg>();  // not ours: skipped
  stream.end();

  auto const events = parse_events(stream.bytes);
  REQUIRE(events.ok());
  REQUIRE(events->size() == 3);
  CHECK((*events)[0].kind == Event::Kind::link_removed);
  CHECK((*events)[0].ifindex == 5);
  CHECK((*events)[0].ifname == "h5t0");
  CHECK((*events)[1].kind == Event::Kind::route_removed);
  CHECK((*events)[1].prefix == std::optional(prefix("fd00:50::/64")));
  CHECK((*events)[1].table == RT_TABLE_MAIN);
  CHECK((*events)[2].kind == Event::Kind::address_added);
  CHECK((*events)[2].prefix == std::optional(prefix("10.50.0.2/24")));
  CHECK(std::string(to_string((*events)[2].kind)) == "address_added");

  auto cut = stream.bytes;
  cut.resize(cut.size() - 3);
  CHECK_FALSE(parse_events(cut).ok());
  for (std::size_t size = 0; size < stream.bytes.size(); ++size) {
    (void)parse_events(std::span(stream.bytes.data(), size));  // never a crash
  }
}

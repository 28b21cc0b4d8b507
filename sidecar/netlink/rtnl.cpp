#include "netlink/rtnl.hpp"

#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cerrno>

#include <fmt/format.h>

#include "netlink/writer.hpp"

namespace wgs::netlink::rtnl {
namespace {

using RequestBuffer = std::array<std::uint8_t, request_buffer_size>;

Status send(Socket& socket, Message const& message, std::string_view what, MessageHandler const& on_reply = {}) {
  if (!message) return message.error();
  return socket.request(*message, what, on_reply);
}

// EEXIST on an add means the state we want is already there.
Status allow_existing(Status status) {
  if (!status && status.error().code == EEXIST) return ok_status();
  return status;
}

// One reply message of a GET, parsed with `parse`.
template <class T, class Parse>
Result<T> get_one(Socket& socket, Message const& message, std::string_view what, Parse parse) {
  std::optional<Result<T>> reply;
  auto const status = send(socket, message, what, [&](nlmsghdr const& answer) -> Status {
    if (!reply) reply.emplace(parse(answer));
    return ok_status();
  });
  if (!status) return status.error();
  if (!reply) return make_error(fmt::format("{}: the kernel sent no answer", what), EPROTO);
  if (!*reply) return make_error(fmt::format("{}: {}", what, reply->error().message), reply->error().code);
  return std::move(**reply);
}

std::optional<std::uint32_t> route_mtu(Socket& socket, Result<RouteInfo> const& route) {
  if (!route) return std::nullopt;
  if (route->mtu) return route->mtu;
  if (route->oif == 0) return std::nullopt;
  auto const link = get_link(socket, route->oif);
  if (!link || link->mtu == 0) return std::nullopt;
  return link->mtu;
}

Result<std::optional<RouteInfo>> default_route_v4(Socket& socket) {
  RequestBuffer buffer{};
  auto const message = build_dump_routes(buffer, AF_INET);
  if (!message) return message.error();
  std::optional<RouteInfo> found;
  auto const status = socket.dump(
      *message, "reading the IPv4 routes",
      [&](nlmsghdr const& reply) -> Status {
        auto route = parse_route(reply);
        if (!route) return route.error();
        if (!found && route->table == main_table && route->destination.length == 0 && route->type == RTN_UNICAST) {
          found = std::move(*route);
        }
        return ok_status();
      },
      [&] { found.reset(); });
  if (!status) return status.error();
  return found;
}

}  // namespace

Result<Socket> open(Duration timeout) { return Socket::open(NETLINK_ROUTE, timeout); }

Status create_link(Socket& socket, std::string_view ifname, std::string_view kind) {
  RequestBuffer buffer{};
  return send(socket, build_create_link(buffer, ifname, kind),
              fmt::format("creating link {} of kind {}", ifname, kind));
}

Status delete_link(Socket& socket, int index) {
  RequestBuffer buffer{};
  return send(socket, build_delete_link(buffer, index), fmt::format("deleting link {}", index));
}

Result<std::optional<LinkInfo>> get_link(Socket& socket, std::string_view ifname) {
  RequestBuffer buffer{};
  auto link = get_one<LinkInfo>(socket, build_get_link(buffer, ifname), fmt::format("looking up link {}", ifname),
                                parse_link);
  if (!link && link.error().code == ENODEV) return std::optional<LinkInfo>();
  if (!link) return link.error();
  return std::optional<LinkInfo>(std::move(*link));
}

Result<LinkInfo> get_link(Socket& socket, int index) {
  RequestBuffer buffer{};
  return get_one<LinkInfo>(socket, build_get_link(buffer, index), fmt::format("looking up link {}", index),
                           parse_link);
}

Result<std::optional<int>> find_link(Socket& socket, std::string_view ifname) {
  auto const link = get_link(socket, ifname);
  if (!link) return link.error();
  if (!*link) return std::optional<int>();
  return std::optional<int>((*link)->index);
}

Status set_mtu(Socket& socket, int index, std::uint32_t mtu) {
  RequestBuffer buffer{};
  return send(socket, build_set_link(buffer, index, mtu, std::nullopt),
              fmt::format("setting the MTU of link {} to {}", index, mtu));
}

Status set_up(Socket& socket, int index, bool up) {
  RequestBuffer buffer{};
  return send(socket, build_set_link(buffer, index, std::nullopt, up),
              fmt::format("setting link {} {}", index, up ? "up" : "down"));
}

Status add_address(Socket& socket, int index, net::Prefix const& address) {
  RequestBuffer buffer{};
  return allow_existing(send(socket, build_add_address(buffer, index, address),
                             fmt::format("adding address {} to link {}", address.to_string(), index)));
}

Status delete_address(Socket& socket, int index, net::Prefix const& address) {
  RequestBuffer buffer{};
  return send(socket, build_delete_address(buffer, index, address),
              fmt::format("deleting address {} from link {}", address.to_string(), index));
}

Result<std::vector<net::Prefix>> list_addresses(Socket& socket, int index) {
  RequestBuffer buffer{};
  auto const message = build_dump_addresses(buffer, AF_UNSPEC);
  if (!message) return message.error();
  std::vector<net::Prefix> addresses;
  auto const status = socket.dump(
      *message, fmt::format("listing the addresses of link {}", index),
      [&](nlmsghdr const& reply) -> Status {
        auto address = parse_address(reply);
        if (!address) return address.error();
        if (address->index == index) addresses.push_back(address->prefix);
        return ok_status();
      },
      [&] { addresses.clear(); });
  if (!status) return status.error();
  return addresses;
}

Status add_route(Socket& socket, int index, net::Prefix const& destination, std::uint32_t table) {
  RequestBuffer buffer{};
  return allow_existing(send(socket, build_add_route(buffer, index, destination, table),
                             fmt::format("adding route {} via link {}", destination.to_string(), index)));
}

Status delete_route(Socket& socket, int index, net::Prefix const& destination, std::uint32_t table) {
  RequestBuffer buffer{};
  return send(socket, build_delete_route(buffer, index, destination, table),
              fmt::format("deleting route {} via link {}", destination.to_string(), index));
}

Result<std::vector<RouteInfo>> list_routes(Socket& socket, int index, std::uint32_t table) {
  std::vector<RouteInfo> routes;
  for (int const family : {AF_INET, AF_INET6}) {
    RequestBuffer buffer{};
    auto const message = build_dump_routes(buffer, family);
    if (!message) return message.error();
    std::vector<RouteInfo> found;
    auto const status = socket.dump(
        *message, fmt::format("listing the IPv{} routes of link {}", family == AF_INET ? 4 : 6, index),
        [&](nlmsghdr const& reply) -> Status {
          auto route = parse_route(reply);
          if (!route) return route.error();
          if (route->oif == index && route->table == table) found.push_back(std::move(*route));
          return ok_status();
        },
        [&] { found.clear(); });
    if (!status) return status.error();
    routes.insert(routes.end(), found.begin(), found.end());
  }
  return routes;
}

Result<RouteInfo> lookup_route(Socket& socket, net::IpAddress const& destination) {
  RequestBuffer buffer{};
  return get_one<RouteInfo>(socket, build_route_lookup(buffer, destination),
                            fmt::format("looking up the route to {}", destination.to_string()), parse_route);
}

Result<std::uint32_t> tunnel_mtu(Socket& socket, std::span<net::IpAddress const> endpoints) {
  std::vector<std::optional<std::uint32_t>> endpoint_mtus;
  for (auto const& endpoint : endpoints) {
    // Like wg-quick, an endpoint without a route simply does not vote.
    endpoint_mtus.push_back(route_mtu(socket, lookup_route(socket, endpoint)));
  }
  std::optional<std::uint32_t> default_mtu;
  if (std::none_of(endpoint_mtus.begin(), endpoint_mtus.end(), [](auto const& mtu) { return mtu.has_value(); })) {
    auto const route = default_route_v4(socket);
    if (!route) return route.error();
    if (*route) default_mtu = route_mtu(socket, **route);
  }
  return tunnel_mtu_from(endpoint_mtus, default_mtu);
}

std::uint32_t tunnel_mtu_from(std::span<std::optional<std::uint32_t> const> endpoint_mtus,
                              std::optional<std::uint32_t> default_route_mtu) {
  std::optional<std::uint32_t> smallest;
  for (auto const& mtu : endpoint_mtus) {
    if (mtu && (!smallest || *mtu < *smallest)) smallest = mtu;
  }
  auto const underlay = smallest.value_or(default_route_mtu.value_or(fallback_underlay_mtu));
  // A path MTU below the overhead is nonsense; never hand back a wrapped-around value.
  return underlay > wireguard_overhead ? underlay - wireguard_overhead : fallback_underlay_mtu - wireguard_overhead;
}

}  // namespace wgs::netlink::rtnl

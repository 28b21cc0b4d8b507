#include "netlink/events.hpp"

#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cerrno>

#include "netlink/rtnl_messages.hpp"

namespace wgs::netlink {
namespace {

// Datagrams read per read_pending() call: the rest waits for the next readiness.
constexpr int max_datagrams_per_read = 64;
// A larger receive buffer makes overflows (lost events) rarer during bursts.
constexpr int event_socket_buffer = 1 << 20;

Result<std::optional<Event>> parse_event(nlmsghdr const& message) {
  Event event;
  switch (message.nlmsg_type) {
    case RTM_NEWLINK:
    case RTM_DELLINK: {
      auto link = rtnl::parse_link(message);
      if (!link) return link.error();
      event.kind = message.nlmsg_type == RTM_NEWLINK ? Event::Kind::link_changed : Event::Kind::link_removed;
      event.ifindex = link->index;
      event.ifname = std::move(link->name);
      event.flags = link->flags;
      return std::optional(std::move(event));
    }
    case RTM_NEWADDR:
    case RTM_DELADDR: {
      auto const address = rtnl::parse_address(message);
      if (!address) return address.error();
      event.kind = message.nlmsg_type == RTM_NEWADDR ? Event::Kind::address_added : Event::Kind::address_removed;
      event.ifindex = address->index;
      event.prefix = address->prefix;
      return std::optional(std::move(event));
    }
    case RTM_NEWROUTE:
    case RTM_DELROUTE: {
      auto const route = rtnl::parse_route(message);
      if (!route) return route.error();
      event.kind = message.nlmsg_type == RTM_NEWROUTE ? Event::Kind::route_added : Event::Kind::route_removed;
      event.ifindex = route->oif;
      event.prefix = route->destination;
      event.table = route->table;
      return std::optional(std::move(event));
    }
    default:
      return std::optional<Event>();
  }
}

}  // namespace

char const* to_string(Event::Kind kind) {
  switch (kind) {
    case Event::Kind::link_changed: return "link_changed";
    case Event::Kind::link_removed: return "link_removed";
    case Event::Kind::address_added: return "address_added";
    case Event::Kind::address_removed: return "address_removed";
    case Event::Kind::route_added: return "route_added";
    case Event::Kind::route_removed: return "route_removed";
    case Event::Kind::events_lost: return "events_lost";
  }
  return "unknown";
}

Result<std::vector<Event>> parse_events(Bytes datagram) {
  std::vector<Event> events;
  auto const status = for_each_message(datagram, [&](nlmsghdr const& message) -> Status {
    auto event = parse_event(message);
    if (!event) return event.error();
    if (*event) events.push_back(std::move(**event));
    return ok_status();
  });
  if (!status) return status.error();
  return events;
}

Result<EventSubscription> EventSubscription::open() {
  unsigned const groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR | RTMGRP_IPV4_ROUTE |
                          RTMGRP_IPV6_ROUTE;
  auto socket = Socket::open(NETLINK_ROUTE, default_timeout, groups);
  if (!socket) return socket.error();
  int size = event_socket_buffer;
  ::setsockopt(socket->fd(), SOL_SOCKET, SO_RCVBUF, &size, sizeof size);  // best effort
  return EventSubscription(std::move(*socket));
}

Result<std::vector<Event>> EventSubscription::read_pending() {
  std::vector<Event> events;
  for (int count = 0; count < max_datagrams_per_read; ++count) {
    auto const datagram = socket_.receive_now();
    if (!datagram && datagram.error().code == ENOBUFS) {
      events.push_back(Event{});  // events_lost
      continue;
    }
    if (!datagram) return datagram.error();
    if (datagram->empty()) break;
    auto parsed = parse_events(*datagram);
    if (!parsed) {
      events.push_back(Event{});
      continue;
    }
    events.insert(events.end(), parsed->begin(), parsed->end());
  }
  return events;
}

}  // namespace wgs::netlink

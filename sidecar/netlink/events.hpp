#pragma once
// Link, address and route changes as the kernel announces them (rtnetlink multicast), so
// the monitor hears at once when something removes the tunnel's link or routes. The kernel
// sends no RTM_DELROUTE for routes that vanish with their link, and drops events when the
// socket buffer overflows: treat an event as a reason to re-check, not as the whole truth.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "net/address.hpp"
#include "netlink/reader.hpp"
#include "netlink/socket.hpp"
#include "util/result.hpp"

namespace wgs::netlink {

struct Event {
  enum class Kind {
    link_changed,     // RTM_NEWLINK: a link appeared or changed (flags tell up/down)
    link_removed,     // RTM_DELLINK
    address_added,    // RTM_NEWADDR
    address_removed,  // RTM_DELADDR
    route_added,      // RTM_NEWROUTE
    route_removed,    // RTM_DELROUTE
    events_lost,      // the kernel dropped events (ENOBUFS) or sent bytes we cannot read
  };
  Kind kind = Kind::events_lost;
  int ifindex = 0;                  // the link, or the route's output link (0 if none)
  std::optional<net::Prefix> prefix;  // the address or the route's destination
  std::string ifname;               // links only
  unsigned flags = 0;               // links only: IFF_UP, IFF_RUNNING, ...
  std::uint32_t table = 0;          // routes only
};

char const* to_string(Event::Kind kind);

// Every event in one datagram from the subscription; other message types are skipped.
Result<std::vector<Event>> parse_events(Bytes datagram);

// A socket joined to the link, IPv4/IPv6 address and IPv4/IPv6 route groups. Put fd() on an
// event loop (it is non-blocking) and call read_pending() when it becomes readable.
class EventSubscription {
 public:
  static Result<EventSubscription> open();
  int fd() const { return socket_.fd(); }
  // Everything queued now (bounded per call); an overflow or unreadable datagram comes back
  // as one events_lost event. Errors are only the socket's own.
  Result<std::vector<Event>> read_pending();

 private:
  explicit EventSubscription(Socket socket) : socket_(std::move(socket)) {}
  Socket socket_;
};

}  // namespace wgs::netlink

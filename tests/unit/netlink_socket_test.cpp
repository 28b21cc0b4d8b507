// The socket layer against the running kernel, read-only (no root, nothing changed): a GET
// and its ack, an absent link, a dump, and a kernel error with its extended-ack reason.
#include <net/if.h>

#include <cerrno>

#include "netlink/rtnl.hpp"

#include <doctest/doctest.h>

using namespace wgs;
using namespace wgs::netlink;

TEST_CASE("netlink socket: reads links from this kernel") {
  auto socket = rtnl::open(Duration(5000));
  REQUIRE_MESSAGE(socket.ok(), (socket.ok() ? "" : socket.error().message));
  CHECK(socket->fd() >= 0);

  auto const lo = rtnl::get_link(*socket, "lo");
  REQUIRE(lo.ok());
  REQUIRE(lo->has_value());
  CHECK((*lo)->name == "lo");
  CHECK(((*lo)->flags & IFF_LOOPBACK) != 0);
  CHECK((*lo)->mtu > 0);
  auto const by_index = rtnl::get_link(*socket, (*lo)->index);
  REQUIRE(by_index.ok());
  CHECK(by_index->name == "lo");

  auto const absent = rtnl::find_link(*socket, "h5absent0");
  REQUIRE(absent.ok());
  CHECK_FALSE(absent->has_value());

  // A dump, twice on the same socket: sequence numbers keep the replies apart.
  for (int i = 0; i < 2; ++i) CHECK(rtnl::list_addresses(*socket, (*lo)->index).ok());
}

TEST_CASE("netlink socket: a kernel refusal reads 'what we were doing: strerror'") {
  auto socket = rtnl::open();
  REQUIRE(socket.ok());
  auto const result = rtnl::get_link(*socket, 0x7ffffff0);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().code == ENODEV);
  CHECK(result.error().message.rfind("looking up link 2147483632: No such device", 0) == 0);
  // The socket is still usable afterwards.
  CHECK(rtnl::get_link(*socket, "lo").ok());
}

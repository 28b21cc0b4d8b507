// Server::start's failures name the address and the cause (binding on loopback only).
#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>

#include "health/server.hpp"

using namespace wgs;

namespace {
health::Snapshot empty_snapshot() { return {}; }
}  // namespace

TEST_CASE("health server: binds a free port, and says why it cannot bind a taken one") {
  boost::asio::io_context io;
  auto first = health::Server::start(io, net::HostPort{"127.0.0.1", 0}, empty_snapshot);
  REQUIRE(first.ok());
  auto const port = (*first)->port();
  CHECK(port != 0);

  auto second = health::Server::start(io, net::HostPort{"127.0.0.1", port}, empty_snapshot);
  REQUIRE_FALSE(second.ok());
  CHECK(second.error().message.find("health server: bind 127.0.0.1:" + std::to_string(port)) == 0);
  CHECK(second.error().code != 0);

  first.value().reset();  // the port is free again once the server is gone
  auto again = health::Server::start(io, net::HostPort{"127.0.0.1", port}, empty_snapshot);
  CHECK(again.ok());
}

TEST_CASE("health server: a name is not a listen address") {
  boost::asio::io_context io;
  auto server = health::Server::start(io, net::HostPort{"localhost", 9090}, empty_snapshot);
  REQUIRE_FALSE(server.ok());
  CHECK(server.error().message == "health server: localhost:9090 is not a numeric IP:port");
}

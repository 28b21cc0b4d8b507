// Server::start: its failures name the address and the cause, its sockets stay out of the
// app (binding on loopback only).
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include <boost/asio/io_context.hpp>

#include "health/server.hpp"

using namespace wgs;

namespace {
health::Snapshot empty_snapshot(health::Detail) { return {}; }
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

TEST_CASE("health server: a name not in /etc/hosts is refused, naming the file") {
  boost::asio::io_context io;
  auto server = health::Server::start(io, net::HostPort{"no-such-name.wgsidecar.invalid", 9090}, empty_snapshot);
  REQUIRE_FALSE(server.ok());
  CHECK(server.error().message.find("health server: no-such-name.wgsidecar.invalid is not in /etc/hosts") == 0);
}

// The app is spawned from the supervisor: a health socket without close-on-exec would live on
// in the app (and keep the port open after wgsidecar is gone).
TEST_CASE("health server: the listening socket and every accepted one are close-on-exec") {
  boost::asio::io_context io;
  auto server = health::Server::start(io, net::HostPort{"127.0.0.1", 0}, empty_snapshot);
  REQUIRE(server.ok());
  auto const port = (*server)->port();
  int const client = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(client >= 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(client, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0);
  io.run_for(std::chrono::milliseconds(100));  // accept it

  int server_sockets = 0;
  for (auto const& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    int const fd = std::stoi(entry.path().filename().string());
    sockaddr_in local{};
    socklen_t length = sizeof local;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &length) != 0 || local.sin_family != AF_INET) continue;
    if (ntohs(local.sin_port) != port) continue;  // the client's own socket has another local port
    ++server_sockets;
    CAPTURE(fd);
    CHECK((::fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0);
  }
  CHECK(server_sockets == 2);  // listening + accepted
  ::close(client);
}

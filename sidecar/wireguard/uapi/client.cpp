#include "wireguard/uapi/client.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <span>
#include <string_view>
#include <utility>

#include <fmt/format.h>
#include <sodium.h>

#include "keys/secret.hpp"
#include "wireguard/uapi/protocol.hpp"

namespace wgs::wireguard::uapi {
namespace {

using Clock = std::chrono::steady_clock;

Error system_error(std::string_view what, int code) {
  return make_error(fmt::format("{}: {}", what, std::strerror(code)), code);
}

int remaining_ms(Clock::time_point deadline) {
  auto const left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left > 0 ? static_cast<int>(left) : 0;
}

Status wait_for(int fd, short events, Clock::time_point deadline, std::string_view what) {
  while (true) {
    pollfd entry{fd, events, 0};
    int const ready = ::poll(&entry, 1, remaining_ms(deadline));
    if (ready > 0) return ok_status();
    if (ready == 0) return make_error(fmt::format("{}: no progress before the deadline", what), ETIMEDOUT);
    if (errno != EINTR) return system_error(what, errno);
  }
}

Result<Connection> connect_to(std::string const& path, Clock::time_point deadline) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof address.sun_path) return make_error("socket path is too long", ENAMETOOLONG);
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  Connection connection(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (connection.fd() < 0) return system_error("socket", errno);
  // A UNIX connect blocks only while the listener's backlog is full; SO_SNDTIMEO bounds that.
  auto const ms = std::max(remaining_ms(deadline), 1);
  timeval limit{ms / 1000, (ms % 1000) * 1000};
  ::setsockopt(connection.fd(), SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
  if (::connect(connection.fd(), reinterpret_cast<sockaddr const*>(&address), sizeof address) != 0) {
    return system_error("connect", errno);
  }
  return connection;
}

// The socket stays blocking for its connect (bounded by SO_SNDTIMEO); each send and receive
// asks not to block (MSG_DONTWAIT) and poll keeps the deadline. The monitor connects at every
// probe, and switching the socket's mode would cost two more system calls each time.
Status send_all(int fd, std::span<std::uint8_t const> bytes, Clock::time_point deadline) {
  while (!bytes.empty()) {
    auto const sent = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (sent > 0) {
      bytes = bytes.subspan(static_cast<std::size_t>(sent));
    } else if (errno == EAGAIN || errno == EINTR) {
      if (auto ready = wait_for(fd, POLLOUT, deadline, "send"); !ready) return ready;
    } else {
      return system_error("send", errno);
    }
  }
  return ok_status();
}

// The thread's reply buffer. A get reply carries the private key, so it goes to guarded
// memory; the monitor asks at every probe, and a fresh Secret each time would be an mmap,
// mprotects and an mlock of new pages: the buffer is kept, grown when a reply needs it, and
// zeroed after each reply.
Secret& reply_buffer() {
  thread_local Secret buffer(16 * 1024);
  return buffer;
}

Status grow(Secret& buffer, std::size_t used) {
  if (used > max_reply_size) return make_error(fmt::format("reply larger than {} bytes", max_reply_size), EMSGSIZE);
  Secret bigger(std::min(buffer.size() * 2, max_reply_size + 1));
  std::memcpy(bigger.bytes().data(), buffer.bytes().data(), used);
  buffer = std::move(bigger);
  return ok_status();
}

// Reads until the empty line that ends every reply; its length in `buffer`.
Result<std::size_t> receive_reply(int fd, Clock::time_point deadline, Secret& buffer) {
  std::size_t used = 0;
  while (!is_complete(buffer.text().substr(0, used))) {
    if (used == buffer.size()) {
      if (auto grown = grow(buffer, used); !grown) return grown.error();
    }
    auto const got = ::recv(fd, buffer.bytes().data() + used, buffer.size() - used, MSG_DONTWAIT);
    if (got > 0) {
      used += static_cast<std::size_t>(got);
    } else if (got == 0) {
      break;  // the parser reports the truncated reply
    } else if (errno == EAGAIN || errno == EINTR) {
      if (auto ready = wait_for(fd, POLLIN, deadline, "receive"); !ready) return ready.error();
    } else {
      return system_error("receive", errno);
    }
  }
  return used;
}

// The interface name becomes a file name: refuse anything that could leave the directory.
Status check_ifname(std::string const& ifname) {
  bool const fits = !ifname.empty() && ifname.size() < 16 && ifname != "." && ifname != "..";
  if (!fits || ifname.find('/') != std::string::npos) return make_error("not a valid interface name", EINVAL);
  return ok_status();
}

// The reply on `fd`, which `parse` reads in place: Result<T> parse(std::string_view).
template <class Parse>
auto read_reply(int fd, Clock::time_point deadline, Parse parse) -> decltype(parse(std::string_view())) {
  auto& buffer = reply_buffer();
  auto used = receive_reply(fd, deadline, buffer);
  if (!used) return used.error();
  auto parsed = parse(buffer.text().substr(0, *used));
  sodium_memzero(buffer.bytes().data(), *used);
  return parsed;
}

// A connection with `request` sent on it.
Result<Connection> send_request(std::string const& path, std::span<std::uint8_t const> request,
                                Clock::time_point deadline) {
  auto connection = connect_to(path, deadline);
  if (!connection) return connection.error();
  if (auto sent = send_all(connection->fd(), request, deadline); !sent) return sent.error();
  return connection;
}

// One request and its reply.
template <class Parse>
auto exchange(std::string const& path, std::span<std::uint8_t const> request, Duration timeout, Parse parse)
    -> decltype(parse(std::string_view())) {
  auto const deadline = Clock::now() + timeout;
  auto connection = send_request(path, request, deadline);
  if (!connection) return connection.error();
  return read_reply(connection->fd(), deadline, parse);
}

Error with_context(std::string_view doing, std::string const& ifname, Error const& error) {
  return make_error(fmt::format("{} {} over {}: {}", doing, ifname, socket_path(ifname), error.message), error.code);
}

}  // namespace

std::string socket_path(std::string const& ifname) { return fmt::format("/var/run/wireguard/{}.sock", ifname); }

Status set_device(std::string const& ifname, wireguard::DeviceSettings const& settings, Duration timeout) {
  if (auto valid = check_ifname(ifname); !valid) return with_context("configuring", ifname, valid.error());
  auto const request = encode_set(settings);
  auto const done = exchange(socket_path(ifname), request.bytes(), timeout, parse_set_reply);
  if (!done) return with_context("configuring", ifname, done.error());
  return ok_status();
}

Result<wireguard::DeviceState> get_device(std::string const& ifname, Duration timeout) {
  auto pending = ask_device(ifname, timeout);
  if (!pending) return pending.error();
  return pending->reply();
}

Connection::~Connection() {
  if (fd_ >= 0) ::close(fd_);
}

Result<PendingGet> ask_device(std::string const& ifname, Duration timeout) {
  if (auto valid = check_ifname(ifname); !valid) return with_context("reading", ifname, valid.error());
  auto const deadline = Clock::now() + timeout;
  auto const request = get_request;
  auto connection = send_request(socket_path(ifname),
                                 {reinterpret_cast<std::uint8_t const*>(request.data()), request.size()}, deadline);
  if (!connection) return with_context("reading", ifname, connection.error());
  return PendingGet(std::move(*connection), deadline, ifname);
}

PendingGet::PendingGet(Connection connection, Clock::time_point deadline, std::string ifname)
    : connection_(std::move(connection)), deadline_(deadline), ifname_(std::move(ifname)) {}

Result<wireguard::DeviceState> PendingGet::reply() {
  if (connection_.fd() < 0) return with_context("reading", ifname_, make_error("the reply was read already", EBADF));
  Connection const connection(connection_.release());
  auto state = read_reply(connection.fd(), deadline_, parse_get);
  if (!state) return with_context("reading", ifname_, state.error());
  return state;
}

bool socket_accepts(std::string const& ifname) {
  return check_ifname(ifname).ok() && connect_to(socket_path(ifname), Clock::now() + Duration(500)).ok();
}

}  // namespace wgs::wireguard::uapi

#include "netlink/socket.hpp"

#include <poll.h>
#include <sodium.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <utility>

#include <fmt/format.h>

namespace wgs::netlink {
namespace {

using Clock = std::chrono::steady_clock;

Error system_error(std::string_view what, int code) {
  return make_error(fmt::format("{}: {}", what, std::strerror(code)), code);
}

// Extended acks give the kernel's reason ("Unknown device type"); capped acks keep the
// kernel from echoing our request (which may hold a key) back into our buffer.
void enable_ack_options(int socket) {
  int on = 1;
  ::setsockopt(socket, SOL_NETLINK, NETLINK_EXT_ACK, &on, sizeof on);
  ::setsockopt(socket, SOL_NETLINK, NETLINK_CAP_ACK, &on, sizeof on);
}

// Waits until the socket is readable or the deadline passes.
Status wait_readable(int fd, Clock::time_point deadline, std::string_view what, Duration timeout) {
  for (;;) {
    auto const left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      return make_error(fmt::format("{}: no reply from the kernel within {}", what, format_duration(timeout)),
                        ETIMEDOUT);
    }
    pollfd entry{fd, POLLIN, 0};
    int const ready = ::poll(&entry, 1, static_cast<int>(left.count()));
    if (ready > 0) return ok_status();
    if (ready < 0 && errno != EINTR) return system_error(what, errno);
  }
}

// One datagram, non-blocking: its size, 0 when nothing is queued, -1 with errno set.
// Datagrams not sent by the kernel (port 0) are dropped, so no other process can answer
// in its name; a datagram larger than the buffer is an error (ENOSPC), not truncated data.
ssize_t receive_datagram(int fd, std::span<std::uint8_t> buffer) {
  for (;;) {
    sockaddr_nl from{};
    iovec io{buffer.data(), buffer.size()};
    msghdr header{};
    header.msg_name = &from;
    header.msg_namelen = sizeof from;
    header.msg_iov = &io;
    header.msg_iovlen = 1;
    ssize_t const received = ::recvmsg(fd, &header, MSG_DONTWAIT);
    if (received < 0 && errno == EINTR) continue;
    if (received < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return 0;
    if (received < 0) return -1;
    if ((header.msg_flags & MSG_TRUNC) != 0) {
      errno = ENOSPC;
      return -1;
    }
    if (from.nl_pid != 0) continue;
    return received;
  }
}

// A bound socket with our options and the port id the kernel gave it; -1 with errno kept in
// `code` on failure.
int open_bound(int bus, unsigned groups, std::uint32_t& port_id, int& code) {
  int const socket = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, bus);
  if (socket < 0) {
    code = errno;
    return -1;
  }
  sockaddr_nl address{};
  address.nl_family = AF_NETLINK;
  address.nl_groups = groups;
  socklen_t length = sizeof address;
  if (::bind(socket, reinterpret_cast<sockaddr*>(&address), sizeof address) < 0 ||
      ::getsockname(socket, reinterpret_cast<sockaddr*>(&address), &length) < 0) {
    code = errno;
    ::close(socket);
    return -1;
  }
  port_id = address.nl_pid;
  enable_ack_options(socket);
  return socket;
}

}  // namespace

Result<Socket> Socket::open(int bus, Duration timeout, unsigned groups) {
  int code = 0;
  std::uint32_t port_id = 0;
  int const socket = open_bound(bus, groups, port_id, code);
  if (socket < 0) return system_error("opening a netlink socket", code);
  return Socket(socket, port_id, bus, timeout);
}

// After an exchange that ended early (timeout, a parse error mid-dump) the kernel may still
// be producing the old dump, and a new dump on the same socket would get EBUSY: start over
// on a fresh socket instead of draining.
Status Socket::reopen_if_abandoned(std::string_view what) {
  if (!abandoned_) return ok_status();
  int code = 0;
  std::uint32_t port_id = 0;
  int const socket = open_bound(bus_, 0, port_id, code);
  if (socket < 0) return system_error(what, code);
  ::close(socket_);
  socket_ = socket;
  port_id_ = port_id;
  abandoned_ = false;
  return ok_status();
}

Socket::Socket(int socket, std::uint32_t port_id, int bus, Duration timeout)
    : socket_(socket), port_id_(port_id), bus_(bus), timeout_(timeout), seq_(static_cast<std::uint32_t>(std::time(nullptr))),
      buffer_(receive_buffer_size) {}

Socket::~Socket() { close(); }

Socket::Socket(Socket&& other) noexcept
    : socket_(std::exchange(other.socket_, -1)), port_id_(other.port_id_), bus_(other.bus_), timeout_(other.timeout_), seq_(other.seq_),
      abandoned_(other.abandoned_), buffer_(std::move(other.buffer_)) {}

Socket& Socket::operator=(Socket&& other) noexcept {
  if (this != &other) {
    close();
    socket_ = std::exchange(other.socket_, -1);
    port_id_ = other.port_id_;
    bus_ = other.bus_;
    abandoned_ = other.abandoned_;
    timeout_ = other.timeout_;
    seq_ = other.seq_;
    buffer_ = std::move(other.buffer_);
  }
  return *this;
}

void Socket::close() noexcept {
  if (socket_ >= 0) ::close(socket_);
  socket_ = -1;
  if (!buffer_.empty()) sodium_memzero(buffer_.data(), buffer_.size());
}

int Socket::fd() const { return socket_; }

std::uint32_t Socket::port_id() const { return port_id_; }

Status Socket::send(std::span<std::uint8_t const> message, std::string_view what) {
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  auto const sent = ::sendto(socket_, message.data(), message.size(), 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel);
  if (sent < 0) return system_error(what, errno);
  if (static_cast<std::size_t>(sent) != message.size()) return make_error(fmt::format("{}: short send", what), EIO);
  return ok_status();
}

// One request and its replies up to the ack or NLMSG_DONE; Ok(true) when a dump was
// interrupted by a change. The receive buffer is wiped after every datagram.
Result<bool> Socket::exchange(std::span<std::uint8_t> message, std::string_view what,
                              MessageHandler const& on_message) {
  if (auto status = reopen_if_abandoned(what); !status) return status.error();
  auto* const header = reinterpret_cast<nlmsghdr*>(message.data());
  header->nlmsg_seq = ++seq_;
  header->nlmsg_pid = 0;
  if (auto status = send(message, what); !status) return status.error();

  ReplyReader reader(header->nlmsg_seq, port_id(), on_message);
  auto const status = receive_replies(reader, what);
  // Ended before the kernel's last word (timeout, parse error): replies may still come.
  if (!reader.finished()) abandoned_ = true;
  if (!status) return status.error();
  return reader.interrupted();
}

Status Socket::receive_replies(ReplyReader& reader, std::string_view what) {
  auto const deadline = Clock::now() + timeout_;
  std::size_t total = 0;
  while (!reader.finished()) {
    // The kernel answers most requests before the send returns: read first, wait only when
    // nothing is queued yet.
    auto const received = receive_datagram(fd(), buffer_);
    if (received < 0) return system_error(what, errno);  // ENOSPC: a message larger than our buffer
    if (received == 0) {
      if (auto status = wait_readable(fd(), deadline, what, timeout_); !status) return status;
      continue;
    }
    total += static_cast<std::size_t>(received);
    auto const fed = reader.feed(Bytes(buffer_.data(), static_cast<std::size_t>(received)));
    sodium_memzero(buffer_.data(), static_cast<std::size_t>(received));
    if (!fed) return make_error(fmt::format("{}: {}", what, fed.error().message), fed.error().code);
    if (total > max_dump_bytes) {
      return make_error(fmt::format("{}: the reply exceeds {} MiB", what, max_dump_bytes >> 20), EMSGSIZE);
    }
  }
  return ok_status();
}

Status Socket::request(std::span<std::uint8_t> message, std::string_view what, MessageHandler const& on_reply) {
  auto* const header = reinterpret_cast<nlmsghdr*>(message.data());
  header->nlmsg_flags |= NLM_F_ACK;
  auto const result = exchange(message, what, on_reply);
  if (!result) return result.error();
  return ok_status();
}

Status Socket::dump(std::span<std::uint8_t> message, std::string_view what, MessageHandler const& on_message,
                    std::function<void()> const& on_restart) {
  auto* const header = reinterpret_cast<nlmsghdr*>(message.data());
  header->nlmsg_flags |= NLM_F_DUMP;
  for (int attempt = 1; attempt <= max_dump_attempts; ++attempt) {
    auto const interrupted = exchange(message, what, on_message);
    if (!interrupted) return interrupted.error();
    if (!*interrupted) return ok_status();
    if (on_restart) on_restart();
  }
  return make_error(fmt::format("{}: the data kept changing during {} dumps", what, max_dump_attempts), EINTR);
}

Result<Bytes> Socket::receive_now() {
  auto const received = receive_datagram(fd(), buffer_);
  if (received < 0) return system_error("reading netlink events", errno);
  return Bytes(buffer_.data(), static_cast<std::size_t>(received));
}

}  // namespace wgs::netlink

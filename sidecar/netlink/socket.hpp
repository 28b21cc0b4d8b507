#pragma once
// One netlink socket, closed when destroyed. Requests wait for their ack, dumps
// for NLMSG_DONE; every wait polls with the socket's deadline, and every reply lands in a
// fixed buffer that is zeroed after use (WireGuard dumps carry keys). Not thread-safe: one
// owner, one request at a time.
#include <cstdint>
#include <functional>
#include <span>
#include <string_view>
#include <vector>

#include "netlink/reader.hpp"
#include "util/duration.hpp"
#include "util/result.hpp"


namespace wgs::netlink {

// The kernel fills a dump message up to our receive size, capped at 32 KiB.
inline constexpr std::size_t receive_buffer_size = 32 * 1024;
// Upper bound on one whole dump: a reply larger than this is refused, not buffered.
inline constexpr std::size_t max_dump_bytes = 16 * 1024 * 1024;
// How often a dump is redone when the kernel says the data changed under it.
inline constexpr int max_dump_attempts = 5;
inline constexpr Duration default_timeout{5000};

class Socket {
 public:
  // bus: NETLINK_ROUTE or NETLINK_GENERIC; groups: multicast groups to join (RTMGRP_*).
  static Result<Socket> open(int bus, Duration timeout = default_timeout, unsigned groups = 0);
  ~Socket();
  Socket(Socket&& other) noexcept;
  Socket& operator=(Socket&& other) noexcept;
  Socket(Socket const&) = delete;
  Socket& operator=(Socket const&) = delete;

  // A request socket's fd changes when an exchange ended early (timeout, parse error) and
  // the socket was replaced; a subscription's never does (it makes no requests).
  int fd() const;
  std::uint32_t port_id() const;
  Duration timeout() const { return timeout_; }

  // Sends `message` (NLM_F_ACK added, sequence number set) and waits for the ack; data
  // replies before it (a GET's answer) go to on_reply. Errors read "what: strerror".
  Status request(std::span<std::uint8_t> message, std::string_view what, MessageHandler const& on_reply = {});

  // Sends `message` with NLM_F_DUMP and hands every reply to on_message until NLMSG_DONE.
  // When the kernel flags the dump inconsistent (NLM_F_DUMP_INTR) it calls on_restart, so
  // the caller drops what it gathered, and dumps again (at most max_dump_attempts times).
  Status dump(std::span<std::uint8_t> message, std::string_view what, MessageHandler const& on_message,
              std::function<void()> const& on_restart);

  // For subscriptions: the next queued datagram, without waiting (an empty span when none).
  // It lives in the socket's buffer until the next call. ENOBUFS means the kernel dropped
  // events: the caller must re-read its state.
  Result<Bytes> receive_now();

 private:
  Socket(int socket, std::uint32_t port_id, int bus, Duration timeout);
  Result<bool> exchange(std::span<std::uint8_t> message, std::string_view what, MessageHandler const& on_message);
  Status receive_replies(ReplyReader& reader, std::string_view what);
  Status reopen_if_abandoned(std::string_view what);
  Status send(std::span<std::uint8_t const> message, std::string_view what);
  void close() noexcept;

  int socket_ = -1;
  std::uint32_t port_id_ = 0;
  int bus_ = 0;
  Duration timeout_;
  std::uint32_t seq_ = 0;
  bool abandoned_ = false;  // an exchange ended early: use a fresh socket for the next
  std::vector<std::uint8_t> buffer_;
};

}  // namespace wgs::netlink

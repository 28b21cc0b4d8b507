#pragma once
// Reading netlink bytes that come from outside the process: message framing, attributes
// and the replies to one request. Everything here is pure (bytes in, values out) and strict:
// a length that runs past its container is an error, never a read past the end, so the
// parsers built on it can be fuzzed without a kernel.
#include <linux/netlink.h>

#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <span>
#include <string>

#include "util/result.hpp"

namespace wgs::netlink {

using Bytes = std::span<std::uint8_t const>;
using MessageHandler = std::function<Status(nlmsghdr const&)>;
using AttributeHandler = std::function<Status(nlattr const&)>;

// The payload after the netlink header, and the fixed family header at its start
// (nullptr when the message is too short to hold one).
Bytes payload(nlmsghdr const& message);
template <class Header>
Header const* fixed_header(nlmsghdr const& message) {
  return payload(message).size() < sizeof(Header) ? nullptr
                                                  : reinterpret_cast<Header const*>(payload(message).data());
}

// Walks the attributes in `bytes`, or those after a fixed header of `header_size` bytes.
// Trailing bytes that cannot hold an attribute, or one that overruns, fail with EBADMSG.
Status for_each_attribute(Bytes bytes, AttributeHandler const& on_attribute);
Status for_each_attribute(nlmsghdr const& message, std::size_t header_size, AttributeHandler const& on_attribute);
Status for_each_nested(nlattr const& nest, AttributeHandler const& on_attribute);

std::uint16_t type_of(nlattr const& attribute);  // without NLA_F_NESTED / NLA_F_NET_BYTEORDER
Bytes payload(nlattr const& attribute);

// An attribute read as T when its payload is exactly sizeof(T) bytes.
template <class T>
std::optional<T> read_as(nlattr const& attribute) {
  auto const bytes = payload(attribute);
  if (bytes.size() != sizeof(T)) return std::nullopt;
  T value;
  std::memcpy(&value, bytes.data(), sizeof(T));
  return value;
}
// A NUL-terminated string attribute (nullopt without a NUL inside the payload).
std::optional<std::string> read_string(nlattr const& attribute);

Error malformed(std::string_view what);  // EBADMSG with "malformed netlink data: what"

// Every message in one datagram, in order. Framing errors fail with EBADMSG.
Status for_each_message(Bytes datagram, MessageHandler const& on_message);

// The replies to one request, datagram by datagram. Messages for another sequence number
// or port (late replies to a request that timed out) are skipped. NLMSG_ERROR with an
// errno becomes an Error of "strerror (the kernel's extended ack text)"; the ack or
// NLMSG_DONE finishes the exchange; every other message goes to on_message.
class ReplyReader {
 public:
  ReplyReader(std::uint32_t seq, std::uint32_t port_id, MessageHandler on_message);

  // Ok(true) once the exchange is finished.
  Result<bool> feed(Bytes datagram);
  // The kernel's last word (ack, error reply or NLMSG_DONE) has arrived.
  bool finished() const { return finished_; }
  // The kernel set NLM_F_DUMP_INTR: the dump saw the data change and must be redone.
  bool interrupted() const { return interrupted_; }

 private:
  Status on_reply(nlmsghdr const& message);
  std::uint32_t seq_;
  std::uint32_t port_id_;
  MessageHandler on_message_;
  bool interrupted_ = false;
  bool finished_ = false;
};

}  // namespace wgs::netlink

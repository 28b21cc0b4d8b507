#pragma once
// Helpers for the netlink tests: read back the attributes a builder wrote, and write reply
// streams the way the kernel would, so parsers are tested without a kernel.
#include <linux/netlink.h>

#include <cstdint>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "netlink/reader.hpp"
#include "netlink/writer.hpp"

namespace wgs::netlink::testing {

// Attributes at one level, by type (the last one wins when a type repeats; lists use list_of).
struct Attributes {
  std::map<std::uint16_t, nlattr const*> by_type;
  std::vector<nlattr const*> in_order;

  bool has(std::uint16_t type) const { return by_type.count(type) != 0; }
  nlattr const& at(std::uint16_t type) const {
    REQUIRE_MESSAGE(has(type), "attribute ", type, " missing");
    return *by_type.at(type);
  }
  template <class T>
  T as(std::uint16_t type) const {
    auto const value = read_as<T>(at(type));
    REQUIRE_MESSAGE(value.has_value(), "attribute ", type, " has the wrong size");
    return *value;
  }
  std::string string(std::uint16_t type) const { return read_string(at(type)).value_or("<not a string>"); }
  std::size_t size_of(std::uint16_t type) const { return payload(at(type)).size(); }
};

inline Attributes read_attributes(Bytes bytes) {
  Attributes out;
  auto const status = for_each_attribute(bytes, [&](nlattr const& attribute) -> Status {
    out.by_type[type_of(attribute)] = &attribute;
    out.in_order.push_back(&attribute);
    return ok_status();
  });
  REQUIRE_MESSAGE(status.ok(), (status.ok() ? "" : status.error().message));
  return out;
}

inline Attributes message_attributes(nlmsghdr const& message, std::size_t header_size) {
  auto const body = payload(message);
  REQUIRE(body.size() >= header_size);
  return read_attributes(body.subspan(NLMSG_ALIGN(header_size)));
}

inline Attributes nested(nlattr const& nest) { return read_attributes(payload(nest)); }

inline bool is_nested(nlattr const& attribute) { return (attribute.nla_type & NLA_F_NESTED) != 0; }

template <class Header>
Header const& header_of(std::span<std::uint8_t const> message) {
  REQUIRE(message.size() >= NLMSG_HDRLEN + sizeof(Header));
  return *reinterpret_cast<Header const*>(message.data() + NLMSG_HDRLEN);
}

inline nlmsghdr const& netlink_header(std::span<std::uint8_t const> message) {
  REQUIRE(message.size() >= sizeof(nlmsghdr));
  return *reinterpret_cast<nlmsghdr const*>(message.data());
}

// Reply messages back to back, as one or more datagrams from the kernel would carry them.
class ReplyStream {
 public:
  MessageWriter& begin(std::uint16_t type, std::uint16_t flags, std::uint32_t seq) {
    chunk_.assign(64 * 1024, 0);
    writer_.emplace(chunk_, type, 0);
    writer_->header()->nlmsg_flags = flags;
    writer_->header()->nlmsg_seq = seq;
    return *writer_;
  }
  void end() {
    REQUIRE_FALSE(writer_->full());
    auto const size = NLMSG_ALIGN(writer_->size());
    bytes.insert(bytes.end(), chunk_.begin(), chunk_.begin() + static_cast<std::ptrdiff_t>(size));
    writer_.reset();
  }
  void done(std::uint32_t seq, int error = 0, std::uint16_t flags = NLM_F_MULTI) {
    auto& writer = begin(NLMSG_DONE, flags, seq);
    *writer.put_header<int>() = error;
    end();
  }
  // NLMSG_ERROR; error 0 is the ack.
  void error(std::uint32_t seq, int error, std::string const& kernel_text = {}) {
    auto& writer = begin(NLMSG_ERROR, kernel_text.empty() ? NLM_F_CAPPED : NLM_F_CAPPED | NLM_F_ACK_TLVS, seq);
    auto* const body = writer.put_header<nlmsgerr>();
    body->error = error;
    body->msg.nlmsg_len = 64;  // the request's length; capped, so not echoed
    body->msg.nlmsg_seq = seq;
    if (!kernel_text.empty()) writer.put_string(NLMSGERR_ATTR_MSG, kernel_text);
    end();
  }

  std::vector<std::uint8_t> bytes;

 private:
  std::vector<std::uint8_t> chunk_;
  std::optional<MessageWriter> writer_;
};

}  // namespace wgs::netlink::testing

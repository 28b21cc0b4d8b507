#pragma once
// Netlink framing on a caller's buffer: message headers, attributes and nests, aligned as
// the kernel expects (linux/netlink.h). Debian ships libmnl only as a shared library, and a
// static wgsidecar cannot use it; these few functions are all of it we need.
#include <linux/netlink.h>

#include <cstdint>
#include <cstring>

namespace wgs::netlink::framing {

inline std::uint8_t* tail(nlmsghdr* header) { return reinterpret_cast<std::uint8_t*>(header) + header->nlmsg_len; }

// A zeroed header occupying the start of `buffer` (which must hold NLMSG_HDRLEN bytes).
inline nlmsghdr* put_header(std::uint8_t* buffer) {
  std::memset(buffer, 0, NLMSG_HDRLEN);
  auto* const header = reinterpret_cast<nlmsghdr*>(buffer);
  header->nlmsg_len = NLMSG_HDRLEN;
  return header;
}

// The family header after the netlink header (ifinfomsg, genlmsghdr, ...), zeroed.
inline void* put_extra_header(nlmsghdr* header, std::size_t size) {
  auto* const start = tail(header);
  std::memset(start, 0, NLMSG_ALIGN(size));
  header->nlmsg_len += static_cast<std::uint32_t>(NLMSG_ALIGN(size));
  return start;
}

// Appends an attribute if it fits in `capacity` bytes of message; false (nothing written) if not.
inline bool put_attribute(nlmsghdr* header, std::size_t capacity, std::uint16_t type, std::size_t length,
                          void const* data) {
  std::size_t const attribute_length = NLA_HDRLEN + length;
  if (attribute_length > 0xffff || header->nlmsg_len + NLA_ALIGN(attribute_length) > capacity) return false;
  auto* const attribute = reinterpret_cast<nlattr*>(tail(header));
  attribute->nla_type = type;
  attribute->nla_len = static_cast<std::uint16_t>(attribute_length);
  auto* const payload = reinterpret_cast<std::uint8_t*>(attribute) + NLA_HDRLEN;
  if (length > 0) std::memcpy(payload, data, length);
  std::memset(payload + length, 0, NLA_ALIGN(attribute_length) - attribute_length);
  header->nlmsg_len += static_cast<std::uint32_t>(NLA_ALIGN(attribute_length));
  return true;
}

// Opens a nested attribute (NLA_F_NESTED set, as the kernel's strict parsers want); nullptr
// when even its header does not fit.
inline nlattr* nest_start(nlmsghdr* header, std::size_t capacity, std::uint16_t type) {
  if (header->nlmsg_len + NLA_HDRLEN > capacity) return nullptr;
  auto* const nest = reinterpret_cast<nlattr*>(tail(header));
  nest->nla_type = static_cast<std::uint16_t>(type | NLA_F_NESTED);
  nest->nla_len = NLA_HDRLEN;
  header->nlmsg_len += NLA_HDRLEN;
  return nest;
}

inline void nest_end(nlmsghdr* header, nlattr* nest) {
  nest->nla_len = static_cast<std::uint16_t>(tail(header) - reinterpret_cast<std::uint8_t*>(nest));
}

inline void nest_cancel(nlmsghdr* header, nlattr* nest) {
  header->nlmsg_len -= static_cast<std::uint32_t>(tail(header) - reinterpret_cast<std::uint8_t*>(nest));
}

inline std::uint16_t attribute_type(nlattr const& attribute) { return attribute.nla_type & NLA_TYPE_MASK; }
inline std::uint8_t const* attribute_payload(nlattr const& attribute) {
  return reinterpret_cast<std::uint8_t const*>(&attribute) + NLA_HDRLEN;
}
inline std::size_t attribute_payload_length(nlattr const& attribute) {
  return attribute.nla_len < NLA_HDRLEN ? 0 : attribute.nla_len - NLA_HDRLEN;
}

}  // namespace wgs::netlink::framing

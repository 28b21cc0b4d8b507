#include "netlink/reader.hpp"

#include "netlink/framing.hpp"

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace wgs::netlink {
namespace {

// The kernel's own words from an extended ack, made safe for a log line and bounded.
std::string extended_ack_text(nlmsghdr const& message, nlmsgerr const& error) {
  if ((message.nlmsg_flags & NLM_F_ACK_TLVS) == 0) return {};
  auto const body = payload(message);
  std::size_t offset = sizeof(nlmsgerr);
  // Unless capped, the kernel echoes our request's payload before the TLVs.
  if ((message.nlmsg_flags & NLM_F_CAPPED) == 0 && error.msg.nlmsg_len > NLMSG_HDRLEN) {
    offset += error.msg.nlmsg_len - NLMSG_HDRLEN;
  }
  offset = NLMSG_ALIGN(offset);
  if (offset >= body.size()) return {};
  std::string text;
  auto const status = for_each_attribute(body.subspan(offset), [&](nlattr const& attribute) -> Status {
    if (type_of(attribute) != NLMSGERR_ATTR_MSG) return ok_status();
    for (auto const c : read_string(attribute).value_or("")) {
      if (text.size() >= 200) break;
      text.push_back(c >= 0x20 && c < 0x7f ? c : '?');
    }
    return ok_status();
  });
  return status ? text : std::string();
}

// The errno in an error reply or NLMSG_DONE (sent negated). Anything outside the kernel's
// errno range is not one, and must not be negated blindly (INT_MIN).
int errno_of(int value) {
  constexpr int max_errno = 4095;
  if (value < 0 && value >= -max_errno) return -value;
  if (value > 0 && value <= max_errno) return value;
  return EPROTO;
}

Result<bool> on_error_message(nlmsghdr const& message) {
  auto const* const error = fixed_header<nlmsgerr>(message);
  if (error == nullptr) return malformed("NLMSG_ERROR shorter than struct nlmsgerr");
  if (error->error == 0) return true;  // the ack
  int const code = errno_of(error->error);
  auto const kernel_text = extended_ack_text(message, *error);
  std::string reason = std::strerror(code);
  if (!kernel_text.empty()) reason += fmt::format(" ({})", kernel_text);
  return make_error(std::move(reason), code);
}

Result<bool> on_done_message(nlmsghdr const& message) {
  // NLMSG_DONE carries an int: 0, or -errno when the dump itself failed.
  auto const body = payload(message);
  if (body.size() < sizeof(int)) return true;
  int code = 0;
  std::memcpy(&code, body.data(), sizeof code);
  if (code == 0) return true;
  code = errno_of(code);
  return make_error(std::strerror(code), code);
}

}  // namespace

Bytes payload(nlmsghdr const& message) {
  auto const* const start = reinterpret_cast<std::uint8_t const*>(&message);
  if (message.nlmsg_len < NLMSG_HDRLEN) return {};
  return {start + NLMSG_HDRLEN, message.nlmsg_len - NLMSG_HDRLEN};
}

std::uint16_t type_of(nlattr const& attribute) { return framing::attribute_type(attribute); }

Bytes payload(nlattr const& attribute) {
  return {framing::attribute_payload(attribute), framing::attribute_payload_length(attribute)};
}

std::optional<std::string> read_string(nlattr const& attribute) {
  auto const bytes = payload(attribute);
  auto const* const end = static_cast<std::uint8_t const*>(std::memchr(bytes.data(), 0, bytes.size()));
  if (end == nullptr) return std::nullopt;
  return std::string(reinterpret_cast<char const*>(bytes.data()), end - bytes.data());
}

Error malformed(std::string_view what) { return make_error(fmt::format("malformed netlink data: {}", what), EBADMSG); }

Status for_each_attribute(Bytes bytes, AttributeHandler const& on_attribute) {
  while (bytes.size() >= sizeof(nlattr)) {
    nlattr header;
    std::memcpy(&header, bytes.data(), sizeof header);
    if (header.nla_len < sizeof(nlattr) || header.nla_len > bytes.size()) {
      return malformed(fmt::format("attribute {} claims {} bytes, {} remain", header.nla_type & NLA_TYPE_MASK,
                                   header.nla_len, bytes.size()));
    }
    if (auto status = on_attribute(*reinterpret_cast<nlattr const*>(bytes.data())); !status) return status;
    bytes = bytes.subspan(std::min<std::size_t>(NLA_ALIGN(header.nla_len), bytes.size()));
  }
  if (!bytes.empty()) return malformed(fmt::format("{} stray bytes after the last attribute", bytes.size()));
  return ok_status();
}

Status for_each_attribute(nlmsghdr const& message, std::size_t header_size, AttributeHandler const& on_attribute) {
  auto const body = payload(message);
  if (body.size() < header_size) return malformed("message shorter than its fixed header");
  return for_each_attribute(body.subspan(std::min(NLMSG_ALIGN(header_size), body.size())), on_attribute);
}

Status for_each_nested(nlattr const& nest, AttributeHandler const& on_attribute) {
  return for_each_attribute(payload(nest), on_attribute);
}

Status for_each_message(Bytes datagram, MessageHandler const& on_message) {
  while (datagram.size() >= sizeof(nlmsghdr)) {
    nlmsghdr header;
    std::memcpy(&header, datagram.data(), sizeof header);
    if (header.nlmsg_len < sizeof(nlmsghdr) || header.nlmsg_len > datagram.size()) {
      return malformed(fmt::format("message claims {} bytes, {} remain", header.nlmsg_len, datagram.size()));
    }
    if (auto status = on_message(*reinterpret_cast<nlmsghdr const*>(datagram.data())); !status) return status;
    datagram = datagram.subspan(std::min<std::size_t>(NLMSG_ALIGN(header.nlmsg_len), datagram.size()));
  }
  if (!datagram.empty()) return malformed(fmt::format("{} stray bytes after the last message", datagram.size()));
  return ok_status();
}

ReplyReader::ReplyReader(std::uint32_t seq, std::uint32_t port_id, MessageHandler on_message)
    : seq_(seq), port_id_(port_id), on_message_(std::move(on_message)) {}

Result<bool> ReplyReader::feed(Bytes datagram) {
  auto const status = for_each_message(datagram, [this](nlmsghdr const& message) { return on_reply(message); });
  if (!status) return status.error();
  return finished_;
}

Status ReplyReader::on_reply(nlmsghdr const& message) {
  if (finished_) return ok_status();  // anything after the end belongs to nobody we wait for
  bool const ours = message.nlmsg_seq == seq_ && (message.nlmsg_pid == 0 || message.nlmsg_pid == port_id_);
  if (!ours) return ok_status();
  if ((message.nlmsg_flags & NLM_F_DUMP_INTR) != 0) interrupted_ = true;
  switch (message.nlmsg_type) {
    case NLMSG_NOOP:
      return ok_status();
    case NLMSG_OVERRUN:
      return make_error("the kernel reported a netlink overrun", ENOBUFS);
    case NLMSG_ERROR:
    case NLMSG_DONE: {
      auto const end = message.nlmsg_type == NLMSG_ERROR ? on_error_message(message) : on_done_message(message);
      finished_ = !end || *end;  // an error reply is the kernel's last word too
      if (!end) return end.error();
      return ok_status();
    }
    default:
      return on_message_ ? on_message_(message) : ok_status();
  }
}

}  // namespace wgs::netlink

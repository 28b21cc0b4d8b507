#include "netlink/writer.hpp"

#include "netlink/framing.hpp"

#include <sodium.h>

#include <cstring>
#include <string>

#include <fmt/format.h>

namespace wgs::netlink {

MessageWriter::MessageWriter(std::span<std::uint8_t> buffer, std::uint16_t type, std::uint16_t flags)
    : buffer_(buffer) {
  if (buffer_.size() < NLMSG_HDRLEN) {
    full_ = true;
    header_ = reinterpret_cast<nlmsghdr*>(scratch_);
    return;
  }
  header_ = framing::put_header(buffer_.data());
  header_->nlmsg_type = type;
  header_->nlmsg_flags = static_cast<std::uint16_t>(NLM_F_REQUEST | flags);
}

void* MessageWriter::put_extra_header(std::size_t size) {
  if (full_ || header_->nlmsg_len + NLMSG_ALIGN(size) > buffer_.size()) {
    full_ = true;
    std::memset(scratch_, 0, sizeof scratch_);
    return scratch_;
  }
  return framing::put_extra_header(header_, size);
}

bool MessageWriter::put(std::uint16_t type, std::span<std::uint8_t const> bytes) {
  if (!full_ && !framing::put_attribute(header_, buffer_.size(), type, bytes.size(), bytes.data())) full_ = true;
  return !full_;
}

bool MessageWriter::put_u8(std::uint16_t type, std::uint8_t value) { return put(type, {&value, 1}); }

bool MessageWriter::put_u16(std::uint16_t type, std::uint16_t value) {
  return put(type, {reinterpret_cast<std::uint8_t const*>(&value), sizeof value});
}

bool MessageWriter::put_u32(std::uint16_t type, std::uint32_t value) {
  return put(type, {reinterpret_cast<std::uint8_t const*>(&value), sizeof value});
}

bool MessageWriter::put_string(std::uint16_t type, std::string_view text) {
  std::string const terminated(text);  // the attribute's length includes the NUL
  return put(type, {reinterpret_cast<std::uint8_t const*>(terminated.c_str()), terminated.size() + 1});
}

nlattr* MessageWriter::nest_start(std::uint16_t type) {
  if (full_) return nullptr;
  auto* const nest = framing::nest_start(header_, buffer_.size(), type);
  if (nest == nullptr) full_ = true;
  return nest;
}

void MessageWriter::nest_end(nlattr* nest) {
  if (nest != nullptr) framing::nest_end(header_, nest);
}

void MessageWriter::nest_cancel(nlattr* nest) {
  if (nest != nullptr) framing::nest_cancel(header_, nest);
}

void MessageWriter::rewind(Mark mark) {
  if (buffer_.size() < NLMSG_HDRLEN || mark.size < NLMSG_HDRLEN || mark.size > header_->nlmsg_len) return;
  header_->nlmsg_len = static_cast<std::uint32_t>(mark.size);
  full_ = mark.full;
}

std::size_t MessageWriter::size() const { return full_ && buffer_.size() < NLMSG_HDRLEN ? 0 : header_->nlmsg_len; }

Result<std::span<std::uint8_t>> MessageWriter::finish(std::string_view what) {
  if (full_) {
    return make_error(fmt::format("{}: the request does not fit a {}-byte netlink buffer", what, buffer_.size()),
                      EMSGSIZE);
  }
  return buffer_.first(header_->nlmsg_len);
}

WipedBuffer::WipedBuffer(std::size_t size) : data_(new std::uint8_t[size]()), size_(size) {}

WipedBuffer::~WipedBuffer() { wipe(); }

void WipedBuffer::wipe() {
  if (data_) sodium_memzero(data_.get(), size_);
}

}  // namespace wgs::netlink

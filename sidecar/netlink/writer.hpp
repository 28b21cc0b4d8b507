#pragma once
// Building netlink messages into a caller's fixed buffer (netlink/framing.hpp). Every put is
// bounds-checked; the first one that does not fit makes the writer "full" and later puts
// do nothing, so a builder reads as a straight list of attributes and checks once.
#include <linux/netlink.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "util/result.hpp"

namespace wgs::netlink {

// Enough for any rtnetlink request we send; the WireGuard SET splits to fit its own size.
inline constexpr std::size_t request_buffer_size = 1024;

class MessageWriter {
 public:
  // Starts a message of `type` with NLM_F_REQUEST|flags; the socket sets seq and ACK/DUMP.
  MessageWriter(std::span<std::uint8_t> buffer, std::uint16_t type, std::uint16_t flags);

  // The fixed header after nlmsghdr (ifinfomsg, rtmsg, genlmsghdr...), zeroed.
  // Never null: when it does not fit the writer is full and the header lands in scratch.
  template <class Header>
  Header* put_header() {
    static_assert(sizeof(Header) <= scratch_size);
    return static_cast<Header*>(put_extra_header(sizeof(Header)));
  }

  bool put(std::uint16_t type, std::span<std::uint8_t const> bytes);
  bool put_u8(std::uint16_t type, std::uint8_t value);
  bool put_u16(std::uint16_t type, std::uint16_t value);
  bool put_u32(std::uint16_t type, std::uint32_t value);
  bool put_string(std::uint16_t type, std::string_view text);  // NUL-terminated

  // Nests carry NLA_F_NESTED, as the kernel's strict policies and wireguard-tools expect.
  // nest_start returns nullptr (and the writer is full) when even the header does not fit.
  nlattr* nest_start(std::uint16_t type);
  void nest_end(nlattr* nest);
  void nest_cancel(nlattr* nest);

  // For messages that split: remember where a unit (a peer, an allowed IP) starts, and
  // when it did not fit, drop it and clear "full" so the message can be finished without it.
  struct Mark {
    std::size_t size;
    bool full;
  };
  Mark mark() const { return {size(), full_}; }
  void rewind(Mark mark);

  bool full() const { return full_; }
  nlmsghdr* header() { return header_; }
  std::size_t size() const;
  std::size_t capacity() const { return buffer_.size(); }
  // The finished message, or an error naming `what` when something did not fit.
  Result<std::span<std::uint8_t>> finish(std::string_view what);

 private:
  static constexpr std::size_t scratch_size = 64;
  void* put_extra_header(std::size_t size);
  std::span<std::uint8_t> buffer_;
  alignas(8) std::uint8_t scratch_[scratch_size] = {};
  nlmsghdr* header_ = nullptr;
  bool full_ = false;
};

// A heap buffer that is zeroed with sodium_memzero after use and when freed, for messages
// that carry key material (the WireGuard private and preshared keys).
class WipedBuffer {
 public:
  explicit WipedBuffer(std::size_t size);
  ~WipedBuffer();
  WipedBuffer(WipedBuffer&&) noexcept = default;
  WipedBuffer& operator=(WipedBuffer&&) = delete;  // would free the old bytes unwiped

  std::span<std::uint8_t> span() { return {data_.get(), size_}; }
  void wipe();

 private:
  std::unique_ptr<std::uint8_t[]> data_;
  std::size_t size_;
};

}  // namespace wgs::netlink

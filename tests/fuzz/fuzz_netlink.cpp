// libFuzzer target: whatever bytes arrive on a netlink socket, the WireGuard dump parser,
// the event parser and the rtnetlink reply parsers return a value or an error — never a
// crash, an overflow or a read past the end.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "netlink/events.hpp"
#include "netlink/reader.hpp"
#include "netlink/rtnl_messages.hpp"
#include "wireguard/kernel/messages.hpp"

namespace {

// The sequence number of the first message, so the reply walker does not skip everything.
std::uint32_t first_seq(std::vector<std::uint8_t> const& bytes) {
  std::uint32_t seq = 0;
  if (bytes.size() >= sizeof(nlmsghdr)) std::memcpy(&seq, bytes.data() + offsetof(nlmsghdr, nlmsg_seq), sizeof seq);
  return seq;
}

void parse_each_message_as_everything(wgs::netlink::Bytes bytes) {
  (void)wgs::netlink::for_each_message(bytes, [](nlmsghdr const& message) -> wgs::Status {
    (void)wgs::netlink::rtnl::parse_link(message);
    (void)wgs::netlink::rtnl::parse_address(message);
    (void)wgs::netlink::rtnl::parse_route(message);
    (void)wgs::wireguard::kernel::parse_family_id(message);
    return wgs::ok_status();
  });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  // A copy with the alignment a receive buffer has.
  std::vector<std::uint8_t> const bytes(data, data + size);
  wgs::netlink::Bytes const view(bytes.data(), bytes.size());
  (void)wgs::wireguard::kernel::parse_device_dump(view, first_seq(bytes), 0);
  (void)wgs::netlink::parse_events(view);
  parse_each_message_as_everything(view);
  return 0;
}

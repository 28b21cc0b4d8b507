#pragma once
// The generic netlink family "wireguard" (linux/wireguard.h) as pure functions on byte
// buffers: the family lookup, SET_DEVICE split across as many messages as it takes, and
// GET_DEVICE replies merged back into one DeviceState. The I/O is in genl_wireguard.hpp.
#include <linux/netlink.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "netlink/reader.hpp"
#include "netlink/writer.hpp"
#include "util/result.hpp"
#include "wireguard/device.hpp"

namespace wgs::wireguard::kernel {

// The netlink framing this family is written in.
using netlink::Bytes;
using netlink::MessageWriter;

using Buffer = std::span<std::uint8_t>;
using Message = Result<std::span<std::uint8_t>>;

inline constexpr std::string_view family_name = "wireguard";

// CTRL_CMD_GETFAMILY for "wireguard", and the family id from its answer.
Message build_resolve_family(Buffer buffer);
Result<std::uint16_t> parse_family_id(nlmsghdr const& message);

Message build_get_device(Buffer buffer, std::uint16_t family, std::string_view ifname);

// WG_CMD_SET_DEVICE for `settings`, one message per next() call, each to be acked before
// the next is built (the kernel applies them in order):
//  - the first carries the device attributes and, with settings.replace_peers, WGDEVICE_F_REPLACE_PEERS;
//  - a peer starts with WGPEER_F_REPLACE_ALLOWEDIPS, its keys, endpoint and keepalive;
//    a peer to remove is its public key and WGPEER_F_REMOVE_ME only;
//  - when the buffer fills, the next message carries only the remaining peers, and a peer
//    cut inside its allowed IPs continues with just its public key and the remaining IPs,
//    without REPLACE flags, so the kernel appends them.
// `settings` must outlive this object. The built messages hold key material: the caller
// wipes the buffer after sending.
class SetDeviceMessages {
 public:
  SetDeviceMessages(std::uint16_t family, std::string_view ifname, wireguard::DeviceSettings const& settings);

  bool done() const { return !first_ && peer_ == settings_.peers.size(); }
  // The next message in `buffer`; an error if the settings are invalid or a single
  // allowed IP does not fit the buffer.
  Message next(Buffer buffer);

 private:
  enum class PeerFit { none, partial, complete };
  Status validate() const;
  PeerFit put_peer(MessageWriter& writer, wireguard::PeerSettings const& peer);
  PeerFit put_removal(MessageWriter& writer, nlattr* nest, MessageWriter::Mark peer_mark);

  std::uint16_t family_;
  std::string_view ifname_;
  wireguard::DeviceSettings const& settings_;
  bool first_ = true;
  std::size_t peer_ = 0;        // the peer the next message starts with
  std::size_t allowed_ip_ = 0;  // and its first allowed IP still to send
  bool continuing_ = false;     // that peer's attributes went out in an earlier message
};

// Merges GET_DEVICE reply messages into one DeviceState. A peer that follows an entry with
// the same public key is the kernel's continuation of it: its allowed IPs are appended.
// Private and preshared keys are never copied out of the reply.
class DeviceParser {
 public:
  Status add(nlmsghdr const& message);
  void reset() { state_ = {}; }
  wireguard::DeviceState const& state() const { return state_; }
  wireguard::DeviceState take() { return std::move(state_); }

 private:
  Status add_peers(nlattr const& peers);
  wireguard::DeviceState state_;
};

// A whole GET_DEVICE reply stream as bytes (messages back to back, up to NLMSG_DONE) for
// request `seq`: errors, a missing NLMSG_DONE and NLM_F_DUMP_INTR (code EINTR) fail.
Result<wireguard::DeviceState> parse_device_dump(Bytes bytes, std::uint32_t seq, std::uint32_t port_id);

}  // namespace wgs::wireguard::kernel

#include "wireguard/kernel/messages.hpp"

#include <linux/genetlink.h>
#include <linux/wireguard.h>
#include <netinet/in.h>
#include <sodium.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace wgs::wireguard::kernel {

using namespace netlink;  // the framing this family is written in
namespace {

std::span<std::uint8_t const> as_bytes(void const* data, std::size_t size) {
  return {static_cast<std::uint8_t const*>(data), size};
}

void put_genl_header(MessageWriter& writer, std::uint8_t command, std::uint8_t version) {
  auto* const header = writer.put_header<genlmsghdr>();
  header->cmd = command;
  header->version = version;
}

// The kernel takes exactly a sockaddr_in (16 bytes) or sockaddr_in6 (28 bytes).
void put_endpoint(MessageWriter& writer, wireguard::Endpoint const& endpoint) {
  if (endpoint.ip.is_v4()) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(endpoint.port);
    std::memcpy(&address.sin_addr, endpoint.ip.bytes.data(), 4);
    writer.put(WGPEER_A_ENDPOINT, as_bytes(&address, sizeof address));
  } else {
    sockaddr_in6 address{};
    address.sin6_family = AF_INET6;
    address.sin6_port = htons(endpoint.port);
    std::memcpy(&address.sin6_addr, endpoint.ip.bytes.data(), 16);
    writer.put(WGPEER_A_ENDPOINT, as_bytes(&address, sizeof address));
  }
}

void put_allowed_ip(MessageWriter& writer, net::Prefix const& prefix) {
  auto* const nest = writer.nest_start(0);
  writer.put_u16(WGALLOWEDIP_A_FAMILY, static_cast<std::uint16_t>(prefix.address.family));
  writer.put(WGALLOWEDIP_A_IPADDR, {prefix.address.bytes.data(), prefix.address.size()});
  writer.put_u8(WGALLOWEDIP_A_CIDR_MASK, prefix.length);
  writer.nest_end(nest);
}

bool is_ip_family(int family) { return family == AF_INET || family == AF_INET6; }

Result<net::Prefix> read_allowed_ip(nlattr const& entry) {
  std::optional<std::uint16_t> family;
  std::optional<std::uint8_t> cidr;
  Bytes address;
  auto const status = for_each_nested(entry, [&](nlattr const& attribute) -> Status {
    switch (type_of(attribute)) {
      case WGALLOWEDIP_A_FAMILY: family = read_as<std::uint16_t>(attribute); break;
      case WGALLOWEDIP_A_IPADDR: address = payload(attribute); break;
      case WGALLOWEDIP_A_CIDR_MASK: cidr = read_as<std::uint8_t>(attribute); break;
      default: break;  // WGALLOWEDIP_A_FLAGS on newer kernels
    }
    return ok_status();
  });
  if (!status) return status.error();
  net::Prefix prefix;
  prefix.address.family = family.value_or(0);
  if (!family || !is_ip_family(*family) || !cidr || address.size() != prefix.address.size() ||
      *cidr > prefix.max_length()) {
    return malformed("allowed IP without a valid family, address and CIDR mask");
  }
  std::copy(address.begin(), address.end(), prefix.address.bytes.begin());
  prefix.length = *cidr;
  return prefix;
}

Result<wireguard::Endpoint> read_endpoint(nlattr const& attribute) {
  auto const bytes = payload(attribute);
  wireguard::Endpoint endpoint;
  if (bytes.size() == sizeof(sockaddr_in)) {
    sockaddr_in address;
    std::memcpy(&address, bytes.data(), sizeof address);
    if (address.sin_family != AF_INET) return malformed("endpoint of 16 bytes that is not AF_INET");
    endpoint.ip.family = AF_INET;
    std::memcpy(endpoint.ip.bytes.data(), &address.sin_addr, 4);
    endpoint.port = ntohs(address.sin_port);
    return endpoint;
  }
  if (bytes.size() == sizeof(sockaddr_in6)) {
    sockaddr_in6 address;
    std::memcpy(&address, bytes.data(), sizeof address);
    if (address.sin6_family != AF_INET6) return malformed("endpoint of 28 bytes that is not AF_INET6");
    endpoint.ip.family = AF_INET6;
    std::memcpy(endpoint.ip.bytes.data(), &address.sin6_addr, 16);
    endpoint.port = ntohs(address.sin6_port);
    return endpoint;
  }
  return malformed(fmt::format("endpoint of {} bytes", bytes.size()));
}

// struct __kernel_timespec; all zeros means no handshake yet.
Result<std::optional<std::chrono::system_clock::time_point>> read_handshake_time(nlattr const& attribute) {
  auto const bytes = payload(attribute);
  std::int64_t time[2];
  if (bytes.size() != sizeof time) return malformed("last handshake time is not 16 bytes");
  std::memcpy(time, bytes.data(), sizeof time);
  if (time[0] == 0 && time[1] == 0) return std::optional<std::chrono::system_clock::time_point>();
  // Bounds keep the conversion from overflowing on nonsense input (years 1970..2200; system_clock counts nanoseconds in 64 bits).
  if (time[0] < 0 || time[0] > 7'258'118'400 || time[1] < 0 || time[1] >= 1'000'000'000) {
    return malformed("last handshake time out of range");
  }
  auto const since_epoch = std::chrono::seconds(time[0]) + std::chrono::nanoseconds(time[1]);
  return std::optional(std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(since_epoch)));
}

Status read_peer_attribute(nlattr const& attribute, wireguard::PeerState& peer, bool& has_key) {
  switch (type_of(attribute)) {
    case WGPEER_A_PUBLIC_KEY: {
      auto const bytes = payload(attribute);
      if (bytes.size() != peer.public_key.size()) return malformed("peer public key is not 32 bytes");
      std::copy(bytes.begin(), bytes.end(), peer.public_key.begin());
      has_key = true;
      return ok_status();
    }
    case WGPEER_A_PRESHARED_KEY: {
      auto const bytes = payload(attribute);  // only whether it is set leaves the buffer
      if (bytes.size() != WG_KEY_LEN) return malformed("peer preshared key is not 32 bytes");
      peer.has_preshared_key = sodium_is_zero(bytes.data(), bytes.size()) == 0;
      return ok_status();
    }
    case WGPEER_A_ENDPOINT: {
      auto endpoint = read_endpoint(attribute);
      if (!endpoint) return endpoint.error();
      peer.endpoint = *endpoint;
      return ok_status();
    }
    case WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL:
      peer.persistent_keepalive = read_as<std::uint16_t>(attribute).value_or(0);
      return ok_status();
    case WGPEER_A_LAST_HANDSHAKE_TIME: {
      auto time = read_handshake_time(attribute);
      if (!time) return time.error();
      peer.last_handshake = *time;
      return ok_status();
    }
    case WGPEER_A_RX_BYTES: peer.rx_bytes = read_as<std::uint64_t>(attribute).value_or(0); return ok_status();
    case WGPEER_A_TX_BYTES: peer.tx_bytes = read_as<std::uint64_t>(attribute).value_or(0); return ok_status();
    case WGPEER_A_ALLOWEDIPS:
      return for_each_nested(attribute, [&](nlattr const& entry) -> Status {
        auto prefix = read_allowed_ip(entry);
        if (!prefix) return prefix.error();
        peer.allowed_ips.push_back(*prefix);
        return ok_status();
      });
    default:
      return ok_status();
  }
}

Result<wireguard::PeerState> read_peer(nlattr const& entry) {
  wireguard::PeerState peer;
  bool has_key = false;
  auto const status =
      for_each_nested(entry, [&](nlattr const& attribute) { return read_peer_attribute(attribute, peer, has_key); });
  if (!status) return status.error();
  if (!has_key) return malformed("peer without a public key");
  return peer;
}

}  // namespace

Message build_resolve_family(Buffer buffer) {
  MessageWriter writer(buffer, GENL_ID_CTRL, 0);
  put_genl_header(writer, CTRL_CMD_GETFAMILY, 1);
  writer.put_string(CTRL_ATTR_FAMILY_NAME, family_name);
  return writer.finish("building the generic netlink family lookup");
}

Result<std::uint16_t> parse_family_id(nlmsghdr const& message) {
  std::optional<std::uint16_t> id;
  auto const status = for_each_attribute(message, GENL_HDRLEN, [&](nlattr const& attribute) -> Status {
    if (type_of(attribute) == CTRL_ATTR_FAMILY_ID) id = read_as<std::uint16_t>(attribute);
    return ok_status();
  });
  if (!status) return status.error();
  if (!id) return malformed("family lookup reply without CTRL_ATTR_FAMILY_ID");
  return *id;
}

Message build_get_device(Buffer buffer, std::uint16_t family, std::string_view ifname) {
  MessageWriter writer(buffer, family, 0);
  put_genl_header(writer, WG_CMD_GET_DEVICE, WG_GENL_VERSION);
  writer.put_string(WGDEVICE_A_IFNAME, ifname);
  return writer.finish("building the WireGuard GET_DEVICE request");
}

SetDeviceMessages::SetDeviceMessages(std::uint16_t family, std::string_view ifname,
                                     wireguard::DeviceSettings const& settings)
    : family_(family), ifname_(ifname), settings_(settings) {}

// Everything the kernel would reject, found before the first message changes anything.
// Messages name the peer by position, never by key.
Status SetDeviceMessages::validate() const {
  if (ifname_.empty() || ifname_.size() >= 16) {
    return make_error(fmt::format("setting WireGuard device: interface name must have 1..15 characters"), EINVAL);
  }
  if (settings_.private_key != nullptr && settings_.private_key->size() != WG_KEY_LEN) {
    return make_error("setting WireGuard device: the private key is not 32 bytes", EINVAL);
  }
  for (std::size_t i = 0; i < settings_.peers.size(); ++i) {
    auto const& peer = settings_.peers[i];
    auto const problem = [&](std::string_view what) {
      return make_error(fmt::format("setting WireGuard device: peer {} {}", i + 1, what), EINVAL);
    };
    if (peer.preshared_key != nullptr && peer.preshared_key->size() != WG_KEY_LEN) {
      return problem("has a preshared key that is not 32 bytes");
    }
    if (peer.remove) continue;  // only its key goes out
    if (peer.endpoint && !is_ip_family(peer.endpoint->ip.family)) return problem("has an endpoint without address");
    for (auto const& prefix : peer.allowed_ips) {
      if (!is_ip_family(prefix.address.family) || prefix.length > prefix.max_length()) {
        return problem("has an invalid allowed IP");
      }
    }
  }
  return ok_status();
}

SetDeviceMessages::PeerFit SetDeviceMessages::put_peer(MessageWriter& writer, wireguard::PeerSettings const& peer) {
  auto const peer_mark = writer.mark();
  auto* const nest = writer.nest_start(0);
  writer.put(WGPEER_A_PUBLIC_KEY, peer.public_key);
  if (peer.remove) return put_removal(writer, nest, peer_mark);
  if (!continuing_) {
    writer.put_u32(WGPEER_A_FLAGS, WGPEER_F_REPLACE_ALLOWEDIPS);
    if (peer.preshared_key != nullptr) writer.put(WGPEER_A_PRESHARED_KEY, peer.preshared_key->bytes());
    if (peer.endpoint) put_endpoint(writer, *peer.endpoint);
    writer.put_u16(WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL, peer.persistent_keepalive);
  }
  if (writer.full()) {
    writer.rewind(peer_mark);
    return PeerFit::none;
  }
  std::size_t sent = 0;
  if (allowed_ip_ < peer.allowed_ips.size()) {
    auto const list_mark = writer.mark();
    auto* const list = writer.nest_start(WGPEER_A_ALLOWEDIPS);
    for (; allowed_ip_ < peer.allowed_ips.size() && !writer.full(); ++allowed_ip_, ++sent) {
      auto const ip_mark = writer.mark();
      put_allowed_ip(writer, peer.allowed_ips[allowed_ip_]);
      if (writer.full()) {
        writer.rewind(ip_mark);
        break;
      }
    }
    if (sent == 0) writer.rewind(list_mark);
    else writer.nest_end(list);
  }
  if (allowed_ip_ < peer.allowed_ips.size() && sent == 0 && !continuing_) {
    writer.rewind(peer_mark);  // nothing but the header fitted: start the peer afresh next time
    return PeerFit::none;
  }
  if (allowed_ip_ < peer.allowed_ips.size() && sent == 0) return PeerFit::none;
  writer.nest_end(nest);
  return allowed_ip_ < peer.allowed_ips.size() ? PeerFit::partial : PeerFit::complete;
}

// A removal is the key and WGPEER_F_REMOVE_ME alone: the kernel drops the peer whatever
// else the entry says, and ignores a key it does not have.
SetDeviceMessages::PeerFit SetDeviceMessages::put_removal(MessageWriter& writer, nlattr* nest,
                                                          MessageWriter::Mark peer_mark) {
  writer.put_u32(WGPEER_A_FLAGS, WGPEER_F_REMOVE_ME);
  if (writer.full()) {
    writer.rewind(peer_mark);
    return PeerFit::none;
  }
  writer.nest_end(nest);
  allowed_ip_ = 0;
  return PeerFit::complete;
}

Message SetDeviceMessages::next(Buffer buffer) {
  if (done()) return buffer.first(0);
  if (first_) {
    if (auto status = validate(); !status) return status.error();
  }
  MessageWriter writer(buffer, family_, 0);
  put_genl_header(writer, WG_CMD_SET_DEVICE, WG_GENL_VERSION);
  writer.put_string(WGDEVICE_A_IFNAME, ifname_);
  if (first_) {
    if (settings_.private_key != nullptr) writer.put(WGDEVICE_A_PRIVATE_KEY, settings_.private_key->bytes());
    if (settings_.listen_port) writer.put_u16(WGDEVICE_A_LISTEN_PORT, *settings_.listen_port);
    if (settings_.fwmark) writer.put_u32(WGDEVICE_A_FWMARK, *settings_.fwmark);
    if (settings_.replace_peers) writer.put_u32(WGDEVICE_A_FLAGS, WGDEVICE_F_REPLACE_PEERS);
  }
  if (writer.full()) return writer.finish("building WireGuard SET_DEVICE");

  auto const start = std::pair(peer_, allowed_ip_);
  if (peer_ < settings_.peers.size()) {
    auto const peers_mark = writer.mark();
    auto* const peers = writer.nest_start(WGDEVICE_A_PEERS);
    while (peer_ < settings_.peers.size()) {
      auto const fit = put_peer(writer, settings_.peers[peer_]);
      if (fit == PeerFit::none) break;
      continuing_ = fit == PeerFit::partial;
      if (continuing_) break;
      ++peer_;
      allowed_ip_ = 0;
    }
    if (start == std::pair(peer_, allowed_ip_)) writer.rewind(peers_mark);
    else writer.nest_end(peers);
  }
  if (!first_ && start == std::pair(peer_, allowed_ip_)) {
    return make_error(fmt::format("building WireGuard SET_DEVICE: peer {} does not fit a {}-byte message",
                                  peer_ + 1, buffer.size()),
                      EMSGSIZE);
  }
  first_ = false;
  return writer.finish("building WireGuard SET_DEVICE");
}

Status DeviceParser::add_peers(nlattr const& peers) {
  return for_each_nested(peers, [&](nlattr const& entry) -> Status {
    auto peer = read_peer(entry);
    if (!peer) return peer.error();
    if (!state_.peers.empty() && state_.peers.back().public_key == peer->public_key) {
      auto& ips = state_.peers.back().allowed_ips;  // the kernel's continuation of that peer
      ips.insert(ips.end(), peer->allowed_ips.begin(), peer->allowed_ips.end());
    } else {
      state_.peers.push_back(std::move(*peer));
    }
    return ok_status();
  });
}

Status DeviceParser::add(nlmsghdr const& message) {
  return for_each_attribute(message, GENL_HDRLEN, [&](nlattr const& attribute) -> Status {
    switch (type_of(attribute)) {
      case WGDEVICE_A_PUBLIC_KEY: {
        auto const bytes = payload(attribute);
        if (bytes.size() != state_.public_key.size()) return malformed("device public key is not 32 bytes");
        std::copy(bytes.begin(), bytes.end(), state_.public_key.begin());
        return ok_status();
      }
      case WGDEVICE_A_LISTEN_PORT:
        state_.listen_port = read_as<std::uint16_t>(attribute).value_or(0);
        return ok_status();
      case WGDEVICE_A_FWMARK:
        state_.fwmark = read_as<std::uint32_t>(attribute).value_or(0);
        return ok_status();
      case WGDEVICE_A_PEERS:
        return add_peers(attribute);
      default:
        return ok_status();  // WGDEVICE_A_PRIVATE_KEY stays in the (wiped) receive buffer
    }
  });
}

Result<wireguard::DeviceState> parse_device_dump(Bytes bytes, std::uint32_t seq, std::uint32_t port_id) {
  DeviceParser parser;
  ReplyReader reader(seq, port_id, [&](nlmsghdr const& message) { return parser.add(message); });
  auto const finished = reader.feed(bytes);
  if (!finished) return finished.error();
  if (!*finished) return make_error("the WireGuard device dump ended without NLMSG_DONE", EPROTO);
  if (reader.interrupted()) return make_error("the WireGuard device changed during the dump", EINTR);
  return parser.take();
}

}  // namespace wgs::wireguard::kernel

// The WireGuard generic netlink messages: SET_DEVICE built attribute by attribute and split
// like wireguard-tools splits it, GET_DEVICE replies merged and checked, without a kernel.
#include <arpa/inet.h>
#include <linux/genetlink.h>
#include <linux/wireguard.h>
#include <netinet/in.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>

#include <fmt/format.h>

#include "wireguard/kernel/messages.hpp"
#include "netlink_test_support.hpp"

using namespace wgs;
using namespace wgs::netlink;
using namespace wgs::wireguard::kernel;
using namespace wgs::netlink::testing;

namespace {

constexpr std::uint16_t family = 0x1d;
constexpr std::uint32_t seq = 9;

keys::PublicKey key_of(std::uint8_t fill) {
  keys::PublicKey key;
  key.fill(fill);
  return key;
}

Secret secret_of(std::uint8_t fill, std::size_t size = 32) {
  std::vector<std::uint8_t> bytes(size, fill);
  return Secret::from(bytes);
}

net::Prefix prefix(std::string_view text) { return *net::Prefix::parse(text); }

std::vector<net::Prefix> many_v4(std::size_t count) {
  std::vector<net::Prefix> out;
  for (std::size_t i = 0; i < count; ++i) {
    out.push_back(prefix(fmt::format("10.{}.{}.0/24", (i >> 8) & 0xff, i & 0xff)));
  }
  return out;
}

std::vector<std::vector<std::uint8_t>> build_all(SetDeviceMessages& messages, std::size_t buffer_size) {
  std::vector<std::vector<std::uint8_t>> out;
  std::vector<std::uint8_t> buffer(buffer_size);
  while (!messages.done()) {
    auto const message = messages.next(buffer);
    REQUIRE_MESSAGE(message.ok(), (message.ok() ? "" : message.error().message));
    REQUIRE(message->size() <= buffer_size);
    out.emplace_back(message->begin(), message->end());
    REQUIRE(out.size() < 1000);
  }
  return out;
}

Attributes set_attributes(std::vector<std::uint8_t> const& message) {
  auto const& header = netlink_header(message);
  CHECK(header.nlmsg_type == family);
  CHECK(header.nlmsg_len == message.size());
  CHECK((header.nlmsg_flags & NLM_F_REQUEST) != 0);
  CHECK(header_of<genlmsghdr>(message).cmd == WG_CMD_SET_DEVICE);
  CHECK(header_of<genlmsghdr>(message).version == WG_GENL_VERSION);
  return message_attributes(header, GENL_HDRLEN);
}

std::vector<net::Prefix> allowed_ips_of(Attributes const& peer) {
  std::vector<net::Prefix> out;
  if (!peer.has(WGPEER_A_ALLOWEDIPS)) return out;
  CHECK(is_nested(peer.at(WGPEER_A_ALLOWEDIPS)));
  for (auto const* entry : nested(peer.at(WGPEER_A_ALLOWEDIPS)).in_order) {
    CHECK(is_nested(*entry));
    auto const ip = nested(*entry);
    net::Prefix p;
    p.address.family = ip.as<std::uint16_t>(WGALLOWEDIP_A_FAMILY);
    auto const bytes = payload(ip.at(WGALLOWEDIP_A_IPADDR));
    REQUIRE(bytes.size() == p.address.size());
    std::copy(bytes.begin(), bytes.end(), p.address.bytes.begin());
    p.length = ip.as<std::uint8_t>(WGALLOWEDIP_A_CIDR_MASK);
    out.push_back(p);
  }
  return out;
}

// What the kernel ends up with after applying the messages in order (set_peer semantics).
struct KernelModel {
  std::vector<std::pair<keys::PublicKey, std::vector<net::Prefix>>> peers;

  void apply(std::vector<std::uint8_t> const& message) {
    auto const device = set_attributes(message);
    if (device.has(WGDEVICE_A_FLAGS) && (device.as<std::uint32_t>(WGDEVICE_A_FLAGS) & WGDEVICE_F_REPLACE_PEERS)) {
      peers.clear();
    }
    if (!device.has(WGDEVICE_A_PEERS)) return;
    for (auto const* entry : nested(device.at(WGDEVICE_A_PEERS)).in_order) {
      auto const peer = nested(*entry);
      keys::PublicKey key;
      std::memcpy(key.data(), payload(peer.at(WGPEER_A_PUBLIC_KEY)).data(), key.size());
      auto found = std::find_if(peers.begin(), peers.end(), [&](auto const& p) { return p.first == key; });
      if (found == peers.end()) found = peers.insert(peers.end(), {key, {}});
      if (peer.has(WGPEER_A_FLAGS) && (peer.as<std::uint32_t>(WGPEER_A_FLAGS) & WGPEER_F_REPLACE_ALLOWEDIPS)) {
        found->second.clear();
      }
      auto const ips = allowed_ips_of(peer);
      found->second.insert(found->second.end(), ips.begin(), ips.end());
    }
  }
};

}  // namespace

TEST_CASE("wireguard SET_DEVICE: one message carries every attribute, nests flagged") {
  auto const private_key = secret_of(0x11);
  auto const psk = secret_of(0x22);
  wireguard::DeviceSettings settings;
  settings.private_key = &private_key;
  settings.listen_port = 51820;
  settings.fwmark = 0xca6c;
  wireguard::PeerSettings v4_peer;
  v4_peer.public_key = key_of(0xa1);
  v4_peer.preshared_key = &psk;
  v4_peer.endpoint = wireguard::Endpoint{*net::IpAddress::parse("203.0.113.7"), 51820};
  v4_peer.persistent_keepalive = 25;
  v4_peer.allowed_ips = {prefix("10.50.0.0/24"), prefix("fd00:50::/64")};
  wireguard::PeerSettings v6_peer;
  v6_peer.public_key = key_of(0xb2);
  v6_peer.endpoint = wireguard::Endpoint{*net::IpAddress::parse("2001:db8::1"), 4500};
  settings.peers = {v4_peer, v6_peer};

  SetDeviceMessages messages(family, "wg0", settings);
  auto const built = build_all(messages, 4096);
  REQUIRE(built.size() == 1);
  auto const device = set_attributes(built[0]);
  CHECK(device.string(WGDEVICE_A_IFNAME) == "wg0");
  CHECK(device.size_of(WGDEVICE_A_PRIVATE_KEY) == 32);
  CHECK(private_key.equals(payload(device.at(WGDEVICE_A_PRIVATE_KEY))));
  CHECK(device.as<std::uint16_t>(WGDEVICE_A_LISTEN_PORT) == 51820);
  CHECK(device.as<std::uint32_t>(WGDEVICE_A_FWMARK) == 0xca6c);
  CHECK(device.as<std::uint32_t>(WGDEVICE_A_FLAGS) == WGDEVICE_F_REPLACE_PEERS);
  REQUIRE(is_nested(device.at(WGDEVICE_A_PEERS)));
  auto const peers = nested(device.at(WGDEVICE_A_PEERS)).in_order;
  REQUIRE(peers.size() == 2);
  CHECK((peers[0]->nla_type & NLA_TYPE_MASK) == 0);
  CHECK(is_nested(*peers[0]));

  auto const first = nested(*peers[0]);
  CHECK(first.size_of(WGPEER_A_PUBLIC_KEY) == 32);
  CHECK(payload(first.at(WGPEER_A_PUBLIC_KEY))[0] == 0xa1);
  CHECK(first.as<std::uint32_t>(WGPEER_A_FLAGS) == WGPEER_F_REPLACE_ALLOWEDIPS);
  CHECK(psk.equals(payload(first.at(WGPEER_A_PRESHARED_KEY))));
  REQUIRE(first.size_of(WGPEER_A_ENDPOINT) == sizeof(sockaddr_in));
  CHECK(first.size_of(WGPEER_A_ENDPOINT) == 16);
  auto const v4 = first.as<sockaddr_in>(WGPEER_A_ENDPOINT);
  CHECK(v4.sin_family == AF_INET);
  CHECK(ntohs(v4.sin_port) == 51820);
  CHECK(ntohl(v4.sin_addr.s_addr) == 0xcb007107);
  CHECK(first.as<std::uint16_t>(WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL) == 25);
  CHECK(allowed_ips_of(first) == v4_peer.allowed_ips);

  auto const second = nested(*peers[1]);
  CHECK_FALSE(second.has(WGPEER_A_PRESHARED_KEY));
  CHECK(second.size_of(WGPEER_A_ENDPOINT) == 28);
  auto const v6 = second.as<sockaddr_in6>(WGPEER_A_ENDPOINT);
  CHECK(v6.sin6_family == AF_INET6);
  CHECK(ntohs(v6.sin6_port) == 4500);
  CHECK(std::memcmp(&v6.sin6_addr, net::IpAddress::parse("2001:db8::1")->bytes.data(), 16) == 0);
  CHECK(second.as<std::uint16_t>(WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL) == 0);
  CHECK_FALSE(second.has(WGPEER_A_ALLOWEDIPS));
}

TEST_CASE("wireguard SET_DEVICE: no private key, no peers, no replace") {
  wireguard::DeviceSettings settings;
  settings.replace_peers = false;
  SetDeviceMessages messages(family, "wg0", settings);
  auto const built = build_all(messages, 4096);
  REQUIRE(built.size() == 1);
  auto const device = set_attributes(built[0]);
  CHECK_FALSE(device.has(WGDEVICE_A_PRIVATE_KEY));
  CHECK_FALSE(device.has(WGDEVICE_A_FLAGS));
  CHECK_FALSE(device.has(WGDEVICE_A_PEERS));
  CHECK_FALSE(device.has(WGDEVICE_A_LISTEN_PORT));

  // Replacing with nothing: the one message empties the device.
  settings.replace_peers = true;
  SetDeviceMessages clear(family, "wg0", settings);
  auto const cleared = build_all(clear, 4096);
  REQUIRE(cleared.size() == 1);
  CHECK(set_attributes(cleared[0]).as<std::uint32_t>(WGDEVICE_A_FLAGS) == WGDEVICE_F_REPLACE_PEERS);
}

TEST_CASE("wireguard SET_DEVICE: 2000 allowed IPs split across messages, continuations append") {
  auto const private_key = secret_of(0x11);
  auto const psk = secret_of(0x22);
  wireguard::DeviceSettings settings;
  settings.private_key = &private_key;
  wireguard::PeerSettings big;
  big.public_key = key_of(0xa1);
  big.preshared_key = &psk;
  big.endpoint = wireguard::Endpoint{*net::IpAddress::parse("203.0.113.7"), 51820};
  big.persistent_keepalive = 25;
  big.allowed_ips = many_v4(2000);
  wireguard::PeerSettings small;
  small.public_key = key_of(0xb2);
  small.allowed_ips = {prefix("192.168.7.0/24")};
  settings.peers = {big, small};

  SetDeviceMessages messages(family, "wg0", settings);
  auto const built = build_all(messages, 4096);
  REQUIRE(built.size() > 1);  // 2000 × 28 bytes cannot fit 4 KiB
  for (std::size_t i = 0; i + 1 < built.size(); ++i) {
    CHECK(built[i].size() > 4096 - 64);  // packed: less than one allowed IP's nest left over
  }

  std::vector<net::Prefix> sent;
  for (std::size_t i = 0; i < built.size(); ++i) {
    CAPTURE(i);
    auto const device = set_attributes(built[i]);
    CHECK(device.string(WGDEVICE_A_IFNAME) == "wg0");
    // Device attributes and REPLACE_PEERS only in the first message.
    CHECK(device.has(WGDEVICE_A_PRIVATE_KEY) == (i == 0));
    CHECK(device.has(WGDEVICE_A_FLAGS) == (i == 0));
    auto const peers = nested(device.at(WGDEVICE_A_PEERS)).in_order;
    REQUIRE(!peers.empty());
    auto const first_peer = nested(*peers[0]);
    if (payload(first_peer.at(WGPEER_A_PUBLIC_KEY))[0] != 0xa1) continue;
    if (i == 0) {
      CHECK(first_peer.as<std::uint32_t>(WGPEER_A_FLAGS) == WGPEER_F_REPLACE_ALLOWEDIPS);
      CHECK(first_peer.has(WGPEER_A_PRESHARED_KEY));
      CHECK(first_peer.has(WGPEER_A_ENDPOINT));
    } else {
      // A continuation: the public key and the remaining IPs, nothing else.
      CHECK(first_peer.in_order.size() == 2);
      CHECK_FALSE(first_peer.has(WGPEER_A_FLAGS));
      CHECK_FALSE(first_peer.has(WGPEER_A_PRESHARED_KEY));
      CHECK_FALSE(first_peer.has(WGPEER_A_ENDPOINT));
    }
    auto const ips = allowed_ips_of(first_peer);
    sent.insert(sent.end(), ips.begin(), ips.end());
  }
  CHECK(sent == big.allowed_ips);

  KernelModel kernel;
  kernel.peers.push_back({key_of(0xee), {prefix("1.2.3.4/32")}});  // replaced away
  for (auto const& message : built) kernel.apply(message);
  REQUIRE(kernel.peers.size() == 2);
  CHECK(kernel.peers[0].first == big.public_key);
  CHECK(kernel.peers[0].second == big.allowed_ips);
  CHECK(kernel.peers[1].first == small.public_key);
  CHECK(kernel.peers[1].second == small.allowed_ips);
}

TEST_CASE("wireguard SET_DEVICE: many peers split between peers end up identical in the kernel") {
  wireguard::DeviceSettings settings;
  for (int i = 0; i < 60; ++i) {
    wireguard::PeerSettings peer;
    peer.public_key = key_of(static_cast<std::uint8_t>(i + 1));
    peer.endpoint = wireguard::Endpoint{*net::IpAddress::parse("2001:db8::7"), static_cast<std::uint16_t>(1000 + i)};
    peer.allowed_ips = many_v4(static_cast<std::size_t>(i % 7) * 30);
    settings.peers.push_back(peer);
  }
  for (std::size_t const size : {std::size_t{512}, std::size_t{1024}, std::size_t{4096}, std::size_t{8192}}) {
    CAPTURE(size);
    SetDeviceMessages messages(family, "wg0", settings);
    KernelModel kernel;
    for (auto const& message : build_all(messages, size)) kernel.apply(message);
    REQUIRE(kernel.peers.size() == settings.peers.size());
    for (std::size_t i = 0; i < settings.peers.size(); ++i) {
      CHECK(kernel.peers[i].first == settings.peers[i].public_key);
      CHECK(kernel.peers[i].second == settings.peers[i].allowed_ips);
    }
  }
}

TEST_CASE("wireguard SET_DEVICE: a buffer too small for any progress fails instead of looping") {
  wireguard::DeviceSettings settings;
  wireguard::PeerSettings peer;
  peer.public_key = key_of(1);
  peer.allowed_ips = many_v4(3);
  settings.peers = {peer};
  SetDeviceMessages messages(family, "wg0", settings);
  std::vector<std::uint8_t> buffer(64);
  auto first = messages.next(buffer);
  REQUIRE(first.ok());  // the device part alone
  auto const second = messages.next(buffer);
  REQUIRE_FALSE(second.ok());
  CHECK(second.error().code == EMSGSIZE);

  SetDeviceMessages tiny(family, "wg0", settings);
  std::vector<std::uint8_t> nothing(8);
  CHECK_FALSE(tiny.next(nothing).ok());
}

TEST_CASE("wireguard SET_DEVICE: invalid settings are refused before anything is sent, keys unnamed") {
  auto const short_psk = secret_of(0x33, 31);
  wireguard::DeviceSettings settings;
  wireguard::PeerSettings peer;
  peer.public_key = key_of(1);
  peer.preshared_key = &short_psk;
  settings.peers = {peer, peer};
  std::vector<std::uint8_t> buffer(4096);
  auto const result = SetDeviceMessages(family, "wg0", settings).next(buffer);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().message.find("peer 1") != std::string::npos);
  CHECK(result.error().code == EINVAL);
  CHECK_FALSE(SetDeviceMessages(family, "a-name-too-long-for-linux", wireguard::DeviceSettings{}).next(buffer).ok());
  CHECK_FALSE(SetDeviceMessages(family, "", wireguard::DeviceSettings{}).next(buffer).ok());
}

TEST_CASE("wireguard family lookup and GET_DEVICE requests") {
  std::vector<std::uint8_t> buffer(1024);
  auto const lookup = build_resolve_family(buffer);
  REQUIRE(lookup.ok());
  CHECK(netlink_header(*lookup).nlmsg_type == GENL_ID_CTRL);
  CHECK(header_of<genlmsghdr>(*lookup).cmd == CTRL_CMD_GETFAMILY);
  CHECK(message_attributes(netlink_header(*lookup), GENL_HDRLEN).string(CTRL_ATTR_FAMILY_NAME) == "wireguard");

  ReplyStream reply;
  auto& writer = reply.begin(GENL_ID_CTRL, 0, seq);
  writer.put_header<genlmsghdr>()->cmd = CTRL_CMD_NEWFAMILY;
  writer.put_string(CTRL_ATTR_FAMILY_NAME, "wireguard");
  writer.put_u16(CTRL_ATTR_FAMILY_ID, 0x1d);
  reply.end();
  auto const id = parse_family_id(netlink_header(reply.bytes));
  REQUIRE(id.ok());
  CHECK(*id == 0x1d);

  auto const get = build_get_device(buffer, family, "wg0");
  REQUIRE(get.ok());
  CHECK(netlink_header(*get).nlmsg_type == family);
  CHECK(header_of<genlmsghdr>(*get).cmd == WG_CMD_GET_DEVICE);
  CHECK(message_attributes(netlink_header(*get), GENL_HDRLEN).string(WGDEVICE_A_IFNAME) == "wg0");
}

namespace {

// A GET_DEVICE reply shaped like the kernel's: device attributes and peer A with two IPs,
// then A's continuation with two more and peer B, then NLMSG_DONE.
ReplyStream device_dump(std::uint16_t extra_flags = 0) {
  ReplyStream stream;
  auto put_ip = [](MessageWriter& writer, std::string_view text) {
    auto const p = prefix(text);
    auto* const nest = writer.nest_start(0);
    writer.put_u16(WGALLOWEDIP_A_FAMILY, static_cast<std::uint16_t>(p.address.family));
    writer.put(WGALLOWEDIP_A_IPADDR, {p.address.bytes.data(), p.address.size()});
    writer.put_u8(WGALLOWEDIP_A_CIDR_MASK, p.length);
    writer.nest_end(nest);
  };
  auto& first = stream.begin(family, NLM_F_MULTI | extra_flags, seq);
  first.put_header<genlmsghdr>()->cmd = WG_CMD_GET_DEVICE;
  first.put_u32(WGDEVICE_A_IFINDEX, 5);
  first.put_string(WGDEVICE_A_IFNAME, "wg0");
  auto const private_key = key_of(0x11);
  first.put(WGDEVICE_A_PRIVATE_KEY, private_key);
  first.put(WGDEVICE_A_PUBLIC_KEY, key_of(0x12));
  first.put_u16(WGDEVICE_A_LISTEN_PORT, 51820);
  first.put_u32(WGDEVICE_A_FWMARK, 0);
  auto* peers = first.nest_start(WGDEVICE_A_PEERS);
  auto* peer = first.nest_start(0);
  first.put(WGPEER_A_PUBLIC_KEY, key_of(0xa1));
  first.put(WGPEER_A_PRESHARED_KEY, key_of(0));
  sockaddr_in6 endpoint{};
  endpoint.sin6_family = AF_INET6;
  endpoint.sin6_port = htons(51820);
  std::memcpy(&endpoint.sin6_addr, net::IpAddress::parse("2001:db8::1")->bytes.data(), 16);
  first.put(WGPEER_A_ENDPOINT, {reinterpret_cast<std::uint8_t const*>(&endpoint), sizeof endpoint});
  std::int64_t const never[2] = {0, 0};
  first.put(WGPEER_A_LAST_HANDSHAKE_TIME, {reinterpret_cast<std::uint8_t const*>(never), sizeof never});
  std::uint64_t const rx = 1234;
  first.put(WGPEER_A_RX_BYTES, {reinterpret_cast<std::uint8_t const*>(&rx), sizeof rx});
  first.put_u16(WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL, 25);
  first.put_u32(WGPEER_A_PROTOCOL_VERSION, 1);
  auto* ips = first.nest_start(WGPEER_A_ALLOWEDIPS);
  put_ip(first, "10.50.0.0/24");
  put_ip(first, "fd00::/64");
  first.nest_end(ips);
  first.nest_end(peer);
  first.nest_end(peers);
  stream.end();

  auto& second = stream.begin(family, NLM_F_MULTI, seq);
  second.put_header<genlmsghdr>()->cmd = WG_CMD_GET_DEVICE;
  peers = second.nest_start(WGDEVICE_A_PEERS);
  peer = second.nest_start(0);
  second.put(WGPEER_A_PUBLIC_KEY, key_of(0xa1));
  ips = second.nest_start(WGPEER_A_ALLOWEDIPS);
  put_ip(second, "10.60.0.0/16");
  put_ip(second, "192.0.2.1/32");
  second.nest_end(ips);
  second.nest_end(peer);
  peer = second.nest_start(0);
  second.put(WGPEER_A_PUBLIC_KEY, key_of(0xb2));
  second.put(WGPEER_A_PRESHARED_KEY, key_of(0x44));
  std::int64_t const when[2] = {1'700'000'000, 500'000'000};
  second.put(WGPEER_A_LAST_HANDSHAKE_TIME, {reinterpret_cast<std::uint8_t const*>(when), sizeof when});
  second.nest_end(peer);
  second.nest_end(peers);
  stream.end();
  stream.done(seq);
  return stream;
}

}  // namespace

TEST_CASE("wireguard GET_DEVICE: a peer split across messages is merged back") {
  auto const stream = device_dump();
  auto const state = parse_device_dump(stream.bytes, seq, 0);
  REQUIRE_MESSAGE(state.ok(), (state.ok() ? "" : state.error().message));
  CHECK(state->public_key == key_of(0x12));
  CHECK(state->listen_port == 51820);
  REQUIRE(state->peers.size() == 2);
  auto const& a = state->peers[0];
  CHECK(a.public_key == key_of(0xa1));
  CHECK_FALSE(a.has_preshared_key);
  REQUIRE(a.endpoint.has_value());
  CHECK(a.endpoint->to_string() == "[2001:db8::1]:51820");
  CHECK_FALSE(a.last_handshake.has_value());  // all zeros: never
  CHECK(a.rx_bytes == 1234);
  CHECK(a.persistent_keepalive == 25);
  CHECK(a.allowed_ips == std::vector{prefix("10.50.0.0/24"), prefix("fd00::/64"), prefix("10.60.0.0/16"),
                                     prefix("192.0.2.1/32")});
  auto const& b = state->peers[1];
  CHECK(b.has_preshared_key);
  REQUIRE(b.last_handshake.has_value());
  CHECK(std::chrono::duration_cast<std::chrono::milliseconds>(b.last_handshake->time_since_epoch()).count() ==
        1'700'000'000'500);
  CHECK(b.allowed_ips.empty());
}

TEST_CASE("wireguard GET_DEVICE: NLM_F_DUMP_INTR, errors and a missing NLMSG_DONE fail") {
  auto const interrupted = parse_device_dump(device_dump(NLM_F_DUMP_INTR).bytes, seq, 0);
  REQUIRE_FALSE(interrupted.ok());
  CHECK(interrupted.error().code == EINTR);

  ReplyStream missing;
  missing.error(seq, -ENODEV);
  auto const no_device = parse_device_dump(missing.bytes, seq, 0);
  REQUIRE_FALSE(no_device.ok());
  CHECK(no_device.error().code == ENODEV);

  auto unfinished = device_dump().bytes;
  unfinished.resize(unfinished.size() - NLMSG_ALIGN(NLMSG_HDRLEN + sizeof(int)));
  auto const cut = parse_device_dump(unfinished, seq, 0);
  REQUIRE_FALSE(cut.ok());
  CHECK(cut.error().code == EPROTO);

  // A restarted dump starts from nothing.
  DeviceParser parser;
  auto const stream = device_dump();
  REQUIRE(parser.add(netlink_header(stream.bytes)).ok());
  CHECK(parser.state().peers.size() == 1);
  parser.reset();
  CHECK(parser.state().peers.empty());
}

TEST_CASE("wireguard GET_DEVICE: every truncation and corruption is rejected or survived, never a crash") {
  auto const good = device_dump().bytes;
  for (std::size_t size = 0; size < good.size(); ++size) {
    std::vector<std::uint8_t> cut(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(size));
    CHECK_FALSE(parse_device_dump(cut, seq, 0).ok());
  }
  for (std::size_t at = 0; at < good.size(); ++at) {
    auto corrupt = good;
    corrupt[at] ^= 0xff;
    (void)parse_device_dump(corrupt, seq, 0);  // must not crash (ASan/UBSan builds check more)
  }
}

TEST_CASE("wireguard GET_DEVICE: malformed attributes are named") {
  auto const bad_endpoint = [] {
    ReplyStream stream;
    auto& writer = stream.begin(family, NLM_F_MULTI, seq);
    writer.put_header<genlmsghdr>();
    auto* peers = writer.nest_start(WGDEVICE_A_PEERS);
    auto* peer = writer.nest_start(0);
    writer.put(WGPEER_A_PUBLIC_KEY, key_of(1));
    std::array<std::uint8_t, 20> endpoint{};
    writer.put(WGPEER_A_ENDPOINT, endpoint);
    writer.nest_end(peer);
    writer.nest_end(peers);
    stream.end();
    stream.done(seq);
    return stream;
  }();
  auto const result = parse_device_dump(bad_endpoint.bytes, seq, 0);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().code == EBADMSG);
  CHECK(result.error().message.find("endpoint of 20 bytes") != std::string::npos);
}

// Changing single peers of a running device (a hub adding and removing machines): the exact
// UAPI text and the exact SET_DEVICE attributes for a removal and for an update that leaves
// the device and every other peer alone.
#include <linux/genetlink.h>
#include <linux/wireguard.h>

#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "netlink_test_support.hpp"
#include "wireguard/backend.hpp"
#include "wireguard/kernel/messages.hpp"
#include "wireguard/peer_changes.hpp"
#include "wireguard/uapi/protocol.hpp"

using namespace wgs;
using namespace wgs::netlink::testing;
using wgs::netlink::payload;

namespace {

keys::PublicKey key_of(std::uint8_t fill) {
  keys::PublicKey key;
  key.fill(fill);
  return key;
}

std::string hex_of(std::uint8_t fill) { return keys::hex(key_of(fill)); }

wireguard::PeerSettings machine(std::uint8_t fill, std::string_view address) {
  wireguard::PeerSettings peer;
  peer.public_key = key_of(fill);
  peer.allowed_ips = {*net::Prefix::parse(address)};
  return peer;
}

wireguard::PeerSettings removal(std::uint8_t fill) {
  wireguard::PeerSettings peer;
  peer.public_key = key_of(fill);
  peer.remove = true;
  return peer;
}

// Records what set_peers and remove_peers hand the backend.
class RecordingBackend final : public wireguard::Backend {
 public:
  std::string_view name() const override { return "recording"; }
  Status configure(wireguard::DeviceSettings const& settings) override {
    seen.push_back(std::string(wireguard::uapi::encode_set(settings).text()));
    return ok_status();
  }
  Result<wireguard::DeviceState> read() override { return wireguard::DeviceState{}; }
  std::vector<std::string> seen;
};

std::vector<std::vector<std::uint8_t>> kernel_messages(wireguard::DeviceSettings const& settings) {
  wireguard::kernel::SetDeviceMessages messages(0x1d, "hwg0", settings);
  std::vector<std::vector<std::uint8_t>> out;
  std::vector<std::uint8_t> buffer(4096);
  while (!messages.done()) {
    auto const message = messages.next(buffer);
    REQUIRE_MESSAGE(message.ok(), (message.ok() ? "" : message.error().message));
    out.emplace_back(message->begin(), message->end());
    REQUIRE(out.size() < 100);
  }
  return out;
}

Attributes device_of(std::vector<std::uint8_t> const& message) {
  return message_attributes(netlink_header(message), GENL_HDRLEN);
}

}  // namespace

TEST_CASE("UAPI: removing a peer is its key and remove=true, nothing else") {
  wireguard::DeviceSettings settings;
  settings.replace_peers = false;
  settings.peers = {removal(0xaa), machine(0xbb, "10.50.3.7/32")};
  auto const text = std::string(wireguard::uapi::encode_set(settings).text());
  CHECK(text == "set=1\n"
                "public_key=" + hex_of(0xaa) + "\n"
                "remove=true\n"
                "public_key=" + hex_of(0xbb) + "\n"
                "persistent_keepalive_interval=0\n"
                "replace_allowed_ips=true\n"
                "allowed_ip=10.50.3.7/32\n"
                "protocol_version=1\n"
                "\n");
}

TEST_CASE("set_peers and remove_peers touch no device attribute and replace no other peer") {
  RecordingBackend backend;
  REQUIRE(wireguard::set_peers(backend, {machine(0x01, "10.50.3.1/32")}).ok());
  keys::PublicKey const gone[] = {key_of(0x02), key_of(0x03)};
  REQUIRE(wireguard::remove_peers(backend, gone).ok());
  REQUIRE(backend.seen.size() == 2);
  CHECK(backend.seen[0] == "set=1\npublic_key=" + hex_of(0x01) +
                               "\npersistent_keepalive_interval=0\nreplace_allowed_ips=true\n"
                               "allowed_ip=10.50.3.1/32\nprotocol_version=1\n\n");
  CHECK(backend.seen[1] == "set=1\npublic_key=" + hex_of(0x02) + "\nremove=true\npublic_key=" + hex_of(0x03) +
                               "\nremove=true\n\n");
}

TEST_CASE("netlink: a removal is the key and WGPEER_F_REMOVE_ME, beside an update, without REPLACE_PEERS") {
  wireguard::DeviceSettings settings;
  settings.replace_peers = false;
  settings.peers = {removal(0xaa), machine(0xbb, "10.50.3.7/32")};
  auto const built = kernel_messages(settings);
  REQUIRE(built.size() == 1);
  auto const device = device_of(built[0]);
  CHECK_FALSE(device.has(WGDEVICE_A_FLAGS));
  CHECK_FALSE(device.has(WGDEVICE_A_PRIVATE_KEY));
  CHECK_FALSE(device.has(WGDEVICE_A_LISTEN_PORT));
  auto const peers = nested(device.at(WGDEVICE_A_PEERS)).in_order;
  REQUIRE(peers.size() == 2);
  auto const removed = nested(*peers[0]);
  CHECK(payload(removed.at(WGPEER_A_PUBLIC_KEY))[0] == 0xaa);
  CHECK(removed.as<std::uint32_t>(WGPEER_A_FLAGS) == WGPEER_F_REMOVE_ME);
  CHECK(removed.in_order.size() == 2);  // nothing but the key and the flag
  auto const updated = nested(*peers[1]);
  CHECK(updated.as<std::uint32_t>(WGPEER_A_FLAGS) == WGPEER_F_REPLACE_ALLOWEDIPS);
  CHECK(updated.has(WGPEER_A_ALLOWEDIPS));
}

TEST_CASE("netlink: a removal with leftover fields still sends only the key, and is never refused for them") {
  auto peer = machine(0xcc, "10.50.3.9/32");
  peer.remove = true;
  peer.endpoint = wireguard::Endpoint{};  // no address family: would be refused on an update
  wireguard::DeviceSettings settings;
  settings.replace_peers = false;
  settings.peers = {peer};
  auto const built = kernel_messages(settings);
  REQUIRE(built.size() == 1);
  auto const only = nested(*nested(device_of(built[0]).at(WGDEVICE_A_PEERS)).in_order.at(0));
  CHECK(only.in_order.size() == 2);
  CHECK_FALSE(only.has(WGPEER_A_ALLOWEDIPS));
  CHECK_FALSE(only.has(WGPEER_A_ENDPOINT));
}

TEST_CASE("netlink: 500 removals split across messages, none lost or repeated") {
  wireguard::DeviceSettings settings;
  settings.replace_peers = false;
  for (int i = 0; i < 500; ++i) {
    auto peer = removal(0);
    peer.public_key[0] = static_cast<std::uint8_t>(i & 0xff);
    peer.public_key[1] = static_cast<std::uint8_t>(i >> 8);
    settings.peers.push_back(peer);
  }
  auto const built = kernel_messages(settings);
  CHECK(built.size() > 1);
  std::vector<int> seen;
  for (auto const& message : built) {
    for (auto const* entry : nested(device_of(message).at(WGDEVICE_A_PEERS)).in_order) {
      auto const peer = nested(*entry);
      CHECK(peer.as<std::uint32_t>(WGPEER_A_FLAGS) == WGPEER_F_REMOVE_ME);
      auto const key = payload(peer.at(WGPEER_A_PUBLIC_KEY));
      seen.push_back(key[0] | (key[1] << 8));
    }
  }
  REQUIRE(seen.size() == 500);
  for (int i = 0; i < 500; ++i) CHECK(seen[static_cast<std::size_t>(i)] == i);
}

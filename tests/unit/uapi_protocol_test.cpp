// The UAPI text: what we send to a userspace WireGuard and how we read its replies.
#include <doctest/doctest.h>
#include <sodium.h>

#include <string>
#include <vector>

#include "wireguard/uapi/protocol.hpp"

using namespace wgs;

namespace {

Secret key_of(std::uint8_t byte) {
  std::vector<std::uint8_t> bytes(keys::key_size, byte);
  return Secret::from(std::span<std::uint8_t const>(bytes));
}

keys::PublicKey public_of(std::uint8_t byte) {
  keys::PublicKey key{};
  key.fill(byte);
  return key;
}

net::Prefix prefix(std::string_view text) { return *net::Prefix::parse(text); }

wireguard::Endpoint endpoint(std::string_view ip, std::uint16_t port) { return {*net::IpAddress::parse(ip), port}; }

std::string repeat(std::string_view piece, std::size_t times) {
  std::string out;
  for (std::size_t i = 0; i < times; ++i) out += piece;
  return out;
}

// RFC 7748 section 6.1: Alice's private key and the public key it gives.
constexpr std::string_view alice_private = "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a";
constexpr std::string_view alice_public = "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a";

}  // namespace

TEST_CASE("encode_set writes device lines, then each peer, in the order the protocol requires") {
  auto const private_key = key_of(0x11);
  auto const preshared = key_of(0x22);
  wireguard::DeviceSettings settings;
  settings.private_key = &private_key;
  settings.listen_port = 51820;
  settings.fwmark = 51;
  wireguard::PeerSettings hub;
  hub.public_key = public_of(0xab);
  hub.preshared_key = &preshared;
  hub.endpoint = endpoint("2001:db8::1", 51820);
  hub.persistent_keepalive = 25;
  hub.allowed_ips = {prefix("10.50.0.0/24"), prefix("fd00::/64")};
  wireguard::PeerSettings bare;
  bare.public_key = public_of(0xcd);
  settings.peers = {std::move(hub), std::move(bare)};

  auto const request = wireguard::uapi::encode_set(settings);
  std::string const expected = "set=1\n"
                               "private_key=" + repeat("11", 32) + "\n"
                               "listen_port=51820\n"
                               "fwmark=51\n"
                               "replace_peers=true\n"
                               "public_key=" + repeat("ab", 32) + "\n"
                               "preshared_key=" + repeat("22", 32) + "\n"
                               "endpoint=[2001:db8::1]:51820\n"
                               "persistent_keepalive_interval=25\n"
                               "replace_allowed_ips=true\n"
                               "allowed_ip=10.50.0.0/24\n"
                               "allowed_ip=fd00::/64\n"
                               "protocol_version=1\n"
                               "public_key=" + repeat("cd", 32) + "\n"
                               "persistent_keepalive_interval=0\n"
                               "replace_allowed_ips=true\n"
                               "protocol_version=1\n"
                               "\n";
  CHECK(std::string(request.text()) == expected);
}

TEST_CASE("encode_set leaves out what is not set and writes IPv4 endpoints without brackets") {
  wireguard::DeviceSettings settings;
  wireguard::PeerSettings peer;
  peer.public_key = public_of(0x01);
  peer.endpoint = endpoint("192.0.2.7", 443);
  settings.peers = {std::move(peer)};
  auto const text = std::string(wireguard::uapi::encode_set(settings).text());
  CHECK(text.find("private_key") == std::string::npos);
  CHECK(text.find("listen_port") == std::string::npos);
  CHECK(text.find("fwmark") == std::string::npos);
  CHECK(text.find("preshared_key") == std::string::npos);
  CHECK(text.find("endpoint=192.0.2.7:443\n") != std::string::npos);
  CHECK(text.starts_with("set=1\nreplace_peers=true\npublic_key="));
}

TEST_CASE("encode_set without replace_peers updates the listed peers in place (their sessions survive)") {
  wireguard::DeviceSettings settings;
  settings.replace_peers = false;
  wireguard::PeerSettings peer;
  peer.public_key = public_of(0x01);
  peer.endpoint = endpoint("192.0.2.11", 51820);
  settings.peers = {std::move(peer)};
  auto const text = std::string(wireguard::uapi::encode_set(settings).text());
  CHECK(text.find("replace_peers") == std::string::npos);
  CHECK(text.starts_with("set=1\npublic_key=" + repeat("01", 32) + "\nendpoint=192.0.2.11:51820\n"));
}

TEST_CASE("parse_get reads a device with two peers") {
  std::string const reply = "private_key=" + std::string(alice_private) + "\n"
                            "listen_port=51820\n"
                            "fwmark=0\n"
                            "public_key=" + repeat("ab", 32) + "\n"
                            "preshared_key=" + repeat("22", 32) + "\n"
                            "protocol_version=1\n"
                            "endpoint=[2001:db8::1]:51821\n"
                            "last_handshake_time_sec=1700000000\n"
                            "last_handshake_time_nsec=5\n"
                            "tx_bytes=1234\n"
                            "rx_bytes=5678\n"
                            "persistent_keepalive_interval=25\n"
                            "allowed_ip=10.50.0.0/24\n"
                            "allowed_ip=fd00::/64\n"
                            "public_key=" + repeat("cd", 32) + "\n"
                            "preshared_key=" + repeat("00", 32) + "\n"
                            "protocol_version=1\n"
                            "last_handshake_time_sec=0\n"
                            "last_handshake_time_nsec=0\n"
                            "tx_bytes=0\n"
                            "rx_bytes=0\n"
                            "persistent_keepalive_interval=0\n"
                            "errno=0\n"
                            "\n";
  auto const state = wireguard::uapi::parse_get(reply);
  REQUIRE_MESSAGE(state.ok(), (state.ok() ? "" : state.error().message));
  CHECK(keys::hex(state->public_key) == alice_public);
  CHECK(state->listen_port == 51820);
  CHECK(state->fwmark == 0);
  REQUIRE(state->peers.size() == 2);

  auto const& hub = state->peers[0];
  CHECK(hub.public_key == public_of(0xab));
  CHECK(hub.has_preshared_key);
  CHECK(hub.endpoint == endpoint("2001:db8::1", 51821));
  REQUIRE(hub.last_handshake.has_value());
  auto const since_epoch = hub.last_handshake->time_since_epoch();
  CHECK(std::chrono::duration_cast<std::chrono::nanoseconds>(since_epoch).count() == 1700000000000000005LL);
  CHECK(hub.tx_bytes == 1234);
  CHECK(hub.rx_bytes == 5678);
  CHECK(hub.persistent_keepalive == 25);
  CHECK(hub.allowed_ips == std::vector{prefix("10.50.0.0/24"), prefix("fd00::/64")});

  auto const& idle = state->peers[1];
  CHECK_FALSE(idle.has_preshared_key);
  CHECK_FALSE(idle.endpoint.has_value());
  CHECK_FALSE(idle.last_handshake.has_value());  // 0/0 means never
  CHECK(idle.allowed_ips.empty());
}

TEST_CASE("parse_get: a device without a private key, IPv4 endpoint, and keys a newer implementation adds") {
  std::string const reply = "listen_port=0\n"
                            "some_future_device_key=anything at all\n"
                            "public_key=" + repeat("01", 32) + "\n"
                            "endpoint=192.0.2.7:51820\n"
                            "some_future_peer_key=x\n"
                            "errno=0\n\n";
  auto const state = wireguard::uapi::parse_get(reply);
  REQUIRE_MESSAGE(state.ok(), (state.ok() ? "" : state.error().message));
  CHECK(state->public_key == keys::PublicKey{});
  REQUIRE(state->peers.size() == 1);
  CHECK(state->peers[0].endpoint == endpoint("192.0.2.7", 51820));
  CHECK(wireguard::uapi::parse_get("errno=0\n\n").ok());
}

TEST_CASE("errno replies: zero is success, any other number is that errno, whatever its sign") {
  CHECK(wireguard::uapi::parse_set_reply("errno=0\n\n").ok());
  auto const negative = wireguard::uapi::parse_set_reply("errno=-22\n\n");
  REQUIRE_FALSE(negative.ok());
  CHECK(negative.error().code == 22);
  auto const positive = wireguard::uapi::parse_set_reply("errno=98\n\n");
  REQUIRE_FALSE(positive.ok());
  CHECK(positive.error().code == 98);
  auto const from_get = wireguard::uapi::parse_get("errno=-5\n\n");
  REQUIRE_FALSE(from_get.ok());
  CHECK(from_get.error().code == 5);
}

TEST_CASE("malformed replies are errors") {
  std::string const long_line = "x=" + std::string(wireguard::uapi::max_line_length + 10, 'a') + "\nerrno=0\n\n";
  std::string const huge = repeat("allowed_ip=10.0.0.0/8\n", wireguard::uapi::max_reply_size / 20) + "errno=0\n\n";
  for (std::string const& reply : {std::string(""), std::string("\n"), std::string("errno=0\n"),
                                   std::string("errno=0"), std::string("listen_port=1\n\n"),
                                   std::string("errno=abc\n\n"), std::string("errno=\n\n"),
                                   std::string("errno=0 \n\n"), std::string("errno=0\n\nerrno=0\n\n"),
                                   std::string("errno=0\nlisten_port=1\n\n"), std::string("no equals sign\nerrno=0\n\n"),
                                   std::string("=1\nerrno=0\n\n"), long_line, huge}) {
    CAPTURE(reply.substr(0, 40));
    CHECK_FALSE(wireguard::uapi::parse_set_reply(reply).ok());
    CHECK_FALSE(wireguard::uapi::parse_get(reply).ok());
  }
}

TEST_CASE("a malformed value is an error naming its key") {
  std::string const peer = "public_key=" + repeat("ab", 32) + "\n";
  struct Case {
    std::string reply;
    std::string key;
  };
  std::vector<Case> const cases = {
      {"listen_port=12x\nerrno=0\n\n", "listen_port"},
      {"listen_port=70000\nerrno=0\n\n", "listen_port"},
      {"fwmark=-1\nerrno=0\n\n", "fwmark"},
      {"private_key=abc\nerrno=0\n\n", "private_key"},
      {"public_key=" + repeat("zz", 32) + "\nerrno=0\n\n", "public_key"},
      {peer + "endpoint=example.com:51820\nerrno=0\n\n", "endpoint"},
      {peer + "endpoint=2001:db8::1:51820\nerrno=0\n\n", "endpoint"},
      {peer + "endpoint=[192.0.2.1]:51820\nerrno=0\n\n", "endpoint"},
      {peer + "allowed_ip=10.0.0.0/33\nerrno=0\n\n", "allowed_ip"},
      {peer + "rx_bytes=-1\nerrno=0\n\n", "rx_bytes"},
      {peer + "last_handshake_time_nsec=1000000000\nerrno=0\n\n", "last_handshake_time_nsec"},
      {peer + "persistent_keepalive_interval=65536\nerrno=0\n\n", "persistent_keepalive_interval"},
      {peer + "preshared_key=" + repeat("2", 63) + "\nerrno=0\n\n", "preshared_key"},
  };
  for (auto const& c : cases) {
    CAPTURE(c.reply);
    auto const state = wireguard::uapi::parse_get(c.reply);
    REQUIRE_FALSE(state.ok());
    CHECK(state.error().message.find(c.key) != std::string::npos);
  }
}

TEST_CASE("no error message quotes a key, whatever goes wrong after it") {
  std::string const private_line = "private_key=" + std::string(alice_private) + "\n";
  std::string const bad_private = "private_key=" + std::string(alice_private.substr(0, 63)) + "g\n";
  std::string const psk = "preshared_key=" + std::string(alice_private) + "\n";
  std::string const peer = "public_key=" + repeat("ab", 32) + "\n";
  for (std::string const& reply : {bad_private + "errno=0\n\n", private_line + "listen_port=x\nerrno=0\n\n",
                                   private_line + "errno=-22\n\n", private_line + "errno=0\n",
                                   private_line + peer + psk + "endpoint=nope\nerrno=0\n\n",
                                   peer + "preshared_key=" + std::string(alice_private) + "0\nerrno=0\n\n"}) {
    auto const state = wireguard::uapi::parse_get(reply);
    REQUIRE_FALSE(state.ok());
    CAPTURE(state.error().message);
    CHECK(state.error().message.find(alice_private.substr(0, 16)) == std::string::npos);
    CHECK(state.error().message.find(alice_private.substr(40, 16)) == std::string::npos);
  }
}

TEST_CASE("is_complete waits for the empty line") {
  CHECK_FALSE(wireguard::uapi::is_complete(""));
  CHECK_FALSE(wireguard::uapi::is_complete("errno=0\n"));
  CHECK(wireguard::uapi::is_complete("errno=0\n\n"));
  CHECK(wireguard::uapi::is_complete("\n"));
}

TEST_CASE("parse_get reads a reply captured from Debian's wireguard-go 0.0.20220316") {
  // Configured with `wg set`: Alice's private key from RFC 7748, a made-up peer key, and a
  // second peer equal to the device's own public key, which wireguard-go leaves out. It
  // stores the private key clamped.
  std::string const reply = "private_key=70076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c6a\n"
                            "listen_port=51999\n"
                            "fwmark=51\n"
                            "public_key=dd7e6e6eed1450cbda0c4f709b486a599ff1c336911e02accaa7865ec5ca8b8a\n"
                            "preshared_key=0000000000000000000000000000000000000000000000000000000000000000\n"
                            "protocol_version=1\n"
                            "endpoint=[2001:db8::1]:51820\n"
                            "last_handshake_time_sec=0\n"
                            "last_handshake_time_nsec=0\n"
                            "tx_bytes=0\n"
                            "rx_bytes=0\n"
                            "persistent_keepalive_interval=25\n"
                            "allowed_ip=10.50.0.0/24\n"
                            "allowed_ip=fd00::/64\n"
                            "errno=0\n"
                            "\n";
  auto const state = wireguard::uapi::parse_get(reply);
  REQUIRE_MESSAGE(state.ok(), (state.ok() ? "" : state.error().message));
  CHECK(keys::hex(state->public_key) == alice_public);  // `wg show` prints hSDwCYkw...
  CHECK(state->listen_port == 51999);
  CHECK(state->fwmark == 0x33);
  REQUIRE(state->peers.size() == 1);
  auto const& peer = state->peers[0];
  CHECK(keys::encode(peer.public_key) == "3X5ubu0UUMvaDE9wm0hqWZ/xwzaRHgKsyqeGXsXKi4o=");
  CHECK_FALSE(peer.has_preshared_key);
  CHECK(peer.endpoint == endpoint("2001:db8::1", 51820));
  CHECK_FALSE(peer.last_handshake.has_value());
  CHECK(peer.persistent_keepalive == 25);
  CHECK(peer.allowed_ips == std::vector{prefix("10.50.0.0/24"), prefix("fd00::/64")});
}

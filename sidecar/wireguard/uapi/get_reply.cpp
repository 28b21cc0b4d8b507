// Parsing the reply to get=1 (wireguard-go device/uapi.go IpcGetOperation writes it).
#include <algorithm>
#include <chrono>
#include <optional>

#include <fmt/format.h>
#include <sodium.h>

#include "wireguard/uapi/protocol.hpp"
#include "wireguard/uapi/reply_lines.hpp"

namespace wgs::wireguard::uapi {
namespace {

using detail::Line;
using detail::parse_number;

// The whole reply is one device; a peer is open from its public_key to the next one.
struct Reading {
  wireguard::DeviceState device;
  std::uint64_t handshake_sec = 0;
  std::uint32_t handshake_nsec = 0;
};

Error bad_value(std::string_view key, std::string_view expected) {
  // Never the value: for key fields it is a secret, and for the rest it adds nothing.
  return detail::malformed(fmt::format("{} is not {}", key, expected));
}

bool decode_hex_key(std::string_view hex, std::span<std::uint8_t> out) {
  std::size_t length = 0;
  char const* end = nullptr;
  return hex.size() == out.size() * 2 &&
         sodium_hex2bin(out.data(), out.size(), hex.data(), hex.size(), nullptr, &length, &end) == 0 &&
         length == out.size() && end == hex.data() + hex.size();
}

bool is_zero(std::span<std::uint8_t const> bytes) { return sodium_is_zero(bytes.data(), bytes.size()) == 1; }

// "192.0.2.1:51820" or "[2001:db8::1]:51820"; a zone ("%eth0") on a link-local address is dropped.
std::optional<wireguard::Endpoint> parse_endpoint(std::string_view text) {
  auto const colon = text.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  auto host = text.substr(0, colon);
  bool const bracketed = host.size() >= 2 && host.front() == '[' && host.back() == ']';
  if (bracketed) host = host.substr(1, host.size() - 2);
  host = host.substr(0, host.find('%'));
  auto const ip = net::IpAddress::parse(host);
  auto const port = parse_number<std::uint16_t>(text.substr(colon + 1));
  if (!ip || !port || bracketed == ip->is_v4()) return std::nullopt;
  return wireguard::Endpoint{*ip, *port};
}

template <class T>
Status read_number(Line const& line, T& out) {
  auto const number = parse_number<T>(line.value);
  if (!number) return bad_value(line.key, "a decimal number in range");
  out = *number;
  return ok_status();
}

// The monitor reads the device at every probe. A Secret is an mmap, mprotects and an mlock,
// and deriving the public key a scalar multiplication: each thread keeps one guarded buffer
// for the key it decodes and the key it last derived from, and derives again only when the
// private key changed.
struct KeyScratch {
  Secret decoded{keys::key_size};
  Secret derived_from{keys::key_size};
  keys::PublicKey public_key{};
  bool has_derived = false;
};

keys::PublicKey public_key_of(Secret const& private_key, KeyScratch& scratch) {
  if (!scratch.has_derived || !scratch.derived_from.equals(private_key.bytes())) {
    scratch.public_key = keys::derive_public(private_key);
    std::copy(private_key.bytes().begin(), private_key.bytes().end(), scratch.derived_from.bytes().begin());
    scratch.has_derived = true;
  }
  return scratch.public_key;
}

Status read_device_line(Line const& line, wireguard::DeviceState& device) {
  if (line.key == "private_key") {
    thread_local KeyScratch scratch;  // guarded memory, zeroed when the thread ends
    auto& key = scratch.decoded;
    if (!decode_hex_key(line.value, key.bytes())) return bad_value(line.key, "64 hex digits");
    if (!is_zero(key.bytes())) device.public_key = public_key_of(key, scratch);
    return ok_status();
  }
  if (line.key == "listen_port") return read_number(line, device.listen_port);
  if (line.key == "fwmark") return read_number(line, device.fwmark);
  return ok_status();  // a key from a newer implementation
}

// The clock types count nanoseconds in 64 bits: keep seconds well inside that.
constexpr std::uint64_t max_handshake_sec = std::uint64_t{1} << 33;

Status read_handshake_line(Line const& line, Reading& reading) {
  if (line.key == "last_handshake_time_sec") {
    if (!read_number(line, reading.handshake_sec) || reading.handshake_sec > max_handshake_sec) {
      return bad_value(line.key, "a time in seconds");
    }
    return ok_status();
  }
  if (!read_number(line, reading.handshake_nsec) || reading.handshake_nsec >= 1000000000) {
    return bad_value(line.key, "a number of nanoseconds below one second");
  }
  return ok_status();
}

Status read_peer_line(Line const& line, Reading& reading) {
  auto& peer = reading.device.peers.back();
  if (line.key == "preshared_key") {
    thread_local Secret key(keys::key_size);  // guarded, reused (see KeyScratch)
    if (!decode_hex_key(line.value, key.bytes())) return bad_value(line.key, "64 hex digits");
    peer.has_preshared_key = !is_zero(key.bytes());
    return ok_status();
  }
  if (line.key == "endpoint") {
    peer.endpoint = parse_endpoint(line.value);
    return peer.endpoint ? ok_status() : bad_value(line.key, "a numeric address:port");
  }
  if (line.key == "allowed_ip") {
    auto prefix = net::Prefix::parse(line.value);
    if (!prefix) return bad_value(line.key, "an address/length prefix");
    peer.allowed_ips.push_back(*prefix);
    return ok_status();
  }
  if (line.key == "last_handshake_time_sec" || line.key == "last_handshake_time_nsec") {
    return read_handshake_line(line, reading);
  }
  if (line.key == "rx_bytes") return read_number(line, peer.rx_bytes);
  if (line.key == "tx_bytes") return read_number(line, peer.tx_bytes);
  if (line.key == "persistent_keepalive_interval") return read_number(line, peer.persistent_keepalive);
  std::uint32_t ignored = 0;
  if (line.key == "protocol_version") return read_number(line, ignored);
  return ok_status();  // a key from a newer implementation
}

// Zero seconds and nanoseconds mean "never", as `wg show` prints it.
void close_peer(Reading& reading) {
  if (reading.device.peers.empty()) return;
  if (reading.handshake_sec != 0 || reading.handshake_nsec != 0) {
    auto const since_epoch = std::chrono::seconds(reading.handshake_sec) + std::chrono::nanoseconds(reading.handshake_nsec);
    reading.device.peers.back().last_handshake =
        std::chrono::system_clock::time_point(std::chrono::duration_cast<std::chrono::system_clock::duration>(since_epoch));
  }
  reading.handshake_sec = 0;
  reading.handshake_nsec = 0;
}

Status read_line(Line const& line, Reading& reading) {
  if (line.key == "public_key") {
    close_peer(reading);
    wireguard::PeerState peer;
    if (!decode_hex_key(line.value, peer.public_key)) return bad_value(line.key, "64 hex digits");
    reading.device.peers.push_back(std::move(peer));
    return ok_status();
  }
  if (reading.device.peers.empty()) return read_device_line(line, reading.device);
  return read_peer_line(line, reading);
}

}  // namespace

Result<wireguard::DeviceState> parse_get(std::string_view reply) {
  auto lines = detail::split_lines(reply);
  if (!lines) return lines.error();
  if (auto status = detail::check_errno(*lines); !status) return status.error();
  Reading reading;
  for (std::size_t i = 0; i + 1 < lines->size(); ++i) {
    if (auto status = read_line((*lines)[i], reading); !status) return status.error();
  }
  close_peer(reading);
  return std::move(reading.device);
}

}  // namespace wgs::wireguard::uapi

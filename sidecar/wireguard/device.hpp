#pragma once
// What a WireGuard backend (kernel over netlink, userspace over UAPI) is told to set and
// what it reads back — the same plain data for both, so the tunnel code does not care
// which one runs.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "keys/keys.hpp"
#include "keys/secret.hpp"
#include "net/address.hpp"

namespace wgs::wireguard {

// A resolved endpoint: backends take numbers only (the UAPI rejects names).
struct Endpoint {
  net::IpAddress ip;
  std::uint16_t port = 0;
  std::string to_string() const;  // "1.2.3.4:51820" or "[2001:db8::1]:51820"
  bool operator==(Endpoint const&) const = default;
};

struct PeerSettings {
  keys::PublicKey public_key{};
  Secret const* preshared_key = nullptr;  // owned by the Config; nullptr = none
  std::optional<Endpoint> endpoint;
  std::uint16_t persistent_keepalive = 0;  // seconds, 0 = off
  std::vector<net::Prefix> allowed_ips;    // replaces the peer's list
  // Take this peer off the device (a hub forgetting a machine); the fields above but the
  // public key are ignored. Removing a peer the device does not have is not an error.
  bool remove = false;
};

struct DeviceSettings {
  Secret const* private_key = nullptr;  // owned by the Config; never copied elsewhere
  std::optional<std::uint16_t> listen_port;
  std::optional<std::uint32_t> fwmark;
  std::vector<PeerSettings> peers;
  // true: the device ends up with exactly `peers` (the sessions of those it had are dropped);
  // false: the listed peers are updated in place and keep their sessions.
  bool replace_peers = true;
};

struct PeerState {
  keys::PublicKey public_key{};
  bool has_preshared_key = false;
  std::optional<Endpoint> endpoint;
  // Wall-clock time of the latest handshake; nullopt when there has been none.
  std::optional<std::chrono::system_clock::time_point> last_handshake;
  std::uint64_t rx_bytes = 0;
  std::uint64_t tx_bytes = 0;
  std::uint16_t persistent_keepalive = 0;
  std::vector<net::Prefix> allowed_ips;
};

struct DeviceState {
  keys::PublicKey public_key{};  // derived from the private key; zero when none is set
  std::uint16_t listen_port = 0;
  std::uint32_t fwmark = 0;
  std::vector<PeerState> peers;
};

}  // namespace wgs::wireguard

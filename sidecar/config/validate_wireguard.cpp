// Checks that need the whole tunnel configuration: mistakes that each value alone cannot show.
#include <set>

#include "config/load.hpp"

namespace wgs::config {
namespace {

std::string private_key_name(WireGuard const& wg) {
  return wg.source == "environment" ? "WG_PRIVATE_KEY" : wg.source + " (PrivateKey)";
}

std::string peer_name(WireGuard const& wg, std::size_t index, char const* key, char const* variable) {
  if (wg.source == "environment") return variable;
  return fmt::format("{} ([Peer] {} {})", wg.source, index + 1, key);
}

void check_private_key(WireGuard const& wg, Problems& problems) {
  auto const& key = wg.interface.private_key;
  if (key.size() != keys::key_size) return;  // already reported
  if (!keys::looks_clamped(key.bytes())) {
    problems.add(private_key_name(wg),
                 "does not look like a WireGuard private key (keys from `wg genkey` or `wgsidecar genkey` "
                 "have their low 3 bits clear and bit 254 set): was a public key given where the private key belongs?");
  }
  auto const own_public = keys::derive_public(key);
  for (std::size_t i = 0; i < wg.peers.size(); ++i) {
    auto const& peer = wg.peers[i];
    if (key.equals(peer.public_key)) {
      problems.add(private_key_name(wg), "is the same key as the peer's public key; the private key must be this edge's own");
    } else if (peer.public_key == own_public) {
      problems.add(peer_name(wg, i, "PublicKey", "WG_PEER_PUBLIC_KEY"),
                   "is this edge's own public key; it must be the hub's public key");
    }
  }
}

void check_peers(WireGuard const& wg, Problems& problems) {
  if (wg.peers.empty()) problems.add(wg.source, "has no [Peer]: the hub must be configured as a peer");
  std::set<keys::PublicKey> seen;
  for (std::size_t i = 0; i < wg.peers.size(); ++i) {
    auto const& peer = wg.peers[i];
    if (!seen.insert(peer.public_key).second) {
      problems.add(peer_name(wg, i, "PublicKey", "WG_PEER_PUBLIC_KEY"), "names the same peer twice");
    }
    if (wg.source != "environment" && !peer.endpoint) {
      problems.add(peer_name(wg, i, "Endpoint", "WG_PEER_ENDPOINT"),
                   "is missing: the edge starts the tunnel, so it must know where the hub listens");
    }
    for (auto const& prefix : peer.allowed_ips) {
      if (prefix.length == 0) {
        problems.add(peer_name(wg, i, "AllowedIPs", "WG_ALLOWED_IPS"),
                     fmt::format("{} would send all traffic through the hub; list the hub's networks instead "
                                 "(e.g. 10.50.0.0/24)", prefix.to_string()));
      }
    }
  }
}

}  // namespace

void validate_wireguard(WireGuard const& wireguard, Problems& problems) {
  check_private_key(wireguard, problems);
  check_peers(wireguard, problems);
  if (wireguard.interface.addresses.empty()) {
    problems.add(wireguard.source == "environment" ? "WG_ADDRESS" : wireguard.source + " (Address)",
                 "is missing: the tunnel needs this edge's address, e.g. 10.50.3.10/32");
  }
}

}  // namespace wgs::config

// Checks that need the whole tunnel configuration: mistakes that each value alone cannot show.
#include <sys/socket.h>

#include <set>

#include "config/load.hpp"
#include "net/prefix_cover.hpp"

namespace wgs::config {
namespace {

std::string setting_name(WireGuard const& wg, char const* key, char const* variable) {
  return wg.source == "environment" ? variable : fmt::format("{} ({})", wg.source, key);
}

std::string private_key_name(WireGuard const& wg) { return setting_name(wg, "PrivateKey", "WG_PRIVATE_KEY"); }

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
  }
}

std::vector<net::Prefix> every_allowed_ip(WireGuard const& wg) {
  std::vector<net::Prefix> out;
  for (auto const& peer : wg.peers) out.insert(out.end(), peer.allowed_ips.begin(), peer.allowed_ips.end());
  return out;
}

// A route for every address of a family sends the hub's own endpoint into the tunnel too:
// wg-quick makes that work with policy routing, wgsidecar deliberately routes only the hub's
// networks. Pieces that add up (0.0.0.0/1 and 128.0.0.0/1) are the same route.
void check_full_tunnel(WireGuard const& wg, int family, Problems& problems) {
  auto const allowed = every_allowed_ip(wg);
  auto const& addresses = wg.interface.addresses;
  auto everything = allowed;
  everything.insert(everything.end(), addresses.begin(), addresses.end());
  char const* const every = family == AF_INET ? "every IPv4 address (as 0.0.0.0/0 does)" : "every IPv6 address (as ::/0 does)";
  if (net::covers_family(allowed, family)) {
    problems.add(setting_name(wg, "AllowedIPs", "WG_ALLOWED_IPS"),
                 fmt::format("covers {}, which would send all traffic through the hub; list the hub's networks "
                             "instead (e.g. 10.50.0.0/24)", every));
  } else if (net::covers_family(addresses, family)) {
    problems.add(setting_name(wg, "Address", "WG_ADDRESS"),
                 fmt::format("covers {}, which would send all traffic into the tunnel; give this edge's address "
                             "as a host prefix (e.g. 10.50.3.10/32)", every));
  } else if (net::covers_family(everything, family)) {
    problems.add(setting_name(wg, "AllowedIPs", "WG_ALLOWED_IPS"),
                 fmt::format("with the interface's addresses covers {}, which would send all traffic through the "
                             "hub; list the hub's networks instead", every));
  }
}

}  // namespace

void validate_wireguard(WireGuard const& wireguard, Problems& problems) {
  check_private_key(wireguard, problems);
  check_peers(wireguard, problems);
  check_full_tunnel(wireguard, AF_INET, problems);
  check_full_tunnel(wireguard, AF_INET6, problems);
  if (wireguard.interface.addresses.empty()) {
    problems.add(setting_name(wireguard, "Address", "WG_ADDRESS"),
                 "is missing: the tunnel needs this edge's address, e.g. 10.50.3.10/32");
  }
}

}  // namespace wgs::config

#include "wireguard/peer_changes.hpp"

namespace wgs::wireguard {

Status set_peers(Backend& backend, std::vector<PeerSettings> peers) {
  DeviceSettings settings;
  settings.replace_peers = false;
  settings.peers = std::move(peers);
  return backend.configure(settings);
}

Status remove_peers(Backend& backend, std::span<keys::PublicKey const> public_keys) {
  std::vector<PeerSettings> removals;
  for (auto const& key : public_keys) {
    PeerSettings removal;
    removal.public_key = key;
    removal.remove = true;
    removals.push_back(std::move(removal));
  }
  return set_peers(backend, std::move(removals));
}

}  // namespace wgs::wireguard

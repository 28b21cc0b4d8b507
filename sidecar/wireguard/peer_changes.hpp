#pragma once
// Changing a few peers of a running device while every other peer keeps its settings and
// its session: what a hub does when one machine enrolls or leaves among hundreds. Both
// backends take these as a SET without replace_peers (kernel: no WGDEVICE_F_REPLACE_PEERS;
// UAPI: no replace_peers=true) and without device attributes, so the private key, the
// listen port and the other peers are left alone.
#include <span>
#include <vector>

#include "keys/keys.hpp"
#include "util/result.hpp"
#include "wireguard/backend.hpp"
#include "wireguard/device.hpp"

namespace wgs::wireguard {

// Adds each peer, or updates it in place when the device has it (its allowed IPs replaced).
Status set_peers(Backend& backend, std::vector<PeerSettings> peers);

// Takes these peers off the device; keys the device does not have are ignored.
Status remove_peers(Backend& backend, std::span<keys::PublicKey const> public_keys);

}  // namespace wgs::wireguard

#pragma once
// The sealed envelope every enrollment message travels in, and nothing else of the protocol:
//
//   "WGSE" | version 1 | kind | key (32) | nonce (24) | XChaCha20-Poly1305 ciphertext + tag (16)
//
// The first 62 bytes are the associated data. Keys are X25519 (WireGuard's own keys work as
// they are): libsodium's crypto_kx turns the edge's key pair and the hub's public key into
// two session keys (BLAKE2b of the X25519 result and both public keys), the edge being kx's
// client and the hub its server. A message from an edge names the edge's key in `key`; a
// grant to an edge names the edge's key too, and only the holder of the hub's private key
// could have sealed it — that is how the edge authenticates the hub it already pins.
// libsodium only; no construction of our own beyond choosing these two calls.
#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "keys/keys.hpp"
#include "keys/secret.hpp"
#include "util/result.hpp"

namespace wgs::enroll {

enum class Kind : std::uint8_t { enroll = 1, leave = 2, grant = 3 };

using Nonce = std::array<std::uint8_t, 24>;
using Bytes = std::vector<std::uint8_t>;

inline constexpr std::size_t header_size = 4 + 1 + 1 + 32 + 24;
inline constexpr std::size_t tag_size = 16;
// Nothing the protocol sends comes near this; a bigger body is refused unread.
inline constexpr std::size_t max_envelope_size = 512;

struct Header {
  Kind kind = Kind::enroll;
  keys::PublicKey key{};  // the edge's key: a credential (enroll) or a machine key (leave, grant)
  Nonce nonce{};
};

struct KeyPair {
  Secret const& secret;
  keys::PublicKey const& public_key;
};

// The header of `envelope`, checked for magic, version, kind and size; nothing is decrypted.
Result<Header> read_header(std::span<std::uint8_t const> envelope);

// An edge's message to the hub: sealed with kx's client transmit key.
Result<Bytes> seal_from_edge(Kind kind, KeyPair edge, keys::PublicKey const& hub, std::span<std::uint8_t const> plaintext);
Result<Secret> open_from_edge(std::span<std::uint8_t const> envelope, KeyPair hub);

// The hub's answer to an edge's machine key: sealed with kx's server transmit key.
Result<Bytes> seal_to_edge(KeyPair hub, keys::PublicKey const& edge, std::span<std::uint8_t const> plaintext);
Result<Secret> open_to_edge(std::span<std::uint8_t const> envelope, KeyPair edge, keys::PublicKey const& hub);

}  // namespace wgs::enroll

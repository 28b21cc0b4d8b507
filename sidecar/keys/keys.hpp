#pragma once
// WireGuard keys: 32 bytes written as padded standard base64 (44 characters), the way
// `wg genkey`, `wg pubkey` and `wg genpsk` read and write them.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "keys/secret.hpp"
#include "util/result.hpp"

namespace wgs::keys {

inline constexpr std::size_t key_size = 32;
using PublicKey = std::array<std::uint8_t, key_size>;

// Decoding errors describe the text ("is not base64", "decodes to 31 bytes") but never
// quote it, because the text may be a secret.
Result<Secret> decode_secret(std::string_view base64);
Result<PublicKey> decode_public(std::string_view base64);

std::string encode(std::span<std::uint8_t const> key);
std::string hex(std::span<std::uint8_t const> key);  // the UAPI's encoding

Secret generate_private();    // random and clamped, as `wg genkey`
Secret generate_preshared();  // random, not clamped, as `wg genpsk`
PublicKey derive_public(Secret const& private_key);  // X25519 with the base point

// A private key made by `wg genkey` (or any WireGuard tool) is clamped. Raw X25519 output
// (a public key) is clamped-looking only by chance, 1 in 32.
bool looks_clamped(std::span<std::uint8_t const> private_key);

}  // namespace wgs::keys

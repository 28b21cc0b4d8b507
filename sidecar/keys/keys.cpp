#include "keys/keys.hpp"

#include <fmt/format.h>
#include <sodium.h>

namespace wgs::keys {
namespace {

constexpr std::size_t encoded_size = 44;  // 4 * ceil(32 / 3)

Result<Secret> decode_into_secret(std::string_view text) {
  if (text.empty()) return make_error("is empty");
  if (text.size() != encoded_size) {
    return make_error(fmt::format("must be 44 characters of base64 (a 32-byte key), got {} characters",
                                  text.size()));
  }
  Secret bytes(key_size);
  std::size_t decoded = 0;
  if (sodium_base642bin(bytes.bytes().data(), key_size, text.data(), text.size(), nullptr, &decoded,
                        nullptr, sodium_base64_VARIANT_ORIGINAL) != 0 ||
      decoded != key_size) {
    // libsodium also rejects set padding bits, as WireGuard's tools do: one key, one text.
    return make_error("is not valid base64 for a 32-byte key");
  }
  return bytes;
}

void clamp(std::span<std::uint8_t> key) {
  key[0] &= 248;
  key[31] = static_cast<std::uint8_t>((key[31] & 127) | 64);
}

}  // namespace

Result<Secret> decode_secret(std::string_view base64) { return decode_into_secret(base64); }

Result<PublicKey> decode_public(std::string_view base64) {
  auto bytes = decode_into_secret(base64);
  if (!bytes) return bytes.error();
  PublicKey key{};
  std::copy(bytes->bytes().begin(), bytes->bytes().end(), key.begin());
  return key;
}

std::string encode(std::span<std::uint8_t const> key) {
  std::string out(sodium_base64_ENCODED_LEN(key.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), key.data(), key.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);  // drop the NUL libsodium writes
  return out;
}

std::string hex(std::span<std::uint8_t const> key) {
  std::string out(key.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), key.data(), key.size());
  out.resize(key.size() * 2);
  return out;
}

Secret generate_private() {
  Secret key = generate_preshared();
  clamp(key.bytes());
  return key;
}

Secret generate_preshared() {
  Secret key(key_size);
  randombytes_buf(key.bytes().data(), key_size);
  return key;
}

PublicKey derive_public(Secret const& private_key) {
  PublicKey out{};
  if (private_key.size() != key_size) return out;  // none given (an enrollment token instead)
  // crypto_scalarmult_base clamps a copy of the scalar, exactly as `wg pubkey` does.
  if (crypto_scalarmult_base(out.data(), private_key.bytes().data()) != 0) out.fill(0);
  return out;
}

bool looks_clamped(std::span<std::uint8_t const> private_key) {
  return private_key.size() == key_size && (private_key[0] & 7) == 0 && (private_key[31] & 128) == 0 &&
         (private_key[31] & 64) != 0;
}

}  // namespace wgs::keys

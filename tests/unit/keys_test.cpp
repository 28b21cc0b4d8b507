#include <doctest/doctest.h>
#include <sodium.h>

#include <vector>

#include "keys/keys.hpp"

using namespace wgs;

namespace {

std::vector<std::uint8_t> from_hex(std::string_view hex) {
  std::vector<std::uint8_t> out(hex.size() / 2);
  sodium_hex2bin(out.data(), out.size(), hex.data(), hex.size(), nullptr, nullptr, nullptr);
  return out;
}

std::string x25519_hex(std::string_view scalar, std::string_view u) {
  auto const k = from_hex(scalar);
  auto const point = from_hex(u);
  std::array<std::uint8_t, 32> out{};
  REQUIRE(crypto_scalarmult(out.data(), k.data(), point.data()) == 0);
  return keys::hex(out);
}

}  // namespace

TEST_CASE("RFC 7748 section 5.2 X25519 vectors, through the library wgsidecar uses") {
  CHECK(x25519_hex("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4",
                   "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c") ==
        "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552");
  // The top bit of u is set: implementations must mask bit 255.
  CHECK(x25519_hex("4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d",
                   "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493") ==
        "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957");
}

TEST_CASE("RFC 7748 iterated X25519, 1 and 1000 rounds") {
  std::array<std::uint8_t, 32> k{9};
  std::array<std::uint8_t, 32> u{9};
  std::string after_one;
  for (int round = 1; round <= 1000; ++round) {
    std::array<std::uint8_t, 32> next{};
    REQUIRE(crypto_scalarmult(next.data(), k.data(), u.data()) == 0);
    u = k;
    k = next;
    if (round == 1) after_one = keys::hex(k);
  }
  CHECK(after_one == "422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079");
  CHECK(keys::hex(k) == "684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51");
}

TEST_CASE("RFC 7748 section 6.1 keys in WireGuard's base64 derive the published public keys") {
  auto alice = keys::decode_secret("dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo=");
  REQUIRE(alice.ok());
  CHECK(keys::encode(keys::derive_public(*alice)) == "hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=");
  auto bob = keys::decode_secret("XasIfmJKikt54X+Lg4AO5m87sSkmGLb9HC+LJ/+I4Os=");
  REQUIRE(bob.ok());
  CHECK(keys::encode(keys::derive_public(*bob)) == "3p7bfXt9wbTTW2HC7OQ1Nz+DQ8hbeGdNrfx+FG+IK08=");
  CHECK(keys::hex(keys::derive_public(*alice)) == "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
}

TEST_CASE("generated private keys are clamped, preshared keys are not required to be") {
  for (int i = 0; i < 64; ++i) {
    auto const key = keys::generate_private();
    CHECK(keys::looks_clamped(key.bytes()));
    auto const round_trip = keys::decode_secret(keys::encode(key.bytes()));
    REQUIRE(round_trip.ok());
    CHECK(round_trip->equals(key.bytes()));
  }
  CHECK(keys::generate_preshared().size() == 32);
}

TEST_CASE("key decoding rejects bad text without quoting it") {
  struct Case {
    std::string text;
    std::string expected;
  };
  std::vector<Case> const cases = {
      {"", "is empty"},
      {"abc", "must be 44 characters"},
      {"dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo", "must be 44 characters"},
      {"dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LC!=", "is not valid base64"},
      {"dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCp=", "is not valid base64"},
      {"dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25L=Co", "is not valid base64"},
  };
  for (auto const& c : cases) {
    CAPTURE(c.text);
    auto const result = keys::decode_secret(c.text);
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().message.find(c.expected) != std::string::npos);
    if (!c.text.empty()) CHECK(result.error().message.find(c.text) == std::string::npos);
  }
}

TEST_CASE("a Secret formats as (hidden) and zeroes on move") {
  auto secret = Secret::from(std::string_view("hunter2"));
  CHECK(fmt::format("{}", secret) == "(hidden)");
  CHECK(secret.text() == "hunter2");
  CHECK(std::string(secret.c_str()) == "hunter2");
  Secret moved = std::move(secret);
  CHECK(secret.empty());
  CHECK(moved.text() == "hunter2");
  CHECK(moved.clone().equals(moved.bytes()));
}

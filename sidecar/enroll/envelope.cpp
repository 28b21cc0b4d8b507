#include "enroll/envelope.hpp"

#include <sodium.h>

#include <algorithm>
#include <cstring>

namespace wgs::enroll {
namespace {

constexpr std::array<std::uint8_t, 4> magic = {'W', 'G', 'S', 'E'};
constexpr std::uint8_t version = 1;

static_assert(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES == std::tuple_size_v<Nonce>);
static_assert(crypto_aead_xchacha20poly1305_ietf_ABYTES == tag_size);
static_assert(crypto_kx_SESSIONKEYBYTES == crypto_aead_xchacha20poly1305_ietf_KEYBYTES);

enum class Direction { edge_to_hub, hub_to_edge };

// crypto_kx's session key for one direction, in guarded memory. Fails on a low-order
// public key (the X25519 result would be all zeros).
Result<Secret> session_key(KeyPair own, keys::PublicKey const& other, bool own_is_edge, Direction direction) {
  Secret receive(crypto_kx_SESSIONKEYBYTES);
  Secret transmit(crypto_kx_SESSIONKEYBYTES);
  auto* const rx = receive.bytes().data();
  auto* const tx = transmit.bytes().data();
  int const failed = own_is_edge
      ? crypto_kx_client_session_keys(rx, tx, own.public_key.data(), own.secret.bytes().data(), other.data())
      : crypto_kx_server_session_keys(rx, tx, own.public_key.data(), own.secret.bytes().data(), other.data());
  if (failed != 0) return make_error("the key exchange failed (a low-order public key)");
  bool const sending = own_is_edge == (direction == Direction::edge_to_hub);
  return sending ? std::move(transmit) : std::move(receive);
}

Bytes header_bytes(Kind kind, keys::PublicKey const& key, Nonce const& nonce) {
  Bytes out(magic.begin(), magic.end());
  out.push_back(version);
  out.push_back(static_cast<std::uint8_t>(kind));
  out.insert(out.end(), key.begin(), key.end());
  out.insert(out.end(), nonce.begin(), nonce.end());
  return out;
}

Result<Bytes> seal(Kind kind, keys::PublicKey const& named, Secret const& key, std::span<std::uint8_t const> plaintext) {
  Nonce nonce;
  randombytes_buf(nonce.data(), nonce.size());
  auto out = header_bytes(kind, named, nonce);
  out.resize(header_size + plaintext.size() + tag_size);
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(out.data() + header_size, &written, plaintext.data(), plaintext.size(),
                                             out.data(), header_size, nullptr, nonce.data(), key.bytes().data());
  out.resize(header_size + written);
  return out;
}

Result<Secret> open(std::span<std::uint8_t const> envelope, Secret const& key) {
  auto const header = read_header(envelope);
  if (!header) return header.error();
  auto const sealed = envelope.subspan(header_size);
  Secret plaintext(std::max<std::size_t>(sealed.size() - tag_size, 1));
  unsigned long long length = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(plaintext.bytes().data(), &length, nullptr, sealed.data(),
                                                 sealed.size(), envelope.data(), header_size, header->nonce.data(),
                                                 key.bytes().data()) != 0) {
    return make_error("the envelope does not open with this key pair (not sealed for it, or altered)");
  }
  return Secret::from(plaintext.bytes().first(static_cast<std::size_t>(length)));
}

}  // namespace

Result<Header> read_header(std::span<std::uint8_t const> envelope) {
  if (envelope.size() < header_size + tag_size) return make_error("shorter than an envelope");
  if (envelope.size() > max_envelope_size) return make_error("larger than any envelope");
  if (!std::equal(magic.begin(), magic.end(), envelope.begin())) return make_error("not an enrollment envelope");
  if (envelope[4] != version) return make_error("an envelope of another version");
  auto const kind = envelope[5];
  if (kind < 1 || kind > 3) return make_error("an envelope of an unknown kind");
  Header header;
  header.kind = static_cast<Kind>(kind);
  std::memcpy(header.key.data(), envelope.data() + 6, header.key.size());
  std::memcpy(header.nonce.data(), envelope.data() + 38, header.nonce.size());
  return header;
}

Result<Bytes> seal_from_edge(Kind kind, KeyPair edge, keys::PublicKey const& hub, std::span<std::uint8_t const> plaintext) {
  auto key = session_key(edge, hub, true, Direction::edge_to_hub);
  if (!key) return key.error();
  return seal(kind, edge.public_key, *key, plaintext);
}

Result<Secret> open_from_edge(std::span<std::uint8_t const> envelope, KeyPair hub) {
  auto const header = read_header(envelope);
  if (!header) return header.error();
  auto key = session_key(hub, header->key, false, Direction::edge_to_hub);
  if (!key) return key.error();
  return open(envelope, *key);
}

Result<Bytes> seal_to_edge(KeyPair hub, keys::PublicKey const& edge, std::span<std::uint8_t const> plaintext) {
  auto key = session_key(hub, edge, false, Direction::hub_to_edge);
  if (!key) return key.error();
  return seal(Kind::grant, edge, *key, plaintext);
}

Result<Secret> open_to_edge(std::span<std::uint8_t const> envelope, KeyPair edge, keys::PublicKey const& hub) {
  auto const header = read_header(envelope);
  if (!header) return header.error();
  if (header->kind != Kind::grant || header->key != edge.public_key) return make_error("not a grant to this machine");
  auto key = session_key(edge, hub, true, Direction::hub_to_edge);
  if (!key) return key.error();
  return open(envelope, *key);
}

}  // namespace wgs::enroll

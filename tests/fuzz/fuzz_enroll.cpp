// libFuzzer target: whatever reaches the hub's enrollment port — the request parser (header,
// trust, decryption, replay checks) and the message decoders behind the envelope, which
// random bytes never reach through the AEAD, so they are fed directly too. Nothing may
// crash, overrun, or be accepted without a valid seal.
#include <sodium.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "enroll/protocol.hpp"

namespace {

struct Hub {
  wgs::Secret secret = wgs::keys::generate_private();
  wgs::keys::PublicKey public_key = wgs::keys::derive_public(secret);
  wgs::enroll::ReplayGuard guard{wgs::Duration(120'000), 1024};
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  static bool const ready = sodium_init() >= 0;
  static Hub hub;
  if (!ready) std::abort();
  std::span<std::uint8_t const> const input(data, size);
  // Trusting every key makes the parser try to open everything it is given.
  wgs::enroll::Trust const trust{[](auto const&) { return true; }, [](auto const&) { return true; }};
  auto const opened = wgs::enroll::open_request(input, {hub.secret, hub.public_key}, trust, hub.guard, 1'760'000'000'000);
  if (!std::holds_alternative<wgs::enroll::Refusal>(opened)) std::abort();  // no seal, no request
  (void)wgs::enroll::decode_enroll(input);
  (void)wgs::enroll::decode_leave(input);
  (void)wgs::enroll::decode_grant(input);
  return 0;
}

#pragma once
// What travels inside the envelopes (envelope.hpp), as plain data with exact byte layouts.
// Integers are big-endian; text is length-prefixed and limited to characters that are safe
// in a log line. Decoders check every length and character and never read past the input.
//
//   enroll  machine key (32) | sent at, Unix ms (8) | hint: family 0/4 (1) + IPv4 (4) |
//           machine id: length 1..64 (1) + text | region: length 0..32 (1) + text
//   leave   sent at, Unix ms (8)                      (sealed by the machine's own key)
//   grant   request nonce (24) | address IPv4 (4) | preshared key (32) | expire after, s (4) |
//           new peer 0/1 (1)
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "enroll/envelope.hpp"
#include "keys/keys.hpp"
#include "keys/secret.hpp"
#include "net/address.hpp"
#include "util/result.hpp"

namespace wgs::enroll {

inline constexpr std::size_t max_machine_id = 64;
inline constexpr std::size_t max_region = 32;

struct EnrollRequest {
  keys::PublicKey machine_key{};           // the machine's fresh WireGuard key
  std::int64_t sent_at_ms = 0;             // wall clock: the hub refuses stale requests
  std::optional<net::IpAddress> hint;      // the address it had (a hub restarted since)
  std::string machine_id;                  // FLY_MACHINE_ID
  std::string region;                      // FLY_REGION
};

struct LeaveRequest {
  std::int64_t sent_at_ms = 0;
};

struct Grant {
  Nonce request{};                         // the nonce of the request this answers
  net::IpAddress address;                  // the machine's tunnel address (a /32)
  Secret preshared_key;                    // fresh for this lease: the peer's WireGuard PSK
  std::uint32_t expire_after_seconds = 0;  // silence after which the hub forgets the machine
  // The hub's peer for this key is new (it had none, or forgot it): whatever session the
  // machine still holds is unknown to the hub, and only a new handshake helps.
  bool new_peer = true;
};

// Machine ids and regions: letters, digits, '.', '_', '-' (Fly's are hex and three letters).
bool is_safe_label(std::string_view text, std::size_t max_length, bool may_be_empty);

Secret encode(EnrollRequest const& request);
Result<EnrollRequest> decode_enroll(std::span<std::uint8_t const> plaintext);
Secret encode(LeaveRequest const& request);
Result<LeaveRequest> decode_leave(std::span<std::uint8_t const> plaintext);
Secret encode(Grant const& grant);
Result<Grant> decode_grant(std::span<std::uint8_t const> plaintext);

}  // namespace wgs::enroll

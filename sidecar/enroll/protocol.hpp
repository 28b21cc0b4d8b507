#pragma once
// The enrollment protocol's two sides as pure functions on bytes (no sockets, no clock of
// their own): an edge seals a request from its credential (or, to leave, from its machine
// key) to the hub's key; the hub opens it, checks who sent it, when and whether it has seen
// it before, and answers with a grant sealed to the new machine key.
//
// Every way a request can be wrong ends in a Refusal the hub logs and counts by reason; the
// client is only ever told one fixed error, so a prober learns nothing about which check failed.
#include <functional>
#include <string_view>
#include <variant>

#include "enroll/envelope.hpp"
#include "enroll/messages.hpp"
#include "enroll/replay_guard.hpp"

namespace wgs::enroll {

enum class Refusal {
  malformed,        // not an envelope, or not a well-formed message inside one
  unauthenticated,  // an untrusted sender, or sealed for another key, or altered
  stale,            // its time is too far from the hub's
  replayed,         // its nonce was seen before
  busy,             // the replay guard is full
};
std::string_view refusal_name(Refusal refusal);

struct EnrollFrom {
  keys::PublicKey credential{};  // the trusted key that sealed it
  Nonce nonce{};
  EnrollRequest request;
};

struct LeaveFrom {
  keys::PublicKey machine_key{};  // an enrolled machine, leaving
  Nonce nonce{};
};

struct Trust {
  std::function<bool(keys::PublicKey const&)> may_enroll;  // the hub's credentials
  std::function<bool(keys::PublicKey const&)> may_leave;   // its enrolled machines
};

using Opened = std::variant<EnrollFrom, LeaveFrom, Refusal>;

// The hub's side. Untrusted senders are refused before any decryption.
Opened open_request(std::span<std::uint8_t const> body, KeyPair hub, Trust const& trust, ReplayGuard& guard,
                    std::int64_t now_ms);
Result<Bytes> seal_grant(KeyPair hub, keys::PublicKey const& machine, Grant const& grant);

// The edge's side.
struct SealedRequest {
  Bytes body;
  Nonce nonce{};  // the grant must name it
};
Result<SealedRequest> seal_enroll(KeyPair credential, keys::PublicKey const& hub, EnrollRequest const& request);
Result<Bytes> seal_leave(KeyPair machine, keys::PublicKey const& hub, LeaveRequest const& request);
// A grant that opens with the machine key was sealed by the holder of the hub's private key;
// it must also answer `request`.
Result<Grant> open_grant(std::span<std::uint8_t const> body, KeyPair machine, keys::PublicKey const& hub,
                         Nonce const& request);

}  // namespace wgs::enroll

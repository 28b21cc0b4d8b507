#include "enroll/protocol.hpp"

namespace wgs::enroll {
namespace {

Refusal refusal_of(Freshness freshness) {
  switch (freshness) {
    case Freshness::stale: return Refusal::stale;
    case Freshness::replayed: return Refusal::replayed;
    default: return Refusal::busy;
  }
}

bool is_trusted(Header const& header, Trust const& trust) {
  if (header.kind == Kind::enroll) return trust.may_enroll && trust.may_enroll(header.key);
  if (header.kind == Kind::leave) return trust.may_leave && trust.may_leave(header.key);
  return false;  // a grant is never a request
}

template <class Message>
Opened admitted(Message message, Header const& header, std::int64_t sent_at_ms, ReplayGuard& guard,
                std::int64_t now_ms) {
  auto const freshness = guard.admit(header.nonce, sent_at_ms, now_ms);
  if (freshness != Freshness::fresh) return refusal_of(freshness);
  return message;
}

}  // namespace

std::string_view refusal_name(Refusal refusal) {
  switch (refusal) {
    case Refusal::malformed: return "malformed";
    case Refusal::unauthenticated: return "unauthenticated";
    case Refusal::stale: return "stale";
    case Refusal::replayed: return "replayed";
    case Refusal::busy: return "busy";
  }
  return "?";
}

Opened open_request(std::span<std::uint8_t const> body, KeyPair hub, Trust const& trust, ReplayGuard& guard,
                    std::int64_t now_ms) {
  auto const header = read_header(body);
  if (!header) return Refusal::malformed;
  if (!is_trusted(*header, trust)) return Refusal::unauthenticated;
  auto const plaintext = open_from_edge(body, hub);
  if (!plaintext) return Refusal::unauthenticated;
  if (header->kind == Kind::leave) {
    auto const leave = decode_leave(plaintext->bytes());
    if (!leave) return Refusal::malformed;
    return admitted(LeaveFrom{header->key, header->nonce}, *header, leave->sent_at_ms, guard, now_ms);
  }
  auto request = decode_enroll(plaintext->bytes());
  if (!request) return Refusal::malformed;
  auto const sent_at = request->sent_at_ms;
  return admitted(EnrollFrom{header->key, header->nonce, std::move(*request)}, *header, sent_at, guard, now_ms);
}

Result<Bytes> seal_grant(KeyPair hub, keys::PublicKey const& machine, Grant const& grant) {
  auto const plaintext = encode(grant);
  return seal_to_edge(hub, machine, plaintext.bytes());
}

Result<SealedRequest> seal_enroll(KeyPair credential, keys::PublicKey const& hub, EnrollRequest const& request) {
  auto const plaintext = encode(request);
  auto body = seal_from_edge(Kind::enroll, credential, hub, plaintext.bytes());
  if (!body) return body.error();
  auto const header = read_header(*body);
  if (!header) return header.error();
  return SealedRequest{std::move(*body), header->nonce};
}

Result<Bytes> seal_leave(KeyPair machine, keys::PublicKey const& hub, LeaveRequest const& request) {
  auto const plaintext = encode(request);
  return seal_from_edge(Kind::leave, machine, hub, plaintext.bytes());
}

Result<Grant> open_grant(std::span<std::uint8_t const> body, KeyPair machine, keys::PublicKey const& hub,
                         Nonce const& request) {
  auto const plaintext = open_to_edge(body, machine, hub);
  if (!plaintext) return plaintext.error();
  auto grant = decode_grant(plaintext->bytes());
  if (!grant) return grant.error();
  if (grant->request != request) return make_error("a grant for another request");
  return grant;
}

}  // namespace wgs::enroll

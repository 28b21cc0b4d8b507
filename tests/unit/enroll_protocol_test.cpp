// The enrollment protocol from both sides and from an attacker's: what opens, and every way
// a request is refused (each reason counted apart on the hub, one fixed error on the wire).
#include <doctest/doctest.h>

#include <set>
#include <string>
#include <vector>

#include "enroll/protocol.hpp"
#include "enroll/shared_key_signs.hpp"

using namespace wgs;
using namespace wgs::enroll;

namespace {

struct Party {
  Secret secret = keys::generate_private();
  keys::PublicKey public_key = keys::derive_public(secret);
  KeyPair pair() const { return {secret, public_key}; }
};

constexpr std::int64_t now_ms = 1'760'000'000'000;

EnrollRequest request_of(keys::PublicKey const& machine) {
  EnrollRequest request;
  request.machine_key = machine;
  request.sent_at_ms = now_ms;
  request.hint = net::IpAddress::parse("10.50.3.17");
  request.machine_id = "3d8d9016b2e789";
  request.region = "lhr";
  return request;
}

struct Fixture {
  Party hub, credential, machine;
  std::set<keys::PublicKey> credentials{credential.public_key};
  std::set<keys::PublicKey> machines;
  ReplayGuard guard;
  Trust trust{[this](auto const& key) { return credentials.contains(key); },
              [this](auto const& key) { return machines.contains(key); }};

  Opened open(Bytes const& body, std::int64_t at = now_ms) { return open_request(body, hub.pair(), trust, guard, at); }
  Bytes enroll_body(EnrollRequest const& request) { return seal_enroll(credential.pair(), hub.public_key, request)->body; }
};

Refusal refusal(Opened const& opened) {
  REQUIRE(std::holds_alternative<Refusal>(opened));
  return std::get<Refusal>(opened);
}

}  // namespace

TEST_CASE("enroll: the hub opens what a trusted credential sealed, the edge opens the grant") {
  Fixture f;
  auto const sealed = seal_enroll(f.credential.pair(), f.hub.public_key, request_of(f.machine.public_key));
  REQUIRE(sealed.ok());
  CHECK(sealed->body.size() < max_envelope_size);
  auto const opened = f.open(sealed->body);
  REQUIRE(std::holds_alternative<EnrollFrom>(opened));
  auto const& from = std::get<EnrollFrom>(opened);
  CHECK(from.credential == f.credential.public_key);
  CHECK(from.nonce == sealed->nonce);
  CHECK(from.request.machine_key == f.machine.public_key);
  CHECK(from.request.machine_id == "3d8d9016b2e789");
  CHECK(from.request.region == "lhr");
  CHECK(from.request.hint == net::IpAddress::parse("10.50.3.17"));
  CHECK(from.request.sent_at_ms == now_ms);

  Grant grant;
  grant.request = from.nonce;
  grant.address = *net::IpAddress::parse("10.50.3.17");
  grant.preshared_key = keys::generate_preshared();
  grant.expire_after_seconds = 300;
  grant.new_peer = false;  // a renewal: the machine keeps its session
  auto const answer = seal_grant(f.hub.pair(), f.machine.public_key, grant);
  REQUIRE(answer.ok());
  auto const got = open_grant(*answer, f.machine.pair(), f.hub.public_key, sealed->nonce);
  REQUIRE_MESSAGE(got.ok(), (got.ok() ? "" : got.error().message));
  CHECK(got->address == grant.address);
  CHECK(got->preshared_key.equals(grant.preshared_key.bytes()));
  CHECK(got->expire_after_seconds == 300);
  CHECK_FALSE(got->new_peer);
}

TEST_CASE("enroll: a grant proves the hub — not another key, not to another machine, not for another request") {
  Fixture f;
  Party impostor, other_machine;
  Grant grant;
  grant.address = *net::IpAddress::parse("10.50.3.2");
  grant.preshared_key = keys::generate_preshared();
  Nonce asked{};
  asked[0] = 1;
  grant.request = asked;
  auto const forged = seal_grant(impostor.pair(), f.machine.public_key, grant);
  CHECK_FALSE(open_grant(*forged, f.machine.pair(), f.hub.public_key, asked).ok());
  auto const elsewhere = seal_grant(f.hub.pair(), other_machine.public_key, grant);
  CHECK_FALSE(open_grant(*elsewhere, f.machine.pair(), f.hub.public_key, asked).ok());
  auto const genuine = seal_grant(f.hub.pair(), f.machine.public_key, grant);
  Nonce other_request{};
  CHECK_FALSE(open_grant(*genuine, f.machine.pair(), f.hub.public_key, other_request).ok());
  CHECK(open_grant(*genuine, f.machine.pair(), f.hub.public_key, asked).ok());
}

TEST_CASE("enroll: every bad request is refused with its reason") {
  struct Case {
    char const* name;
    std::function<Bytes(Fixture&)> body;
    Refusal expected;
  };
  auto const flip = [](Bytes body, std::size_t at) {
    body.at(at) ^= 0x01;
    return body;
  };
  std::vector<Case> const cases = {
      {"an untrusted credential",
       [](Fixture& f) {
         Party stranger;
         return seal_enroll(stranger.pair(), f.hub.public_key, request_of(f.machine.public_key))->body;
       },
       Refusal::unauthenticated},
      {"sealed to another hub's key (a wrong WG_PEER_PUBLIC_KEY)",
       [](Fixture& f) {
         Party other_hub;
         return seal_enroll(f.credential.pair(), other_hub.public_key, request_of(f.machine.public_key))->body;
       },
       Refusal::unauthenticated},
      {"a ciphertext byte altered", [&](Fixture& f) { return flip(f.enroll_body(request_of(f.machine.public_key)), header_size + 3); },
       Refusal::unauthenticated},
      {"the nonce altered", [&](Fixture& f) { return flip(f.enroll_body(request_of(f.machine.public_key)), 40); },
       Refusal::unauthenticated},
      {"the tag altered", [&](Fixture& f) {
         auto body = f.enroll_body(request_of(f.machine.public_key));
         return flip(body, body.size() - 1);
       }, Refusal::unauthenticated},
      {"the kind changed to leave", [&](Fixture& f) { return flip(f.enroll_body(request_of(f.machine.public_key)), 5) ; },
       Refusal::malformed},
      {"a grant sent as a request", [](Fixture& f) {
         Grant grant;
         grant.address = *net::IpAddress::parse("10.50.3.2");
         grant.preshared_key = keys::generate_preshared();
         return *seal_grant(f.hub.pair(), f.credential.public_key, grant);
       }, Refusal::unauthenticated},
      {"a leave from a machine the hub never enrolled", [](Fixture& f) {
         return *seal_leave(f.machine.pair(), f.hub.public_key, {now_ms});
       }, Refusal::unauthenticated},
      {"truncated", [&](Fixture& f) {
         auto body = f.enroll_body(request_of(f.machine.public_key));
         body.resize(header_size + 10);
         return body;
       }, Refusal::malformed},
      {"too large", [&](Fixture& f) {
         auto body = f.enroll_body(request_of(f.machine.public_key));
         body.resize(max_envelope_size + 1);
         return body;
       }, Refusal::malformed},
      {"not an envelope", [](Fixture&) { return Bytes(100, 'A'); }, Refusal::malformed},
      {"empty", [](Fixture&) { return Bytes(); }, Refusal::malformed},
      {"sent 121 s ago", [&](Fixture& f) {
         auto request = request_of(f.machine.public_key);
         request.sent_at_ms = now_ms - 121'000;
         return f.enroll_body(request);
       }, Refusal::stale},
      {"sent 121 s in the future", [&](Fixture& f) {
         auto request = request_of(f.machine.public_key);
         request.sent_at_ms = now_ms + 121'000;
         return f.enroll_body(request);
       }, Refusal::stale},
      {"a machine id with a newline (log injection)", [&](Fixture& f) {
         auto request = request_of(f.machine.public_key);
         request.machine_id = "abc\nlevel=error";
         return f.enroll_body(request);
       }, Refusal::malformed},
      {"an empty machine id", [&](Fixture& f) {
         auto request = request_of(f.machine.public_key);
         request.machine_id.clear();
         return f.enroll_body(request);
       }, Refusal::malformed},
      {"a well-sealed plaintext too short", [](Fixture& f) {
         std::uint8_t const junk[5] = {1, 2, 3, 4, 5};
         return *seal_from_edge(Kind::enroll, f.credential.pair(), f.hub.public_key, junk);
       }, Refusal::malformed},
  };
  for (auto const& c : cases) {
    CAPTURE(c.name);
    Fixture f;
    CHECK(refusal_name(refusal(f.open(c.body(f)))) == refusal_name(c.expected));
  }
}

TEST_CASE("enroll: a captured request is refused when sent again, even much later") {
  Fixture f;
  auto const body = f.enroll_body(request_of(f.machine.public_key));
  CHECK(std::holds_alternative<EnrollFrom>(f.open(body)));
  CHECK(refusal(f.open(body)) == Refusal::replayed);
  CHECK(refusal(f.open(body, now_ms + 60'000)) == Refusal::replayed);
  CHECK(refusal(f.open(body, now_ms + 130'000)) == Refusal::stale);  // forgotten, but too old
}

TEST_CASE("enroll: an enrolled machine may leave, once") {
  Fixture f;
  f.machines.insert(f.machine.public_key);
  auto const body = *seal_leave(f.machine.pair(), f.hub.public_key, {now_ms});
  auto const opened = f.open(body);
  REQUIRE(std::holds_alternative<LeaveFrom>(opened));
  CHECK(std::get<LeaveFrom>(opened).machine_key == f.machine.public_key);
  CHECK(refusal(f.open(body)) == Refusal::replayed);
}

TEST_CASE("ReplayGuard: the window's edges, forgetting, and a full guard refusing rather than forgetting") {
  ReplayGuard guard(Duration(1000), 3);
  auto nonce = [](std::uint8_t n) {
    Nonce out{};
    out[0] = n;
    return out;
  };
  CHECK(guard.admit(nonce(1), 10'000, 11'000) == Freshness::fresh);   // exactly the window
  CHECK(guard.admit(nonce(2), 12'000, 11'000) == Freshness::fresh);   // ahead, within it
  CHECK(guard.admit(nonce(3), 9'999, 11'000) == Freshness::stale);
  CHECK(guard.admit(nonce(4), 12'001, 11'000) == Freshness::stale);
  CHECK(guard.admit(nonce(1), 10'500, 11'000) == Freshness::replayed);
  CHECK(guard.admit(nonce(5), 11'000, 11'000) == Freshness::fresh);
  CHECK(guard.admit(nonce(6), 11'000, 11'000) == Freshness::full);
  CHECK(guard.remembered() == 3);
  CHECK(guard.admit(nonce(6), 11'500, 11'001) == Freshness::fresh);  // nonce 1 aged out
  CHECK(guard.remembered() == 3);
}

TEST_CASE("messages: every truncation of each message is refused, never read past") {
  Party machine;
  auto const request = encode(request_of(machine.public_key));
  for (std::size_t n = 0; n < request.size(); ++n) CHECK_FALSE(decode_enroll(request.bytes().first(n)).ok());
  CHECK(decode_enroll(request.bytes()).ok());
  Grant grant;
  grant.address = *net::IpAddress::parse("10.50.3.9");
  grant.preshared_key = keys::generate_preshared();
  auto const granted = encode(grant);
  for (std::size_t n = 0; n < granted.size(); ++n) CHECK_FALSE(decode_grant(granted.bytes().first(n)).ok());
  CHECK(decode_grant(granted.bytes()).ok());
  std::vector<std::uint8_t> longer(granted.bytes().begin(), granted.bytes().end());
  longer.push_back(0);
  CHECK_FALSE(decode_grant(longer).ok());
}

TEST_CASE("messages: labels are log-safe") {
  CHECK(is_safe_label("3d8d9016b2e789", max_machine_id, false));
  CHECK(is_safe_label("", max_region, true));
  CHECK_FALSE(is_safe_label("", max_machine_id, false));
  CHECK_FALSE(is_safe_label("a b", max_machine_id, false));
  CHECK_FALSE(is_safe_label("a\"b", max_machine_id, false));
  CHECK_FALSE(is_safe_label(std::string(65, 'a'), max_machine_id, false));
}

TEST_CASE("SharedKeySigns: unanswered pings while the hub keeps making new handshakes") {
  using namespace std::chrono_literals;
  auto const t0 = SharedKeySigns::Clock::now();
  auto const at = [&](int second) { return t0 + std::chrono::seconds(second); };
  SUBCASE("healthy: a handshake every two minutes, pings answered") {
    SharedKeySigns signs;
    for (int s = 0; s < 600; s += 10) CHECK_FALSE(signs.observe(at(s), true, Duration((s % 120) * 1000 + 500)));
  }
  SUBCASE("a blocked path: pings fail and the handshake only ages") {
    SharedKeySigns signs;
    for (int s = 0; s < 300; s += 10) CHECK_FALSE(signs.observe(at(s), false, Duration(s * 1000 + 500)));
  }
  SUBCASE("shared: a new handshake every 15 s, pings failing, some answered") {
    SharedKeySigns signs;
    std::optional<std::string> warning;
    for (int s = 0; s <= 60 && !warning; s += 5) warning = signs.observe(at(s), s % 15 == 5, Duration((s % 15) * 1000 + 500));
    REQUIRE(warning);
    CHECK(warning->find("same private key") != std::string::npos);
    CHECK_FALSE(signs.observe(at(65), false, Duration(500)));  // said once, not every probe
  }
}

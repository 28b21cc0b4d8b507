// The hub's bookkeeping without a device: addresses, leases, the per-source rate limit, the
// shared-key watch, and the HUB_* settings.
#include <doctest/doctest.h>

#include <set>

#include <fmt/format.h>

#include "hub/endpoint_watch.hpp"
#include "hub/leases.hpp"
#include "hub/pool.hpp"
#include "hub/rate_limit.hpp"
#include "config/wg_quick.hpp"
#include "hub/settings.hpp"

using namespace wgs;
using namespace wgs::hub;
using namespace std::chrono_literals;

namespace {

net::IpAddress ip(std::string_view text) { return *net::IpAddress::parse(text); }
net::Prefix prefix(std::string_view text) { return *net::Prefix::parse(text); }

keys::PublicKey key_of(std::uint8_t fill) {
  keys::PublicKey key;
  key.fill(fill);
  return key;
}

enroll::EnrollRequest request(std::string id, std::uint8_t key, std::optional<std::string_view> hint = {}) {
  enroll::EnrollRequest out;
  out.machine_id = std::move(id);
  out.machine_key = key_of(key);
  out.region = "lhr";
  if (hint) out.hint = ip(*hint);
  return out;
}

Leases small_leases(std::string_view range = "10.50.3.0/29") {
  return Leases(Pool(prefix(range), {prefix("10.50.3.1/32")}), {key_of(0xee)});
}

Lease const& granted(std::variant<Granted, GrantRefusal> const& result) {
  REQUIRE(std::holds_alternative<Granted>(result));
  return *std::get<Granted>(result).lease;
}

}  // namespace

TEST_CASE("Pool: usable addresses leave out network, broadcast and reserved ones") {
  Pool const pool(prefix("10.50.3.0/29"), {prefix("10.50.3.1/32"), prefix("10.50.3.4/31")});
  CHECK(pool.capacity() == 3);  // .2 .3 .6
  for (auto const* text : {"10.50.3.0", "10.50.3.1", "10.50.3.4", "10.50.3.5", "10.50.3.7", "10.50.4.2"}) {
    CAPTURE(text);
    CHECK_FALSE(pool.is_usable(ip(text)));
  }
  CHECK(pool.is_usable(ip("10.50.3.6")));
  auto const none = [](net::IpAddress const&) { return false; };
  CHECK(pool.choose("m", ip("10.50.3.6"), none) == ip("10.50.3.6"));
  CHECK(pool.choose("m", ip("10.50.3.1"), none) != ip("10.50.3.1"));  // a reserved hint is ignored
  auto const all = [](net::IpAddress const&) { return true; };
  CHECK_FALSE(pool.choose("m", std::nullopt, all));
}

TEST_CASE("Pool: a machine id picks the same start every time; taken addresses are skipped") {
  Pool const pool(prefix("10.50.3.0/24"), {});
  auto const none = [](net::IpAddress const&) { return false; };
  auto const first = pool.choose("3d8d9016b2e789", std::nullopt, none);
  CHECK(first == pool.choose("3d8d9016b2e789", std::nullopt, none));
  std::set<std::string> spread;
  for (int i = 0; i < 20; ++i) spread.insert(pool.choose(fmt::format("machine{}", i), std::nullopt, none)->to_string());
  CHECK(spread.size() > 15);  // ids spread over the pool instead of queueing at .1
  auto const taken = [&](net::IpAddress const& a) { return a == *first; };
  CHECK(pool.choose("3d8d9016b2e789", std::nullopt, taken) != first);
}

TEST_CASE("Leases: new, renewed, new key; an address is never given twice while its lease lives") {
  auto leases = small_leases();
  auto const now = Clock::now();
  auto const& a = granted(leases.grant(request("a", 1, "10.50.3.2"), now));
  CHECK(a.address == ip("10.50.3.2"));
  auto const& b = granted(leases.grant(request("b", 2, "10.50.3.2"), now));  // wants a's address
  CHECK(b.address != ip("10.50.3.2"));
  auto const renewed = leases.grant(request("a", 1), now + 5s);
  CHECK(std::get<Granted>(renewed).kind == GrantKind::renewed);
  CHECK(std::get<Granted>(renewed).lease->address == ip("10.50.3.2"));
  auto const restarted = leases.grant(request("a", 3), now + 10s);
  REQUIRE(std::holds_alternative<Granted>(restarted));
  CHECK(std::get<Granted>(restarted).kind == GrantKind::new_key);
  CHECK(std::get<Granted>(restarted).dropped_key == key_of(1));
  CHECK(std::get<Granted>(restarted).lease->address == ip("10.50.3.2"));
  CHECK_FALSE(leases.has_key(key_of(1)));
  CHECK(leases.has_key(key_of(3)));
  CHECK(leases.size() == 2);
}

TEST_CASE("Leases: one machine cannot take another's key, nor the hub's or a static peer's") {
  auto leases = small_leases();
  auto const now = Clock::now();
  granted(leases.grant(request("a", 1), now));
  CHECK(std::get<GrantRefusal>(leases.grant(request("b", 1), now)) == GrantRefusal::key_taken);
  CHECK(std::get<GrantRefusal>(leases.grant(request("c", 0xee), now)) == GrantRefusal::key_taken);
}

TEST_CASE("Leases: a full pool refuses; a leave frees the address at once") {
  auto leases = small_leases();  // .2 .3 .4 .5 .6 usable
  auto const now = Clock::now();
  for (int i = 0; i < 5; ++i) granted(leases.grant(request(fmt::format("m{}", i), static_cast<std::uint8_t>(i + 10)), now));
  CHECK(std::get<GrantRefusal>(leases.grant(request("late", 99), now)) == GrantRefusal::pool_full);
  auto const gone = leases.release(key_of(12));
  REQUIRE(gone);
  CHECK(gone->machine_id == "m2");
  CHECK(granted(leases.grant(request("late", 99), now)).address == gone->address);
  CHECK_FALSE(leases.release(key_of(12)));
}

TEST_CASE("Leases: signs of life keep a lease; silence for expire_after ends it") {
  auto leases = small_leases();
  auto const t0 = Clock::now();
  granted(leases.grant(request("alive", 1), t0));
  granted(leases.grant(request("dead", 2), t0));
  granted(leases.grant(request("never", 3), t0));
  wireguard::PeerState alive;
  alive.public_key = key_of(1);
  wireguard::PeerState dead;
  dead.public_key = key_of(2);
  dead.last_handshake = std::chrono::system_clock::now();
  for (int second = 10; second <= 60; second += 10) {
    alive.rx_bytes += 100;  // keepalives
    leases.observe({alive, dead}, t0 + std::chrono::seconds(second));
  }
  // dead's one handshake was news at the first look (10 s) and never again.
  auto const first = leases.expire(t0 + 69s, 60s);
  REQUIRE(first.size() == 1);
  CHECK(first[0].machine_id == "never");  // silent since its grant
  auto const second = leases.expire(t0 + 71s, 60s);
  REQUIRE(second.size() == 1);
  CHECK(second[0].machine_id == "dead");
  CHECK(leases.size() == 1);
  CHECK(leases.copy_of("alive"));
  CHECK_FALSE(leases.has_key(key_of(2)));
}

TEST_CASE("Leases: undo puts back what a failed device change replaced") {
  auto leases = small_leases();
  auto const now = Clock::now();
  granted(leases.grant(request("a", 1), now));
  auto previous = leases.copy_of("a");
  auto const result = leases.grant(request("a", 2), now);
  leases.undo(std::get<Granted>(result), std::move(previous));
  CHECK(leases.has_key(key_of(1)));
  CHECK_FALSE(leases.has_key(key_of(2)));
  auto const fresh = leases.grant(request("b", 3), now);
  leases.undo(std::get<Granted>(fresh), std::nullopt);
  CHECK_FALSE(leases.has_key(key_of(3)));
  CHECK(leases.size() == 1);
}

TEST_CASE("RateLimit: a burst, then the rate; sources apart; a bounded table") {
  RateLimit limit(10, 20, 2);
  auto const t0 = RateLimit::Clock::now();
  int allowed = 0;
  for (int i = 0; i < 30; ++i) allowed += limit.allow(ip("192.0.2.1"), t0) ? 1 : 0;
  CHECK(allowed == 20);
  for (int i = 0; i < 5; ++i) CHECK(limit.allow(ip("192.0.2.2"), t0));  // another source has its own bucket
  CHECK_FALSE(limit.allow(ip("192.0.2.1"), t0 + 50ms));
  CHECK(limit.allow(ip("192.0.2.1"), t0 + 100ms));
  CHECK_FALSE(limit.allow(ip("192.0.2.3"), t0 + 100ms));  // table full of busy sources
  CHECK(limit.allow(ip("192.0.2.3"), t0 + 10s));           // once they refilled, forgotten
}

TEST_CASE("EndpointWatch: roaming once is fine; flipping between two machines is a shared key") {
  EndpointWatch watch(4, 120s);
  auto const t0 = EndpointWatch::Clock::now();
  auto const at = [](std::string_view address, std::uint16_t port) {
    return std::optional(wireguard::Endpoint{ip(address), port});
  };
  CHECK_FALSE(watch.observe(key_of(1), at("198.51.100.7", 1000), t0));
  CHECK_FALSE(watch.observe(key_of(1), at("198.51.100.9", 1000), t0 + 5s));  // NAT rebinding
  for (int i = 0; i < 20; ++i) CHECK_FALSE(watch.observe(key_of(1), at("198.51.100.9", 1000), t0 + 10s));
  CHECK(watch.suspected() == 0);
  std::optional<SharedKey> alarm;
  for (int i = 0; i < 6 && !alarm; ++i) {
    alarm = watch.observe(key_of(2), at("203.0.113.5", static_cast<std::uint16_t>(i % 2 ? 40001 : 40002)),
                          t0 + std::chrono::seconds(5 * i));
  }
  REQUIRE(alarm);
  CHECK(alarm->endpoints == std::set<std::string>{"203.0.113.5:40001", "203.0.113.5:40002"});
  CHECK(watch.suspected() == 1);
  CHECK_FALSE(watch.observe(key_of(2), at("203.0.113.5", 40002), t0 + 40s));  // one alarm per episode
  watch.observe(key_of(2), at("203.0.113.5", 40002), t0 + 400s);            // quiet: episode over
  CHECK(watch.suspected() == 0);
}

TEST_CASE("hub settings: defaults, and every problem named at once without a secret") {
  auto const key = keys::encode(keys::generate_private().bytes());
  auto const trusted = keys::encode(keys::derive_public(keys::generate_private()));
  auto const loaded = read_settings({{"HUB_PRIVATE_KEY", key.c_str()}, {"HUB_TRUST", trusted.c_str()}});
  CHECK(loaded.problems.empty());
  auto const& s = loaded.settings;
  CHECK(s.pool == prefix("10.50.3.0/24"));
  CHECK(s.wireguard.interface.addresses == std::vector{*net::Prefix::parse("10.50.0.1/24")});
  CHECK(s.wireguard.interface.listen_port == 51820);
  CHECK(s.enroll_listen->to_string() == "0.0.0.0:51820");
  CHECK(s.health_listen->to_string() == "127.0.0.1:9090");
  CHECK(s.expire_after == Duration(300'000));
  CHECK(s.credentials.size() == 1);

  auto const bad = read_settings({{"HUB_PRIVATE_KEY", "not-a-key"},
                                  {"HUB_POOL", "10.50.3.0/31"},
                                  {"HUB_EXPIRE_AFTER", "10s"},
                                  {"HUB_TRUST", "nope"},
                                  {"HUB_ENROLL_ADDR", "somewhere"},
                                  {"HUB_TYPO", "1"}});
  std::set<std::string> where;
  for (auto const& problem : bad.problems.list()) {
    where.insert(problem.where);
    CHECK(problem.what.find("not-a-key") == std::string::npos);
  }
  CHECK(where == std::set<std::string>{"HUB_PRIVATE_KEY", "HUB_POOL", "HUB_EXPIRE_AFTER", "HUB_TRUST",
                                       "HUB_ENROLL_ADDR", "HUB_TYPO"});
  auto const none = read_settings({});
  CHECK(none.problems.list().size() == 2);  // the key, and nobody could enroll

  // Empty is a mistake, not the default: unset a variable to get its default.
  auto const empty = read_settings({{"HUB_PRIVATE_KEY", key.c_str()}, {"HUB_TRUST", trusted.c_str()}, {"HUB_POOL", ""},
                                    {"HUB_EXPIRE_AFTER", " "}});
  std::set<std::string> empty_where;
  for (auto const& problem : empty.problems.list()) empty_where.insert(problem.where);
  CHECK(empty_where == std::set<std::string>{"HUB_POOL", "HUB_EXPIRE_AFTER"});
}

TEST_CASE("hub static peers: a seed hub's whole wg0.conf, PostUp lines and all, gives its peers") {
  auto const edge = keys::encode(keys::derive_public(keys::generate_private()));
  std::string const conf = "[Interface]\nAddress = 10.50.0.1/24\nListenPort = 51820\n"
                           "PostUp = wg set %i private-key /etc/wireguard/hub.key\n"
                           "PostUp = iptables -t nat -A PREROUTING -i %i -p tcp --dport 5432 -j DNAT\n"
                           "[Peer]\n# the Fly edge\nPublicKey = " + edge + "\nAllowedIPs = 10.50.3.10/32\n"
                           "PersistentKeepalive = 25\n";
  config::Problems problems;
  auto const peers = config::parse_wg_quick_peers(conf, "wg0.conf", problems);
  CHECK(problems.empty());
  REQUIRE(peers.size() == 1);
  CHECK(keys::encode(peers[0].public_key) == edge);
  CHECK(peers[0].allowed_ips == std::vector{prefix("10.50.3.10/32")});
  config::Problems bad;
  config::parse_wg_quick_peers("[Peer]\nAllowedIPs = 10.50.3.10/32\nDNS = 1.1.1.1\n", "wg0.conf", bad);
  CHECK(bad.list().size() == 2);  // no PublicKey; DNS is not a key of [Peer]
}

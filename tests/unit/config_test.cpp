#include <doctest/doctest.h>

#include <algorithm>

#include <fmt/ranges.h>

#include "config/describe.hpp"
#include "config/fields.hpp"
#include "config/load.hpp"
#include "keys/keys.hpp"

using namespace wgs;
using config::Environment;

namespace {

// The keys published in the seed document (made by `wg genkey`), so failures are reproducible.
constexpr char const* edge_private = "QHgup1SNdoXT2X1SH8OoKbIhQfayX/7+lGCDNcmyPHY=";
constexpr char const* edge_public = "92tt1di3bnUt9C5JGTW6CifmkebGmzAx5A4Rv+pXaCg=";
constexpr char const* hub_public = "Q9T4p88puHFgI8P8vLGjECvoXr85o5uncZQ2G35vE14=";

Environment seed_environment() {
  return {{"WG_PRIVATE_KEY", edge_private},
          {"WG_PEER_PUBLIC_KEY", hub_public},
          {"WG_PEER_ENDPOINT", "203.0.113.7:51820"},
          {"DB_HOST", "10.50.0.1"},
          {"DB_PASSWORD", "EdgeProxy2024"}};
}

std::vector<std::string> problem_texts(config::Loaded const& loaded) {
  std::vector<std::string> out;
  for (auto const& p : loaded.problems.list()) out.push_back(p.to_string());
  return out;
}

bool has_problem(config::Loaded const& loaded, std::string const& where, std::string const& fragment) {
  auto const& list = loaded.problems.list();
  return std::any_of(list.begin(), list.end(), [&](auto const& p) {
    return p.where == where && p.what.find(fragment) != std::string::npos;
  });
}

}  // namespace

TEST_CASE("the seed's secrets give the seed's tunnel and database") {
  auto const loaded = config::load(seed_environment());
  INFO(fmt::format("{}", fmt::join(problem_texts(loaded), "\n")));
  REQUIRE(loaded.problems.empty());
  auto const& wg = loaded.config.wireguard;
  CHECK(wg.interface.name == "wg0");
  CHECK(wg.interface.addresses.at(0).to_string() == "10.50.3.10/32");
  CHECK(keys::encode(keys::derive_public(wg.interface.private_key)) == edge_public);
  REQUIRE(wg.peers.size() == 1);
  CHECK(keys::encode(wg.peers[0].public_key) == hub_public);
  CHECK(wg.peers[0].endpoint->to_string() == "203.0.113.7:51820");
  CHECK(wg.peers[0].allowed_ips.at(0).to_string() == "10.50.0.0/24");
  CHECK(wg.peers[0].persistent_keepalive == 25);
  CHECK(wg.backend == config::Backend::automatic);
  REQUIRE(loaded.config.databases.size() == 1);
  auto const& db = loaded.config.databases[0];
  CHECK(db.host == "10.50.0.1");
  CHECK(db.port == 5432);
  CHECK(db.user == "postgres");
  CHECK(db.dbname == "contacts");
  CHECK(db.sslmode == "require");
  CHECK(db.password.text() == "EdgeProxy2024");
}

TEST_CASE("optional WG_* variables") {
  auto env = seed_environment();
  env["WG_ALLOWED_IPS"] = "10.50.0.0/24, 172.31.0.0/16";
  env["WG_PERSISTENT_KEEPALIVE"] = "off";
  env["WG_MTU"] = "1380";
  env["WG_INTERFACE"] = "tun-db";
  env["WG_LISTEN_PORT"] = "51821";
  env["WG_BACKEND"] = "userspace";
  env["WG_PEER_ENDPOINT"] = "[2001:db8::7]:51820";
  env["WG_PRESHARED_KEY"] = edge_public;  // any 32-byte key
  auto const loaded = config::load(env);
  REQUIRE(loaded.problems.empty());
  auto const& wg = loaded.config.wireguard;
  CHECK(wg.peers[0].allowed_ips.size() == 2);
  CHECK(wg.peers[0].persistent_keepalive == 0);
  CHECK(wg.interface.mtu_mode == config::MtuMode::fixed);
  CHECK(wg.interface.mtu == 1380);
  CHECK(wg.interface.name == "tun-db");
  CHECK(*wg.interface.listen_port == 51821);
  CHECK(wg.backend == config::Backend::userspace);
  CHECK(wg.peers[0].endpoint->host == "2001:db8::7");
  CHECK(wg.peers[0].endpoint->to_string() == "[2001:db8::7]:51820");
  CHECK(wg.peers[0].preshared_key.has_value());
}

TEST_CASE("endpoints: names, IPv4, bracketed IPv6") {
  for (auto const* text : {"hub.example.com:51820", "34.240.78.199:51820", "[2001:db8::1]:1"}) {
    auto env = seed_environment();
    env["WG_PEER_ENDPOINT"] = text;
    CAPTURE(text);
    CHECK(config::load(env).problems.empty());
  }
}

TEST_CASE("every problem is reported at once, each naming its variable") {
  struct Case {
    char const* variable;
    char const* value;
    char const* fragment;
  };
  std::vector<Case> const cases = {
      {"WG_PRIVATE_KEY", "not-base64!", "must be 44 characters"},
      {"WG_PEER_PUBLIC_KEY", "AAAA", "must be 44 characters"},
      {"WG_ADDRESS", "10.50.3.10/33", "prefix length out of range"},
      {"WG_ADDRESS", "10.50.3", "is not an IP address"},
      {"WG_ALLOWED_IPS", "10.50.0.1/24", "host bits set"},
      {"WG_ALLOWED_IPS", "0.0.0.0/0", "all traffic"},
      {"WG_PEER_ENDPOINT", "203.0.113.7", "has no port"},
      {"WG_PEER_ENDPOINT", "203.0.113.7:0", "out of range"},
      {"WG_PEER_ENDPOINT", "203.0.113.7:65536", "out of range"},
      {"WG_PEER_ENDPOINT", "2001:db8::1:51820", "without brackets"},
      {"WG_PEER_ENDPOINT", "[2001:db8::1:51820", "closing"},
      {"WG_LISTEN_PORT", "0", "out of range"},
      {"WG_PERSISTENT_KEEPALIVE", "70000", "0 to 65535"},
      {"WG_MTU", "100", "576 to 9000"},
      {"WG_BACKEND", "fast", "auto, kernel or userspace"},
      {"WG_INTERFACE", "this-name-is-too-long", "1 to 15"},
      {"DB_PORT", "99999", "out of range"},
      {"PGSSLMODE", "sometimes", "sslmode must be one of"},
      {"PGSSLMODE", "verify-full", "needs sslrootcert"},
      {"SIDECAR_LOG_FORMAT", "xml", "text or json"},
      {"SIDECAR_PROBE_INTERVL", "5s", "not a setting"},
      {"SIDECAR_PROBE_INTERVAL", "10", "unit"},
      {"SIDECAR_STALE_AFTER", "1s", "at least SIDECAR_PROBE_INTERVAL"},
      {"SIDECAR_GIVE_UP_AFTER", "0s", "longer than 0"},
      {"SIDECAR_CHECK_INTERVAL", "5s", "between SIDECAR_PROBE_INTERVAL and 1h"},
      {"SIDECAR_CHECK_INTERVAL", "2h", "between SIDECAR_PROBE_INTERVAL and 1h"},
      {"SIDECAR_CHECK_INTERVAL", "1", "unit"},
      {"SIDECAR_HEALTH_ADDR", "localhost:9090", "IP:PORT"},
      {"SIDECAR_HEALTH_ADDR", "0.0.0.0", "IP:PORT"},
      {"SIDECAR_APP_RESTART", "always", "never or on-failure"},
      {"WG_ADDRESS", "", "set but empty"},
  };
  for (auto const& c : cases) {
    auto env = seed_environment();
    env[c.variable] = c.value;
    auto const loaded = config::load(env);
    CAPTURE(c.variable);
    CAPTURE(c.value);
    INFO(fmt::format("{}", fmt::join(problem_texts(loaded), "\n")));
    CHECK(has_problem(loaded, c.variable, c.fragment));
  }

  SUBCASE("all together") {
    Environment env = {{"WG_PRIVATE_KEY", "short"}, {"WG_ADDRESS", "x"}, {"DB_HOST", "db"}, {"DB_PORT", "0"}};
    auto const loaded = config::load(env);
    CHECK(has_problem(loaded, "WG_PRIVATE_KEY", "44 characters"));
    CHECK(has_problem(loaded, "WG_ADDRESS", "not an IP"));
    CHECK(has_problem(loaded, "WG_PEER_PUBLIC_KEY", "is required"));
    CHECK(has_problem(loaded, "WG_PEER_ENDPOINT", "is required"));
    CHECK(has_problem(loaded, "DB_PORT", "out of range"));
  }
}

TEST_CASE("key mix-ups are caught") {
  SUBCASE("the hub's public key pasted as the private key") {
    auto env = seed_environment();
    env["WG_PRIVATE_KEY"] = hub_public;
    CHECK(has_problem(config::load(env), "WG_PRIVATE_KEY", "same key as the peer's public key"));
  }
  SUBCASE("the edge's own public key as the peer") {
    auto env = seed_environment();
    env["WG_PEER_PUBLIC_KEY"] = edge_public;
    CHECK(has_problem(config::load(env), "WG_PEER_PUBLIC_KEY", "own public key"));
  }
  SUBCASE("an unclamped key (a public key) as the private key") {
    auto env = seed_environment();
    env["WG_PRIVATE_KEY"] = edge_public;  // X25519 output, not clamped
    CHECK(has_problem(config::load(env), "WG_PRIVATE_KEY", "public key given where the private key belongs"));
  }
}

TEST_CASE("no error text contains a secret's value") {
  // Secrets that are wrong in every way we detect; none may be echoed back.
  std::vector<std::string> const bad_keys = {
      "c2VjcmV0LXZhbHVlLXRoYXQtaXMtdG9vLWxvbmctZm9yLWEta2V5", "c2VjcmV0", "hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmp=",
      "92tt1di3bnUt9C5JGTW6CifmkebGmzAx5A4Rv+pXaCg=", "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!=", "  spaced secret  "};
  std::vector<std::string> const passwords = {"p%zzword", "pass word@", "Edge:Proxy/2024?"};
  for (auto const& key : bad_keys) {
    for (auto const& password : passwords) {
      auto env = seed_environment();
      env["WG_PRIVATE_KEY"] = key;
      env["WG_PRESHARED_KEY"] = key;
      env.erase("DB_HOST");
      env["DATABASE_URL"] = "postgresql://app:" + password + "@10.50.0.1:5432/contacts?sslmode=bogus";
      env["DATABASE_READ_REPLICA_URL"] = "postgresql://app:" + password + "@[::1:5432/x";
      auto const loaded = config::load(env);
      CHECK_FALSE(loaded.problems.empty());
      for (auto const& text : problem_texts(loaded)) {
        CAPTURE(text);
        CHECK(text.find(std::string(config::fields::trim(key))) == std::string::npos);
        CHECK(text.find(password) == std::string::npos);
      }
    }
  }
}

TEST_CASE("DATABASE_URL and the replica URL") {
  auto env = seed_environment();
  env.erase("DB_HOST");
  env["DATABASE_URL"] = "postgres://app:s3cret@10.50.0.1:6432/orders?sslmode=verify-ca&sslrootcert=/etc/hostname";
  env["DATABASE_READ_REPLICA_URL"] = "postgresql://ro@10.50.0.2/orders";
  env["PGSSLMODE"] = "require";
  auto const loaded = config::load(env);
  INFO(fmt::format("{}", fmt::join(problem_texts(loaded), "\n")));
  REQUIRE(loaded.problems.empty());
  auto const& dbs = loaded.config.databases;
  REQUIRE(dbs.size() == 2);
  CHECK(dbs[0].target == "primary");
  CHECK(dbs[0].port == 6432);
  CHECK(dbs[0].user == "app");
  CHECK(dbs[0].password.text() == "s3cret");
  CHECK(dbs[0].dbname == "orders");
  CHECK(dbs[0].sslmode == "verify-ca");  // the URL wins over PGSSLMODE, as in libpq
  CHECK(config::redacted_url(dbs[0]) ==
        "postgresql://app:(hidden)@10.50.0.1:6432/orders?sslmode=verify-ca&sslrootcert=/etc/hostname");
  CHECK(dbs[1].target == "replica");
  CHECK(dbs[1].sslmode == "require");  // from PGSSLMODE
  CHECK(dbs[1].port == 5432);

  SUBCASE("DATABASE_URL with DB_HOST is ambiguous") {
    env["DB_HOST"] = "10.50.0.1";
    CHECK(has_problem(config::load(env), "DATABASE_URL", "together with DB_HOST"));
  }
}

TEST_CASE("config JSON shows the derived public key and hides every secret") {
  auto env = seed_environment();
  env["WG_PRESHARED_KEY"] = hub_public;
  auto const loaded = config::load(env);
  REQUIRE(loaded.problems.empty());
  auto const text = config::to_json(loaded.config).dump();
  CHECK(text.find(edge_public) != std::string::npos);
  CHECK(text.find(edge_private) == std::string::npos);
  CHECK(text.find("EdgeProxy2024") == std::string::npos);
  CHECK(config::to_json(loaded.config)["wireguard"]["peers"][0]["preshared_key"] == "(hidden)");
  auto const human = config::to_text(loaded.config);
  CHECK(human.find(edge_private) == std::string::npos);
  CHECK(human.find("EdgeProxy2024") == std::string::npos);
}

TEST_CASE("hub-peer prints the stanza the hub needs") {
  auto env = seed_environment();
  env["WG_ADDRESS"] = "10.50.3.10/24";
  auto const loaded = config::load(env);
  REQUIRE(loaded.problems.empty());
  auto const stanza = config::hub_peer_stanza(loaded.config);
  CHECK(stanza.find(fmt::format("PublicKey = {}\n", edge_public)) != std::string::npos);
  CHECK(stanza.find("AllowedIPs = 10.50.3.10/32\n") != std::string::npos);
  CHECK(stanza.find(edge_private) == std::string::npos);
}

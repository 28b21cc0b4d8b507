#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>

#include <fmt/ranges.h>

#include "config/describe.hpp"
#include "config/fields.hpp"
#include "config/load.hpp"
#include "keys/keys.hpp"
#include "util/duration.hpp"
#include "config_test_support.hpp"

using namespace wgs;
using config::Environment;

using namespace wgs::config_test;

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
  CHECK(db.hosts.at(0).host == "10.50.0.1");
  CHECK(db.hosts.at(0).port == 5432);
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
      {"PGSSLMODE", "sometimes", "must be one of disable"},
      {"PGSSLMODE", "verify-full", "needs sslrootcert"},
      {"SIDECAR_LOG_FORMAT", "xml", "text or json"},
      {"SIDECAR_PROBE_INTERVL", "5s", "not a setting"},
      {"SIDECAR_PROBE_INTERVAL", "10", "unit"},
      {"SIDECAR_STALE_AFTER", "1s", "at least SIDECAR_PROBE_INTERVAL"},
      {"SIDECAR_GIVE_UP_AFTER", "0s", "must be from 1s to 168h"},
      {"SIDECAR_HEALTH_ADDR", "not a name:9090", "IP:PORT"},
      {"SIDECAR_CHECK_INTERVAL", "5s", "between SIDECAR_PROBE_INTERVAL and 1h"},
      {"SIDECAR_CHECK_INTERVAL", "2h", "must be from 1s to 1h"},
      {"SIDECAR_CHECK_INTERVAL", "1", "unit"},
      {"SIDECAR_HEALTH_ADDR", "0.0.0.0", "IP:PORT"},
      {"SIDECAR_APP_RESTART", "always", "never or on-failure"},
      {"WG_ADDRESS", "", "set but empty"},
      {"WG_INTERFACE", ".", "cannot be . or .."},
      {"WG_ALLOWED_IPS", "0.0.0.0/1,128.0.0.0/1", "all traffic"},
      {"SIDECAR_REQUIRE", "", "set but empty"},
      {"SIDECAR_PROBE_INTERVAL", "9999999h", "must be from 100ms to 1h"},
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
  CHECK(dbs[0].hosts.at(0).port == 6432);
  CHECK(dbs[0].user == "app");
  CHECK(dbs[0].password.text() == "s3cret");
  CHECK(dbs[0].dbname == "orders");
  CHECK(dbs[0].sslmode == "verify-ca");  // the URL wins over PGSSLMODE, as in libpq
  CHECK(config::redacted_url(dbs[0]) ==
        "postgresql://app:(hidden)@10.50.0.1:6432/orders?sslmode=verify-ca&sslrootcert=/etc/hostname");
  CHECK(dbs[1].target == "replica");
  CHECK(dbs[1].sslmode == "require");  // from PGSSLMODE
  CHECK(dbs[1].hosts.at(0).port == 5432);

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

TEST_CASE("every duration setting is checked against its documented range, after the unit is applied") {
  struct Case {
    char const* variable;
    char const* least;
    char const* below;
    char const* most;
    char const* above;
  };
  // The ranges in the README's table.
  std::vector<Case> const cases = {
      {"SIDECAR_CHECK_TIMEOUT", "100ms", "99ms", "5m", "5m1ms"},
      {"SIDECAR_STARTUP_TIMEOUT", "1s", "0.999s", "24h", "1441m"},
      {"SIDECAR_SHUTDOWN_TIMEOUT", "0.1s", "99ms", "1h", "3601s"},
      {"SIDECAR_PROBE_INTERVAL", "100ms", "0.05s", "1h", "1.01h"},
      {"SIDECAR_STALE_AFTER", "100ms", "99ms", "24h", "24h0.001s"},
      {"SIDECAR_GIVE_UP_AFTER", "1s", "999ms", "168h", "7.5h161h"},
      {"SIDECAR_CHECK_INTERVAL", "1s", "999ms", "1h", "1h1ms"},
  };
  std::string const years_repeated = [] {
    std::string text;
    for (int i = 0; i < 90; ++i) text += "31536000000h";
    return text;
  }();
  for (auto const& c : cases) {
    CAPTURE(c.variable);
    auto env = seed_environment();
    env["SIDECAR_PROBE_INTERVAL"] = "100ms";  // so that SIDECAR_STALE_AFTER's least is allowed
    env["SIDECAR_STALE_AFTER"] = "24h";       // and SIDECAR_PROBE_INTERVAL's most
    env["SIDECAR_CHECK_INTERVAL"] = "1h";     // which the checks' interval may not undercut
    for (auto const* good : {c.least, c.most}) {
      env[c.variable] = good;
      auto const loaded = config::load(env);
      CAPTURE(good);
      INFO(fmt::format("{}", fmt::join(problem_texts(loaded), "\n")));
      CHECK(loaded.problems.empty());
    }
    for (std::string const& bad : {std::string(c.below), std::string(c.above), std::string("9999999h"), years_repeated,
                                  std::string("-1s"), std::string("1e3s"), std::string("0x10s"), std::string("")}) {
      env[c.variable] = bad;
      auto const loaded = config::load(env);
      CAPTURE(bad);
      INFO(fmt::format("{}", fmt::join(problem_texts(loaded), "\n")));
      CHECK(loaded.problems.count() == 1);
      CHECK(has_problem(loaded, c.variable, ""));
    }
  }
}

TEST_CASE("fractional durations mean what they say") {
  auto env = seed_environment();
  env["SIDECAR_CHECK_TIMEOUT"] = "1.5s";
  env["SIDECAR_PROBE_INTERVAL"] = "0.5m";
  env["SIDECAR_STALE_AFTER"] = "1.5m";
  env["SIDECAR_GIVE_UP_AFTER"] = "1h30m";
  auto const loaded = config::load(env);
  REQUIRE(loaded.problems.empty());
  CHECK(loaded.config.checks.stage_timeout.count() == 1500);
  CHECK(loaded.config.monitor.probe_interval.count() == 30'000);
  CHECK(loaded.config.monitor.stale_after.count() == 90'000);
  CHECK(loaded.config.monitor.give_up_after.count() == 5'400'000);
}

// The default the README's table of settings gives `variable` ("| `NAME` | `2m` | ..."), if it
// gives one that parses.
std::optional<Duration> documented_default(std::string const& readme, std::string_view variable) {
  auto const row = fmt::format("| `{}` | `", variable);
  auto const at = readme.find(row);
  if (at == std::string::npos) return std::nullopt;
  auto const from = at + row.size();
  auto const parsed = parse_duration(std::string_view(readme).substr(from, readme.find('`', from) - from));
  if (!parsed) return std::nullopt;
  return parsed.value();
}

TEST_CASE("each timer's default is the one the README's table of settings gives") {
  std::ifstream in(std::filesystem::path(WGS_SOURCE_DIR) / "README.md");
  std::string const readme{std::istreambuf_iterator<char>(in), {}};
  auto const loaded = config::load(seed_environment());
  REQUIRE(loaded.problems.empty());
  auto const& config = loaded.config;
  struct Case {
    std::string variable;
    Duration value;
  } const cases[] = {
      {"SIDECAR_CHECK_TIMEOUT", config.checks.stage_timeout},
      {"SIDECAR_STARTUP_TIMEOUT", config.supervision.startup_timeout},
      {"SIDECAR_PROBE_INTERVAL", config.monitor.probe_interval},
      {"SIDECAR_CHECK_INTERVAL", config.monitor.check_interval},
      {"SIDECAR_STALE_AFTER", config.monitor.stale_after},
      {"SIDECAR_GIVE_UP_AFTER", config.monitor.give_up_after},
  };
  for (auto const& [variable, value] : cases) {
    CAPTURE(variable);
    CHECK(documented_default(readme, variable) == value);
  }
}

TEST_CASE("empty means error for every setting where empty means nothing") {
  std::vector<char const*> const variables = {
      "WG_PRIVATE_KEY", "WG_ADDRESS", "WG_PEER_PUBLIC_KEY", "WG_PEER_ENDPOINT", "WG_ALLOWED_IPS",
      "WG_PERSISTENT_KEEPALIVE", "WG_PRESHARED_KEY", "WG_MTU", "WG_INTERFACE", "WG_LISTEN_PORT", "WG_BACKEND",
      "WG_USERSPACE_IMPLEMENTATION", "SIDECAR_LOG_FORMAT", "SIDECAR_LOG_LEVEL", "SIDECAR_PING_HOST",
      "SIDECAR_CHECK_TIMEOUT", "SIDECAR_STARTUP_TIMEOUT", "SIDECAR_SHUTDOWN_TIMEOUT", "SIDECAR_REQUIRE",
      "SIDECAR_KEEP_ENV", "SIDECAR_KEEP_TUNNEL", "SIDECAR_SIGNAL_GROUP", "SIDECAR_APP_RESTART",
      "SIDECAR_PROBE_INTERVAL", "SIDECAR_STALE_AFTER", "SIDECAR_GIVE_UP_AFTER", "SIDECAR_HEALTH_ADDR",
  };
  for (auto const* variable : variables) {
    for (auto const* blank : {"", " ", "\t", " \n "}) {
      auto env = seed_environment();
      env[variable] = blank;
      auto const loaded = config::load(env);
      CAPTURE(variable);
      CAPTURE(blank);
      CHECK(has_problem(loaded, variable, ""));
    }
  }
  SUBCASE("WG_CONFIG") {
    auto const loaded = config::load({{"WG_CONFIG", " "}});
    CHECK(has_problem(loaded, "WG_CONFIG", "is set but empty"));
    CHECK(loaded.problems.count() == 1);  // and not "has no [Peer]" on top
  }
}

TEST_CASE("SIDECAR_REQUIRE: start gating is turned off only by none") {
  struct Case {
    char const* value;
    std::vector<std::string> stages;  // when accepted
    char const* problem;              // when refused
  };
  std::vector<Case> const cases = {
      {"none", {}, nullptr},
      {" none ", {}, nullptr},
      {"tcp, tls", {"tcp", "tls"}, nullptr},
      {"handshake,ping,tcp,tls,auth", {"handshake", "ping", "tcp", "tls", "auth"}, nullptr},
      {"tcp,tcp", {"tcp"}, nullptr},
      {"", {}, "set but empty"},
      {" ", {}, "set but empty"},
      {",", {}, "lists no stage; write none"},
      {" , ,", {}, "lists no stage; write none"},
      {"none,tcp", {}, "none cannot be combined"},
      {"tcp,tpc", {}, "item 2 of 2 is not a stage"},
      {"tpc", {}, "is not a stage"},
  };
  for (auto const& c : cases) {
    auto env = seed_environment();
    env["SIDECAR_REQUIRE"] = c.value;
    auto const loaded = config::load(env);
    CAPTURE(c.value);
    INFO(fmt::format("{}", fmt::join(problem_texts(loaded), "\n")));
    if (c.problem == nullptr) {
      REQUIRE(loaded.problems.empty());
      CHECK(loaded.config.supervision.require == c.stages);
    } else {
      CHECK(has_problem(loaded, "SIDECAR_REQUIRE", c.problem));
    }
  }
}

TEST_CASE("WG_INTERFACE follows the kernel's dev_valid_name, in printable ASCII") {
  std::vector<std::string> const accepted = {
      "wg0", "a", "wg-db.1", "x234567890abcde", "wg=+_", "...", ".wg", "WG0", "wg~!", "wg@db",
  };
  std::vector<std::string> const refused = {
      ".", "..", "wg/0", "wg:0", "wg 0", "wg\t0", "wg\v", "wg\f", "wg\r", "wg\xa0", "wg%d", "x234567890abcdef",
      std::string("wg\0x", 4), "wg\x01", "wg\x7f", "caf\xc3\xa9", "dh\xff" "0",
  };
  for (auto const& name : accepted) {
    auto env = seed_environment();
    env["WG_INTERFACE"] = name;
    auto const loaded = config::load(env);
    CAPTURE(name);
    INFO(fmt::format("{}", fmt::join(problem_texts(loaded), "\n")));
    REQUIRE(loaded.problems.empty());
    CHECK(loaded.config.wireguard.interface.name == name);
  }
  for (auto const& name : refused) {
    auto env = seed_environment();
    env["WG_INTERFACE"] = name;
    CAPTURE(name);
    CHECK(config::load(env).problems.count() == 1);
    CHECK(has_problem(config::load(env), "WG_INTERFACE", ""));
  }
}

TEST_CASE("routes that add up to every address are refused like /0") {
  struct Case {
    char const* address;  // WG_ADDRESS
    char const* allowed;  // WG_ALLOWED_IPS
    char const* blamed;   // the variable named, or nullptr when accepted
  };
  std::vector<Case> const cases = {
      {"10.50.3.10/32", "0.0.0.0/0", "WG_ALLOWED_IPS"},
      {"10.50.3.10/32", "0.0.0.0/1,128.0.0.0/1", "WG_ALLOWED_IPS"},
      {"10.50.3.10/32", "128.0.0.0/1, 0.0.0.0/2, 64.0.0.0/2", "WG_ALLOWED_IPS"},
      {"10.50.3.10/32", "0.0.0.0/1,0.0.0.0/2,128.0.0.0/1,10.50.0.0/24", "WG_ALLOWED_IPS"},
      {"fd00::10/128", "::/0", "WG_ALLOWED_IPS"},
      {"fd00::10/128", "::/1,8000::/1", "WG_ALLOWED_IPS"},
      {"fd00::10/128", "8000::/1,::/2,4000::/2", "WG_ALLOWED_IPS"},
      {"10.50.3.10/0", "10.50.0.0/24", "WG_ADDRESS"},
      {"10.0.0.1/1", "128.0.0.0/1", "WG_ALLOWED_IPS"},
      {"10.50.3.10/32", "0.0.0.0/1", nullptr},
      {"10.50.3.10/32", "0.0.0.0/1,128.0.0.0/2", nullptr},
      {"10.50.3.10/32", "0.0.0.0/1,192.0.0.0/2,10.50.0.0/24", nullptr},
      {"10.50.3.10/32", "0.0.0.0/1,8000::/1", nullptr},
      {"fd00::10/128", "::/1,8000::/2,c000::/3", nullptr},
      {"10.50.3.10/32", "10.50.0.0/24,172.31.0.0/16", nullptr},
  };
  for (auto const& c : cases) {
    auto env = seed_environment();
    env["WG_ADDRESS"] = c.address;
    env["WG_ALLOWED_IPS"] = c.allowed;
    auto const loaded = config::load(env);
    CAPTURE(c.address);
    CAPTURE(c.allowed);
    INFO(fmt::format("{}", fmt::join(problem_texts(loaded), "\n")));
    if (c.blamed == nullptr) {
      CHECK(loaded.problems.empty());
    } else {
      CHECK(loaded.problems.count() == 1);
      CHECK(has_problem(loaded, c.blamed, "all traffic"));
    }
  }
  SUBCASE("pieces spread over the peers of a wg-quick file") {
    auto const file = fmt::format(
        "[Interface]\nPrivateKey = {}\nAddress = 10.50.3.10/32\n"
        "[Peer]\nPublicKey = {}\nEndpoint = 192.0.2.1:51820\nAllowedIPs = 0.0.0.0/1\n"
        "[Peer]\nPublicKey = {}\nEndpoint = 192.0.2.2:51820\nAllowedIPs = 128.0.0.0/1\n",
        edge_private, hub_public, "i3ElRWB1JMzGH49gbinZSeh+2Ld0VyknddFQoMjHOBo=");
    auto const loaded = config::load({{"WG_CONFIG", file.c_str()}});
    CHECK(has_problem(loaded, "WG_CONFIG (AllowedIPs)", "all traffic"));
  }
}

namespace {

// Lines that hold a secret, each written wrong in the ways people write them wrong: the
// separator, the key's name, the section it sits in, the secret itself.
std::vector<std::string> near_misses_of_secret_lines(std::string const& secret) {
  std::vector<std::string> const names = {"PrivateKey", "PresharedKey", "privatekey", "PRESHAREDKEY", "Private Key",
                                          "PrivateKe", "PrivateKeys", "Private_Key", "PublicKey", "Address",
                                          "AllowedIPs", "Endpoint", "DNS", "PostUp", "ListenPort", "MTU", "FwMark",
                                          "Table", "PersistentKeepalive", ""};
  std::vector<std::string> const separators = {" = ", ": ", " : ", " ", "", "\t", " := ", " == ", "=", " =: ", ":="};
  // fmt::format rather than `"literal" + string`, which GCC 12 at -O3 misreads (-Wrestrict).
  std::vector<std::string> const values = {secret, secret.substr(0, secret.size() - 1), secret + "x",
                                           fmt::format("\"{}\"", secret), fmt::format("{} {}", secret.substr(0, 20), secret.substr(20)),
                                           secret + " " + secret, fmt::format("x{}", secret.substr(1))};
  std::vector<std::string> lines;
  for (auto const& name : names) {
    for (auto const& separator : separators) {
      for (auto const& value : values) lines.push_back(name + separator + value);
    }
  }
  lines.push_back(fmt::format("[{}]", secret));
  return lines;
}

std::string wg_quick_with(std::string const& line, int placement) {
  std::string const interface = fmt::format("[Interface]\nAddress = 10.50.3.10/32\n");
  std::string const peer = fmt::format("[Peer]\nPublicKey = {}\nEndpoint = 192.0.2.1:51820\n", hub_public);
  switch (placement) {
    case 0: return interface + line + "\n" + peer;  // in [Interface]
    case 1: return interface + peer + line + "\n";  // in [Peer]
    case 2: return line + "\n" + interface + peer;  // before any section
    default: return interface + "[Wat]\n" + line + "\n" + peer;
  }
}

void check_no_leak(config::Loaded const& loaded, std::string const& secret) {
  for (auto const& text : problem_texts(loaded)) {
    CAPTURE(text);
    CHECK_FALSE(holds_part_of(text, secret));
  }
}

}  // namespace

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
        CHECK_FALSE(holds_part_of(text, std::string(config::fields::trim(key))));
        CHECK(text.find(password) == std::string::npos);
      }
    }
  }

  SUBCASE("wg-quick lines that hold a key, written wrong: PrivateKey: <key> and every near miss") {
    for (auto const* secret : {"ECVzqfbg+FelHp35AQb7hbDbEa1Wp53nAC2K0lofBFs=", "gNl2tu4T8nVGIKhO4EomdhZ/ynisvqDKkyX4UJzVsnU="}) {
      for (auto const& line : near_misses_of_secret_lines(secret)) {
        for (int placement = 0; placement < 4; ++placement) {
          auto const file = wg_quick_with(line, placement);
          CAPTURE(file);
          check_no_leak(config::load({{"WG_CONFIG", file.c_str()}}), secret);
        }
      }
    }
  }

  SUBCASE("a key pasted into any other variable") {
    std::string const secret = "ALbzJf3eyG5mgAMAGDSzeYQ2nHIdLnkWa+evP8jRF0E=";
    for (auto const* variable :
         {"WG_ADDRESS", "WG_ALLOWED_IPS", "WG_PEER_ENDPOINT", "WG_PEER_PUBLIC_KEY", "WG_INTERFACE", "WG_MTU",
          "WG_LISTEN_PORT", "WG_PERSISTENT_KEEPALIVE", "WG_BACKEND", "SIDECAR_REQUIRE", "SIDECAR_CHECK_TIMEOUT",
          "SIDECAR_PING_HOST", "SIDECAR_HEALTH_ADDR", "SIDECAR_LOG_FORMAT", "SIDECAR_APP_RESTART"}) {
      for (auto const& value : {secret, "10.50.0.0/24," + secret, "PrivateKey = " + secret, "tcp," + secret}) {
        auto env = seed_environment();
        env[variable] = value;
        CAPTURE(variable);
        CAPTURE(value);
        check_no_leak(config::load(env), secret);
      }
    }
  }
}

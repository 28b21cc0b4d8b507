#include <doctest/doctest.h>

#include <algorithm>
#include <string_view>
#include <vector>

#include "config/load.hpp"
#include "config/wg_quick.hpp"

using namespace wgs;

namespace {

constexpr char const* seed_wg0 = R"(# The file the seed's entrypoint.sh writes
[Interface]
PrivateKey = QHgup1SNdoXT2X1SH8OoKbIhQfayX/7+lGCDNcmyPHY=
Address = 10.50.3.10/32

[Peer]
PublicKey = Q9T4p88puHFgI8P8vLGjECvoXr85o5uncZQ2G35vE14=
Endpoint = 34.240.78.199:51820
AllowedIPs = 10.50.0.0/24
PersistentKeepalive = 25
)";

bool mentions(config::Problems const& problems, std::string const& fragment) {
  return std::any_of(problems.list().begin(), problems.list().end(),
                     [&](auto const& p) { return p.to_string().find(fragment) != std::string::npos; });
}

}  // namespace

TEST_CASE("the seed's wg0.conf parses to the same tunnel as the seed's variables") {
  config::Problems problems;
  auto const wg = config::parse_wg_quick(seed_wg0, "WG_CONFIG", problems);
  REQUIRE(problems.empty());
  CHECK(wg.source == "WG_CONFIG");
  CHECK(wg.interface.addresses.at(0).to_string() == "10.50.3.10/32");
  REQUIRE(wg.peers.size() == 1);
  CHECK(keys::encode(wg.peers[0].public_key) == "Q9T4p88puHFgI8P8vLGjECvoXr85o5uncZQ2G35vE14=");
  CHECK(wg.peers[0].endpoint->to_string() == "34.240.78.199:51820");
  CHECK(wg.peers[0].persistent_keepalive == 25);
}

TEST_CASE("wg-quick syntax: case-insensitive keys, repeated Address, comments, several peers, CRLF") {
  std::string const text =
      "[interface]\r\nprivatekey=QHgup1SNdoXT2X1SH8OoKbIhQfayX/7+lGCDNcmyPHY=\r\n"
      "ADDRESS = 10.50.3.10/32, fd00::10/128\r\nAddress = 10.60.0.2/32 # second line\r\n"
      "ListenPort = 51000\r\nMTU = 1380\r\nFwMark = 0x10\r\nTable = off\r\n"
      "[Peer]\nPublicKey = Q9T4p88puHFgI8P8vLGjECvoXr85o5uncZQ2G35vE14=\nEndpoint = hub.example.com:51820\n"
      "AllowedIPs = 10.50.0.0/24\nAllowedIPs = fd00::/64\n"
      "[Peer]\nPublicKey = 92tt1di3bnUt9C5JGTW6CifmkebGmzAx5A4Rv+pXaCg=\nEndpoint = [2001:db8::1]:51820\n";
  config::Problems problems;
  auto const wg = config::parse_wg_quick(text, "wg0.conf", problems);
  REQUIRE(problems.empty());
  CHECK(wg.interface.addresses.size() == 3);
  CHECK(*wg.interface.listen_port == 51000);
  CHECK(wg.interface.mtu == 1380);
  CHECK(*wg.interface.fwmark == 16);
  CHECK(wg.interface.table == config::RouteTable::off);
  REQUIRE(wg.peers.size() == 2);
  CHECK(wg.peers[0].allowed_ips.size() == 2);
  CHECK(wg.peers[0].persistent_keepalive == 0);
  CHECK(wg.peers[1].endpoint->host == "2001:db8::1");
}

TEST_CASE("wg-quick problems name the line and key, never the value") {
  std::string const text =
      "Address = 10.0.0.1/32\n"                          // line 1: before a section
      "[Interface]\nPrivateKey = bm90LWEta2V5\n"          // line 3: bad key
      "DNS = 1.1.1.1\nPostUp = iptables -A FORWARD\n"    // lines 4, 5: unsupported
      "Colour = blue\n[Wat]\nnonsense\n"                  // lines 6, 7, 8
      "[Peer]\nEndpoint = 203.0.113.1\nAllowedIPs = 0.0.0.0/0\n";
  config::Problems problems;
  config::parse_wg_quick(text, "WG_CONFIG", problems);
  CHECK(mentions(problems, "WG_CONFIG line 1 (Address): comes before any"));
  CHECK(mentions(problems, "WG_CONFIG line 3 (PrivateKey): must be 44 characters"));
  CHECK(mentions(problems, "WG_CONFIG line 4 (DNS): is not supported"));
  CHECK(mentions(problems, "WG_CONFIG line 5 (PostUp): runs shell hooks"));
  CHECK(mentions(problems, "WG_CONFIG line 6: is not a key of [Interface]"));  // an unknown key is not quoted
  CHECK(mentions(problems, "WG_CONFIG line 7: is an unknown section"));
  CHECK(mentions(problems, "WG_CONFIG line 8: is neither"));
  CHECK(mentions(problems, "WG_CONFIG line 10 (Endpoint): has no port"));
  CHECK(mentions(problems, "[Peer] number 1 has no PublicKey"));
  for (auto const& p : problems.list()) CHECK(p.to_string().find("bm90LWEta2V5") == std::string::npos);
}

TEST_CASE("WG_CONFIG through load: conflicts with WG_* and peer checks") {
  config::Environment env = {{"WG_CONFIG", seed_wg0}, {"WG_PRIVATE_KEY", "x"}, {"WG_INTERFACE", "edge0"}};
  auto const loaded = config::load(env);
  CHECK(mentions(loaded.problems, "WG_PRIVATE_KEY: is set together with WG_CONFIG"));

  env.erase("WG_PRIVATE_KEY");
  auto const good = config::load(env);
  REQUIRE(good.problems.empty());
  CHECK(good.config.wireguard.interface.name == "edge0");

  env["WG_CONFIG"] = std::string(seed_wg0).replace(std::string(seed_wg0).find("Endpoint"), 8, "#ndpoint");
  CHECK(mentions(config::load(env).problems, "Endpoint): is missing"));
}

TEST_CASE("--config reads a file; a missing file is named") {
  config::LoadOptions options;
  options.config_file = "/nonexistent/wg0.conf";
  auto const loaded = config::load({}, options);
  CHECK(mentions(loaded.problems, "--config: cannot read /nonexistent/wg0.conf"));
}

TEST_CASE("a key written without '=' is one problem, named by its line, never quoted") {
  struct Case {
    char const* line;
    char const* reason;
  };
  std::vector<Case> const cases = {
      {"PrivateKey: QHgup1SNdoXT2X1SH8OoKbIhQfayX/7+lGCDNcmyPHY=", "starts with PrivateKey but does not follow it with '='"},
      {"PrivateKey QHgup1SNdoXT2X1SH8OoKbIhQfayX/7+lGCDNcmyPHY=", "starts with PrivateKey but does not follow it with '='"},
      {"privatekey\tQHgup1SNdoXT2X1SH8OoKbIhQfayX/7+lGCDNcmyPHY", "starts with PrivateKey but does not follow it with '='"},
      {"PrivateKey := QHgup1SNdoXT2X1SH8OoKbIhQfayX/7+lGCDNcmyPHY=", "starts with PrivateKey but does not follow it with '='"},
  };
  for (auto const& c : cases) {
    std::string text(seed_wg0);
    text.replace(text.find("PrivateKey = "), std::string_view("PrivateKey = QHgup1SNdoXT2X1SH8OoKbIhQfayX/7+lGCDNcmyPHY=").size(), c.line);
    config::Problems problems;
    config::parse_wg_quick(text, "WG_CONFIG", problems);
    CAPTURE(c.line);
    REQUIRE(problems.count() == 1);  // and not "has no PrivateKey" on top
    CHECK(problems.list()[0].where == "WG_CONFIG line 3");
    CHECK(problems.list()[0].what.find(c.reason) == 0);
    CHECK(problems.list()[0].to_string().find("QHgup1SN") == std::string::npos);
  }
}

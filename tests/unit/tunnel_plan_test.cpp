#include <doctest/doctest.h>

#include "config/load.hpp"
#include "tunnel/plan.hpp"

using namespace wgs;

namespace {

config::Config seed_config(config::Environment extra = {}) {
  config::Environment env = {{"WG_PRIVATE_KEY", "QHgup1SNdoXT2X1SH8OoKbIhQfayX/7+lGCDNcmyPHY="},
                             {"WG_PEER_PUBLIC_KEY", "Q9T4p88puHFgI8P8vLGjECvoXr85o5uncZQ2G35vE14="},
                             {"WG_PEER_ENDPOINT", "34.240.78.199:51820"}};
  for (auto& [k, v] : extra) env[k] = v;
  auto loaded = config::load(env);
  REQUIRE(loaded.problems.empty());
  return std::move(loaded.config);
}

std::vector<std::string> strings(std::vector<net::Prefix> const& prefixes) {
  std::vector<std::string> out;
  for (auto const& p : prefixes) out.push_back(p.to_string());
  return out;
}

}  // namespace

TEST_CASE("the seed's tunnel needs one route: 10.50.0.0/24 via the interface") {
  auto const config = seed_config();
  CHECK(strings(tunnel::routes_needed(config.wireguard)) == std::vector<std::string>{"10.50.0.0/24"});
}

TEST_CASE("routes covered by an interface address are not added; longest prefix first") {
  auto const config = seed_config({{"WG_ADDRESS", "10.50.3.10/24,fd00::10/64"},
                                   {"WG_ALLOWED_IPS", "10.50.3.0/24,10.50.0.0/16,10.50.0.1/32,fd00::/64,10.50.0.0/16"}});
  CHECK(strings(tunnel::routes_needed(config.wireguard)) == std::vector<std::string>{"10.50.0.1/32", "10.50.0.0/16"});
}

TEST_CASE("Table = off adds no routes") {
  config::Environment env = {{"WG_CONFIG",
                              "[Interface]\nPrivateKey = QHgup1SNdoXT2X1SH8OoKbIhQfayX/7+lGCDNcmyPHY=\nAddress = 10.50.3.10/32\n"
                              "Table = off\n[Peer]\nPublicKey = Q9T4p88puHFgI8P8vLGjECvoXr85o5uncZQ2G35vE14=\n"
                              "Endpoint = 192.0.2.1:51820\nAllowedIPs = 10.50.0.0/24\n"}};
  auto const loaded = config::load(env);
  REQUIRE(loaded.problems.empty());
  CHECK(tunnel::routes_needed(loaded.config.wireguard).empty());
}

TEST_CASE("device settings carry the config without copying keys") {
  auto const config = seed_config({{"WG_PRESHARED_KEY", "92tt1di3bnUt9C5JGTW6CifmkebGmzAx5A4Rv+pXaCg="}});
  auto const endpoints = tunnel::resolve_endpoints(config.wireguard, Duration(1000));
  REQUIRE(endpoints.ok());
  CHECK(endpoints->at(0)->to_string() == "34.240.78.199:51820");
  auto const settings = tunnel::device_settings(config.wireguard, *endpoints);
  CHECK(settings.private_key == &config.wireguard.interface.private_key);
  REQUIRE(settings.peers.size() == 1);
  CHECK(settings.peers[0].preshared_key == &*config.wireguard.peers[0].preshared_key);
  CHECK(settings.peers[0].persistent_keepalive == 25);
  CHECK(settings.peers[0].allowed_ips.size() == 1);
}

TEST_CASE("names resolve from /etc/hosts without NSS") {
  // Only /etc/hosts is consulted for localhost: this test sends no DNS query. Unresolvable
  // names are tested inside a namespace whose resolv.conf points at loopback.
  auto const config = seed_config({{"WG_PEER_ENDPOINT", "localhost:51820"}});
  auto const endpoints = tunnel::resolve_endpoints(config.wireguard, Duration(2000));
  REQUIRE(endpoints.ok());
  CHECK(endpoints->at(0)->ip.to_string() == "127.0.0.1");
}

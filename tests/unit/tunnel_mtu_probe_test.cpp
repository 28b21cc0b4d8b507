#include <doctest/doctest.h>

#include "config/load.hpp"
#include "tunnel/mtu_probe.hpp"

using namespace wgs;

namespace {

config::Config probe_config(config::Environment extra = {}) {
  config::Environment env = {{"WG_PRIVATE_KEY", "QHgup1SNdoXT2X1SH8OoKbIhQfayX/7+lGCDNcmyPHY="},
                             {"WG_PEER_PUBLIC_KEY", "Q9T4p88puHFgI8P8vLGjECvoXr85o5uncZQ2G35vE14="},
                             {"WG_PEER_ENDPOINT", "203.0.113.7:51820"},
                             {"WG_MTU", "probe"},
                             {"DB_HOST", "10.50.0.1"},
                             {"DB_PASSWORD", "EdgeProxy2024"}};
  for (auto& [k, v] : extra) env[k] = v;
  auto loaded = config::load(env);
  REQUIRE(loaded.problems.empty());
  return std::move(loaded.config);
}

}  // namespace

TEST_CASE("the probed MTU: what crossed, never above what the route gave") {
  struct Row {
    std::uint32_t current;
    unsigned largest;
    bool ipv6;
    std::uint32_t expected;
  };
  Row const rows[] = {
      {1420, 1420, false, 1420},  // no black hole: unchanged
      {1420, 1320, false, 1320},  // lowered to what crossed
      {1380, 1420, false, 1380},  // never raised (a probe cannot exceed it; a bad input cannot either)
      {1420, 1100, false, 1100},
      {1420, 1100, true, 1280},   // IPv6 on the link needs 1280: not lower
      {1420, 1300, true, 1300},
      {1200, 1100, true, 1100},   // already below 1280 (WG_MTU fixed earlier): IPv6 was gone anyway
  };
  for (auto const& row : rows) {
    CAPTURE(row.current);
    CAPTURE(row.largest);
    CAPTURE(row.ipv6);
    CHECK(tunnel::probed_mtu(row.current, row.largest, row.ipv6) == row.expected);
  }
}

TEST_CASE("the probe goes where the check's ping goes") {
  SUBCASE("the primary database's host by default") {
    auto const ip = tunnel::mtu_probe_destination(probe_config(), Duration(100));
    REQUIRE(ip);
    CHECK(ip->to_string() == "10.50.0.1");
  }
  SUBCASE("SIDECAR_PING_HOST overrides it") {
    auto const ip = tunnel::mtu_probe_destination(probe_config({{"SIDECAR_PING_HOST", "10.50.0.9"}}), Duration(100));
    REQUIRE(ip);
    CHECK(ip->to_string() == "10.50.0.9");
  }
}

TEST_CASE("WG_MTU=probe is parsed as probe mode") {
  CHECK(probe_config().wireguard.interface.mtu_mode == config::MtuMode::probe);
}

TEST_CASE("without WG_MTU=probe nothing is probed and the MTU is left alone") {
  tunnel::Tunnel tunnel;  // no backend: anything beyond the mode test would crash
  tunnel.mtu = 1420;
  auto config = probe_config();
  config.wireguard.interface.mtu_mode = config::MtuMode::automatic;
  auto const mtu = tunnel::probe_and_apply_mtu(config, tunnel);
  REQUIRE(mtu);
  CHECK(*mtu == 1420);
}

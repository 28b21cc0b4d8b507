// From probe outcomes to stage results: handshake age, ping, the MTU verdict, and libpq's
// three stages with the hint attached to the one that failed.
#include <doctest/doctest.h>

#include "checks/stages.hpp"

using namespace wgs::checks;
using namespace std::chrono_literals;

namespace {
HintContext const context{"10.50.0.1", 5432, "require", "10.50.0.1", 1420, std::nullopt, "DB_*", std::nullopt, std::nullopt, "any"};
SystemTime const now = SystemTime(std::chrono::hours(500000));
}  // namespace

TEST_CASE("checks: handshake stage from an injected last handshake") {
  auto const fresh = handshake_stage("primary", std::optional<SystemTime>(now - 30s), now, 180s, context);
  CHECK(fresh.status == Status::ok);
  CHECK(fresh.detail == "last handshake 30s ago");

  auto const stale = handshake_stage("primary", std::optional<SystemTime>(now - 10min), now, 180s, context);
  CHECK(stale.status == Status::fail);
  CHECK(stale.error == "the last handshake was 10m ago (stale after 3m)");
  CHECK(stale.hint == hint(Failure::stale_handshake, context));

  auto const never = handshake_stage("primary", std::optional<SystemTime>(), now, 180s, context);
  CHECK(never.status == Status::fail);
  CHECK(never.hint.find("UDP 51820") != std::string::npos);

  auto const no_tunnel = handshake_stage("primary", std::nullopt, now, 180s, context);
  CHECK(no_tunnel.status == Status::skip);
}

TEST_CASE("checks: no interface fails the handshake first, saying the tunnel is not up") {
  auto const missing = no_tunnel_stage("primary", "interface wg0 does not exist", context);
  CHECK(missing.stage == Stage::handshake);
  CHECK(missing.status == Status::fail);
  CHECK(missing.error == "interface wg0 does not exist");
  CHECK(missing.hint == hint(Failure::no_tunnel, context));
}

TEST_CASE("checks: ping stage tells silence from a refusal to send") {
  CHECK(ping_stage("primary", {true, 1.5, "", false, "raw"}, context).status == Status::ok);
  auto const lost = ping_stage("primary", {false, 5000, "no echo reply", false, "raw"}, context);
  CHECK(lost.hint == hint(Failure::ping_lost, context));
  auto const unroutable = ping_stage("primary", {false, 0, "sending: Network is unreachable", true, "raw"}, context);
  CHECK(unroutable.hint == hint(Failure::ping_error, context));
}

TEST_CASE("checks: mtu stage flags a black hole when less than the interface MTU crosses") {
  auto const fine = mtu_stage("primary", {1420u, 1, 3, ""}, context);
  CHECK(fine.status == Status::ok);
  auto const hole = mtu_stage("primary", {1380u, 9, 900, ""}, context);
  CHECK(hole.status == Status::fail);
  CHECK(hole.error.find("1380") != std::string::npos);
  CHECK(hole.hint.find("WG_MTU=1380") != std::string::npos);
  auto const nothing = mtu_stage("primary", {std::nullopt, 3, 900, "no probe crossed"}, context);
  CHECK(nothing.status == Status::fail);
  CHECK(nothing.hint == hint(Failure::mtu_nothing_crossed, context));
}

TEST_CASE("checks: libpq's stages carry the hint on the stage that failed") {
  PgProbeResult probe;
  probe.tcp = {Status::ok, 2, "", ""};
  probe.tls = {Status::fail, 5000, "the TLS handshake did not finish within 5s", ""};
  probe.auth = {Status::skip, 0, "", ""};
  probe.failure = Classified{Stage::tls, Failure::tls_stall};
  auto const stages = pg_stages("replica", probe, context);
  REQUIRE(stages.size() == 3);
  CHECK(stages[0].hint.empty());
  CHECK(stages[1].hint == hint(Failure::tls_stall, context));
  CHECK(stages[1].target == "replica");
}

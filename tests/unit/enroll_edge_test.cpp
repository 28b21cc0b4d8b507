// The edge's side of a fleet without a hub: the SIDECAR_ENROLL* settings, what a machine's
// identity looks like once enrolled, and the ladder's enroll rung.
#include <doctest/doctest.h>

#include <set>

#include <fmt/format.h>

#include "config/load.hpp"
#include "enroll/edge.hpp"
#include "monitor/ladder.hpp"
#include "supervise/app_environment.hpp"

using namespace wgs;
using namespace std::chrono_literals;

namespace {

config::Environment seed_env() {
  return {{"WG_PRIVATE_KEY", keys::encode(keys::generate_private().bytes()).c_str()},
          {"WG_PEER_PUBLIC_KEY", keys::encode(keys::derive_public(keys::generate_private())).c_str()},
          {"WG_PEER_ENDPOINT", "203.0.113.7:51820"},
          {"DB_HOST", "10.50.0.1"},
          {"FLY_MACHINE_ID", "3d8d9016b2e789"}};
}

std::set<std::string> problem_places(config::Loaded const& loaded) {
  std::set<std::string> out;
  for (auto const& problem : loaded.problems.list()) out.insert(problem.where);
  return out;
}

}  // namespace

TEST_CASE("enrollment settings: auto by default, off, required; a token makes it required") {
  struct Case {
    std::map<std::string, std::string> extra;
    config::EnrollMode mode;
  };
  auto const token = keys::encode(keys::generate_private().bytes());
  std::vector<Case> const cases = {
      {{}, config::EnrollMode::automatic},
      {{{"SIDECAR_ENROLL", "off"}}, config::EnrollMode::off},
      {{{"SIDECAR_ENROLL", "required"}}, config::EnrollMode::required},
      {{{"SIDECAR_ENROLL_TOKEN", token}}, config::EnrollMode::required},
  };
  for (auto const& c : cases) {
    auto env = seed_env();
    env.insert(c.extra.begin(), c.extra.end());
    auto const loaded = config::load(env);
    REQUIRE(loaded.problems.empty());
    CHECK(loaded.config.enrollment.mode == c.mode);
  }
}

TEST_CASE("enrollment settings: a token needs no WG_PRIVATE_KEY; mistakes are named, the token never echoed") {
  auto env = seed_env();
  env.erase("WG_PRIVATE_KEY");
  CHECK(problem_places(config::load(env)) == std::set<std::string>{"WG_PRIVATE_KEY"});
  auto const token = keys::encode(keys::generate_private().bytes());
  env["SIDECAR_ENROLL_TOKEN"] = token;
  CHECK(config::load(env).problems.empty());

  env["SIDECAR_ENROLL"] = "off";
  env["SIDECAR_ENROLL_PORT"] = "0";
  auto const bad = config::load(env);
  CHECK(problem_places(bad) == std::set<std::string>{"SIDECAR_ENROLL_TOKEN", "SIDECAR_ENROLL_PORT"});
  env["SIDECAR_ENROLL"] = "sometimes";
  env["SIDECAR_ENROLL_TOKEN"] = fmt::format("x{}", token.substr(1));  // not "x" + ...: GCC 12's -Wrestrict at -O3
  auto const worse = config::load(env);
  for (auto const& problem : worse.problems.list()) CHECK(problem.what.find(token.substr(1)) == std::string::npos);
}

TEST_CASE("the app never sees the enrollment token") {
  auto const out = supervise::app_environment({{"SIDECAR_ENROLL_TOKEN", "t"}, {"DB_HOST", "10.50.0.1"}}, {});
  REQUIRE(out.size() == 1);
  CHECK(out.front() == "DB_HOST=10.50.0.1");
}

TEST_CASE("Edge: none under SIDECAR_ENROLL=off; the credential's name; the hub's port unless SIDECAR_ENROLL_PORT") {
  auto env = seed_env();
  env["SIDECAR_ENROLL"] = "off";
  CHECK(enroll::Edge::from(config::load(env).config) == nullptr);
  env.erase("SIDECAR_ENROLL");
  auto const seed = enroll::Edge::from(config::load(env).config);
  REQUIRE(seed);
  CHECK(seed->credential_name() == "WG_PRIVATE_KEY");
  CHECK(seed->hub_address() == "203.0.113.7:51820");
  CHECK(seed->machine_id() == "3d8d9016b2e789");
  CHECK_FALSE(seed->is_enrolled());
  env["SIDECAR_ENROLL_TOKEN"] = keys::encode(keys::generate_private().bytes());
  env["SIDECAR_ENROLL_PORT"] = "8443";
  auto const token = enroll::Edge::from(config::load(env).config);
  CHECK(token->credential_name() == "SIDECAR_ENROLL_TOKEN");
  CHECK(token->hub_address() == "203.0.113.7:8443");
}

TEST_CASE("copy_of: a deep copy, secrets in memory of their own") {
  auto const loaded = config::load(seed_env());
  auto const copy = enroll::copy_of(loaded.config.wireguard);
  CHECK(copy.interface.private_key.equals(loaded.config.wireguard.interface.private_key.bytes()));
  CHECK(copy.interface.private_key.bytes().data() != loaded.config.wireguard.interface.private_key.bytes().data());
  CHECK(copy.peers.size() == 1);
  CHECK(copy.peers[0].endpoint == loaded.config.wireguard.peers[0].endpoint);
  CHECK(copy.interface.addresses == loaded.config.wireguard.interface.addresses);
}

TEST_CASE("ladder: an enrolled machine's peer rung is enroll") {
  auto settings = monitor::ladder_settings(Duration(500), Duration(600'000), true);
  settings.first_wait = 2s;
  settings.jitter = [] { return 1.0; };
  monitor::Ladder ladder(settings);
  auto const t0 = monitor::Clock::now();
  CHECK(ladder.next(t0) == monitor::Step::links);
  CHECK(ladder.next(t0) == monitor::Step::enroll);
  CHECK(ladder.next(t0 + 3s) == monitor::Step::interface);
  CHECK(ladder.next(t0 + 8s) == monitor::Step::enroll);
  CHECK(monitor::step_name(monitor::Step::enroll) == "enroll");
}

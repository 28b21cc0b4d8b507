#include <doctest/doctest.h>

#include "monitor/freshness.hpp"
#include "monitor/ladder.hpp"

using namespace wgs;
using namespace std::chrono_literals;
using monitor::Clock;
using monitor::Freshness;
using monitor::Ladder;
using monitor::Step;

namespace {

Clock::time_point const t0 = Clock::now();

monitor::Observation seen(Duration at, bool replied, std::uint64_t rx, std::optional<Duration> handshake = 5s) {
  return {t0 + at, replied, handshake, rx};
}

}  // namespace

TEST_CASE("freshness: a reply or received bytes keep the tunnel fresh; silence past the limit makes it stale") {
  Freshness freshness(30s, t0);
  freshness.observe(seen(10s, true, 100));
  CHECK_FALSE(freshness.stale(t0 + 35s));
  CHECK(freshness.stale(t0 + 41s));
  CHECK(freshness.why_stale(t0 + 41s).find("SIDECAR_STALE_AFTER=30s") != std::string::npos);

  SUBCASE("received bytes without a ping reply count as life") {
    freshness.observe(seen(20s, false, 100));  // the first reading is only a baseline
    freshness.observe(seen(30s, false, 180));
    CHECK_FALSE(freshness.stale(t0 + 55s));
  }
  SUBCASE("counters that did not move do not") {
    freshness.observe(seen(20s, false, 100));
    freshness.observe(seen(40s, false, 100));
    CHECK(freshness.stale(t0 + 41s));
  }
  SUBCASE("a counter that went down is a new device, not traffic") {
    freshness.observe(seen(20s, false, 100));
    freshness.observe(seen(30s, false, 40));
    CHECK(freshness.stale(t0 + 41s));
  }
}

TEST_CASE("freshness: a handshake older than WireGuard's reject limit plus the margin is stale at once") {
  Freshness freshness(30s, t0);
  freshness.observe(seen(1s, true, 0, 200s));
  CHECK_FALSE(freshness.stale(t0 + 2s));
  freshness.observe(seen(2s, true, 0, 211s));
  CHECK(freshness.stale(t0 + 3s));
  CHECK(freshness.why_stale(t0 + 3s).find("handshake") != std::string::npos);
}

TEST_CASE("freshness: forgetting the counters of a re-created device keeps the silence counting") {
  Freshness freshness(30s, t0);
  freshness.observe(seen(1s, false, 500));
  freshness.forget_counters();
  freshness.observe(seen(20s, false, 0));  // a new device: a baseline, not a sign of life
  CHECK(freshness.stale(t0 + 31s));
}

TEST_CASE("ladder: links first, then the peer and the interface in turn, each given time to work") {
  monitor::LadderSettings settings;
  settings.first_wait = 2s;
  settings.longest_wait = 5s;
  settings.give_up_after = 60s;
  Ladder ladder(settings);
  CHECK_FALSE(ladder.in_trouble());
  CHECK(ladder.next(t0) == Step::links);
  CHECK(ladder.in_trouble());
  CHECK(ladder.next(t0 + 1s) == Step::peer);  // links are quick to judge: no wait after them
  CHECK_FALSE(ladder.next(t0 + 2s).has_value());
  CHECK(ladder.next(t0 + 3s) == Step::interface);
  CHECK_FALSE(ladder.next(t0 + 6s).has_value());  // the wait doubled to 4s
  CHECK(ladder.next(t0 + 7s) == Step::peer);
  CHECK_FALSE(ladder.next(t0 + 11s).has_value());
  CHECK(ladder.next(t0 + 12s) == Step::interface);  // capped at longest_wait (5s)
  CHECK(ladder.next(t0 + 17s) == Step::peer);

  SUBCASE("recovery starts the next trouble at the bottom") {
    ladder.recovered();
    CHECK_FALSE(ladder.in_trouble());
    CHECK(ladder.next(t0 + 20s) == Step::links);
  }
}

TEST_CASE("ladder: gives up once trouble has lasted give_up_after, counted from the first sign") {
  monitor::LadderSettings settings;
  settings.give_up_after = 10s;
  Ladder ladder(settings);
  ladder.note_trouble(t0);
  CHECK_FALSE(ladder.given_up(t0 + 9s));
  CHECK(ladder.next(t0 + 9s) == Step::links);  // the clock did not restart
  CHECK(ladder.given_up(t0 + 10s));
  ladder.recovered();
  CHECK_FALSE(ladder.given_up(t0 + 100s));
}

TEST_CASE("ladder: jitter scales each wait") {
  monitor::LadderSettings settings;
  settings.first_wait = 10s;
  settings.jitter = [] { return 0.5; };
  Ladder ladder(settings);
  CHECK(ladder.next(t0) == Step::links);
  CHECK(ladder.next(t0) == Step::peer);
  CHECK_FALSE(ladder.next(t0 + 4s).has_value());
  CHECK(ladder.next(t0 + 5s) == Step::interface);
}

TEST_CASE("ladder settings follow the probe interval") {
  auto const settings = monitor::ladder_settings(10s, 600s);
  CHECK(settings.first_wait == 20s);
  CHECK(settings.give_up_after == 600s);
  CHECK(monitor::ladder_settings(200ms, 5s).first_wait == 2s);
}

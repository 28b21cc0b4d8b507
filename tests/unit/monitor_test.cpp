#include <doctest/doctest.h>

#include "monitor/freshness.hpp"
#include "monitor/ladder.hpp"
#include "monitor/name_schedule.hpp"
#include "monitor/readiness.hpp"
#include "monitor/repair.hpp"

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

// A probe that pinged the hub: `replied` or not, with the device's counters then.
monitor::Observation pinged(Duration at, bool replied, std::uint64_t rx, std::uint64_t tx) {
  return {t0 + at, replied, 5s, rx, tx, true};
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

TEST_CASE("freshness: two pings in a row that nothing answered make the tunnel stale before SIDECAR_STALE_AFTER") {
  Freshness freshness(30s, t0);
  freshness.observe(pinged(0s, true, 100, 100));
  freshness.observe(pinged(10s, false, 100, 184));
  CHECK(freshness.suspect());
  CHECK_FALSE(freshness.stale(t0 + 13s));
  freshness.observe(pinged(15s, false, 100, 268));
  CHECK(freshness.stale(t0 + 18s));
  CHECK(freshness.why_stale(t0 + 18s).find("answered none of the last 2 probes (the device sent 168 bytes meanwhile)") !=
        std::string::npos);

  SUBCASE("an answer ends the suspicion") {
    freshness.observe(pinged(20s, true, 184, 352));
    CHECK_FALSE(freshness.suspect());
    CHECK_FALSE(freshness.stale(t0 + 21s));
  }
}

TEST_CASE("freshness: once pings are answered, received bytes do not excuse a lost one (a hub that no longer hears us)") {
  Freshness freshness(30s, t0);
  freshness.observe(pinged(0s, true, 100, 100));
  freshness.observe(pinged(10s, false, 300, 400));  // the hub still sends, e.g. retransmissions
  CHECK(freshness.suspect());
  freshness.observe(pinged(12s, false, 500, 600));
  CHECK(freshness.stale(t0 + 14s));
}

TEST_CASE("freshness: where pings never get an answer, received bytes since the last probe do") {
  Freshness freshness(30s, t0);
  freshness.observe(pinged(0s, false, 100, 100));
  freshness.observe(pinged(10s, false, 300, 400));  // ICMP filtered, the app's replies came back
  CHECK_FALSE(freshness.suspect());
  freshness.observe(pinged(20s, false, 300, 500));  // nothing at all since the last probe
  CHECK(freshness.suspect());
  CHECK_FALSE(freshness.stale(t0 + 21s));
}

TEST_CASE("freshness: without a ping nothing was asked, so silence alone counts (keepalives get no answer)") {
  Freshness freshness(30s, t0);
  freshness.observe(seen(0s, false, 100));
  freshness.observe({t0 + 10s, false, 5s, 100, 132, false});
  freshness.observe({t0 + 20s, false, 5s, 100, 164, false});
  CHECK_FALSE(freshness.suspect());
  CHECK_FALSE(freshness.stale(t0 + 25s));
  CHECK(freshness.stale(t0 + 31s));
}

// A probe whose ping was answered and that left the peer unread (its counters are zeros).
monitor::Observation answered_unread(Duration at) { return {t0 + at, true, std::nullopt, 0, 0, true, false}; }

TEST_CASE("freshness: the peer is read at every probe until a ping is answered, then again only after a lost one") {
  Freshness freshness(30s, t0);
  CHECK(freshness.counters_needed());  // nothing answered yet: the counters may be all there is
  freshness.observe(pinged(0s, false, 100, 100));
  CHECK(freshness.counters_needed());
  freshness.observe(pinged(10s, true, 184, 184));
  CHECK_FALSE(freshness.counters_needed());
  freshness.observe(answered_unread(20s));
  CHECK_FALSE(freshness.counters_needed());
  freshness.observe(pinged(30s, false, 184, 268));
  CHECK(freshness.counters_needed());  // until an answer comes back
  freshness.observe(pinged(32s, true, 268, 352));
  CHECK_FALSE(freshness.counters_needed());
}

TEST_CASE("freshness: a probe that left the peer unread keeps the last reading as the baseline") {
  Freshness freshness(30s, t0);
  freshness.observe(pinged(0s, true, 500, 500));
  for (int s = 10; s <= 50; s += 10) freshness.observe(answered_unread(std::chrono::seconds(s)));
  CHECK_FALSE(freshness.stale(t0 + 55s));  // the answers kept it fresh

  SUBCASE("zeros from an unread probe are no baseline: a reading that did not move is no traffic") {
    freshness.observe(pinged(60s, false, 500, 584));  // a lost ping, and nothing received since 0 s
    CHECK(freshness.suspect());
    CHECK_FALSE(freshness.stale(t0 + 79s));  // the answer at 50 s was the last sign of life
    CHECK(freshness.stale(t0 + 81s));
  }
  SUBCASE("an unread probe says nothing of what the device sent while the hub was silent") {
    freshness.observe(pinged(60s, false, 500, 584));
    freshness.observe({t0 + 62s, false, std::nullopt, 0, 0, true, false});
    CHECK(freshness.why_stale(t0 + 63s).find("the device sent 84 bytes meanwhile") != std::string::npos);
  }
}

TEST_CASE("ladder: the rungs are data, so a further step slots in") {
  monitor::LadderSettings settings;
  settings.first_wait = 1s;
  settings.longest_wait = 1s;
  // e.g. a step above re-creating the interface, taken before the peer and interface repeat
  settings.rungs = {{Step::links, true}, {Step::peer}, {Step::interface}, {Step::peer, true}};
  settings.repeat_from = 2;
  Ladder ladder(settings);
  std::vector<Step> taken;
  for (int second = 0; second < 10 && taken.size() < 6; ++second) {
    while (auto step = ladder.next(t0 + std::chrono::seconds(second))) taken.push_back(*step);
  }
  REQUIRE(taken.size() >= 6);
  taken.resize(6);
  CHECK(taken == std::vector<Step>{Step::links, Step::peer, Step::interface, Step::peer, Step::interface, Step::peer});
}

TEST_CASE("readiness: the next gating check waits the check interval after a pass, less while they fail") {
  struct Case {
    unsigned failures;
    Duration expected;
  };
  for (auto const& c : std::vector<Case>{{0, 60s}, {1, 10s}, {2, 20s}, {3, 40s}, {4, 60s}, {9, 60s}}) {
    CAPTURE(c.failures);
    CHECK(monitor::next_check_after(c.failures, 10s, 60s) == c.expected);
  }
  CHECK(monitor::next_check_after(5, 1s, 1h) == 16s);
}

TEST_CASE("readiness: a login is an auth stage that ran, passed or failed") {
  using checks::Stage;
  using checks::Status;
  checks::Report report;
  report.stages = {{Stage::tcp, "primary", Status::ok, 1, "", "", ""},
                   {Stage::auth, "primary", Status::fail, 3, "password authentication failed", "", ""},
                   {Stage::auth, "replica", Status::ok, 3, "", "", ""},
                   {Stage::auth, "replica", Status::skip, 0, "", "", "tls failed"}};
  std::map<std::string, std::uint64_t> counts{{"primary", 4}};
  monitor::count_logins(report, counts);
  CHECK(counts == std::map<std::string, std::uint64_t>{{"primary", 5}, {"replica", 1}});
}

TEST_CASE("inspection: the link's look keeps what it saw and takes the peer's counters from a read of its own") {
  monitor::Inspection read;
  read.peer_read = true;
  read.rx_bytes = 300;
  read.tx_bytes = 200;
  read.handshake_age = 7s;
  monitor::Inspection dead;
  dead.implementation_alive = false;
  dead.error = "wireguard-go exited";
  monitor::Inspection unreadable;
  unreadable.error = "no answer on the UAPI socket";
  monitor::Inspection lacking;
  lacking.missing = "route 10.50.0.0/24";
  monitor::Inspection unlooked;
  unlooked.error = "opening a netlink socket: Too many open files";
  struct Row {
    char const* what;
    monitor::Inspection link, peer;
    bool peer_read;
    std::uint64_t rx;
    std::string missing, error;
    std::optional<Step> step;
  };
  std::vector<Row> const rows{
      {"a whole link, the peer read", {}, read, true, 300, "", "", std::nullopt},
      {"a whole link, the peer left alone (an answered ping)", {}, {}, false, 0, "", "", std::nullopt},
      {"a route gone, the peer read", lacking, read, true, 300, "route 10.50.0.0/24", "", Step::links},
      {"the implementation gone by the peer's read", {}, dead, false, 0, "", "wireguard-go exited", Step::interface},
      {"the peer unreadable", {}, unreadable, false, 0, "", "no answer on the UAPI socket", std::nullopt},
      {"the link unreadable: its error first", unlooked, unreadable, false, 0, "",
       "opening a netlink socket: Too many open files", std::nullopt},
  };
  for (auto const& row : rows) {
    CAPTURE(row.what);
    auto const seen = monitor::with_peer(row.link, row.peer);
    CHECK(seen.peer_read == row.peer_read);
    CHECK(seen.rx_bytes == row.rx);
    CHECK(seen.missing == row.missing);
    CHECK(seen.error == row.error);
    CHECK(seen.damage_step() == row.step);
    if (row.peer_read) CHECK(seen.handshake_age == std::optional<Duration>(7s));
  }
}

TEST_CASE("name schedule: a TTL sets the next lookup, within the floor and the ceiling") {
  monitor::NameSchedule names({.floor = 5s, .ceiling = 300s});
  struct Case {
    std::optional<Duration> ttl;
    Duration kept;
  };
  for (auto const& c : std::vector<Case>{{60s, 60s}, {0s, 5s}, {2s, 5s}, {3600s, 300s}, {std::nullopt, 300s}}) {
    CAPTURE(c.kept.count());
    CHECK(names.kept_for(c.ttl) == c.kept);
    names.looked_up(c.ttl, t0);
    CHECK(names.due() == t0 + c.kept);
  }
  names.failed(t0);
  CHECK(names.due() == t0 + 5s);
  names.due_now(t0 + 1s);
  CHECK(names.due() == t0 + 1s);
}

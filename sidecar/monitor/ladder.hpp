#pragma once
// The recovery ladder for a stale tunnel, cheapest step first: re-install what is missing
// from the link (routes, addresses), then re-resolve the endpoint and re-apply the peer
// (a fresh handshake, a moved hub), then re-create the interface (and with it the
// userspace implementation). Each step that is not quick to judge gets time to show its
// effect, doubling with jitter so a fleet does not retry in step; the steps from
// `repeat_from` on repeat until the tunnel is fresh or SIDECAR_GIVE_UP_AFTER has passed
// since it went stale. The rungs are data (LadderSettings::rungs): a new step is a new
// Step, its name, its action in repair.cpp and its place here. Pure logic: the caller owns
// the clock.
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include "monitor/freshness.hpp"

namespace wgs::monitor {

// enroll: on an enrolled machine, the peer step enrolls again first (the hub restarted or
// pruned it and no longer knows its key), then re-applies the peer.
enum class Step { links, peer, interface, enroll };
std::string_view step_name(Step step);  // "links", "peer", "interface", "enroll"

struct Rung {
  Step step;
  // Judged at once (missing links are mended as soon as a probe or an event sees them, so
  // on a stale tunnel the links step rarely finds anything): no wait after it.
  bool quick = false;
};

struct LadderSettings {
  std::vector<Rung> rungs{{Step::links, true}, {Step::peer}, {Step::interface}};
  std::size_t repeat_from = 1;  // after the last rung: the links step only helps once
  Duration first_wait{2000};    // after the first slow step, before the next step
  Duration longest_wait{60'000};
  Duration give_up_after{600'000};
  std::function<double()> jitter = [] { return 1.0; };  // a factor around 1, e.g. 0.8..1.2
};

// The first wait follows the probe interval: a step's effect is only seen at a probe.
LadderSettings ladder_settings(Duration probe_interval, Duration give_up_after, bool enrolled = false);

class Ladder {
 public:
  explicit Ladder(LadderSettings settings) : settings_(std::move(settings)) {}

  // The tunnel is stale at `now`: the step to take now, or nullopt while the last step
  // still has time to work.
  std::optional<Step> next(Clock::time_point now);
  // The tunnel is stale or damaged at `now`: the give-up clock runs from the first time.
  void note_trouble(Clock::time_point now);
  // The tunnel is fresh again: the next trouble starts at the bottom.
  void recovered();
  bool in_trouble() const { return trouble_since_.has_value(); }
  bool given_up(Clock::time_point now) const;

 private:
  Rung const& rung_for(unsigned taken) const;

  LadderSettings settings_;
  std::optional<Clock::time_point> trouble_since_;
  Clock::time_point next_step_at_{};
  unsigned steps_taken_ = 0;
  Duration wait_{0};
};

}  // namespace wgs::monitor

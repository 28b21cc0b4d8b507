#pragma once
// The recovery ladder for a stale tunnel, cheapest step first: re-install what is missing
// from the link (routes, addresses), then re-resolve the endpoint and re-apply the peer
// (a fresh handshake, a moved hub), then re-create the interface (and with it the
// userspace implementation). Each step after the first gets time to show its effect, doubling with jitter
// so a fleet does not retry in step; the upper steps repeat until the tunnel is fresh or
// SIDECAR_GIVE_UP_AFTER has passed since it went stale. Pure logic: the caller owns the clock.
#include <functional>
#include <optional>
#include <string_view>

#include "monitor/freshness.hpp"

namespace wgs::monitor {

// enroll: on an enrolled machine, the peer step enrolls again first (the hub restarted or
// pruned it and no longer knows its key), then re-applies the peer.
enum class Step { links, peer, interface, enroll };
std::string_view step_name(Step step);  // "links", "peer", "interface", "enroll"

struct LadderSettings {
  Duration first_wait{2000};    // after the first peer step, before the next step
  Duration longest_wait{60'000};
  Duration give_up_after{600'000};
  std::function<double()> jitter = [] { return 1.0; };  // a factor around 1, e.g. 0.8..1.2
  bool enrolled = false;  // the peer rung is `enroll`
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
  LadderSettings settings_;
  std::optional<Clock::time_point> trouble_since_;
  Clock::time_point next_step_at_{};
  unsigned steps_taken_ = 0;
  Duration wait_{0};
};

}  // namespace wgs::monitor

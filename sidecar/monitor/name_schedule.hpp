#pragma once
// When to look the hub's endpoint name up again. DNS says how long an answer may be kept
// (its TTL): the name is looked up again when that runs out, but not more often than
// `floor` (a TTL of 0 would otherwise cost a query every probe) nor less often than
// `ceiling` (names from /etc/hosts carry no TTL; a changed file is also noticed by inotify).
// Staleness, a probe that went unanswered and a changed resolver file ask for a lookup at
// once. Pure logic: the caller owns the clock.
#include <optional>

#include "monitor/freshness.hpp"

namespace wgs::monitor {

struct NameScheduleSettings {
  Duration floor{5'000};
  Duration ceiling{300'000};
};

class NameSchedule {
 public:
  explicit NameSchedule(NameScheduleSettings settings = {}) : settings_(settings) {}

  // The names were looked up at `now`; `ttl` is the answers' smallest (nullopt: none given).
  void looked_up(std::optional<Duration> ttl, Clock::time_point now);
  // The lookup failed: try again after the floor.
  void failed(Clock::time_point now) { due_ = now + settings_.floor; }
  void due_now(Clock::time_point now) { due_ = now; }
  Clock::time_point due() const { return due_; }
  // How long the latest answer is kept, as the schedule applies it.
  Duration kept_for(std::optional<Duration> ttl) const;

 private:
  NameScheduleSettings settings_;
  Clock::time_point due_{};
};

}  // namespace wgs::monitor

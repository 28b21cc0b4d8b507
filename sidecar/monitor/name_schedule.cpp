#include "monitor/name_schedule.hpp"

#include <algorithm>

namespace wgs::monitor {

Duration NameSchedule::kept_for(std::optional<Duration> ttl) const {
  return std::clamp(ttl.value_or(settings_.ceiling), settings_.floor, settings_.ceiling);
}

void NameSchedule::looked_up(std::optional<Duration> ttl, Clock::time_point now) { due_ = now + kept_for(ttl); }

}  // namespace wgs::monitor

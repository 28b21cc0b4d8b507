#include "monitor/ladder.hpp"

#include <algorithm>
#include <random>

namespace wgs::monitor {

std::string_view step_name(Step step) {
  switch (step) {
    case Step::links: return "links";
    case Step::peer: return "peer";
    case Step::interface: return "interface";
    case Step::enroll: return "enroll";
  }
  return "?";
}

LadderSettings ladder_settings(Duration probe_interval, Duration give_up_after, bool enrolled) {
  LadderSettings settings;
  // An enrolled machine's peer step enrolls again first: the hub may have restarted or pruned it.
  if (enrolled) std::replace_if(settings.rungs.begin(), settings.rungs.end(), [](Rung const& r) { return r.step == Step::peer; }, Rung{Step::enroll});
  settings.first_wait = std::max(Duration(2000), 2 * probe_interval);
  settings.longest_wait = std::max(settings.first_wait, Duration(60'000));
  settings.give_up_after = give_up_after;
  settings.jitter = [generator = std::minstd_rand(std::random_device{}())]() mutable {
    return std::uniform_real_distribution<double>(0.8, 1.2)(generator);
  };
  return settings;
}

void Ladder::note_trouble(Clock::time_point now) {
  if (trouble_since_) return;
  trouble_since_ = now;
  steps_taken_ = 0;
  wait_ = settings_.first_wait;
}

// The rungs in order, then those from repeat_from on, round and round.
Rung const& Ladder::rung_for(unsigned taken) const {
  auto const& rungs = settings_.rungs;
  if (taken < rungs.size()) return rungs[taken];
  auto const cycle = rungs.size() - settings_.repeat_from;
  return rungs[settings_.repeat_from + (taken - rungs.size()) % cycle];
}

std::optional<Step> Ladder::next(Clock::time_point now) {
  note_trouble(now);
  if (steps_taken_ > 0 && now < next_step_at_) return std::nullopt;
  auto const& rung = rung_for(steps_taken_++);
  if (rung.quick) {
    next_step_at_ = now;
    return rung.step;
  }
  next_step_at_ = now + std::chrono::duration_cast<Duration>(wait_ * settings_.jitter());
  wait_ = std::min(wait_ * 2, settings_.longest_wait);
  return rung.step;
}

void Ladder::recovered() {
  trouble_since_.reset();
  steps_taken_ = 0;
}

bool Ladder::given_up(Clock::time_point now) const {
  return trouble_since_ && now - *trouble_since_ >= settings_.give_up_after;
}

}  // namespace wgs::monitor

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
  settings.enrolled = enrolled;
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

std::optional<Step> Ladder::next(Clock::time_point now) {
  note_trouble(now);
  if (steps_taken_ > 0 && now < next_step_at_) return std::nullopt;
  // links, peer, interface, then peer and interface in turn: the links step only helps once.
  Step const peer = settings_.enrolled ? Step::enroll : Step::peer;
  Step const step = steps_taken_ == 0 ? Step::links : (steps_taken_ % 2 == 1 ? peer : Step::interface);
  ++steps_taken_;
  // Missing links are mended as soon as a probe or an event sees them, so on a stale tunnel
  // the links step rarely finds anything: no wait after it, and the monitor asks for the
  // peer step at once when it found nothing.
  if (step == Step::links) {
    next_step_at_ = now;
    return step;
  }
  next_step_at_ = now + std::chrono::duration_cast<Duration>(wait_ * settings_.jitter());
  wait_ = std::min(wait_ * 2, settings_.longest_wait);
  return step;
}

void Ladder::recovered() {
  trouble_since_.reset();
  steps_taken_ = 0;
}

bool Ladder::given_up(Clock::time_point now) const {
  return trouble_since_ && now - *trouble_since_ >= settings_.give_up_after;
}

}  // namespace wgs::monitor

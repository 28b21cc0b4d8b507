#pragma once
// What a machine on a shared static key can see of it. The hub answers its handshakes but
// sends the data replies to whichever machine spoke last, so WireGuard, hearing nothing
// back, starts a new handshake every 15 s or so, and the other machine's handshakes take
// the session away again: many fresh handshakes while pings go unanswered. A healthy tunnel
// makes a new handshake every 2 minutes; a blocked path makes none. A hub that does not
// route this edge's address looks the same, and the warning says so. Pure; the monitor
// feeds it every probe of a tunnel on WG_PRIVATE_KEY.
#include <chrono>
#include <deque>
#include <optional>
#include <string>

#include "util/duration.hpp"

namespace wgs::enroll {

class SharedKeySigns {
 public:
  using Clock = std::chrono::steady_clock;

  // A probe at `at`: whether its ping was answered, and the handshake's age then. Returns
  // the warning the first time the signs add up (again at most every 10 minutes).
  std::optional<std::string> observe(Clock::time_point at, bool replied, std::optional<Duration> handshake_age);

 private:
  std::optional<Clock::time_point> last_handshake_;
  std::deque<Clock::time_point> handshakes_;  // new handshakes seen in the window
  std::deque<Clock::time_point> unanswered_;  // unanswered pings in the window
  std::optional<Clock::time_point> warned_at_;
};

}  // namespace wgs::enroll

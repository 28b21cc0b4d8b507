#pragma once
// Whether the tunnel still carries traffic, judged from what each probe saw: an answered
// ping or received bytes are proof of life; a handshake older than WireGuard's reject
// limit means no session is left at all. Pure logic on timestamps, so tests drive the clock.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "util/duration.hpp"

namespace wgs::monitor {

using Clock = std::chrono::steady_clock;

// After REJECT_AFTER_TIME (180 s) without a new handshake WireGuard drops the session's keys.
inline constexpr Duration reject_after_time{180'000};

struct Observation {
  Clock::time_point at;
  bool ping_replied = false;
  std::optional<Duration> handshake_age;  // nullopt: no handshake yet (or unknown)
  std::uint64_t rx_bytes = 0;
};

class Freshness {
 public:
  // `stale_after`: SIDECAR_STALE_AFTER. The handshake limit is reject_after_time plus it.
  Freshness(Duration stale_after, Clock::time_point start);

  void observe(Observation const& seen);
  bool stale(Clock::time_point now) const { return !why_stale(now).empty(); }
  // Why the tunnel counts as stale ("no ping reply nor received bytes for 31s"); empty if fresh.
  std::string why_stale(Clock::time_point now) const;
  // A re-created device starts with no handshake and zero counters; the silence so far
  // still counts, or a tunnel that never comes back would never be given up on.
  void forget_counters();

 private:
  Duration stale_after_;
  Clock::time_point last_sign_of_life_;
  std::optional<std::uint64_t> last_rx_;
  std::optional<Duration> handshake_age_;
};

}  // namespace wgs::monitor

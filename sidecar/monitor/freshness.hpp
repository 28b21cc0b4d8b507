#pragma once
// Whether the tunnel still carries traffic, judged from what each probe saw: an answered
// ping or received bytes are proof of life; a handshake older than WireGuard's reject
// limit means no session is left at all. A ping the hub leaves unanswered makes it a suspect,
// and a second such probe in a row means it has stopped answering, without waiting out
// SIDECAR_STALE_AFTER. Received bytes do not excuse a lost ping once pings have been answered:
// a hub that still sends (a database's retransmissions) may no longer hear the edge. Where
// pings never get an answer (ICMP filtered), the counters since the last probe judge instead:
// nothing received at all. A probe whose ping is answered needs no counters (its answer is
// the sign of life), so it may leave the peer unread. Pure logic on timestamps, so tests
// drive the clock.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "util/duration.hpp"

namespace wgs::monitor {

using Clock = std::chrono::steady_clock;

// After REJECT_AFTER_TIME (180 s) without a new handshake WireGuard drops the session's keys.
inline constexpr Duration reject_after_time{180'000};
// Unanswered probes in a row that make the tunnel stale before SIDECAR_STALE_AFTER.
inline constexpr unsigned unanswered_limit = 2;

struct Observation {
  Clock::time_point at;
  bool ping_replied = false;
  std::optional<Duration> handshake_age;  // nullopt: no handshake yet (or unknown)
  std::uint64_t rx_bytes = 0;
  std::uint64_t tx_bytes = 0;
  bool pinged = false;  // a ping was sent through the tunnel (it asks the hub for an answer)
  bool peer_read = true;  // false: the ping alone; the handshake and counters were not read
};

class Freshness {
 public:
  // `stale_after`: SIDECAR_STALE_AFTER. The handshake limit is reject_after_time plus it.
  Freshness(Duration stale_after, Clock::time_point start);

  void observe(Observation const& seen);
  bool stale(Clock::time_point now) const { return !why_stale(now).empty(); }
  // Why the tunnel counts as stale ("no ping reply nor received bytes for 31s"); empty if fresh.
  std::string why_stale(Clock::time_point now) const;
  // The latest probe asked the hub and got nothing back, nor anything else since the one before.
  bool suspect() const { return unanswered_ > 0; }
  // Whether the next probe must read the peer (handshake, counters) as it starts, not only
  // when its ping goes unanswered: pings have never been answered on this path, so the
  // counters are all there is to judge by, or the latest went unanswered.
  bool counters_needed() const { return !pings_answered_ || suspect(); }
  // A re-created device starts with no handshake and zero counters; the silence so far
  // still counts, or a tunnel that never comes back would never be given up on.
  void forget_counters();

 private:
  bool received(Observation const& seen) const;
  std::uint64_t sent(Observation const& seen) const;
  bool answered(Observation const& seen) const;

  Duration stale_after_;
  Clock::time_point last_sign_of_life_;
  std::optional<std::uint64_t> last_rx_;
  std::optional<std::uint64_t> last_tx_;
  std::optional<Duration> handshake_age_;
  bool pings_answered_ = false;  // some ping has had a reply
  unsigned unanswered_ = 0;     // probes in a row
  std::uint64_t sent_unanswered_ = 0;  // bytes the device sent meanwhile
};

}  // namespace wgs::monitor

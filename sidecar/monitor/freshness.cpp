#include "monitor/freshness.hpp"

#include <fmt/format.h>

namespace wgs::monitor {

Freshness::Freshness(Duration stale_after, Clock::time_point start)
    : stale_after_(stale_after), last_sign_of_life_(start) {}

// rx going down means the counters started again (a new device): that is not traffic.
bool Freshness::received(Observation const& seen) const {
  return seen.peer_read && last_rx_ && seen.rx_bytes > *last_rx_;
}

// Bytes the device sent since the last reading: none when the peer was not read this time.
std::uint64_t Freshness::sent(Observation const& seen) const {
  if (!seen.peer_read || !last_tx_ || seen.tx_bytes <= *last_tx_) return 0;
  return seen.tx_bytes - *last_tx_;
}

bool Freshness::answered(Observation const& seen) const {
  return seen.ping_replied || (!pings_answered_ && received(seen));
}

void Freshness::observe(Observation const& seen) {
  if (seen.ping_replied || received(seen)) last_sign_of_life_ = std::max(last_sign_of_life_, seen.at);
  pings_answered_ = pings_answered_ || seen.ping_replied;
  if (answered(seen)) {
    unanswered_ = 0;
    sent_unanswered_ = 0;
  } else if (seen.pinged) {
    ++unanswered_;
    sent_unanswered_ += sent(seen);
  }
  if (!seen.peer_read) return;  // the counters read last stay the baseline
  last_rx_ = seen.rx_bytes;
  last_tx_ = seen.tx_bytes;
  handshake_age_ = seen.handshake_age;
}

std::string Freshness::why_stale(Clock::time_point now) const {
  auto const limit = reject_after_time + stale_after_;
  if (handshake_age_ && *handshake_age_ > limit) {
    return fmt::format("the latest handshake is {} old (WireGuard drops a session after {})",
                       format_duration(std::chrono::duration_cast<std::chrono::seconds>(*handshake_age_)),
                       format_duration(reject_after_time));
  }
  if (unanswered_ >= unanswered_limit) {
    return fmt::format("the hub answered none of the last {} probes (the device sent {} bytes meanwhile)",
                       unanswered_, sent_unanswered_);
  }
  auto const silent = std::chrono::duration_cast<Duration>(now - last_sign_of_life_);
  if (silent > stale_after_) {
    return fmt::format("no ping reply nor received bytes for {} (SIDECAR_STALE_AFTER={})",
                       format_duration(std::chrono::duration_cast<std::chrono::seconds>(silent)),
                       format_duration(stale_after_));
  }
  return {};
}

void Freshness::forget_counters() {
  last_rx_.reset();
  last_tx_.reset();
  handshake_age_.reset();
}

}  // namespace wgs::monitor

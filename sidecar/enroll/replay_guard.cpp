#include "enroll/replay_guard.hpp"

namespace wgs::enroll {

void ReplayGuard::forget_before(std::int64_t now_ms) {
  while (!by_expiry_.empty() && by_expiry_.begin()->first < now_ms) {
    seen_.erase(by_expiry_.begin()->second);
    by_expiry_.erase(by_expiry_.begin());
  }
}

Freshness ReplayGuard::admit(Nonce const& nonce, std::int64_t sent_at_ms, std::int64_t now_ms) {
  forget_before(now_ms);
  if (sent_at_ms < now_ms - window_ms_ || sent_at_ms > now_ms + window_ms_) return Freshness::stale;
  if (seen_.contains(nonce)) return Freshness::replayed;
  if (seen_.size() >= capacity_) return Freshness::full;
  seen_.insert(nonce);
  by_expiry_.emplace(sent_at_ms + window_ms_, nonce);
  return Freshness::fresh;
}

}  // namespace wgs::enroll

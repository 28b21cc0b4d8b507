#pragma once
// Refuses a captured request sent again: each request carries its wall-clock time and a
// random nonce; the hub takes only requests within `window` of its own clock, and each
// nonce once while it could still pass the time check. Bounded: at `capacity` nonces kept,
// new requests are refused until old ones age out (a flood cannot make the hub forget).
#include <cstddef>
#include <cstdint>
#include <map>
#include <set>

#include "enroll/envelope.hpp"
#include "util/duration.hpp"

namespace wgs::enroll {

enum class Freshness { fresh, stale, replayed, full };

class ReplayGuard {
 public:
  explicit ReplayGuard(Duration window = Duration(120'000), std::size_t capacity = 65'536)
      : window_ms_(window.count()), capacity_(capacity) {}

  // Judges a request sent at `sent_at_ms` with `nonce`, at `now_ms` (both Unix ms), and
  // remembers a fresh one.
  Freshness admit(Nonce const& nonce, std::int64_t sent_at_ms, std::int64_t now_ms);
  std::size_t remembered() const { return seen_.size(); }

 private:
  void forget_before(std::int64_t now_ms);

  std::int64_t window_ms_;
  std::size_t capacity_;
  std::set<Nonce> seen_;
  std::multimap<std::int64_t, Nonce> by_expiry_;  // when the time check alone refuses it
};

}  // namespace wgs::enroll

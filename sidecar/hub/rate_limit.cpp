#include "hub/rate_limit.hpp"

#include <algorithm>

namespace wgs::hub {
namespace {

std::array<std::uint8_t, 17> key_of(net::IpAddress const& address) {
  std::array<std::uint8_t, 17> key{};
  key[0] = static_cast<std::uint8_t>(address.family);
  std::copy(address.bytes.begin(), address.bytes.end(), key.begin() + 1);
  return key;
}

}  // namespace

double RateLimit::refilled(Bucket const& bucket, Clock::time_point now) const {
  auto const seconds = std::chrono::duration<double>(now - bucket.updated).count();
  return std::min(burst_, bucket.tokens + std::max(0.0, seconds) * per_second_);
}

void RateLimit::forget_full(Clock::time_point now) {
  std::erase_if(buckets_, [&](auto const& entry) { return refilled(entry.second, now) >= burst_; });
}

bool RateLimit::allow(net::IpAddress const& source, Clock::time_point now) {
  auto const key = key_of(source);
  auto found = buckets_.find(key);
  if (found == buckets_.end()) {
    if (buckets_.size() >= max_sources_) forget_full(now);
    if (buckets_.size() >= max_sources_) return false;
    found = buckets_.emplace(key, Bucket{burst_, now}).first;
  }
  auto& bucket = found->second;
  bucket.tokens = refilled(bucket, now);
  bucket.updated = now;
  if (bucket.tokens < 1.0) return false;
  bucket.tokens -= 1.0;
  return true;
}

}  // namespace wgs::hub

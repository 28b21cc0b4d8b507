#pragma once
// Requests per source address on the public enrollment port: a token bucket each (`burst`
// at once, then `per_second`), so a fleet starting behind one NAT gets in while one noisy
// source cannot keep the hub busy. The table is bounded: full buckets are forgotten first,
// and with every slot busy new sources wait. Pure; the caller owns the clock.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>

#include "net/address.hpp"

namespace wgs::hub {

class RateLimit {
 public:
  using Clock = std::chrono::steady_clock;
  RateLimit(double per_second, double burst, std::size_t max_sources = 16'384)
      : per_second_(per_second), burst_(burst), max_sources_(max_sources) {}

  bool allow(net::IpAddress const& source, Clock::time_point now);
  std::size_t sources() const { return buckets_.size(); }

 private:
  struct Bucket {
    double tokens;
    Clock::time_point updated;
  };
  double refilled(Bucket const& bucket, Clock::time_point now) const;
  void forget_full(Clock::time_point now);

  double per_second_;
  double burst_;
  std::size_t max_sources_;
  std::map<std::array<std::uint8_t, 17>, Bucket> buckets_;
};

}  // namespace wgs::hub

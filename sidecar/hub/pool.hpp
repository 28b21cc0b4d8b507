#pragma once
// The IPv4 range enrolled machines get their addresses from (HUB_POOL, e.g. 10.50.3.0/24),
// minus the network and broadcast addresses, the hub's own and every static peer's. Pure.
#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include "net/address.hpp"

namespace wgs::hub {

class Pool {
 public:
  Pool(net::Prefix range, std::vector<net::Prefix> reserved);

  net::Prefix const& range() const { return range_; }
  std::size_t capacity() const;  // usable addresses
  bool is_usable(net::IpAddress const& address) const;

  // An address for `machine_id` that `is_taken` does not refuse: the hint when usable (the
  // machine had it before the hub restarted), else the first free one from a start the
  // machine id decides, so a machine tends to get the same address across hub restarts
  // even without a hint. nullopt when the pool is full.
  std::optional<net::IpAddress> choose(std::string_view machine_id, std::optional<net::IpAddress> const& hint,
                                       std::function<bool(net::IpAddress const&)> const& is_taken) const;

 private:
  std::uint32_t first_host() const;
  std::uint32_t hosts() const;  // the range's size without network and broadcast
  net::Prefix range_;
  std::vector<net::Prefix> reserved_;
};

std::uint32_t to_u32(net::IpAddress const& address);
net::IpAddress from_u32(std::uint32_t value);

}  // namespace wgs::hub

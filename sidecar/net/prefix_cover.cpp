#include "net/prefix_cover.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <vector>

namespace wgs::net {
namespace {

// Addresses as numbers, so prefixes become ranges: 128 bits hold an IPv6 address whole.
__extension__ typedef unsigned __int128 Number;

struct Range {
  Number first;
  Number last;
};

Number as_number(IpAddress const& ip) {
  Number value = 0;
  for (std::size_t i = 0; i < ip.size(); ++i) value = (value << 8) | ip.bytes[i];
  return value;
}

Number highest(int family) { return family == AF_INET ? Number{0xffff'ffffu} : ~Number{0}; }

Range range_of(Prefix const& prefix) {
  auto const host_bits = static_cast<unsigned>(prefix.max_length() - prefix.length);
  Number const first = as_number(prefix.network().address);
  Number const size_less_one = host_bits >= 128 ? ~Number{0} : (Number{1} << host_bits) - 1;
  return {first, first + size_less_one};
}

}  // namespace

bool covers_family(std::span<Prefix const> prefixes, int family) {
  std::vector<Range> ranges;
  for (auto const& prefix : prefixes) {
    if (prefix.address.family == family) ranges.push_back(range_of(prefix));
  }
  std::sort(ranges.begin(), ranges.end(), [](Range const& a, Range const& b) { return a.first < b.first; });
  Number next = 0;  // the lowest address no range has covered yet
  for (auto const& range : ranges) {
    if (range.first > next) return false;
    if (range.last >= highest(family)) return true;
    next = std::max(next, range.last + 1);
  }
  return false;
}

}  // namespace wgs::net

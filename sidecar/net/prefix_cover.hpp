#pragma once
// Whether a set of prefixes routes a whole address family.
#include <span>

#include "net/address.hpp"

namespace wgs::net {

// True when the prefixes of `family` (AF_INET or AF_INET6) together hold every address of it:
// 0.0.0.0/0 alone, or 0.0.0.0/1 with 128.0.0.0/1, or any other pieces that add up.
bool covers_family(std::span<Prefix const> prefixes, int family);

}  // namespace wgs::net

#pragma once
// Host names to addresses without glibc's NSS: a static binary in a FROM scratch image has
// no libnss_*.so to load, so names go through c-ares, which reads /etc/hosts and
// /etc/resolv.conf itself. Numeric addresses never touch a resolver.
#include <optional>
#include <string>
#include <vector>

#include "net/address.hpp"
#include "util/duration.hpp"
#include "util/result.hpp"

namespace wgs::dns {

struct Answer {
  std::vector<net::IpAddress> addresses;  // IPv4 first (the hub's public side is usually IPv4)
  // How long DNS lets the answer be kept (the smallest TTL of its records, CNAMEs included).
  // nullopt: a numeric host or a name from /etc/hosts, which carry no TTL.
  std::optional<Duration> ttl;
};

Result<Answer> lookup(std::string const& host, Duration timeout);

// lookup's addresses alone.
Result<std::vector<net::IpAddress>> resolve(std::string const& host, Duration timeout);

// The one address to dial for `host`: itself when numeric, else resolve()'s first answer.
Result<net::IpAddress> first_address(std::string const& host, Duration timeout);

}  // namespace wgs::dns

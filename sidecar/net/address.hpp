#pragma once
// IP addresses, prefixes (CIDR) and host:port endpoints as plain values.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace wgs::net {

struct IpAddress {
  int family = 0;  // AF_INET or AF_INET6
  std::array<std::uint8_t, 16> bytes{};  // the first 4 for IPv4

  static std::optional<IpAddress> parse(std::string_view text);
  bool is_v4() const;
  std::size_t size() const { return is_v4() ? 4 : 16; }
  std::string to_string() const;
  bool operator==(IpAddress const&) const = default;
};

struct Prefix {
  IpAddress address;
  std::uint8_t length = 0;

  // "10.50.0.0/24"; a bare address means a host prefix (/32 or /128), as wg does. Errors do
  // not quote the text: a key pasted into the wrong setting must not be echoed.
  static Result<Prefix> parse(std::string_view text);
  std::uint8_t max_length() const { return address.is_v4() ? 32 : 128; }
  Prefix network() const;  // host bits cleared
  bool contains(IpAddress const& ip) const;
  bool covers(Prefix const& other) const;  // other lies wholly inside this prefix
  std::string to_string() const;
  bool operator==(Prefix const&) const = default;
};

// "host:port", "[v6]:port", "1.2.3.4:port" or "name.example:port". The host is kept as
// text: names are resolved when the tunnel comes up, and again when it heals.
struct HostPort {
  std::string host;
  std::uint16_t port = 0;

  static Result<HostPort> parse(std::string_view text);
  std::optional<IpAddress> numeric() const { return IpAddress::parse(host); }
  std::string to_string() const;  // brackets an IPv6 host
  bool operator==(HostPort const&) const = default;
};

// A decimal port 1..65535.
Result<std::uint16_t> parse_port(std::string_view text);

// A DNS host name as RFC 1123 allows it: dot-separated labels of letters, digits and
// hyphens, each 1-63 long and not starting or ending with a hyphen; 253 characters at most.
bool is_host_name(std::string_view text);

}  // namespace wgs::net

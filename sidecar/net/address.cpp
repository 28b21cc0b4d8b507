#include "net/address.hpp"

#include <arpa/inet.h>

#include <charconv>

#include <fmt/format.h>

namespace wgs::net {
namespace {

template <class Int>
std::optional<Int> parse_decimal(std::string_view text) {
  Int value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  std::string const copy(text);  // inet_pton needs a NUL-terminated string
  IpAddress ip;
  if (inet_pton(AF_INET, copy.c_str(), ip.bytes.data()) == 1) {
    ip.family = AF_INET;
    return ip;
  }
  if (inet_pton(AF_INET6, copy.c_str(), ip.bytes.data()) == 1) {
    ip.family = AF_INET6;
    return ip;
  }
  return std::nullopt;
}

bool IpAddress::is_v4() const { return family == AF_INET; }

std::string IpAddress::to_string() const {
  char text[INET6_ADDRSTRLEN] = {};
  inet_ntop(family, bytes.data(), text, sizeof text);
  return text;
}

Result<Prefix> Prefix::parse(std::string_view text) {
  auto const slash = text.find('/');
  auto const ip = IpAddress::parse(text.substr(0, slash));
  if (!ip) return make_error("is not an IP address or CIDR prefix");
  Prefix prefix{*ip, 0};
  if (slash == std::string_view::npos) {
    prefix.length = prefix.max_length();
    return prefix;
  }
  auto const length = parse_decimal<unsigned>(text.substr(slash + 1));
  if (!length || *length > prefix.max_length()) {
    return make_error(fmt::format("has a prefix length out of range (0..{})", prefix.max_length()));
  }
  prefix.length = static_cast<std::uint8_t>(*length);
  return prefix;
}

Prefix Prefix::network() const {
  Prefix out = *this;
  for (std::size_t bit = length; bit < address.size() * 8; ++bit) {
    out.address.bytes[bit / 8] &= static_cast<std::uint8_t>(~(0x80u >> (bit % 8)));
  }
  return out;
}

bool Prefix::contains(IpAddress const& ip) const {
  if (ip.family != address.family) return false;
  return Prefix{ip, length}.network() == network();
}

bool Prefix::covers(Prefix const& other) const { return other.length >= length && contains(other.address); }

std::string Prefix::to_string() const { return fmt::format("{}/{}", address.to_string(), length); }

Result<HostPort> HostPort::parse(std::string_view text) {
  if (text.empty()) return make_error("is empty");
  std::string_view host;
  std::string_view rest;
  if (text.front() == '[') {
    auto const close = text.find(']');
    if (close == std::string_view::npos) return make_error("has '[' without a closing ']'");
    host = text.substr(1, close - 1);
    rest = text.substr(close + 1);
    if (!IpAddress::parse(host) || IpAddress::parse(host)->is_v4()) {
      return make_error("has brackets around something that is not an IPv6 address");
    }
  } else {
    auto const colon = text.rfind(':');
    if (colon == std::string_view::npos) return make_error("has no port (expected host:port, e.g. 203.0.113.7:51820)");
    host = text.substr(0, colon);
    rest = text.substr(colon);
    if (host.find(':') != std::string_view::npos) {
      return make_error("looks like an IPv6 address without brackets (write [addr]:port)");
    }
  }
  if (host.empty()) return make_error("has an empty host");
  if (rest.size() < 2 || rest.front() != ':') return make_error("has no port (expected host:port)");
  auto const port = parse_port(rest.substr(1));
  if (!port) return port.error();
  return HostPort{std::string(host), *port};
}

std::string HostPort::to_string() const {
  auto const ip = numeric();
  if (ip && !ip->is_v4()) return fmt::format("[{}]:{}", host, port);
  return fmt::format("{}:{}", host, port);
}

bool is_host_name(std::string_view text) {
  if (text.empty() || text.size() > 253) return false;
  std::size_t label = 0;
  char previous = '.';
  for (char c : text) {
    bool const alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (c == '.') {
      if (label == 0 || previous == '-') return false;
      label = 0;
    } else if (alnum || (c == '-' && label != 0)) {
      if (++label > 63) return false;
    } else {
      return false;
    }
    previous = c;
  }
  return label != 0 && previous != '-';
}

Result<std::uint16_t> parse_port(std::string_view text) {
  auto const value = parse_decimal<unsigned long>(text);
  if (!value) return make_error("has a port that is not a number");
  if (*value == 0 || *value > 65535) return make_error("has a port out of range (1..65535)");
  return static_cast<std::uint16_t>(*value);
}

}  // namespace wgs::net

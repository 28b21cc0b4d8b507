#include "hub/pool.hpp"

#include <netinet/in.h>

#include <algorithm>

namespace wgs::hub {

std::uint32_t to_u32(net::IpAddress const& address) {
  auto const& b = address.bytes;
  return (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) | b[3];
}

net::IpAddress from_u32(std::uint32_t value) {
  net::IpAddress out;
  out.family = AF_INET;
  for (int i = 0; i < 4; ++i) out.bytes[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(value >> (24 - 8 * i));
  return out;
}

Pool::Pool(net::Prefix range, std::vector<net::Prefix> reserved) : range_(range.network()), reserved_(std::move(reserved)) {}

std::uint32_t Pool::first_host() const { return to_u32(range_.address) + 1; }

std::uint32_t Pool::hosts() const {
  if (!range_.address.is_v4() || range_.length > 30) return 0;
  return (std::uint32_t{1} << (32 - range_.length)) - 2;
}

bool Pool::is_usable(net::IpAddress const& address) const {
  if (!address.is_v4() || !range_.contains(address)) return false;
  auto const value = to_u32(address);
  if (value < first_host() || value >= first_host() + hosts()) return false;
  return std::none_of(reserved_.begin(), reserved_.end(), [&](auto const& prefix) { return prefix.contains(address); });
}

std::size_t Pool::capacity() const {
  std::size_t count = 0;
  for (std::uint32_t i = 0; i < hosts(); ++i) count += is_usable(from_u32(first_host() + i)) ? 1 : 0;
  return count;
}

std::optional<net::IpAddress> Pool::choose(std::string_view machine_id, std::optional<net::IpAddress> const& hint,
                                           std::function<bool(net::IpAddress const&)> const& is_taken) const {
  if (hint && is_usable(*hint) && !is_taken(*hint)) return hint;
  if (hosts() == 0) return std::nullopt;
  std::uint32_t start = 2166136261u;  // FNV-1a: stable across runs and builds
  for (char c : machine_id) start = (start ^ static_cast<std::uint8_t>(c)) * 16777619u;
  for (std::uint32_t i = 0; i < hosts(); ++i) {
    auto const candidate = from_u32(first_host() + (start + i) % hosts());
    if (is_usable(candidate) && !is_taken(candidate)) return candidate;
  }
  return std::nullopt;
}

}  // namespace wgs::hub

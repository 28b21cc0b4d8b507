#include "config/fields.hpp"

#include <charconv>

#include "net/interface_name.hpp"

namespace wgs::config::fields {
namespace {

std::optional<unsigned long> decimal(std::string_view text) {
  unsigned long value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

std::string position(std::size_t index, std::size_t count) {
  return count > 1 ? fmt::format("item {} of {} ", index + 1, count) : std::string();
}

std::string_view trim(std::string_view text) {
  auto const first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  auto const last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

std::vector<std::string_view> split_list(std::string_view text) {
  std::vector<std::string_view> items;
  while (true) {
    auto const comma = text.find(',');
    auto const item = trim(text.substr(0, comma));
    if (!item.empty()) items.push_back(item);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return items;
}

std::optional<Secret> secret_key(Problems& problems, std::string const& where, std::string_view text) {
  auto key = keys::decode_secret(trim(text));
  if (!key) {
    problems.add(where, key.error().message);
    return std::nullopt;
  }
  return std::move(*key);
}

std::optional<keys::PublicKey> public_key(Problems& problems, std::string const& where, std::string_view text) {
  auto key = keys::decode_public(trim(text));
  if (!key) {
    problems.add(where, key.error().message);
    return std::nullopt;
  }
  return *key;
}

std::optional<std::vector<net::Prefix>> prefixes(Problems& problems, std::string const& where,
                                                 std::string_view text, bool host_bits_ok) {
  auto const items = split_list(text);
  if (items.empty()) {
    problems.add(where, "is empty (expected a comma-separated list of CIDR prefixes)");
    return std::nullopt;
  }
  std::vector<net::Prefix> out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    auto prefix = net::Prefix::parse(items[i]);
    if (!prefix) {
      problems.add(where, position(i, items.size()) + prefix.error().message);
    } else if (!host_bits_ok && !(prefix->network() == *prefix)) {
      // A prefix that parsed is an address, not a secret, so it can be shown.
      problems.add(where, fmt::format("{} has host bits set; did you mean {}?", prefix->to_string(), prefix->network().to_string()));
    } else {
      out.push_back(*prefix);
    }
  }
  if (out.size() != items.size()) return std::nullopt;
  return out;
}

std::optional<net::HostPort> endpoint(Problems& problems, std::string const& where, std::string_view text) {
  auto parsed = net::HostPort::parse(trim(text));
  if (!parsed) {
    problems.add(where, parsed.error().message);
    return std::nullopt;
  }
  return *parsed;
}

std::optional<std::uint16_t> port(Problems& problems, std::string const& where, std::string_view text) {
  auto parsed = net::parse_port(trim(text));
  if (!parsed) {
    problems.add(where, parsed.error().message);
    return std::nullopt;
  }
  return *parsed;
}

std::optional<std::uint16_t> keepalive(Problems& problems, std::string const& where, std::string_view text) {
  text = trim(text);
  if (text == "off") return std::uint16_t{0};
  auto const value = decimal(text);
  if (!value || *value > 65535) {
    problems.add(where, "must be seconds from 0 to 65535, or off (25 keeps NAT mappings alive)");
    return std::nullopt;
  }
  return static_cast<std::uint16_t>(*value);
}

bool mtu(Problems& problems, std::string const& where, std::string_view text, Interface& out) {
  text = trim(text);
  if (text == "probe") {
    out.mtu_mode = MtuMode::probe;
    return true;
  }
  if (text == "auto") {
    out.mtu_mode = MtuMode::automatic;
    return true;
  }
  auto const value = decimal(text);
  if (!value || *value < 576 || *value > 9000) {
    problems.add(where, "must be a number from 576 to 9000, auto, or probe");
    return false;
  }
  out.mtu_mode = MtuMode::fixed;
  out.mtu = static_cast<std::uint32_t>(*value);
  return true;
}

std::optional<std::string> interface_name(Problems& problems, std::string const& where, std::string_view text) {
  if (auto valid = net::check_interface_name(text); !valid) {
    problems.add(where, valid.error().message);
    return std::nullopt;
  }
  return std::string(text);
}

}  // namespace wgs::config::fields

#pragma once
// Parsers for single configuration values, shared by the environment and wg-quick readers.
// Each reports into Problems under the name it is given and returns nullopt on error.
#include <optional>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "config/problems.hpp"

namespace wgs::config::fields {

std::optional<Secret> secret_key(Problems& problems, std::string const& where, std::string_view text);
std::optional<keys::PublicKey> public_key(Problems& problems, std::string const& where, std::string_view text);
// Comma-separated; `host_bits_ok` allows 10.50.3.10/24 style interface addresses.
std::optional<std::vector<net::Prefix>> prefixes(Problems& problems, std::string const& where,
                                                 std::string_view text, bool host_bits_ok);
std::optional<net::HostPort> endpoint(Problems& problems, std::string const& where, std::string_view text);
std::optional<std::uint16_t> port(Problems& problems, std::string const& where, std::string_view text);
std::optional<std::uint16_t> keepalive(Problems& problems, std::string const& where, std::string_view text);
// Sets mode and value: "auto", "probe", or a number 576..9000 (IPv4 minimum to jumbo frames).
bool mtu(Problems& problems, std::string const& where, std::string_view text, Interface& out);
std::optional<std::string> interface_name(Problems& problems, std::string const& where, std::string_view text);

std::string_view trim(std::string_view text);
// "item 2 of 3 " for a value in a list, "" for a single value: where a value that does not
// parse is, since it is never quoted (it may be a key pasted into the wrong place).
std::string position(std::size_t index, std::size_t count);
std::vector<std::string_view> split_list(std::string_view text);  // on commas, trimmed, empties dropped

}  // namespace wgs::config::fields

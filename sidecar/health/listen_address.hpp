#pragma once
// SIDECAR_HEALTH_ADDR's forms, turned into the address the server binds and the address a
// client on the same machine connects to (a HEALTHCHECK probe):
//   IP:PORT     that address; 0.0.0.0 is every IPv4 address
//   [::]:PORT   every IPv4 and IPv6 address (dual stack): Fly's checks arrive over the
//               machine's private IPv4 address, other machines of the organization over 6PN
//   NAME:PORT   the address the hosts file gives NAME: Fly writes the machine's 6PN address
//               there as fly-local-6pn (reachable over 6PN only, not by Fly's checks)
// Names are looked up in the hosts file only, never in DNS: a health port must not wait on
// a resolver at start.
#include <optional>
#include <string>
#include <string_view>

#include "net/address.hpp"
#include "util/result.hpp"

namespace wgs::health {

inline constexpr char const* default_hosts_file = "/etc/hosts";

// The first address the hosts-file text gives `name` (case-insensitive, `#` comments
// skipped), or nullopt.
std::optional<net::IpAddress> find_in_hosts(std::string_view hosts_text, std::string_view name);

// The address to bind for `listen`: the IP itself, or the name's from the hosts file (an
// error saying so when it is not there or the file cannot be read).
Result<net::IpAddress> bind_address(net::HostPort const& listen, std::string const& hosts_file = default_hosts_file);

// Where a client on this machine reaches a server bound to `listen`: 127.0.0.1 for 0.0.0.0
// and for [::] (which takes IPv4 too, and IPv4 loopback works where IPv6 is disabled), else
// the bound address itself.
Result<net::HostPort> local_address(net::HostPort const& listen, std::string const& hosts_file = default_hosts_file);

bool is_wildcard(net::IpAddress const& address);

}  // namespace wgs::health

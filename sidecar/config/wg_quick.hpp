#pragma once
// Reads a wg-quick configuration file (the [Interface]/[Peer] INI that `wg-quick up` takes),
// so users can paste their existing wg0.conf into the WG_CONFIG secret.
#include <string>
#include <string_view>

#include "config/config.hpp"
#include "config/problems.hpp"

namespace wgs::config {

// `source` names the text in problems: "WG_CONFIG" or the --config path. Interface name,
// backend and userspace implementation are not in the file and keep their defaults.
WireGuard parse_wg_quick(std::string_view text, std::string const& source, Problems& problems);

// Only the [Peer] sections (a hub's static peers, from its existing wg0.conf): the
// [Interface] section, PostUp lines and all, is skipped unread.
std::vector<Peer> parse_wg_quick_peers(std::string_view text, std::string const& source, Problems& problems);

}  // namespace wgs::config

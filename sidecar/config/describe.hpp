#pragma once
// The effective configuration for people and tools, with every secret shown as (hidden).
#include <cstddef>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "config/config.hpp"

namespace wgs::config {

inline constexpr char const* hidden = "(hidden)";

nlohmann::json to_json(Config const& config);
std::string to_text(Config const& config);
// postgresql://user:(hidden)@host:port/dbname?sslmode=... — what logs and reports show; with
// `only_host`, that one host of the list.
std::string redacted_url(Database const& db, std::optional<std::size_t> only_host = std::nullopt);
// The [Peer] stanza the hub needs for this edge, ready to paste into the hub's wg0.conf.
std::string hub_peer_stanza(Config const& config);

std::string_view backend_name(Backend backend);

}  // namespace wgs::config

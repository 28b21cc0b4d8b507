#pragma once
// The process environment as a map, so parsing is a pure function that tests can feed. It
// holds every secret the configuration has (keys, passwords, URLs with passwords), so it
// lives in locked memory that is zeroed when freed, and lookups hand out views, not copies.
#include <functional>
#include <map>
#include <optional>
#include <string_view>

#include "keys/locked_memory.hpp"

#include "config/problems.hpp"

namespace wgs::config {

using Environment = std::map<LockedString, LockedString, std::less<>,
                             LockedAllocator<std::pair<LockedString const, LockedString>>>;

Environment process_environment();

// The value when the variable is set, even to an empty string. The view lives as long as `env`.
std::optional<std::string_view> lookup(Environment const& env, std::string_view name);

// The value of a setting whose empty value means nothing. Set but empty or blank is a problem,
// not the default: `docker run -e NAME=` or a secret that expanded to nothing is a mistake, and
// only unsetting a variable asks for its default.
std::optional<std::string_view> setting(Environment const& env, std::string_view name, Problems& problems);

}  // namespace wgs::config

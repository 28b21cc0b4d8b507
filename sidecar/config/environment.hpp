#pragma once
// The process environment as a map, so parsing is a pure function that tests can feed. It
// holds every secret the configuration has (keys, passwords, URLs with passwords), so it
// lives in locked memory that is zeroed when freed, and lookups hand out views, not copies.
#include <functional>
#include <map>
#include <optional>
#include <string_view>

#include "keys/locked_memory.hpp"

namespace wgs::config {

using Environment = std::map<LockedString, LockedString, std::less<>,
                             LockedAllocator<std::pair<LockedString const, LockedString>>>;

Environment process_environment();

// Set and non-empty? fly secrets cannot set an empty value, so empty means unset to us
// except where a check says otherwise. The view lives as long as `env`.
std::optional<std::string_view> lookup(Environment const& env, std::string_view name);

}  // namespace wgs::config

#pragma once
// The process environment as a map, so parsing is a pure function that tests can feed.
#include <map>
#include <optional>
#include <string>

namespace wgs::config {

using Environment = std::map<std::string, std::string>;

Environment process_environment();

// Set and non-empty? fly secrets cannot set an empty value, so empty means unset to us
// except where a check says otherwise.
std::optional<std::string> lookup(Environment const& env, std::string const& name);

}  // namespace wgs::config

#pragma once
// The process environment as a map, so parsing is a pure function that tests can feed.
#include <map>
#include <optional>
#include <string>

#include "config/problems.hpp"

namespace wgs::config {

using Environment = std::map<std::string, std::string>;

Environment process_environment();

// The value when the variable is set, even to an empty string.
std::optional<std::string> lookup(Environment const& env, std::string const& name);

// The value of a setting whose empty value means nothing. Set but empty or blank is a problem,
// not the default: `docker run -e NAME=` or a secret that expanded to nothing is a mistake, and
// only unsetting a variable asks for its default.
std::optional<std::string> setting(Environment const& env, std::string const& name, Problems& problems);

}  // namespace wgs::config

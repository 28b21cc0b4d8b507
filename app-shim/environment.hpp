#pragma once
// The process environment as a plain map, read once in main, so that every parser takes
// its input as an argument and the tests can feed their own.
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace contacts {

using Environment = std::map<std::string, std::string, std::less<>>;

Environment environment_from(char** envp);

// The value of NAME, or nothing when it is unset or empty (as the seed's getEnv treats both).
std::optional<std::string> lookup(Environment const& env, std::string_view name);
std::string lookup_or(Environment const& env, std::string_view name, std::string_view fallback);

}  // namespace contacts

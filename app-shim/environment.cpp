#include "environment.hpp"

#include <cstring>

namespace contacts {

Environment environment_from(char** envp) {
  Environment env;
  for (char** entry = envp; entry != nullptr && *entry != nullptr; ++entry) {
    char const* equals = std::strchr(*entry, '=');
    if (equals == nullptr) continue;
    env.emplace(std::string(*entry, static_cast<std::size_t>(equals - *entry)), std::string(equals + 1));
  }
  return env;
}

std::optional<std::string> lookup(Environment const& env, std::string_view name) {
  auto const found = env.find(name);
  if (found == env.end() || found->second.empty()) return std::nullopt;
  return found->second;
}

std::string lookup_or(Environment const& env, std::string_view name, std::string_view fallback) {
  return lookup(env, name).value_or(std::string(fallback));
}

}  // namespace contacts

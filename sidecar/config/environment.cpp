#include "config/environment.hpp"

#include <unistd.h>

namespace wgs::config {

Environment process_environment() {
  Environment env;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    std::string_view const text(*entry);
    auto const equals = text.find('=');
    if (equals == std::string_view::npos) continue;
    env.emplace(text.substr(0, equals), text.substr(equals + 1));
  }
  return env;
}

std::optional<std::string_view> lookup(Environment const& env, std::string_view name) {
  auto const it = env.find(name);
  if (it == env.end()) return std::nullopt;
  return std::string_view(it->second);
}

std::optional<std::string_view> setting(Environment const& env, std::string_view name, Problems& problems) {
  auto value = lookup(env, name);
  if (value && value->find_first_not_of(" \t\r\n") == std::string_view::npos) {
    problems.add(std::string(name), "is set but empty (unset it to use the default)");
    return std::nullopt;
  }
  return value;
}

}  // namespace wgs::config

#include "config/environment.hpp"

#include <unistd.h>

namespace wgs::config {

Environment process_environment() {
  Environment env;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    std::string const text(*entry);
    auto const equals = text.find('=');
    if (equals == std::string::npos) continue;
    env.emplace(text.substr(0, equals), text.substr(equals + 1));
  }
  return env;
}

std::optional<std::string> lookup(Environment const& env, std::string const& name) {
  auto const it = env.find(name);
  if (it == env.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> setting(Environment const& env, std::string const& name, Problems& problems) {
  auto value = lookup(env, name);
  if (value && value->find_first_not_of(" \t\r\n") == std::string::npos) {
    problems.add(name, "is set but empty (unset it to use the default)");
    return std::nullopt;
  }
  return value;
}

}  // namespace wgs::config

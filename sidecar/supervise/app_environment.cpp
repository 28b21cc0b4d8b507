#include "supervise/app_environment.hpp"

#include <algorithm>

#include "config/secret_variables.hpp"

namespace wgs::supervise {

LockedStrings app_environment(config::Environment const& env, std::vector<std::string> const& keep) {
  auto const is_withheld = [&](std::string_view name) {
    auto const* secret = config::find_secret_variable(name);
    auto const kept = [&](std::string_view named) { return std::find(keep.begin(), keep.end(), named) != keep.end(); };
    return secret != nullptr && secret->use == config::SecretUse::supervisor && !kept(name) && !kept(secret->name);
  };
  LockedStrings out;
  for (auto const& [name, value] : env) {
    if (is_withheld(name)) continue;
    auto& entry = out.emplace_back(name);
    entry += '=';
    entry += value;
  }
  return out;
}

}  // namespace wgs::supervise

#include "supervise/app_environment.hpp"

#include <algorithm>
#include <string_view>

namespace wgs::supervise {

std::vector<std::string> app_environment(config::Environment const& env, std::vector<std::string> const& keep) {
  auto const is_secret = [&](std::string const& name) {
    bool const listed = std::any_of(std::begin(secret_variables), std::end(secret_variables),
                                    [&](char const* secret) { return name == secret; });
    return listed && std::find(keep.begin(), keep.end(), name) == keep.end();
  };
  std::vector<std::string> out;
  for (auto const& [name, value] : env) {
    if (!is_secret(name)) out.push_back(name + "=" + value);
  }
  return out;
}

}  // namespace wgs::supervise

#include "process/exec_args.hpp"

#include <unistd.h>

#include <algorithm>

namespace wgs::process {

std::optional<std::string> find_on_path(std::string const& name, std::string_view search_path) {
  if (name.find('/') != std::string::npos) return name;
  std::optional<std::string> existing;
  std::size_t start = 0;
  while (start <= search_path.size()) {
    auto const end = std::min(search_path.find(':', start), search_path.size());
    auto const dir = search_path.substr(start, end - start);
    auto candidate = (dir.empty() ? std::string(".") : std::string(dir)) + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    if (!existing && ::access(candidate.c_str(), F_OK) == 0) existing = std::move(candidate);
    start = end + 1;
  }
  return existing;
}

}  // namespace wgs::process

#pragma once
// What execve needs: the program's path, found on PATH as execvp would find it (but before
// forking, and without a shell), and NULL-terminated argv/envp arrays.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wgs::process {

// `name` itself when it has a slash. Else the first executable `dir/name` on `search_path`
// (an empty entry is the current directory), or failing that the first one that exists, so
// exec reports why it cannot run it; nullopt when there is none.
std::optional<std::string> find_on_path(std::string const& name, std::string_view search_path);

// Pointers into `strings` (std::string or LockedString), which must outlive the result.
template <typename Strings>
std::vector<char*> exec_pointers(Strings const& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (auto const& s : strings) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

}  // namespace wgs::process

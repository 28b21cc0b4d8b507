#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "memory/release.hpp"

using namespace wgs;

namespace {

struct Snapshot {
  std::uintptr_t begin = 0;
  std::string bytes;
};

std::string own_binary() {
  char path[4096];
  auto const length = ::readlink("/proc/self/exe", path, sizeof path - 1);
  return length > 0 ? std::string(path, static_cast<std::size_t>(length)) : std::string();
}

// The bytes of every read-only mapping of this test's own binary, as the program sees them.
std::vector<Snapshot> read_only_bytes() {
  std::vector<Snapshot> out;
  auto const binary = own_binary();
  std::ifstream maps("/proc/self/maps");
  for (std::string line; std::getline(maps, line);) {
    unsigned long begin = 0, end = 0;
    char perms[5] = {};
    int path_at = 0;
    if (std::sscanf(line.c_str(), "%lx-%lx %4s %*s %*s %*s %n", &begin, &end, perms, &path_at) < 3) continue;
    if (line.substr(static_cast<std::size_t>(path_at)) != binary || std::strchr(perms, 'w') != nullptr) continue;
    out.push_back({begin, std::string(reinterpret_cast<char const*>(begin), end - begin)});
  }
  return out;
}

}  // namespace

// The start writes some pages of the read-only segment (relocations before RELRO): those
// are copies of the process's own, and dropping them would bring back the file's bytes.
TEST_CASE("releasing the binary's clean pages changes none of its bytes") {
  auto const before = read_only_bytes();
  REQUIRE_FALSE(before.empty());
  memory::release_after_burst();
  auto const after = read_only_bytes();
  REQUIRE(after.size() == before.size());
  for (std::size_t i = 0; i < before.size(); ++i) {
    bool const same = after[i].bytes == before[i].bytes;
    CHECK_MESSAGE(same, "the mapping at ", before[i].begin, " lost bytes written at the start");
  }
}

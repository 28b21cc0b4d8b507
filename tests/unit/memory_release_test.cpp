#include <doctest/doctest.h>
#include <fcntl.h>
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

// A megabyte of the binary's read-only data, for pages to map and drop: pages half of it apart
// are never mapped by one fault (the kernel maps at most 64 KiB around a faulting page), nor
// by a fault on the data around the table.
constexpr std::size_t table_size = 1 << 20;
alignas(4096) unsigned char const table[table_size] = {1};

void touch(unsigned char const* byte) { [[maybe_unused]] unsigned char const read = *static_cast<unsigned char const volatile*>(byte); }

// Whether the page holding `address` is mapped in this process (pagemap's bit 63).
bool is_mapped(void const* address) {
  auto const page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
  int const pagemap = ::open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
  std::uint64_t entry = 0;
  auto const at = static_cast<off_t>(reinterpret_cast<std::uintptr_t>(address) / page * sizeof entry);
  bool const read = pagemap >= 0 && ::pread(pagemap, &entry, sizeof entry, at) == static_cast<ssize_t>(sizeof entry);
  if (pagemap >= 0) ::close(pagemap);
  return read && (entry >> 63 & 1U) != 0;
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

// A gating check runs between two probes: what it mapped goes, what the probes had mapped stays
// (the next probe would fault it in again, or read it back from the disk).
TEST_CASE("a burst's release drops the pages the burst mapped and keeps those mapped before it") {
  unsigned char const* idle = &table[table_size / 4];
  unsigned char const* burst = &table[table_size / 4 * 3];
  memory::release_after_burst();
  touch(idle);
  REQUIRE(is_mapped(idle));
  REQUIRE_FALSE(is_mapped(burst));
  auto const before = memory::MappedPages::now();
  touch(burst);
  REQUIRE(is_mapped(burst));
  memory::release_after_burst(before);
  CHECK(is_mapped(idle));
  CHECK_FALSE(is_mapped(burst));
}

#include "memory/release.hpp"

#include <fcntl.h>
#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

namespace wgs::memory {
namespace {

struct Range {
  std::uintptr_t begin = 0;
  std::uintptr_t end = 0;
};

std::string own_binary() {
  char path[4096];
  auto const length = ::readlink("/proc/self/exe", path, sizeof path - 1);
  return length > 0 ? std::string(path, static_cast<std::size_t>(length)) : std::string();
}

// One /proc/self/maps line: "begin-end perms offset dev inode path".
bool parse_header(std::string const& line, Range& range, std::string& perms, std::string& path) {
  unsigned long begin = 0, end = 0;
  char mode[5] = {};
  int consumed = 0;
  if (std::sscanf(line.c_str(), "%lx-%lx %4s %*s %*s %*s %n", &begin, &end, mode, &consumed) < 3) return false;
  range = {begin, end};
  perms = mode;
  path = consumed > 0 && static_cast<std::size_t>(consumed) <= line.size() ? line.substr(consumed) : std::string();
  return true;
}

// The binary's read-only mappings, from /proc/self/maps.
std::vector<Range> read_only_mappings() {
  std::vector<Range> out;
  auto const binary = own_binary();
  std::ifstream maps("/proc/self/maps");
  std::string line, perms, path;
  Range range;
  while (std::getline(maps, line)) {
    if (parse_header(line, range, perms, path) && !binary.empty() && path == binary &&
        perms.find('w') == std::string::npos) {
      out.push_back(range);
    }
  }
  return out;
}

// A page of a private file mapping written before the mapping became read-only (the start's
// relocations in the RELRO segment) is an anonymous copy: dropping it would bring back the
// file's bytes. pagemap tells them apart: bit 63 present, bit 61 a page of the file.
bool anonymous_copy(std::uint64_t entry) { return (entry >> 63 & 1U) != 0 && (entry >> 61 & 1U) == 0; }

// The runs of `mapping` that hold no anonymous copy; none when pagemap cannot be read.
void append_clean_runs(Range mapping, int pagemap, std::vector<Range>& out) {
  auto const page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
  std::vector<std::uint64_t> entries((mapping.end - mapping.begin) / page);
  auto const bytes = static_cast<ssize_t>(entries.size() * sizeof(std::uint64_t));
  if (::pread(pagemap, entries.data(), bytes, static_cast<off_t>(mapping.begin / page * sizeof(std::uint64_t))) != bytes) {
    return;
  }
  std::uintptr_t run = mapping.begin;
  for (std::size_t i = 0; i <= entries.size(); ++i) {
    auto const at = mapping.begin + i * page;
    if (i < entries.size() && !anonymous_copy(entries[i])) continue;
    if (at > run) out.push_back({run, at});
    run = at + page;
  }
}

// What can be dropped without losing anything. Read once: read-only pages gain no copies later.
std::vector<Range> droppable_ranges() {
  std::vector<Range> out;
  int const pagemap = ::open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
  if (pagemap < 0) return out;
  for (auto const& mapping : read_only_mappings()) append_clean_runs(mapping, pagemap, out);
  ::close(pagemap);
  return out;
}

}  // namespace

void share_one_arena() { ::mallopt(M_ARENA_MAX, 1); }

void release_after_burst() {
  ::malloc_trim(0);
  static std::vector<Range> const ranges = droppable_ranges();
  for (auto const& range : ranges) {
    ::madvise(reinterpret_cast<void*>(range.begin), range.end - range.begin, MADV_DONTNEED);
  }
}

}  // namespace wgs::memory

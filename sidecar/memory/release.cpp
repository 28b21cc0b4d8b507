#include "memory/release.hpp"

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

// One /proc/self/smaps header line: "begin-end perms offset dev inode path".
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

// The binary's mappings that can be dropped without losing anything: not writable, and with
// no page of their own (a page written during start-up, e.g. relocated, is anonymous and
// would be lost). Read once: read-only mappings never gain such pages afterwards.
std::vector<Range> clean_code_ranges() {
  std::vector<Range> out;
  auto const binary = own_binary();
  std::ifstream smaps("/proc/self/smaps");
  std::string line, perms, path;
  Range range;
  bool candidate = false;
  while (std::getline(smaps, line)) {
    if (parse_header(line, range, perms, path)) {
      candidate = !binary.empty() && path == binary && perms.find('w') == std::string::npos;
    } else if (candidate && line.rfind("Anonymous:", 0) == 0) {
      if (std::stoul(line.substr(10)) == 0) out.push_back(range);
      candidate = false;
    }
  }
  return out;
}

}  // namespace

void share_one_arena() { ::mallopt(M_ARENA_MAX, 1); }

void release_after_burst() {
  ::malloc_trim(0);
  static std::vector<Range> const ranges = clean_code_ranges();
  for (auto const& range : ranges) {
    ::madvise(reinterpret_cast<void*>(range.begin), range.end - range.begin, MADV_DONTNEED);
  }
}

}  // namespace wgs::memory

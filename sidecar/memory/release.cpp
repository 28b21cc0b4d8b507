#include "memory/release.hpp"

#include <fcntl.h>
#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

namespace wgs::memory {
namespace {

std::string own_binary() {
  char path[4096];
  auto const length = ::readlink("/proc/self/exe", path, sizeof path - 1);
  return length > 0 ? std::string(path, static_cast<std::size_t>(length)) : std::string();
}

// One /proc/self/maps line: "begin-end perms offset dev inode path".
bool parse_header(std::string const& line, PageRange& range, std::string& perms, std::string& path) {
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
std::vector<PageRange> read_only_mappings() {
  std::vector<PageRange> out;
  auto const binary = own_binary();
  std::ifstream maps("/proc/self/maps");
  std::string line, perms, path;
  PageRange range;
  while (std::getline(maps, line)) {
    if (parse_header(line, range, perms, path) && !binary.empty() && path == binary &&
        perms.find('w') == std::string::npos) {
      out.push_back(range);
    }
  }
  return out;
}

// pagemap's entry of a page: bit 63 present (mapped in this process), bit 61 a page of the file.
bool mapped(std::uint64_t entry) { return (entry >> 63 & 1U) != 0; }

// A page of a private file mapping written before the mapping became read-only (the start's
// relocations in the RELRO segment) is an anonymous copy: dropping it would bring back the
// file's bytes.
bool anonymous_copy(std::uint64_t entry) { return mapped(entry) && (entry >> 61 & 1U) == 0; }

std::uintptr_t page_size() {
  static auto const size = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
  return size;
}

// /proc/self/pagemap, opened once and kept open: a check's mark is taken while the probes' pages
// are mapped, and whatever code it runs stays mapped with them. -1 when it cannot be opened.
int pagemap() {
  static int const fd = ::open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
  return fd;
}

// pagemap's entries for the pages of `range`; empty when they cannot be read.
std::vector<std::uint64_t> entries_of(PageRange range) {
  std::vector<std::uint64_t> entries((range.end - range.begin) / page_size());
  auto const bytes = static_cast<ssize_t>(entries.size() * sizeof(std::uint64_t));
  auto const at = static_cast<off_t>(range.begin / page_size() * sizeof(std::uint64_t));
  if (::pread(pagemap(), entries.data(), bytes, at) != bytes) entries.clear();
  return entries;
}

// The runs of `range` whose pages `pick` accepts, appended to `out`.
template <class Pick>
void append_runs(PageRange range, std::vector<std::uint64_t> const& entries, Pick pick, std::vector<PageRange>& out) {
  std::uintptr_t run = range.begin;
  for (std::size_t i = 0; i <= entries.size(); ++i) {
    auto const at = range.begin + i * page_size();
    if (i < entries.size() && pick(entries[i])) continue;
    if (at > run) out.push_back({run, at});
    run = at + page_size();
  }
}

// The runs of each of `ranges` whose pages `pick` accepts; none when pagemap cannot be read.
template <class Pick>
std::vector<PageRange> runs_where(std::vector<PageRange> const& ranges, Pick pick) {
  std::vector<PageRange> out;
  if (pagemap() < 0) return out;
  for (auto const& range : ranges) {
    auto const entries = entries_of(range);
    if (!entries.empty()) append_runs(range, entries, pick, out);
  }
  return out;
}

// What can be dropped without losing anything. Read once: read-only pages gain no copies later.
std::vector<PageRange> const& droppable_ranges() {
  static std::vector<PageRange> const ranges =
      runs_where(read_only_mappings(), [](std::uint64_t entry) { return !anonymous_copy(entry); });
  return ranges;
}

// The parts of `range` that none of `kept` (sorted, not overlapping) covers.
std::vector<PageRange> outside(PageRange range, std::vector<PageRange> const& kept) {
  std::vector<PageRange> out;
  auto from = range.begin;
  for (auto const& keep : kept) {
    if (keep.end <= from || keep.begin >= range.end) continue;
    if (keep.begin > from) out.push_back({from, keep.begin});
    from = std::max(from, keep.end);
  }
  if (from < range.end) out.push_back({from, range.end});
  return out;
}

void drop(PageRange range) { ::madvise(reinterpret_cast<void*>(range.begin), range.end - range.begin, MADV_DONTNEED); }

}  // namespace

void share_one_arena() { ::mallopt(M_ARENA_MAX, 1); }

MappedPages MappedPages::now() {
  MappedPages pages;
  pages.runs_ = runs_where(droppable_ranges(), mapped);
  return pages;
}

void release_after_burst() { release_after_burst(MappedPages()); }

void release_after_burst(MappedPages const& before) {
  ::malloc_trim(0);
  for (auto const& range : droppable_ranges()) {
    for (auto const& part : outside(range, before.runs_)) drop(part);
  }
}

}  // namespace wgs::memory

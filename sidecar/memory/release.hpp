#pragma once
// Keeping the idle supervisor small. Most of its resident memory is not data but its own
// static binary's code: the start and every gating check run libpq and OpenSSL, and the
// kernel maps each touched page's whole neighbourhood (fault-around, large page-cache
// folios), so a few calls keep megabytes of code resident that the tunnel probe never runs.
// After such a burst the clean, read-only pages of the binary are unmapped: they stay in the
// page cache and come back on the next use, but no longer count against this process (its
// RSS) nor keep the kernel from reclaiming them. The heap's free memory goes back too.
#include <cstdint>
#include <vector>

namespace wgs::memory {

// All threads allocate from the one main arena. glibc gives each new thread an arena of its
// own (64 MiB reserved, and whatever the thread once used stays resident); the supervisor's
// threads take turns rather than contend, so one arena costs nothing.
void share_one_arena();

// Addresses [begin, end) of whole pages.
struct PageRange {
  std::uintptr_t begin = 0;
  std::uintptr_t end = 0;
};

// The binary's clean read-only pages mapped at one moment. Taken before a burst in the middle
// of the idle work, they are the probes' own pages, which the next probe would only fault in
// again; and a page some process maps is one the kernel's reclaim leaves alone, so the probe
// finds it in memory rather than reads it back from the disk.
class MappedPages {
 public:
  static MappedPages now();  // none when /proc/self/pagemap cannot be read

 private:
  friend void release_after_burst(MappedPages const& before);
  std::vector<PageRange> runs_;  // sorted, apart
};

// Hands back what a burst of work (the start, a gating check) left resident: the heap's free
// pages (malloc_trim) and the binary's clean read-only pages, all of them or all but those
// mapped `before` the burst.
void release_after_burst();
void release_after_burst(MappedPages const& before);

}  // namespace wgs::memory

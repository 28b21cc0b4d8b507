#pragma once
// Keeping the idle supervisor small. Most of its resident memory is not data but its own
// static binary's code: the start and every gating check run libpq and OpenSSL, and the
// kernel maps each touched page's whole neighbourhood (fault-around, large page-cache
// folios), so a few calls keep megabytes of code resident that the tunnel probe never runs.
// After such a burst the clean, read-only pages of the binary are unmapped: they stay in the
// page cache and come back on the next use, but no longer count against this process (its
// RSS) nor keep the kernel from reclaiming them. The heap's free memory goes back too.
namespace wgs::memory {

// All threads allocate from the one main arena. glibc gives each new thread an arena of its
// own (64 MiB reserved, and whatever the thread once used stays resident); the supervisor's
// threads take turns rather than contend, so one arena costs nothing.
void share_one_arena();

// Hands back what a burst of work (the start, a gating check) left resident: the heap's free
// pages (malloc_trim) and the binary's clean read-only pages.
void release_after_burst();

}  // namespace wgs::memory

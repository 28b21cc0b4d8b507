#pragma once
// The idle supervisor's code on one 2 MiB page. In a virtual machine (a Fly Machine is a
// Firecracker VM) the costly part of an idle wakeup is not the work but finding the memory:
// after seconds asleep the TLB and the caches that hold page tables are gone, and each 4 KiB
// page touched again costs a walk through the guest's page tables and the host's (EPT) for
// each level, microseconds a page. The tunnel probe touches about a hundred pages of code
// spread over the binary's 6 MiB of text, the gating check several hundred. One 2 MiB page
// is one TLB entry: touching 1,024 pages after 5 s asleep cost 2.6-6.2 ms of CPU on 4 KiB
// pages and 0.03-0.2 ms within one 2 MiB page, in a cold hour on a Firecracker VM
// (bench/pagewalk.c; in a warm one 75 against 29 µs).
//
// The link puts the code an idle `run` runs first in the text (cmake/hot-code.ld, written by
// scripts/hot-code.sh from a profile); at start-up that 2 MiB is copied onto a transparent
// huge page and moved over the binary's own mapping, unchanged and read-only as before.
#include <string>

namespace wgs::memory {

struct HotCodeOutcome {
  bool on_huge_page = false;
  std::string detail;  // what was moved, or why nothing was
};

// Before any thread starts. Does nothing (and says why) when the binary was linked without the
// list, transparent huge pages are off, or the kernel has no huge page to give.
HotCodeOutcome keep_hot_code_on_huge_page();

}  // namespace wgs::memory

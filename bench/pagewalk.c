// pagewalk ROUNDS SLEEP_SECONDS: what an idle process pays to find its memory again. Each
// round sleeps, then touches one byte in each of 1,024 pages (4 MiB) and prints the CPU time
// it took, once for memory on 4 KiB pages and once for memory on 2 MiB pages (transparent huge
// pages, madvise). In a VM the TLB and the cached page-table entries (the guest's and the
// host's) are gone after a sleep, so each 4 KiB page costs a page walk; a 2 MiB page one.
// Output: "4k_pages MS" and "huge_pages MS", one line each per round.
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

enum { pages = 1024, page = 4096, huge = 2 << 20 };

static double cpu_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

// 4 MiB of memory aligned to 2 MiB, written once (so that it is resident), with or without
// huge pages.
static volatile char* region(int advice) {
  char* raw = mmap(NULL, pages * page + huge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) exit(1);
  char* aligned = (char*)(((uintptr_t)raw + huge - 1) & ~(uintptr_t)(huge - 1));
  madvise(aligned, pages * page, advice);
  memset(aligned, 1, pages * page);
  return aligned;
}

// A different byte each round: the cache line read last time is not the one read now.
static double touch(volatile char* memory, int round) {
  double const before = cpu_ms();
  for (int i = 0; i < pages; ++i) memory[(size_t)i * page + (size_t)(round * 64) % page]++;
  return cpu_ms() - before;
}

int main(int argc, char** argv) {
  int const rounds = argc > 1 ? atoi(argv[1]) : 5;
  unsigned const sleep_s = argc > 2 ? (unsigned)atoi(argv[2]) : 5;
  volatile char* small = region(MADV_NOHUGEPAGE);
  volatile char* large = region(MADV_HUGEPAGE);
  for (int round = 1; round <= rounds; ++round) {
    sleep(sleep_s);
    printf("4k_pages %.3f\n", touch(small, round));
    sleep(sleep_s);
    printf("huge_pages %.3f\n", touch(large, round));
    fflush(stdout);
  }
  return 0;
}

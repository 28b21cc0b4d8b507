#include "memory/hot_code.hpp"

#include <sys/mman.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>

#include <fmt/format.h>

// Set by the link (cmake/hot-code.ld); absent, and so null, in binaries linked without it.
extern "C" {
extern char const __wgs_hot_code_start[] __attribute__((weak));
extern char const __wgs_hot_code_end[] __attribute__((weak));
extern char const __executable_start[];
extern char const etext[];
}

namespace wgs::memory {
namespace {

constexpr std::uintptr_t huge_page = std::uintptr_t{2} << 20;

std::uintptr_t address(void const* p) { return reinterpret_cast<std::uintptr_t>(p); }
void* pointer(std::uintptr_t a) { return reinterpret_cast<void*>(a); }

// "always [madvise] never": huge pages on request unless the bracket is on "never".
bool huge_pages_allowed() {
  std::ifstream file("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string const modes{std::istreambuf_iterator<char>(file), {}};
  return !modes.empty() && modes.find("[never]") == std::string::npos;
}

// The anonymous huge pages /proc/self/smaps reports for the mapping that starts at `begin`.
std::size_t huge_kib_at(std::uintptr_t begin) {
  std::ifstream smaps("/proc/self/smaps");
  auto const header = fmt::format("{:x}-", begin);
  std::string line;
  bool inside = false;
  while (std::getline(smaps, line)) {
    if (line.rfind(header, 0) == 0) inside = true;
    else if (inside && line.rfind("AnonHugePages:", 0) == 0) return std::stoul(line.substr(14));
  }
  return 0;
}

// A 2 MiB-aligned, 2 MiB anonymous mapping (the excess of a larger one handed back).
void* aligned_huge_region() {
  auto* raw = ::mmap(nullptr, 2 * huge_page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) return nullptr;
  auto const begin = (address(raw) + huge_page - 1) & ~(huge_page - 1);
  if (begin > address(raw)) ::munmap(raw, begin - address(raw));
  ::munmap(pointer(begin + huge_page), address(raw) + 2 * huge_page - (begin + huge_page));
  return pointer(begin);
}

// The copy is filled, checked to be one huge page, made read-only and executable, and only
// then moved over the original: mremap swaps the mapping in one step, so the code running
// here (perhaps inside the region) finds the same bytes before and after.
HotCodeOutcome move_onto_huge_page(std::uintptr_t begin) {
  auto* copy = aligned_huge_region();
  if (!copy) return {false, "no memory for the copy"};
  ::madvise(copy, huge_page, MADV_HUGEPAGE);
  std::memcpy(copy, pointer(begin), huge_page);
  if (huge_kib_at(address(copy)) * 1024 < huge_page) {
    ::munmap(copy, huge_page);
    return {false, "the kernel gave no huge page"};
  }
  if (::mprotect(copy, huge_page, PROT_READ | PROT_EXEC) != 0 ||
      ::mremap(copy, huge_page, huge_page, MREMAP_MAYMOVE | MREMAP_FIXED, pointer(begin)) == MAP_FAILED) {
    ::munmap(copy, huge_page);
    return {false, fmt::format("remapping failed: {}", std::strerror(errno))};
  }
  return {true, ""};
}

}  // namespace

HotCodeOutcome keep_hot_code_on_huge_page() {
  if (!__wgs_hot_code_start || !__wgs_hot_code_end) return {false, "the binary was linked without its hot code list"};
  auto const start = address(__wgs_hot_code_start), end = address(__wgs_hot_code_end);
  auto const begin = start & ~(huge_page - 1);
  // The page must hold all the hot code and nothing but the binary's read-only image.
  if (end > begin + huge_page || begin < address(__executable_start) || begin + huge_page > address(etext)) {
    return {false, fmt::format("the hot code ({} KiB) does not fit one 2 MiB page", (end - start) / 1024)};
  }
  if (!huge_pages_allowed()) return {false, "transparent huge pages are off"};
  auto outcome = move_onto_huge_page(begin);
  if (outcome.on_huge_page) outcome.detail = fmt::format("{} KiB of hot code on one 2 MiB page", (end - start) / 1024);
  return outcome;
}

}  // namespace wgs::memory

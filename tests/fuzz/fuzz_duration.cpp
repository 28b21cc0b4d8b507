// libFuzzer target: the duration parser. Whatever the bytes, a duration that parses lies
// within the range it was given, and reads back from its own formatting unchanged.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "util/duration.hpp"

namespace {

// The first byte picks the range, so the fuzzer also explores ranges that bind.
wgs::DurationRange range_from(std::uint8_t selector) {
  using namespace std::chrono_literals;
  switch (selector % 4) {
    case 0: return {};
    case 1: return {100ms, 1h};
    case 2: return {1s, 24h};
    default: return {wgs::Duration(selector), wgs::Duration(selector) * 1000};
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  if (size == 0) return 0;
  auto const range = range_from(data[0]);
  std::string_view const text(reinterpret_cast<char const*>(data + 1), size - 1);
  auto const parsed = wgs::parse_duration(text, range);
  if (!parsed) return 0;
  if (*parsed < range.least || *parsed > range.most) std::abort();
  auto const again = wgs::parse_duration(wgs::format_duration(*parsed), range);
  if (!again || *again != *parsed) std::abort();
  return 0;
}

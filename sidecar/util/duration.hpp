#pragma once
#include <chrono>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace wgs {

using Duration = std::chrono::milliseconds;

// The parser's own ceiling: no setting waits longer than a year, and a year of milliseconds
// leaves any clock arithmetic far from overflow.
inline constexpr Duration longest_duration{365LL * 24 * 3'600'000};

// The bounds, both inclusive, a duration must lie within.
struct DurationRange {
  Duration least{0};
  Duration most = longest_duration;
};

// "500ms", "5s", "1.5s", "0.5m", "1h", or sums like "1h30m". A bare number is an error: a
// unit-less value is the kind of ambiguity that costs a day on call. The range is checked
// after the unit is applied, with arithmetic that cannot overflow, so every duration
// returned lies within `range`. Errors never quote the text.
Result<Duration> parse_duration(std::string_view text, DurationRange range = {});
std::string format_duration(Duration d);  // the shortest form parse_duration reads back

}  // namespace wgs

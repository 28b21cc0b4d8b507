#pragma once
#include <chrono>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace wgs {

using Duration = std::chrono::milliseconds;

// "500ms", "5s", "2m", "1h", or combinations like "1m30s". A bare number is an error:
// a unit-less value is the kind of ambiguity that costs a day on call.
Result<Duration> parse_duration(std::string_view text);
std::string format_duration(Duration d);  // the shortest form parse_duration reads back

}  // namespace wgs

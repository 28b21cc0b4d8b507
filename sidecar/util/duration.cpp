#include "util/duration.hpp"

#include <cctype>
#include <charconv>

#include <fmt/format.h>

namespace wgs {
namespace {

struct Unit {
  std::string_view name;
  long long millis;
};
constexpr Unit units[] = {{"ms", 1}, {"s", 1000}, {"m", 60'000}, {"h", 3'600'000}};

}  // namespace

Result<Duration> parse_duration(std::string_view text) {
  if (text.empty()) return make_error("is empty (expected a duration like 500ms, 5s or 2m)");
  long long total = 0;
  while (!text.empty()) {
    long long amount = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), amount);
    if (ec != std::errc() || end == text.data()) {
      return make_error(fmt::format("'{}' is not a duration (expected e.g. 500ms, 5s, 2m)", text));
    }
    text.remove_prefix(static_cast<std::size_t>(end - text.data()));
    std::size_t unit_length = 0;
    while (unit_length < text.size() && std::isalpha(static_cast<unsigned char>(text[unit_length]))) ++unit_length;
    auto const unit_name = text.substr(0, unit_length);
    long long factor = 0;
    for (auto const& unit : units) {
      if (unit.name == unit_name) factor = unit.millis;
    }
    if (factor == 0) return make_error("needs a unit: ms, s, m or h (e.g. 5s)");
    if (amount < 0 || amount > 24LL * 3'600'000 * 365) return make_error("is out of range");
    total += amount * factor;
    text.remove_prefix(unit_length);
  }
  return Duration(total);
}

std::string format_duration(Duration d) {
  auto const ms = d.count();
  if (ms % 60'000 == 0 && ms != 0) return fmt::format("{}m", ms / 60'000);
  if (ms % 1000 == 0) return fmt::format("{}s", ms / 1000);
  return fmt::format("{}ms", ms);
}

}  // namespace wgs

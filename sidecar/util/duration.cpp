#include "util/duration.hpp"

#include <cerrno>
#include <cstdint>
#include <optional>

#include <fmt/format.h>

namespace wgs {
namespace {

struct Unit {
  std::string_view name;
  std::int64_t millis;
};
constexpr Unit units[] = {{"ms", 1}, {"s", 1000}, {"m", 60'000}, {"h", 3'600'000}};
constexpr std::int64_t ceiling = longest_duration.count();
// More significant fraction digits than this cannot make a whole millisecond of any unit.
constexpr std::size_t longest_fraction = 9;

Error not_a_duration() { return make_error("is not a duration: expected a number and a unit, e.g. 500ms, 1.5s, 2m or 1h30m"); }
Error beyond_ceiling() { return make_error("is too long", ERANGE); }

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

std::string_view take_while(std::string_view& text, bool (*accept)(char)) {
  std::size_t length = 0;
  while (length < text.size() && accept(text[length])) ++length;
  auto const taken = text.substr(0, length);
  text.remove_prefix(length);
  return taken;
}

std::optional<Unit> find_unit(std::string_view name) {
  for (auto const& unit : units) {
    if (unit.name == name) return unit;
  }
  return std::nullopt;
}

// Digits times the unit; the running value never passes the ceiling, so nothing overflows.
Result<std::int64_t> whole_millis(std::string_view digits, Unit unit) {
  std::int64_t value = 0;
  for (char c : digits) {
    value = value * 10 + (c - '0');
    if (value > ceiling / unit.millis) return beyond_ceiling();
  }
  return value * unit.millis;
}

// ".5" of a second is 500 ms; ".0005" of a second is not a whole millisecond and is refused.
Result<std::int64_t> fraction_millis(std::string_view digits, Unit unit) {
  while (!digits.empty() && digits.back() == '0') digits.remove_suffix(1);
  if (digits.size() > longest_fraction) return make_error("is finer than a millisecond");
  std::int64_t numerator = 0;
  std::int64_t denominator = 1;
  for (char c : digits) {
    numerator = numerator * 10 + (c - '0');
    denominator *= 10;
  }
  if (numerator * unit.millis % denominator != 0) return make_error("is finer than a millisecond");
  return numerator * unit.millis / denominator;
}

// One "1.5s" term from the front of `text`.
Result<std::int64_t> read_term(std::string_view& text) {
  auto const whole = take_while(text, is_digit);
  std::string_view fraction;
  if (!text.empty() && text.front() == '.') {
    text.remove_prefix(1);
    fraction = take_while(text, is_digit);
    if (fraction.empty()) return not_a_duration();
  }
  if (whole.empty()) return not_a_duration();
  auto const unit_name = take_while(text, is_letter);
  if (unit_name.empty()) return make_error("needs a unit: ms, s, m or h (e.g. 5s)");
  auto const unit = find_unit(unit_name);
  if (!unit) return make_error("has a unit that is not ms, s, m or h");
  auto const whole_part = whole_millis(whole, *unit);
  if (!whole_part) return whole_part;
  auto const fraction_part = fraction_millis(fraction, *unit);
  if (!fraction_part) return fraction_part;
  if (*whole_part > ceiling - *fraction_part) return beyond_ceiling();
  return *whole_part + *fraction_part;
}

Result<std::int64_t> sum_terms(std::string_view text) {
  if (text.empty()) return make_error("is empty (expected a duration like 500ms, 5s or 2m)");
  std::int64_t total = 0;
  while (!text.empty()) {
    auto const term = read_term(text);
    if (!term) return term;
    if (total > ceiling - *term) return beyond_ceiling();
    total += *term;
  }
  return total;
}

std::string_view trim_blanks(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

}  // namespace

Result<Duration> parse_duration(std::string_view text, DurationRange range) {
  auto const total = sum_terms(trim_blanks(text));
  bool const too_long = !total && total.error().code == ERANGE;
  if (!total && !too_long) return total.error();
  if (too_long || Duration(*total) < range.least || Duration(*total) > range.most) {
    return make_error(fmt::format("must be from {} to {}", format_duration(range.least), format_duration(range.most)));
  }
  return Duration(*total);
}

std::string format_duration(Duration d) {
  auto const ms = d.count();
  if (ms != 0 && ms % 3'600'000 == 0) return fmt::format("{}h", ms / 3'600'000);
  if (ms != 0 && ms % 60'000 == 0) return fmt::format("{}m", ms / 60'000);
  if (ms % 1000 == 0) return fmt::format("{}s", ms / 1000);
  return fmt::format("{}ms", ms);
}

}  // namespace wgs

#include "number.hpp"

#include <charconv>

namespace contacts {

std::optional<std::int64_t> parse_integer(std::string_view text, std::int64_t min, std::int64_t max) {
  if (text.empty() || text.size() > 20) return std::nullopt;
  std::int64_t value = 0;
  auto const* end = text.data() + text.size();
  auto const [stop, error] = std::from_chars(text.data(), end, value);
  if (error != std::errc{} || stop != end) return std::nullopt;
  if (value < min || value > max) return std::nullopt;
  return value;
}

}  // namespace contacts

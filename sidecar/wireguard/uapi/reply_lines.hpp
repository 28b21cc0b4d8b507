#pragma once
// Pieces of UAPI reply parsing shared by the set and get parsers (internal to uapi/).
#include <charconv>
#include <optional>
#include <string_view>
#include <vector>

#include "util/result.hpp"

namespace wgs::wireguard::uapi::detail {

struct Line {
  std::string_view key;
  std::string_view value;
};

Error malformed(std::string_view why);

// Splits a reply into key=value lines up to the empty line that ends it, enforcing
// max_reply_size and max_line_length.
Result<std::vector<Line>> split_lines(std::string_view reply);

// The last line of every reply is errno=N. Ok for 0, an Error with code |N| otherwise.
Status check_errno(std::vector<Line> const& lines);

// A whole decimal number of type T: no sign, no spaces, no trailing text.
template <class T>
std::optional<T> parse_number(std::string_view text) {
  T value{};
  auto const [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace wgs::wireguard::uapi::detail

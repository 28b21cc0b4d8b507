#pragma once
// Request targets: path and query split, percent-decoding, query parameters. Input is
// untrusted; anything malformed yields nullopt rather than a guess.
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace contacts::url {

struct Target {
  std::string_view path;
  std::string_view query;  // after '?', without it
};

Target split(std::string_view target);

// %XX sequences decoded; with PLUS_IS_SPACE (query strings) '+' becomes ' '. Nullopt on a
// truncated or non-hex escape.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space);

using QueryParams = std::map<std::string, std::string, std::less<>>;

// name=value pairs separated by '&'; a repeated name keeps its last value.
std::optional<QueryParams> parse_query(std::string_view query);

bool is_valid_utf8(std::string_view text);

}  // namespace contacts::url

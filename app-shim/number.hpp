#pragma once
// Strict integer parsing for untrusted text: digits only (a leading '-' allowed), no
// spaces, no '+', no trailing junk, within [min, max].
#include <cstdint>
#include <optional>
#include <string_view>

namespace contacts {

std::optional<std::int64_t> parse_integer(std::string_view text, std::int64_t min, std::int64_t max);

}  // namespace contacts

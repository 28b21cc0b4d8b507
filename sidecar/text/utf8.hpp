#pragma once
// Text that a server or the environment controls arrives as bytes: a PostgreSQL server's
// error message, DB_USER, FLY_REGION. These functions say whether the bytes are UTF-8 and
// make them so, before they reach a JSON document (which must be UTF-8) or a person.
#include <cstddef>
#include <string>
#include <string_view>

namespace wgs::text {

// The length of the well-formed UTF-8 sequence (Unicode table 3-7) at the start of `bytes`:
// 1 to 4, or 0 when the first byte does not start one (a stray continuation byte, an
// overlong form, a surrogate, beyond U+10FFFF, or a sequence cut short).
std::size_t sequence_length(std::string_view bytes);

// Walks `bytes` in order: `sequence(text)` for each well-formed sequence, `stray(byte)` for
// each byte that starts none.
template <class OnSequence, class OnStray>
void for_each_sequence(std::string_view bytes, OnSequence sequence, OnStray stray) {
  while (!bytes.empty()) {
    auto const length = sequence_length(bytes);
    if (length == 0) stray(static_cast<unsigned char>(bytes[0]));
    else sequence(bytes.substr(0, length));
    bytes.remove_prefix(length == 0 ? 1 : length);
  }
}

bool is_valid_utf8(std::string_view bytes);

// `bytes` with every byte that does not start a well-formed sequence replaced by U+FFFD.
std::string valid_utf8(std::string_view bytes);

}  // namespace wgs::text

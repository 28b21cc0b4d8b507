#include "text/utf8.hpp"

#include <cstdint>

namespace wgs::text {
namespace {

bool is_continuation(unsigned char byte) { return (byte & 0xC0) == 0x80; }

// The range the second byte must fall in, which is narrower than 80..BF after E0 (no
// overlong forms), ED (no surrogates), F0 (no overlong forms) and F4 (nothing past U+10FFFF).
struct Lead {
  std::size_t length;
  unsigned char second_min;
  unsigned char second_max;
};

Lead lead_of(unsigned char byte) {
  if (byte < 0x80) return {1, 0, 0};
  if (byte >= 0xC2 && byte <= 0xDF) return {2, 0x80, 0xBF};
  if (byte == 0xE0) return {3, 0xA0, 0xBF};
  if (byte == 0xED) return {3, 0x80, 0x9F};
  if (byte >= 0xE1 && byte <= 0xEF) return {3, 0x80, 0xBF};
  if (byte == 0xF0) return {4, 0x90, 0xBF};
  if (byte >= 0xF1 && byte <= 0xF3) return {4, 0x80, 0xBF};
  if (byte == 0xF4) return {4, 0x80, 0x8F};
  return {0, 0, 0};
}

}  // namespace

std::size_t sequence_length(std::string_view bytes) {
  if (bytes.empty()) return 0;
  auto const lead = lead_of(static_cast<unsigned char>(bytes[0]));
  if (lead.length <= 1) return lead.length;
  if (bytes.size() < lead.length) return 0;
  auto const second = static_cast<unsigned char>(bytes[1]);
  if (second < lead.second_min || second > lead.second_max) return 0;
  for (std::size_t i = 2; i < lead.length; ++i) {
    if (!is_continuation(static_cast<unsigned char>(bytes[i]))) return 0;
  }
  return lead.length;
}

bool is_valid_utf8(std::string_view bytes) {
  bool valid = true;
  for_each_sequence(bytes, [](std::string_view) {}, [&](unsigned char) { valid = false; });
  return valid;
}

std::string valid_utf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for_each_sequence(
      bytes, [&](std::string_view sequence) { out.append(sequence); },
      [&](unsigned char) { out += "\xEF\xBF\xBD"; });  // U+FFFD REPLACEMENT CHARACTER
  return out;
}

}  // namespace wgs::text

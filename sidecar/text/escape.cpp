#include "text/escape.hpp"

#include <cstdint>

#include <fmt/format.h>

#include "text/utf8.hpp"

namespace wgs::text {
namespace {

char32_t decode(std::string_view sequence) {
  auto const byte = [&](std::size_t i) { return static_cast<char32_t>(static_cast<unsigned char>(sequence[i])); };
  switch (sequence.size()) {
    case 1: return byte(0);
    case 2: return ((byte(0) & 0x1F) << 6) | (byte(1) & 0x3F);
    case 3: return ((byte(0) & 0x0F) << 12) | ((byte(1) & 0x3F) << 6) | (byte(2) & 0x3F);
    default: return ((byte(0) & 0x07) << 18) | ((byte(1) & 0x3F) << 12) | ((byte(2) & 0x3F) << 6) | (byte(3) & 0x3F);
  }
}

// Code points past ASCII that change how a line reads on a terminal or in a log viewer.
bool is_hidden_control(char32_t c) {
  return (c >= 0x80 && c <= 0x9F) || c == 0x2028 || c == 0x2029 || (c >= 0x202A && c <= 0x202E) ||
         (c >= 0x2066 && c <= 0x2069);
}

void append_ascii(std::string& out, char c) {
  switch (c) {
    case '\n': out += "\\n"; return;
    case '\r': out += "\\r"; return;
    case '\t': out += "\\t"; return;
  }
  auto const byte = static_cast<unsigned char>(c);
  if (byte < 0x20 || byte == 0x7F) out += fmt::format("\\x{:02x}", byte);
  else out += c;
}

}  // namespace

std::string escape_controls(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  auto const on_sequence = [&](std::string_view sequence) {
    if (sequence.size() == 1) return append_ascii(out, sequence[0]);
    auto const c = decode(sequence);
    if (is_hidden_control(c)) out += fmt::format("\\u{:04x}", static_cast<std::uint32_t>(c));
    else out.append(sequence);
  };
  for_each_sequence(bytes, on_sequence, [&](unsigned char stray) { out += fmt::format("\\x{:02x}", stray); });
  return out;
}

}  // namespace wgs::text

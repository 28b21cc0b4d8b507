#include "url.hpp"

#include <cstdint>

namespace contacts::url {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// How many continuation bytes follow LEAD, or -1 when it cannot start a character.
int continuation_count(unsigned char lead) {
  if (lead < 0x80) return 0;
  if (lead >= 0xC2 && lead <= 0xDF) return 1;
  if (lead >= 0xE0 && lead <= 0xEF) return 2;
  if (lead >= 0xF0 && lead <= 0xF4) return 3;
  return -1;
}

// Rejects overlong forms, surrogates and code points past U+10FFFF (RFC 3629).
bool second_byte_allowed(unsigned char lead, unsigned char next) {
  if (lead == 0xE0) return next >= 0xA0;
  if (lead == 0xED) return next <= 0x9F;
  if (lead == 0xF0) return next >= 0x90;
  if (lead == 0xF4) return next <= 0x8F;
  return true;
}

}  // namespace

Target split(std::string_view target) {
  auto const question = target.find('?');
  if (question == std::string_view::npos) return {target, {}};
  return {target.substr(0, question), target.substr(question + 1)};
}

std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space) {
  std::string decoded;
  decoded.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char const c = text[i];
    if (c == '+' && plus_is_space) {
      decoded += ' ';
    } else if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      int const high = hex_value(text[i + 1]);
      int const low = hex_value(text[i + 2]);
      if (high < 0 || low < 0) return std::nullopt;
      decoded += static_cast<char>(high * 16 + low);
      i += 2;
    } else {
      decoded += c;
    }
  }
  return decoded;
}

std::optional<QueryParams> parse_query(std::string_view query) {
  QueryParams params;
  while (!query.empty()) {
    auto const amp = query.find('&');
    auto const pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (pair.empty()) continue;
    auto const equals = pair.find('=');
    auto name = percent_decode(pair.substr(0, equals), true);
    auto value = percent_decode(equals == std::string_view::npos ? std::string_view{} : pair.substr(equals + 1), true);
    if (!name || !value) return std::nullopt;
    params.insert_or_assign(std::move(*name), std::move(*value));
  }
  return params;
}

bool is_valid_utf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    auto const lead = static_cast<unsigned char>(text[i]);
    int const count = continuation_count(lead);
    if (count < 0 || i + static_cast<std::size_t>(count) >= text.size()) return false;
    for (int k = 1; k <= count; ++k) {
      auto const next = static_cast<unsigned char>(text[i + static_cast<std::size_t>(k)]);
      if ((next & 0xC0) != 0x80) return false;
      if (k == 1 && !second_byte_allowed(lead, next)) return false;
    }
    i += static_cast<std::size_t>(count) + 1;
  }
  return true;
}

}  // namespace contacts::url

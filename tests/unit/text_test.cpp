// Bytes from outside as text: UTF-8 checked and repaired, control characters escaped, and
// JSON that never throws on either.
#include <doctest/doctest.h>

#include <string>

#include "text/escape.hpp"
#include "text/json.hpp"
#include "text/utf8.hpp"

using namespace wgs;

TEST_CASE("utf8: well-formed sequences pass, everything Unicode's table 3-7 excludes is replaced") {
  struct Row {
    char const* name;
    std::string bytes;
    bool valid;
    std::string repaired;
  };
  std::string const fffd = "\xEF\xBF\xBD";
  Row const rows[] = {
      {"empty", "", true, ""},
      {"ASCII", "contacts", true, "contacts"},
      {"two bytes (é)", "caf\xC3\xA9", true, "caf\xC3\xA9"},
      {"three bytes (€)", "\xE2\x82\xAC", true, "\xE2\x82\xAC"},
      {"four bytes (U+1F600)", "\xF0\x9F\x98\x80", true, "\xF0\x9F\x98\x80"},
      {"U+10FFFF, the last code point", "\xF4\x8F\xBF\xBF", true, "\xF4\x8F\xBF\xBF"},
      {"Latin-1 é, as DB_NAME=$'caf\\xe9'", "caf\xE9", false, "caf" + fffd},
      {"a lone 0xFF", "\xFF", false, fffd},
      {"a stray continuation byte", "a\x80z", false, "a" + fffd + "z"},
      {"overlong '/' (C0 AF)", "\xC0\xAF", false, fffd + fffd},
      {"overlong three-byte (E0 80 80)", "\xE0\x80\x80", false, fffd + fffd + fffd},
      {"a surrogate (ED A0 80)", "\xED\xA0\x80", false, fffd + fffd + fffd},
      {"past U+10FFFF (F4 90 80 80)", "\xF4\x90\x80\x80", false, fffd + fffd + fffd + fffd},
      {"cut short at the end", "ok\xE2\x82", false, "ok" + fffd + fffd},
      {"NUL is valid UTF-8", std::string("a\0b", 3), true, std::string("a\0b", 3)},
  };
  for (auto const& row : rows) {
    CAPTURE(row.name);
    CHECK(text::is_valid_utf8(row.bytes) == row.valid);
    CHECK(text::valid_utf8(row.bytes) == row.repaired);
    CHECK(text::is_valid_utf8(text::valid_utf8(row.bytes)));
  }
}

TEST_CASE("escape: nothing that ends a line, moves the cursor or reorders text survives") {
  struct Row {
    char const* name;
    std::string bytes;
    std::string shown;
  };
  Row const rows[] = {
      {"plain", "iad", "iad"},
      {"a forged log line (FLY_REGION=$'iad\\n...')", "iad\n2026-01-01T00:00:00.000Z wgsidecar error forged",
       "iad\\n2026-01-01T00:00:00.000Z wgsidecar error forged"},
      {"carriage return and tab", "a\rb\tc", "a\\rb\\tc"},
      {"ESC, as in a terminal colour sequence", "\x1B[31mred", "\\x1b[31mred"},
      {"NUL and DEL", std::string("a\0b\x7F", 4), "a\\x00b\\x7f"},
      {"a byte that is not UTF-8", "caf\xE9", "caf\\xe9"},
      {"a C1 control (U+009B, CSI)", "a\xC2\x9B" "b", "a\\u009bb"},
      {"the line separator U+2028", "a\xE2\x80\xA8" "b", "a\\u2028b"},
      {"a right-to-left override U+202E", "\xE2\x80\xAE" "txt", "\\u202etxt"},
      {"an isolate U+2066", "\xE2\x81\xA6", "\\u2066"},
      {"ordinary non-ASCII stays", "café €", "café €"},
      {"a backslash stays", "C:\\x", "C:\\x"},
  };
  for (auto const& row : rows) {
    CAPTURE(row.name);
    auto const shown = text::escape_controls(row.bytes);
    CHECK(shown == row.shown);
    CHECK(text::is_valid_utf8(shown));
    CHECK(shown.find('\n') == std::string::npos);
  }
}

TEST_CASE("json_text: a string that is not UTF-8 becomes U+FFFD instead of an exception") {
  nlohmann::json const value = {{"user", "\xFF"}, {"name", "caf\xE9"}, {"ok", "café"}};
  std::string out;
  REQUIRE_NOTHROW(out = text::json_text(value));
  CHECK(text::is_valid_utf8(out));
  auto const parsed = nlohmann::json::parse(out);
  CHECK(parsed["user"] == "\xEF\xBF\xBD");
  CHECK(parsed["name"] == "caf\xEF\xBF\xBD");
  CHECK(parsed["ok"] == "café");
  CHECK(text::json_text(value, 2).find("\n  \"name\"") != std::string::npos);
}

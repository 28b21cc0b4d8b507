#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "util/duration.hpp"

using namespace wgs;
using namespace std::chrono_literals;

TEST_CASE("durations: what a user writes, and what it means") {
  struct Case {
    char const* text;
    long long millis;
  };
  std::vector<Case> const cases = {
      {"500ms", 500},   {"5s", 5000},       {"2m", 120000},    {"1m30s", 90000},  {"1h", 3600000},
      {"1.5s", 1500},   {"0.5m", 30000},    {"0.25s", 250},    {"1.500s", 1500},  {"2.5h", 9000000},
      {"0.001s", 1},    {"1h0.5m", 3630000}, {"0s", 0},        {" 5s ", 5000},    {"007s", 7000},
      {"8760h", 31536000000},  // a year, the parser's ceiling
  };
  for (auto const& c : cases) {
    CAPTURE(c.text);
    auto const parsed = parse_duration(c.text);
    REQUIRE(parsed.ok());
    CHECK(parsed->count() == c.millis);
  }
}

TEST_CASE("durations: refused, with the reason and never the text") {
  std::string const year_repeated = [] {
    std::string text;
    for (int i = 0; i < 90; ++i) text += "31536000000h";
    return text;
  }();
  struct Case {
    std::string text;
    char const* reason;
  };
  std::vector<Case> const cases = {
      {"5", "needs a unit"},
      {"", "is empty"},
      {"5 s", "needs a unit"},
      {"-5s", "is not a duration"},
      {"+5s", "is not a duration"},
      {".5s", "is not a duration"},
      {"5.s", "is not a duration"},
      {"1..5s", "is not a duration"},
      {"5days", "not ms, s, m or h"},
      {"5S", "not ms, s, m or h"},
      {"0.0005s", "finer than a millisecond"},
      {"1.5ms", "finer than a millisecond"},
      {"0.0000000001h", "finer than a millisecond"},
      {"8760h1ms", "must be from 0s to 8760h"},
      {"9999999h", "must be from 0s to 8760h"},
      {"99999999999999999999999999999s", "must be from 0s to 8760h"},
      {year_repeated, "must be from 0s to 8760h"},
      {"5s\n", "is not a duration"},
  };
  for (auto const& c : cases) {
    CAPTURE(c.text);
    auto const parsed = parse_duration(c.text);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.error().message.find(c.reason) != std::string::npos);
    if (c.text.size() > 3) CHECK(parsed.error().message.find(c.text) == std::string::npos);
  }
}

TEST_CASE("durations: the range is checked after the unit is applied") {
  DurationRange const range{100ms, 1h};
  CHECK(parse_duration("100ms", range)->count() == 100);
  CHECK(parse_duration("0.1s", range)->count() == 100);
  CHECK(parse_duration("1h", range)->count() == 3'600'000);
  CHECK(parse_duration("59m60s", range)->count() == 3'600'000);
  for (auto const* text : {"99ms", "0.09s", "0s", "1h1ms", "61m", "2h", "9999999h"}) {
    CAPTURE(text);
    auto const parsed = parse_duration(text, range);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.error().message == "must be from 100ms to 1h");
  }
}

TEST_CASE("durations: format_duration gives the shortest form that reads back") {
  CHECK(format_duration(Duration(90000)) == "90s");
  CHECK(format_duration(Duration(120000)) == "2m");
  CHECK(format_duration(Duration(1500)) == "1500ms");
  CHECK(format_duration(Duration(3'600'000)) == "1h");
  CHECK(format_duration(Duration(0)) == "0s");
  CHECK(format_duration(longest_duration) == "8760h");
}

namespace {

// A term the generator wrote, with the value it means computed independently: exact
// rational arithmetic in 128 bits, in units of 10^-12 ms, with no ceiling to hide behind.
__extension__ typedef unsigned __int128 Wide;
constexpr Wide pico = 1'000'000'000'000ULL;

struct Generated {
  std::string text;
  bool valid = true;
  Wide picos = 0;  // the total, in 10^-12 ms
};

std::string digits(std::mt19937_64& random, std::size_t count) {
  std::string out;
  for (std::size_t i = 0; i < count; ++i) out += static_cast<char>('0' + random() % 10);
  return out;
}

Wide number(std::string const& text) {
  Wide value = 0;
  for (char c : text) value = value * 10 + static_cast<Wide>(c - '0');
  return value;
}

void add_term(std::mt19937_64& random, Generated& out) {
  struct Unit {
    char const* name;
    long long millis;  // 0: not a unit
  };
  static constexpr Unit units[] = {{"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}, {"", 0}, {"d", 0}, {"us", 0}};
  // Mostly short numbers, sometimes long enough to pass any ceiling.
  auto const fraction = random() % 3 == 0 ? digits(random, 1 + random() % 12) : std::string();
  // A term with no digits before its point is written only with a fraction (".5s"), so that
  // it cannot run into the term before it and read as something else.
  auto const whole_length = random() % 8 == 0 ? 1 + random() % 18 : random() % 6;
  auto const whole = digits(random, fraction.empty() ? std::max<std::size_t>(whole_length, 1) : whole_length);
  auto const& unit = units[random() % std::size(units)];
  out.text += whole + (fraction.empty() ? "" : "." + fraction) + unit.name;
  if (whole.empty() || unit.millis == 0) {
    out.valid = false;
    return;
  }
  Wide const fraction_picos = fraction.empty() ? 0 : number(fraction) * (pico / [&] {
    Wide scale = 1;
    for (std::size_t i = 0; i < fraction.size(); ++i) scale *= 10;
    return scale;
  }());
  Wide const term = (number(whole) * pico + fraction_picos) * static_cast<Wide>(unit.millis);
  if (term % pico != 0) out.valid = false;  // not a whole millisecond
  out.picos += term;
}

Generated generate(std::mt19937_64& random) {
  Generated out;
  auto const terms = 1 + random() % 4;
  // An invalid term ends the text: what followed might merge with it into something valid.
  for (std::size_t i = 0; i < terms && out.valid; ++i) add_term(random, out);
  return out;
}

}  // namespace

TEST_CASE("durations, property: a parsed duration is exactly what the text means, and within the range") {
  std::mt19937_64 random(18);
  std::vector<DurationRange> const ranges = {{}, {100ms, 1h}, {1s, 24h}, {1s, 168h}};
  int accepted = 0;
  for (int i = 0; i < 40000; ++i) {
    auto const generated = generate(random);
    auto const& range = ranges[static_cast<std::size_t>(i) % ranges.size()];
    auto const parsed = parse_duration(generated.text, range);
    Wide const millis = generated.picos / pico;
    bool const expected = generated.valid && millis >= static_cast<Wide>(range.least.count()) &&
                          millis <= static_cast<Wide>(range.most.count());
    CAPTURE(generated.text);
    REQUIRE(parsed.ok() == expected);
    if (!parsed) continue;
    ++accepted;
    CHECK(static_cast<Wide>(parsed->count()) == millis);
    CHECK(*parse_duration(format_duration(*parsed)) == *parsed);
  }
  CHECK(accepted > 3000);  // the generator reaches both sides of the line
}

TEST_CASE("durations, property: any bytes that parse stay within the range") {
  std::mt19937_64 random(78);
  std::string const alphabet = "0123456789.mshd -+\t9";
  DurationRange const range{100ms, 1h};
  for (int i = 0; i < 40000; ++i) {
    std::string text;
    auto const length = random() % 24;
    for (std::size_t j = 0; j < length; ++j) text += alphabet[random() % alphabet.size()];
    auto const parsed = parse_duration(text, range);
    CAPTURE(text);
    if (!parsed) continue;
    CHECK(*parsed >= range.least);
    CHECK(*parsed <= range.most);
    CHECK(*parse_duration(format_duration(*parsed), range) == *parsed);
  }
}

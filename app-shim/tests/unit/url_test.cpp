#include <doctest/doctest.h>

#include "url.hpp"

using namespace contacts::url;

TEST_CASE("split separates path and query") {
  CHECK(split("/contacts?limit=3").path == "/contacts");
  CHECK(split("/contacts?limit=3").query == "limit=3");
  CHECK(split("/contacts").query.empty());
  CHECK(split("/a?b?c").query == "b?c");
}

TEST_CASE("percent_decode") {
  struct Case {
    char const* in;
    bool plus_is_space;
    std::optional<std::string> out;
  };
  Case const cases[] = {
      {"abc", false, "abc"},
      {"a%20b", false, "a b"},
      {"a+b", false, "a+b"},
      {"a+b", true, "a b"},
      {"%25%5F", false, "%_"},
      {"Fran%C3%A7ois", false, "François"},
      {"%e2%82%ac", false, "€"},
      {"%", false, std::nullopt},
      {"%2", false, std::nullopt},
      {"%zz", false, std::nullopt},
      {"ok%2", false, std::nullopt},
      {"%00", false, std::string(1, '\0')},
  };
  for (auto const& c : cases) {
    CAPTURE(c.in);
    CHECK(percent_decode(c.in, c.plus_is_space) == c.out);
  }
}

TEST_CASE("parse_query keeps the last value and decodes both sides") {
  auto const params = parse_query("limit=3&offset=1&limit=5&&x&na%6De=v+w");
  REQUIRE(params);
  CHECK(params->at("limit") == "5");
  CHECK(params->at("offset") == "1");
  CHECK(params->at("x").empty());
  CHECK(params->at("name") == "v w");
  CHECK_FALSE(parse_query("limit=%G1"));
}

TEST_CASE("is_valid_utf8") {
  CHECK(is_valid_utf8("plain"));
  CHECK(is_valid_utf8("François €  𝄞"));
  CHECK_FALSE(is_valid_utf8("\xC3"));          // truncated
  CHECK_FALSE(is_valid_utf8("\xC0\xAF"));      // overlong
  CHECK_FALSE(is_valid_utf8("\xED\xA0\x80"));  // surrogate
  CHECK_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // past U+10FFFF
  CHECK_FALSE(is_valid_utf8("\xFF"));
  CHECK_FALSE(is_valid_utf8("a\x80"));
}

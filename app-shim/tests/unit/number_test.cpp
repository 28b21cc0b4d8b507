#include <doctest/doctest.h>

#include "number.hpp"

using contacts::parse_integer;

TEST_CASE("parse_integer accepts only plain in-range integers") {
  CHECK(parse_integer("0", 0, 10) == 0);
  CHECK(parse_integer("10", 0, 10) == 10);
  CHECK(parse_integer("-1", -5, 10) == -1);
  CHECK_FALSE(parse_integer("11", 0, 10));
  CHECK_FALSE(parse_integer("-1", 0, 10));
  CHECK_FALSE(parse_integer("", 0, 10));
  CHECK_FALSE(parse_integer(" 1", 0, 10));
  CHECK_FALSE(parse_integer("1 ", 0, 10));
  CHECK_FALSE(parse_integer("+1", 0, 10));
  CHECK_FALSE(parse_integer("1e2", 0, 1000));
  CHECK_FALSE(parse_integer("0x10", 0, 1000));
  CHECK_FALSE(parse_integer("99999999999999999999999", 0, 10));
}

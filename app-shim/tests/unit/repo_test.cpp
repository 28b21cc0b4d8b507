#include <doctest/doctest.h>

#include "contacts_repo.hpp"
#include "pg_connection.hpp"

using namespace contacts;

TEST_CASE("contains_pattern makes LIKE metacharacters literal") {
  CHECK(contains_pattern("ana") == "%ana%");
  CHECK(contains_pattern("50%") == "%50\\%%");
  CHECK(contains_pattern("a_b") == "%a\\_b%");
  CHECK(contains_pattern("c:\\x") == "%c:\\\\x%");
  CHECK(contains_pattern("it's") == "%it's%");
}

TEST_CASE("classify maps SQLSTATEs to what the client sees") {
  using db::classify;
  CHECK(classify("", false) == ErrorKind::unavailable);
  CHECK(classify("42601", false) == ErrorKind::unavailable);
  CHECK(classify("08006", true) == ErrorKind::unavailable);
  CHECK(classify("57P01", true) == ErrorKind::unavailable);
  CHECK(classify("57014", true) == ErrorKind::unavailable);
  CHECK(classify("53300", true) == ErrorKind::unavailable);
  CHECK(classify("42P01", true) == ErrorKind::unavailable);
  CHECK(classify("22021", true) == ErrorKind::bad_input);
  CHECK(classify("42601", true) == ErrorKind::internal);
  CHECK(classify("", true) == ErrorKind::internal);
}

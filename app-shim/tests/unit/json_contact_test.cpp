#include <doctest/doctest.h>

#include "json_contact.hpp"

using namespace contacts;

TEST_CASE("contact_json leaves out null optional fields") {
  Contact contact{7, "Ana Silva", "Ana.Silva@email.com", std::nullopt, "AWS Partners", std::nullopt,
                  "2025-12-07T12:54:31.629798", "2025-12-07T12:54:31.000000"};
  auto const json = contact_json(contact);
  CHECK(json["id"] == 7);
  CHECK(json["company"] == "AWS Partners");
  CHECK_FALSE(json.contains("phone"));
  CHECK_FALSE(json.contains("notes"));
  CHECK(json["created_at"] == "2025-12-07T12:54:31.629798Z");
  CHECK(json["updated_at"] == "2025-12-07T12:54:31Z");
}

TEST_CASE("rfc3339_utc trims the fraction as Go does") {
  CHECK(rfc3339_utc("2025-12-07T12:54:31.629700") == "2025-12-07T12:54:31.6297Z");
  CHECK(rfc3339_utc("2025-12-07T12:54:30.000000") == "2025-12-07T12:54:30Z");
  CHECK(rfc3339_utc("2025-12-07T12:54:30.100000") == "2025-12-07T12:54:30.1Z");
  CHECK(rfc3339_utc("2025-12-07T12:54:30") == "2025-12-07T12:54:30Z");
}

TEST_CASE("contact_input_from accepts a good body") {
  auto const input = contact_input_from(R"({"name":"  Ana  ","email":"a@b.c","phone":null,"company":"X","id":99})");
  REQUIRE(input);
  CHECK(input->name == "Ana");
  CHECK(input->email == "a@b.c");
  CHECK_FALSE(input->phone);
  CHECK(input->company == "X");
  CHECK_FALSE(input->notes);
}

TEST_CASE("contact_input_from names what is wrong") {
  struct Case {
    char const* body;
    char const* message;
  };
  Case const cases[] = {
      {"", "body is not valid JSON"},
      {"{", "body is not valid JSON"},
      {"[1]", "body must be a JSON object"},
      {"\"x\"", "body must be a JSON object"},
      {R"({"email":"a@b"})", "name is required"},
      {R"({"name":null,"email":"a@b"})", "name is required"},
      {R"({"name":"  ","email":"a@b"})", "name must not be empty"},
      {R"({"name":5,"email":"a@b"})", "name must be a string or null"},
      {R"({"name":"A"})", "email is required"},
      {R"({"name":"A","email":"nope"})", "email must look like name@domain"},
      {R"({"name":"A","email":"@b"})", "email must look like name@domain"},
      {R"({"name":"A","email":"a b@c"})", "email must look like name@domain"},
      {R"({"name":"A","email":"a@b","phone":1})", "phone must be a string or null"},
      {R"({"name":"A","email":"a@b","notes":{}})", "notes must be a string or null"},
      {R"({"name":"A\u0000B","email":"a@b"})", "name must not contain NUL characters"},
  };
  for (auto const& c : cases) {
    CAPTURE(c.body);
    auto const input = contact_input_from(c.body);
    REQUIRE_FALSE(input);
    CHECK(input.error().kind == ErrorKind::bad_input);
    CHECK(input.error().message == c.message);
  }
}

TEST_CASE("contact_input_from limits field sizes") {
  auto const body = std::string(R"({"name":")") + std::string(256, 'x') + R"(","email":"a@b"})";
  auto const input = contact_input_from(body);
  REQUIRE_FALSE(input);
  CHECK(input.error().message == "name is longer than 255 bytes");
}

TEST_CASE("deeply nested JSON is refused, not a crash") {
  auto const body = std::string(60000, '[') + std::string(60000, ']');
  CHECK_FALSE(contact_input_from(body));
}

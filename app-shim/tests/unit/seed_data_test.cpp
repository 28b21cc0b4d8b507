#include <doctest/doctest.h>

#include <algorithm>

#include "seed_data.hpp"

using namespace contacts;

TEST_CASE("seed contacts come from the seed's lists") {
  std::mt19937 random{42};
  auto const made = seed::make_contacts(200, random);
  REQUIRE(made.size() == 200);
  for (auto const& contact : made) {
    auto const space = contact.name.find(' ');
    REQUIRE(space != std::string::npos);
    auto const first = std::string_view(contact.name).substr(0, space);
    auto const last = std::string_view(contact.name).substr(space + 1);
    CHECK(std::ranges::find(seed::first_names(), first) != seed::first_names().end());
    CHECK(std::ranges::find(seed::last_names(), last) != seed::last_names().end());
    CHECK(contact.email == std::string(first) + "." + std::string(last) + "@email.com");
    REQUIRE(contact.company);
    CHECK(std::ranges::find(seed::companies(), std::string_view(*contact.company)) != seed::companies().end());
  }
}

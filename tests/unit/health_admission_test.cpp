// Who gets a place on the health server when slow clients hold the others.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "health/admission.hpp"

using namespace wgs::health;
using Kind = Admission::Kind;

namespace {

// "a*" is an idle connection from a, "a" one writing its answer; oldest first.
std::vector<Occupant> open(std::vector<std::string> const& spec) {
  std::vector<Occupant> out;
  for (auto const& s : spec) out.push_back({s.substr(0, s.find('*')), s.ends_with("*")});
  return out;
}

}  // namespace

TEST_CASE("admission: the table of who gets in and who goes") {
  Limits limits;
  limits.max_connections = 4;
  limits.max_per_source = 2;
  struct Row {
    char const* name;
    std::vector<std::string> open;
    std::string source;
    Kind kind;
    std::size_t victim;
  };
  Row const rows[] = {
      {"room: admitted", {"a*", "b*"}, "c", Kind::admit, 0},
      {"a source at its cap: its own oldest idle goes", {"a", "a*", "b*"}, "a", Kind::evict, 1},
      {"a source at its cap with nothing idle: the newcomer is refused", {"a", "a", "b*"}, "a", Kind::refuse, 0},
      {"full: the oldest idle of the source holding the most goes", {"b*", "a*", "a*", "c*"}, "d", Kind::evict, 1},
      {"full, sources equal: the oldest idle goes", {"b*", "a*", "c*", "d*"}, "e", Kind::evict, 0},
      {"full: an answer being written is never cut", {"a", "a", "b*", "c"}, "d", Kind::evict, 2},
      {"full and nobody idle: refused", {"a", "b", "c", "d"}, "e", Kind::refuse, 0},
      {"full: a newcomer from a light source still gets in", {"x*", "x*", "y*", "y*"}, "x", Kind::evict, 0},
  };
  for (auto const& row : rows) {
    CAPTURE(row.name);
    auto const admission = admit(open(row.open), row.source, limits);
    CHECK(admission.kind == row.kind);
    if (row.kind == Kind::evict) CHECK(admission.victim == row.victim);
  }
}

TEST_CASE("admission: one slow client with 200 connections never holds more than its share") {
  Limits limits;  // 32 places, 8 per source
  std::vector<Occupant> held;
  for (int attempt = 0; attempt < 200; ++attempt) {
    auto const admission = admit(held, "10.0.0.66", limits);
    if (admission.kind == Kind::evict) held.erase(held.begin() + static_cast<std::ptrdiff_t>(admission.victim));
    if (admission.kind != Kind::refuse) held.push_back({"10.0.0.66", true});
  }
  CHECK(held.size() == limits.max_per_source);
  // A platform's check from another address gets in without closing anything.
  CHECK(admit(held, "172.19.0.1", limits).kind == Kind::admit);
}

TEST_CASE("admission: slow clients from many addresses make room for a check, never take its place") {
  Limits limits;
  std::vector<Occupant> held;
  auto const arrive = [&](std::string const& source) {
    auto const admission = admit(held, source, limits);
    if (admission.kind == Kind::evict) held.erase(held.begin() + static_cast<std::ptrdiff_t>(admission.victim));
    if (admission.kind != Kind::refuse) held.push_back({source, true});
    return admission.kind != Kind::refuse;
  };
  for (int i = 0; i < 200; ++i) arrive("10.0.0." + std::to_string(i % 25));
  REQUIRE(arrive("172.19.0.1"));  // the check, idle until its request is read
  for (int i = 0; i < 200; ++i) arrive("10.0.0." + std::to_string(i % 25));
  bool const check_still_open =
      std::any_of(held.begin(), held.end(), [](auto const& occupant) { return occupant.source == "172.19.0.1"; });
  CHECK(check_still_open);
  CHECK(held.size() == limits.max_connections);
}

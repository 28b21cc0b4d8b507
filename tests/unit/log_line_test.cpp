// Log lines as a shipper and a person read them: text lines cannot be forged by a value,
// JSON lines are one object each, marked as wgsidecar's, with reports as fields.
#include <doctest/doctest.h>

#include <sstream>

#include <nlohmann/json.hpp>

#include "log/line.hpp"
#include "text/utf8.hpp"

using namespace wgs;
using log::Level;

namespace {

config::Logging on_fly(std::string region, std::string machine = "148e21") {
  config::Logging settings;
  settings.region = std::move(region);
  settings.machine_id = std::move(machine);
  return settings;
}

std::vector<std::string> lines_of(std::string const& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

constexpr char const* t = "2026-11-30T12:00:00.000Z";

}  // namespace

TEST_CASE("log text: the prefix, and region and machine on every line") {
  CHECK(log::text_line(on_fly("iad"), t, Level::info, "tunnel up") ==
        "2026-11-30T12:00:00.000Z wgsidecar info  region=iad machine=148e21 tunnel up\n");
  CHECK(log::text_line({}, t, Level::error, "x") == "2026-11-30T12:00:00.000Z wgsidecar error x\n");
}

TEST_CASE("log text: a value with a newline cannot forge a line") {
  struct Row {
    char const* name;
    config::Logging settings;
    std::string message;
  };
  std::string const forged = "iad\n2026-11-30T12:00:01.000Z wgsidecar error the database is gone";
  Row const rows[] = {
      {"FLY_REGION", on_fly(forged), "tunnel up"},
      {"FLY_MACHINE_ID", on_fly("iad", forged), "tunnel up"},
      {"the message (an app's argv, a server's error)", on_fly("iad"), "starting " + forged},
      {"a carriage return", on_fly("iad\r2026 wgsidecar error x"), "m"},
      {"a line separator", on_fly("iad"), "a\xE2\x80\xA8" "2026 wgsidecar error x"},
  };
  for (auto const& row : rows) {
    CAPTURE(row.name);
    auto const line = log::text_line(row.settings, t, Level::info, row.message);
    CHECK(lines_of(line).size() == 1);
    CHECK(line.find('\r') == std::string::npos);
    CHECK(line.rfind("2026-11-30T12:00:00.000Z wgsidecar info ", 0) == 0);
  }
}

TEST_CASE("log text: a value with a space or a quote is quoted, so it cannot pose as another key") {
  CHECK(log::text_line(on_fly("iad machine=evil", ""), t, Level::info, "m") ==
        "2026-11-30T12:00:00.000Z wgsidecar info  region=\"iad machine=evil\" m\n");
  CHECK(log::text_line(on_fly("a\"b", ""), t, Level::info, "m") ==
        "2026-11-30T12:00:00.000Z wgsidecar info  region=\"a\\\"b\" m\n");
}

TEST_CASE("log text: a report for people follows as lines of their own, each with the prefix") {
  auto const text = log::text_line(on_fly("iad"), t, Level::error, "the path did not work",
                                   "primary: postgresql://...\n  ✗ tcp  refused\n      hint: \x1B[2J\n");
  auto const lines = lines_of(text);
  REQUIRE(lines.size() == 4);
  for (auto const& line : lines) CHECK(line.rfind("2026-11-30T12:00:00.000Z wgsidecar error region=iad", 0) == 0);
  CHECK(lines[2].ends_with("  ✗ tcp  refused"));
  CHECK(lines[3].ends_with("hint: \\x1b[2J"));
}

TEST_CASE("log json: one object per line, marked as wgsidecar's") {
  auto const line = log::json_line(on_fly("iad"), t, Level::warn, "tunnel stale");
  CHECK(lines_of(line).size() == 1);
  auto const j = nlohmann::json::parse(line);
  CHECK(j["source"] == "wgsidecar");
  CHECK(j["level"] == "warn");
  CHECK(j["msg"] == "tunnel stale");
  CHECK(j["time"] == t);
  CHECK(j["region"] == "iad");
  CHECK(j["machine_id"] == "148e21");
  CHECK(line.rfind("{\"time\":", 0) == 0);  // the fields people look for first, first
  CHECK_FALSE(nlohmann::json::parse(log::json_line({}, t, Level::info, "m")).contains("region"));
}

TEST_CASE("log json: a report is a structured field, not text") {
  nlohmann::json const report = {{"ok", false}, {"stages", {{{"name", "tcp"}, {"status", "fail"}}}}};
  auto const line = log::json_line({}, t, Level::error, "the path did not work", {{"report", report}});
  CHECK(lines_of(line).size() == 1);
  auto const j = nlohmann::json::parse(line);
  CHECK(j["report"]["stages"][0]["status"] == "fail");
  // A field never replaces the line's own members.
  auto const clash = nlohmann::json::parse(log::json_line({}, t, Level::error, "real", {{"msg", "fake"}, {"source", "app"}}));
  CHECK(clash["msg"] == "real");
  CHECK(clash["source"] == "wgsidecar");
}

TEST_CASE("log json: bytes that are not UTF-8 and control characters still make one valid line") {
  auto const line = log::json_line(on_fly("i\xFF" "ad\n"), t, Level::info, "caf\xE9\n{\"forged\":1}");
  CHECK(lines_of(line).size() == 1);
  CHECK(text::is_valid_utf8(line));
  auto const j = nlohmann::json::parse(line);
  CHECK(j["msg"] == "caf\xEF\xBF\xBD\n{\"forged\":1}");
  CHECK(j["region"] == "i\xEF\xBF\xBD" "ad\n");
}

// Every JSON document wgsidecar writes survives bytes that are not UTF-8, wherever they come
// from: the environment (DB_USER, DB_NAME, WG_USERSPACE_IMPLEMENTATION) or a server's reply.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "checks/report.hpp"
#include "config/describe.hpp"
#include "config/load.hpp"
#include "text/json.hpp"
#include "text/utf8.hpp"

using namespace wgs;

namespace {

config::Environment base_env() {
  return {{"WG_PRIVATE_KEY", "QHgup1SNdoXT2X1SH8OoKbIhQfayX/7+lGCDNcmyPHY="},
          {"WG_PEER_PUBLIC_KEY", "Q9T4p88puHFgI8P8vLGjECvoXr85o5uncZQ2G35vE14="},
          {"WG_PEER_ENDPOINT", "192.0.2.1:51820"},
          {"DB_HOST", "10.50.0.1"}};
}

}  // namespace

TEST_CASE("config --json: a variable that is not UTF-8 is shown with U+FFFD, never a crash") {
  for (auto const* name : {"DB_USER", "DB_NAME", "DB_HOST", "WG_USERSPACE_IMPLEMENTATION", "PGSSLROOTCERT"}) {
    CAPTURE(name);
    auto env = base_env();
    env[name] = "caf\xE9\xFF";
    auto const loaded = config::load(env);
    if (!loaded.problems.empty()) continue;  // refused as a value: nothing to print
    std::string out;
    REQUIRE_NOTHROW(out = text::json_text(config::to_json(loaded.config), 2));
    CHECK(text::is_valid_utf8(out));
    CHECK(out.find("caf\xEF\xBF\xBD\xEF\xBF\xBD") != std::string::npos);
    CHECK_NOTHROW(nlohmann::json::parse(out));
  }
}

TEST_CASE("check --json: a server's error message that is not UTF-8 is shown with U+FFFD") {
  checks::Report report;
  report.targets.push_back({"primary", "postgresql://caf\xE9:(hidden)@10.50.0.1:5432/caf\xE9?sslmode=require", "", {}, {}});
  report.stages.push_back({checks::Stage::auth, "primary", checks::Status::fail, 2.0,
                           "expected authentication request from server, but received \xFF\xFE", "hint", ""});
  std::string out;
  REQUIRE_NOTHROW(out = text::json_text(checks::to_json(report), 2));
  auto const parsed = nlohmann::json::parse(out);
  CHECK(parsed["stages"][0]["error"] == "expected authentication request from server, but received \xEF\xBF\xBD\xEF\xBF\xBD");
}

// nlohmann's own dump() throws on invalid UTF-8 (type_error 316), which aborted `config
// --json`; so JSON is written only through text::json_text. This finds a dump(...) that
// slipped back in.
TEST_CASE("no JSON is written without text::json_text") {
  auto const sidecar = std::filesystem::path(WGS_SOURCE_DIR) / "sidecar";
  REQUIRE(std::filesystem::is_directory(sidecar));
  std::regex const direct_dump(R"(\.dump\(\s*(\)|-?[0-9]))");
  std::vector<std::string> offenders;
  for (auto const& entry : std::filesystem::recursive_directory_iterator(sidecar)) {
    if (entry.path().extension() != ".cpp" && entry.path().extension() != ".hpp") continue;
    if (entry.path().parent_path().filename() == "text") continue;
    std::ifstream in(entry.path());
    std::stringstream content;
    content << in.rdbuf();
    auto const code = content.str();
    if (std::regex_search(code, direct_dump)) offenders.push_back(entry.path().string());
  }
  CHECK(offenders.empty());
  for (auto const& offender : offenders) MESSAGE("calls dump() directly: " << offender);
}

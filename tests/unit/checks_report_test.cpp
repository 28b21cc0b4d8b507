// The report's two renderings and the skip-after-fail rule, as `wgsidecar check` prints them.
#include <doctest/doctest.h>

#include "checks/report.hpp"
#include "checks/pg_probe.hpp"
#include "checks/stages.hpp"

using namespace wgs::checks;

namespace {

Report sample() {
  Report report;
  report.targets.push_back({"primary", "postgresql://app:(hidden)@10.50.0.1:5432/contacts?sslmode=require",
                            "10.50.0.1", 1420, 1420, "primary"});
  report.stages = {
      {Stage::handshake, "primary", Status::ok, 0, "", "", "last handshake 3s ago"},
      {Stage::ping, "primary", Status::ok, 12.34, "", "", ""},
      {Stage::tcp, "primary", Status::ok, 20, "", "", ""},
      {Stage::tls, "primary", Status::fail, 5000, "the TLS handshake did not finish within 5s", "MTU black hole", ""},
      {Stage::auth, "primary", Status::ok, 3, "", "", ""},
      {Stage::mtu, "primary", Status::ok, 40, "", "", ""},
  };
  apply_skip_rule(report.stages);
  return report;
}

}  // namespace

TEST_CASE("checks: a stage after a failed one is skipped, independent ones are not") {
  auto const report = sample();
  CHECK(report.stages[4].status == Status::skip);  // auth needs tls
  CHECK(report.stages[4].detail == "tls failed");
  CHECK(report.stages[5].status == Status::ok);    // mtu needs ping only
  CHECK_FALSE(report.ok());
  CHECK(report.exit_code() == 69);

  std::vector<StageResult> stages{{Stage::handshake, "replica", Status::fail, 0, "none", "", ""},
                                  {Stage::ping, "replica", Status::ok, 1, "", "", ""},
                                  {Stage::mtu, "replica", Status::ok, 1, "", "", ""},
                                  {Stage::tcp, "primary", Status::ok, 1, "", "", ""}};
  apply_skip_rule(stages);
  CHECK(stages[1].status == Status::skip);
  CHECK(stages[2].status == Status::skip);  // transitively: mtu → ping → handshake
  CHECK(stages[3].status == Status::ok);    // another target's failure does not count
}

TEST_CASE("checks: only the required stages decide ok_for") {
  auto const report = sample();  // tls failed
  CHECK_FALSE(report.ok_for({"ping", "tcp", "tls", "auth"}));
  CHECK(report.ok_for({"ping", "tcp"}));
  CHECK(report.ok_for({}));
}

TEST_CASE("checks: skipped stages do not fail the report") {
  Report report;
  report.stages = {{Stage::handshake, "primary", Status::skip, 0, "", "", "no tunnel"},
                   {Stage::tcp, "primary", Status::ok, 1, "", "", ""}};
  CHECK(report.ok());
  CHECK(report.exit_code() == 0);
}

TEST_CASE("checks: JSON has exactly the documented shape") {
  auto const json = to_json(sample());
  CHECK(json.at("ok") == false);
  REQUIRE(json.at("targets").size() == 1);
  CHECK(json["targets"][0]["name"] == "primary");
  CHECK(json["targets"][0]["path_mtu"] == 1420);
  REQUIRE(json.at("stages").size() == 6);
  for (auto const& stage : json["stages"]) {
    CHECK(stage.size() == 6);
    for (auto key : {"name", "target", "status", "ms", "error", "hint"}) CHECK(stage.contains(key));
    CHECK(stage["ms"].is_number());
  }
  CHECK(json["stages"][1]["ms"] == 12.3);
  CHECK(json["stages"][3]["status"] == "fail");
  CHECK(json["stages"][3]["hint"] == "MTU black hole");
  CHECK(json["stages"][4]["status"] == "skip");
  CHECK(json["stages"][5]["name"] == "mtu");
}

TEST_CASE("checks: people get one line per stage with marks, times, errors and hints") {
  auto const text = to_text(sample());
  CHECK(text.find("primary: postgresql://app:(hidden)@10.50.0.1:5432/contacts?sslmode=require\n") == 0);
  CHECK(text.find("✓ ping          12.3 ms") != std::string::npos);
  CHECK(text.find("✗ tls         5000.0 ms  the TLS handshake did not finish within 5s\n      hint: MTU black hole\n") !=
        std::string::npos);
  CHECK(text.find("– auth       tls failed\n") != std::string::npos);
  CHECK(text.find("✓ handshake      0.0 ms  last handshake 3s ago") != std::string::npos);
  CHECK(text.find("some checks failed") != std::string::npos);
}

TEST_CASE("checks: the password never reaches an error text") {
  CHECK(scrub("FATAL: password s3cr3t! is wrong; s3cr3t!", "s3cr3t!") == "FATAL: password (hidden) is wrong; (hidden)");
  CHECK(scrub("nothing to hide", "") == "nothing to hide");
  CHECK(scrub("aaaa", "aa") == "(hidden)(hidden)");
  CHECK(clean_message("connection failed: s3cr3t\n\tline two\n", "s3cr3t") == "connection failed: (hidden) line two");
}

TEST_CASE("checks: a required stage skipped after an earlier failure does not pass") {
  Report report;
  report.stages = {{Stage::handshake, "primary", Status::fail, 0, "no handshake", "", ""},
                   {Stage::ping, "primary", Status::skip, 0, "", "", ""},
                   {Stage::tcp, "replica", Status::ok, 1, "", "", ""}};
  CHECK_FALSE(report.ok_for({"ping"}));
  CHECK(report.ok_for({"tcp"}));
  report.stages[0].status = Status::ok;
  report.stages[1].status = Status::skip;  // skipped by design (nothing failed)
  CHECK(report.ok_for({"ping"}));
}

TEST_CASE("checks: the hosts of one database are alternatives, as libpq tries them in turn") {
  Report report;
  report.databases = 1;
  report.targets = {{"primary[1]", "", "h1", std::nullopt, std::nullopt, "primary"},
                    {"primary[2]", "", "h2", std::nullopt, std::nullopt, "primary"}};
  report.stages = {{Stage::tcp, "primary[1]", Status::fail, 1, "refused", "", ""},
                   {Stage::auth, "primary[1]", Status::skip, 0, "", "", ""},
                   {Stage::tcp, "primary[2]", Status::ok, 1, "", "", ""},
                   {Stage::auth, "primary[2]", Status::ok, 1, "", "", ""}};
  CHECK(report.ok());
  CHECK(report.ok_for({"tcp", "auth"}));
  CHECK(report.failures().empty());
  CHECK(report.chosen_hosts() == std::vector<std::string>{"primary[2]"});
  CHECK(to_text(report).find("libpq would use primary[2]") != std::string::npos);
  report.stages[2].status = Status::fail;
  CHECK_FALSE(report.ok());
  CHECK(report.failures().find("primary[1] tcp") != std::string::npos);
}

TEST_CASE("checks: with no database configured, the summary never reads as a database pass") {
  Report report;
  report.targets = {{"tunnel", "", "", std::nullopt, std::nullopt, "tunnel"}};
  report.stages = {{Stage::handshake, "tunnel", Status::ok, 0, "", "", ""},
                   {Stage::tcp, "tunnel", Status::skip, 0, "", "", "no database configured"}};
  auto const text = to_text(report);
  CHECK(text.find("all checks passed") == std::string::npos);
  CHECK(text.find("no database is configured, so none was checked") != std::string::npos);
  CHECK(to_json(report)["databases"] == 0);
}

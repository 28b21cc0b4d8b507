// libFuzzer target: what `check` makes of whatever a server on the database's port sends.
// libpq quotes the server's bytes in its error message (and may pass on a SQLSTATE); from
// there to the report is ours: record_failure (clean_message, classify_pg), pg_stages with
// its hint, the report as JSON and as text. Whatever the bytes: exactly one failed stage,
// with a hint; an error with no control character; JSON in UTF-8 that parses.
//   byte 0: the phase the connection failed in; byte 1: timed out (bit 0), a SQLSTATE from
//   the next 5 bytes (bit 1); the rest: the message.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "checks/pg_failure.hpp"
#include "checks/stages.hpp"
#include "text/json.hpp"
#include "text/utf8.hpp"

using namespace wgs;

namespace {

void require(bool condition) {
  if (!condition) std::abort();
}

bool has_control(std::string_view text) {
  for (unsigned char c : text) {
    if (c < 0x20 || c == 0x7F) return true;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  if (size < 2) return 0;
  std::string_view bytes(reinterpret_cast<char const*>(data), size);
  checks::PgFailure failure;
  failure.phase = static_cast<checks::PgPhase>(data[0] % 4);
  failure.timed_out = (data[1] & 1) != 0;
  bytes.remove_prefix(2);
  if ((data[1] & 2) != 0 && bytes.size() >= 5) {
    failure.sqlstate = std::string(bytes.substr(0, 5));
    bytes.remove_prefix(5);
  }
  failure.message = bytes;
  checks::PgProbeResult so_far;
  so_far.tcp = {checks::Status::ok, 1, "", ""};
  auto const probe = checks::record_failure(so_far, failure, "s3cret");

  checks::HintContext context{"10.50.0.1", 5432, "require", "10.50.0.1", 1420, std::nullopt};
  checks::Report report;
  report.targets.push_back({"primary", "postgresql://u:(hidden)@10.50.0.1:5432/db", "10.50.0.1", {}, {}});
  report.stages = checks::pg_stages("primary", probe, context);
  int failed = 0;
  for (auto const& stage : report.stages) {
    if (stage.status != checks::Status::fail) continue;
    ++failed;
    require(!stage.hint.empty());
    require(!has_control(stage.error));
    require(text::is_valid_utf8(stage.error));
  }
  require(failed == 1);
  auto const json = text::json_text(checks::to_json(report), 2);
  require(text::is_valid_utf8(json));
  require(!nlohmann::json::parse(json, nullptr, false).is_discarded());
  require(text::is_valid_utf8(checks::to_text(report)));
  return 0;
}

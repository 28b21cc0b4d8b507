#pragma once
// What `wgsidecar check` found: one result per stage per target, as JSON for machines and
// as one line per stage for people. Nothing here ever holds a secret: errors are scrubbed
// before they get here and connection strings come from config::redacted_url.
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace wgs::checks {

enum class Status { ok, fail, skip };

// The stages in the order a connection needs them; `mtu` is last because it is advice on
// top of a working path rather than a step of it.
enum class Stage { handshake, ping, tcp, tls, auth, mtu };
inline constexpr Stage all_stages[] = {Stage::handshake, Stage::ping, Stage::tcp,
                                       Stage::tls,       Stage::auth, Stage::mtu};

std::string_view stage_name(Stage stage);
std::optional<Stage> parse_stage(std::string_view name);
std::string_view status_name(Status status);

struct StageResult {
  Stage stage = Stage::handshake;
  std::string target;  // "primary" or "replica"
  Status status = Status::skip;
  double ms = 0;
  std::string error;   // what went wrong (empty when ok); never a secret
  std::string hint;    // the likely cause and the next thing to check (on failure)
  std::string detail;  // shown to people on success too, e.g. "1380 bytes cross"
};

struct TargetInfo {
  std::string name;                     // "primary", "replica"; "primary[2]" for the second host of a
                                        // multi-host URL; "tunnel" when no database is configured
  std::string url;                      // config::redacted_url
  std::string ping_host;                // what ping and mtu sent to
  std::optional<unsigned> path_mtu;     // largest packet that crossed (mtu stage)
  std::optional<unsigned> interface_mtu;
  std::string group = {};               // the database ("primary"); empty: the name. The hosts of one
                                        // database are alternatives, as libpq tries them in turn
};

struct Report {
  std::vector<TargetInfo> targets;
  std::vector<StageResult> stages;  // every stage of every target, targets in order
  std::size_t databases = 0;        // databases configured; 0: only the tunnel was checked

  // No database failed: each has a host with no failed stage (the host libpq settles on),
  // and no tunnel stage failed. Skipped stages do not count against it.
  bool ok() const;
  // The same for the stages named in `required` (SIDECAR_REQUIRE, e.g. {"ping","tcp","tls","auth"}).
  bool ok_for(std::vector<std::string> const& required) const;
  int exit_code() const;  // 0 when ok, 69 (EX_UNAVAILABLE) otherwise
  // "primary tcp: connection refused; replica auth: ..." — the failed stages of the databases
  // that failed, for logs.
  std::string failures() const;
  // Per database with several hosts, the first that passed: where libpq would connect.
  std::vector<std::string> chosen_hosts() const;
};

nlohmann::json to_json(Report const& report);
// One line per stage: "✓ primary tcp        3 ms", failures with their error and hint.
std::string to_text(Report const& report);

// Every occurrence of `secret` in `text` replaced with "(hidden)" (no-op for an empty secret).
std::string scrub(std::string text, std::string_view secret);

}  // namespace wgs::checks

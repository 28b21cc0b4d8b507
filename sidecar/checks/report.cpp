#include "checks/report.hpp"

#include <algorithm>

#include <cmath>
#include <functional>
#include <map>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "util/exit_codes.hpp"

namespace wgs::checks {

std::string_view stage_name(Stage stage) {
  switch (stage) {
    case Stage::handshake: return "handshake";
    case Stage::ping: return "ping";
    case Stage::tcp: return "tcp";
    case Stage::tls: return "tls";
    case Stage::auth: return "auth";
    case Stage::mtu: return "mtu";
  }
  return "?";
}

std::optional<Stage> parse_stage(std::string_view name) {
  for (auto stage : all_stages) {
    if (stage_name(stage) == name) return stage;
  }
  return std::nullopt;
}

std::string_view status_name(Status status) {
  switch (status) {
    case Status::ok: return "ok";
    case Status::fail: return "fail";
    case Status::skip: return "skip";
  }
  return "?";
}

namespace {

std::string group_of(Report const& report, std::string const& target) {
  for (auto const& info : report.targets) {
    if (info.name == target) return info.group.empty() ? info.name : info.group;
  }
  return target;
}

bool has_failure(Report const& report, std::string const& target) {
  return std::any_of(report.stages.begin(), report.stages.end(),
                     [&](auto const& s) { return s.target == target && s.status == Status::fail; });
}

// A required stage that failed, or was skipped because an earlier one failed (a stage
// skipped by design, like tls under sslmode=disable, leaves nothing failed).
bool passes_required(Report const& report, std::string const& target, std::vector<std::string> const& required) {
  bool const failed = has_failure(report, target);
  return std::none_of(report.stages.begin(), report.stages.end(), [&](auto const& stage) {
    bool const is_required = std::find(required.begin(), required.end(), stage_name(stage.stage)) != required.end();
    return stage.target == target && is_required && stage.status != Status::ok &&
           (stage.status == Status::fail || failed);
  });
}

// Which groups (databases) have a target that passes: libpq settles on the first host that works.
std::map<std::string, bool> groups_passing(Report const& report, std::function<bool(std::string const&)> const& passes) {
  std::map<std::string, bool> groups;
  for (auto const& stage : report.stages) {
    auto& passing = groups[group_of(report, stage.target)];
    passing = passing || passes(stage.target);
  }
  return groups;
}

bool all_pass(std::map<std::string, bool> const& groups) {
  return std::all_of(groups.begin(), groups.end(), [](auto const& group) { return group.second; });
}

}  // namespace

bool Report::ok() const {
  return all_pass(groups_passing(*this, [this](auto const& target) { return !has_failure(*this, target); }));
}

bool Report::ok_for(std::vector<std::string> const& required) const {
  return all_pass(groups_passing(*this, [&](auto const& target) { return passes_required(*this, target, required); }));
}

std::string Report::failures() const {
  auto const passing = groups_passing(*this, [this](auto const& target) { return !has_failure(*this, target); });
  std::string out;
  for (auto const& stage : stages) {
    if (stage.status != Status::fail || passing.at(group_of(*this, stage.target))) continue;
    out += fmt::format("{}{} {}: {}", out.empty() ? "" : "; ", stage.target, stage_name(stage.stage), stage.error);
  }
  return out;
}

std::vector<std::string> Report::chosen_hosts() const {
  std::vector<std::string> out;
  std::set<std::string> groups_done;
  for (auto const& info : targets) {
    if (info.group.empty() || info.group == info.name || groups_done.contains(info.group)) continue;
    if (!has_failure(*this, info.name)) {
      out.push_back(info.name);
      groups_done.insert(info.group);
    }
  }
  return out;
}

int Report::exit_code() const { return ok() ? exit_code::ok : exit_code::unavailable; }

namespace {

using nlohmann::json;

// Milliseconds with one decimal: enough to compare runs, short enough to read.
double rounded_ms(double ms) { return std::round(ms * 10.0) / 10.0; }

json target_json(TargetInfo const& target) {
  return {{"name", target.name},
          {"group", target.group.empty() ? target.name : target.group},
          {"url", target.url},
          {"ping_host", target.ping_host},
          {"path_mtu", target.path_mtu ? json(*target.path_mtu) : json(nullptr)},
          {"interface_mtu", target.interface_mtu ? json(*target.interface_mtu) : json(nullptr)}};
}

json stage_json(StageResult const& stage) {
  return {{"name", stage_name(stage.stage)}, {"target", stage.target}, {"status", status_name(stage.status)},
          {"ms", rounded_ms(stage.ms)},      {"error", stage.error},   {"hint", stage.hint}};
}

std::string_view mark(Status status) {
  switch (status) {
    case Status::ok: return "✓";
    case Status::fail: return "✗";
    case Status::skip: return "–";
  }
  return "?";
}

std::string stage_line(StageResult const& stage) {
  auto line = fmt::format("  {} {:<9}", mark(stage.status), stage_name(stage.stage));
  if (stage.status != Status::skip) line += fmt::format(" {:>8.1f} ms", stage.ms);
  if (!stage.detail.empty()) line += fmt::format("  {}", stage.detail);
  if (!stage.error.empty()) line += fmt::format("  {}", stage.error);
  line += '\n';
  if (stage.status == Status::fail && !stage.hint.empty()) line += fmt::format("      hint: {}\n", stage.hint);
  return line;
}

// The last line: never a database pass when no database was checked.
std::string summary(Report const& report) {
  if (report.databases == 0) {
    return fmt::format("{}; no database is configured, so none was checked (set DATABASE_URL, DB_HOST or PGHOST)",
                       report.ok() ? "the tunnel checks passed" : "some checks failed");
  }
  if (!report.ok()) return "some checks failed";
  auto const chosen = report.chosen_hosts();
  bool const clean = std::none_of(report.stages.begin(), report.stages.end(),
                                  [](auto const& s) { return s.status == Status::fail; });
  if (clean) return "all checks passed";
  return fmt::format("the databases pass: libpq would use {}; the hosts marked ✗ failed", fmt::join(chosen, ", "));
}

}  // namespace

json to_json(Report const& report) {
  json targets = json::array();
  for (auto const& target : report.targets) targets.push_back(target_json(target));
  json stages = json::array();
  for (auto const& stage : report.stages) stages.push_back(stage_json(stage));
  return {{"ok", report.ok()}, {"databases", report.databases}, {"targets", targets}, {"stages", stages}};
}

std::string to_text(Report const& report) {
  std::string out;
  for (auto const& target : report.targets) {
    out += fmt::format("{}: {}\n", target.name, target.url);
    for (auto const& stage : report.stages) {
      if (stage.target == target.name) out += stage_line(stage);
    }
  }
  return out + summary(report) + "\n";
}

std::string scrub(std::string text, std::string_view secret) {
  if (secret.empty()) return text;
  for (auto at = text.find(secret); at != std::string::npos; at = text.find(secret, at)) {
    text.replace(at, secret.size(), "(hidden)");
    at += 8;
  }
  return text;
}

}  // namespace wgs::checks

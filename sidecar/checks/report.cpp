#include "checks/report.hpp"

#include <algorithm>

#include <cmath>

#include <fmt/format.h>

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

bool Report::ok() const {
  for (auto const& stage : stages) {
    if (stage.status == Status::fail) return false;
  }
  return true;
}

bool Report::ok_for(std::vector<std::string> const& required) const {
  auto const target_failed = [&](std::string const& target) {
    return std::any_of(stages.begin(), stages.end(),
                       [&](auto const& s) { return s.target == target && s.status == Status::fail; });
  };
  for (auto const& stage : stages) {
    bool const is_required = std::find(required.begin(), required.end(), stage_name(stage.stage)) != required.end();
    if (!is_required || stage.status == Status::ok) continue;
    // A required stage that failed, or was skipped because an earlier one failed (a stage
    // skipped by design, like tls under sslmode=disable, leaves nothing failed).
    if (stage.status == Status::fail || target_failed(stage.target)) return false;
  }
  return true;
}

std::string Report::failures() const {
  std::string out;
  for (auto const& stage : stages) {
    if (stage.status != Status::fail) continue;
    out += fmt::format("{}{} {}: {}", out.empty() ? "" : "; ", stage.target, stage_name(stage.stage), stage.error);
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

}  // namespace

json to_json(Report const& report) {
  json targets = json::array();
  for (auto const& target : report.targets) targets.push_back(target_json(target));
  json stages = json::array();
  for (auto const& stage : report.stages) stages.push_back(stage_json(stage));
  return {{"ok", report.ok()}, {"targets", targets}, {"stages", stages}};
}

std::string to_text(Report const& report) {
  std::string out;
  for (auto const& target : report.targets) {
    out += fmt::format("{}: {}\n", target.name, target.url);
    for (auto const& stage : report.stages) {
      if (stage.target == target.name) out += stage_line(stage);
    }
  }
  out += report.ok() ? "all checks passed\n" : "some checks failed\n";
  return out;
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

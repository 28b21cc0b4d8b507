#include "checks/stages.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace wgs::checks {
namespace {

StageResult failed(Stage stage, std::string const& target, double ms, std::string error, Failure failure,
                   HintContext const& context) {
  return {stage, target, Status::fail, ms, std::move(error), hint(failure, context), ""};
}

StageResult from_pg(Stage stage, std::string const& target, PgStage const& pg) {
  return {stage, target, pg.status, pg.ms, pg.error, "", pg.detail};
}

}  // namespace

StageResult skipped(Stage stage, std::string const& target, std::string detail) {
  return {stage, target, Status::skip, 0, "", "", std::move(detail)};
}

StageResult handshake_stage(std::string const& target, std::optional<std::optional<SystemTime>> handshake,
                            SystemTime now, Duration stale_after, HintContext const& context) {
  if (!handshake) return skipped(Stage::handshake, target, "no tunnel to ask");
  if (!*handshake) return failed(Stage::handshake, target, 0, "no handshake with the peer yet", Failure::no_handshake, context);
  auto const age = std::chrono::duration_cast<Duration>(now - **handshake);
  auto const shown = format_duration(std::chrono::duration_cast<std::chrono::seconds>(std::max(age, Duration(0))));
  if (age > stale_after) {
    return failed(Stage::handshake, target, 0,
                  fmt::format("the last handshake was {} ago (stale after {})", shown, format_duration(stale_after)),
                  Failure::stale_handshake, context);
  }
  return {Stage::handshake, target, Status::ok, 0, "", "", fmt::format("last handshake {} ago", shown)};
}

StageResult no_tunnel_stage(std::string const& target, std::string why, HintContext const& context) {
  return failed(Stage::handshake, target, 0, std::move(why), Failure::no_tunnel, context);
}

StageResult ping_stage(std::string const& target, PingOutcome const& outcome, HintContext const& context) {
  if (outcome.replied) {
    return {Stage::ping, target, Status::ok, outcome.ms, "", "", fmt::format("{} answers", context.ping_host)};
  }
  return failed(Stage::ping, target, outcome.ms, outcome.error,
                outcome.send_failed ? Failure::ping_error : Failure::ping_lost, context);
}

StageResult mtu_stage(std::string const& target, MtuOutcome const& outcome, HintContext const& context) {
  if (!outcome.largest) {
    return failed(Stage::mtu, target, outcome.ms, outcome.error, Failure::mtu_nothing_crossed, context);
  }
  auto const interface_mtu = context.interface_mtu.value_or(*outcome.largest);
  if (*outcome.largest < interface_mtu) {
    HintContext with_path = context;
    with_path.path_mtu = outcome.largest;
    return failed(Stage::mtu, target, outcome.ms,
                  fmt::format("packets of {} bytes (the interface MTU) do not cross; the largest that does is {}",
                              interface_mtu, *outcome.largest),
                  Failure::mtu_black_hole, with_path);
  }
  return {Stage::mtu, target, Status::ok, outcome.ms, "", "",
          fmt::format("{} bytes cross (the interface MTU)", *outcome.largest)};
}

std::vector<StageResult> pg_stages(std::string const& target, PgProbeResult const& probe, HintContext const& context) {
  std::vector<StageResult> out{from_pg(Stage::tcp, target, probe.tcp), from_pg(Stage::tls, target, probe.tls),
                               from_pg(Stage::auth, target, probe.auth)};
  if (!probe.failure) return out;
  auto with_certificate = context;
  if (probe.failure->failure == Failure::tls_hostname) with_certificate.certificate_name = certificate_name(probe.tls.error);
  for (auto& stage : out) {
    if (stage.stage == probe.failure->stage) stage.hint = hint(probe.failure->failure, with_certificate);
  }
  return out;
}

std::optional<Stage> prerequisite(Stage stage) {
  switch (stage) {
    case Stage::handshake: return std::nullopt;
    case Stage::ping:
    case Stage::tcp: return Stage::handshake;
    case Stage::tls: return Stage::tcp;
    case Stage::auth: return Stage::tls;
    case Stage::mtu: return Stage::ping;
  }
  return std::nullopt;
}

void apply_skip_rule(std::vector<StageResult>& stages) {
  auto failed_ancestor = [&](StageResult const& stage) -> std::optional<Stage> {
    for (auto need = prerequisite(stage.stage); need; need = prerequisite(*need)) {
      for (auto const& other : stages) {
        if (other.target == stage.target && other.stage == *need && other.status == Status::fail) return need;
      }
    }
    return std::nullopt;
  };
  std::vector<std::optional<Stage>> blocked;
  for (auto const& stage : stages) blocked.push_back(failed_ancestor(stage));
  for (std::size_t i = 0; i < stages.size(); ++i) {
    if (blocked[i]) stages[i] = skipped(stages[i].stage, stages[i].target, fmt::format("{} failed", stage_name(*blocked[i])));
  }
}

}  // namespace wgs::checks

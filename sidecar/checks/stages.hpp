#pragma once
// Pure functions from what each probe saw to the StageResults of the report, hints
// included, and the rule that a stage whose prerequisite failed is skipped. No I/O here,
// so every branch is unit-tested.
#include <chrono>
#include <optional>
#include <vector>

#include "checks/hints.hpp"
#include "checks/icmp.hpp"
#include "checks/pg_probe.hpp"
#include "checks/report.hpp"

namespace wgs::checks {

using SystemTime = std::chrono::system_clock::time_point;

// `handshake` is the reader's answer; nullopt reader = no tunnel to ask (skip).
StageResult handshake_stage(std::string const& target, std::optional<std::optional<SystemTime>> handshake,
                            SystemTime now, Duration stale_after, HintContext const& context);
// No interface to ask (`check` before `up`): the first cause, before keys or UDP.
StageResult no_tunnel_stage(std::string const& target, std::string why, HintContext const& context);
StageResult ping_stage(std::string const& target, PingOutcome const& outcome, HintContext const& context);
StageResult mtu_stage(std::string const& target, MtuOutcome const& outcome, HintContext const& context);
// tcp, tls and auth from one libpq connection.
std::vector<StageResult> pg_stages(std::string const& target, PgProbeResult const& probe, HintContext const& context);
StageResult skipped(Stage stage, std::string const& target, std::string detail);

// The stage each one needs: ping and tcp need the handshake, tls needs tcp, auth needs
// tls, mtu needs ping.
std::optional<Stage> prerequisite(Stage stage);
// Marks every stage whose prerequisite (directly or further up) failed as skipped.
void apply_skip_rule(std::vector<StageResult>& stages);

}  // namespace wgs::checks

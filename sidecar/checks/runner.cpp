#include "checks/runner.hpp"

#include <boost/asio/io_context.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "checks/stages.hpp"
#include "config/describe.hpp"
#include "dns/resolve.hpp"
#include "log/log.hpp"

namespace wgs::checks {
namespace {

// One target's stages as they complete; `run` turns them into the report. A target is one
// host of a database (one in the usual case), or the tunnel alone when no database is set.
struct TargetRun {
  config::Database const* database = nullptr;  // null: no database configured
  config::DatabaseHost host;                   // hostaddr filled in once a name is resolved
  TargetInfo info;
  HintContext context;
  std::vector<StageResult> stages;  // in all_stages order once complete
  std::optional<StageResult> handshake, ping, mtu;
  bool awaits_first_handshake = false;  // the tunnel has had none yet: judged after the probes
  std::vector<StageResult> pg;
};

bool wanted(CheckInputs const& inputs, Stage stage) { return inputs.stages.count(stage) != 0; }

// A tunnel brought up a moment ago has had no handshake yet, and the probes' own packets
// start one: such a target is probed anyway and its handshake judged again afterwards,
// instead of failing before anything was sent. A stale handshake fails at once.
void judge_handshake(TargetRun& run, CheckInputs const& inputs) {
  if (!inputs.tunnel_missing.empty() && wanted(inputs, Stage::handshake)) {
    return void(run.handshake = no_tunnel_stage(run.database->target, inputs.tunnel_missing, run.context));
  }
  std::optional<std::optional<SystemTime>> seen;
  if (inputs.last_handshake && wanted(inputs, Stage::handshake)) seen = inputs.last_handshake();
  run.awaits_first_handshake = seen && !*seen;
  run.handshake = handshake_stage(run.info.name, seen, inputs.now(), inputs.stale_after, run.context);
  if (!wanted(inputs, Stage::handshake)) run.handshake->detail = "not selected";
}

void start_mtu(boost::asio::io_context& io, TargetRun& run, net::IpAddress ip, CheckInputs const& inputs) {
  if (!wanted(inputs, Stage::mtu)) return void(run.mtu = skipped(Stage::mtu, run.info.name, "not selected"));
  if (!inputs.interface_mtu) return void(run.mtu = skipped(Stage::mtu, run.info.name, "interface MTU unknown"));
  MtuProbeSettings settings{*inputs.interface_mtu, inputs.mtu_probe_timeout, inputs.stage_timeout, 16, inputs.icmp_socket};
  async_probe_mtu(io, ip, settings, [&run](MtuOutcome outcome) {
    run.info.path_mtu = outcome.largest;
    run.mtu = mtu_stage(run.info.name, outcome, run.context);
  });
}

// ping, then (when it answered) the MTU probe, on the same host.
void start_icmp(boost::asio::io_context& io, TargetRun& run, CheckInputs const& inputs) {
  if (run.info.ping_host.empty()) {
    run.ping = skipped(Stage::ping, run.info.name, "no host to ping: set SIDECAR_PING_HOST (the hub's tunnel address)");
    run.mtu = skipped(Stage::mtu, run.info.name, "no host to probe");
    return;
  }
  auto ip = dns::first_address(run.info.ping_host, inputs.stage_timeout);
  if (!ip) {
    run.ping = StageResult{Stage::ping, run.info.name, Status::fail, 0, ip.error().message,
                           hint(Failure::ping_error, run.context), ""};
    return;
  }
  if (!wanted(inputs, Stage::ping)) {
    run.ping = skipped(Stage::ping, run.info.name, "not selected");
    return start_mtu(io, run, *ip, inputs);
  }
  async_ping(io, *ip, inputs.stage_timeout, inputs.icmp_socket, [&io, &run, ip = *ip, &inputs](PingOutcome outcome) {
    run.ping = ping_stage(run.info.name, outcome, run.context);
    if (outcome.replied) start_mtu(io, run, ip, inputs);
  });
}

// A name with no hostaddr is resolved here (bounded by the stage timeout), and libpq given
// the address: `host` stays the name, for verify-full. False when it does not resolve.
bool resolve_host(TargetRun& run, CheckInputs const& inputs) {
  if (run.host.hostaddr || net::IpAddress::parse(run.host.host)) return true;
  auto ip = dns::first_address(run.host.host, inputs.stage_timeout);
  if (ip) {
    run.host.hostaddr = ip->to_string();
    return true;
  }
  auto const variable = run.database->source == "DB_*" ? "DB_HOST" : run.database->source == "PG*" ? "PGHOST" : "the host";
  run.pg = {StageResult{Stage::tcp, run.info.name, Status::fail, 0, ip.error().message,
                        fmt::format("check {}: the name does not resolve (to dial the hub's address and keep the name "
                                    "for TLS, give libpq's hostaddr too)",
                                    variable),
                        ""}};
  return false;
}

void start_pg(boost::asio::io_context& io, TargetRun& run, CheckInputs const& inputs) {
  bool const any = wanted(inputs, Stage::tcp) || wanted(inputs, Stage::tls) || wanted(inputs, Stage::auth);
  if (!any) return;
  if (run.database == nullptr) {
    for (auto stage : {Stage::tcp, Stage::tls, Stage::auth}) run.pg.push_back(skipped(stage, run.info.name, "no database configured"));
    return;
  }
  if (!resolve_host(run, inputs)) return;
  PgProbeSettings settings{run.database, run.host, inputs.stage_timeout, Stage::auth};
  if (!wanted(inputs, Stage::auth)) settings.last_stage = wanted(inputs, Stage::tls) ? Stage::tls : Stage::tcp;
  async_pg_probe(io, settings, [&run](PgProbeResult result) {
    log::debug("check {}: libpq went {}", run.info.name, fmt::join(result.transitions, " → "));
    run.pg = pg_stages(run.info.name, result, run.context);
  });
}

TargetRun prepare(config::Database const& db, std::size_t index, CheckInputs const& inputs) {
  TargetRun run;
  run.database = &db;
  run.host = db.hosts[index];
  auto const name = db.hosts.size() == 1 ? db.target : fmt::format("{}[{}]", db.target, index + 1);
  auto const ping_host = inputs.ping_host.value_or(run.host.dialled());
  run.info = {name, config::redacted_url(db, index), ping_host, std::nullopt, inputs.interface_mtu, db.target};
  run.context = {run.host.host,    run.host.port,         db.sslmode, ping_host, inputs.interface_mtu, std::nullopt,
                 db.source,        run.host.hostaddr,     std::nullopt, db.target_session_attrs};
  judge_handshake(run, inputs);
  return run;
}

// No database configured: the tunnel's stages still run, on SIDECAR_PING_HOST if there is one.
TargetRun tunnel_only(CheckInputs const& inputs) {
  TargetRun run;
  auto const ping_host = inputs.ping_host.value_or("");
  run.info = {"tunnel", "", ping_host, std::nullopt, inputs.interface_mtu, "tunnel"};
  run.context = {"", 0, "", ping_host, inputs.interface_mtu, std::nullopt, "", std::nullopt, std::nullopt, "any"};
  judge_handshake(run, inputs);
  return run;
}

// Every stage in all_stages order; any the probes did not reach is skipped, and selection
// applies last so an unselected stage never reports a result.
std::vector<StageResult> collect(TargetRun const& run, CheckInputs const& inputs) {
  std::vector<StageResult> out;
  for (auto stage : all_stages) {
    std::optional<StageResult> found;
    if (stage == Stage::handshake) found = run.handshake;
    if (stage == Stage::ping) found = run.ping;
    if (stage == Stage::mtu) found = run.mtu;
    for (auto const& pg : run.pg) {
      if (pg.stage == stage) found = pg;
    }
    if (!wanted(inputs, stage)) found = skipped(stage, run.info.name, "not selected");
    out.push_back(found.value_or(skipped(stage, run.info.name, "")));
  }
  return out;
}

std::vector<TargetRun> prepare_all(config::Config const& config, CheckInputs const& inputs) {
  std::vector<TargetRun> runs;
  for (auto const& db : config.databases) {
    for (std::size_t i = 0; i < db.hosts.size(); ++i) runs.push_back(prepare(db, i, inputs));
  }
  if (config.databases.empty()) runs.push_back(tunnel_only(inputs));
  return runs;
}

}  // namespace

CheckInputs inputs_from(config::Config const& config) {
  CheckInputs inputs;
  if (!config.checks.ping_host.empty()) inputs.ping_host = config.checks.ping_host;
  inputs.stage_timeout = config.checks.stage_timeout;
  return inputs;
}

Report prove_path(config::Config const& config, CheckInputs const& inputs) {
  boost::asio::io_context io;
  return prove_path(config, inputs, io);
}

Report prove_path(config::Config const& config, CheckInputs const& inputs, boost::asio::io_context& io) {
  auto runs = prepare_all(config, inputs);  // not resized after this: the handlers hold references
  io.restart();  // after the previous check's run() ran out of work
  for (auto& target : runs) {
    bool const hopeless = target.handshake->status == Status::fail && !target.awaits_first_handshake;
    if (hopeless) continue;  // everything after it is skipped
    start_icmp(io, target, inputs);
    start_pg(io, target, inputs);
  }
  io.run();  // every probe ends by its own deadline
  for (auto& target : runs) {
    if (target.awaits_first_handshake) judge_handshake(target, inputs);
  }
  Report report;
  report.databases = config.databases.size();
  for (auto const& target : runs) {
    report.targets.push_back(target.info);
    for (auto& stage : collect(target, inputs)) report.stages.push_back(std::move(stage));
  }
  apply_skip_rule(report.stages);
  return report;
}

}  // namespace wgs::checks

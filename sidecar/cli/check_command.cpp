// check [--json]: the path to the database, stage by stage, against the tunnel that is up.
#include <cstdio>

#include <fmt/ranges.h>

#include "checks/runner.hpp"
#include "cli/cli.hpp"
#include "netlink/rtnl.hpp"
#include "text/json.hpp"
#include "tunnel/tunnel.hpp"
#include "util/exit_codes.hpp"

namespace wgs::cli {
namespace {

// The tunnel's part of the inputs: its handshake and MTU. Without a tunnel the handshake
// stage fails first and says the tunnel is not up, rather than blaming keys or UDP.
void add_tunnel_inputs(config::WireGuard const& wireguard, std::shared_ptr<wireguard::Backend> backend,
                       checks::CheckInputs& inputs) {
  inputs.last_handshake = [backend]() -> std::optional<std::chrono::system_clock::time_point> {
    auto state = backend->read();
    if (!state || state->peers.empty()) return std::nullopt;
    return state->peers.front().last_handshake;
  };
  auto socket = netlink::rtnl::open();
  if (!socket) return;
  auto link = netlink::rtnl::get_link(*socket, wireguard.interface.name);
  if (link && *link) inputs.interface_mtu = (*link)->mtu;
}

checks::Report run_checks(config::Config const& config) {
  auto inputs = checks::inputs_from(config);
  auto backend = tunnel::attach(config.wireguard);
  if (backend) {
    add_tunnel_inputs(config.wireguard, std::shared_ptr<wireguard::Backend>(std::move(*backend)), inputs);
  } else {
    inputs.tunnel_missing = backend.error().message;
  }
  return checks::prove_path(config, inputs);
}

}  // namespace

void log_database_notes(config::Config const& config) {
  for (auto const& db : config.databases) {
    if (!db.ignored.empty()) log::info("{}: the checks ignore {}", db.source, fmt::join(db.ignored, ", "));
  }
  if (config.databases.empty()) {
    log::warn("no database is configured (DATABASE_URL, DB_HOST or PGHOST): only the tunnel is checked");
  }
}

int check_command(Invocation const& invocation) {
  if (!only_flags(invocation, {"--json"})) return exit_code::usage;
  auto const config = load_config(invocation);
  if (!config) return exit_code::config;
  log_database_notes(*config);
  auto const report = run_checks(*config);
  if (has_flag(invocation, "--json")) {
    std::puts(text::json_text(checks::to_json(report), 2).c_str());
  } else {
    std::fputs(checks::to_text(report).c_str(), stdout);
  }
  return report.exit_code();
}

}  // namespace wgs::cli

// config [--json] and hub-peer: what wgsidecar understood, and what the hub needs.
#include <cstdio>

#include "cli/cli.hpp"
#include "config/describe.hpp"
#include "text/json.hpp"
#include "util/exit_codes.hpp"

namespace wgs::cli {

int config_command(Invocation const& invocation) {
  if (!only_flags(invocation, {"--json"})) return exit_code::usage;
  auto const config = load_config(invocation);
  if (!config) return exit_code::config;
  if (has_flag(invocation, "--json")) {
    std::puts(text::json_text(config::to_json(*config), 2).c_str());
  } else {
    std::fputs(config::to_text(*config).c_str(), stdout);
  }
  return exit_code::ok;
}

int hub_peer_command(Invocation const& invocation) {
  if (!only_flags(invocation, {})) return exit_code::usage;
  auto const config = load_config(invocation);
  if (!config) return exit_code::config;
  if (config->enrollment.token) {
    std::fputs("wgsidecar hub-peer: with SIDECAR_ENROLL_TOKEN each machine enrolls with the hub for a key and an "
               "address of its own; the hub needs no [Peer] stanza (it trusts the token's public line in HUB_TRUST)\n",
               stderr);
    return exit_code::config;
  }
  std::fputs(config::hub_peer_stanza(*config).c_str(), stdout);
  return exit_code::ok;
}

}  // namespace wgs::cli

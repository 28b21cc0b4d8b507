// wgsidecar: the ENTRYPOINT that brings a WireGuard tunnel up, proves the path to the
// database, runs the app and keeps the tunnel alive. This file is the table of contents:
// every command, what it does, and where it lives (cli/<name>_command.cpp and the module it
// calls). Exit codes are util/exit_codes.hpp; the configuration is config/config.hpp.
#include "cli/cli.hpp"
#include "util/exit_codes.hpp"

namespace {

using namespace wgs::cli;

constexpr Command commands[] = {
    // The ENTRYPOINT: tunnel up, gating checks until they pass, then the app, supervised
    // (signals, reaping, the monitor that heals the tunnel, health endpoints). supervise/
    {"run", run_command, "run [--exec] -- CMD [ARGS]", "tunnel up, checks, then run CMD and keep the tunnel alive"},
    // The tunnel alone, as wg-quick up/down; `status` as `wg show`. tunnel/, wireguard/
    {"up", up_command, "up [--wait DURATION]", "bring the tunnel up (and wait for the first handshake)"},
    {"down", down_command, "down", "take the tunnel down; succeeds when nothing is there"},
    {"status", status_command, "status [--json]", "the tunnel as `wg show` sees it, plus backend and MTU"},
    // Diagnosis: handshake, ping, tcp, tls, auth, mtu, each with a hint on failure. checks/
    {"check", check_command, "check [--json]", "prove the path to PostgreSQL: handshake, ping, tcp, tls, auth, mtu"},
    // The configuration as wgsidecar reads it, and what the hub needs to know. config/
    {"config", config_command, "config [--json]", "print the effective configuration, secrets hidden"},
    {"hub-peer", hub_peer_command, "hub-peer", "print the [Peer] stanza the hub needs for this edge"},
    // The hub's side of a fleet: its WireGuard interface, each machine enrolled with a key
    // and an address of its own, silent machines pruned; `hub token` makes an enrollment
    // token, `hub status` asks the running hub. hub/, enroll/
    {"hub", hub_command, "hub [token | status [--json]]", "run the hub that enrolls every machine of a fleet"},
    // Keys, as `wg genkey`, `wg genpsk`, `wg pubkey`. keys/
    {"genkey", genkey_command, "genkey", "print a new private key (as `wg genkey`)"},
    {"genpsk", genpsk_command, "genpsk", "print a new preshared key (as `wg genpsk`)"},
    {"pubkey", pubkey_command, "pubkey < private.key", "print the public key of a private key (as `wg pubkey`)"},
    {"version", version_command, "version", "print the version"},
    {"help", help_command, "help", "show this help"},
};

}  // namespace

int main(int argc, char** argv) {
  // --config FILE, --help and --version before the command; `wgsidecar /app/x` means `run`.
  auto const invocation = parse_command_line(argc, argv, commands);
  if (!invocation) return wgs::exit_code::usage;
  return invocation->command->action(*invocation);
}

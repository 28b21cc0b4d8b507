// wgsidecar: the ENTRYPOINT that brings a WireGuard tunnel up, proves the path to the
// database, runs the app and keeps the tunnel alive. This file is the table of contents:
// every command, what it does, and where it lives (cli/<name>_command.cpp and the module it
// calls). Exit codes are util/exit_codes.hpp; the configuration is config/config.hpp.
#include "cli/cli.hpp"
#include "process/undumpable.hpp"
#include "util/exit_codes.hpp"

namespace {

using namespace wgs::cli;

constexpr std::string_view json_option = "  --json                   print it as JSON\n";

constexpr Command commands[] = {
    // The ENTRYPOINT: tunnel up, gating checks until they pass, then the app, supervised
    // (signals, reaping, the monitor that heals the tunnel, health endpoints). supervise/
    {"run", run_command, "run [--exec] [--] CMD [ARGS]", "tunnel up, checks, then run CMD and keep the tunnel alive",
     "  --exec                   replace wgsidecar with CMD once the checks pass (nothing watches the\n"
     "                           tunnel afterwards)\n"
     "  --                       the end of run's options: the rest is CMD and its arguments\n",
     true},
    // The tunnel alone, as wg-quick up/down; `status` as `wg show`. tunnel/, wireguard/
    {"up", up_command, "up [--wait DURATION]", "bring the tunnel up (and wait for the first handshake)",
     "  --wait DURATION          also wait this long for the first handshake with the hub, e.g. 10s\n"},
    {"down", down_command, "down", "take the tunnel down; succeeds when nothing is there", ""},
    {"status", status_command, "status [--json]", "the tunnel as `wg show` sees it, plus backend and MTU", json_option},
    // Diagnosis: handshake, ping, tcp, tls, auth, mtu, each with a hint on failure. checks/
    {"check", check_command, "check [--json]", "prove the path to PostgreSQL: handshake, ping, tcp, tls, auth, mtu",
     json_option},
    // What the running supervisor's health endpoint says: the image's HEALTHCHECK. health/
    {"probe", probe_command, "probe [--live] [--timeout DURATION]",
     "ask the running `wgsidecar run` whether it is ready, over SIDECAR_HEALTH_ADDR",
     "  --live                   ask /healthz (the supervisor runs) instead of /readyz (the path works)\n"
     "  --timeout DURATION       give up after this long (default 3s)\n"
     "\nExit codes: 0 ready (alive), 69 not ready or nothing answers, 78 SIDECAR_HEALTH_ADDR unset or invalid.\n"},
    // The configuration as wgsidecar reads it, and what the hub needs to know. config/
    {"config", config_command, "config [--json]", "print the effective configuration, secrets hidden", json_option},
    {"hub-peer", hub_peer_command, "hub-peer", "print the [Peer] stanza the hub needs for this edge", ""},
    // The hub's side of a fleet: its WireGuard interface, each machine enrolled with a key
    // and an address of its own, silent machines pruned; `hub token` makes an enrollment
    // token, `hub status` asks the running hub. hub/, enroll/
    {"hub", hub_command, "hub [token | status [--json]]", "run the hub that enrolls every machine of a fleet",
     "  token                    print a new enrollment token: SIDECAR_ENROLL_TOKEN for the machines, and\n"
     "                           the HUB_TRUST line the hub trusts it by\n"
     "  status [--json]          what the running hub says: its peers, leases and counters\n"
     "  --json                   with status: the same as JSON\n"},
    // Keys, as `wg genkey`, `wg genpsk`, `wg pubkey`. keys/
    {"genkey", genkey_command, "genkey", "print a new private key (as `wg genkey`)", ""},
    {"genpsk", genpsk_command, "genpsk", "print a new preshared key (as `wg genpsk`)", ""},
    {"pubkey", pubkey_command, "pubkey < private.key", "print the public key of a private key (as `wg pubkey`)", ""},
    {"version", version_command, "version", "print the version", ""},
    {"help", help_command, "help [COMMAND]", "show this help, or a command's options", ""},
};

}  // namespace

int main(int argc, char** argv) {
  // Before anything reads a secret: no core dumps, no /proc/<pid>/mem for others.
  wgs::process::become_undumpable();
  // --config FILE, --help and --version before the command; `wgsidecar /app/x` means `run`.
  auto const invocation = parse_command_line(argc, argv, commands);
  if (!invocation) return wgs::exit_code::usage;
  return invocation->command->action(*invocation);
}

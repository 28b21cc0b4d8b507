// up [--wait DURATION], down, status [--json].
#include <cstdio>

#include "cli/cli.hpp"
#include "enroll/identity.hpp"
#include "log/log.hpp"
#include "netlink/rtnl.hpp"
#include "text/json.hpp"
#include "tunnel/mtu_probe.hpp"
#include "tunnel/status_report.hpp"
#include "tunnel/tunnel.hpp"
#include "util/exit_codes.hpp"

namespace wgs::cli {
namespace {

Result<tunnel::StatusInput> gather_status(config::WireGuard const& wireguard) {
  auto backend = tunnel::attach(wireguard);
  if (!backend) return backend.error();
  auto device = (*backend)->read();
  if (!device) return device.error();
  auto socket = netlink::rtnl::open();
  if (!socket) return socket.error();
  auto link = netlink::rtnl::get_link(*socket, wireguard.interface.name);
  if (!link) return link.error();
  if (!*link) return make_error(fmt::format("interface {} does not exist", wireguard.interface.name));
  auto addresses = netlink::rtnl::list_addresses(*socket, (*link)->index);
  if (!addresses) return addresses.error();
  return tunnel::StatusInput{wireguard.interface.name, std::string((*backend)->name()), **link, *addresses,
                             std::move(*device), std::chrono::system_clock::now()};
}

}  // namespace

int up_command(Invocation const& invocation) {
  if (!only_flags(invocation, {}, {"--wait"})) return exit_code::usage;
  auto const wait = duration_option(invocation, "--wait");
  if (wait && !*wait) {
    std::fprintf(stderr, "wgsidecar up: %s\n", wait->error().message.c_str());
    return exit_code::usage;
  }
  auto const config = load_config(invocation);
  if (!config) return exit_code::config;
  // An enrolled `up` leaves nothing behind but the device: the machine key lives in it alone,
  // and the hub forgets the machine after its expiry once the device is gone.
  auto const edge = enroll::Edge::from(*config);
  auto identity = enroll::settle_identity(*config, edge.get());
  if (!identity.wireguard) {
    log::error("{}", identity.problem);
    // As when the tunnel itself cannot come up (an endpoint name that does not resolve): 71.
    return identity.refused ? exit_code::config : exit_code::os_error;
  }
  auto tunnel = tunnel::up(*identity.wireguard, {});
  if (!tunnel) {
    log::error("{}", tunnel.error().message);
    return exit_code::os_error;
  }
  if (wait) {
    if (auto shaken = tunnel::wait_for_handshake(*tunnel->backend, *identity.wireguard, **wait); !shaken) {
      log::error("{}", shaken.error().message);
      return exit_code::unavailable;
    }
    log::info("handshake with the hub done");
  }
  // WG_MTU=probe (a no-op otherwise): the tunnel stays up when the probe fails, as with --wait.
  if (auto probed = tunnel::probe_and_apply_mtu(*config, *tunnel); !probed) {
    log::error("{}", probed.error().message);
    return exit_code::unavailable;
  }
  return exit_code::ok;
}

int down_command(Invocation const& invocation) {
  if (!only_flags(invocation, {})) return exit_code::usage;
  auto const config = load_config(invocation);
  if (!config) return exit_code::config;
  if (auto done = tunnel::down(config->wireguard, Duration(5000)); !done) {
    log::error("taking {} down: {}", config->wireguard.interface.name, done.error().message);
    return exit_code::os_error;
  }
  return exit_code::ok;
}

int status_command(Invocation const& invocation) {
  if (!only_flags(invocation, {"--json"})) return exit_code::usage;
  auto const config = load_config(invocation);
  if (!config) return exit_code::config;
  auto status = gather_status(config->wireguard);
  if (!status) {
    log::error("{}", status.error().message);
    return exit_code::unavailable;
  }
  if (has_flag(invocation, "--json")) {
    std::puts(text::json_text(tunnel::status_json(*status), 2).c_str());
  } else {
    std::fputs(tunnel::status_text(*status).c_str(), stdout);
  }
  return exit_code::ok;
}

}  // namespace wgs::cli

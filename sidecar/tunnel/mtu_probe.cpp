#include "tunnel/mtu_probe.hpp"

#include <algorithm>

#include <boost/asio/io_context.hpp>
#include <fmt/format.h>

#include "checks/icmp.hpp"
#include "dns/resolve.hpp"
#include "log/log.hpp"
#include "netlink/rtnl.hpp"

namespace wgs::tunnel {
namespace {

constexpr std::uint32_t ipv6_minimum_mtu = 1280;
// Silence this long means "did not cross" (as in the check's mtu stage).
constexpr Duration per_probe{400};
// A black hole costs two silent probes at the top and about half the bisection steps: ~3 s.
constexpr Duration minimum_budget{5000};

bool has_ipv6_address(config::Interface const& iface) {
  return std::any_of(iface.addresses.begin(), iface.addresses.end(),
                     [](net::Prefix const& prefix) { return !prefix.address.is_v4(); });
}

// One search on an io_context of its own: the caller (CLI or the start thread) blocks anyway.
checks::MtuOutcome probe(net::IpAddress destination, std::uint32_t interface_mtu, Duration budget) {
  boost::asio::io_context io;
  checks::MtuOutcome outcome;
  checks::MtuProbeSettings settings;
  settings.interface_mtu = interface_mtu;
  settings.per_probe = per_probe;
  settings.budget = budget;
  checks::async_probe_mtu(io, destination, settings, [&outcome](checks::MtuOutcome o) { outcome = std::move(o); });
  io.run();  // the search ends by its own budget
  return outcome;
}

Status set_interface_mtu(Tunnel& tunnel, std::uint32_t mtu) {
  auto socket = netlink::rtnl::open();
  if (!socket) return socket.error();
  if (auto set = netlink::rtnl::set_mtu(*socket, tunnel.ifindex, mtu); !set) return set;
  tunnel.mtu = mtu;
  return ok_status();
}

}  // namespace

Result<net::IpAddress> mtu_probe_destination(config::Config const& config, Duration timeout) {
  std::string host = config.checks.ping_host;
  if (host.empty()) host = config::dialled_address(config);
  if (host.empty()) return make_error("no host to probe: set SIDECAR_PING_HOST or DB_HOST");
  if (auto ip = net::IpAddress::parse(host)) return *ip;
  auto answers = dns::resolve(host, timeout);
  if (!answers) return make_error(fmt::format("resolving {} for the MTU probe: {}", host, answers.error().message));
  if (answers->empty()) return make_error(fmt::format("resolving {} for the MTU probe: no address", host));
  return answers->front();
}

std::uint32_t probed_mtu(std::uint32_t current, unsigned largest, bool has_ipv6_address) {
  std::uint32_t mtu = std::min<std::uint32_t>(current, largest);
  if (has_ipv6_address && current >= ipv6_minimum_mtu) mtu = std::max(mtu, ipv6_minimum_mtu);
  return mtu;
}

Result<std::uint32_t> probe_and_apply_mtu(config::Config const& config, Tunnel& tunnel,
                                          std::optional<Duration> handshake_timeout) {
  auto const& iface = config.wireguard.interface;
  if (iface.mtu_mode != config::MtuMode::probe) return tunnel.mtu;
  auto const fail = [&iface, &tunnel](std::string const& why) {
    return make_error(fmt::format("WG_MTU=probe: {} ({} keeps MTU {})", why, iface.name, tunnel.mtu));
  };
  auto const wait = handshake_timeout.value_or(config.checks.stage_timeout);
  if (auto shaken = wait_for_handshake(*tunnel.backend, config.wireguard, wait); !shaken) {
    return fail(shaken.error().message);
  }
  auto destination = mtu_probe_destination(config, config.checks.stage_timeout);
  if (!destination) return fail(destination.error().message);
  auto const outcome = probe(*destination, tunnel.mtu, std::max(config.checks.stage_timeout, minimum_budget));
  if (!outcome.largest) {
    return fail(fmt::format("probing the path MTU to {} through the tunnel: {}; check that it answers ping "
                            "(SIDECAR_PING_HOST)",
                            destination->to_string(), outcome.error));
  }
  auto const before = tunnel.mtu;
  auto const after = probed_mtu(before, *outcome.largest, has_ipv6_address(iface));
  if (after == before) {
    log::info("WG_MTU=probe: {}-byte packets cross to {}; {} keeps MTU {}", *outcome.largest, destination->to_string(),
              iface.name, before);
    return before;
  }
  if (after > *outcome.largest) {
    log::warn("WG_MTU=probe: only {} bytes cross to {}, but an interface with an IPv6 address needs MTU {}; "
              "packets in between will still be lost",
              *outcome.largest, destination->to_string(), after);
  }
  if (auto set = set_interface_mtu(tunnel, after); !set) return fail("setting the MTU: " + set.error().message);
  log::info("WG_MTU=probe: only {} bytes cross to {} ({} probes, {:.0f} ms); lowered the MTU of {} from {} to {}",
            *outcome.largest, destination->to_string(), outcome.probes, outcome.ms, iface.name, before, after);
  return after;
}

}  // namespace wgs::tunnel

#pragma once
// `wgsidecar check`: every stage for the primary and the replica, concurrently on one
// io_context, each stage with its own deadline. The inputs that are not configuration (the
// tunnel's handshake, its MTU) come from the caller, so tests inject them.
#include <chrono>
#include <functional>
#include <optional>
#include <set>
#include <string>

#include "checks/icmp.hpp"
#include "checks/report.hpp"
#include "config/config.hpp"
#include "util/duration.hpp"

namespace wgs::checks {

// The peer's latest handshake (nullopt: none yet). Wired to the WireGuard backend.
using HandshakeReader = std::function<std::optional<std::chrono::system_clock::time_point>()>;

struct CheckInputs {
  HandshakeReader last_handshake;  // empty: no tunnel to ask, the stage is skipped
  std::string tunnel_missing;      // why no interface could be asked: the handshake fails with it, nothing is sent
  std::function<std::chrono::system_clock::time_point()> now = [] { return std::chrono::system_clock::now(); };
  Duration stale_after = std::chrono::seconds(180);    // WireGuard rekeys every 2 min under keepalives
  Duration stage_timeout = std::chrono::seconds(5);    // SIDECAR_CHECK_TIMEOUT
  std::optional<std::string> ping_host;                // SIDECAR_PING_HOST; default: each target's host
  std::optional<unsigned> interface_mtu;               // the tunnel interface's MTU; unset: mtu skipped
  Duration mtu_probe_timeout = std::chrono::milliseconds(400);  // silence this long = did not cross
  std::set<Stage> stages{std::begin(all_stages), std::end(all_stages)};
  IcmpSocketKind icmp_socket = IcmpSocketKind::automatic;
};

// The configured part: SIDECAR_PING_HOST and SIDECAR_CHECK_TIMEOUT (config.checks).
CheckInputs inputs_from(config::Config const& config);

Report prove_path(config::Config const& config, CheckInputs const& inputs);
// The same, waiting on `io`: a caller that checks again and again keeps one, rather than a
// new epoll, eventfd and timerfd in the kernel for every check.
Report prove_path(config::Config const& config, CheckInputs const& inputs, boost::asio::io_context& io);

}  // namespace wgs::checks

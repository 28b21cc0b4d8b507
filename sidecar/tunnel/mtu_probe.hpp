#pragma once
// WG_MTU=probe: once the tunnel has a handshake, find the largest packet that crosses it to
// the ping host (ICMP echoes with DF set, checks::async_probe_mtu) and lower the interface
// MTU to that size. The route-based MTU wg-quick's rule gives (choose_mtu) is only an upper
// bound: a hop between the edge and the hub that drops big packets without an ICMP "too
// big" (an MTU black hole) is invisible to it, and TLS stalls on the first full segment.
#include <cstdint>
#include <optional>

#include "config/config.hpp"
#include "net/address.hpp"
#include "tunnel/tunnel.hpp"
#include "util/duration.hpp"
#include "util/result.hpp"

namespace wgs::tunnel {

// Where the probe goes, by the rule of the check's ping stage: SIDECAR_PING_HOST, else the
// primary database's host; a name is resolved (c-ares, bounded by `timeout`).
Result<net::IpAddress> mtu_probe_destination(config::Config const& config, Duration timeout);

// The MTU to set once `largest` (bytes, IP header included) crossed: never above `current`,
// and not below IPv6's minimum of 1280 while the interface carries an IPv6 address (below
// it the kernel takes IPv6 off the link).
std::uint32_t probed_mtu(std::uint32_t current, unsigned largest, bool has_ipv6_address);

// With WG_MTU=probe: waits up to `handshake_timeout` (default SIDECAR_CHECK_TIMEOUT) for a
// handshake, probes, sets the interface MTU and `tunnel.mtu` to what crossed, and logs any
// change. Returns the MTU in effect. With another WG_MTU it does nothing and returns
// tunnel.mtu. On an error the interface keeps its MTU; the caller decides whether to go on.
Result<std::uint32_t> probe_and_apply_mtu(config::Config const& config, Tunnel& tunnel,
                                          std::optional<Duration> handshake_timeout = std::nullopt);

}  // namespace wgs::tunnel

#pragma once
// `wgsidecar hub`'s configuration, read once from the environment (HUB_*), the way the edge
// reads WG_*: every problem reported at once, each naming its variable, never a secret.
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "config/environment.hpp"
#include "config/problems.hpp"
#include "keys/keys.hpp"
#include "net/address.hpp"
#include "util/duration.hpp"

namespace wgs::hub {

struct Settings {
  // The hub's WireGuard interface: HUB_PRIVATE_KEY, HUB_ADDRESS, HUB_LISTEN_PORT, HUB_INTERFACE,
  // HUB_BACKEND, HUB_USERSPACE_IMPLEMENTATION, and the static peers of HUB_PEERS_FILE.
  config::WireGuard wireguard;
  net::Prefix pool;                            // HUB_POOL: enrolled machines' addresses
  std::vector<keys::PublicKey> credentials;    // HUB_TRUST and every static peer's key
  std::optional<net::HostPort> enroll_listen;  // HUB_ENROLL_ADDR (default 0.0.0.0:<listen port>; off)
  std::optional<net::HostPort> health_listen;  // HUB_HEALTH_ADDR (default 127.0.0.1:9090; off)
  Duration expire_after{300'000};              // HUB_EXPIRE_AFTER: silence before a machine is forgotten
  double rate_per_second = 10;                 // HUB_RATE_LIMIT: requests per second per source
  config::Logging logging;                     // SIDECAR_LOG_FORMAT, SIDECAR_LOG_LEVEL
};

struct LoadedSettings {
  Settings settings;
  config::Problems problems;
};

inline constexpr std::uint16_t default_listen_port = 51820;
inline constexpr char const* default_health_listen = "127.0.0.1:9090";

LoadedSettings read_settings(config::Environment const& env);
// HUB_HEALTH_ADDR alone (for `hub status`, which needs no key).
std::optional<net::HostPort> read_health_listen(config::Environment const& env, config::Problems& problems);

}  // namespace wgs::hub

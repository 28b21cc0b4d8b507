#include "hub/settings.hpp"

#include <algorithm>
#include <array>
#include "config/fields.hpp"
#include "config/file.hpp"
#include "config/load.hpp"
#include "config/wg_quick.hpp"

namespace wgs::hub {
namespace {

using config::Problems;
using config::lookup;
namespace fields = config::fields;

constexpr std::array<std::string_view, 14> hub_variables = {
    "HUB_PRIVATE_KEY", "HUB_PRIVATE_KEY_FILE", "HUB_ADDRESS",     "HUB_LISTEN_PORT",   "HUB_POOL",
    "HUB_TRUST",       "HUB_PEERS_FILE",       "HUB_ENROLL_ADDR", "HUB_HEALTH_ADDR",   "HUB_EXPIRE_AFTER",
    "HUB_RATE_LIMIT",  "HUB_INTERFACE",        "HUB_BACKEND",     "HUB_USERSPACE_IMPLEMENTATION",
};

// WireGuard drops a session 180 s after its last handshake; an edge keeps alive every 25 s.
constexpr Duration shortest_expiry{30'000};

// A file's content under the edge's rules for files (config/file.hpp): a regular file of at most
// 1 MiB, read into guarded memory, the OS's reason on failure.
std::optional<Secret> read_text(char const* variable, std::string_view path, Problems& problems) {
  auto content = config::read_config_file(std::string(path));
  if (!content) {
    problems.add(variable, content.error().message);
    return std::nullopt;
  }
  return std::move(*content);
}

void private_key(config::Environment const& env, config::Interface& iface, Problems& problems) {
  auto const inline_key = setting(env, "HUB_PRIVATE_KEY", problems);
  auto const file = setting(env, "HUB_PRIVATE_KEY_FILE", problems);
  if (inline_key && file) problems.add("HUB_PRIVATE_KEY_FILE", "is set together with HUB_PRIVATE_KEY; use one of them");
  if (!inline_key && !file) {
    problems.add("HUB_PRIVATE_KEY", "is required: the hub's WireGuard private key (or HUB_PRIVATE_KEY_FILE, a file holding it)");
    return;
  }
  if (inline_key) {
    if (auto key = fields::secret_key(problems, "HUB_PRIVATE_KEY", *inline_key)) iface.private_key = std::move(*key);
    return;
  }
  auto const text = read_text("HUB_PRIVATE_KEY_FILE", *file, problems);
  if (!text) return;
  if (auto key = fields::secret_key(problems, "HUB_PRIVATE_KEY_FILE", text->text())) iface.private_key = std::move(*key);
}

void interface(config::Environment const& env, config::WireGuard& wireguard, Problems& problems) {
  auto& iface = wireguard.interface;
  private_key(env, iface, problems);
  iface.addresses = {*net::Prefix::parse("10.50.0.1/24")};
  if (auto address = setting(env, "HUB_ADDRESS", problems)) {
    if (auto list = fields::prefixes(problems, "HUB_ADDRESS", *address, true)) iface.addresses = *list;
  }
  iface.listen_port = default_listen_port;
  if (auto port = setting(env, "HUB_LISTEN_PORT", problems)) iface.listen_port = fields::port(problems, "HUB_LISTEN_PORT", *port);
  if (auto name = setting(env, "HUB_INTERFACE", problems)) {
    if (auto valid = fields::interface_name(problems, "HUB_INTERFACE", *name)) iface.name = *valid;
  }
  if (auto backend = setting(env, "HUB_BACKEND", problems)) {
    if (*backend == "kernel") wireguard.backend = config::Backend::kernel;
    else if (*backend == "userspace") wireguard.backend = config::Backend::userspace;
    else if (*backend != "auto") problems.add("HUB_BACKEND", "must be auto, kernel or userspace");
  }
  if (auto impl = setting(env, "HUB_USERSPACE_IMPLEMENTATION", problems)) wireguard.userspace_implementation = *impl;
  wireguard.source = "environment";
}

void static_peers(config::Environment const& env, config::WireGuard& wireguard, Problems& problems) {
  auto const path = setting(env, "HUB_PEERS_FILE", problems);
  if (!path) return;
  auto const text = read_text("HUB_PEERS_FILE", *path, problems);
  if (!text) return;
  wireguard.peers = config::parse_wg_quick_peers(text->text(), "HUB_PEERS_FILE " + std::string(*path), problems);
}

void pool(config::Environment const& env, Settings& settings, Problems& problems) {
  settings.pool = *net::Prefix::parse("10.50.3.0/24");
  auto const text = setting(env, "HUB_POOL", problems);
  if (!text) return;
  auto const list = fields::prefixes(problems, "HUB_POOL", *text, false);
  if (!list) return;
  if (list->size() != 1 || !list->front().address.is_v4() || list->front().length < 16 || list->front().length > 30) {
    problems.add("HUB_POOL", "must be one IPv4 prefix from /16 to /30, e.g. 10.50.3.0/24");
    return;
  }
  settings.pool = list->front();
}

void credentials(config::Environment const& env, Settings& settings, Problems& problems) {
  if (auto trust = setting(env, "HUB_TRUST", problems)) {
    for (auto item : fields::split_list(*trust)) {
      if (auto key = fields::public_key(problems, "HUB_TRUST", item)) settings.credentials.push_back(*key);
    }
  }
  // A static peer already reaches the tunnel with its key; enrolling with it gives no more
  // access than it has, only an identity of each machine's own.
  for (auto const& peer : settings.wireguard.peers) settings.credentials.push_back(peer.public_key);
  if (settings.credentials.empty()) {
    problems.add("HUB_TRUST", "is empty and HUB_PEERS_FILE has no peer: no edge could enroll "
                              "(add a token's public line from `wgsidecar hub token`, or the seed's edge key)");
  }
}

std::optional<net::HostPort> listen_address(config::Environment const& env, char const* name, std::string fallback,
                                            Problems& problems) {
  auto const text = setting(env, name, problems).value_or(fallback);
  if (text == "off") return std::nullopt;
  auto parsed = net::HostPort::parse(text);
  if (!parsed || !parsed->numeric()) {
    problems.add(name, "must be IP:PORT (e.g. 0.0.0.0:51820 or [::]:51820) or off");
    return std::nullopt;
  }
  return *parsed;
}

void timing(config::Environment const& env, Settings& settings, Problems& problems) {
  if (auto text = setting(env, "HUB_EXPIRE_AFTER", problems)) {
    auto parsed = parse_duration(*text);
    if (!parsed) problems.add("HUB_EXPIRE_AFTER", parsed.error().message);
    else if (*parsed < shortest_expiry) problems.add("HUB_EXPIRE_AFTER", "must be at least 30s (edges keep alive every 25 s)");
    else settings.expire_after = *parsed;
  }
  if (auto text = setting(env, "HUB_RATE_LIMIT", problems)) {
    std::string const number(*text);  // strtod wants it NUL-terminated
    char* end = nullptr;
    double const rate = std::strtod(number.c_str(), &end);
    if (end != number.c_str() + number.size() || !(rate >= 1 && rate <= 1e6)) {
      problems.add("HUB_RATE_LIMIT", "must be requests per second per source address, 1 to 1000000");
    } else {
      settings.rate_per_second = rate;
    }
  }
}

void reject_unknown(config::Environment const& env, Problems& problems) {
  for (auto const& [name, value] : env) {
    if (name.starts_with("HUB_") && std::find(hub_variables.begin(), hub_variables.end(), name) == hub_variables.end()) {
      problems.add(std::string(name), "is not a setting of `wgsidecar hub` (see the README's Fleet section)");
    }
  }
}

}  // namespace

std::optional<net::HostPort> read_health_listen(config::Environment const& env, Problems& problems) {
  return listen_address(env, "HUB_HEALTH_ADDR", default_health_listen, problems);
}

LoadedSettings read_settings(config::Environment const& env) {
  LoadedSettings loaded;
  auto& settings = loaded.settings;
  auto& problems = loaded.problems;
  interface(env, settings.wireguard, problems);
  static_peers(env, settings.wireguard, problems);
  pool(env, settings, problems);
  credentials(env, settings, problems);
  auto const port = settings.wireguard.interface.listen_port.value_or(default_listen_port);
  settings.enroll_listen = listen_address(env, "HUB_ENROLL_ADDR", fmt::format("0.0.0.0:{}", port), problems);
  settings.health_listen = read_health_listen(env, problems);
  timing(env, settings, problems);
  settings.logging = config::read_logging(env, problems);
  reject_unknown(env, problems);
  return loaded;
}

}  // namespace wgs::hub

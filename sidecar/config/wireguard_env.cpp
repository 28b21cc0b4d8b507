// WG_* variables (the seed's names and the optional ones), or a whole wg-quick file from
// WG_CONFIG / --config.
#include "config/fields.hpp"
#include "config/file.hpp"
#include "config/load.hpp"
#include "config/wg_quick.hpp"

namespace wgs::config {
namespace {

// The variables that describe the tunnel itself; a wg-quick file replaces all of them.
constexpr char const* tunnel_variables[] = {
    "WG_PRIVATE_KEY",   "WG_ADDRESS",       "WG_PEER_PUBLIC_KEY",      "WG_PEER_ENDPOINT", "WG_ALLOWED_IPS",
    "WG_PRESHARED_KEY", "WG_LISTEN_PORT",   "WG_PERSISTENT_KEEPALIVE", "WG_MTU",
};

std::optional<std::string_view> required(Environment const& env, char const* name, Problems& problems, char const* what) {
  if (!env.contains(name)) {
    problems.add(name, fmt::format("is required: {}", what));
    return std::nullopt;
  }
  return setting(env, name, problems);
}

Peer peer_from_env(Environment const& env, Problems& problems) {
  Peer peer;
  if (auto key = required(env, "WG_PEER_PUBLIC_KEY", problems, "the hub's public key (`wg pubkey` of the hub's private key)")) {
    if (auto decoded = fields::public_key(problems, "WG_PEER_PUBLIC_KEY", *key)) peer.public_key = *decoded;
  }
  if (auto endpoint = required(env, "WG_PEER_ENDPOINT", problems, "the hub's address and port, e.g. 203.0.113.7:51820")) {
    peer.endpoint = fields::endpoint(problems, "WG_PEER_ENDPOINT", *endpoint);
  }
  peer.allowed_ips = {*net::Prefix::parse("10.50.0.0/24")};
  if (auto allowed = setting(env, "WG_ALLOWED_IPS", problems)) {
    if (auto list = fields::prefixes(problems, "WG_ALLOWED_IPS", *allowed, false)) peer.allowed_ips = *list;
  }
  if (auto keepalive = setting(env, "WG_PERSISTENT_KEEPALIVE", problems)) {
    if (auto k = fields::keepalive(problems, "WG_PERSISTENT_KEEPALIVE", *keepalive)) peer.persistent_keepalive = *k;
  }
  if (auto psk = setting(env, "WG_PRESHARED_KEY", problems)) {
    peer.preshared_key = fields::secret_key(problems, "WG_PRESHARED_KEY", *psk);
  }
  return peer;
}

Interface interface_from_env(Environment const& env, Problems& problems) {
  Interface iface;
  // With an enrollment token every machine gets its key from the hub: none is shared.
  bool const token_instead = !env.contains("WG_PRIVATE_KEY") && env.contains("SIDECAR_ENROLL_TOKEN");
  auto const key = token_instead ? std::nullopt
                                 : required(env, "WG_PRIVATE_KEY", problems, "this edge's private key (make one with `wgsidecar genkey`)");
  if (key) {
    if (auto decoded = fields::secret_key(problems, "WG_PRIVATE_KEY", *key)) iface.private_key = std::move(*decoded);
  }
  iface.addresses = {*net::Prefix::parse("10.50.3.10/32")};
  if (auto address = setting(env, "WG_ADDRESS", problems)) {
    if (auto list = fields::prefixes(problems, "WG_ADDRESS", *address, true)) iface.addresses = *list;
  }
  if (auto port = setting(env, "WG_LISTEN_PORT", problems)) iface.listen_port = fields::port(problems, "WG_LISTEN_PORT", *port);
  if (auto mtu = setting(env, "WG_MTU", problems)) fields::mtu(problems, "WG_MTU", *mtu, iface);
  return iface;
}

Backend backend(std::string_view name, Problems& problems) {
  if (name == "kernel") return Backend::kernel;
  if (name == "userspace") return Backend::userspace;
  if (name != "auto") problems.add("WG_BACKEND", "must be auto, kernel or userspace");
  return Backend::automatic;
}

void common_settings(Environment const& env, WireGuard& wireguard, Problems& problems) {
  if (auto name = setting(env, "WG_INTERFACE", problems)) {
    if (auto valid = fields::interface_name(problems, "WG_INTERFACE", *name)) wireguard.interface.name = *valid;
  }
  if (auto name = setting(env, "WG_BACKEND", problems)) wireguard.backend = backend(*name, problems);
  if (auto impl = setting(env, "WG_USERSPACE_IMPLEMENTATION", problems)) wireguard.userspace_implementation = *impl;
}

std::optional<WireGuard> from_config_file(std::string const& path, Problems& problems) {
  auto const text = read_config_file(path);
  if (!text) {
    problems.add("--config", text.error().message);
    return std::nullopt;
  }
  return parse_wg_quick(text->text(), path, problems);
}

// A wg-quick file, from --config or WG_CONFIG; nullopt when there is none to read.
std::optional<WireGuard> from_wg_quick(Environment const& env, LoadOptions const& options, Problems& problems) {
  if (options.config_file && env.contains("WG_CONFIG")) {
    problems.add("WG_CONFIG", "is set together with --config; use one of them");
  }
  std::string const source = options.config_file ? *options.config_file : std::string("WG_CONFIG");
  for (auto const* name : tunnel_variables) {
    if (env.contains(name)) problems.add(name, fmt::format("is set together with {}; put it in the file or unset it", source));
  }
  if (options.config_file) return from_config_file(*options.config_file, problems);
  auto const text = setting(env, "WG_CONFIG", problems);
  if (!text) return std::nullopt;
  return parse_wg_quick(*text, source, problems);
}

}  // namespace

std::optional<WireGuard> read_wireguard(Environment const& env, LoadOptions const& options, Problems& problems) {
  std::optional<WireGuard> wireguard;
  if (options.config_file || env.contains("WG_CONFIG")) {
    wireguard = from_wg_quick(env, options, problems);
  } else {
    wireguard.emplace();
    wireguard->interface = interface_from_env(env, problems);
    wireguard->peers.push_back(peer_from_env(env, problems));
  }
  WireGuard unread;  // the remaining settings are still checked when the file could not be read
  common_settings(env, wireguard ? *wireguard : unread, problems);
  return wireguard;
}

}  // namespace wgs::config

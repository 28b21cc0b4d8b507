// WG_* variables (the seed's names and the optional ones), or a whole wg-quick file from
// WG_CONFIG / --config.
#include <fstream>
#include <sstream>

#include "config/fields.hpp"
#include "config/load.hpp"
#include "config/wg_quick.hpp"

namespace wgs::config {
namespace {

// The variables that describe the tunnel itself; a wg-quick file replaces all of them.
constexpr char const* tunnel_variables[] = {
    "WG_PRIVATE_KEY",   "WG_ADDRESS",       "WG_PEER_PUBLIC_KEY",      "WG_PEER_ENDPOINT", "WG_ALLOWED_IPS",
    "WG_PRESHARED_KEY", "WG_LISTEN_PORT",   "WG_PERSISTENT_KEEPALIVE", "WG_MTU",
};

struct Variable {
  std::string name;
  std::optional<std::string> value;  // set, possibly empty
};

Variable get(Environment const& env, char const* name) { return {name, lookup(env, name)}; }

// An empty value is reported: a docker -e VAR= with nothing after it is a mistake, not a default.
bool present(Variable const& var, Problems& problems) {
  if (!var.value) return false;
  if (var.value->empty()) {
    problems.add(var.name, "is set but empty (unset it to use the default)");
    return false;
  }
  return true;
}

bool required(Variable const& var, Problems& problems, char const* what) {
  if (!var.value) {
    problems.add(var.name, fmt::format("is required: {}", what));
    return false;
  }
  return present(var, problems);
}

Peer peer_from_env(Environment const& env, Problems& problems) {
  Peer peer;
  auto const public_key = get(env, "WG_PEER_PUBLIC_KEY");
  if (required(public_key, problems, "the hub's public key (`wg pubkey` of the hub's private key)")) {
    if (auto key = fields::public_key(problems, public_key.name, *public_key.value)) peer.public_key = *key;
  }
  auto const endpoint = get(env, "WG_PEER_ENDPOINT");
  if (required(endpoint, problems, "the hub's address and port, e.g. 203.0.113.7:51820")) {
    peer.endpoint = fields::endpoint(problems, endpoint.name, *endpoint.value);
  }
  peer.allowed_ips = {*net::Prefix::parse("10.50.0.0/24")};
  if (auto allowed = get(env, "WG_ALLOWED_IPS"); present(allowed, problems)) {
    if (auto list = fields::prefixes(problems, allowed.name, *allowed.value, false)) peer.allowed_ips = *list;
  }
  if (auto keepalive = get(env, "WG_PERSISTENT_KEEPALIVE"); present(keepalive, problems)) {
    if (auto k = fields::keepalive(problems, keepalive.name, *keepalive.value)) peer.persistent_keepalive = *k;
  }
  if (auto psk = get(env, "WG_PRESHARED_KEY"); present(psk, problems)) {
    peer.preshared_key = fields::secret_key(problems, psk.name, *psk.value);
  }
  return peer;
}

Interface interface_from_env(Environment const& env, Problems& problems) {
  Interface iface;
  auto const private_key = get(env, "WG_PRIVATE_KEY");
  // With an enrollment token every machine gets its key from the hub: none is shared.
  bool const token_instead = !private_key.value && lookup(env, "SIDECAR_ENROLL_TOKEN").has_value();
  if (!token_instead && required(private_key, problems, "this edge's private key (make one with `wgsidecar genkey`)")) {
    if (auto key = fields::secret_key(problems, private_key.name, *private_key.value)) {
      iface.private_key = std::move(*key);
    }
  }
  iface.addresses = {*net::Prefix::parse("10.50.3.10/32")};
  if (auto address = get(env, "WG_ADDRESS"); present(address, problems)) {
    if (auto list = fields::prefixes(problems, address.name, *address.value, true)) iface.addresses = *list;
  }
  if (auto port = get(env, "WG_LISTEN_PORT"); present(port, problems)) {
    iface.listen_port = fields::port(problems, port.name, *port.value);
  }
  if (auto mtu = get(env, "WG_MTU"); present(mtu, problems)) fields::mtu(problems, mtu.name, *mtu.value, iface);
  return iface;
}

std::optional<Secret> read_file(std::string const& path, Problems& problems) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    problems.add("--config", fmt::format("cannot read {}", path));
    return std::nullopt;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return Secret::from(text.view());
}

void common_settings(Environment const& env, WireGuard& wireguard, Problems& problems) {
  if (auto name = get(env, "WG_INTERFACE"); present(name, problems)) {
    if (auto valid = fields::interface_name(problems, name.name, *name.value)) wireguard.interface.name = *valid;
  }
  if (auto backend = get(env, "WG_BACKEND"); present(backend, problems)) {
    if (*backend.value == "auto") wireguard.backend = Backend::automatic;
    else if (*backend.value == "kernel") wireguard.backend = Backend::kernel;
    else if (*backend.value == "userspace") wireguard.backend = Backend::userspace;
    else problems.add(backend.name, "must be auto, kernel or userspace");
  }
  if (auto impl = get(env, "WG_USERSPACE_IMPLEMENTATION"); present(impl, problems)) {
    wireguard.userspace_implementation = *impl.value;
  }
}

}  // namespace

WireGuard read_wireguard(Environment const& env, LoadOptions const& options, Problems& problems) {
  auto const inline_file = get(env, "WG_CONFIG");
  WireGuard wireguard;
  if (options.config_file && inline_file.value) {
    problems.add("WG_CONFIG", "is set together with --config; use one of them");
  }
  if (options.config_file || inline_file.value) {
    std::string const source = options.config_file ? *options.config_file : std::string("WG_CONFIG");
    for (auto const* name : tunnel_variables) {
      if (lookup(env, name)) problems.add(name, fmt::format("is set together with {}; put it in the file or unset it", source));
    }
    if (options.config_file) {
      if (auto text = read_file(*options.config_file, problems)) wireguard = parse_wg_quick(text->text(), source, problems);
    } else if (present(inline_file, problems)) {
      wireguard = parse_wg_quick(*inline_file.value, source, problems);
    }
  } else {
    wireguard.interface = interface_from_env(env, problems);
    wireguard.peers.push_back(peer_from_env(env, problems));
  }
  common_settings(env, wireguard, problems);
  return wireguard;
}

}  // namespace wgs::config

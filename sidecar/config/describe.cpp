#include "config/describe.hpp"

#include <fmt/ranges.h>

namespace wgs::config {
namespace {

using nlohmann::json;

std::vector<std::string> prefix_strings(std::vector<net::Prefix> const& prefixes) {
  std::vector<std::string> out;
  for (auto const& prefix : prefixes) out.push_back(prefix.to_string());
  return out;
}

json mtu_json(Interface const& iface) {
  switch (iface.mtu_mode) {
    case MtuMode::automatic: return "auto";
    case MtuMode::probe: return "probe";
    case MtuMode::fixed: return iface.mtu;
  }
  return "auto";
}

json interface_json(Interface const& iface) {
  return {
      {"name", iface.name},
      {"private_key", hidden},
      {"public_key", iface.private_key.size() == keys::key_size ? json(keys::encode(keys::derive_public(iface.private_key)))
                                                                : json(nullptr)},
      {"addresses", prefix_strings(iface.addresses)},
      {"listen_port", iface.listen_port ? json(*iface.listen_port) : json(nullptr)},
      {"mtu", mtu_json(iface)},
      {"fwmark", iface.fwmark ? json(*iface.fwmark) : json(nullptr)},
      {"table", iface.table == RouteTable::off ? "off" : "auto"},
  };
}

json peer_json(Peer const& peer) {
  return {
      {"public_key", keys::encode(peer.public_key)},
      {"preshared_key", peer.preshared_key ? json(hidden) : json(nullptr)},
      {"endpoint", peer.endpoint ? json(peer.endpoint->to_string()) : json(nullptr)},
      {"allowed_ips", prefix_strings(peer.allowed_ips)},
      {"persistent_keepalive", peer.persistent_keepalive},
  };
}

json database_json(Database const& db) {
  return {
      {"target", db.target},        {"source", db.source},   {"host", db.host},
      {"port", db.port},            {"user", db.user},       {"password", hidden},
      {"dbname", db.dbname},        {"sslmode", db.sslmode},
      {"sslrootcert", db.sslrootcert ? json(*db.sslrootcert) : json(nullptr)},
      {"url", redacted_url(db)},
  };
}

json enrollment_json(Enrollment const& enrollment) {
  static constexpr char const* modes[] = {"auto", "off", "required"};
  return {{"mode", modes[static_cast<int>(enrollment.mode)]},
          {"token", enrollment.token ? json(hidden) : json(nullptr)},
          {"port", enrollment.port ? json(*enrollment.port) : json(nullptr)}};
}

}  // namespace

std::string_view backend_name(Backend backend) {
  switch (backend) {
    case Backend::automatic: return "auto";
    case Backend::kernel: return "kernel";
    case Backend::userspace: return "userspace";
  }
  return "auto";
}

json to_json(Config const& config) {
  auto const& wg = config.wireguard;
  json peers = json::array();
  for (auto const& peer : wg.peers) peers.push_back(peer_json(peer));
  json databases = json::array();
  for (auto const& db : config.databases) databases.push_back(database_json(db));
  return {
      {"wireguard",
       {{"source", wg.source},
        {"backend", backend_name(wg.backend)},
        {"userspace_implementation", wg.userspace_implementation},
        {"interface", interface_json(wg.interface)},
        {"peers", peers}}},
      {"databases", databases},
      {"logging",
       {{"format", config.logging.format == LogFormat::json ? "json" : "text"},
        {"level", config.logging.debug ? "debug" : "info"}}},
      {"enrollment", enrollment_json(config.enrollment)},
  };
}

std::string redacted_url(Database const& db) {
  auto const host = net::IpAddress::parse(db.host);
  auto const shown_host = host && !host->is_v4() ? fmt::format("[{}]", db.host) : db.host;
  auto url = fmt::format("postgresql://{}:{}@{}:{}/{}?sslmode={}", db.user, hidden, shown_host, db.port, db.dbname,
                         db.sslmode);
  if (db.sslrootcert) url += fmt::format("&sslrootcert={}", *db.sslrootcert);
  return url;
}

std::string to_text(Config const& config) {
  auto const& wg = config.wireguard;
  auto const& iface = wg.interface;
  std::string out = fmt::format(
      "interface: {} (from {}, backend {})\n  public key: {}\n  private key: {}\n  addresses: {}\n  mtu: {}\n",
      iface.name, wg.source, backend_name(wg.backend), keys::encode(keys::derive_public(iface.private_key)), hidden,
      fmt::join(prefix_strings(iface.addresses), ", "), mtu_json(iface).dump());
  if (iface.listen_port) out += fmt::format("  listening port: {}\n", *iface.listen_port);
  for (auto const& peer : wg.peers) {
    out += fmt::format("\npeer: {}\n", keys::encode(peer.public_key));
    if (peer.preshared_key) out += fmt::format("  preshared key: {}\n", hidden);
    if (peer.endpoint) out += fmt::format("  endpoint: {}\n", peer.endpoint->to_string());
    out += fmt::format("  allowed ips: {}\n", fmt::join(prefix_strings(peer.allowed_ips), ", "));
    if (peer.persistent_keepalive) out += fmt::format("  persistent keepalive: every {} seconds\n", peer.persistent_keepalive);
  }
  for (auto const& db : config.databases) {
    out += fmt::format("\ndatabase ({}, from {}): {}\n", db.target, db.source, redacted_url(db));
  }
  auto const enrollment = enrollment_json(config.enrollment);
  out += fmt::format("\nenrollment: {}{}\n", enrollment["mode"].get<std::string>(),
                     config.enrollment.token ? fmt::format(" with SIDECAR_ENROLL_TOKEN {}", hidden) : "");
  return out;
}

std::string hub_peer_stanza(Config const& config) {
  auto const& iface = config.wireguard.interface;
  std::vector<std::string> allowed;
  for (auto const& address : iface.addresses) {
    // The hub routes only this edge's own address back through the tunnel.
    allowed.push_back(net::Prefix{address.address, address.max_length()}.to_string());
  }
  std::string out = fmt::format(
      "# wgsidecar edge: add this to the hub's WireGuard configuration (e.g. /etc/wireguard/wg0.conf)\n"
      "[Peer]\nPublicKey = {}\nAllowedIPs = {}\n",
      keys::encode(keys::derive_public(iface.private_key)), fmt::join(allowed, ", "));
  bool const has_psk = !config.wireguard.peers.empty() && config.wireguard.peers.front().preshared_key;
  if (has_psk) out += "# PresharedKey = <the same value as this edge's WG_PRESHARED_KEY secret>\n";
  out += "# The edge sends keepalives; the hub needs no PersistentKeepalive or Endpoint for it.\n";
  return out;
}

}  // namespace wgs::config

#include "config/describe.hpp"

#include <algorithm>

#include <fmt/ranges.h>

#include "text/json.hpp"

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

json host_json(DatabaseHost const& host) {
  return {{"host", host.host}, {"hostaddr", host.hostaddr ? json(*host.hostaddr) : json(nullptr)}, {"port", host.port}};
}

json database_json(Database const& db) {
  json hosts = json::array();
  for (auto const& host : db.hosts) hosts.push_back(host_json(host));
  return {
      {"target", db.target},
      {"source", db.source},
      {"hosts", hosts},
      {"user", db.user},
      {"password", hidden},
      {"passfile", db.passfile ? json(*db.passfile) : json(nullptr)},
      {"dbname", db.dbname},
      {"sslmode", db.sslmode},
      {"sslrootcert", db.sslrootcert ? json(*db.sslrootcert) : json(nullptr)},
      {"target_session_attrs", db.target_session_attrs},
      {"ignored", db.ignored},
      {"url", redacted_url(db)},
  };
}

std::string shown_host(DatabaseHost const& host) {
  auto const ip = net::IpAddress::parse(host.host);
  auto const name = ip && !ip->is_v4() ? fmt::format("[{}]", host.host) : host.host;
  return fmt::format("{}:{}", name, host.port);
}

// Query parameters after sslmode: hostaddr, the root certificate, the session kind.
std::string url_extras(Database const& db, std::vector<DatabaseHost> const& hosts) {
  std::vector<std::string> addresses;
  for (auto const& host : hosts) addresses.push_back(host.hostaddr.value_or(""));
  bool const any_address = std::any_of(hosts.begin(), hosts.end(), [](auto const& h) { return h.hostaddr.has_value(); });
  std::string extras;
  if (any_address) extras += fmt::format("&hostaddr={}", fmt::join(addresses, ","));
  if (db.sslrootcert) extras += fmt::format("&sslrootcert={}", *db.sslrootcert);
  if (db.target_session_attrs != "any") extras += fmt::format("&target_session_attrs={}", db.target_session_attrs);
  return extras;
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

std::string redacted_url(Database const& db, std::optional<std::size_t> only_host) {
  std::vector<DatabaseHost> hosts = db.hosts;
  if (only_host && *only_host < hosts.size()) hosts = {db.hosts[*only_host]};
  std::vector<std::string> shown;
  for (auto const& host : hosts) shown.push_back(shown_host(host));
  return fmt::format("postgresql://{}:{}@{}/{}?sslmode={}{}", db.user, hidden, fmt::join(shown, ","), db.dbname,
                     db.sslmode, url_extras(db, hosts));
}

std::string to_text(Config const& config) {
  auto const& wg = config.wireguard;
  auto const& iface = wg.interface;
  std::string out = fmt::format(
      "interface: {} (from {}, backend {})\n  public key: {}\n  private key: {}\n  addresses: {}\n  mtu: {}\n",
      iface.name, wg.source, backend_name(wg.backend), keys::encode(keys::derive_public(iface.private_key)), hidden,
      fmt::join(prefix_strings(iface.addresses), ", "), text::json_text(mtu_json(iface)));
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

#include "tunnel/status_report.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "keys/keys.hpp"

namespace wgs::tunnel {
namespace {

using nlohmann::json;

std::vector<std::string> to_strings(std::vector<net::Prefix> const& prefixes) {
  std::vector<std::string> out;
  for (auto const& p : prefixes) out.push_back(p.to_string());
  return out;
}

json peer_json(wireguard::PeerState const& peer, std::chrono::system_clock::time_point now) {
  auto const age = handshake_age_seconds(peer, now);
  return {
      {"public_key", keys::encode(peer.public_key)},
      {"preshared_key", peer.has_preshared_key ? json("(hidden)") : json(nullptr)},
      {"endpoint", peer.endpoint ? json(peer.endpoint->to_string()) : json(nullptr)},
      {"allowed_ips", to_strings(peer.allowed_ips)},
      {"latest_handshake_age_seconds", age ? json(*age) : json(nullptr)},
      {"rx_bytes", peer.rx_bytes},
      {"tx_bytes", peer.tx_bytes},
      {"persistent_keepalive", peer.persistent_keepalive},
  };
}

std::string age_text(std::optional<std::int64_t> age) {
  if (!age) return "never";
  if (*age < 60) return fmt::format("{} seconds ago", *age);
  return fmt::format("{} minutes, {} seconds ago", *age / 60, *age % 60);
}

}  // namespace

std::optional<std::int64_t> handshake_age_seconds(wireguard::PeerState const& peer, std::chrono::system_clock::time_point now) {
  if (!peer.last_handshake) return std::nullopt;
  auto const age = std::chrono::duration_cast<std::chrono::seconds>(now - *peer.last_handshake).count();
  return std::max<std::int64_t>(age, 0);
}

json status_json(StatusInput const& input) {
  json peers = json::array();
  for (auto const& peer : input.device.peers) peers.push_back(peer_json(peer, input.now));
  return {
      {"interface", input.interface},
      {"backend", input.backend},
      {"up", input.link.is_up()},
      {"mtu", input.link.mtu},
      {"addresses", to_strings(input.addresses)},
      {"public_key", keys::encode(input.device.public_key)},
      {"listen_port", input.device.listen_port},
      {"peers", peers},
  };
}

std::string status_text(StatusInput const& input) {
  std::string out = fmt::format(
      "interface: {} ({} backend, {})\n  public key: {}\n  private key: (hidden)\n  listening port: {}\n"
      "  addresses: {}\n  mtu: {}\n",
      input.interface, input.backend, input.link.is_up() ? "up" : "down", keys::encode(input.device.public_key),
      input.device.listen_port, fmt::join(to_strings(input.addresses), ", "), input.link.mtu);
  for (auto const& peer : input.device.peers) {
    out += fmt::format("\npeer: {}\n", keys::encode(peer.public_key));
    if (peer.endpoint) out += fmt::format("  endpoint: {}\n", peer.endpoint->to_string());
    out += fmt::format("  allowed ips: {}\n", fmt::join(to_strings(peer.allowed_ips), ", "));
    out += fmt::format("  latest handshake: {}\n", age_text(handshake_age_seconds(peer, input.now)));
    out += fmt::format("  transfer: {} B received, {} B sent\n", peer.rx_bytes, peer.tx_bytes);
    if (peer.persistent_keepalive) out += fmt::format("  persistent keepalive: every {} seconds\n", peer.persistent_keepalive);
  }
  return out;
}

}  // namespace wgs::tunnel

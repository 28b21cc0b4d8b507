#include "enroll/edge.hpp"

#include <chrono>

#include <fmt/format.h>

#include "dns/resolve.hpp"
#include "enroll/http_client.hpp"
#include "enroll/protocol.hpp"

namespace wgs::enroll {
namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Without FLY_MACHINE_ID (outside Fly), the machine is named after its key: still unique.
std::string machine_id_of(config::Logging const& logging, keys::PublicKey const& key) {
  if (is_safe_label(logging.machine_id, max_machine_id, false)) return logging.machine_id;
  return "key-" + keys::hex(key).substr(0, 16);
}

std::string region_of(config::Logging const& logging) {
  return is_safe_label(logging.region, max_region, true) ? logging.region : std::string();
}

config::Peer copy_peer(config::Peer const& peer) {
  config::Peer out;
  out.public_key = peer.public_key;
  if (peer.preshared_key) out.preshared_key = peer.preshared_key->clone();
  out.endpoint = peer.endpoint;
  out.allowed_ips = peer.allowed_ips;
  out.persistent_keepalive = peer.persistent_keepalive;
  return out;
}

}  // namespace

config::WireGuard copy_of(config::WireGuard const& wireguard) {
  config::WireGuard out;
  auto const& in = wireguard.interface;
  out.interface.name = in.name;
  out.interface.private_key = in.private_key.clone();
  out.interface.addresses = in.addresses;
  out.interface.listen_port = in.listen_port;
  out.interface.fwmark = in.fwmark;
  out.interface.mtu_mode = in.mtu_mode;
  out.interface.mtu = in.mtu;
  out.interface.table = in.table;
  for (auto const& peer : wireguard.peers) out.peers.push_back(copy_peer(peer));
  out.backend = wireguard.backend;
  out.userspace_implementation = wireguard.userspace_implementation;
  out.source = wireguard.source;
  return out;
}

std::unique_ptr<Edge> Edge::from(config::Config const& config) {
  auto const& enrollment = config.enrollment;
  if (enrollment.mode == config::EnrollMode::off || config.wireguard.peers.empty() ||
      !config.wireguard.peers.front().endpoint) {
    return nullptr;
  }
  if (enrollment.token) return std::unique_ptr<Edge>(new Edge(config, enrollment.token->clone(), "SIDECAR_ENROLL_TOKEN"));
  auto const name = config.wireguard.source == "environment" ? std::string("WG_PRIVATE_KEY")
                                                              : config.wireguard.source + " (PrivateKey)";
  return std::unique_ptr<Edge>(new Edge(config, config.wireguard.interface.private_key.clone(), name));
}

Edge::Edge(config::Config const& config, Secret credential, std::string credential_name)
    : credential_(std::move(credential)),
      credential_public_(keys::derive_public(credential_)),
      credential_name_(std::move(credential_name)),
      hub_(config.wireguard.peers.front().public_key),
      hub_endpoint_(*config.wireguard.peers.front().endpoint),
      port_(config.enrollment.port.value_or(hub_endpoint_.port)),
      machine_id_(machine_id_of(config.logging, machine_public_)),
      region_(region_of(config.logging)) {}

std::string Edge::hub_address() const { return net::HostPort{hub_endpoint_.host, port_}.to_string(); }

Result<net::IpAddress> Edge::hub_ip(Duration timeout) {
  if (auto ip = hub_endpoint_.numeric()) return *ip;
  auto answers = dns::resolve(hub_endpoint_.host, timeout);
  if (!answers) return answers.error();
  if (answers->empty()) return make_error(fmt::format("{} has no address", hub_endpoint_.host));
  return answers->front();
}

// One POST to the hub's enrollment port, within `timeout` (name resolution included).
Result<HttpAnswer> Edge::post(std::string_view target, std::span<std::uint8_t const> body, Duration timeout) {
  auto ip = hub_ip(timeout);
  if (!ip) return make_error(fmt::format("resolving the hub: {}", ip.error().message));
  HttpRequest http;
  http.ip = *ip;
  http.port = port_;
  http.target = target;
  http.body = body;
  http.timeout = timeout;
  http.max_answer = max_envelope_size;
  return exchange(http);
}

Attempt Edge::enroll(Duration timeout) {
  EnrollRequest request;
  request.machine_key = machine_public_;
  request.sent_at_ms = now_ms();
  if (lease_) request.hint = lease_->address;
  request.machine_id = machine_id_;
  request.region = region_;
  auto sealed = seal_enroll({credential_, credential_public_}, hub_, request);
  if (!sealed) return {Outcome::refused, sealed.error().message, std::nullopt};
  auto answer = post("/v1/enroll", sealed->body, timeout);
  if (!answer) {
    auto const outcome = is_unreachable(answer.error()) ? Outcome::no_service : Outcome::failed;
    return {outcome, answer.error().message, std::nullopt};
  }
  return answer_to(answer->status, answer->body, answer->retry_after, *sealed);
}

Attempt Edge::answer_to(int status, std::string const& body, std::optional<Duration> retry_after,
                        SealedRequest const& sent) {
  if (status == 403) {
    return {Outcome::refused,
            fmt::format("the hub refused the enrollment: it does not trust {} (add its public key to the hub's "
                        "HUB_TRUST, or its [Peer] to HUB_PEERS_FILE), or WG_PEER_PUBLIC_KEY is not the hub's key",
                        credential_name_),
            std::nullopt};
  }
  if (status != 200) return {Outcome::failed, fmt::format("the hub answered HTTP {}", status), retry_after};
  auto const bytes = std::span(reinterpret_cast<std::uint8_t const*>(body.data()), body.size());
  auto grant = open_grant(bytes, {machine_key_, machine_public_}, hub_, sent.nonce);
  if (!grant) {
    return {Outcome::refused,
            fmt::format("the answer did not come from the hub WG_PEER_PUBLIC_KEY names ({})", grant.error().message),
            std::nullopt};
  }
  lease_ = EdgeLease{grant->address, std::move(grant->preshared_key), Duration(grant->expire_after_seconds * 1000ll),
                     grant->new_peer};
  return {Outcome::enrolled, fmt::format("enrolled with the hub at {} as {}", hub_address(), lease_->address.to_string()),
          std::nullopt};
}

Status Edge::leave(Duration timeout) {
  if (!lease_) return ok_status();
  auto sealed = seal_leave({machine_key_, machine_public_}, hub_, {now_ms()});
  if (!sealed) return sealed.error();
  auto answer = post("/v1/leave", *sealed, timeout);
  if (!answer) return answer.error();
  if (answer->status != 200) return make_error(fmt::format("the hub answered HTTP {}", answer->status));
  lease_.reset();
  return ok_status();
}

void Edge::apply_lease(config::WireGuard& wireguard) const {
  wireguard.interface.addresses = {net::Prefix{lease_->address, 32}};
  wireguard.peers.resize(1);  // the hub; other peers of a wg-quick file are not the fleet's
  wireguard.peers.front().preshared_key = lease_->preshared_key.clone();
}

config::WireGuard Edge::wireguard(config::WireGuard const& base) const {
  auto out = copy_of(base);
  out.interface.private_key = machine_key_.clone();
  apply_lease(out);
  return out;
}

}  // namespace wgs::enroll

#include "hub/service.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "log/log.hpp"
#include "wireguard/peer_changes.hpp"

namespace wgs::hub {
namespace {

// One fixed answer to every request that is not exactly right: a prober learns nothing.
constexpr std::string_view refused_body = "refused\n";
constexpr unsigned refusals_logged_per_second = 10;

std::vector<net::Prefix> reserved_addresses(Settings const& settings) {
  std::vector<net::Prefix> reserved = settings.wireguard.interface.addresses;
  for (auto& address : reserved) address.length = address.max_length();
  for (auto const& peer : settings.wireguard.peers) {
    reserved.insert(reserved.end(), peer.allowed_ips.begin(), peer.allowed_ips.end());
  }
  return reserved;
}

std::vector<keys::PublicKey> reserved_keys(Settings const& settings, keys::PublicKey const& hub) {
  std::vector<keys::PublicKey> keys{hub};
  for (auto const& peer : settings.wireguard.peers) keys.push_back(peer.public_key);
  return keys;
}

std::string short_key(keys::PublicKey const& key) { return keys::encode(key).substr(0, 8); }

std::string where(Lease const& lease) {
  return lease.region.empty() ? lease.machine_id : fmt::format("{} ({})", lease.machine_id, lease.region);
}

HttpReply refused_reply() { return {403, "text/plain; charset=utf-8", std::string(refused_body), {}}; }

}  // namespace

Service::Service(Settings const& settings, wireguard::Backend& device)
    : settings_(settings),
      device_(device),
      hub_key_(keys::derive_public(settings.wireguard.interface.private_key)),
      credentials_(settings.credentials.begin(), settings.credentials.end()),
      rate_(settings.rate_per_second, std::max(20.0, 2 * settings.rate_per_second)),
      leases_(Pool(settings.pool, reserved_addresses(settings)), reserved_keys(settings, hub_key_)) {
  for (auto const& peer : settings.wireguard.peers) static_keys_.insert(peer.public_key);
}

std::int64_t Service::now_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

HttpReply Service::handle(HttpRequest const& request) {
  bool const enrolling = request.target == "/v1/enroll";
  if (!enrolling && request.target != "/v1/leave") return {404, "text/plain; charset=utf-8", "not found\n", {}};
  if (request.method != "POST") return {405, "text/plain; charset=utf-8", "use POST\n", {{"Allow", "POST"}}};
  if (!rate_.allow(request.source, Clock::now())) {
    ++counters_.rejections["rate_limited"];
    return {429, "text/plain; charset=utf-8", "slow down\n", {{"Retry-After", "1"}}};
  }
  enroll::Trust const trust{[this](auto const& key) { return credentials_.contains(key); },
                            [this](auto const& key) { return leases_.has_key(key); }};
  auto const opened = enroll::open_request(request.body, {settings_.wireguard.interface.private_key, hub_key_}, trust,
                                           guard_, now_ms());
  if (auto const* refusal = std::get_if<enroll::Refusal>(&opened)) {
    return refuse(std::string(enroll::refusal_name(*refusal)), request.source);
  }
  if (auto const* from = std::get_if<enroll::EnrollFrom>(&opened)) {
    if (!enrolling) return refuse("malformed", request.source);  // an enrollment sent to /v1/leave
    return enroll(*from, request.source);
  }
  if (enrolling) return refuse("malformed", request.source);
  return leave(std::get<enroll::LeaveFrom>(opened));
}

HttpReply Service::refuse_unreadable(net::IpAddress const& source) { return refuse("malformed", source); }

// Refusals are logged without anything the client sent, and at most a few per second: a
// flood of garbage must not become a flood of log lines.
HttpReply Service::refuse(std::string const& reason, net::IpAddress const& source) {
  ++counters_.rejections[reason];
  auto const now = Clock::now();
  if (now - log_window_ >= std::chrono::seconds(1)) {
    log_window_ = now;
    logged_in_window_ = 0;
  }
  if (++logged_in_window_ <= refusals_logged_per_second) {
    log::warn("hub: refused a request from {}: {}", source.to_string(), reason);
  } else {
    ++refusals_unlogged_;
  }
  return refused_reply();
}

Status Service::add_peer(Lease const& lease, std::optional<keys::PublicKey> const& dropped) {
  std::vector<wireguard::PeerSettings> changes;
  if (dropped) {
    wireguard::PeerSettings removal;
    removal.public_key = *dropped;
    removal.remove = true;
    changes.push_back(std::move(removal));
  }
  wireguard::PeerSettings peer;
  peer.public_key = lease.key;
  peer.preshared_key = &lease.preshared_key;
  peer.allowed_ips = {net::Prefix{lease.address, 32}};
  changes.push_back(std::move(peer));
  return wireguard::set_peers(device_, std::move(changes));
}

HttpReply Service::refuse_grant(GrantRefusal refusal, enroll::EnrollRequest const& request,
                                net::IpAddress const& source) {
  if (refusal == GrantRefusal::key_taken) return refuse("key_taken", source);
  ++counters_.rejections["pool_full"];
  log::error("hub: no free address in {} for machine {}: widen HUB_POOL or lower HUB_EXPIRE_AFTER",
             settings_.pool.to_string(), request.machine_id);
  return {503, "text/plain; charset=utf-8", "no free address\n", {{"Retry-After", "30"}}};
}

Result<enroll::Bytes> Service::seal_grant_for(Granted const& granted, enroll::Nonce const& request) const {
  auto const& lease = *granted.lease;
  enroll::Grant grant;
  grant.request = request;
  grant.address = lease.address;
  grant.preshared_key = lease.preshared_key.clone();
  grant.expire_after_seconds = static_cast<std::uint32_t>(settings_.expire_after.count() / 1000);
  grant.new_peer = granted.kind != GrantKind::renewed;
  return enroll::seal_grant({settings_.wireguard.interface.private_key, hub_key_}, lease.key, grant);
}

HttpReply Service::enroll(enroll::EnrollFrom const& from, net::IpAddress const& source) {
  auto const& request = from.request;
  auto previous = leases_.copy_of(request.machine_id);
  auto const decided = leases_.grant(request, Clock::now());
  if (auto const* refusal = std::get_if<GrantRefusal>(&decided)) return refuse_grant(*refusal, request, source);
  auto const& granted = std::get<Granted>(decided);
  auto const& lease = *granted.lease;
  if (auto applied = add_peer(lease, granted.dropped_key); !applied) {
    log::error("hub: adding machine {} to {}: {}", request.machine_id, settings_.wireguard.interface.name,
               applied.error().message);
    if (granted.kind != GrantKind::renewed) leases_.undo(granted, std::move(previous));
    ++counters_.rejections["device_error"];
    return {503, "text/plain; charset=utf-8", "try again\n", {{"Retry-After", "1"}}};
  }
  auto sealed = seal_grant_for(granted, from.nonce);
  if (!sealed) return refuse("unauthenticated", source);  // a low-order machine key
  ++counters_.enrollments;
  static constexpr char const* verbs[] = {"enrolled", "renewed", "enrolled again with a new key"};
  log::info("hub: machine {} {} as {} (key {}, from {}, credential {})", where(lease),
            verbs[static_cast<int>(granted.kind)], lease.address.to_string(), short_key(lease.key), source.to_string(),
            short_key(from.credential));
  return {200, "application/octet-stream", std::string(sealed->begin(), sealed->end()), {}};
}

HttpReply Service::leave(enroll::LeaveFrom const& from) {
  auto const lease = leases_.release(from.machine_key);
  if (!lease) return refused_reply();  // left already, between the check and now
  keys::PublicKey const key[] = {lease->key};
  if (auto removed = wireguard::remove_peers(device_, key); !removed) {
    log::error("hub: removing machine {}: {}", lease->machine_id, removed.error().message);
  }
  endpoints_.forget(lease->key);
  ++counters_.leaves;
  log::info("hub: machine {} left: {} is free", where(*lease), lease->address.to_string());
  return {200, "text/plain; charset=utf-8", "left\n", {}};
}

void Service::prune(std::vector<Lease> const& expired) {
  std::vector<keys::PublicKey> keys;
  for (auto const& lease : expired) {
    keys.push_back(lease.key);
    endpoints_.forget(lease.key);
    ++counters_.prunes;
    log::info("hub: pruned machine {}: no handshake nor traffic for {}; {} is free", where(lease),
              format_duration(settings_.expire_after), lease.address.to_string());
  }
  if (keys.empty()) return;
  auto const started = Clock::now();
  if (auto removed = wireguard::remove_peers(device_, keys); !removed) {
    log::error("hub: removing pruned machines: {}", removed.error().message);
  } else if (keys.size() > 1) {
    log::info("hub: pruned {} machines; removing their peers took {:.1f} ms", keys.size(),
              std::chrono::duration<double, std::milli>(Clock::now() - started).count());
  }
}

void Service::watch_endpoints(std::vector<wireguard::PeerState> const& peers) {
  auto const now = Clock::now();
  for (auto const& peer : peers) {
    auto const shared = endpoints_.observe(peer.public_key, peer.endpoint, now);
    if (!shared) continue;
    bool const is_static = static_keys_.contains(peer.public_key);
    log::warn("hub: peer {} ({} peer) moved between {} endpoints {} times in 2 minutes ({}): two machines share "
              "its private key, and WireGuard sends each reply to whichever spoke last, so both lose requests. "
              "Fix: let each machine enroll — edges on wgsidecar with SIDECAR_ENROLL=auto (the default) enroll with "
              "that key through this hub and get keys of their own — or give each machine its own key and address",
              keys::encode(peer.public_key), is_static ? "static" : "enrolled", shared->endpoints.size(),
              shared->changes, fmt::join(shared->endpoints, ", "));
  }
}

void Service::sweep() {
  if (refusals_unlogged_ > 0) {
    log::warn("hub: refused {} more requests (not logged one by one)", refusals_unlogged_);
    refusals_unlogged_ = 0;
  }
  auto state = device_.read();
  if (!state) {
    log::warn("hub: reading {}: {}", settings_.wireguard.interface.name, state.error().message);
    return;
  }
  auto const now = Clock::now();
  leases_.observe(state->peers, now);
  prune(leases_.expire(now, settings_.expire_after));
  static_peers_seen_ = 0;
  for (auto const& peer : state->peers) static_peers_seen_ += static_keys_.contains(peer.public_key) ? 1 : 0;
  watch_endpoints(state->peers);
}

}  // namespace wgs::hub

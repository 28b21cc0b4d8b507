// What the hub tells its operator: `/status` (and `wgsidecar hub status`) and `/metrics`.
// Machine ids, regions, addresses and public keys; never a private or preshared key.
#include <fmt/format.h>

#include "hub/service.hpp"

namespace wgs::hub {
namespace {

using nlohmann::json;

constexpr char const* rejection_reasons[] = {"malformed",  "unauthenticated", "stale",        "replayed", "busy",
                                             "key_taken",  "rate_limited",    "pool_full",    "device_error"};

double seconds_since(Clock::time_point then) {
  return std::chrono::duration<double>(Clock::now() - then).count();
}

json lease_json(Lease const& lease) {
  json out = {{"machine_id", lease.machine_id},
              {"region", lease.region},
              {"address", lease.address.to_string()},
              {"public_key", keys::encode(lease.key)},
              {"enrolled_seconds_ago", static_cast<std::int64_t>(seconds_since(lease.granted_at))},
              {"silent_seconds", static_cast<std::int64_t>(seconds_since(lease.last_sign_of_life))},
              {"rx_bytes", lease.rx_bytes}};
  out["latest_handshake_age_seconds"] = nullptr;
  if (lease.last_handshake) {
    auto const age = std::chrono::system_clock::now() - *lease.last_handshake;
    out["latest_handshake_age_seconds"] = std::max<std::int64_t>(0, std::chrono::duration_cast<std::chrono::seconds>(age).count());
  }
  return out;
}

std::uint64_t count_of(std::map<std::string, std::uint64_t> const& counts, std::string const& key) {
  auto const found = counts.find(key);
  return found == counts.end() ? 0 : found->second;
}

}  // namespace

json Service::status() const {
  json machines = json::array();
  for (auto const& [id, lease] : leases_.all()) machines.push_back(lease_json(lease));
  json rejections = json::object();
  for (auto const* reason : rejection_reasons) rejections[reason] = count_of(counters_.rejections, reason);
  auto const& iface = settings_.wireguard.interface;
  return {{"interface", iface.name},
          {"public_key", keys::encode(hub_key_)},
          {"listen_port", iface.listen_port.value_or(0)},
          {"enroll_addr", settings_.enroll_listen ? json(settings_.enroll_listen->to_string()) : json(nullptr)},
          {"pool", settings_.pool.to_string()},
          {"pool_free", leases_.free_addresses()},
          {"expire_after_seconds", settings_.expire_after.count() / 1000},
          {"static_peers", settings_.wireguard.peers.size()},
          {"credentials", credentials_.size()},
          {"machines", machines},
          {"enrollments", counters_.enrollments},
          {"leaves", counters_.leaves},
          {"prunes", counters_.prunes},
          {"rejections", rejections},
          {"shared_keys_suspected", endpoints_.suspected()},
          {"uptime_seconds", static_cast<std::int64_t>(seconds_since(started_))}};
}

std::string Service::metrics() const {
  std::string out;
  auto const metric = [&out](char const* name, char const* type, char const* help) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
  };
  metric("wgsidecar_hub_peers", "gauge", "WireGuard peers on the hub's interface, by kind");
  out += fmt::format("wgsidecar_hub_peers{{kind=\"enrolled\"}} {}\n", leases_.size());
  out += fmt::format("wgsidecar_hub_peers{{kind=\"static\"}} {}\n", settings_.wireguard.peers.size());
  metric("wgsidecar_hub_pool_free_addresses", "gauge", "addresses of HUB_POOL no lease holds");
  out += fmt::format("wgsidecar_hub_pool_free_addresses {}\n", leases_.free_addresses());
  metric("wgsidecar_hub_enrollments_total", "counter", "enrollments granted (renewals included)");
  out += fmt::format("wgsidecar_hub_enrollments_total {}\n", counters_.enrollments);
  metric("wgsidecar_hub_leaves_total", "counter", "machines that left on a clean stop");
  out += fmt::format("wgsidecar_hub_leaves_total {}\n", counters_.leaves);
  metric("wgsidecar_hub_prunes_total", "counter", "machines forgotten after HUB_EXPIRE_AFTER of silence");
  out += fmt::format("wgsidecar_hub_prunes_total {}\n", counters_.prunes);
  metric("wgsidecar_hub_rejections_total", "counter", "enrollment requests refused, by reason");
  for (auto const* reason : rejection_reasons) {
    out += fmt::format("wgsidecar_hub_rejections_total{{reason=\"{}\"}} {}\n", reason, count_of(counters_.rejections, reason));
  }
  metric("wgsidecar_hub_endpoint_changes_total", "counter", "times a peer's endpoint moved to another address");
  out += fmt::format("wgsidecar_hub_endpoint_changes_total {}\n", endpoints_.changes_total());
  metric("wgsidecar_hub_shared_keys", "gauge", "peers whose endpoint flips between machines: a private key two machines share");
  out += fmt::format("wgsidecar_hub_shared_keys {}\n", endpoints_.suspected());
  metric("wgsidecar_hub_uptime_seconds", "gauge", "seconds since the hub started");
  out += fmt::format("wgsidecar_hub_uptime_seconds {:.0f}\n", seconds_since(started_));
  return out;
}

}  // namespace wgs::hub

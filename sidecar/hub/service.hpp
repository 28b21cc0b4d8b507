#pragma once
// The enrollment service: opens requests (enroll/protocol.hpp), keeps the leases
// (leases.hpp) and applies each decision to the hub's WireGuard device at once — a machine's
// peer is there before its grant is sent, and gone before its leave is answered. The sweep
// reads the device: it prunes silent machines and names keys that two machines share.
// Single-threaded: everything runs on the hub's io_context.
#include <chrono>
#include <cstdint>
#include <map>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "enroll/protocol.hpp"
#include "hub/endpoint_watch.hpp"
#include "hub/http_server.hpp"
#include "hub/leases.hpp"
#include "hub/rate_limit.hpp"
#include "hub/settings.hpp"
#include "wireguard/backend.hpp"

namespace wgs::hub {

struct Counters {
  std::uint64_t enrollments = 0;  // grants, renewals included
  std::uint64_t leaves = 0;
  std::uint64_t prunes = 0;
  std::map<std::string, std::uint64_t> rejections;  // by reason
};

class Service {
 public:
  // `settings` and `device` must outlive the service.
  Service(Settings const& settings, wireguard::Backend& device);

  // The public port: POST /v1/enroll and /v1/leave.
  HttpReply handle(HttpRequest const& request);
  HttpReply refuse_unreadable(net::IpAddress const& source);
  // Every sweep interval: prune, watch endpoints.
  void sweep();

  nlohmann::json status() const;
  std::string metrics() const;
  Counters const& counters() const { return counters_; }
  std::size_t enrolled() const { return leases_.size(); }

 private:
  HttpReply enroll(enroll::EnrollFrom const& from, net::IpAddress const& source);
  HttpReply leave(enroll::LeaveFrom const& from);
  HttpReply refuse(std::string const& reason, net::IpAddress const& source);
  HttpReply refuse_grant(GrantRefusal refusal, enroll::EnrollRequest const& request, net::IpAddress const& source);
  Result<enroll::Bytes> seal_grant_for(Granted const& granted, enroll::Nonce const& request) const;
  Status add_peer(Lease const& lease, std::optional<keys::PublicKey> const& dropped);
  void prune(std::vector<Lease> const& expired);
  void watch_endpoints(std::vector<wireguard::PeerState> const& peers);
  std::int64_t now_ms() const;

  Settings const& settings_;
  wireguard::Backend& device_;
  keys::PublicKey hub_key_;
  std::set<keys::PublicKey> credentials_;
  std::set<keys::PublicKey> static_keys_;
  enroll::ReplayGuard guard_;
  RateLimit rate_;
  Leases leases_;
  EndpointWatch endpoints_;
  Counters counters_;
  std::size_t static_peers_seen_ = 0;
  std::uint64_t refusals_unlogged_ = 0;  // refusals past the log budget, said at the next sweep
  Clock::time_point log_window_{};
  unsigned logged_in_window_ = 0;
  Clock::time_point const started_ = Clock::now();
};

}  // namespace wgs::hub

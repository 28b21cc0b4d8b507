#pragma once
// A machine's side of a fleet. At start it makes its own WireGuard key pair (in guarded,
// locked memory: never on disk, in argv or in any environment) and asks the hub it pins
// (WG_PEER_PUBLIC_KEY, at WG_PEER_ENDPOINT's host) for an address, proving it holds the
// fleet's credential (SIDECAR_ENROLL_TOKEN, else the seed's shared WG_PRIVATE_KEY). The
// tunnel then runs on the machine's own key, address and a preshared key the hub made for it.
// It enrolls again when the hub has forgotten it (the monitor's `enroll` step) and leaves
// when it stops.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "config/config.hpp"
#include "enroll/http_client.hpp"
#include "enroll/protocol.hpp"
#include "keys/keys.hpp"
#include "keys/secret.hpp"
#include "net/address.hpp"
#include "util/duration.hpp"
#include "util/result.hpp"

namespace wgs::enroll {

struct EdgeLease {
  net::IpAddress address;
  Secret preshared_key;
  Duration expire_after{0};
  bool new_peer = true;  // the hub's peer is new: the machine's old session is useless
};

enum class Outcome {
  enrolled,    // the hub granted a lease
  no_service,  // nothing listens for enrollment at the hub (a plain WireGuard hub)
  refused,     // the hub does not take this credential, or it is not the hub we pin
  failed,      // anything else (busy, a network error after connecting): worth retrying
};

struct Attempt {
  Outcome outcome = Outcome::failed;
  std::string detail;
  std::optional<Duration> retry_after;
};

class Edge {
 public:
  // nullptr when SIDECAR_ENROLL=off.
  static std::unique_ptr<Edge> from(config::Config const& config);

  Attempt enroll(Duration timeout);
  Status leave(Duration timeout);

  bool is_enrolled() const { return lease_.has_value(); }
  EdgeLease const& lease() const { return *lease_; }
  std::string const& machine_id() const { return machine_id_; }
  std::string const& credential_name() const { return credential_name_; }
  std::string hub_address() const;  // where enrollment goes: "203.0.113.7:51820"

  // `base` on this machine's identity: its key, its address, the lease's preshared key;
  // the first peer (the hub) keeps its endpoint, allowed IPs and keepalive.
  config::WireGuard wireguard(config::WireGuard const& base) const;
  // The same change made in place to an identity that is already this machine's.
  void apply_lease(config::WireGuard& wireguard) const;

 private:
  Edge(config::Config const& config, Secret credential, std::string credential_name);
  Result<net::IpAddress> hub_ip(Duration timeout);
  Result<HttpAnswer> post(std::string_view target, std::span<std::uint8_t const> body, Duration timeout);
  Attempt answer_to(int status, std::string const& body, std::optional<Duration> retry_after, SealedRequest const& sent);

  Secret machine_key_ = keys::generate_private();
  keys::PublicKey machine_public_ = keys::derive_public(machine_key_);
  Secret credential_;
  keys::PublicKey credential_public_;
  std::string credential_name_;  // SIDECAR_ENROLL_TOKEN or WG_PRIVATE_KEY (or the file's PrivateKey)
  keys::PublicKey hub_;
  net::HostPort hub_endpoint_;
  std::uint16_t port_;
  std::string machine_id_;
  std::string region_;
  std::optional<EdgeLease> lease_;
};

// A copy of a WireGuard configuration (its secrets copied into new guarded memory).
config::WireGuard copy_of(config::WireGuard const& wireguard);

}  // namespace wgs::enroll

#pragma once
// Who holds which address: one lease per machine (FLY_MACHINE_ID), each with the machine's
// own WireGuard key, its address and a preshared key made for it. Pure bookkeeping — the
// service applies each decision to the device. Soft state: nothing here is written down;
// after a hub restart the machines enroll again and the table fills back up.
//
// The rules: a machine enrolling again with the same key renews its lease; with a new key
// (it restarted) it keeps its address and its old key is dropped. A key enrolled for one
// machine is never given to another, nor is an address while its lease lives. A lease
// lives while its peer shows signs of life: a newer handshake or more received bytes than
// the last look; `expire_after` without either ends it.
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "enroll/messages.hpp"
#include "hub/pool.hpp"
#include "keys/keys.hpp"
#include "keys/secret.hpp"
#include "util/duration.hpp"
#include "util/result.hpp"
#include "wireguard/device.hpp"

namespace wgs::hub {

using Clock = std::chrono::steady_clock;

struct Lease {
  std::string machine_id;
  std::string region;
  keys::PublicKey key{};
  net::IpAddress address;
  Secret preshared_key;
  Clock::time_point granted_at{};
  Clock::time_point last_sign_of_life{};
  std::optional<std::chrono::system_clock::time_point> last_handshake;
  std::uint64_t rx_bytes = 0;
};

enum class GrantKind { new_lease, renewed, new_key };

struct Granted {
  Lease const* lease = nullptr;
  GrantKind kind = GrantKind::new_lease;
  std::optional<keys::PublicKey> dropped_key;  // the machine's previous key (new_key)
};

enum class GrantRefusal { key_taken, pool_full };

class Leases {
 public:
  // `reserved_keys`: the hub's own and its static peers' keys, never given to a machine.
  Leases(Pool pool, std::vector<keys::PublicKey> reserved_keys);

  std::variant<Granted, GrantRefusal> grant(enroll::EnrollRequest const& request, Clock::time_point now);
  // Undoes a grant the device refused: back to what was there before.
  void undo(Granted const& granted, std::optional<Lease> previous);
  std::optional<Lease> copy_of(std::string const& machine_id) const;
  // A machine leaving: its lease, taken out.
  std::optional<Lease> release(keys::PublicKey const& key);
  // The device as the sweep read it: signs of life move each lease's clock.
  void observe(std::vector<wireguard::PeerState> const& peers, Clock::time_point now);
  // Leases silent for `expire_after`, taken out.
  std::vector<Lease> expire(Clock::time_point now, Duration expire_after);

  bool has_key(keys::PublicKey const& key) const { return by_key_.contains(key); }
  std::size_t size() const { return by_machine_.size(); }
  std::size_t free_addresses() const { return capacity_ - by_machine_.size(); }
  std::map<std::string, Lease> const& all() const { return by_machine_; }

 private:
  Lease& insert(Lease lease);
  void erase(std::map<std::string, Lease>::iterator at);

  Pool pool_;
  std::size_t capacity_;
  std::vector<keys::PublicKey> reserved_keys_;
  std::map<std::string, Lease> by_machine_;
  std::map<keys::PublicKey, std::string> by_key_;
  std::map<std::uint32_t, std::string> by_address_;
};

}  // namespace wgs::hub

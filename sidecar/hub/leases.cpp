#include "hub/leases.hpp"

#include <algorithm>

namespace wgs::hub {

Leases::Leases(Pool pool, std::vector<keys::PublicKey> reserved_keys)
    : pool_(std::move(pool)), capacity_(pool_.capacity()), reserved_keys_(std::move(reserved_keys)) {}

Lease& Leases::insert(Lease lease) {
  by_key_[lease.key] = lease.machine_id;
  by_address_[to_u32(lease.address)] = lease.machine_id;
  auto const id = lease.machine_id;
  return by_machine_.insert_or_assign(id, std::move(lease)).first->second;
}

void Leases::erase(std::map<std::string, Lease>::iterator at) {
  by_key_.erase(at->second.key);
  by_address_.erase(to_u32(at->second.address));
  by_machine_.erase(at);
}

std::variant<Granted, GrantRefusal> Leases::grant(enroll::EnrollRequest const& request, Clock::time_point now) {
  auto const& key = request.machine_key;
  bool const reserved = std::find(reserved_keys_.begin(), reserved_keys_.end(), key) != reserved_keys_.end();
  auto const holder = by_key_.find(key);
  if (reserved || (holder != by_key_.end() && holder->second != request.machine_id)) return GrantRefusal::key_taken;
  auto const existing = by_machine_.find(request.machine_id);
  if (existing != by_machine_.end()) {
    auto& lease = existing->second;
    lease.region = request.region;
    lease.last_sign_of_life = now;
    if (lease.key == key) return Granted{&lease, GrantKind::renewed, std::nullopt};
    auto const dropped = lease.key;
    by_key_.erase(dropped);
    lease.key = key;
    lease.preshared_key = keys::generate_preshared();
    lease.last_handshake.reset();
    lease.rx_bytes = 0;
    by_key_[key] = lease.machine_id;
    return Granted{&lease, GrantKind::new_key, dropped};
  }
  auto const address = pool_.choose(request.machine_id, request.hint,
                                    [this](net::IpAddress const& a) { return by_address_.contains(to_u32(a)); });
  if (!address) return GrantRefusal::pool_full;
  Lease lease{request.machine_id, request.region, key, *address, keys::generate_preshared(), now, now, {}, 0};
  return Granted{&insert(std::move(lease)), GrantKind::new_lease, std::nullopt};
}

std::optional<Lease> Leases::copy_of(std::string const& machine_id) const {
  auto const found = by_machine_.find(machine_id);
  if (found == by_machine_.end()) return std::nullopt;
  auto const& lease = found->second;
  return Lease{lease.machine_id, lease.region, lease.key, lease.address, lease.preshared_key.clone(),
               lease.granted_at, lease.last_sign_of_life, lease.last_handshake, lease.rx_bytes};
}

void Leases::undo(Granted const& granted, std::optional<Lease> previous) {
  auto const at = by_machine_.find(granted.lease->machine_id);
  if (at != by_machine_.end()) erase(at);
  if (previous) insert(std::move(*previous));
}

std::optional<Lease> Leases::release(keys::PublicKey const& key) {
  auto const holder = by_key_.find(key);
  if (holder == by_key_.end()) return std::nullopt;
  auto const at = by_machine_.find(holder->second);
  Lease lease = std::move(at->second);
  erase(at);
  return lease;
}

void Leases::observe(std::vector<wireguard::PeerState> const& peers, Clock::time_point now) {
  for (auto const& peer : peers) {
    auto const holder = by_key_.find(peer.public_key);
    if (holder == by_key_.end()) continue;
    auto& lease = by_machine_.at(holder->second);
    bool const newer_handshake = peer.last_handshake && peer.last_handshake != lease.last_handshake;
    if (newer_handshake || peer.rx_bytes > lease.rx_bytes) lease.last_sign_of_life = now;
    lease.last_handshake = peer.last_handshake;
    lease.rx_bytes = peer.rx_bytes;
  }
}

std::vector<Lease> Leases::expire(Clock::time_point now, Duration expire_after) {
  std::vector<Lease> expired;
  for (auto at = by_machine_.begin(); at != by_machine_.end();) {
    auto const next = std::next(at);
    if (now - at->second.last_sign_of_life >= expire_after) {
      expired.push_back(std::move(at->second));
      erase(at);
    }
    at = next;
  }
  return expired;
}

}  // namespace wgs::hub

#pragma once
// Names a private key that two machines share. WireGuard knows a peer only by its key and
// sends every reply to the endpoint it heard from last, so two machines on one key make the
// peer's endpoint flip between their addresses (and each loses the other's replies). A
// NAT rebinding moves an endpoint once; `flips` changes within `within`, between at least
// two addresses, is sharing. Pure; the sweep feeds it each peer's endpoint as it reads them.
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "keys/keys.hpp"
#include "wireguard/device.hpp"

namespace wgs::hub {

struct SharedKey {
  keys::PublicKey key{};
  std::set<std::string> endpoints;  // the addresses it flipped between
  std::size_t changes = 0;
};

class EndpointWatch {
 public:
  using Clock = std::chrono::steady_clock;
  explicit EndpointWatch(std::size_t flips = 4, std::chrono::seconds within = std::chrono::seconds(120))
      : flips_(flips), within_(within) {}

  // The endpoint of `key` as read at `now`: a SharedKey the first time it crosses the line
  // (one alarm per episode; quiet for `within` ends the episode).
  std::optional<SharedKey> observe(keys::PublicKey const& key, std::optional<wireguard::Endpoint> const& endpoint,
                                   Clock::time_point now);
  void forget(keys::PublicKey const& key) { peers_.erase(key); }
  std::uint64_t changes_total() const { return changes_total_; }
  std::size_t suspected() const;

 private:
  struct Seen {
    std::optional<wireguard::Endpoint> last;
    std::deque<std::pair<Clock::time_point, std::string>> changes;
    bool alarmed = false;
  };
  std::size_t flips_;
  std::chrono::seconds within_;
  std::map<keys::PublicKey, Seen> peers_;
  std::uint64_t changes_total_ = 0;
};

}  // namespace wgs::hub

#include "hub/endpoint_watch.hpp"

#include <algorithm>

namespace wgs::hub {

std::optional<SharedKey> EndpointWatch::observe(keys::PublicKey const& key,
                                                std::optional<wireguard::Endpoint> const& endpoint,
                                                Clock::time_point now) {
  auto& seen = peers_[key];
  while (!seen.changes.empty() && now - seen.changes.front().first > within_) seen.changes.pop_front();
  if (seen.changes.empty()) seen.alarmed = false;
  bool const moved = endpoint && seen.last && *endpoint != *seen.last;
  if (endpoint) seen.last = endpoint;
  if (!moved) return std::nullopt;
  ++changes_total_;
  seen.changes.emplace_back(now, endpoint->to_string());
  std::set<std::string> addresses;
  for (auto const& change : seen.changes) addresses.insert(change.second);
  if (seen.alarmed || seen.changes.size() < flips_ || addresses.size() < 2) return std::nullopt;
  seen.alarmed = true;
  return SharedKey{key, std::move(addresses), seen.changes.size()};
}

std::size_t EndpointWatch::suspected() const {
  return static_cast<std::size_t>(
      std::count_if(peers_.begin(), peers_.end(), [](auto const& entry) { return entry.second.alarmed; }));
}

}  // namespace wgs::hub

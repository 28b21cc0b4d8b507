#include "enroll/shared_key_signs.hpp"

#include <fmt/format.h>

namespace wgs::enroll {
namespace {

constexpr std::size_t handshakes_needed = 3;  // a healthy tunnel makes one in 2 minutes
constexpr std::size_t unanswered_needed = 3;
constexpr auto window = std::chrono::minutes(2);
constexpr auto same_handshake = std::chrono::seconds(1);  // ages are read at probe times
constexpr auto quiet_after_warning = std::chrono::minutes(10);

void forget_before(std::deque<SharedKeySigns::Clock::time_point>& times, SharedKeySigns::Clock::time_point limit) {
  while (!times.empty() && times.front() < limit) times.pop_front();
}

}  // namespace

std::optional<std::string> SharedKeySigns::observe(Clock::time_point at, bool replied,
                                                   std::optional<Duration> handshake_age) {
  if (handshake_age) {
    auto const instant = at - *handshake_age;
    if (!last_handshake_ || instant - *last_handshake_ > same_handshake) handshakes_.push_back(at);
    last_handshake_ = instant;
  }
  if (!replied) unanswered_.push_back(at);
  forget_before(handshakes_, at - window);
  forget_before(unanswered_, at - window);
  if (handshakes_.size() < handshakes_needed || unanswered_.size() < unanswered_needed) return std::nullopt;
  if (warned_at_ && at - *warned_at_ < quiet_after_warning) return std::nullopt;
  warned_at_ = at;
  return fmt::format(
      "pings through the tunnel go unanswered although the hub completed {} handshakes with this machine in 2 minutes "
      "(a healthy tunnel needs one): another machine is probably using the same private key (every machine of a Fly "
      "app gets the same secrets), and the hub sends each reply to whichever machine spoke last. Give each machine "
      "its own identity: run `wgsidecar hub` on the hub (README, Fleet). Or the hub does not route this edge's "
      "address (its AllowedIPs)",
      handshakes_.size());
}

}  // namespace wgs::enroll

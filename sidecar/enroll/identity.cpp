#include "enroll/identity.hpp"

#include "log/log.hpp"

namespace wgs::enroll {

Identity settle_identity(config::Config const& config, Edge* edge) {
  if (edge == nullptr) return {copy_of(config.wireguard), false, {}, std::nullopt};
  bool const automatic = config.enrollment.mode == config::EnrollMode::automatic;
  auto const attempt = edge->enroll(automatic ? auto_deadline : required_deadline);
  switch (attempt.outcome) {
    case Outcome::enrolled:
      log::info("{}: machine {} has a WireGuard key of its own (made at start, never stored) and the address {} "
                "(WG_ADDRESS is not used)",
                attempt.detail, edge->machine_id(), edge->lease().address.to_string());
      return {edge->wireguard(config.wireguard), false, {}, std::nullopt};
    case Outcome::no_service:
      if (!automatic) break;
      log::warn("the hub at {} does not enroll machines ({}): this machine runs on {} as its one identity, as with a "
                "plain WireGuard hub. That serves exactly one machine: a second one with the same secrets takes its "
                "sessions. For a fleet, run `wgsidecar hub` on the hub (README, Fleet); SIDECAR_ENROLL=off skips "
                "this check",
                edge->hub_address(), attempt.detail, edge->credential_name());
      return {copy_of(config.wireguard), false, {}, std::nullopt};
    case Outcome::refused:
      return {std::nullopt, true, attempt.detail, std::nullopt};
    case Outcome::failed:
      break;
  }
  auto const problem = fmt::format("enrolling with the hub at {}: {}{}", edge->hub_address(), attempt.detail,
                                   automatic ? "" : " (SIDECAR_ENROLL=required)");
  return {std::nullopt, false, problem, attempt.retry_after};
}

}  // namespace wgs::enroll

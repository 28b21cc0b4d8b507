#include "health/admission.hpp"

#include <algorithm>
#include <map>
#include <optional>

namespace wgs::health {
namespace {

using Kind = Admission::Kind;

std::optional<std::size_t> oldest_idle_of(std::vector<Occupant> const& open, std::string const& source) {
  for (std::size_t i = 0; i < open.size(); ++i) {
    if (open[i].idle && open[i].source == source) return i;
  }
  return std::nullopt;
}

// The oldest idle connection of the address holding the most connections.
std::optional<std::size_t> heaviest_idle(std::vector<Occupant> const& open) {
  std::map<std::string, std::size_t> held;
  for (auto const& occupant : open) ++held[occupant.source];
  std::optional<std::size_t> victim;
  for (std::size_t i = 0; i < open.size(); ++i) {
    if (!open[i].idle) continue;
    if (!victim || held[open[i].source] > held[open[*victim].source]) victim = i;
  }
  return victim;
}

Admission evict_or_refuse(std::optional<std::size_t> victim) {
  return victim ? Admission{Kind::evict, *victim} : Admission{Kind::refuse, 0};
}

}  // namespace

Admission admit(std::vector<Occupant> const& open, std::string const& source, Limits const& limits) {
  auto const same = static_cast<std::size_t>(
      std::count_if(open.begin(), open.end(), [&](auto const& occupant) { return occupant.source == source; }));
  if (same >= limits.max_per_source) return evict_or_refuse(oldest_idle_of(open, source));
  if (open.size() < limits.max_connections) return {Kind::admit, 0};
  return evict_or_refuse(heaviest_idle(open));
}

}  // namespace wgs::health

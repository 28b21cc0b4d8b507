#pragma once
// What the configuration tests share: the seed's variables, and ways to read the problems.
#include <algorithm>
#include <string>
#include <vector>

#include "config/load.hpp"

namespace wgs::config_test {

// The keys published in the seed document (made by `wg genkey`), so failures are reproducible.
inline constexpr char const* edge_private = "QHgup1SNdoXT2X1SH8OoKbIhQfayX/7+lGCDNcmyPHY=";
inline constexpr char const* edge_public = "92tt1di3bnUt9C5JGTW6CifmkebGmzAx5A4Rv+pXaCg=";
inline constexpr char const* hub_public = "Q9T4p88puHFgI8P8vLGjECvoXr85o5uncZQ2G35vE14=";

inline config::Environment seed_environment() {
  return {{"WG_PRIVATE_KEY", edge_private},
          {"WG_PEER_PUBLIC_KEY", hub_public},
          {"WG_PEER_ENDPOINT", "203.0.113.7:51820"},
          {"DB_HOST", "10.50.0.1"},
          {"DB_PASSWORD", "EdgeProxy2024"}};
}

inline std::vector<std::string> problem_texts(config::Problems const& problems) {
  std::vector<std::string> out;
  for (auto const& p : problems.list()) out.push_back(p.to_string());
  return out;
}

inline std::vector<std::string> problem_texts(config::Loaded const& loaded) { return problem_texts(loaded.problems); }

inline bool has_problem(config::Loaded const& loaded, std::string const& where, std::string const& fragment) {
  auto const& list = loaded.problems.list();
  return std::any_of(list.begin(), list.end(), [&](auto const& p) {
    return p.where == where && p.what.find(fragment) != std::string::npos;
  });
}

// Whether `text` holds any 10-character piece of `secret` (all of it when shorter): an error
// that quotes 43 of a key's 44 characters leaks the key as surely as one that quotes it whole.
inline bool holds_part_of(std::string const& text, std::string const& secret) {
  auto const window = std::min<std::size_t>(10, secret.size());
  for (std::size_t i = 0; window > 0 && i + window <= secret.size(); ++i) {
    if (text.find(secret.substr(i, window)) != std::string::npos) return true;
  }
  return false;
}

}  // namespace wgs::config_test

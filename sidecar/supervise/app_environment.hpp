#pragma once
// The environment the app receives: ours minus the WireGuard secrets, which only
// wgsidecar needs. The database variables stay — the app needs them.
#include <string>
#include <vector>

#include "config/environment.hpp"

namespace wgs::supervise {

// Removed unless listed in SIDECAR_KEEP_ENV.
inline constexpr char const* secret_variables[] = {"WG_PRIVATE_KEY", "WG_PRESHARED_KEY", "WG_CONFIG",
                                                   "SIDECAR_ENROLL_TOKEN"};

// "NAME=value" strings for execve, in the map's order.
std::vector<std::string> app_environment(config::Environment const& env, std::vector<std::string> const& keep);

}  // namespace wgs::supervise

#pragma once
// The environment the app receives: ours minus the secrets only wgsidecar needs (the
// WireGuard keys, a wg-quick file, an enrollment token). The database variables stay — the
// app needs them. Kept in locked memory: the app may be started again (on-failure).
#include <string>
#include <vector>

#include "config/environment.hpp"
#include "keys/locked_memory.hpp"

namespace wgs::supervise {

// "NAME=value" strings for execve, in the map's order. A supervisor-only secret (see
// config/secret_variables.hpp) is left out unless `keep` (SIDECAR_KEEP_ENV) names it.
LockedStrings app_environment(config::Environment const& env, std::vector<std::string> const& keep);

}  // namespace wgs::supervise

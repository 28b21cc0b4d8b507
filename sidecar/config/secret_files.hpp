#pragma once
// Secrets from files, as containers mount them (Docker and Kubernetes secrets, a Fly
// [[files]] entry): every secret variable NAME also accepts NAME_FILE=/path, as the official
// postgres image does.
#include <array>
#include <string_view>

#include "config/environment.hpp"
#include "config/problems.hpp"

namespace wgs::config {

// Every variable whose value is a secret. A new secret setting is named here and so accepts
// NAME_FILE like the others.
inline constexpr std::array<std::string_view, 6> secret_variables = {
    "WG_PRIVATE_KEY", "WG_PRESHARED_KEY", "WG_CONFIG", "DB_PASSWORD", "DATABASE_URL", "DATABASE_READ_REPLICA_URL",
};

// The environment with each NAME_FILE's content as NAME, trailing newlines stripped. Later
// problems with that content are reported under NAME_FILE; a file that cannot be used is
// reported once, and nothing that follows from its absence is.
Environment with_secret_files(Environment env, Problems& problems);

}  // namespace wgs::config

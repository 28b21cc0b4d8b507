#pragma once
// Every environment variable that holds a secret, in one place: the supervisor wipes them
// all from its own environment once the configuration is read, and the app receives only
// those it needs. A secret given as NAME_FILE=/path is NAME's: the file's content is the
// secret, and the path goes where NAME would.
#include <string_view>

namespace wgs::config {

enum class SecretUse {
  supervisor,  // only wgsidecar needs it; the app never sees it (unless SIDECAR_KEEP_ENV names it)
  app,         // the app needs it too (its database password): it stays in the app's environment
};

struct SecretVariable {
  std::string_view name;
  SecretUse use;
};

inline constexpr SecretVariable secret_variables[] = {
    {"WG_PRIVATE_KEY", SecretUse::supervisor},
    {"WG_PRESHARED_KEY", SecretUse::supervisor},
    {"WG_CONFIG", SecretUse::supervisor},  // a wg-quick file holds PrivateKey and PresharedKey
    {"SIDECAR_ENROLL_TOKEN", SecretUse::supervisor},  // the enrollment credential a hub hands out
    {"DB_PASSWORD", SecretUse::app},
    {"PGPASSWORD", SecretUse::app},  // libpq's own name for it
    {"DATABASE_URL", SecretUse::app},  // postgresql://user:password@...
    {"DATABASE_READ_REPLICA_URL", SecretUse::app},
};

// The entry for `name` (or for NAME when `name` is NAME_FILE); nullptr when it holds no secret.
SecretVariable const* find_secret_variable(std::string_view name);

// Zeroes every secret variable's "NAME=value" in this process's environment block, where
// /proc/<pid>/environ reads it, and takes it out of `environ`. Call once the environment has
// been read, before any thread starts (getenv must not run concurrently).
void wipe_secrets_from_process_environment();

}  // namespace wgs::config

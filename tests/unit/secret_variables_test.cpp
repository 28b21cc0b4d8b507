#include <doctest/doctest.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <cstring>

#include "config/load.hpp"
#include "config/secret_variables.hpp"
#include "keys/locked_memory.hpp"

using namespace wgs;

TEST_CASE("secret variables, and NAME_FILE as NAME") {
  struct Case {
    char const* name;
    bool secret;
    config::SecretUse use;
  };
  Case const cases[] = {
      {"WG_PRIVATE_KEY", true, config::SecretUse::supervisor},
      {"WG_PRIVATE_KEY_FILE", true, config::SecretUse::supervisor},
      {"WG_PRESHARED_KEY", true, config::SecretUse::supervisor},
      {"WG_CONFIG", true, config::SecretUse::supervisor},
      {"SIDECAR_ENROLL_TOKEN", true, config::SecretUse::supervisor},
      {"DB_PASSWORD", true, config::SecretUse::app},
      {"DB_PASSWORD_FILE", true, config::SecretUse::app},
      {"DATABASE_URL", true, config::SecretUse::app},
      {"DATABASE_READ_REPLICA_URL", true, config::SecretUse::app},
      {"WG_ADDRESS", false, config::SecretUse::app},
      {"DB_HOST", false, config::SecretUse::app},
      {"WG_PRIVATE_KEYS", false, config::SecretUse::app},
      {"_FILE", false, config::SecretUse::app},
  };
  for (auto const& c : cases) {
    CAPTURE(c.name);
    auto const* found = config::find_secret_variable(c.name);
    CHECK((found != nullptr) == c.secret);
    if (found != nullptr) CHECK(found->use == c.use);
  }
}

TEST_CASE("the secrets are zeroed where they were in the process environment, and gone from getenv") {
  ::setenv("WG_PRIVATE_KEY", "not-really-a-key", 1);
  ::setenv("DB_PASSWORD", "hunter2", 1);
  ::setenv("WGS_TEST_PLAIN", "stays", 1);
  char* const key_entry = ::getenv("WG_PRIVATE_KEY") - std::strlen("WG_PRIVATE_KEY=");
  char* const password_entry = ::getenv("DB_PASSWORD") - std::strlen("DB_PASSWORD=");
  config::wipe_secrets_from_process_environment();
  CHECK(::getenv("WG_PRIVATE_KEY") == nullptr);
  CHECK(::getenv("DB_PASSWORD") == nullptr);
  CHECK(std::string(::getenv("WGS_TEST_PLAIN")) == "stays");
  // glibc never frees what setenv allocated: the bytes are still there to look at.
  CHECK(std::all_of(key_entry, key_entry + std::strlen("WG_PRIVATE_KEY=not-really-a-key"), [](char c) { return c == 0; }));
  CHECK(std::all_of(password_entry, password_entry + std::strlen("DB_PASSWORD=hunter2"), [](char c) { return c == 0; }));
  ::unsetenv("WGS_TEST_PLAIN");
}

TEST_CASE("locked memory is zeroed as soon as a block is freed") {
  auto* first = static_cast<char*>(locked::allocate(64));
  auto* second = static_cast<char*>(locked::allocate(64));  // keeps the chunk alive
  CHECK(reinterpret_cast<std::uintptr_t>(first) % 16 == 0);
  std::memset(first, 'k', 64);
  locked::deallocate(first, 64);
  CHECK(std::all_of(first, first + 64, [](char c) { return c == 0; }));
  locked::deallocate(second, 64);

  config::Environment env = {{"DB_PASSWORD", "a password longer than the small-string buffer"}};
  env["WG_PRIVATE_KEY"] = std::string("QHgup1SNdoXT2X1SH8OoKbIhQfayX/7+lGCDNcmyPHY=");
  CHECK(config::lookup(env, "WG_PRIVATE_KEY") == "QHgup1SNdoXT2X1SH8OoKbIhQfayX/7+lGCDNcmyPHY=");
  CHECK_FALSE(config::lookup(env, "WG_PRESHARED_KEY"));
}

TEST_CASE("SIDECAR_APP_*: user, kept capabilities, parent-death signal") {
  config::Environment env = {{"WG_PRIVATE_KEY", "QHgup1SNdoXT2X1SH8OoKbIhQfayX/7+lGCDNcmyPHY="},
                             {"WG_PEER_PUBLIC_KEY", "Q9T4p88puHFgI8P8vLGjECvoXr85o5uncZQ2G35vE14="},
                             {"WG_PEER_ENDPOINT", "203.0.113.7:51820"}};
  auto const plain = config::load(env);
  REQUIRE(plain.problems.empty());
  CHECK_FALSE(plain.config.supervision.app_user);
  CHECK(plain.config.supervision.app_capabilities == process::docker_default_capabilities());
  CHECK(plain.config.supervision.app_parent_death_signal == 0);

  env["SIDECAR_APP_USER"] = "65534:65534";
  env["SIDECAR_APP_PARENT_DEATH_SIGNAL"] = "SIGKILL";
  auto const unprivileged = config::load(env);
  REQUIRE(unprivileged.problems.empty());
  CHECK(unprivileged.config.supervision.app_user->to_string() == "65534:65534");
  CHECK(unprivileged.config.supervision.app_parent_death_signal == SIGKILL);

  env.erase("SIDECAR_APP_USER");
  env["SIDECAR_APP_KEEP_CAPS"] = "net_admin";
  env["SIDECAR_APP_PARENT_DEATH_SIGNAL"] = "15";
  auto const root = config::load(env);
  REQUIRE(root.problems.empty());
  CHECK(root.config.supervision.app_capabilities ==
        (process::docker_default_capabilities() | (process::Capabilities{1} << 12)));
  CHECK(root.config.supervision.app_parent_death_signal == SIGTERM);

  struct Case {
    char const* variable;
    char const* value;
    char const* fragment;
  };
  Case const cases[] = {
      {"SIDECAR_APP_USER", "1:2:3", "one colon"},
      {"SIDECAR_APP_USER", "", "set but empty"},
      {"SIDECAR_APP_KEEP_CAPS", "net_admin,flying", "'flying' is not a capability"},
      {"SIDECAR_APP_PARENT_DEATH_SIGNAL", "SIGNOPE", "must be a signal"},
      {"SIDECAR_APP_PARENT_DEATH_SIGNAL", "99", "must be a signal"},
  };
  for (auto const& c : cases) {
    CAPTURE(c.value);
    auto bad = env;
    bad[c.variable] = c.value;
    auto const loaded = config::load(bad);
    REQUIRE(loaded.problems.list().size() == 1);
    CHECK(loaded.problems.list()[0].where == c.variable);
    CHECK(loaded.problems.list()[0].what.find(c.fragment) != std::string::npos);
  }
  auto root_again = env;
  root_again["SIDECAR_APP_USER"] = "root";  // undoes an image's setting
  auto const undone = config::load(root_again);
  REQUIRE(undone.problems.empty());
  CHECK_FALSE(undone.config.supervision.app_user);

  auto both = env;
  both["SIDECAR_APP_USER"] = "65534";
  auto const conflicting = config::load(both);
  REQUIRE(conflicting.problems.list().size() == 1);
  CHECK(conflicting.problems.list()[0].what.find("runs as root") != std::string::npos);
}

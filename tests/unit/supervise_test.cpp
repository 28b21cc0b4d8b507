#include <doctest/doctest.h>
#include <sys/wait.h>

#include <algorithm>

#include "supervise/app_environment.hpp"
#include "supervise/exit_status.hpp"
#include "supervise/spawn.hpp"

using namespace wgs;

namespace {

bool contains(LockedStrings const& list, std::string_view item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

}  // namespace

TEST_CASE("the app's environment loses the WireGuard secrets and keeps the database") {
  config::Environment const env = {{"WG_PRIVATE_KEY", "k"}, {"WG_PRESHARED_KEY", "p"}, {"WG_CONFIG", "c"},
                                   {"WG_PRIVATE_KEY_FILE", "/run/secrets/key"}, {"SIDECAR_ENROLL_TOKEN", "t"},
                                   {"WG_ADDRESS", "10.50.3.10/32"}, {"DB_PASSWORD", "pw"},
                                   {"DATABASE_URL", "postgresql://x"}, {"PATH", "/bin"}};
  auto const app = supervise::app_environment(env, {});
  CHECK_FALSE(contains(app, "WG_PRIVATE_KEY=k"));
  CHECK_FALSE(contains(app, "WG_PRESHARED_KEY=p"));
  CHECK_FALSE(contains(app, "WG_CONFIG=c"));
  CHECK_FALSE(contains(app, "WG_PRIVATE_KEY_FILE=/run/secrets/key"));
  CHECK_FALSE(contains(app, "SIDECAR_ENROLL_TOKEN=t"));
  CHECK(contains(app, "WG_ADDRESS=10.50.3.10/32"));
  CHECK(contains(app, "DB_PASSWORD=pw"));
  CHECK(contains(app, "DATABASE_URL=postgresql://x"));
  CHECK(contains(app, "PATH=/bin"));
  CHECK(contains(supervise::app_environment(env, {"WG_CONFIG"}), "WG_CONFIG=c"));
  CHECK(contains(supervise::app_environment(env, {"WG_PRIVATE_KEY"}), "WG_PRIVATE_KEY_FILE=/run/secrets/key"));
}

TEST_CASE("exit codes: the app's own, or 128+signal") {
  CHECK(supervise::exit_code_of(3 << 8) == 3);
  CHECK(supervise::exit_code_of(0) == 0);
  CHECK(supervise::exit_code_of(SIGTERM) == 143);
  CHECK(supervise::exit_code_of(SIGKILL) == 137);
}

TEST_CASE("spawn: exec failures are 127 and 126, successes run with a clean signal mask") {
  auto const missing = supervise::spawn({"/nonexistent/app"}, {"PATH=/bin"}, {});
  REQUIRE(missing.failed);
  CHECK(missing.failed->exit_code == 127);
  ::waitpid(missing.pid, nullptr, 0);
  auto const not_executable = supervise::spawn({"/etc/hostname"}, {"PATH=/bin"}, {});
  REQUIRE(not_executable.failed);
  CHECK(not_executable.failed->exit_code == 126);
  ::waitpid(not_executable.pid, nullptr, 0);

  // Block a signal here; the child must not inherit the mask.
  sigset_t block;
  sigemptyset(&block);
  sigaddset(&block, SIGUSR1);
  sigprocmask(SIG_BLOCK, &block, nullptr);
  auto const child = supervise::spawn({"sh", "-c", "grep -q '^SigBlk:[[:space:]]*0*$' /proc/self/status"},
                                      {"PATH=/usr/bin:/bin"}, {});
  sigprocmask(SIG_UNBLOCK, &block, nullptr);
  REQUIRE_FALSE(child.failed);
  int status = 0;
  ::waitpid(child.pid, &status, 0);
  CHECK(supervise::exit_code_of(status) == 0);
}

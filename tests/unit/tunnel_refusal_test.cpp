// Which failed bring-ups end `run`'s start at once with 71, and which are retried until
// SIDECAR_STARTUP_TIMEOUT: the errors as the lower layers make them.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "tunnel/tunnel.hpp"
#include "wireguard/uapi/child_launch.hpp"

using namespace wgs;
namespace detail = wgs::wireguard::uapi::detail;

TEST_CASE("tunnel: a missing or unrunnable implementation and a refused netlink are refusals for good") {
  auto const missing = detail::find_program("no-such-wireguard-implementation", "/usr/bin:/bin");
  REQUIRE_FALSE(missing.ok());
  char path[] = "/tmp/wgsidecar-not-a-program.XXXXXX";  // mode 600: no execute bit, even for root
  int const fd = ::mkstemp(path);
  REQUIRE(fd >= 0);
  auto const not_executable = detail::find_program(path, "/usr/bin");
  ::close(fd);
  ::unlink(path);
  REQUIRE_FALSE(not_executable.ok());
  struct Row {
    char const* what;
    Error error;
    bool refused;
  };
  Row const rows[] = {
      {"not on PATH", missing.error(), true},
      {"not executable", not_executable.error(), true},
      {"netlink without CAP_NET_ADMIN", make_error("creating wg0: Operation not permitted", EPERM), true},
      {"WG_BACKEND=kernel without the module", make_error("the kernel has no WireGuard module", EOPNOTSUPP), true},
      {"a name that does not resolve yet", make_error("peer endpoint hub.example:51820: resolving: timeout"), false},
      {"the implementation died at start", make_error("starting wireguard-go for wg0: it exited", ECHILD), false},
      {"a slow kernel", make_error("no reply from the kernel within 5s", ETIMEDOUT), false},
  };
  for (auto const& row : rows) {
    CAPTURE(row.what);
    CHECK(tunnel::is_refused_for_good(row.error) == row.refused);
  }
}

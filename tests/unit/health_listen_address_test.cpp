// SIDECAR_HEALTH_ADDR's forms: what is bound, and where a probe on the machine connects.
#include <doctest/doctest.h>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "config/load.hpp"
#include "health/listen_address.hpp"

using namespace wgs;
using namespace wgs::health;

namespace {

// A hosts file as Fly writes one on a machine.
constexpr char const* fly_hosts =
    "127.0.0.1\tlocalhost\n"
    "::1\tlocalhost ip6-localhost ip6-loopback\n"
    "# 6PN\n"
    "fdaa:0:18:a7b:7d:f066:b83b:2\tfly-local-6pn\n"
    "172.19.0.2  148e21ea7d3589.vm.edgeproxy.internal 148e21ea7d3589 # private IPv4\n";

struct TempFile {
  std::string path;
  explicit TempFile(char const* text) {
    char name[] = "/tmp/wgs-hosts-XXXXXX";
    int const fd = ::mkstemp(name);
    REQUIRE(fd >= 0);
    ::close(fd);
    path = name;
    std::ofstream(path) << text;
  }
  ~TempFile() { std::remove(path.c_str()); }
};

}  // namespace

TEST_CASE("hosts: the first address a name has, case-insensitive, comments skipped") {
  struct Row {
    char const* name;
    char const* hosts;
    char const* lookup;
    char const* found;  // nullptr: not found
  };
  Row const rows[] = {
      {"Fly's 6PN name", fly_hosts, "fly-local-6pn", "fdaa:0:18:a7b:7d:f066:b83b:2"},
      {"case-insensitive", fly_hosts, "FLY-LOCAL-6PN", "fdaa:0:18:a7b:7d:f066:b83b:2"},
      {"an alias after the first name", fly_hosts, "148e21ea7d3589", "172.19.0.2"},
      {"the first line wins", fly_hosts, "localhost", "127.0.0.1"},
      {"not there", fly_hosts, "fly-global-services", nullptr},
      {"a name only in a comment", "# 10.0.0.1 ghost\n", "ghost", nullptr},
      {"a name after a comment mark", "10.0.0.1 real #ghost\n", "ghost", nullptr},
      {"a line that is not an address", "not-an-ip ghost\n", "ghost", nullptr},
      {"CRLF line ends", "10.0.0.9 crlf\r\n", "crlf", "10.0.0.9"},
      {"no trailing newline", "10.0.0.7 last", "last", "10.0.0.7"},
      {"empty file", "", "x", nullptr},
  };
  for (auto const& row : rows) {
    CAPTURE(row.name);
    auto const found = find_in_hosts(row.hosts, row.lookup);
    if (row.found == nullptr) {
      CHECK_FALSE(found);
    } else {
      REQUIRE(found);
      CHECK(found->to_string() == row.found);
    }
  }
}

TEST_CASE("listen address: what is bound and where a probe on this machine connects") {
  TempFile hosts(fly_hosts);
  struct Row {
    char const* given;
    char const* bound;
    char const* local;
  };
  Row const rows[] = {
      {"0.0.0.0:9090", "0.0.0.0", "127.0.0.1:9090"},
      {"[::]:9090", "::", "127.0.0.1:9090"},
      {"127.0.0.1:9090", "127.0.0.1", "127.0.0.1:9090"},
      {"[::1]:9090", "::1", "[::1]:9090"},
      {"172.19.0.2:9090", "172.19.0.2", "172.19.0.2:9090"},
      {"fly-local-6pn:9090", "fdaa:0:18:a7b:7d:f066:b83b:2", "[fdaa:0:18:a7b:7d:f066:b83b:2]:9090"},
  };
  for (auto const& row : rows) {
    CAPTURE(row.given);
    auto const listen = net::HostPort::parse(row.given);
    REQUIRE(listen);
    auto const bound = bind_address(*listen, hosts.path);
    REQUIRE(bound);
    CHECK(bound->to_string() == row.bound);
    auto const local = local_address(*listen, hosts.path);
    REQUIRE(local);
    CHECK(local->to_string() == row.local);
  }
}

TEST_CASE("listen address: a name the hosts file lacks, or no hosts file, says so") {
  TempFile hosts("127.0.0.1 localhost\n");
  auto const missing = bind_address({"fly-local-6pn", 9090}, hosts.path);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().message.find("fly-local-6pn is not in " + hosts.path) == 0);
  CHECK(missing.error().message.find("[::]:9090") != std::string::npos);
  auto const unreadable = bind_address({"fly-local-6pn", 9090}, "/nonexistent/hosts");
  REQUIRE_FALSE(unreadable);
  CHECK(unreadable.error().message == "fly-local-6pn is not an IP, and cannot read /nonexistent/hosts: No such file or directory");
  CHECK(local_address({"fly-local-6pn", 9090}, hosts.path).ok() == false);
}

TEST_CASE("listen address: wildcards") {
  CHECK(is_wildcard(*net::IpAddress::parse("0.0.0.0")));
  CHECK(is_wildcard(*net::IpAddress::parse("::")));
  CHECK_FALSE(is_wildcard(*net::IpAddress::parse("::1")));
  CHECK_FALSE(is_wildcard(*net::IpAddress::parse("0.0.0.1")));
}

TEST_CASE("SIDECAR_HEALTH_ADDR: the forms accepted, and the rest refused with exit 78's message") {
  struct Row {
    char const* value;
    bool accepted;
  };
  Row const rows[] = {
      {"0.0.0.0:9090", true},       {"[::]:9090", true},         {"127.0.0.1:9090", true},
      {"fly-local-6pn:9090", true}, {"health.internal:9090", true},
      {"9090", false},              {":9090", false},            {"[::]", false},
      {"0.0.0.0:0", false},         {"0.0.0.0:70000", false},    {"fly local:9090", false},
      {"-bad:9090", false},         {"bad-.x:9090", false},      {"a..b:9090", false},
      {"caf\xe9:9090", false},     {"::9090", false},
  };
  for (auto const& row : rows) {
    CAPTURE(row.value);
    config::Environment env = {{"WG_PRIVATE_KEY", "QHgup1SNdoXT2X1SH8OoKbIhQfayX/7+lGCDNcmyPHY="},
                               {"WG_PEER_PUBLIC_KEY", "Q9T4p88puHFgI8P8vLGjECvoXr85o5uncZQ2G35vE14="},
                               {"WG_PEER_ENDPOINT", "192.0.2.1:51820"},
                               {"SIDECAR_HEALTH_ADDR", row.value}};
    auto const loaded = config::load(env);
    bool const named = std::any_of(loaded.problems.list().begin(), loaded.problems.list().end(),
                                   [](auto const& p) { return p.where == "SIDECAR_HEALTH_ADDR"; });
    CHECK(named == !row.accepted);
    if (row.accepted) CHECK(loaded.config.health.listen->to_string() == row.value);
  }
}

TEST_CASE("host names as RFC 1123 has them") {
  for (auto const* good : {"fly-local-6pn", "a", "x.internal", "148e21ea7d3589.vm.app.internal", "A-1.b2"}) {
    CAPTURE(good);
    CHECK(net::is_host_name(good));
  }
  for (auto const* bad : {"", "-a", "a-", "a..b", ".a", "a.", "a_b", "a b", "a\nb", "caf\xc3\xa9"}) {
    CAPTURE(bad);
    CHECK_FALSE(net::is_host_name(bad));
  }
  CHECK(net::is_host_name(std::string(63, 'a')));
  CHECK_FALSE(net::is_host_name(std::string(64, 'a')));
}

#include <doctest/doctest.h>

#include "process/capabilities.hpp"
#include "process/identity.hpp"

using namespace wgs;

namespace {

constexpr char const* passwd = "root:x:0:0:root:/root:/bin/sh\n"
                               "app:x:1000:1001::/home/app:/bin/sh\n"
                               "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
                               "broken:x:12:\n";
constexpr char const* group = "root:x:0:\nnogroup:x:65534:\nwheel:x:10:app\n";

// With the image's /etc/passwd and /etc/group, or as FROM scratch without them.
Result<process::Identity> parse(char const* spec, bool with_files) {
  if (!with_files) return process::parse_identity(spec, std::nullopt, std::nullopt);
  return process::parse_identity(spec, passwd, group);
}

}  // namespace

TEST_CASE("SIDECAR_APP_USER: numbers, names, and a uid's group") {
  struct Case {
    char const* spec;
    bool with_files;
    uid_t uid;
    gid_t gid;
  };
  Case const cases[] = {
      {"65534", false, 65534, 65534},          // no /etc/passwd: the group is the uid's number, never 0
      {"65534:65534", false, 65534, 65534},
      {"1000", true, 1000, 1001},              // listed: its primary group
      {"4242", true, 4242, 4242},              // not listed: the same number
      {"1000:0", true, 1000, 0},               // root's group only when asked for
      {"app", true, 1000, 1001},
      {"nobody:nogroup", true, 65534, 65534},
      {"app:wheel", true, 1000, 10},
      {"0", false, 0, 0},                       // root's uid, still without capabilities
      {"4294967294:1", false, 4294967294u, 1},
  };
  for (auto const& c : cases) {
    CAPTURE(c.spec);
    auto const identity = parse(c.spec, c.with_files);
    REQUIRE(identity);
    CHECK(identity->uid == c.uid);
    CHECK(identity->gid == c.gid);
  }
}

TEST_CASE("SIDECAR_APP_USER: each mistake says what is wrong") {
  struct Case {
    char const* spec;
    bool with_files;
    char const* fragment;
  };
  Case const cases[] = {
      {"", true, "is empty"},
      {"app", false, "no /etc/passwd"},
      {"ghost", true, "does not list"},
      {"1000:", true, "empty group"},
      {"1000:staff", false, "no /etc/group"},
      {"1000:staff", true, "does not list"},
      {"1:2:3", true, "one colon"},
      {"-1", false, "no /etc/passwd"},
      {"4294967295", false, "no /etc/passwd"},  // (uid_t)-1 is not a uid
      {"broken", true, "no valid uid"},
  };
  for (auto const& c : cases) {
    CAPTURE(c.spec);
    auto const identity = parse(c.spec, c.with_files);
    REQUIRE_FALSE(identity);
    CHECK(identity.error().message.find(c.fragment) != std::string::npos);
  }
}

TEST_CASE("capability names, in any spelling, and lists added to a base") {
  struct Case {
    char const* name;
    int number;
  };
  Case const cases[] = {{"chown", 0}, {"CAP_NET_ADMIN", 12}, {"net_admin", 12}, {"Sys_Ptrace", 19},
                        {" cap_bpf ", 39}, {"checkpoint_restore", 40}};
  for (auto const& c : cases) {
    CAPTURE(c.name);
    auto const number = process::capability_number(c.name);
    REQUIRE(number);
    CHECK(*number == c.number);
  }
  CHECK_FALSE(process::capability_number("net_admins"));
  CHECK(process::capability_name(12) == "cap_net_admin");

  auto const with_admin = process::add_named(0, "net_admin, CAP_SYS_PTRACE,");
  REQUIRE(with_admin);
  CHECK(process::describe(*with_admin) == "cap_net_admin,cap_sys_ptrace");
  CHECK(*process::add_named(0, "kill,all") == process::all_capabilities);
  auto const unknown = process::add_named(0, "kill,superpowers");
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().message.find("'superpowers' is not a capability") != std::string::npos);
  CHECK(process::describe(0) == "none");
}

TEST_CASE("a root app's default capabilities are Docker's: none reaches the tunnel or the supervisor") {
  auto const defaults = process::docker_default_capabilities();
  CHECK(process::describe(defaults) ==
        "cap_chown,cap_dac_override,cap_fowner,cap_fsetid,cap_kill,cap_setgid,cap_setuid,cap_setpcap,"
        "cap_net_bind_service,cap_net_raw,cap_sys_chroot,cap_mknod,cap_audit_write,cap_setfcap");
  for (auto const* absent : {"net_admin", "sys_ptrace", "sys_admin", "sys_module", "dac_read_search", "bpf"}) {
    CAPTURE(absent);
    CHECK((defaults & (process::Capabilities{1} << *process::capability_number(absent))) == 0);
  }
}

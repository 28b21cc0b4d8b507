#include "process/privileges.hpp"

#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

namespace wgs::process {
namespace {

bool has_bit(Capabilities set, int number) { return number < 64 && (set & (Capabilities{1} << number)) != 0; }

// Empties the bounding set of what `keep` lacks. Without CAP_SETPCAP (wgsidecar itself not
// root) the bounding set cannot shrink; then no_new_privs makes it grant nothing at exec.
int narrow_bounding_set(Capabilities keep, bool& needs_no_new_privs) {
  int present = 0;
  for (int number = 0; (present = ::prctl(PR_CAPBSET_READ, number, 0, 0, 0)) >= 0; ++number) {
    if (has_bit(keep, number) || present == 0) continue;
    if (::prctl(PR_CAPBSET_DROP, number, 0, 0, 0) == 0) continue;
    if (errno != EPERM || ::geteuid() == 0) return errno;
    needs_no_new_privs = true;
  }
  return 0;
}

// Ambient capabilities survive exec for non-root programs, inheritable ones for root; both
// are cut to `keep`.
int narrow_inherited_sets(Capabilities keep) {
  if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) return errno;
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  if (::syscall(SYS_capget, &header, data) != 0) return errno;
  data[0].inheritable &= static_cast<std::uint32_t>(keep);
  data[1].inheritable &= static_cast<std::uint32_t>(keep >> 32);
  if (::syscall(SYS_capset, &header, data) != 0) return errno;
  return 0;
}

int become_user(Identity const& user, Step& failed) {
  failed = Step::groups;
  if (::syscall(SYS_setgroups, 0, nullptr) != 0) return errno;
  failed = Step::gid;
  if (::syscall(SYS_setresgid, user.gid, user.gid, user.gid) != 0) return errno;
  failed = Step::uid;
  if (::syscall(SYS_setresuid, user.uid, user.uid, user.uid) != 0) return errno;
  return 0;
}

}  // namespace

char const* describe(Step step) {
  switch (step) {
    case Step::fork: return "fork";
    case Step::group: return "starting its process group";
    case Step::stdio: return "connecting its output";
    case Step::capabilities: return "dropping capabilities";
    case Step::groups: return "clearing supplementary groups";
    case Step::gid: return "switching to its group";
    case Step::uid: return "switching to its user";
    case Step::no_new_privs: return "setting no_new_privs";
    case Step::parent_death: return "setting the parent-death signal";
    case Step::exec: return "exec";
  }
  return "preparing it";
}

int drop_privileges(Privileges const& privileges, Step& failed) {
  Capabilities const keep = privileges.user ? 0 : privileges.keep;
  bool no_new_privs = privileges.user.has_value();
  failed = Step::capabilities;
  if (keep != all_capabilities) {
    if (int error = narrow_bounding_set(keep, no_new_privs)) return error;
    if (int error = narrow_inherited_sets(keep)) return error;
  }
  if (privileges.user) {
    if (int error = become_user(*privileges.user, failed)) return error;
  }
  failed = Step::no_new_privs;
  if (no_new_privs && ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return errno;
  return 0;
}

}  // namespace wgs::process

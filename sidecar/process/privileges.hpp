#pragma once
// What a child keeps of our privileges, applied between fork and exec. The supervisor is
// root with every capability (it makes the tunnel); the app should have none of that:
//   - SIDECAR_APP_USER: that uid and gid, no supplementary groups, no capabilities at all
//     (bounding, ambient and inheritable sets emptied), and no_new_privs, so no setuid
//     binary or file capability gives any back;
//   - a root app: the bounding set narrowed to `keep` (Docker's default set unless
//     SIDECAR_APP_KEEP_CAPS adds to it). Root's capabilities after exec are its bounding
//     set, so that is what it ends up with.
#include <optional>

#include "process/capabilities.hpp"
#include "process/identity.hpp"

namespace wgs::process {

struct Privileges {
  std::optional<Identity> user;          // run as this user, with no capabilities
  Capabilities keep = all_capabilities;  // without a user: what a root child keeps
};

// Which step of the child's preparation failed, for the message the parent gives.
enum class Step { fork, group, stdio, capabilities, groups, gid, uid, no_new_privs, parent_death, exec };
char const* describe(Step step);

// In the forked child, async-signal-safe (raw system calls only: the child has one thread,
// and glibc's set*id would try to reach the parent's others). Returns 0 or an errno, and
// the step that failed.
int drop_privileges(Privileges const& privileges, Step& failed);

}  // namespace wgs::process

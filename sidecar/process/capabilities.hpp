#pragma once
// Linux capabilities by name, as sets: what a root app keeps (SIDECAR_APP_KEEP_CAPS) and
// what the child drops before exec. Pure; the dropping itself is in privileges.cpp.
#include <cstdint>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace wgs::process {

using Capabilities = std::uint64_t;  // bit N set: capability N (CAP_CHOWN is 0)
inline constexpr Capabilities all_capabilities = ~Capabilities{0};

// What Docker grants a container by default: enough for an app that starts as root to bind
// a low port, chown its files and switch to its own user; nothing that reaches the network
// configuration (CAP_NET_ADMIN: the tunnel), other processes' memory (CAP_SYS_PTRACE: the
// supervisor's) or the kernel (CAP_SYS_ADMIN, CAP_SYS_MODULE, ...).
Capabilities docker_default_capabilities();

// "net_admin", "NET_ADMIN" or "CAP_NET_ADMIN"; nullopt-like error for an unknown name.
Result<int> capability_number(std::string_view name);
// "cap_net_admin" for 12; "cap_41" past the names this build knows.
std::string capability_name(int number);

// A comma-separated list of names added to `base`; "all" keeps every capability. The error
// names the first unknown entry.
Result<Capabilities> add_named(Capabilities base, std::string_view list);

// "cap_chown,cap_kill" (the numbers below `limit`, in order), "all" or "none".
std::string describe(Capabilities set, int limit = 64);

}  // namespace wgs::process

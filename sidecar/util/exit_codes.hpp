#pragma once
// wgsidecar's exit codes (sysexits.h where one fits). The app's own status passes through
// unchanged, and 128+N when it died of signal N.
namespace wgs::exit_code {
inline constexpr int ok = 0;
inline constexpr int failure = 1;
inline constexpr int usage = 64;        // EX_USAGE: bad command line
inline constexpr int unavailable = 69;  // EX_UNAVAILABLE: the path to the database does not work
inline constexpr int os_error = 71;     // EX_OSERR: the system refused (netlink, fork, ...)
inline constexpr int config = 78;       // EX_CONFIG: bad configuration
inline constexpr int not_executable = 126;
inline constexpr int not_found = 127;
}  // namespace wgs::exit_code

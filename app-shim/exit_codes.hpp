#pragma once
// contacts-api's exit codes (sysexits.h where one fits).
namespace contacts::exit_code {
inline constexpr int ok = 0;              // also after SIGTERM/SIGINT: a requested stop is not a failure
inline constexpr int usage = 64;          // EX_USAGE: bad command line
inline constexpr int unavailable = 69;    // EX_UNAVAILABLE: seed could not reach the database
inline constexpr int os_error = 71;       // EX_OSERR: could not listen
inline constexpr int config = 78;         // EX_CONFIG: bad environment
}  // namespace contacts::exit_code

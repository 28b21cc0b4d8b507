#!/usr/bin/env bash
# The whole test suite, from a fresh Debian 12 machine: installs what it needs, builds the
# static binaries, runs the fuzzers briefly, then the unit and integration tests (ctest).
# Usage: scripts/test.sh [ctest args...]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${WGS_BUILD:-$root/build}

"$root/scripts/setup.sh"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$(nproc)"
file "$build/sidecar/wgsidecar" | grep -q "statically linked" || { echo "wgsidecar is not statically linked" >&2; exit 1; }
"$root/tests/fuzz/run.sh" "${WGS_FUZZ_SECONDS:-15}"
# Last, so its summary line closes the output.
cd "$build" && ctest --output-on-failure --timeout 900 "$@"

#!/usr/bin/env bash
# The test suite, whole or in parts, from a fresh Debian 12 machine: installs what the parts
# need (scripts/setup.sh), builds with warnings as errors, and runs ctest by label.
#
# Usage: scripts/test.sh [LABEL...] [-- CTEST_ARGS...]
#   LABEL   unit    no root, seconds (doctest, CLI, health server, compose file, shellcheck)
#           lab     root: network namespaces, wireguard-go, PostgreSQL
#           kernel  kernel WireGuard under qemu
#           image   the image under podman
#           fuzz    libFuzzer targets, WGS_FUZZ_SECONDS each (default 15)
#           none given: all five, plus a Release build of every target (what CI runs)
#   WGS_BUILD       build directory (default build/); the Release check uses WGS_BUILD-release
#   WGS_TEST_JOBS   tests run at once (default 4: most wait on timers, not the CPU)
# Tests that cannot run here (no root, a missing tool) are reported as skipped, with the reason.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${WGS_BUILD:-$root/build}
# shellcheck source=lib/phases.sh
source "$root/scripts/lib/phases.sh"
# shellcheck source=lib/configure.sh
source "$root/scripts/lib/configure.sh"

all_labels=(unit lab kernel image fuzz)
labels=()
while [ $# -gt 0 ]; do
  case "$1" in
    --) shift; break ;;
    unit | lab | kernel | image | fuzz) labels+=("$1"); shift ;;
    *) echo "usage: scripts/test.sh [unit|lab|kernel|image|fuzz]... [-- CTEST_ARGS...]" >&2; exit 64 ;;
  esac
done
whole=0
[ ${#labels[@]} -gt 0 ] || { labels=("${all_labels[@]}"); whole=1; }
export WGS_FUZZ_SECONDS=${WGS_FUZZ_SECONDS:-15}

phase "setup (${labels[*]})"
"$root/scripts/setup.sh" "${labels[@]}"

# The targets the asked-for labels run; unit tests alone need no driver or app.
targets=()
[ "${labels[*]}" = unit ] && targets=(unit_tests contacts_unit_tests wgsidecar health_driver slowloris)
phase "build ${targets[*]:-every target} (RelWithDebInfo, warnings as errors)"
wgs_configure "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWGS_WERROR=ON
cmake --build "$build" -j"$(nproc)" ${targets[@]+--target "${targets[@]}"}
file "$build/sidecar/wgsidecar" | grep -q "statically linked" || { echo "wgsidecar is not statically linked" >&2; exit 1; }

if [ "$whole" = 1 ]; then
  # What users build most often: a plain Release (-O3) build of every target must build, with
  # this compiler's warnings as errors, so a new warning cannot hide behind RelWithDebInfo.
  phase "build every target (Release, warnings as errors)"
  wgs_configure "$build-release" -DCMAKE_BUILD_TYPE=Release -DWGS_WERROR=ON
  cmake --build "$build-release" -j"$(nproc)"
fi

phases_summary "scripts/test.sh ${labels[*]}: before ctest"
# Last, so its summary line closes the output. Lab tests have namespace prefixes of their own
# and run side by side; the kernel tests take both CPUs and one VM at a time (tests.cmake).
label_regex="^($(IFS='|'; echo "${labels[*]}"))\$"
cd "$build" && exec ctest --output-on-failure --timeout 900 -j"${WGS_TEST_JOBS:-4}" -L "$label_regex" "$@"

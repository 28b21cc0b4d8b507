#!/usr/bin/env bash
# Runs shellcheck over every shell script of the project (scripts/, tests/, bench/, docker/, fly/,
# app-shim/, .ci/run): errors and warnings fail, notes and style do not. Sourced files are
# followed from each script's directory. The ctest entry `shellcheck` (label unit) runs it;
# without shellcheck it exits 77, skipped.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
command -v shellcheck >/dev/null || { echo "skipped: needs shellcheck (scripts/setup.sh unit installs it)"; exit 77; }
mapfile -t scripts < <(git ls-files -- '*.sh' .ci/run 2>/dev/null ||
  find scripts tests bench docker fly app-shim .ci -type f \( -name '*.sh' -o -name run \))
# A few scripts per shellcheck, on every CPU: each follows the files it sources itself.
printf '%s\0' "${scripts[@]}" |
  xargs -0 -P "$(nproc)" -n 4 shellcheck --severity=warning --external-sources --source-path=SCRIPTDIR
echo "shellcheck: ${#scripts[@]} scripts clean (errors and warnings)"

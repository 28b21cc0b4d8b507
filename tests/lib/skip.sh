# shellcheck shell=bash
# Declared skips. A test that cannot run on this machine says why and exits 77, the
# SKIP_RETURN_CODE every ctest entry declares (cmake/Testing.cmake), so ctest counts a skip,
# not a failure, and `scripts/setup.sh` names what to install.

# skip REASON...: print the reason and end the test as skipped.
skip() {
  echo "skipped: $*"
  exit 77
}

# needs_root WHY: skip unless running as root.
needs_root() {
  [ "$(id -u)" = 0 ] || skip "needs root (${1:-network namespaces})"
}

# needs_commands CMD...: skip unless every CMD is on PATH, naming the missing ones.
needs_commands() {
  local command missing=()
  for command in "$@"; do
    command -v "$command" >/dev/null 2>&1 || missing+=("$command")
  done
  [ ${#missing[@]} -eq 0 ] || skip "needs ${missing[*]} (scripts/setup.sh lab installs them)"
}

# needs_lab: what tests/lab/lab.sh needs: root for network namespaces, WireGuard's tools,
# nftables, PostgreSQL 15 and the clients the tests call.
needs_lab() {
  needs_root "network namespaces"
  needs_commands ip wg wireguard-go nft openssl curl jq
  [ -x /usr/lib/postgresql/15/bin/postgres ] || skip "needs postgresql-15 (scripts/setup.sh lab installs it)"
}

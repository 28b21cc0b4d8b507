# shellcheck shell=bash
# Shared by the secrets tests: a lab with a preshared key on both ends, a temporary
# directory the app's user can reach, and a scan for the secrets in anything written.
# Source after tests/lib/assert.sh and tests/lab/lab.sh; then `sec_setup PREFIX`.

sec_health_port=9290
sec_tmp='' sec_edge='' sec_pid=''

# sec_require_root_and_tools TOOL...: exit 77 (skipped), saying why, when one is missing.
sec_require_root_and_tools() {
  local tool
  [ "$(id -u)" = 0 ] || { echo "SKIP: needs root (network namespaces, other users)"; exit 77; }
  for tool in "$@"; do
    command -v "$tool" >/dev/null || { echo "SKIP: $tool is not installed (scripts/setup.sh)"; exit 77; }
  done
}

# sec_setup PREFIX: the lab up, its configuration exported (with a preshared key the hub
# knows too), the health endpoints on loopback, and an EXIT trap that tears it all down.
sec_setup() {
  lab_use_prefix "$1"
  sec_tmp=$(mktemp -d)
  chmod 755 "$sec_tmp"
  trap sec_teardown EXIT
  lab_down >/dev/null 2>&1 || true
  lab_up --prefix "$1" >/dev/null
  eval "$(lab_env)"
  sec_edge=$(lab_ns edge)
  (umask 077 && wg genpsk > "$sec_tmp/psk")
  ip netns exec "$(lab_ns hub)" wg set "$LAB_HUB_WG" peer "$(wg pubkey <<<"$WG_PRIVATE_KEY")" preshared-key "$sec_tmp/psk"
  WG_PRESHARED_KEY=$(cat "$sec_tmp/psk")
  rm -f "$sec_tmp/psk"
  export WG_PRESHARED_KEY PGSSLMODE=verify-full SIDECAR_STARTUP_TIMEOUT=30s
  export SIDECAR_HEALTH_ADDR=127.0.0.1:$sec_health_port SIDECAR_LOG_LEVEL=debug
  export SIDECAR_PROBE_INTERVAL=1s SIDECAR_STALE_AFTER=4s
  unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY
}

sec_teardown() {
  local status=$?
  [ -z "$sec_pid" ] || sec_kill9
  lab_down >/dev/null 2>&1 || true
  rm -rf "$sec_tmp"
  return "$status"
}

# sec_install FILE...: copies into $sec_tmp/bin, where any user may run them.
sec_install() {
  mkdir -p "$sec_tmp/bin"
  cp "$@" "$sec_tmp/bin/"
  chmod 755 "$sec_tmp/bin" "$sec_tmp/bin"/*
}

# sec_start LOG WGSIDECAR ARGS...: wgsidecar in the edge, started with descriptors 0-2 only
# (so what it holds is what it opened), output to LOG.out and LOG.err; its pid in $sec_pid.
sec_start() {
  local log=$1
  shift
  (
    for fd in /proc/"$BASHPID"/fd/*; do
      fd=${fd##*/}
      [ "$fd" -gt 2 ] && eval "exec $fd>&-"
    done
    exec ip netns exec "$sec_edge" "$@"
  ) >"$log.out" 2>"$log.err" </dev/null &
  sec_pid=$!
}

# sec_kill9: SIGKILL to wgsidecar (nothing it can catch), reaped quietly.
sec_kill9() {
  kill -KILL "$sec_pid" 2>/dev/null || true
  { wait "$sec_pid"; } 2>/dev/null || true
  sec_pid=
}

# sec_wait SECONDS FILE: until FILE exists.
sec_wait() {
  local deadline=$((SECONDS + $1))
  until [ -e "$2" ]; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.1
  done
}

# sec_secret_forms: one per line, every form of a secret this lab's wgsidecar holds: the
# private and preshared keys in base64 and hex, and the database password.
sec_secret_forms() {
  local key
  for key in "$WG_PRIVATE_KEY" "$WG_PRESHARED_KEY"; do
    echo "$key"
    base64 -d <<<"$key" | od -An -tx1 | tr -d ' \n'
    echo
  done
  echo "$DB_PASSWORD"
}

# sec_files_with_secrets PATH...: the files under PATH (recursively) that hold any form.
sec_files_with_secrets() {
  grep -rlsF -f <(sec_secret_forms) --exclude-dir=wgsidecar-lab --exclude-dir=netns "$@" || true
}

sec_sha256() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }

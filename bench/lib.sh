# shellcheck shell=bash
# Shared by bench/run.sh and the scenario files: samples, the seed's entrypoint in a lab edge,
# wgsidecar in a lab edge, request and ping loops. Sourced; expects tests/lab/lab.sh sourced.
source "$BENCH_ROOT/tests/lib/wait.sh"

bench_log() { printf 'bench: %s\n' "$*" >&2; }

# sample SCENARIO SYSTEM METRIC VALUE UNIT: one measurement, one line of samples.tsv.
sample() { printf '%s\t%s\t%s\t%s\t%s\n' "$@" >> "$BENCH_OUT/samples.tsv"; }

# note FAMILY TEXT: a line for RESULTS.md's notes (what was waited for, what could not be
# measured) about the rows of one scenario family (the scenario's name before any colon), so it
# goes when a later run measures that family again.
note() { local family=$1; shift; printf '%s\t%s\n' "$family" "$*" >> "$BENCH_OUT/notes.txt"; }

# ms_between T0 T1: milliseconds between two $EPOCHREALTIME values, 1 decimal.
ms_between() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b - a) * 1000 }'; }


# lab_edge_env PREFIX [--by-name]: the lab's configuration for its edge, as export lines.
lab_edge_env() {
  local prefix=$1
  shift
  "$BENCH_ROOT/tests/lab/lab.sh" --prefix "$prefix" env "$@"
}

# ---------------------------------------------------------------------------------------------
# The seed's entrypoint.sh, verbatim, in a lab's edge namespace.
#
# It writes /etc/wireguard/wg0.conf (the private key, on disk) and wg-quick's wireguard-go puts
# its socket in /var/run/wireguard/wg0.sock, shared by every namespace. Both get a tmpfs in a
# mount namespace of the seed's own, so the key never reaches the disk and wg0 never meets
# another test's wg0. WG_QUICK_USERSPACE_IMPLEMENTATION: this kernel has no WireGuard module
# (wg-quick uses it only when creating a kernel link fails, so it is harmless in the qemu VM).

# seed_workdir DIR APP: a directory with entrypoint.sh and ./contacts-api (a link to APP).
seed_workdir() {
  mkdir -p "$1" && cp "$BENCH_DIR/seed/entrypoint.sh" "$1/entrypoint.sh" && chmod 755 "$1/entrypoint.sh" &&
    ln -sf "$2" "$1/contacts-api"
}

# seed_exec PREFIX WORKDIR: exec the entrypoint in PREFIX's edge (the caller forks). Its
# configuration comes from the environment (seed_env).
seed_exec() {
  exec ip netns exec "$1edge" unshare -m --propagation private sh -c \
    'mount -t tmpfs -o mode=700 tmpfs /etc/wireguard && mount -t tmpfs -o mode=755 tmpfs /var/run/wireguard &&
     cd "$1" && exec ./entrypoint.sh' sh "$2"
}

# seed_env PREFIX: the lab's secrets under the seed's names, the endpoint by name (re-resolvable).
seed_env() {
  eval "$(lab_edge_env "$1" --by-name)"
  export WG_QUICK_USERSPACE_IMPLEMENTATION=wireguard-go
}

# seed_down PREFIX: the seed's wg0 goes (its wireguard-go exits with it).
seed_down() {
  ip -n "$1edge" link del wg0 2>/dev/null || true
  wait_until 5 sh -c "! ip netns pids $1edge | xargs -r ps -o comm= -p | grep -q wireguard-go" || true
}

# ---------------------------------------------------------------------------------------------
# wgsidecar in a lab's edge namespace: all checks on, the userspace backend (BENCH_BACKEND),
# JSON logs.

# sidecar_env PREFIX: the lab's configuration plus wgsidecar's settings for the benchmarks.
sidecar_env() {
  eval "$(lab_edge_env "$1" --by-name)"
  export WG_BACKEND=${BENCH_BACKEND:-userspace} SIDECAR_REQUIRE=ping,tcp,tls,auth PGSSLMODE=verify-full
  export SIDECAR_LOG_FORMAT=json SIDECAR_LOG_LEVEL=debug SIDECAR_STARTUP_TIMEOUT=30s
}

# edge_processes PREFIX COMM: pids of processes named COMM in PREFIX's edge namespace.
edge_processes() {
  local pid
  for pid in $(ip netns pids "$1edge" 2>/dev/null); do
    [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$2" ] && echo "$pid"
  done
  return 0
}

# stop_pid PID: TERM, then KILL after 5 s.
stop_pid() {
  local pid=$1 deadline=$((SECONDS + 5))
  kill -TERM "$pid" 2>/dev/null || return 0
  while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.05; done
  kill -KILL "$pid" 2>/dev/null || true
}

# ---------------------------------------------------------------------------------------------
# Load in the edge: a bounded request loop to the app and a ping loop through the tunnel.

# request_loop PREFIX PORT FILE: GET /health every 0.2 s (1 s deadline each), one line per
# request: "$EPOCHREALTIME HTTP-CODE" (000 when nothing answered). Runs until killed.
request_loop() {
  local code
  while :; do
    code=$(ip netns exec "$1edge" curl -s -o /dev/null -w '%{http_code}' --max-time 1 "http://127.0.0.1:$2/health") || true
    printf '%s %s\n' "$EPOCHREALTIME" "${code:-000}" >> "$3"
    sleep 0.2
  done
}

# ping_loop PREFIX FILE: one ping through the tunnel every 0.2 s (1 s deadline): "TIME 0|1".
ping_loop() {
  local ok
  while :; do
    if ip netns exec "$1edge" ping -c 1 -W 1 -q 10.50.0.1 >/dev/null 2>&1; then ok=1; else ok=0; fi
    printf '%s %s\n' "$EPOCHREALTIME" "$ok" >> "$2"
    sleep 0.2
  done
}

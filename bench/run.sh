#!/usr/bin/env bash
# wgsidecar against the seed's entrypoint.sh (and tini, pg_isready + psql) side by side, in
# one run, in netns labs (tests/lab/lab.sh, prefixes bn1-, bn2- and bn3-, after WGS_LAB_TAG).
# Writes bench/RESULTS.md and bench/results.png. As root; about 25 minutes. Not part of the tests.
#
# Usage: bench/run.sh [BUILD_DIR]      (default: $WGS_BUILD or ./build, built if needed)
# Knobs: BENCH_RUNS (startups of each, 7), BENCH_CHECK_RUNS (10), BENCH_IDLE_SECONDS (360),
#        BENCH_UDP_BLOCK (seconds, 60), BENCH_HEAL_WAIT (seconds, 30), BENCH_RECOVERY_ROUNDS (2),
#        BENCH_IMAGE / BENCH_SEED_IMAGE (podman images to compare), BENCH_OUT (raw data dir),
#        BENCH_KERNEL_RUNS (starts of each on kernel WireGuard under qemu, 5),
#        BENCH_PREVIOUS (an earlier wgsidecar binary, idle beside this one: its logins, RSS, CPU),
#        BENCH_MOVE_ROUNDS (3 of each kind), BENCH_MOVE_WAIT (seconds, 200),
#        BENCH_ONLY (a subset of "startup kernel idle recovery move check size fleet"; recovery
#        implies idle), BENCH_FLEET_SECONDS (requests to the machines in turn, 40).
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
BENCH_ROOT=$(cd "$BENCH_DIR/.." && pwd)
build=$(readlink -f "${1:-${WGS_BUILD:-$BENCH_ROOT/build}}")
BENCH_RUNS=${BENCH_RUNS:-7}
BENCH_CHECK_RUNS=${BENCH_CHECK_RUNS:-10}
# Idle windows span whole gating-check intervals, of 2 minutes (the default) and of 1, so a
# window's logins, and the CPU they cost, do not depend on where the window starts.
BENCH_IDLE_SECONDS=${BENCH_IDLE_SECONDS:-360}
BENCH_MOVE_ROUNDS=${BENCH_MOVE_ROUNDS:-3}
BENCH_MOVE_WAIT=${BENCH_MOVE_WAIT:-200}
BENCH_UDP_BLOCK=${BENCH_UDP_BLOCK:-60}
BENCH_HEAL_WAIT=${BENCH_HEAL_WAIT:-30}
BENCH_RECOVERY_ROUNDS=${BENCH_RECOVERY_ROUNDS:-2}
BENCH_KERNEL_RUNS=${BENCH_KERNEL_RUNS:-5}
SIDECAR_LAB=${WGS_LAB_TAG:-}bn1-
OTHER_LAB=${WGS_LAB_TAG:-}bn2-
THIRD_LAB=${WGS_LAB_TAG:-}bn3-

source "$BENCH_ROOT/tests/lab/lab.sh"
source "$BENCH_DIR/lib.sh"
source "$BENCH_DIR/startup.sh"
source "$BENCH_DIR/kernel.sh"
source "$BENCH_DIR/idle.sh"
source "$BENCH_DIR/recovery.sh"
source "$BENCH_DIR/move.sh"
source "$BENCH_DIR/checks.sh"
source "$BENCH_DIR/sizes.sh"
source "$BENCH_DIR/fleet.sh"

build_if_needed() {
  if [ ! -x "$build/sidecar/wgsidecar" ] || [ ! -x "$build/app-shim/contacts-api" ]; then
    bench_log "building in $build"
    cmake -S "$BENCH_ROOT" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    cmake --build "$build" -j"$(nproc)" --target wgsidecar contacts-api
  fi
  if [ ! -x "$build/tests/enroll_driver" ]; then cmake --build "$build" -j"$(nproc)" --target enroll_driver; fi
  WGSIDECAR=$build/sidecar/wgsidecar
  BENCH_APP=$build/app-shim/contacts-api
  BENCH_ENROLL_DRIVER=$build/tests/enroll_driver
}

# What only the benchmarks use (scripts/setup.sh installs the rest).
install_bench_tools() {
  local missing=()
  command -v tini >/dev/null || missing+=(tini)
  [ -s /etc/ssl/certs/ca-certificates.crt ] || missing+=(ca-certificates)
  /usr/bin/python3 -c 'import matplotlib' 2>/dev/null || missing+=(python3-matplotlib)
  [ ${#missing[@]} -eq 0 ] && return
  bench_log "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

check_tools() {
  local tool missing=()
  for tool in wg-quick wireguard-go tini unshare nsenter curl pg_isready psql strip /usr/bin/python3; do
    command -v "$tool" >/dev/null || missing+=("$tool")
  done
  /usr/bin/python3 -c 'import matplotlib' 2>/dev/null || missing+=(python3-matplotlib)
  [ ${#missing[@]} -eq 0 ] || { bench_log "missing: ${missing[*]} (run scripts/setup.sh as root)"; exit 1; }
}

machine_info() {
  local cpu
  cpu=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)
  printf 'Machine: %s, %s CPUs, %s MiB RAM, Linux %s (no WireGuard module: userspace wireguard-go for both). ' \
    "$cpu" "$(nproc)" "$(awk '/MemTotal/ {print int($2 / 1024)}' /proc/meminfo)" "$(uname -r)"
  printf 'Load average at the start: %s (other work shares the machine: compare within a row, not across runs). ' \
    "$(cut -d' ' -f1-3 /proc/loadavg)"
  printf 'Date: %s. wgsidecar %s (%s). Runs: %s startups of each, %s checks of each, %s s idle, %s recovery rounds.\n' \
    "$(date -u '+%Y-%m-%d %H:%M UTC')" "$(git -C "$BENCH_ROOT" describe --always --dirty 2>/dev/null || echo unknown)" \
    "$(file -b "$WGSIDECAR" | grep -o 'statically linked' || echo dynamic)" \
    "$BENCH_RUNS" "$BENCH_CHECK_RUNS" "$BENCH_IDLE_SECONDS" "$BENCH_RECOVERY_ROUNDS"
}

# wanted SCENARIO: in BENCH_ONLY (default: all of startup idle recovery check size).
wanted() { [[ " ${BENCH_ONLY:-startup kernel idle recovery move check size fleet} " == *" $1 "* ]]; }

cleanup() {
  local job
  for job in $(jobs -p); do kill "$job" 2>/dev/null || true; done
  lab_down --prefix "$SIDECAR_LAB" >/dev/null 2>&1 || true
  lab_down --prefix "$OTHER_LAB" >/dev/null 2>&1 || true
  lab_down --prefix "$THIRD_LAB" >/dev/null 2>&1 || true
}

main() {
  install_bench_tools
  check_tools
  build_if_needed
  BENCH_OUT=${BENCH_OUT:-$(mktemp -d /tmp/wgsidecar-bench.XXXXXX)}
  mkdir -p "$BENCH_OUT/logs"
  : > "$BENCH_OUT/samples.tsv"
  : > "$BENCH_OUT/notes.txt"
  export BENCH_OUT BENCH_DIR BENCH_ROOT WGSIDECAR BENCH_APP BENCH_ENROLL_DRIVER
  trap cleanup EXIT
  bench_log "raw data in $BENCH_OUT"
  lab_down --prefix "$SIDECAR_LAB" >/dev/null 2>&1 || true
  lab_down --prefix "$OTHER_LAB" >/dev/null 2>&1 || true
  lab_down --prefix "$THIRD_LAB" >/dev/null 2>&1 || true
  lab_up --prefix "$SIDECAR_LAB" >/dev/null
  lab_up --prefix "$OTHER_LAB" >/dev/null
  lab_up --prefix "$THIRD_LAB" >/dev/null
  machine_info > "$BENCH_OUT/machine.txt"

  if wanted startup; then
    bench_log "1/5 time to app start"
    bench_startup "$SIDECAR_LAB" "$BENCH_RUNS"
  fi
  if wanted kernel; then
    bench_log "1b/5 time to app start on kernel WireGuard (qemu)"
    bench_kernel "$build" "$BENCH_KERNEL_RUNS"
  fi
  # The recovery scenario goes on with the seed's app the idle one started.
  if wanted idle || wanted recovery; then
    bench_log "3/5 idle cost"
    bench_idle "$SIDECAR_LAB" "$OTHER_LAB" "$THIRD_LAB" "$BENCH_IDLE_SECONDS"
    bench_idle_bundle "$SIDECAR_LAB" "$THIRD_LAB" "$BENCH_IDLE_SECONDS"
    note idle "Idle: wgsidecar and the previous one (${BENCH_PREVIOUS:-not run}) with their default timers; CPU from schedstat (ns), wakeups = voluntary context switches of every thread (preempted = the nonvoluntary ones, a sign of the machine's load), RSS sampled every second (median and largest), db_logins = pg_stat_database.sessions opened during the window."
    note pagewalk "Pagewalk (bench/pagewalk.c, right after the idle window): CPU to touch 1,024 pages after 5 s asleep, 5 rounds; wgsidecar = within one 2 MiB page, as its hot code is since memory/hot_code.hpp; 4k_pages = on 4 KiB pages."
  fi
  if wanted recovery; then
    bench_log "2/5 detection and recovery"
    bench_recovery "$SIDECAR_LAB" "$OTHER_LAB" "$BENCH_RECOVERY_ROUNDS"
    note recovery "Recovery: probe every 2 s, stale after 6 s (SIDECAR_PROBE_INTERVAL/SIDECAR_STALE_AFTER); hub UDP blocked for $BENCH_UDP_BLOCK s; each window ends when both labs are healthy or after $BENCH_HEAL_WAIT s. heal_* count from the fault's end (the unblock; the deletion or the move otherwise). Loops sample every 0.2 s plus the request or ping time (1 s deadline). Between faults the seed is given a manual wg-quick down/up, as its operator would have to."
  fi
  if wanted move; then
    bench_log "4b/5 the hub moves behind its name"
    bench_move "$SIDECAR_LAB" "$OTHER_LAB" "$THIRD_LAB" "$BENCH_MOVE_ROUNDS"
    note move "Moved hub: wgsidecar with its default settings; heal_app counts from the hosts file's rewrite (the name resolves to the new address) to the app's first working request (GET /health, polled every 0.1 s); reresolve30s = the seed's wg-quick plus bench/reresolve.sh every 30 s (re-sets the endpoint once the handshake is 135 s old); waited up to $BENCH_MOVE_WAIT s. hub_sends: the hub pings the edge every 0.2 s after moving."
  fi
  if wanted check; then
    bench_log "5/5 check latency"
    bench_checks "$SIDECAR_LAB" "$BENCH_CHECK_RUNS"
  fi
  if wanted size; then
    bench_log "4/5 sizes"
    bench_sizes
  fi

  if wanted fleet; then
    bench_log "6/6 a fleet: shared secrets against enrollment"
    bench_fleet "${BENCH_FLEET_SECONDS:-40}" "$BENCH_RUNS"
  fi

  /usr/bin/python3 "$BENCH_DIR/analyze.py" "$BENCH_OUT" "$BENCH_DIR/RESULTS.md" "$BENCH_DIR/results.png"
  bench_log "wrote $BENCH_DIR/RESULTS.md and $BENCH_DIR/results.png"
}

main "$@"

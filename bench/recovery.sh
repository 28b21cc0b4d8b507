# shellcheck shell=bash
# Scenario 2: detection and recovery. The same fault, at the same moment, in two labs: one edge
# runs contacts-api under `wgsidecar run` (probe 2 s, stale after 6 s), the other under the seed's
# entrypoint.sh. A request loop (GET /health, 5/s, 1 s deadline) and a ping loop run in each
# edge; timeline.tsv says when each fault began and ended. bench/analyze.py turns the loops,
# the timeline and wgsidecar's log into notice / heal / failed-request figures.

RECOVERY_FAULTS=(route iface udp move)

# fault_apply FAULT PREFIX INTERFACE
fault_apply() {
  case "$1" in
    route) ip -n "$2edge" route del 10.50.0.0/24 dev "$3" ;;
    iface) ip -n "$2edge" link del "$3" ;;
    udp) "$BENCH_ROOT/tests/lab/lab.sh" --prefix "$2" block-udp ;;
    move) "$BENCH_ROOT/tests/lab/lab.sh" --prefix "$2" move-hub >/dev/null ;;
  esac
}

# The end of a fault that does not end by itself (only the UDP block does).
fault_end() { [ "$1" != udp ] || "$BENCH_ROOT/tests/lab/lab.sh" --prefix "$2" unblock-udp; }

app_healthy() { ip netns exec "$1edge" curl -sf -o /dev/null --max-time 1 "http://127.0.0.1:8080/health"; }
tunnel_works() { ip netns exec "$1edge" ping -c 1 -W 1 -q 10.50.0.1; }
both_healthy() { app_healthy "$1" && tunnel_works "$1" && app_healthy "$2" && tunnel_works "$2"; }

# seed_retunnel PREFIX: what a person would do for the seed, which never heals: wg-quick down
# and up again inside its mount namespace (re-resolving the hub's name). Between faults only.
seed_retunnel() {
  local app_pid
  app_pid=$(cat "$BENCH_OUT/seed-app.pid")
  nsenter -t "$app_pid" -m -n env WG_QUICK_USERSPACE_IMPLEMENTATION=wireguard-go \
    sh -c 'wg-quick down wg0; wg-quick up wg0' >>"$BENCH_OUT/logs/recovery-seed-retunnel.log" 2>&1 || true
}

# recovery_fault ROUND FAULT SIDECAR_PREFIX SEED_PREFIX
recovery_fault() {
  local round=$1 fault=$2 sp=$3 op=$4 t0 t1 t_end
  t0=$EPOCHREALTIME
  fault_apply "$fault" "$sp" "$sp"wg0 || bench_log "applying $fault to the wgsidecar lab failed"
  fault_apply "$fault" "$op" wg0 || bench_log "applying $fault to the seed's lab failed"
  if [ "$fault" = udp ]; then
    sleep "$BENCH_UDP_BLOCK"
  fi
  t1=$EPOCHREALTIME
  fault_end "$fault" "$sp"
  fault_end "$fault" "$op"
  # Both heal, or the window closes; the seed's heals only by itself (it has nothing to help it).
  wait_until "$BENCH_HEAL_WAIT" both_healthy "$sp" "$op" || true
  sleep 1
  t_end=$EPOCHREALTIME
  printf '%s\t%s\t%s\t%s\t%s\n' "$round" "$fault" "$t0" "$t1" "$t_end" >> "$BENCH_OUT/timeline.tsv"
  bench_log "recovery round $round, $fault: window $(ms_between "$t0" "$t_end") ms"
  # The next fault starts from a working tunnel on both sides.
  if ! (app_healthy "$op" && tunnel_works "$op") >/dev/null 2>&1; then seed_retunnel "$op"; fi
  wait_until 40 both_healthy "$sp" "$op" || bench_log "after $fault the labs did not both become healthy again"
}

# bench_recovery SIDECAR_PREFIX SEED_PREFIX ROUNDS: the seed's app is still running from the
# idle scenario (seed-app.pid).
bench_recovery() {
  local sp=$1 op=$2 rounds=$3 sidecar_pid loops=() round fault
  (sidecar_env "$sp" && export SIDECAR_PROBE_INTERVAL=2s SIDECAR_STALE_AFTER=6s &&
    exec ip netns exec "$sp"edge "$WGSIDECAR" run -- "$BENCH_APP") >"$BENCH_OUT/logs/recovery-wgsidecar.log" 2>&1 &
  sidecar_pid=$!
  wait_until 40 both_healthy "$sp" "$op" || { bench_log "the recovery labs are not healthy"; stop_pid "$sidecar_pid"; return 1; }
  request_loop "$sp" 8080 "$BENCH_OUT/requests-wgsidecar.txt" & loops+=($!)
  request_loop "$op" 8080 "$BENCH_OUT/requests-seed.txt" & loops+=($!)
  ping_loop "$sp" "$BENCH_OUT/pings-wgsidecar.txt" & loops+=($!)
  ping_loop "$op" "$BENCH_OUT/pings-seed.txt" & loops+=($!)
  sleep 2
  for round in $(seq "$rounds"); do
    for fault in "${RECOVERY_FAULTS[@]}"; do recovery_fault "$round" "$fault" "$sp" "$op"; done
  done
  kill "${loops[@]}" 2>/dev/null || true
  wait "${loops[@]}" 2>/dev/null || true
  stop_pid "$sidecar_pid"
  wait "$sidecar_pid" 2>/dev/null || true
  stop_pid "$(cat "$BENCH_OUT/seed-app.pid")"
  seed_down "$op"
}

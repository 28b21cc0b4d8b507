# shellcheck shell=bash
# Scenario 3: what the supervisor costs while the app runs, over the same window for all:
# wgsidecar run (default 10 s probe interval) in one lab's edge, tini and the seed's script in
# the other's, each running contacts-api. From /proc: RSS at the end, CPU time (utime+stime of
# every thread) and wakeups (voluntary + nonvoluntary context switches of every thread).

# proc_cost PID: "CPU_TICKS SWITCHES RSS_KB" over all threads of PID.
proc_cost() {
  local pid=$1 task ticks=0 switches=0 rss
  for task in /proc/"$pid"/task/*; do
    # utime and stime are fields 14 and 15; the command name (field 2) may hold spaces.
    ticks=$((ticks + $(sed 's/.*) //' "$task/stat" | awk '{print $12 + $13}')))
    switches=$((switches + $(awk '/ctxt_switches/ {s += $2} END {print s}' "$task/status")))
  done
  rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")
  echo "$ticks $switches $rss"
}

# idle_measure SYSTEM PID SECONDS_FILE_BEFORE...: samples from two proc_cost readings.
idle_record() {
  local system=$1 before=$2 after=$3 seconds=$4 hz
  hz=$(getconf CLK_TCK)
  read -r t0 s0 _ <<<"$before"
  read -r t1 s1 rss <<<"$after"
  sample idle "$system" rss "$rss" KiB
  sample idle "$system" cpu "$(awk -v t="$((t1 - t0))" -v hz="$hz" -v s="$seconds" 'BEGIN {printf "%.2f", t * 1000 / hz / s * 60}')" "ms per min"
  sample idle "$system" wakeups "$(awk -v n="$((s1 - s0))" -v s="$seconds" 'BEGIN {printf "%.2f", n / s}')" "per s"
}

# bench_idle SIDECAR_PREFIX OTHER_PREFIX SECONDS
bench_idle() {
  local sp=$1 op=$2 seconds=$3 sidecar_pid tini_pid seed_pid wg_pid before_s before_t after_s after_t
  local app=$BENCH_APP seedw=$BENCH_OUT/seed-app
  seed_workdir "$seedw" "$app"
  (sidecar_env "$sp" && unset SIDECAR_LOG_LEVEL && exec ip netns exec "$sp"edge "$WGSIDECAR" run -- "$app") \
    >"$BENCH_OUT/logs/idle-wgsidecar.log" 2>&1 &
  sidecar_pid=$!
  (seed_env "$op" && seed_exec "$op" "$seedw") >"$BENCH_OUT/logs/idle-seed.log" 2>&1 &
  seed_pid=$!
  wait_until 30 ip netns exec "$op"edge curl -sf --max-time 1 http://127.0.0.1:8080/health ||
    { bench_log "the seed's contacts-api did not become healthy (see logs/idle-seed.log)"; return 1; }
  # tini runs the same app beside the seed's, on the tunnel the seed brought up.
  (seed_env "$op" && export PORT=8081 && exec ip netns exec "$op"edge tini -- "$app") \
    >"$BENCH_OUT/logs/idle-tini.log" 2>&1 &
  tini_pid=$!
  wait_until 30 ip netns exec "$sp"edge curl -sf --max-time 1 http://127.0.0.1:8080/health ||
    { bench_log "contacts-api under wgsidecar did not become healthy (see logs/idle-wgsidecar.log)"; return 1; }
  wait_until 10 ip netns exec "$op"edge curl -sf --max-time 1 http://127.0.0.1:8081/health ||
    { bench_log "contacts-api under tini did not become healthy (see logs/idle-tini.log)"; return 1; }
  before_s=$(proc_cost "$sidecar_pid") before_t=$(proc_cost "$tini_pid")
  wg_pid=$(edge_processes "$sp" wireguard-go | head -n1)
  local before_w before_sw seed_wg
  seed_wg=$(edge_processes "$op" wireguard-go | head -n1)
  before_w=$(proc_cost "$wg_pid") before_sw=$(proc_cost "$seed_wg")
  bench_log "idle: measuring for $seconds s"
  sleep "$seconds"
  after_s=$(proc_cost "$sidecar_pid") after_t=$(proc_cost "$tini_pid")
  idle_record wgsidecar "$before_s" "$after_s" "$seconds"
  idle_record tini "$before_t" "$after_t" "$seconds"
  # The seed's script exec'd the app: no supervisor process is left to cost (or to watch).
  sample idle seed rss 0 KiB
  sample idle seed cpu 0 "ms per min"
  sample idle seed wakeups 0 "per s"
  # Both tunnels' wireguard-go, for scale (not part of either supervisor's cost).
  idle_record wireguard-go:wgsidecar "$before_w" "$(proc_cost "$wg_pid")" "$seconds"
  idle_record wireguard-go:seed "$before_sw" "$(proc_cost "$seed_wg")" "$seconds"
  stop_pid "$tini_pid"
  stop_pid "$sidecar_pid"
  wait "$sidecar_pid" "$tini_pid" 2>/dev/null || true
  # The seed's app keeps running: the recovery scenario reuses it.
  echo "$seed_pid" > "$BENCH_OUT/seed-app.pid"
}

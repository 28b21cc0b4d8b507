# shellcheck shell=bash
# Scenario 3: what the supervisor costs while the app runs, over the same window for all:
# wgsidecar run (its defaults: a probe every 10 s, the gating checks every 60 s) in one lab's
# edge, the previous wgsidecar (BENCH_PREVIOUS, the commit before the cadence change) in a
# third lab's, and tini and the seed's script in the other's, each running contacts-api.
# From /proc: RSS sampled every second (median and largest; anonymous and file-backed at the
# end), CPU time of every thread (schedstat, in ns: a tick of utime is 10 ms, more than the
# whole budget), wakeups (voluntary context switches of every thread: each is a sleep that
# ended in a wakeup; the nonvoluntary ones are preemptions by other work on a busy machine,
# recorded apart as `preempted`), and
# from each lab's PostgreSQL the sessions opened meanwhile (pg_stat_database.sessions: the
# logins the supervisor made; the app's pool is already connected and idle).
# bench_idle_bundle then runs the two wgsidecars alone for a second window, each verifying the
# database against a CA bundle the size of RDS's global bundle (Debian's public roots, 140-odd
# certificates, plus the lab's CA), as the README's RDS recipe has it: a gating check's TLS
# context is built from that file.

# proc_cost PID: "CPU_NS VOLUNTARY_SWITCHES NONVOLUNTARY_SWITCHES MONITOR_NS CHECKS_NS" over all
# threads of PID; the last two are wgsidecar's threads wgs-monitor (the probes, the link's look)
# and wgs-checks (the gating checks: a login a minute), 0 for any other program.
proc_cost() {
  local pid=$1 task ns=0 voluntary=0 preempted=0 monitor=0 checks=0 run v n comm
  for task in /proc/"$pid"/task/*; do
    read -r run _ < "$task/schedstat" || continue
    read -r v n <<<"$(awk '/^voluntary_ctxt/ {v = $2} /^nonvoluntary_ctxt/ {n = $2} END {print v, n}' "$task/status")"
    ns=$((ns + run)) voluntary=$((voluntary + v)) preempted=$((preempted + n))
    read -r comm < "$task/comm" || comm=
    case $comm in
      wgs-monitor) monitor=$((monitor + run)) ;;
      wgs-checks) checks=$((checks + run)) ;;
    esac
  done
  echo "$ns $voluntary $preempted $monitor $checks"
}

# cpu_per_minute NS SECONDS: NS of CPU over SECONDS as ms a minute.
cpu_per_minute() { awk -v c="$1" -v s="$2" 'BEGIN {printf "%.2f", c / 1e6 / s * 60}'; }

# rate COUNT SECONDS [PER]: COUNT events over SECONDS as events a second, or per PER seconds.
rate() { awk -v n="$1" -v s="$2" -v per="${3:-1}" 'BEGIN {printf "%.2f", n / s * per}'; }

# rss_of PID: "RSS ANON FILE" in KiB.
rss_of() { awk '/^VmRSS/ {r = $2} /^RssAnon/ {a = $2} /^RssFile/ {f = $2} END {print r, a, f}' "/proc/$1/status"; }

# pg_sessions PREFIX: sessions opened to the lab's contacts database so far.
pg_sessions() {
  "$BENCH_ROOT/tests/lab/lab.sh" --prefix "$1" psql-local -d postgres -Atc \
    "SELECT sessions FROM pg_stat_database WHERE datname = 'contacts'"
}

# rss_sampler PID FILE: one RSS reading a second until killed.
rss_sampler() {
  while kill -0 "$1" 2>/dev/null; do
    rss_of "$1" | cut -d' ' -f1 >> "$2"
    sleep 1
  done
}

# idle_record SYSTEM PID BEFORE AFTER SECONDS [RSS_FILE]: samples under IDLE_SCENARIO (default idle).
idle_record() {
  local system=$1 pid=$2 before=$3 after=$4 seconds=$5 samples=${6:-} c0 s0 p0 m0 k0 c1 s1 p1 m1 k1 rss anon file
  local scenario=${IDLE_SCENARIO:-idle}
  read -r c0 s0 p0 m0 k0 <<<"$before"
  read -r c1 s1 p1 m1 k1 <<<"$after"
  read -r rss anon file <<<"$(rss_of "$pid")"
  if [ -n "$samples" ] && [ -s "$samples" ]; then
    sample "$scenario" "$system" rss "$(sort -n "$samples" | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}')" KiB
    sample "$scenario" "$system" rss_largest "$(sort -n "$samples" | tail -n1)" KiB
  else
    sample "$scenario" "$system" rss "$rss" KiB
  fi
  sample "$scenario" "$system" rss_anon "$anon" KiB
  sample "$scenario" "$system" rss_file "$file" KiB
  sample "$scenario" "$system" cpu "$(cpu_per_minute "$((c1 - c0))" "$seconds")" "ms per min"
  if [ "$m1" -gt 0 ] || [ "$k1" -gt 0 ]; then
    sample "$scenario" "$system" cpu_monitor "$(cpu_per_minute "$((m1 - m0))" "$seconds")" "ms per min"
    sample "$scenario" "$system" cpu_checks "$(cpu_per_minute "$((k1 - k0))" "$seconds")" "ms per min"
  fi
  sample "$scenario" "$system" wakeups "$(rate "$((s1 - s0))" "$seconds")" "per s"
  sample "$scenario" "$system" preempted "$(rate "$((p1 - p0))" "$seconds")" "per s"
}

# rds_sized_bundle CA_FILE PREFIX: a bundle of Debian's public roots and CA_FILE; prints its path.
rds_sized_bundle() {
  local bundle=$BENCH_OUT/ca-bundle-$2.pem
  cat /etc/ssl/certs/ca-certificates.crt "$1" > "$bundle"
  echo "$bundle"
}

# sidecar_idle PREFIX BINARY LOG [bundle]: wgsidecar run with its default timers, verifying the
# database against the lab's CA or, given `bundle`, an RDS-sized bundle; prints its pid.
sidecar_idle() {
  (sidecar_env "$1" && unset SIDECAR_LOG_LEVEL &&
    if [ "${4:-}" = bundle ]; then PGSSLROOTCERT=$(rds_sized_bundle "$PGSSLROOTCERT" "$1"); fi &&
    exec ip netns exec "$1"edge "$2" run -- "$BENCH_APP") >"$3" 2>&1 &
  echo $!
}

# bench_idle SIDECAR_PREFIX OTHER_PREFIX PREVIOUS_PREFIX SECONDS
bench_idle() {
  local sp=$1 op=$2 pp=$3 seconds=$4 sidecar_pid previous_pid='' tini_pid seed_pid wg_pid seed_wg
  local app=$BENCH_APP seedw=$BENCH_OUT/seed-app before=() after=() sessions_before=() sessions_after=() samplers=()
  seed_workdir "$seedw" "$app"
  sidecar_pid=$(sidecar_idle "$sp" "$WGSIDECAR" "$BENCH_OUT/logs/idle-wgsidecar.log")
  [ -z "${BENCH_PREVIOUS:-}" ] || previous_pid=$(sidecar_idle "$pp" "$BENCH_PREVIOUS" "$BENCH_OUT/logs/idle-previous.log")
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
  [ -z "$previous_pid" ] || wait_until 30 ip netns exec "$pp"edge curl -sf --max-time 1 http://127.0.0.1:8080/health ||
    { bench_log "contacts-api under the previous wgsidecar did not become healthy"; return 1; }
  wait_until 10 ip netns exec "$op"edge curl -sf --max-time 1 http://127.0.0.1:8081/health ||
    { bench_log "contacts-api under tini did not become healthy (see logs/idle-tini.log)"; return 1; }
  wg_pid=$(edge_processes "$sp" wireguard-go | head -n1)
  seed_wg=$(edge_processes "$op" wireguard-go | head -n1)
  local pids=("$sidecar_pid" "$tini_pid" "$wg_pid" "$seed_wg" ${previous_pid:+"$previous_pid"}) i
  sessions_before=("$(pg_sessions "$sp")" "$(pg_sessions "$op")" "$(pg_sessions "$pp")")
  for i in "${!pids[@]}"; do before[i]=$(proc_cost "${pids[i]}"); : > "$BENCH_OUT/rss-$i"; done
  for i in 0 1 4; do [ -n "${pids[i]:-}" ] && { rss_sampler "${pids[i]}" "$BENCH_OUT/rss-$i" & samplers+=($!); }; done
  bench_log "idle: measuring for $seconds s (load: $(cut -d' ' -f1-3 /proc/loadavg))"
  note idle "Idle window: load average $(cut -d' ' -f1-3 /proc/loadavg) at its start"
  sleep "$seconds"
  for i in "${!pids[@]}"; do after[i]=$(proc_cost "${pids[i]}"); done
  sessions_after=("$(pg_sessions "$sp")" "$(pg_sessions "$op")" "$(pg_sessions "$pp")")
  kill "${samplers[@]}" 2>/dev/null || true
  idle_record wgsidecar "$sidecar_pid" "${before[0]}" "${after[0]}" "$seconds" "$BENCH_OUT/rss-0"
  idle_record tini "$tini_pid" "${before[1]}" "${after[1]}" "$seconds" "$BENCH_OUT/rss-1"
  [ -z "$previous_pid" ] || idle_record previous "$previous_pid" "${before[4]}" "${after[4]}" "$seconds" "$BENCH_OUT/rss-4"
  sample idle wgsidecar db_logins "$(rate "$((sessions_after[0] - sessions_before[0]))" "$seconds" 60)" "per min"
  sample idle tini db_logins "$(rate "$((sessions_after[1] - sessions_before[1]))" "$seconds" 60)" "per min"
  [ -z "$previous_pid" ] ||
    sample idle previous db_logins "$(rate "$((sessions_after[2] - sessions_before[2]))" "$seconds" 60)" "per min"
  # Both tunnels' wireguard-go, for scale (not part of either supervisor's cost).
  idle_record wireguard-go:wgsidecar "$wg_pid" "${before[2]}" "${after[2]}" "$seconds"
  idle_record wireguard-go:seed "$seed_wg" "${before[3]}" "${after[3]}" "$seconds"
  stop_pid "$tini_pid"
  stop_pid "$sidecar_pid"
  [ -z "$previous_pid" ] || stop_pid "$previous_pid"
  wait "$sidecar_pid" "$tini_pid" ${previous_pid:+"$previous_pid"} 2>/dev/null || true
  # The seed's app keeps running: the recovery scenario reuses it.
  echo "$seed_pid" > "$BENCH_OUT/seed-app.pid"
  bench_pagewalk
}

# bench_idle_bundle SIDECAR_PREFIX PREVIOUS_PREFIX SECONDS: the idle window again for the two
# wgsidecars alone, each verifying against an RDS-sized CA bundle (scenario idle:rds-bundle).
bench_idle_bundle() {
  local sp=$1 pp=$2 seconds=$3 pids=() systems=(wgsidecar previous) prefixes=("$1" "$2") before=() after=() i
  local sessions_before=() samplers=()
  pids[0]=$(sidecar_idle "$sp" "$WGSIDECAR" "$BENCH_OUT/logs/idle-bundle-wgsidecar.log" bundle)
  [ -z "${BENCH_PREVIOUS:-}" ] ||
    pids[1]=$(sidecar_idle "$pp" "$BENCH_PREVIOUS" "$BENCH_OUT/logs/idle-bundle-previous.log" bundle)
  for i in "${!pids[@]}"; do
    wait_until 30 ip netns exec "${prefixes[i]}"edge curl -sf --max-time 1 http://127.0.0.1:8080/health ||
      { bench_log "contacts-api under ${systems[i]} with the bundle did not become healthy"; return 1; }
  done
  for i in "${!pids[@]}"; do
    sessions_before[i]=$(pg_sessions "${prefixes[i]}")
    before[i]=$(proc_cost "${pids[i]}")
    : > "$BENCH_OUT/rss-bundle-$i"
    rss_sampler "${pids[i]}" "$BENCH_OUT/rss-bundle-$i" &
    samplers+=($!)
  done
  bench_log "idle with an RDS-sized CA bundle: measuring for $seconds s (load: $(cut -d' ' -f1-3 /proc/loadavg))"
  note idle "Idle window with the bundle ($(grep -c BEGIN "$BENCH_OUT/ca-bundle-$sp.pem") CA certificates): load average $(cut -d' ' -f1-3 /proc/loadavg) at its start"
  sleep "$seconds"
  for i in "${!pids[@]}"; do after[i]=$(proc_cost "${pids[i]}"); done
  kill "${samplers[@]}" 2>/dev/null || true
  for i in "${!pids[@]}"; do
    IDLE_SCENARIO=idle:rds-bundle idle_record "${systems[i]}" "${pids[i]}" "${before[i]}" "${after[i]}" "$seconds" \
      "$BENCH_OUT/rss-bundle-$i"
    sample idle:rds-bundle "${systems[i]}" db_logins \
      "$(rate "$(($(pg_sessions "${prefixes[i]}") - sessions_before[i]))" "$seconds" 60)" "per min"
  done
  for i in "${!pids[@]}"; do stop_pid "${pids[i]}"; done
  wait "${pids[@]}" 2>/dev/null || true
}

# What the machine charges an idle process for finding its memory again (bench/pagewalk.c):
# 1,024 pages touched after 5 s asleep, on 4 KiB pages and within one 2 MiB page, as
# wgsidecar's hot code is (memory/hot_code.hpp). Right after the idle window, on the same
# quiet machine.
bench_pagewalk() {
  cc -O2 -o "$BENCH_OUT/pagewalk" "$BENCH_DIR/pagewalk.c"
  "$BENCH_OUT/pagewalk" 5 5 | while read -r kind ms; do
    sample pagewalk "$([ "$kind" = huge_pages ] && echo wgsidecar || echo "$kind")" touch_1024_pages \
      "$(awk -v ms="$ms" 'BEGIN { printf "%.0f", ms * 1000 }')" µs
  done
}

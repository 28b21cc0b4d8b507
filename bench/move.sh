# shellcheck shell=bash
# Scenario 4: the hub moves to a new address behind its name (tests/lab/lab.sh's move-hub:
# the old address goes dark and the edge's hosts file is rewritten in place), in three labs at
# once: wgsidecar run with its default settings, the seed's entrypoint.sh (wg-quick, nothing
# re-resolves), and the same entrypoint.sh with bench/reresolve.sh every 30 s beside it (what
# wg-quick's users do). Each time counts from the moment the name resolves to the new address
# (the hosts file is rewritten) to the first request of the app's that works (GET /health,
# a SELECT 1 through the tunnel; polled every 0.1 s, 1 s deadline). Rounds alternate: the hub
# silent (only the edge can find it again) and the hub sending first (it pings the edge every
# 0.2 s, so WireGuard's roaming can do the work).

# move_start_seed PREFIX WORKDIR LOG: the seed's entrypoint in PREFIX's edge; prints its pid.
move_start_seed() {
  (seed_env "$1" && seed_exec "$1" "$2") >"$3" 2>&1 &
  echo $!
}

# move_heal PREFIX SECONDS OUT: poll the app until it answers; writes the ms since now, or never:SECONDS.
move_heal() {
  local t0=$EPOCHREALTIME deadline=$((SECONDS + $2))
  while [ "$SECONDS" -lt "$deadline" ]; do
    if app_healthy "$1"; then echo "$(ms_between "$t0" "$EPOCHREALTIME")" > "$3"; return; fi
    sleep 0.1
  done
  echo "never:$2" > "$3"
}

# move_round ROUND KIND P1 P2 P3: move all three hubs, time each app's return.
move_round() {
  local round=$1 kind=$2 prefixes=("$3" "$4" "$5") systems=(wgsidecar seed reresolve30s) i pids=() senders=()
  for i in 0 1 2; do
    "$BENCH_ROOT/tests/lab/lab.sh" --prefix "${prefixes[$i]}" move-hub >/dev/null
    move_heal "${prefixes[$i]}" "$BENCH_MOVE_WAIT" "$BENCH_OUT/move-$round-$i" &
    pids+=($!)
    if [ "$kind" = hub_sends ]; then
      ip netns exec "${prefixes[$i]}hub" ping -q -i 0.2 -W 1 10.50.3.10 >/dev/null 2>&1 &
      senders+=($!)
    fi
  done
  wait "${pids[@]}" || true
  if [ ${#senders[@]} -gt 0 ]; then
    kill "${senders[@]}" 2>/dev/null || true
    wait "${senders[@]}" 2>/dev/null || true  # 143: killed, as meant
  fi
  for i in 0 1 2; do
    sample "move:$kind" "${systems[$i]}" heal_app "$(cat "$BENCH_OUT/move-$round-$i")" ms
  done
  bench_log "move round $round ($kind): $(cat "$BENCH_OUT"/move-"$round"-{0,1,2} | tr '\n' ' ')"
}

# move_restore PREFIX SEED_PID: what a person would do for the seed after a round it did not
# heal: wg-quick down and up again (re-resolving the name).
move_restore() {
  app_healthy "$1" && return 0
  nsenter -t "$2" -m -n env WG_QUICK_USERSPACE_IMPLEMENTATION=wireguard-go \
    sh -c 'wg-quick down wg0; wg-quick up wg0' >>"$BENCH_OUT/logs/move-restore.log" 2>&1 || true
}

# bench_move SIDECAR_PREFIX SEED_PREFIX RERESOLVE_PREFIX ROUNDS
bench_move() {
  local sp=$1 op=$2 rp=$3 rounds=$4 sidecar_pid seed_pid rr_pid rr_loop round kind
  # The idle scenario's seed may still hold the seed lab's wg0 (the recovery scenario ends it).
  [ ! -f "$BENCH_OUT/seed-app.pid" ] || stop_pid "$(cat "$BENCH_OUT/seed-app.pid")"
  seed_down "$op"
  seed_workdir "$BENCH_OUT/move-seed" "$BENCH_APP"
  seed_workdir "$BENCH_OUT/move-rr" "$BENCH_APP"
  (sidecar_env "$sp" && exec ip netns exec "$sp"edge "$WGSIDECAR" run -- "$BENCH_APP") \
    >"$BENCH_OUT/logs/move-wgsidecar.log" 2>&1 &
  sidecar_pid=$!
  seed_pid=$(move_start_seed "$op" "$BENCH_OUT/move-seed" "$BENCH_OUT/logs/move-seed.log")
  rr_pid=$(move_start_seed "$rp" "$BENCH_OUT/move-rr" "$BENCH_OUT/logs/move-reresolve.log")
  wait_until 40 sh -c "ip netns exec ${sp}edge curl -sf -o /dev/null --max-time 1 http://127.0.0.1:8080/health &&
    ip netns exec ${op}edge curl -sf -o /dev/null --max-time 1 http://127.0.0.1:8080/health &&
    ip netns exec ${rp}edge curl -sf -o /dev/null --max-time 1 http://127.0.0.1:8080/health" ||
    { bench_log "the move labs are not healthy"; return 1; }
  # The reresolve loop runs where the seed's wg0 and its UAPI socket are: the entrypoint's namespaces.
  (eval "$(lab_edge_env "$rp" --by-name)" &&
    exec nsenter -t "$rr_pid" -m -n "$BENCH_DIR/reresolve.sh" wg0 "$WG_PEER_PUBLIC_KEY" "$WG_PEER_ENDPOINT" 30) \
    >"$BENCH_OUT/logs/move-reresolve-loop.log" 2>&1 &
  rr_loop=$!
  for round in $(seq "$rounds"); do
    for kind in hub_silent hub_sends; do
      sleep 5
      move_round "$round-$kind" "$kind" "$sp" "$op" "$rp"
      move_restore "$op" "$seed_pid"
      move_restore "$rp" "$rr_pid"
      wait_until 60 app_healthy "$sp" || bench_log "wgsidecar's app did not come back after round $round"
    done
  done
  kill "$rr_loop" 2>/dev/null || true
  stop_pid "$sidecar_pid"
  stop_pid "$seed_pid"
  stop_pid "$rr_pid"
  wait "$sidecar_pid" "$seed_pid" "$rr_pid" "$rr_loop" 2>/dev/null || true
  seed_down "$op"
  seed_down "$rp"
}

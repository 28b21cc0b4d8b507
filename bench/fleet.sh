# shellcheck shell=bash
# shellcheck source-path=SCRIPTDIR
# The fleet: machines with one set of secrets behind one NAT (tests/integration/fleet/lib.sh),
# the hub on `wgsidecar hub`. Against the seed's static secrets on every machine
# (SIDECAR_ENROLL=off: one key shared): failed requests with 2 and 3 machines; what enrolling
# adds to the start; and a hub holding 1,000 enrolled machines (enrollments per second,
# memory, the time to prune them all). Sourced by bench/run.sh (BENCH_ONLY=fleet).
#
# Samples: system "wgsidecar" is enrollment, baseline "static" the shared secrets.

bench_fleet_lab() {
  pass() { :; }
  fail() { bench_log "fleet: $1"; }
  # shellcheck source=../tests/integration/fleet/lib.sh
  source "$BENCH_ROOT/tests/integration/fleet/lib.sh"
}

# bench_fleet_requests MACHINES SYSTEM SECONDS [VAR=VALUE...]: start MACHINES machines, send
# database requests to each in turn for SECONDS, stop them; one failed/sent sample.
bench_fleet_requests() {
  local count=$1 system=$2 seconds=$3 i ok failed
  shift 3
  for i in $(seq "$count"); do fleet_start "$i" "$@"; done
  for i in $(seq "$count"); do fleet_wait 30 "machine $i" fleet_serves "$i" >/dev/null || true; done
  read -r ok failed < <(fleet_round_robin "$seconds" $(seq "$count"))
  sample "fleet:$count" "$system" failed_requests "$failed/$((ok + failed))" failed/sent
  for i in $(seq "$count"); do fleet_kill "$i" TERM; done
  for i in $(seq "$count"); do fleet_wait_exit "$i" 10 >/dev/null || fleet_kill "$i" KILL; done
  sleep 1
}

# bench_fleet_start SYSTEM RUNS [VAR=VALUE...]: wgsidecar run's start to the app's, RUNS times.
bench_fleet_start() {
  local system=$1 runs=$2 run t0 t1
  shift 2
  for run in $(seq "$runs"); do
    rm -f "$fleet_tmp/app.time"
    t0=$EPOCHREALTIME
    (cd / && exec ip netns exec "$(fleet_ns 1)" env WG_INTERFACE="$(fleet_ifname 1)" FLY_MACHINE_ID="start-$run" "$@" \
      "$fleet_wgsidecar" run -- sh -c "date +%s.%N > $fleet_tmp/app.time; exec sleep 1000") >>"$fleet_tmp/start.log" 2>&1 &
    fleet_pids[1]=$!
    fleet_wait 30 "the app" test -s "$fleet_tmp/app.time" >/dev/null || { fleet_kill 1 KILL; continue; }
    t1=$(cat "$fleet_tmp/app.time")
    sample fleet:start "$system" app_start "$(ms_between "$t0" "$t1")" ms
    fleet_kill 1 TERM
    fleet_wait_exit 1 10 >/dev/null || fleet_kill 1 KILL
  done
}

# The enrollment exchange alone, as curl times it: connect, the sealed request, the hub's
# work (open, lease, the peer added over UAPI), the grant.
bench_fleet_exchange() {
  local runs=$1 run seconds
  for run in $(seq "$runs"); do
    ENROLL_CREDENTIAL=$WG_PRIVATE_KEY "$BENCH_ENROLL_DRIVER" "$WG_PEER_PUBLIC_KEY" "exchange-$run" >"$fleet_tmp/request.bin"
    seconds=$(at_machine 1 curl --noproxy '*' -s -o /dev/null -w '%{time_total}' --data-binary @"$fleet_tmp/request.bin" \
      http://192.0.2.1:51820/v1/enroll)
    sample fleet:start wgsidecar enroll_exchange "$(awk -v s="$seconds" 'BEGIN { printf "%.2f", s * 1000 }')" ms
  done
}

# A hub with `count` machines enrolled one after another; memory; then all pruned at once.
bench_fleet_hub() {
  local count=$1 line granted seconds hub_rss go_rss pruned
  line=$(at_machine 1 env ENROLL_CREDENTIAL="$WG_PRIVATE_KEY" "$BENCH_ENROLL_DRIVER" "$WG_PEER_PUBLIC_KEY" load "$count" \
    192.0.2.1 51820) || bench_log "fleet: $line"
  granted=$(awk '{ print $2 }' <<<"$line") seconds=$(awk '{ print $6 }' <<<"$line")
  sample fleet:hub wgsidecar enrollments_per_s "$(awk -v n="$granted" -v s="$seconds" 'BEGIN { printf "%.0f", n / s }')" per_s
  sample fleet:hub wgsidecar enrolled "$granted" machines
  hub_rss=$(awk '/VmRSS/ { print $2 }' "/proc/$fleet_hub_pid/status")
  go_rss=$(awk '/VmRSS/ { print $2 }' "/proc/$(pgrep -P "$fleet_hub_pid" wireguard-go | head -n 1)/status")
  sample fleet:hub wgsidecar "rss_hub_${count}_machines" "$hub_rss" KiB
  sample fleet:hub wgsidecar "rss_wireguard_go_${count}_machines" "$go_rss" KiB
  sample fleet:hub wgsidecar "peers_on_device" "$(fleet_hub_peers)" peers
  # Silent machines go at the sweeps after HUB_EXPIRE_AFTER (every 3 s here): the load's 1,000
  # may straddle two sweeps, so the hub's "pruned N machines; removing their peers took X ms"
  # lines are added up.
  fleet_wait 120 "the prune" peers_left_at_most 1 >/dev/null || true
  pruned=$(grep -F "pruned" "$fleet_tmp/hub.log" | sed -n 's/.*pruned \([0-9]*\) machines; removing their peers took \([0-9.]*\) ms.*/\1 \2/p' |
    awk '{ n += $1; ms += $2 } END { if (n) printf "%d %.1f", n, ms }' || true)
  if [ -n "$pruned" ]; then
    sample fleet:hub wgsidecar pruned "${pruned% *}" machines
    sample fleet:hub wgsidecar "prune_ms" "${pruned#* }" ms
  else
    note fleet "Fleet: the prune of $count machines was not seen"
  fi
}

peers_left_at_most() { local n; n=$(fleet_hub_peers); [ "$n" -le "$1" ]; }

bench_fleet() {
  local seconds=$1 runs=$2
  (
    bench_fleet_lab
    fleet_setup bnf- "$WGSIDECAR" "$BENCH_APP"
    # A /16 pool: room for the 1,000 machines of the last part (the DNAT does not care).
    fleet_hub_start HUB_RATE_LIMIT=1000000 HUB_POOL=10.51.0.0/16
    for machines in 2 3; do
      bench_fleet_requests "$machines" static "$seconds" SIDECAR_ENROLL=off SIDECAR_REQUIRE=none
      bench_fleet_requests "$machines" wgsidecar "$seconds"
    done
    fleet_machine_add 1
    bench_fleet_start static "$runs" SIDECAR_ENROLL=off
    bench_fleet_start wgsidecar "$runs"
    bench_fleet_exchange "$runs"
    bench_fleet_hub 1000
    cp "$fleet_tmp/hub.log" "$BENCH_OUT/logs/fleet-hub.log" 2>/dev/null || true
  )
  note fleet "Fleet: machines behind one NAT in namespaces, the hub on wgsidecar hub (wireguard-go), requests to each machine in turn for $seconds s (5 s deadline each). static = the seed's secrets on every machine, SIDECAR_ENROLL=off (one key shared); wgsidecar = each machine enrolled. fleet:start app_start against the same hub: static = SIDECAR_ENROLL=off, wgsidecar = enrolled; enroll_exchange is curl's time for one enrollment. fleet:hub: 1,000 machines enrolled one after another from one client (no handshakes: each expires after HUB_EXPIRE_AFTER=30s, and the sweep prunes them at once)."
}

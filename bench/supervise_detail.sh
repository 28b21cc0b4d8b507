#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# How fast the monitor of `wgsidecar run` notices and mends each fault, and what supervision
# costs while nothing happens. In the netns lab (root), prefix mon5-:
#   detection  fault injected -> the outside sees the monitor act: the route is back, a new
#              interface or wireguard-go exists, /status leaves "fresh" (UDP blocked), the
#              edge's peer endpoint is the hub's new address (hub moved)
#   recovery   fault injected (UDP: unblocked) -> a ping through the tunnel works again
# with short timers (probe 1s, stale 4s); then the supervisor's RSS and CPU over an idle
# period with the default 10s probe interval. All figures are measured from outside, in
# the edge's namespace, polling every 50 ms.
# Usage: bench/supervise_detail.sh PATH/TO/wgsidecar [ROUNDS (3)] [IDLE_SECONDS (30)]
set -euo pipefail
wgsidecar=$(readlink -f "${1:?usage: supervise.sh PATH/TO/wgsidecar [ROUNDS] [IDLE_SECONDS]}")
rounds=${2:-3}
idle_seconds=${3:-30}
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=../tests/lab/lab.sh
source "$root/tests/lab/lab.sh"
# shellcheck source=../tests/integration/monitor/lib.sh
source "$root/tests/integration/monitor/lib.sh"
# lib.sh's expect_* are for tests; the benchmark only needs its waits.
pass() { :; }
fail() { :; }

mon_setup mon5- "$wgsidecar" --by-name
export SIDECAR_GIVE_UP_AFTER=5m

now() { echo "$EPOCHREALTIME"; }
since() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
# until_true DEADLINE_SECONDS CMD...: poll CMD every 50 ms; prints the moment it succeeded.
until_true() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || { echo timeout; return 1; }
    sleep 0.05
  done
  now
}
ping_works() { at_edge ping -c 1 -W 0.5 -q "$LAB_HUB_WG_ADDR"; }
index_changed() { local i; i=$(mon_link_index) && [ "$i" != "$1" ]; }
userspace_changed() { local p; p=$(mon_userspace_pid) && [ -n "$p" ] && [ "$p" != "$1" ]; }
not_fresh() { [ "$(mon_status_json .tunnel.state)" != fresh ]; }
endpoint_is() { at_edge wg show "$WG_INTERFACE" endpoints | grep -qF "$1:"; }

# fault NAME: inject it; sets t0 (the moment the fault began, or for UDP the unblock), t_detect, t_recover.
fault() {
  local old
  until_true 60 ping_works >/dev/null || { echo "the tunnel does not work before $1" >&2; return 1; }
  sleep 1.5  # a probe in between, so each fault meets a settled monitor
  case "$1" in
    route)
      t0=$(now); at_edge ip route del "$LAB_WG_NET" dev "$WG_INTERFACE"
      t_detect=$(until_true 60 mon_route_present) ;;
    address)
      t0=$(now); at_edge ip addr del "$LAB_EDGE_WG_ADDR/32" dev "$WG_INTERFACE"
      t_detect=$(until_true 60 mon_address_present) ;;
    interface)
      old=$(mon_link_index); t0=$(now); at_edge ip link del "$WG_INTERFACE"
      t_detect=$(until_true 60 index_changed "$old") ;;
    userspace)
      old=$(mon_userspace_pid); t0=$(now); kill -KILL "$old"
      t_detect=$(until_true 60 userspace_changed "$old") ;;
    udp)
      local t_block; t_block=$(now); lab_block_udp
      t_detect=$(until_true 60 not_fresh)
      lab_unblock_udp; t0=$(now)
      detect_from=$t_block ;;
    move)
      local new; t0=$(now); new=$(lab_move_hub)
      t_detect=$(until_true 90 endpoint_is "$new") ;;
  esac
  t_recover=$(until_true 90 ping_works)
}

declare -A detect recover
faults=(route address interface userspace udp move)
mon_start_app
for ((round = 1; round <= rounds; round++)); do
  for f in "${faults[@]}"; do
    detect_from=
    t_detect=timeout t_recover=timeout
    fault "$f" || true
    d=timeout r=timeout
    [ "$t_detect" = timeout ] || d=$(since "${detect_from:-$t0}" "$t_detect")
    [ "$t_recover" = timeout ] || r=$(since "$t0" "$t_recover")
    detect[$f]+="$d " recover[$f]+="$r "
    printf 'round %d %-9s detection %ss recovery %ss\n' "$round" "$f" "$d" "$r" >&2
  done
done
kill -0 "$mon_app_pid" 2>/dev/null && same_app=yes || same_app=NO

# median and max of a list of numbers ("timeout" counts as missing).
stats() {
  local values timeouts
  values=$(tr ' ' '\n' <<<"$1" | grep -E '^[0-9.]+$' | sort -n || true)
  timeouts=$(tr ' ' '\n' <<<"$1" | grep -c '^timeout$' || true)
  [ -n "$values" ] || { echo timeout; return; }
  awk -v t="$timeouts" '{ v[NR] = $1 }
    END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
          printf "%.2f / %.2f%s", m, v[NR], (t > 0 ? " (" t " timed out)" : "") }' <<<"$values"
}

describe() {
  case "$1" in
    route) echo "route deleted" ;; address) echo "address deleted" ;;
    interface) echo "interface deleted" ;; userspace) echo "wireguard-go killed" ;;
    udp) echo "hub UDP blocked, unblocked" ;; move) echo "hub moved (by name)" ;;
  esac
}

echo
echo "wgsidecar monitor, userspace backend, probe 1s, stale after 4s; $rounds rounds; seconds, median / max"
printf '| %-28s | %-20s | %-20s |\n' fault detection recovery
printf '|%s|%s|%s|\n' "------------------------------" "----------------------" "----------------------"
for f in "${faults[@]}"; do
  printf '| %-28s | %-20s | %-20s |\n' "$(describe "$f")" "$(stats "${detect[$f]}")" "$(stats "${recover[$f]}")"
done
echo "(UDP: detection from the block to /status leaving fresh; recovery from the unblock.)"
echo "the app kept its PID through all faults: $same_app"

# Idle cost with the default timers.
mon_stop_sidecar
unset SIDECAR_PROBE_INTERVAL SIDECAR_STALE_AFTER SIDECAR_GIVE_UP_AFTER
mon_start_app
until_true 30 ping_works >/dev/null
sleep 2
ticks() { local stat; stat=$(cat "/proc/$1/stat") && stat=${stat##*) } && awk '{ print $12 + $13 }' <<<"$stat"; }
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
hz=$(getconf CLK_TCK)
c0=$(ticks "$mon_pid") t_start=$(now)
sleep "$idle_seconds"
c1=$(ticks "$mon_pid") t_end=$(now)
rss=$(rss_kib "$mon_pid")
wg_pid=$(mon_userspace_pid || true)
echo
echo "idle for ${idle_seconds}s with the default probe interval (10s):"
awk -v c="$((c1 - c0))" -v hz="$hz" -v s="$(since "$t_start" "$t_end")" -v rss="$rss" 'BEGIN {
  printf "| wgsidecar RSS | %.1f MiB |\n| wgsidecar CPU | %.2f s over %.0f s (%.3f%%) |\n", rss / 1024, c / hz, s, 100 * c / hz / s }'
[ -z "$wg_pid" ] || echo "| wireguard-go RSS (for comparison) | $(awk '{ printf "%.1f MiB", $1 / 1024 }' <<<"$(rss_kib "$wg_pid")") |"

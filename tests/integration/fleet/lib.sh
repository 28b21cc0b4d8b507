# shellcheck shell=bash
# A fleet in the netns lab (tests/lab/lab.sh): the lab's edge namespace becomes a carrier
# NAT, and behind it N machine namespaces each run `wgsidecar run -- contacts-api` with one
# set of secrets — the seed's, unchanged (lab_env) — while the hub namespace runs
# `wgsidecar hub` on the lab hub's key and interface name (so the lab's DNAT to PostgreSQL
# applies). Source after tests/lib/assert.sh and tests/lab/lab.sh; then
# `fleet_setup PREFIX WGSIDECAR CONTACTS_API`.
#
#   ${P}m1..mN  172.16.0.(10+i)/24, route to the hub's underlay via the NAT, WG_INTERFACE ${P}wI
#   ${P}edge    the carrier NAT: 172.16.0.1 inside, 192.0.2.2 outside (masquerade)
#   ${P}hub     wgsidecar hub: 192.0.2.1 udp/51820 WireGuard, tcp/51820 enrollment, 10.50.0.1/24

# shellcheck source=../monitor/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../monitor/lib.sh"

fleet_wgsidecar='' fleet_api='' fleet_tmp='' fleet_hub_pid='' fleet_status='' fleet_expire=30s
declare -A fleet_pids=()

fleet_setup() {
  local prefix=$1
  fleet_wgsidecar=$(readlink -f "$2")
  fleet_api=$(readlink -f "$3")
  fleet_tmp=$(mktemp -d)
  lab_use_prefix "$prefix"
  trap fleet_teardown EXIT
  lab_down >/dev/null 2>&1 || true
  # A machine namespace left by an earlier run would be reused with its veth gone.
  fleet_machines_remove
  lab_up --prefix "$prefix" >/dev/null
  lab_hub_wg_down
  eval "$(lab_env)"  # the seed's secrets, unchanged
  export PGSSLMODE=verify-full SIDECAR_STARTUP_TIMEOUT=30s
  export SIDECAR_PROBE_INTERVAL=1s SIDECAR_STALE_AFTER=4s SIDECAR_GIVE_UP_AFTER=120s
  unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY
  fleet_nat_up
  printf '[Peer]\nPublicKey = %s\nAllowedIPs = %s/32\n' "$(cat "$LAB_STATE/edge.pub")" "$LAB_EDGE_WG_ADDR" \
    > "$fleet_tmp/static-peers.conf"
}

fleet_teardown() {
  local status=$? name
  for name in "${!fleet_pids[@]}"; do fleet_kill "$name" KILL; done
  fleet_hub_stop >/dev/null 2>&1 || true
  fleet_machines_remove
  lab_down >/dev/null 2>&1 || true
  rm -f /var/run/wireguard/"${LAB_PREFIX}"w*.sock
  rm -rf "$fleet_tmp"
  return "$status"
}

# Every machine namespace of this lab, and what still runs in it.
fleet_machines_remove() {
  local ns pid
  for ns in $(ip netns list | awk -v p="${LAB_PREFIX}m" 'index($1, p) == 1 { print $1 }'); do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
    ip netns del "$ns" 2>/dev/null || true
  done
}

# The lab's edge namespace turns into the NAT every machine sits behind.
fleet_nat_up() {
  local nat
  nat=$(lab_ns edge)
  ip netns exec "$nat" sysctl -qw net.ipv4.ip_forward=1
  ip -n "$nat" link add br0 type bridge
  ip -n "$nat" addr add 172.16.0.1/24 dev br0
  ip -n "$nat" link set br0 up
  ip netns exec "$nat" nft -f - <<'NFT'
table ip fleet_nat {
  chain postrouting { type nat hook postrouting priority srcnat; policy accept; oifname "eth0" masquerade; }
}
NFT
}

fleet_ns() { echo "${LAB_PREFIX}m$1"; }
fleet_ifname() { echo "${LAB_PREFIX}w$1"; }
at_machine() { local ns; ns=$(fleet_ns "$1"); shift; ip netns exec "$ns" "$@"; }
at_hub() { ip netns exec "$(lab_ns hub)" "$@"; }

# fleet_machine_add I: a machine namespace behind the NAT.
fleet_machine_add() {
  local i=$1 ns nat
  ns=$(fleet_ns "$i") nat=$(lab_ns edge)
  [ -e "/run/netns/$ns" ] && return 0
  ip netns add "$ns"
  ip -n "$ns" link set lo up
  ip link add eth0 netns "$ns" type veth peer name "m$i" netns "$nat"
  ip -n "$nat" link set "m$i" master br0 up
  ip -n "$ns" addr add "172.16.0.$((10 + i))/24" dev eth0
  ip -n "$ns" link set eth0 up
  ip -n "$ns" route add 192.0.2.0/24 via 172.16.0.1
}

# fleet_hub_start [VAR=VALUE...]: wgsidecar hub in the hub namespace, the seed's edge key as
# its static peer (and so a credential), short expiry; waits for /healthz.
fleet_hub_start() {
  (cd / && exec ip netns exec "$(lab_ns hub)" env HUB_PRIVATE_KEY_FILE="$LAB_STATE/hub.key" \
    HUB_INTERFACE="$LAB_HUB_WG" HUB_BACKEND=userspace HUB_PEERS_FILE="$fleet_tmp/static-peers.conf" \
    HUB_EXPIRE_AFTER="$fleet_expire" HUB_HEALTH_ADDR=127.0.0.1:9090 "$@" \
    "$fleet_wgsidecar" hub) >>"$fleet_tmp/hub.log" 2>&1 &
  fleet_hub_pid=$!
  fleet_wait 10 "the hub's /healthz" fleet_hub_http /healthz
}

fleet_hub_stop() {
  [ -n "$fleet_hub_pid" ] || return 0
  kill -TERM "$fleet_hub_pid" 2>/dev/null || true
  local deadline=$((SECONDS + 10))
  while kill -0 "$fleet_hub_pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.1; done
  kill -KILL "$fleet_hub_pid" 2>/dev/null || true
  wait "$fleet_hub_pid" 2>/dev/null || true
  fleet_hub_pid=
}

fleet_hub_http() { at_hub curl --noproxy '*' -sf -m 3 "http://127.0.0.1:9090$1"; }
fleet_hub_status() { fleet_hub_http /status | jq -r "$1"; }
fleet_hub_metric() { fleet_hub_http /metrics | awk -v m="$1" '$1 == m { print $2 }'; }
fleet_hub_peers() { at_hub wg show "$LAB_HUB_WG" peers | wc -l; }
fleet_hub_log_has() { grep -F -- "$1" "$fleet_tmp/hub.log" | tail -n 1 | grep .; }

# fleet_start I [VAR=VALUE...]: `wgsidecar run -- contacts-api` in machine I with the
# exported secrets, FLY_MACHINE_ID m-I (override with FLY_MACHINE_ID=...); the variables
# named in FLEET_UNSET are left out.
fleet_start() {
  local i=$1 ifname name unset=()
  shift
  for name in ${FLEET_UNSET:-}; do unset+=(-u "$name"); done
  ifname=$(fleet_ifname "$i")
  fleet_machine_add "$i"
  rm -f "/var/run/wireguard/$ifname.sock"
  (cd / && exec ip netns exec "$(fleet_ns "$i")" env "${unset[@]}" WG_INTERFACE="$ifname" FLY_MACHINE_ID="m-$i" FLY_REGION=lhr \
    PORT=8080 LISTEN_ADDR=127.0.0.1 "$@" "$fleet_wgsidecar" run -- "$fleet_api") >>"$fleet_tmp/m$i.log" 2>&1 &
  fleet_pids[$i]=$!
}

fleet_kill() { kill "-${2:-TERM}" "${fleet_pids[$1]}" 2>/dev/null || true; }

# fleet_wait_exit I SECONDS: its exit status in $fleet_status (empty on timeout).
fleet_wait_exit() {
  fleet_status=
  wait_exit "${fleet_pids[$1]}" "$2" || return 1
  # shellcheck disable=SC2034 # read by the scripts that source this one
  fleet_status=$exit_status
  unset "fleet_pids[$1]"
}

# A request the database answers, through machine I's tunnel.
fleet_request() { at_machine "$1" curl --noproxy '*' -sf -m 5 -o /dev/null "http://127.0.0.1:8080/contacts?limit=5"; }
fleet_serves() { fleet_request "$1" && echo "machine $1 serves"; }
fleet_app_pid() { pgrep -P "${fleet_pids[$1]}" -f "$fleet_api" | head -n 1; }
fleet_log_has() { grep -F -- "$2" "$fleet_tmp/m$1.log" | tail -n 1 | grep .; }

# fleet_wait SECONDS WHAT CMD...: the monitor tests' wait, which says what it saw last.
fleet_wait() { mon_wait "$@"; }

fleet_within() {
  local name=$1 seconds=$2
  shift 2
  if fleet_wait "$seconds" "$name" "$@"; then pass "$name"; else fail "$name"; fleet_dump; fi
}

fleet_dump() {
  local log
  for log in "$fleet_tmp"/*.log; do
    printf '       --- %s (last 15 lines)\n' "$(basename "$log")"
    tail -n 15 "$log" | sed 's/^/       | /'
  done
}

# fleet_round_robin SECONDS MACHINES...: requests to each machine in turn for SECONDS; prints
# "ok failed".
fleet_round_robin() {
  local seconds=$1 ok=0 failed=0 deadline i
  shift
  deadline=$((SECONDS + seconds))
  while [ "$SECONDS" -lt "$deadline" ]; do
    for i in "$@"; do
      if fleet_request "$i"; then ok=$((ok + 1)); else failed=$((failed + 1)); fi
    done
  done
  echo "$ok $failed"
}

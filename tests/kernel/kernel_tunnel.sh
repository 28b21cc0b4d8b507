#!/usr/bin/env bash
# Inside the qemu VM (a kernel with WireGuard): a hub configured by `ip` and `wg` (tools nobody
# here wrote), and the edge brought up by wgsidecar's netlink backend, with WG_BACKEND=kernel
# and with auto. Covers up/status/down, idempotent and healing `up`, a peer whose allowed IPs
# need a multi-part netlink dump, and the supervisor's repairs under `run` (route deleted,
# interface deleted, the hub's name moving to another address).
# Usage (from the host): tests/kernel/vm-run.sh --share BUILD tests/kernel/kernel_tunnel.sh BUILD/sidecar/wgsidecar
set -euo pipefail
wgsidecar=$(readlink -f "${1:?usage: kernel_tunnel.sh PATH/TO/wgsidecar}")
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib/assert.sh
source "$here/../lib/assert.sh"
# shellcheck source-path=SCRIPTDIR source=../lib/wait.sh
source "$here/../lib/wait.sh"
[ -d /sys/module/wireguard ] || { echo "kernel_tunnel: no WireGuard in this kernel (run it under vm-run.sh)"; exit 77; }

hub=kthub edge=ktedge dev=ktwg0 hub_dev=kthwg
hub_name=hub.kt.internal
tmp=$(mktemp -d)
run_pid=
cleanup() {
  [ -z "$run_pid" ] || kill -KILL "$run_pid" 2>/dev/null || true
  ip netns del "$hub" 2>/dev/null || true
  ip netns del "$edge" 2>/dev/null || true
  rm -rf "$tmp" "/etc/netns/$edge"
}
trap cleanup EXIT
at_edge() { ip netns exec "$edge" "$@"; }
section() { printf '%s (at %ss)\n' "$*" "$SECONDS"; }
at_hub() { ip netns exec "$hub" "$@"; }

setup_network() {
  ip netns add "$hub"
  ip netns add "$edge"
  ip link add ktv0 netns "$edge" type veth peer name ktv1 netns "$hub"
  ip -n "$edge" addr add 192.0.2.2/24 dev ktv0
  ip -n "$hub" addr add 192.0.2.1/24 dev ktv1
  for ns in "$hub" "$edge"; do ip -n "$ns" link set lo up; done
  ip -n "$edge" link set ktv0 up
  ip -n "$hub" link set ktv1 up
  # The edge finds the hub by name in its own hosts file; no query ever leaves the VM.
  mkdir -p "/etc/netns/$edge"
  printf 'nameserver 127.0.0.1\n' > "/etc/netns/$edge/resolv.conf"
  write_hosts 192.0.2.1
}

# In place, not renamed over: `ip netns exec` bind-mounts the file into a running wgsidecar.
write_hosts() { printf '127.0.0.1\tlocalhost\n%s\t%s\n' "$1" "$hub_name" > "/etc/netns/$edge/hosts"; }

setup_hub() {
  (umask 077 && wg genkey > "$tmp/hub.key" && wg genkey > "$tmp/edge.key")
  ip -n "$hub" link add "$hub_dev" type wireguard
  at_hub wg set "$hub_dev" private-key "$tmp/hub.key" listen-port 51820 \
    peer "$(wg pubkey < "$tmp/edge.key")" allowed-ips 10.50.3.10/32
  ip -n "$hub" addr add 10.50.0.1/24 dev "$hub_dev"
  ip -n "$hub" link set "$hub_dev" up
  ip -n "$hub" route add 10.50.3.10/32 dev "$hub_dev"
}

setup_network
setup_hub
WG_PRIVATE_KEY=$(cat "$tmp/edge.key")
WG_PEER_PUBLIC_KEY=$(wg pubkey < "$tmp/hub.key")
export WG_PRIVATE_KEY WG_PEER_PUBLIC_KEY WG_PEER_ENDPOINT=192.0.2.1:51820 WG_INTERFACE=$dev
export WG_ADDRESS=10.50.3.10/32 WG_ALLOWED_IPS=10.50.0.0/24

# status --json's stdout alone (its log lines go elsewhere), kept in $out by expect_status.
status_json() { at_edge "$wgsidecar" status --json 2> "$tmp/status.err"; }
ifindex() { at_edge cat "/sys/class/net/$dev/ifindex" 2>/dev/null || echo none; }
edge_pings_hub() { at_edge ping -c 1 -W 1 10.50.0.1; }
hub_reached_at_new_address() { at_edge wg show "$dev" endpoints | grep -q 192.0.2.11:51820 && edge_pings_hub; }
route_present() { [ -n "$(at_edge ip route show 10.50.0.0/24 dev "$dev" 2>/dev/null)" ]; }

for backend in kernel auto; do
  section "WG_BACKEND=$backend: up through the kernel's WireGuard"
  # With an empty PATH, any `ip`, `wg` or wireguard-go wgsidecar tried to start would fail.
  expect_status "up --wait 10s exits 0 with no program on PATH" 0 \
    at_edge env WG_BACKEND=$backend PATH=/nonexistent "$wgsidecar" up --wait 10s
  expect_not_contains "up does not fall back to userspace" "falling back" "$out"
  expect_eq "the link is of kind wireguard" wireguard "$(at_edge ip -j -d link show "$dev" | jq -r '.[0].linkinfo.info_kind')"
  expect_eq "no userspace implementation runs" 0 "$(pgrep -c wireguard-go || true)"
  expect_eq "no UAPI socket" false "$([ -e "/var/run/wireguard/$dev.sock" ] && echo true || echo false)"
  expect_status "ping 10.50.0.1 crosses the kernel tunnel" 0 edge_pings_hub
  expect_status "status --json exits 0" 0 status_json
  status=$out
  expect_eq "status names the kernel backend" kernel "$(jq -r .backend <<< "$status")"
  expect_eq "status reads the handshake over genetlink" true "$(jq '.peers[0].latest_handshake_age_seconds != null' <<< "$status")"
  expect_eq "status reads the counters" true "$(jq '.peers[0].rx_bytes > 0 and .peers[0].tx_bytes > 0' <<< "$status")"
  expect_eq "status shows the endpoint" 192.0.2.1:51820 "$(jq -r '.peers[0].endpoint' <<< "$status")"
  expect_eq "status shows the keepalive" 25 "$(jq '.peers[0].persistent_keepalive' <<< "$status")"
  expect_eq "status shows the address" 10.50.3.10/32 "$(jq -r '.addresses[0]' <<< "$status")"
  expect_eq "MTU auto: the veth's 1500 minus 80" 1420 "$(jq .mtu <<< "$status")"
  expect_not_contains "status has no private key" "$WG_PRIVATE_KEY" "$status"
  expect_contains "the allowed-IPs route goes through the tunnel" "dev $dev" "$(at_edge ip route show 10.50.0.0/24)"
  expect_eq "wg (the real tool) sees the hub as the peer" "$WG_PEER_PUBLIC_KEY" "$(at_edge wg show "$dev" peers)"
  expect_eq "wg sees the edge's public key" "$(wg pubkey < "$tmp/edge.key")" "$(at_edge wg show "$dev" public-key)"
  expect_eq "the hub saw a handshake" true "$(at_hub wg show "$hub_dev" latest-handshakes | awk '{ print ($2 > 0) ? "true" : "false" }')"

  section "WG_BACKEND=$backend: up again is idempotent"
  index=$(ifindex)
  expect_status "a second up exits 0" 0 at_edge env WG_BACKEND=$backend "$wgsidecar" up --wait 5s
  expect_eq "the same interface (ifindex)" "$index" "$(ifindex)"
  expect_eq "still one address" 1 "$(at_edge ip -o -4 addr show dev "$dev" | wc -l)"
  expect_status "ping still crosses" 0 edge_pings_hub

  section "WG_BACKEND=$backend: down leaves nothing"
  expect_status "down exits 0" 0 at_edge "$wgsidecar" down
  expect_eq "no interface" "" "$(at_edge ip -o link show "$dev" 2>/dev/null || true)"
  expect_eq "no route" "" "$(at_edge ip route show 10.50.0.0/24)"
  expect_status "down with nothing there exits 0" 0 at_edge "$wgsidecar" down
done

section "up heals what was removed behind its back"
export WG_BACKEND=kernel
at_edge "$wgsidecar" up --wait 10s > /dev/null 2>&1
at_edge ip route del 10.50.0.0/24 dev "$dev"
at_edge ip addr flush dev "$dev"
at_edge ip link set "$dev" down
expect_status "up after the route, the address and the link state went" 0 at_edge "$wgsidecar" up --wait 10s
expect_eq "the route is back" true "$(route_present && echo true || echo false)"
expect_eq "the address is back" 10.50.3.10/32 "$(at_edge ip -j addr show dev "$dev" | jq -r '.[0].addr_info[0] | "\(.local)/\(.prefixlen)"')"
expect_status "ping crosses again" 0 edge_pings_hub
at_edge ip link del "$dev"
expect_status "up after the interface was deleted" 0 at_edge "$wgsidecar" up --wait 10s
expect_eq "a kernel WireGuard link again" wireguard "$(at_edge ip -j -d link show "$dev" | jq -r '.[0].linkinfo.info_kind')"
expect_status "ping crosses again" 0 edge_pings_hub
at_edge ip link del "$dev"
ip -n "$edge" link add "$dev" type veth peer name ktother
expect_status "a non-WireGuard link in the way: up fails" 71 at_edge "$wgsidecar" up
expect_contains "and says what is in the way" "not a WireGuard device" "$out"
at_edge ip link del "$dev"

section "a peer with 1500 allowed IPs: a multi-part netlink dump"
many=10.50.0.0/24
for i in $(seq 0 1498); do many+=",10.60.$((i / 250)).$((i % 250 + 1))/32"; done
WG_ALLOWED_IPS=$many
expect_status "up with 1500 allowed IPs" 0 at_edge "$wgsidecar" up --wait 10s
expect_status "status --json" 0 status_json
expect_eq "status reads all 1500 back" 1500 "$(jq '.peers[0].allowed_ips | length' <<< "$out")"
expect_eq "wg agrees on the count" 1500 "$(at_edge wg show "$dev" allowed-ips | awk '{ n += NF - 1 } END { print n }')"
expect_eq "a route for each" 1500 "$(at_edge ip -o route show dev "$dev" | wc -l)"
expect_status "ping crosses" 0 edge_pings_hub
expect_status "down" 0 at_edge "$wgsidecar" down
WG_ALLOWED_IPS=10.50.0.0/24

section "run: the supervisor repairs the kernel tunnel"
export WG_PEER_ENDPOINT=$hub_name:51820 SIDECAR_REQUIRE=handshake SIDECAR_PING_HOST=10.50.0.1
export SIDECAR_PROBE_INTERVAL=1s SIDECAR_STALE_AFTER=3s
# Not through at_edge: `ip netns exec` execs wgsidecar, so $! is wgsidecar itself.
ip netns exec "$edge" "$wgsidecar" run -- sleep 600 > "$tmp/run.log" 2>&1 &
run_pid=$!
expect_status "the tunnel comes up under run (the hub by name)" 0 wait_until 30 edge_pings_hub
at_edge ip route del 10.50.0.0/24 dev "$dev"
expect_status "a deleted route is put back" 0 wait_until 30 route_present
index=$(ifindex)
at_edge ip link del "$dev"
expect_status "a deleted interface is re-created" 0 wait_until 30 edge_pings_hub
expect_eq "as a kernel WireGuard link" wireguard "$(at_edge ip -j -d link show "$dev" | jq -r '.[0].linkinfo.info_kind')"
expect_eq "with a new ifindex" true "$([ "$(ifindex)" != "$index" ] && echo true || echo false)"
ip -n "$hub" addr del 192.0.2.1/24 dev ktv1
ip -n "$hub" addr add 192.0.2.11/24 dev ktv1
write_hosts 192.0.2.11
expect_status "the hub's name moved: the endpoint is re-resolved" 0 wait_until 60 hub_reached_at_new_address
expect_eq "run is still running" true "$(kill -0 "$run_pid" 2>/dev/null && echo true || echo false)"
kill -TERM "$run_pid"
set +e; wait "$run_pid"; code=$?; set -e
run_pid=
expect_eq "SIGTERM: run exits 143" 143 "$code"
expect_eq "and takes the interface down" "" "$(at_edge ip -o link show "$dev" 2>/dev/null || true)"
log=$(cat "$tmp/run.log")
expect_contains "the log names the re-creation" "re-created $dev (kernel backend" "$log"
expect_not_contains "the log has no private key" "$WG_PRIVATE_KEY" "$log"
[ "$failed" -eq 0 ] || { echo "--- run's log"; cat "$tmp/run.log"; }
finish

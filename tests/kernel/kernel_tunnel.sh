#!/usr/bin/env bash
# Inside the qemu VM (real kernel WireGuard): a hub configured by `ip` and `wg`, and the edge
# brought up by wgsidecar's netlink backend with WG_BACKEND=kernel and with auto.
# Usage (from the host): tests/kernel/vm-run.sh --share BUILD tests/kernel/kernel_tunnel.sh BUILD/sidecar/wgsidecar
set -euo pipefail
wgsidecar=${1:?usage: kernel_tunnel.sh PATH/TO/wgsidecar}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib/assert.sh"
[ -d /sys/module/wireguard ] || { echo "kernel_tunnel: no WireGuard in this kernel (run it under vm-run.sh)"; exit 2; }

hub=kwhub edge=kwedge
cleanup() { ip netns del "$hub" 2>/dev/null || true; ip netns del "$edge" 2>/dev/null || true; }
trap cleanup EXIT
ip netns add "$hub"
ip netns add "$edge"
ip link add kwv0 netns "$edge" type veth peer name kwv1 netns "$hub"
ip -n "$edge" addr add 192.0.2.2/24 dev kwv0
ip -n "$hub" addr add 192.0.2.1/24 dev kwv1
for ns in "$hub" "$edge"; do ip -n "$ns" link set lo up; done
ip -n "$edge" link set kwv0 up
ip -n "$hub" link set kwv1 up

hub_key=$(wg genkey)
edge_key=$(wg genkey)
ip -n "$hub" link add wg0 type wireguard
ip netns exec "$hub" wg set wg0 private-key <(printf '%s\n' "$hub_key") listen-port 51820 \
  peer "$(wg pubkey <<< "$edge_key")" allowed-ips 10.50.3.10/32
ip -n "$hub" addr add 10.50.0.1/24 dev wg0
ip -n "$hub" link set wg0 up
ip -n "$hub" route add 10.50.3.10/32 dev wg0 2>/dev/null || true

export WG_PRIVATE_KEY=$edge_key WG_PEER_PUBLIC_KEY=$(wg pubkey <<< "$hub_key") WG_PEER_ENDPOINT=192.0.2.1:51820
at_edge() { ip netns exec "$edge" "$@"; }

for backend in kernel auto; do
  echo "WG_BACKEND=$backend"
  expect_status "up --wait 10s exits 0" 0 env WG_BACKEND=$backend ip netns exec "$edge" "$wgsidecar" up --wait 10s
  expect_eq "the link is of kind wireguard" wireguard "$(at_edge ip -j -d link show wg0 | jq -r '.[0].linkinfo.info_kind')"
  expect_eq "no userspace implementation runs" 0 "$(pgrep -c wireguard-go || true)"
  expect_status "ping 10.50.0.1 crosses the kernel tunnel" 0 at_edge ping -c 1 -W 2 10.50.0.1
  expect_status "status --json" 0 at_edge "$wgsidecar" status --json
  expect_eq "status names the kernel backend" kernel "$(jq -r .backend <<< "$out")"
  expect_eq "status reads the handshake over genetlink" true "$(jq '.peers[0].latest_handshake_age_seconds != null' <<< "$out")"
  expect_eq "status reads the counters" true "$(jq '.peers[0].rx_bytes > 0 and .peers[0].tx_bytes > 0' <<< "$out")"
  expect_eq "MTU auto: the veth's 1500 minus 80" 1420 "$(jq .mtu <<< "$out")"
  expect_contains "the allowed-IPs route" "dev wg0" "$(at_edge ip route show 10.50.0.0/24)"
  expect_eq "wg (the real tool) agrees on the peer" "$WG_PEER_PUBLIC_KEY" "$(at_edge wg show wg0 peers)"
  expect_status "up again is idempotent" 0 at_edge "$wgsidecar" up
  expect_status "down" 0 at_edge "$wgsidecar" down
  expect_eq "no interface left" "" "$(at_edge ip -o link show wg0 2>/dev/null || true)"
done
finish

#!/usr/bin/env bash
# `wgsidecar up/status/down` against the lab's real hub (wireguard-go configured by wg, nft
# DNAT to PostgreSQL). This kernel has no WireGuard module, so `auto` must fall back to the
# userspace implementation. Usage: tunnel_test.sh PATH/TO/wgsidecar [--ipv6]
set -euo pipefail
wgsidecar=$(readlink -f "${1:?usage: tunnel_test.sh PATH/TO/wgsidecar [--ipv6]}")
ipv6=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib/assert.sh"
source "$here/../lib/skip.sh"
needs_lab
source "$here/../lab/lab.sh"
prefix=tun${ipv6:+6}-
lab_use_prefix "$prefix"
trap 'lab_down >/dev/null 2>&1 || true' EXIT
lab_up --prefix "$prefix" $ipv6 >/dev/null
eval "$(lab_env)"
edge=$(lab_ns edge)
# Names the lab's hosts file does not know go to a resolver on the edge's own loopback, never
# to this machine's nameserver.
echo "nameserver 127.0.0.1" > "/etc/netns/$edge/resolv.conf"
at_edge() { ip netns exec "$edge" "$@"; }

echo "up through the userspace fallback, with the seed's variable names"
expect_status "up --wait 10s exits 0" 0 at_edge "$wgsidecar" up --wait 10s
expect_contains "up says it fell back to userspace" "falling back to wireguard-go" "$out"
expect_status "ping 10.50.0.1 crosses the tunnel" 0 at_edge ping -c 1 -W 2 10.50.0.1
expect_status "status --json exits 0" 0 at_edge "$wgsidecar" status --json
status=$out
expect_eq "status names the userspace backend" userspace "$(jq -r .backend <<< "$status")"
expect_eq "status shows a handshake" true "$(jq '.peers[0].latest_handshake_age_seconds != null' <<< "$status")"
expect_eq "status shows the hub's endpoint" "$WG_PEER_ENDPOINT" "$(jq -r '.peers[0].endpoint' <<< "$status")"
expect_eq "status shows received bytes" true "$(jq '.peers[0].rx_bytes > 0' <<< "$status")"
expect_eq "status shows the keepalive" 25 "$(jq '.peers[0].persistent_keepalive' <<< "$status")"
expect_eq "status shows the address" 10.50.3.10/32 "$(jq -r '.addresses[0]' <<< "$status")"
expect_eq "the MTU is the underlay's minus 80" 1420 "$(jq '.mtu' <<< "$status")"
expect_not_contains "status has no private key" "$WG_PRIVATE_KEY" "$status"
expect_contains "the route to the hub's network goes through the tunnel" "dev $WG_INTERFACE" "$(at_edge ip route show 10.50.0.0/24)"

echo "the private key is nowhere but in memory"
pid=$(pgrep -f "wireguard-go -f $WG_INTERFACE" | head -n 1)
expect_eq "wireguard-go runs for the interface" true "$([ -n "$pid" ] && echo true || echo false)"
expect_not_contains "not in wireguard-go's argv" "$WG_PRIVATE_KEY" "$(tr '\0' ' ' < "/proc/$pid/cmdline")"
expect_not_contains "not in wireguard-go's environment" "WG_PRIVATE_KEY" "$(tr '\0' '\n' < "/proc/$pid/environ")"
# Regular files only, each directory on its own filesystem: a chroot under /var/tmp (as
# scripts/fresh-check.sh makes) mounts /proc and /dev, whose files a read never finishes.
files_holding() { find "${@:2}" -xdev -type f -print0 2>/dev/null | xargs -0 -r grep -lsF -- "$1" || true; }
hits=$(files_holding "$WG_PRIVATE_KEY" /etc /run /var/run /tmp /var/tmp /root | grep -vE "^(/var)?/run/wgsidecar-lab/" || true)
expect_eq "no file outside the lab's own state holds the key" "" "$hits"
hex=$(printf '%s' "$WG_PRIVATE_KEY" | base64 -d | od -An -tx1 | tr -d ' \n')
hits=$(files_holding "$hex" /etc /run /var/run /tmp /var/tmp)
expect_eq "no file holds the key in UAPI hex either" "" "$hits"

echo "up again is idempotent"
expect_status "a second up exits 0" 0 at_edge "$wgsidecar" up --wait 5s
expect_eq "still one wireguard-go" 1 "$(pgrep -fc "wireguard-go -f $WG_INTERFACE")"
expect_status "ping still crosses" 0 at_edge ping -c 1 -W 2 10.50.0.1

echo "down leaves nothing"
expect_status "down exits 0" 0 at_edge "$wgsidecar" down
expect_eq "no interface" "" "$(at_edge ip -o link show "$WG_INTERFACE" 2>/dev/null || true)"
expect_eq "no route" "" "$(at_edge ip route show 10.50.0.0/24)"
expect_eq "no wireguard-go" 0 "$(pgrep -fc "wireguard-go -f $WG_INTERFACE" || true)"
expect_eq "no UAPI socket" false "$([ -e "/var/run/wireguard/$WG_INTERFACE.sock" ] && echo true || echo false)"
expect_status "down with nothing there exits 0" 0 at_edge "$wgsidecar" down

echo "mistakes a newcomer makes"
wrong_hub=$(wg genkey | wg pubkey)
expect_status "a wrong hub public key: up --wait fails with 69" 69 env WG_PEER_PUBLIC_KEY="$wrong_hub" \
  ip netns exec "$edge" "$wgsidecar" up --wait 3s
expect_contains "and says there was no handshake, and what to check" "no handshake with the hub within 3s" "$out"
at_edge "$wgsidecar" down >/dev/null
expect_status "WG_BACKEND=kernel on a kernel without WireGuard fails" 71 env WG_BACKEND=kernel \
  ip netns exec "$edge" "$wgsidecar" up
expect_contains "and names the missing module" "no WireGuard module" "$out"
expect_eq "nothing is left after a failed up" "" "$(at_edge ip -o link show "$WG_INTERFACE" 2>/dev/null || true)"
expect_status "an endpoint name nobody knows fails" 71 env WG_PEER_ENDPOINT=nowhere.lab.internal:51820 \
  ip netns exec "$edge" "$wgsidecar" up
expect_contains "naming the endpoint" "nowhere.lab.internal:51820" "$out"

echo "the endpoint as a DNS name (the edge's hosts file)"
by_name=$(lab_endpoint --by-name)
expect_status "up with $by_name" 0 env WG_PEER_ENDPOINT="$by_name" ip netns exec "$edge" "$wgsidecar" up --wait 10s
expect_status "ping crosses" 0 at_edge ping -c 1 -W 2 10.50.0.1
expect_status "down" 0 at_edge "$wgsidecar" down
finish

#!/usr/bin/env bash
# Single peers of a running userspace device, as a hub changes them when machines come and
# go: through uapi_driver (sidecar/wireguard's UAPI backend) against a real wireguard-go,
# read back with `wg show`. A live peer (a second wireguard-go configured by `wg`, pinging)
# keeps its session while others are added, updated and removed beside it; the device keeps
# its key and port. Usage: peers_test.sh PATH/TO/uapi_driver. Needs root.
set -euo pipefail
driver=$(readlink -f "${1:?usage: peers_test.sh PATH/TO/uapi_driver}")
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../../lib/assert.sh
source "$here/../../lib/assert.sh"
# shellcheck source=../../lib/wait.sh
source "$here/../../lib/wait.sh"
[ "$(id -u)" = 0 ] || { echo "peers_test: needs root (network namespaces)"; exit 77; }
command -v wireguard-go >/dev/null && command -v wg >/dev/null || { echo "peers_test: needs wireguard-go and wg"; exit 77; }

tag=${WGS_LAB_TAG:-}
id=$(( $$ % 10000 ))
ns_hub=${tag}fph$id ns_edge=${tag}fpe$id
wg_hub=${tag}fph$id wg_edge=${tag}fpe$id
pids=()
cleanup() {
  for ns in "$ns_hub" "$ns_edge"; do ip netns del "$ns" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -f "/var/run/wireguard/$wg_hub.sock" "/var/run/wireguard/$wg_edge.sock"
}
trap cleanup EXIT
at_hub() { ip netns exec "$ns_hub" "$@"; }
at_edge() { ip netns exec "$ns_edge" "$@"; }
# peer_line KEY: the peer's `wg show dump` line without the counters traffic changes.
peer_line() { at_hub wg show "$wg_hub" dump | awk -F'\t' -v k="$1" '$1 == k { print $1, $3, $4, $8 }'; }
handshake_of() { at_hub wg show "$wg_hub" dump | awk -F'\t' -v k="$1" '$1 == k { print $5 }'; }

hub_key=$(wg genkey) edge_key=$(wg genkey)
hub_pub=$(wg pubkey <<<"$hub_key") edge_pub=$(wg pubkey <<<"$edge_key")
gone_pub=$(wg genkey | wg pubkey) kept_pub=$(wg genkey | wg pubkey) new_pub=$(wg genkey | wg pubkey)

for ns in "$ns_hub" "$ns_edge"; do ip netns add "$ns"; ip -n "$ns" link set lo up; done
ip -n "$ns_hub" link add veth0 type veth peer name veth0 netns "$ns_edge"
ip -n "$ns_hub" addr add 192.0.2.1/24 dev veth0
ip -n "$ns_edge" addr add 192.0.2.2/24 dev veth0
ip -n "$ns_hub" link set veth0 up
ip -n "$ns_edge" link set veth0 up

out=$(at_hub "$driver" start "$wg_hub" --detach) && pids+=("${out#pid }")
out=$(at_edge "$driver" start "$wg_edge" --detach) && pids+=("${out#pid }")

echo "== the hub: a live machine and two others"
expect_status "the hub's device, three peers" 0 at_hub env WG_PRIVATE_KEY="$hub_key" "$driver" set "$wg_hub" \
  --listen-port 51820 --peer "$edge_pub" --allowed-ips 10.50.3.2/32 \
  --peer "$gone_pub" --allowed-ips 10.50.3.3/32 --peer "$kept_pub" --allowed-ips 10.50.3.4/32
at_edge wg set "$wg_edge" private-key <(echo "$edge_key") peer "$hub_pub" endpoint 192.0.2.1:51820 \
  allowed-ips 10.50.0.0/24 persistent-keepalive 25
ip -n "$ns_hub" addr add 10.50.0.1/24 dev "$wg_hub"
ip -n "$ns_edge" addr add 10.50.3.2/32 dev "$wg_edge"
ip -n "$ns_hub" link set "$wg_hub" up
ip -n "$ns_edge" link set "$wg_edge" up
ip -n "$ns_hub" route add 10.50.3.0/24 dev "$wg_hub"
ip -n "$ns_edge" route add 10.50.0.0/24 dev "$wg_edge"
if wait_until 15 at_edge ping -c1 -W1 10.50.0.1; then pass "the live machine pings the hub"; else fail "the live machine pings the hub"; fi
handshake=$(handshake_of "$edge_pub")
kept_before=$(peer_line "$kept_pub")

echo "== single changes beside it"
expect_status "remove one machine" 0 at_hub "$driver" set "$wg_hub" --keep-peers --remove "$gone_pub"
expect_eq "it is gone" "" "$(peer_line "$gone_pub")"
expect_status "add one machine" 0 at_hub "$driver" set "$wg_hub" --keep-peers --peer "$new_pub" --allowed-ips 10.50.3.5/32
expect_eq "it is there with its address" "$new_pub (none) 10.50.3.5/32 off" "$(peer_line "$new_pub")"
expect_status "update the live machine in place (keepalive 25)" 0 at_hub "$driver" set "$wg_hub" --keep-peers \
  --peer "$edge_pub" --keepalive 25 --allowed-ips 10.50.3.2/32
expect_status "remove a key the hub never had" 0 at_hub "$driver" set "$wg_hub" --keep-peers --remove "$(wg genkey | wg pubkey)"
expect_eq "the untouched machine is exactly as it was" "$kept_before" "$(peer_line "$kept_pub")"
expect_eq "three peers in all" 3 "$(at_hub wg show "$wg_hub" peers | wc -l)"
expect_eq "the device kept its public key" "$hub_pub" "$(at_hub wg show "$wg_hub" public-key)"
expect_eq "and its port" 51820 "$(at_hub wg show "$wg_hub" listen-port)"
if at_edge ping -c3 -i0.2 -W1 10.50.0.1 >/dev/null; then pass "the live machine still pings"; else fail "the live machine still pings"; fi
expect_eq "on the same session (no new handshake)" "$handshake" "$(handshake_of "$edge_pub")"

echo "== a removed live machine is cut off"
expect_status "remove the live machine" 0 at_hub "$driver" set "$wg_hub" --keep-peers --remove "$edge_pub"
if at_edge ping -c2 -W1 10.50.0.1 >/dev/null 2>&1; then fail "its pings go unanswered"; else pass "its pings go unanswered"; fi
expect_eq "two peers left" 2 "$(at_hub wg show "$wg_hub" peers | wc -l)"

finish

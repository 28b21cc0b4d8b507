#!/usr/bin/env bash
# sidecar/netlink's WireGuard family against a kernel that has WireGuard (run it in the qemu
# VM; elsewhere it exits 77, skipped). In a namespace of its own: set a device through our
# netlink code with 2000 allowed IPs (several SET messages), read it back (a multi-message
# dump merged), compare with `wg` when present, and check that a second set replaces peers.
# The link stays down and has no routes, so nothing is ever sent.
# Usage: netlink_wireguard_test.sh PATH/TO/netlink_driver. Needs root.
set -euo pipefail
driver=${1:?usage: netlink_wireguard_test.sh PATH/TO/netlink_driver}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib/assert.sh"
[ "$(id -u)" = 0 ] || { echo "netlink_wireguard_test: needs root"; exit 77; }
modprobe wireguard 2>/dev/null || true
[ -d /sys/module/wireguard ] || { echo "netlink_wireguard_test: no WireGuard in this kernel, skipped"; exit 77; }

ns=h5wg$$
dev=h5wg0
cleanup() { ip netns del "$ns" 2>/dev/null || true; }
trap cleanup EXIT
ip netns add "$ns"
nd() { ip netns exec "$ns" "$driver" "$@"; }

# Fixed test keys (RFC 7748 section 6.1, in WireGuard's base64), so no `wg` is needed.
private=dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo=
public=hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=
peer_a=3p7bfXt9wbTTW2HC7OQ1Nz+DQ8hbeGdNrfx+FG+IK08=
peer_b=Q9T4p88puHFgI8P8vLGjECvoXr85o5uncZQ2G35vE14=
psk=QHgup1SNdoXT2X1SH8OoKbIhQfayX/7+lGCDNcmyPHY=

expect_eq "create a wireguard link" ok "$(nd create "$dev" wireguard)"
expect_contains "the family resolves" "family=" "$(nd wg-family)"

echo "set: 2000 allowed IPs go out in several messages"
out=$(nd wg-set "$dev" <<EOF_SETTINGS
private_key $private
listen_port 51820
peer $peer_a
preshared_key $psk
endpoint 192.0.2.1:51820
allowed_ips_generate 2000
peer $peer_b
endpoint [2001:db8::1]:4500
keepalive 25
allowed_ip fd00:50::/64
allowed_ip 10.50.0.0/24
EOF_SETTINGS
)
expect_eq "wg-set" ok "$out"

echo "get: the dump comes back merged"
show=$(nd wg-show "$dev")
expect_eq "device public key derived by the kernel" "$public" "$(jq -r .public_key <<< "$show")"
expect_eq "listen port" 51820 "$(jq -r .listen_port <<< "$show")"
expect_eq "two peers, the split one merged" 2 "$(jq '.peers | length' <<< "$show")"
expect_eq "peer A has all 2000 allowed IPs" 2000 "$(jq '.peers[0].allowed_ips | length' <<< "$show")"
expect_eq "peer A has its preshared key" true "$(jq '.peers[0].has_preshared_key' <<< "$show")"
expect_eq "peer A endpoint" "192.0.2.1:51820" "$(jq -r .peers[0].endpoint <<< "$show")"
expect_eq "no handshake yet reads as 0" 0 "$(jq -r .peers[0].last_handshake <<< "$show")"
expect_eq "peer B endpoint (IPv6, 28-byte sockaddr)" "[2001:db8::1]:4500" "$(jq -r .peers[1].endpoint <<< "$show")"
expect_eq "peer B keepalive" 25 "$(jq -r .peers[1].persistent_keepalive <<< "$show")"
expect_eq "peer B allowed IPs" '["10.50.0.0/24","fd00:50::/64"]' "$(jq -c '.peers[1].allowed_ips | sort' <<< "$show")"
expect_not_contains "the private key never leaves the kernel reply" "$private" "$show"
expect_not_contains "nor the preshared key" "$psk" "$show"
if command -v wg > /dev/null; then
  expect_eq "wg agrees on the allowed IPs count" 2002 "$(ip netns exec "$ns" wg show "$dev" allowed-ips | tr ' \t' '\n\n' | grep -c /)"
  expect_eq "wg agrees on the public key" "$public" "$(ip netns exec "$ns" wg show "$dev" public-key)"
fi

echo "set again: peers are replaced"
expect_eq "wg-set with only peer B" ok "$(printf 'peer %s\nallowed_ip 10.60.0.0/16\n' "$peer_b" | nd wg-set "$dev")"
show=$(nd wg-show "$dev")
expect_eq "one peer left" 1 "$(jq '.peers | length' <<< "$show")"
expect_eq "its allowed IPs replaced" '["10.60.0.0/16"]' "$(jq -c '.peers[0].allowed_ips' <<< "$show")"
expect_eq "the private key stayed" "$public" "$(jq -r .public_key <<< "$show")"
echo "single peers: added, updated and removed while the others stay"
peer_c=Gie3RY/AHrqp7/PNZIMNWL/wDb0U2U/gKEe58Uq1CEI=
expect_eq "add peer A back beside B" ok "$(printf 'keep_peers 1\npeer %s\nallowed_ip 10.50.3.7/32\n' "$peer_a" | nd wg-set "$dev")"
expect_eq "add peer C, update B's allowed IPs" ok \
  "$(printf 'keep_peers 1\npeer %s\nallowed_ip 10.50.3.8/32\npeer %s\nallowed_ip 10.61.0.0/16\n' "$peer_c" "$peer_b" | nd wg-set "$dev")"
show=$(nd wg-show "$dev")
expect_eq "three peers" 3 "$(jq '.peers | length' <<< "$show")"
expect_eq "B updated in place" '["10.61.0.0/16"]' "$(jq -c --arg k "$peer_b" '.peers[] | select(.public_key == $k) | .allowed_ips' <<< "$show")"
expect_eq "A kept its address" '["10.50.3.7/32"]' "$(jq -c --arg k "$peer_a" '.peers[] | select(.public_key == $k) | .allowed_ips' <<< "$show")"
expect_eq "remove A (and an unknown key, ignored)" ok \
  "$(printf 'keep_peers 1\nremove %s\nremove %s\n' "$peer_a" "$public" | nd wg-set "$dev")"
show=$(nd wg-show "$dev")
expect_eq "B and C remain" "$(printf '%s\n%s' "$peer_b" "$peer_c" | sort)" "$(jq -r '.peers[].public_key' <<< "$show" | sort)"
expect_eq "the device kept its key and port" "$public 51820" "$(jq -r '"\(.public_key) \(.listen_port)"' <<< "$show")"
expect_contains "an unknown device is ENODEV" "error 19:" "$(nd wg-show h5none0 || true)"
expect_eq "delete the link" ok "$(nd delete "$dev")"

finish

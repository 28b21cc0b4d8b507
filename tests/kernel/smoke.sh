#!/usr/bin/env bash
# Proves the test VM can do what the kernel-WireGuard tests need. Runs inside it:
#
#   tests/kernel/vm-run.sh [--share DIR] tests/kernel/smoke.sh [STATIC_BINARY [ARGS...]]
#
# Two namespaces joined by veth, kernel WireGuard on both ends set up with `ip` and `wg`,
# a ping through the tunnel and a handshake in `wg show`. With STATIC_BINARY (built on the
# host, e.g. wgsidecar), also checks it runs in the VM: `STATIC_BINARY ARGS...` must exit 0.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib/assert.sh
source "$here/../lib/assert.sh"

[ -d /sys/module/wireguard ] || { echo "smoke: not in the test VM (no wireguard module); run it with vm-run.sh" >&2; exit 2; }

cleanup() {
  ip netns del h3a 2>/dev/null
  ip netns del h3b 2>/dev/null
  rm -f /tmp/h3-a.key /tmp/h3-b.key
}
trap cleanup EXIT

echo "kernel WireGuard between two namespaces"
ip netns add h3a
ip netns add h3b
ip link add h3va netns h3a type veth peer name h3vb netns h3b
ip -n h3a addr add 192.0.2.1/24 dev h3va
ip -n h3b addr add 192.0.2.2/24 dev h3vb
for ns in h3a h3b; do ip -n "$ns" link set lo up; done
ip -n h3a link set h3va up
ip -n h3b link set h3vb up

umask 077
wg genkey >/tmp/h3-a.key
wg genkey >/tmp/h3-b.key
public_a=$(wg pubkey </tmp/h3-a.key)
public_b=$(wg pubkey </tmp/h3-b.key)

# setup_end NS ADDRESS KEY PORT PEER_PUBLIC PEER_ENDPOINT PEER_ADDRESS
setup_end() {
  ip -n "$1" link add wgk0 type wireguard &&
    ip netns exec "$1" wg set wgk0 private-key "$3" listen-port "$4" \
      peer "$5" endpoint "$6" allowed-ips "$7/32" &&
    ip -n "$1" addr add "$2/24" dev wgk0 &&
    ip -n "$1" link set wgk0 up
}
expect_status "ip link add type wireguard + wg set (side a)" 0 \
  setup_end h3a 100.64.200.1 /tmp/h3-a.key 51820 "$public_b" 192.0.2.2:51821 100.64.200.2
expect_status "ip link add type wireguard + wg set (side b)" 0 \
  setup_end h3b 100.64.200.2 /tmp/h3-b.key 51821 "$public_a" 192.0.2.1:51820 100.64.200.1
expect_contains "the device is the kernel's" "wireguard" "$(ip -n h3a -d link show wgk0)"

expect_status "ping crosses the tunnel" 0 ip netns exec h3a ping -c 3 -W 2 100.64.200.2
expect_contains "the reply came through the tunnel" "3 received" "$out"
handshake=$(ip netns exec h3a wg show wgk0 latest-handshakes | awk '{ print $2 }')
expect_eq "wg show has a latest handshake" yes "$([ "${handshake:-0}" -gt 0 ] && echo yes || echo no)"
expect_contains "wg show: handshake line" "latest handshake:" "$(ip netns exec h3b wg show wgk0)"
transfer=$(ip netns exec h3b wg show wgk0 transfer | awk '{ print $2 }')
expect_eq "side b received bytes over the tunnel" yes "$([ "${transfer:-0}" -gt 0 ] && echo yes || echo no)"

echo "VM environment"
for dir in /proc/self /sys/class/net /run /tmp /var/run; do
  expect_eq "$dir exists" yes "$([ -d "$dir" ] && echo yes || echo no)"
done
expect_eq "/dev/net/tun is a character device" yes "$([ -c /dev/net/tun ] && echo yes || echo no)"
expect_contains "/run is a tmpfs" "tmpfs" "$(stat -f -c %T /run/)"
expect_contains "/tmp is a tmpfs" "tmpfs" "$(stat -f -c %T /tmp/)"

if [ $# -gt 0 ]; then
  echo "a static binary built on the host"
  expect_contains "$1 is static" "statically linked" "$(file -L "$1")"
  expect_status "$* runs in the VM" 0 "$@"
  printf '       %s\n' "$(printf '%s' "$out" | head -3)"
fi
finish

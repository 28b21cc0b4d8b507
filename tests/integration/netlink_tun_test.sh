#!/usr/bin/env bash
# sidecar/netlink against the running kernel, through netlink_driver, in a network namespace
# of its own: a TUN device gets its MTU, state, addresses and routes from our code and `ip -j`
# must agree; the event subscription sees a route and the link go; "wireguard" links and the
# generic netlink family fail with the errors the userspace fallback keys on (or work, on a
# kernel with WireGuard). Usage: netlink_tun_test.sh PATH/TO/netlink_driver. Needs root.
set -euo pipefail
driver=${1:?usage: netlink_tun_test.sh PATH/TO/netlink_driver}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib/assert.sh"
[ "$(id -u)" = 0 ] || { echo "netlink_tun_test: needs root (network namespaces)"; exit 77; }

ns=h5nl$$
dev=h5tun0
tmp=$(mktemp -d)
watcher=
cleanup() {
  [ -n "$watcher" ] && kill "$watcher" 2>/dev/null || true
  ip netns del "$ns" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
ip netns add "$ns"
ip -n "$ns" link set lo up
ip -n "$ns" tuntap add dev "$dev" mode tun

nd() { ip netns exec "$ns" "$driver" "$@"; }
link_json() { ip -n "$ns" -j link show dev "$dev"; }
routes_json() { ip -n "$ns" -j route show dev "$dev"; ip -n "$ns" -6 -j route show dev "$dev"; }

# watch_start KIND [PREFIX]: the subscription is open once "ready" is printed.
watch_start() {
  nd watch 10 "$@" > "$tmp/events" &
  watcher=$!
  for _ in $(seq 1 100); do
    grep -q '^ready' "$tmp/events" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "watcher did not start" >&2
}
watch_end() {
  set +e
  wait "$watcher"  # bounded: the watcher gives up after 10 s
  watch_status=$?
  set -e
  watcher=
}

echo "links"
index=$(link_json | jq '.[0].ifindex')
expect_eq "index by name matches ip link" "$index" "$(nd index "$dev")"
expect_eq "an absent link is reported absent" "absent" "$(nd index h5nosuch0)"
expect_contains "link kind of a TUN device" "kind=tun" "$(nd link "$dev")"
expect_eq "set-mtu" ok "$(nd set-mtu "$dev" 1380)"
expect_eq "ip link sees the MTU" 1380 "$(link_json | jq '.[0].mtu')"
expect_eq "up" ok "$(nd up "$dev")"
expect_eq "ip link sees it up" true "$(link_json | jq '.[0].flags | index("UP") != null')"
expect_contains "our reading agrees" "mtu=1380 up=1" "$(nd link "$dev")"

echo "addresses"
expect_eq "add IPv4 address" ok "$(nd add-address "$dev" 10.77.0.2/24)"
expect_eq "add IPv6 address" ok "$(nd add-address "$dev" fd77::2/64)"
expect_eq "adding it again is fine (idempotent)" ok "$(nd add-address "$dev" 10.77.0.2/24)"
addrs=$(ip -n "$ns" -j addr show dev "$dev" | jq -r '.[0].addr_info[] | "\(.local)/\(.prefixlen)"' | sort)
expect_eq "ip addr shows both, once each" $'10.77.0.2/24\nfd77::2/64' "$(grep -v '^fe80' <<< "$addrs")"
expect_eq "our listing agrees" "$addrs" "$(nd addresses "$dev" | sort)"

echo "routes"
expect_eq "add IPv4 route" ok "$(nd add-route "$dev" 10.78.0.0/16)"
expect_eq "add IPv6 route" ok "$(nd add-route "$dev" fd78::/48)"
expect_eq "adding it again is fine (idempotent)" ok "$(nd add-route "$dev" 10.78.0.0/16)"
v4=$(ip -n "$ns" -d -j route show dev "$dev" 10.78.0.0/16)
expect_eq "ip route: scope link" link "$(jq -r '.[0].scope' <<< "$v4")"
expect_eq "ip route: protocol boot" boot "$(jq -r '.[0].protocol' <<< "$v4")"
expect_eq "ip -6 route: the IPv6 route" fd78::/48 "$(ip -n "$ns" -6 -j route show dev "$dev" fd78::/48 | jq -r '.[0].dst')"
ours=$(nd routes "$dev")
expect_contains "our listing has the IPv4 route, proto boot, main table" "10.78.0.0/16 protocol=3 scope=253 table=254" "$ours"
expect_contains "our listing has the IPv6 route" "fd78::/48 protocol=3" "$ours"
expect_contains "our listing has the kernel's connected route" "10.77.0.0/24 protocol=2" "$ours"

echo "route lookup and wg-quick's MTU rule"
expect_eq "route get towards the route's network" "oif=$index mtu=none" "$(nd route-get 10.78.1.1)"
ip -n "$ns" route add 10.79.0.0/16 dev "$dev" mtu 1280
expect_eq "route get reports an MTU metric" "oif=$index mtu=1280" "$(nd route-get 10.79.0.1)"
expect_eq "endpoint via the device: its MTU - 80" 1300 "$(nd tunnel-mtu 10.78.1.1)"
expect_eq "the smallest path wins" 1200 "$(nd tunnel-mtu 10.78.1.1 10.79.0.1)"
expect_eq "an endpoint without a route does not vote" 1300 "$(nd tunnel-mtu 10.78.1.1 192.0.2.1)"
expect_eq "no route and no default: 1500 - 80" 1420 "$(nd tunnel-mtu 192.0.2.1)"
ip -n "$ns" route add default dev "$dev" mtu 1350
expect_eq "no endpoint: the default route's MTU - 80" 1270 "$(nd tunnel-mtu)"
ip -n "$ns" route del default

echo "events"
watch_start route_removed 10.78.0.0/16
expect_eq "delete a route" ok "$(nd delete-route "$dev" 10.78.0.0/16)"
watch_end
expect_eq "the subscription saw the route go" 0 "$watch_status"
expect_contains "with its link and table" "route_removed ifindex=$index prefix=10.78.0.0/16 name=- table=254" "$(cat "$tmp/events")"
expect_eq "ip route no longer has it" "" "$(ip -n "$ns" route show dev "$dev" 10.78.0.0/16)"
expect_eq "down" ok "$(nd down "$dev")"
expect_eq "ip link sees it down" false "$(link_json | jq '.[0].flags | index("UP") != null')"
watch_start link_removed
expect_eq "delete the link" ok "$(nd delete "$dev")"
watch_end
expect_eq "the subscription saw the link go" 0 "$watch_status"
expect_contains "by index and name" "link_removed ifindex=$index prefix=- name=$dev" "$(cat "$tmp/events")"
expect_eq "gone" absent "$(nd index "$dev")"

echo "WireGuard availability"
if [ -d /sys/module/wireguard ]; then
  expect_eq "create a wireguard link" ok "$(nd create h5wg0 wireguard)"
  expect_contains "its kind" "kind=wireguard" "$(nd link h5wg0)"
  expect_contains "the family resolves" "family=" "$(nd wg-family)"
else
  out=$(nd create h5wg0 wireguard || true)
  expect_contains "no module: creating a wireguard link fails with EOPNOTSUPP" "error 95: creating link h5wg0 of kind wireguard" "$out"
  out=$(nd wg-family || true)
  expect_contains "no module: the family lookup says so" "error 2: " "$out"
  expect_contains "in plain words" "the kernel has no WireGuard" "$out"
  expect_eq "nothing was left behind" absent "$(nd index h5wg0)"
fi
expect_eq "create a link of a kind this kernel has (bridge)" ok "$(nd create h5br0 bridge)"
expect_eq "ip link sees its kind" bridge "$(ip -n "$ns" -d -j link show dev h5br0 | jq -r '.[0].linkinfo.info_kind')"
expect_contains "a taken name is EEXIST" "error 17: creating link h5br0 of kind bridge" "$(nd create h5br0 bridge || true)"
expect_eq "delete it" ok "$(nd delete h5br0)"

finish

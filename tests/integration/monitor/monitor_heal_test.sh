#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# The monitor mends the edge's own side while the app keeps running: a deleted route, a
# route moved to another link, a deleted address, the deleted WireGuard interface and a killed wireguard-go all come back,
# the tunnel works again, and the app keeps its PID. Usage: monitor_heal_test.sh PATH/TO/wgsidecar
set -euo pipefail
wgsidecar=$(readlink -f "${1:?usage: monitor_heal_test.sh PATH/TO/wgsidecar}")
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../../lib/assert.sh
source "$here/../../lib/assert.sh"
# shellcheck source=../../lib/skip.sh
source "$here/../../lib/skip.sh"
needs_lab
# shellcheck source=../../lab/lab.sh
source "$here/../../lab/lab.sh"
# shellcheck source=lib.sh
source "$here/lib.sh"
mon_setup mon1- "$wgsidecar"
mon_start_app
expect_within "the tunnel works under the running app" 10 mon_tunnel_works

echo "a deleted route comes back"
at_edge ip route del "$LAB_WG_NET" dev "$WG_INTERFACE"
expect_within "the route is back" 10 mon_route_present
expect_within "the tunnel works again" 15 mon_tunnel_works
expect_within "the app was not restarted" 1 mon_app_alive

echo "a route moved to another link comes back"
# `ip route replace` says so with one event for the other link and nothing for ours.
at_edge ip route replace "$LAB_WG_NET" dev lo
expect_within "the route is back" 10 mon_route_present
expect_within "the tunnel works again" 15 mon_tunnel_works
expect_within "the app was not restarted" 1 mon_app_alive

echo "a deleted address comes back"
at_edge ip addr del "$LAB_EDGE_WG_ADDR/32" dev "$WG_INTERFACE"
expect_within "the address is back" 10 mon_address_present
expect_within "the tunnel works again" 15 mon_tunnel_works
expect_within "the app was not restarted" 1 mon_app_alive

echo "the deleted interface is re-created"
old_index=$(mon_link_index)
old_userspace=$(mon_userspace_pid || true)
at_edge ip link del "$WG_INTERFACE"
new_index_differs() { local now; now=$(mon_link_index) && echo "ifindex $now (was $old_index)" && [ "$now" != "$old_index" ]; }
expect_within "the interface exists again, as a new link" 20 new_index_differs
if [ -n "$old_userspace" ]; then
  new_userspace() { local now; now=$(mon_userspace_pid) && echo "wireguard-go $now (was $old_userspace)" && [ "$now" != "$old_userspace" ]; }
  expect_within "a new wireguard-go runs it" 10 new_userspace
fi
expect_within "its route is back" 10 mon_route_present
expect_within "the tunnel works again" 30 mon_tunnel_works
expect_within "the app was not restarted" 1 mon_app_alive

echo "a killed wireguard-go is restarted"
old_userspace=$(mon_userspace_pid || true)
if [ -z "$old_userspace" ]; then
  fail "the userspace backend runs a wireguard-go" "none found for $WG_INTERFACE"
else
  kill -KILL "$old_userspace"
  new_userspace() { local now; now=$(mon_userspace_pid) && echo "wireguard-go $now (was $old_userspace)" && [ "$now" != "$old_userspace" ]; }
  expect_within "a new wireguard-go runs the interface" 20 new_userspace
  expect_within "the tunnel works again" 30 mon_tunnel_works
  expect_within "the app was not restarted" 1 mon_app_alive
fi

echo "wgsidecar still stops as asked"
mon_stop_sidecar
expect_eq "SIGTERM: the app's 143" 143 "$mon_status"
finish || { mon_dump_log; exit 1; }

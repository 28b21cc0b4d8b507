#!/usr/bin/env bash
# Inside the qemu VM: `wgsidecar hub` on the kernel's WireGuard (generic netlink), two machines
# on kernel WireGuard behind one NAT with the seed's secrets (tests/integration/fleet/lib.sh):
# both enroll and serve; a clean stop removes one machine's peer from the kernel device at
# once; a machine that vanishes is pruned after the expiry; the hub restarted, the other
# machine enrolls again without restarting its app.
# Usage (from the host): tests/kernel/vm-run.sh --share BUILD tests/kernel/kernel_fleet.sh WGSIDECAR CONTACTS_API
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib/assert.sh
source "$here/../lib/assert.sh"
# shellcheck source-path=SCRIPTDIR source=../lab/lab.sh
source "$here/../lab/lab.sh"
# shellcheck source-path=SCRIPTDIR source=../integration/fleet/lib.sh
source "$here/../integration/fleet/lib.sh"
[ -d /sys/module/wireguard ] || { echo "kernel_fleet: no WireGuard in this kernel (run it under vm-run.sh)"; exit 77; }
fleet_setup kf- "${1:?usage: kernel_fleet.sh WGSIDECAR CONTACTS_API}" "${2:?}"
export WG_BACKEND=kernel

fleet_hub_start HUB_BACKEND=kernel
expect_contains "the hub's WireGuard is the kernel's" wireguard "$(ip -n "$(lab_ns hub)" -d link show "$LAB_HUB_WG")"
fleet_start 1
fleet_start 2
for i in 1 2; do fleet_within "machine $i serves over kernel WireGuard" 60 fleet_serves "$i"; done
expect_contains "machine 1's link is the kernel's" wireguard "$(ip -n "$(fleet_ns 1)" -d link show "$(fleet_ifname 1)")"
expect_eq "the kernel device holds the static peer and both machines" 3 "$(fleet_hub_peers)"
read -r ok failed < <(fleet_round_robin 10 1 2)
expect_eq "requests to both in turn: none failed ($ok answered)" 0 "$failed"

echo "== a clean stop: the peer leaves the kernel device at once"
fleet_kill 2 TERM
fleet_wait_exit 2 15 || true
expect_eq "two peers left" 2 "$(fleet_hub_peers)"

echo "== the hub restarted: machine 1 enrolls again, its app untouched"
app=$(fleet_app_pid 1)
fleet_hub_stop
fleet_hub_start HUB_BACKEND=kernel
fleet_within "machine 1 serves again" 60 fleet_serves 1
expect_eq "its app kept its PID" "$app" "$(fleet_app_pid 1)"

echo "== machine 1 vanishes (its processes killed, its link gone): pruned after $fleet_expire"
for pid in $(ip netns pids "$(fleet_ns 1)"); do kill -KILL "$pid"; done
ip -n "$(fleet_ns 1)" link del "$(fleet_ifname 1)" 2>/dev/null || true
peers_are() { local n; n=$(fleet_hub_peers); echo "$n peers"; [ "$n" = "$1" ]; }
fleet_within "pruned from the kernel device" 90 peers_are 1

finish || { fleet_dump; exit 1; }

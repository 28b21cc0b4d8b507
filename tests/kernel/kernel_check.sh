#!/usr/bin/env bash
# Inside the qemu VM: `wgsidecar check` over a kernel WireGuard tunnel to the lab's PostgreSQL.
# The lab (tests/lab/lab.sh) is built as usual, then its hub's wireguard-go is replaced by a
# kernel WireGuard interface of the same name, configured with `ip` and `wg`, so both ends are
# the kernel's and the hub's nftables DNAT to PostgreSQL still applies.
# Usage (from the host): tests/kernel/vm-run.sh --share BUILD tests/kernel/kernel_check.sh BUILD/sidecar/wgsidecar
set -euo pipefail
wgsidecar=$(readlink -f "${1:?usage: kernel_check.sh PATH/TO/wgsidecar}")
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib/assert.sh
source "$here/../lib/assert.sh"
# shellcheck source-path=SCRIPTDIR source=../lab/lab.sh
source "$here/../lab/lab.sh"
[ -d /sys/module/wireguard ] || { echo "kernel_check: no WireGuard in this kernel (run it under vm-run.sh)"; exit 77; }

prefix=kc-
lab_use_prefix "$prefix"
trap 'lab_down >/dev/null 2>&1 || true' EXIT
lab_up --prefix "$prefix" >/dev/null
eval "$(lab_env)"
export WG_BACKEND=kernel PGSSLMODE=verify-full SIDECAR_CHECK_TIMEOUT=5s
edge=$(lab_ns edge) hub=$(lab_ns hub)
echo "nameserver 127.0.0.1" > "/etc/netns/$edge/resolv.conf"
at_edge() { ip netns exec "$edge" "$@"; }

# The hub as the seed's cloud-init makes it, on the kernel's WireGuard.
lab_hub_wg_down
lab_hub_wg_up --kernel
expect_contains "the hub's WireGuard is the kernel's" wireguard "$(ip -n "$hub" -d link show "$LAB_HUB_WG")"

stage() { jq -r --arg n "$1" '.stages[] | select(.name == $n and .target == "primary") | .status' <<< "$report"; }
check() { set +e; report=$(at_edge "$wgsidecar" check --json 2>/dev/null); status=$?; set -e; }

expect_status "up --wait 10s (kernel backend)" 0 at_edge "$wgsidecar" up --wait 10s
expect_contains "the edge's link is the kernel's" wireguard "$(ip -n "$edge" -d link show "$WG_INTERFACE")"

echo "check over the kernel tunnel, healthy"
check
expect_eq "exit 0" 0 "$status"
for s in handshake ping tcp tls auth mtu; do expect_eq "$s ok" ok "$(stage "$s")"; done
expect_not_contains "no password in the report" "$DB_PASSWORD" "$report"
expect_not_contains "no private key in the report" "$WG_PRIVATE_KEY" "$report"

echo "check with PostgreSQL stopped"
lab_pg_stop >/dev/null
check
expect_eq "exit 69" 69 "$status"
expect_eq "the tunnel still works (ping ok)" ok "$(stage ping)"
expect_eq "tcp fails" fail "$(stage tcp)"
lab_pg_start >/dev/null

expect_status "down" 0 at_edge "$wgsidecar" down
finish

#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# The other ways a fleet meets its hub: five machines on an enrollment token (no
# WG_PRIVATE_KEY at all) started at the same instant all enroll and serve; two machines that
# do not enroll share the seed's key and the hub (and the edges) name it; and a plain
# WireGuard hub with no enrollment service still serves one machine on the seed's secrets,
# which says so once. Usage: fleet_modes_test.sh WGSIDECAR CONTACTS_API. Needs root.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../../lib/assert.sh
source "$here/../../lib/assert.sh"
# shellcheck source=../../lab/lab.sh
source "$here/../../lab/lab.sh"
# shellcheck source=lib.sh
source "$here/lib.sh"
[ "$(id -u)" = 0 ] || { echo "fleet_modes_test: needs root (network namespaces)"; exit 77; }
fleet_setup fl2- "${1:?usage: fleet_modes_test.sh WGSIDECAR CONTACTS_API}" "${2:?}"

echo "== a fresh fleet on a token: five machines at the same instant"
token_lines=$("$fleet_wgsidecar" hub token)
token=$(sed -n 's/^SIDECAR_ENROLL_TOKEN=//p' <<<"$token_lines")
trust=$(sed -n 's/^HUB_TRUST=//p' <<<"$token_lines")
expect_eq "hub token prints the token and its public line" "$trust" "$(wg pubkey <<<"$token")"
old_trust=$(wg genkey | wg pubkey)  # a token being rotated out: both are trusted meanwhile
fleet_hub_start HUB_TRUST="$old_trust,$trust"
for i in 1 2 3 4 5; do fleet_machine_add "$i"; done
for i in 1 2 3 4 5; do FLEET_UNSET="WG_PRIVATE_KEY WG_ADDRESS" fleet_start "$i" SIDECAR_ENROLL_TOKEN="$token"; done
for i in 1 2 3 4 5; do fleet_within "machine $i serves" 30 fleet_serves "$i"; done
expect_eq "five machines, five addresses" 5 "$(fleet_hub_status '[.machines[].address] | unique | length')"
expect_eq "no request was refused" 0 "$(fleet_hub_status '[.rejections[]] | add')"
expect_not_contains "the token is not in any log" "$token" "$(cat "$fleet_tmp"/*.log)"
app_env=$(tr '\0' '\n' <"/proc/$(fleet_app_pid 1)/environ")
expect_not_contains "nor in the app's environment" "SIDECAR_ENROLL_TOKEN" "$app_env"
for i in 1 2 3 4 5; do fleet_kill "$i" TERM; done
for i in 1 2 3 4 5; do fleet_wait_exit "$i" 10 || true; done
expect_eq "all five left on SIGTERM" 5 "$(fleet_hub_metric wgsidecar_hub_leaves_total)"
expect_eq "the hub has only its static peer" 1 "$(fleet_hub_peers)"

echo "== two machines that do not enroll share the seed's key: the hub names it"
for i in 1 2; do fleet_start "$i" SIDECAR_ENROLL=off SIDECAR_REQUIRE=none; done
sleep 3
shared_named() { fleet_request 1 || true; fleet_request 2 || true; fleet_hub_log_has "two machines share its private key"; }
fleet_within "the hub logs the shared key, with the fix" 90 shared_named
expect_contains "naming the static peer" "$(cat "$LAB_STATE/edge.pub") (static peer) moved between" "$(cat "$fleet_tmp/hub.log")"
expect_eq "and counts it" 1 "$(fleet_hub_metric wgsidecar_hub_shared_keys)"
edge_named() { fleet_request 1 || true; fleet_request 2 || true; grep -h "same private key" "$fleet_tmp/m1.log" "$fleet_tmp/m2.log"; }
fleet_within "an edge says so too" 90 edge_named
for i in 1 2; do fleet_kill "$i" TERM; fleet_wait_exit "$i" 10 || true; done

echo "== a plain WireGuard hub (no enrollment service) serves one machine as before"
fleet_hub_stop
lab_hub_wg_up
: >"$fleet_tmp/m1.log"
started=$SECONDS
fleet_start 1
fleet_within "the machine serves on the seed's key and address" 30 fleet_serves 1
expect_eq "its start was not held up (under 5 s)" yes "$([ $((SECONDS - started)) -lt 5 ] && echo yes || echo no)"
expect_eq "it says once that the hub does not enroll" 1 "$(grep -c "does not enroll machines" "$fleet_tmp/m1.log")"
expect_contains "on WG_ADDRESS" "$LAB_EDGE_WG_ADDR/32" "$(at_machine 1 ip -o addr show dev "$(fleet_ifname 1)")"
fleet_kill 1 TERM
fleet_wait_exit 1 10 || true
expect_eq "and stops as before" 0 "${fleet_status:-timeout}"
: >"$fleet_tmp/m2.log"
fleet_start 2 SIDECAR_ENROLL=required SIDECAR_STARTUP_TIMEOUT=3s
fleet_wait_exit 2 15 || true
expect_eq "SIDECAR_ENROLL=required against it: 69 after the start timeout" 69 "${fleet_status:-timeout}"
expect_contains "saying why" "enrolling with the hub at 192.0.2.1:51820" "$(cat "$fleet_tmp/m2.log")"

finish || { fleet_dump; exit 1; }

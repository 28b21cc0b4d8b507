#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# jq programs are single-quoted on purpose.
# shellcheck disable=SC2016
# The fleet part of the demo: two Fly machines with one set of secrets — the seed's, unchanged —
# behind one NAT, the hub running `wgsidecar hub`. Each machine enrolls for a WireGuard key and
# an address of its own, both serve the database through the tunnel, one stops and leaves.
#
#   demf-m1, demf-m2   two machines: wgsidecar run -- contacts-api, the same secrets
#   demf-edge          the carrier NAT they share
#   demf-hub           wgsidecar hub: WireGuard, enrollment, DNAT to the database
#   demf-vpc           PostgreSQL 15
#
# Usage: scripts/demo_fleet.sh WGSIDECAR CONTACTS_API  (scripts/demo.sh runs it after its own part)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
wgsidecar=${1:?usage: scripts/demo_fleet.sh WGSIDECAR CONTACTS_API}
contacts_api=${2:?usage: scripts/demo_fleet.sh WGSIDECAR CONTACTS_API}

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { printf '$ %s\n' "$*"; }
pass() { :; }
fail() { echo "$1"; }

# shellcheck source=../tests/lab/lab.sh
source "$root/tests/lab/lab.sh"
# shellcheck source=../tests/integration/fleet/lib.sh
source "$root/tests/integration/fleet/lib.sh"

step "a fleet: two machines, one set of secrets, the hub on \`wgsidecar hub\`"
fleet_setup demf- "$wgsidecar" "$contacts_api"
fleet_hub_start
sed 's/^/  hub | /' "$fleet_tmp/hub.log"
echo "the same secrets for both machines (the seed's names): WG_PRIVATE_KEY=(hidden) WG_ADDRESS=$WG_ADDRESS"
echo "  WG_PEER_PUBLIC_KEY=$WG_PEER_PUBLIC_KEY WG_PEER_ENDPOINT=$WG_PEER_ENDPOINT DB_HOST=$DB_HOST"
show "wgsidecar run -- contacts-api    # on machine 1 (FLY_MACHINE_ID=m-1) and machine 2 (m-2)"
fleet_start 1 FLY_REGION=ams
fleet_start 2 FLY_REGION=fra
for i in 1 2; do fleet_wait 30 "machine $i" fleet_serves "$i" >/dev/null || { fleet_dump; exit 1; }; done
for i in 1 2; do grep -h "enrolled with the hub" "$fleet_tmp/m$i.log" | sed "s/^/  m$i | /"; done

step "both machines answer from the database, in turn, through one NAT"
for round in 1 2 3; do
  for i in 1 2; do
    printf '  machine %s, request %s: ' "$i" "$round"
    at_machine "$i" curl -s --max-time 5 "http://127.0.0.1:8080/contacts?limit=1" | jq -c '{served_by, total}'
  done
done

step "the hub's view"
show "wgsidecar hub status"
at_hub "$wgsidecar" hub status | sed 's/^/  /'
show "curl :9090/metrics   (on the hub)"
fleet_hub_http /metrics | grep -E '^wgsidecar_hub_(peers\{|enrollments_total |leaves_total |shared_keys )' | sed 's/^/  /'

step "machine 2 stops (SIGTERM, as Fly does): the app first, then it leaves the hub"
fleet_kill 2 TERM
fleet_wait_exit 2 10 || true
tail -n 3 "$fleet_tmp/m2.log" | sed 's/^/  m2 | /'
grep -h "left" "$fleet_tmp/hub.log" | sed 's/^/  hub | /'
echo "  the hub's peers now: $(fleet_hub_peers) (its static peer and machine 1)"
printf '  machine 1 still serves: '
at_machine 1 curl -s --max-time 5 "http://127.0.0.1:8080/contacts?limit=1" | jq -c '{served_by, total}'
fleet_kill 1 TERM
fleet_wait_exit 1 10 || true
echo "fleet demo done; removing its lab"

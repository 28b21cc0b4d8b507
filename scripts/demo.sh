#!/usr/bin/env bash
# jq programs are single-quoted on purpose.
# shellcheck disable=SC2016
# The main job, in one command on a fresh Debian 12 machine (as root): installs what it needs,
# builds, and runs the seed's architecture in network namespaces on this machine —
#
#   demo-edge  the Fly machine:  wgsidecar run -- contacts-api
#   demo-hub   the EC2 hub:      wireguard-go, DNAT tcp/5432 to the database, masquerade
#   demo-vpc   RDS:              PostgreSQL 15 with TLS and scram-sha-256
#
# — seeds 500 contacts through the tunnel (as a Fly release_command would), starts contacts-api
# under wgsidecar, talks to the API through the tunnel, shows wgsidecar's check report, status
# and health endpoints, then stops everything (SIGTERM, as Fly does) and removes the lab. Then
# the fleet: two machines with those same secrets through `wgsidecar hub` (demo_fleet.sh).
#
# Usage: scripts/demo.sh [--keep]
#   --keep        leave the lab and the app running; prints how to use and stop them
#   WGS_BUILD     build directory (default: build/)
# It installs only what the demo needs (scripts/setup.sh demo), builds only wgsidecar and
# contacts-api, and prints how long each phase took: install, static deps, build, lab, and the
# first answer of the app through the tunnel.
# Nothing leaves the machine: the lab has no default route, and every request below runs
# inside the edge namespace.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${WGS_BUILD:-$root/build}
keep=0
case "${1:-}" in
  --keep) keep=1 ;;
  "") ;;
  *) echo "usage: scripts/demo.sh [--keep]" >&2; exit 64 ;;
esac

# shellcheck source=lib/phases.sh
source "$root/scripts/lib/phases.sh"
# shellcheck source=lib/configure.sh
source "$root/scripts/lib/configure.sh"
step() { phase "$*"; }
show() { printf '$ %s\n' "$*"; }

step "install (scripts/setup.sh demo)"
"$root/scripts/setup.sh" --no-static-deps demo
step "static deps (libpq without GSSAPI/LDAP, once)"
"$root/scripts/build-static-deps.sh"
step "build wgsidecar and contacts-api"
build_log=$(mktemp /tmp/wgsidecar-demo-build.XXXXXX.log)
echo "building in $build (log: $build_log)"
# The flags of scripts/test.sh (warnings as errors, clean on Debian 12's GCC), so the demo and the
# tests share one build and neither recompiles the other's objects.
if ! { wgs_configure "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWGS_WERROR=ON &&
  cmake --build "$build" -j"$(nproc)" --target wgsidecar contacts-api; } >"$build_log" 2>&1; then
  tail -n 40 "$build_log"
  echo "the build failed (full log: $build_log)"
  exit 1
fi
rm -f "$build_log"
wgsidecar=$build/sidecar/wgsidecar
contacts_api=$build/app-shim/contacts-api
file "$wgsidecar" "$contacts_api" | sed 's/, BuildID.*//'

# shellcheck source=../tests/lab/lab.sh
source "$root/tests/lab/lab.sh"
lab_use_prefix demo-
edge=$(lab_ns edge)
log=$(mktemp /tmp/wgsidecar-demo.XXXXXX.log)
sidecar_pid=

cleanup() {
  local status=$?
  if [ "$keep" = 1 ] && [ "$status" -eq 0 ]; then return; fi
  [ -n "$sidecar_pid" ] && kill -TERM "$sidecar_pid" 2>/dev/null && wait "$sidecar_pid" 2>/dev/null
  lab_down >/dev/null 2>&1 || true
  [ "$status" -ne 0 ] && [ -s "$log" ] && { echo "--- wgsidecar's log (last 30 lines)"; tail -n 30 "$log"; }
  [ "$status" -ne 0 ] && phases_summary "scripts/demo.sh failed in its last phase"
  rm -f "$log"
  return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step "the lab: hub (wireguard-go + DNAT) and PostgreSQL in namespaces ${edge%edge}{edge,hub,vpc}"
lab_down >/dev/null 2>&1 || true
lab_up
# The seed's secret names, as `fly secrets set` would provide them (values stay in this shell).
eval "$(lab_env)"
export PGSSLMODE=verify-full FLY_REGION=lab SIDECAR_HEALTH_ADDR=127.0.0.1:9090
at_edge() { ip netns exec "$edge" "$@"; }
echo "edge: $WG_ADDRESS   hub: $WG_PEER_ENDPOINT   database (through the hub's DNAT): $DB_HOST:$DB_PORT"

step "what wgsidecar will do (secrets shown as (hidden))"
show "wgsidecar config"
at_edge "$wgsidecar" config

step "migrate and seed through the tunnel, as Fly's release_command would"
show "wgsidecar run -- contacts-api seed 500"
at_edge env -u SIDECAR_HEALTH_ADDR "$wgsidecar" run -- "$contacts_api" seed 500

step "the app under wgsidecar: tunnel up, checks pass, then contacts-api starts"
show "wgsidecar run -- contacts-api &"
(cd / && exec ip netns exec "$edge" "$wgsidecar" run -- "$contacts_api") >"$log" 2>&1 &
sidecar_pid=$!
api=http://127.0.0.1:8080
ready() { at_edge curl -sf --max-time 2 -o /dev/null http://127.0.0.1:9090/readyz && at_edge curl -sf --max-time 2 -o /dev/null "$api/health"; }
deadline=$((SECONDS + 90))
until ready; do
  kill -0 "$sidecar_pid" 2>/dev/null || { echo "wgsidecar exited"; exit 1; }
  [ "$SECONDS" -lt "$deadline" ] || { echo "the app did not become ready within 90 s"; exit 1; }
  sleep 0.2
done
sed 's/^/  | /' "$log"
phases_summary "the app answers through the tunnel; so far"

step "wgsidecar check: every stage of the path, each with its time"
show "wgsidecar check"
at_edge "$wgsidecar" check

step "wgsidecar status"
show "wgsidecar status"
at_edge "$wgsidecar" status

step "wgsidecar's health endpoints (SIDECAR_HEALTH_ADDR=$SIDECAR_HEALTH_ADDR)"
show "curl :9090/readyz"; at_edge curl -s http://127.0.0.1:9090/readyz; echo
show "curl :9090/metrics | head"; at_edge curl -s http://127.0.0.1:9090/metrics | grep -v '^#' | head -n 8

step "contacts-api through the tunnel"
call() { show "curl $*"; at_edge curl -s --max-time 5 "$@" | jq -C . 2>/dev/null || true; }
call "$api/health"
call "$api/stats"
show "curl $api/contacts?limit=2"
at_edge curl -s --max-time 5 "$api/contacts?limit=2" | jq -C '{total, limit, offset, served_by, contacts: [.contacts[] | {id, name, email, company}]}'
created=$(at_edge curl -s --max-time 5 -H 'Content-Type: application/json' \
  -d '{"name":"Ana Silva","email":"ana.silva@example.com","company":"Cloud Nine Tech"}' "$api/contacts")
show "curl -d '{\"name\":\"Ana Silva\",...}' $api/contacts"; jq -C . <<<"$created"
id=$(jq -r .id <<<"$created")
call "$api/contacts/$id"
show "curl $api/contacts/search/Silva?limit=3"
at_edge curl -s --max-time 5 "$api/contacts/search/Silva?limit=3" | jq -C '{query, count, names: [.contacts[].name]}'
show "curl -d '{\"name\":' $api/contacts      (malformed JSON)"
at_edge curl -s --max-time 5 -w '  -> HTTP %{http_code}\n' -H 'Content-Type: application/json' -d '{"name":' "$api/contacts"

if [ "$keep" = 1 ]; then
  step "left running (--keep)"
  cat <<EOF
wgsidecar (pid $sidecar_pid) runs contacts-api in namespace $edge; its log: $log
  ip netns exec $edge curl -s $api/contacts?limit=3
  ip netns exec $edge curl -s http://127.0.0.1:9090/status
  source <(tests/lab/lab.sh --prefix demo- env) && ip netns exec $edge $wgsidecar check
Stop everything:  tests/lab/lab.sh down --prefix demo-
EOF
  exit 0
fi

step "stop: SIGTERM, as Fly does: the app stops first, then the tunnel"
kill -TERM "$sidecar_pid"
set +e; wait "$sidecar_pid"; code=$?; set -e
sidecar_pid=
tail -n 4 "$log" | sed 's/^/  | /'
echo "wgsidecar exited with $code (the app's own status)"
if at_edge ip link show "$WG_INTERFACE" >/dev/null 2>&1; then echo "the tunnel is still up"; exit 1; fi
echo "the tunnel is down; removing the lab"
lab_down >/dev/null
# Two machines on the same secrets through `wgsidecar hub` (scripts/demo_fleet.sh).
phase "fleet: two machines, one set of secrets"
"$root/scripts/demo_fleet.sh" "$wgsidecar" "$contacts_api"
phases_summary "scripts/demo.sh"
echo "done: scripts/demo.sh --keep leaves the single machine running"

#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# A fleet on the seed's secrets, unchanged: three machines behind one NAT, each
# `wgsidecar run -- contacts-api`, the hub on `wgsidecar hub` (its static peer is the seed's
# edge key, which so becomes the machines' credential). They all serve database-backed
# requests with zero failures; a machine replaced by a new machine ID leaves at once on a
# clean stop and is pruned after the expiry when killed; a restarted hub is re-enrolled into
# without any app restarting; garbage, floods and a replayed request do not disturb the hub;
# a wrong token or hub key fails at the edge with 78, naming the variable.
# Usage: fleet_test.sh WGSIDECAR CONTACTS_API ENROLL_DRIVER. Needs root.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
driver=$(readlink -f "${3:?usage: fleet_test.sh WGSIDECAR CONTACTS_API ENROLL_DRIVER}")
# shellcheck source=../../lib/assert.sh
source "$here/../../lib/assert.sh"
# shellcheck source=../../lab/lab.sh
source "$here/../../lab/lab.sh"
# shellcheck source=lib.sh
source "$here/lib.sh"
[ "$(id -u)" = 0 ] || { echo "fleet_test: needs root (network namespaces)"; exit 77; }
seconds=${FLEET_SECONDS:-30}
fleet_setup fl1- "$1" "$2"

echo "== three machines, one set of secrets (the seed's), one NAT"
fleet_hub_start
for i in 1 2 3; do fleet_start "$i"; done
for i in 1 2 3; do fleet_within "machine $i serves through its own tunnel" 30 fleet_serves "$i"; done
expect_eq "the hub enrolled three machines" "m-1 m-2 m-3" "$(fleet_hub_status '[.machines[].machine_id] | sort | join(" ")')"
expect_eq "each with an address of its own" 3 "$(fleet_hub_status '[.machines[].address] | unique | length')"
expect_eq "the hub's peers: the static one and three machines" 4 "$(fleet_hub_peers)"
read -r ok failed < <(fleet_round_robin "$seconds" 1 2 3)
echo "   $ok requests answered, $failed failed in ${seconds}s"
expect_eq "database-backed requests to all three in turn: none failed" 0 "$failed"
expect_eq "and many answered" yes "$([ "$ok" -ge $((seconds * 3)) ] && echo yes || echo no)"
expect_eq "no key is shared" 0 "$(fleet_hub_metric wgsidecar_hub_shared_keys)"
expect_eq "WG_ADDRESS is not used by any machine" "" "$(at_machine 1 ip -o addr show | grep -F "$LAB_EDGE_WG_ADDR/" || true)"

echo "== a machine replaced by a new machine ID: a clean stop leaves at once"
fleet_kill 3 TERM
fleet_wait_exit 3 10 || true
expect_eq "machine 3 stopped with the app's status" 0 "${fleet_status:-timeout}"
expect_eq "its peer is gone from the hub at once" 3 "$(fleet_hub_peers)"
expect_within_log() { fleet_within "$1" 5 fleet_hub_log_has "$2"; }
expect_within_log "the hub logged the leave with machine id and region" "machine m-3 (lhr) left"
expect_contains "machine 3 said so" "left the hub at 192.0.2.1:51820" "$(cat "$fleet_tmp/m3.log")"
expect_eq "leaves counted" 1 "$(fleet_hub_metric wgsidecar_hub_leaves_total)"
fleet_start 3 FLY_MACHINE_ID=m-3b
fleet_within "its replacement (machine id m-3b) serves" 30 fleet_serves 3

echo "== the replacement killed (-9, the machine gone): pruned after HUB_EXPIRE_AFTER ($fleet_expire)"
for pid in $(ip netns pids "$(fleet_ns 3)"); do kill -KILL "$pid"; done
fleet_wait_exit 3 5 || true
expect_eq "its peer is still there right after" 4 "$(fleet_hub_peers)"
peers_are() { local n; n=$(fleet_hub_peers); echo "$n peers"; [ "$n" = "$1" ]; }
fleet_within "its peer is pruned after the expiry" 60 peers_are 3
expect_within_log "the hub logged the prune" "pruned machine m-3b (lhr): no handshake nor traffic for 30s"
expect_eq "prunes counted" 1 "$(fleet_hub_metric wgsidecar_hub_prunes_total)"
expect_eq "the others were never pruned" "m-1 m-2" "$(fleet_hub_status '[.machines[].machine_id] | sort | join(" ")')"

echo "== the hub restarted: every machine enrolls again, no app restarts"
app1=$(fleet_app_pid 1) app2=$(fleet_app_pid 2)
addresses=$(fleet_hub_status '[.machines[] | "\(.machine_id)=\(.address)"] | sort | join(" ")')
fleet_hub_stop
fleet_hub_start
for i in 1 2; do fleet_within "machine $i serves again" 40 fleet_serves "$i"; done
expect_eq "machine 1's app kept its PID" "$app1" "$(fleet_app_pid 1)"
expect_eq "machine 2's app kept its PID" "$app2" "$(fleet_app_pid 2)"
expect_eq "each got its address back" "$addresses" \
  "$(fleet_hub_status '[.machines[] | "\(.machine_id)=\(.address)"] | sort | join(" ")')"
fleet_within "machine 1 healed by enrolling again" 5 fleet_log_has 1 "tunnel recovery, step 'enroll'"

echo "== garbage on the enrollment port"
hub_url=http://$(lab__underlay 1):51820
at_machine 1 sh -c "head -c 3000 /dev/urandom | timeout 3 busybox nc 192.0.2.1 51820 >/dev/null" || true
code() { at_machine 1 curl --noproxy '*' -s -o /dev/null -w '%{http_code}' -m 5 "$@" || true; }
expect_eq "random bytes as a request body: the fixed refusal" 403 \
  "$(head -c 200 /dev/urandom | code --data-binary @- "$hub_url/v1/enroll")"
expect_eq "a body over the size cap: the same" 403 "$(head -c 100000 /dev/zero | code --data-binary @- "$hub_url/v1/enroll")"
expect_eq "an empty body: the same" 403 "$(code -X POST "$hub_url/v1/enroll")"
expect_eq "another path" 404 "$(code "$hub_url/etc/passwd")"
# A client that sends half a request and waits: the hub hangs up when its deadline (2 s) passes.
stalled_for=$(at_machine 1 python3 -c "
import socket, time
s = socket.create_connection(('192.0.2.1', 51820))
s.sendall(b'POST /v1/enroll HTTP/1.1\\r\\n')
start = time.time()
s.settimeout(20)
s.recv(100)
print(round(time.time() - start))")
expect_eq "a client that stalls is cut off by the deadline (2 s)" 2 "$stalled_for"
flood=$(for _ in $(seq 60); do code -X POST "$hub_url/v1/enroll"; echo; done | sort | uniq -c | awk '{ print $2 "x" $1 }' | tr '\n' ' ')
expect_contains "a flood from one source is slowed (429)" "429x" "$flood"
expect_eq "the hub is healthy" ok "$(fleet_hub_http /healthz)"
expect_eq "malformed requests were counted" yes \
  "$([ "$(fleet_hub_metric 'wgsidecar_hub_rejections_total{reason="malformed"}')" -ge 4 ] && echo yes || echo no)"
expect_contains "and logged without their content" "refused a request from 192.0.2.2: malformed" "$(cat "$fleet_tmp/hub.log")"
sleep 3  # the flood's bucket refills
fleet_within "the machines still serve" 10 fleet_serves 1

echo "== a captured request sent again"
ENROLL_CREDENTIAL=$WG_PRIVATE_KEY "$driver" "$WG_PEER_PUBLIC_KEY" replayed-1 >"$fleet_tmp/request.bin"
expect_eq "the request, once: granted" 200 "$(code --data-binary @"$fleet_tmp/request.bin" "$hub_url/v1/enroll")"
expect_eq "the same bytes again: refused" 403 "$(code --data-binary @"$fleet_tmp/request.bin" "$hub_url/v1/enroll")"
expect_within_log "the hub logged the replay" "refused a request from 192.0.2.2: replayed"

echo "== a wrong token, a wrong hub key: exit 78 at the edge, naming the variable"
stranger=$(wg genkey)
fleet_start 4 SIDECAR_ENROLL_TOKEN="$stranger"
fleet_wait_exit 4 15 || true
expect_eq "an untrusted token: 78" 78 "${fleet_status:-timeout}"
expect_contains "naming SIDECAR_ENROLL_TOKEN" "does not trust SIDECAR_ENROLL_TOKEN" "$(cat "$fleet_tmp/m4.log")"
expect_not_contains "without the token's value" "$stranger" "$(cat "$fleet_tmp/m4.log" "$fleet_tmp/hub.log")"
expect_within_log "the hub logged the rejection" "refused a request from 192.0.2.2: unauthenticated"
: >"$fleet_tmp/m4.log"
fleet_start 4 WG_PEER_PUBLIC_KEY="$(wg genkey | wg pubkey)"
fleet_wait_exit 4 15 || true
expect_eq "a wrong WG_PEER_PUBLIC_KEY: 78" 78 "${fleet_status:-timeout}"
expect_contains "naming WG_PEER_PUBLIC_KEY" "WG_PEER_PUBLIC_KEY is not the hub's key" "$(cat "$fleet_tmp/m4.log")"

echo "== nothing secret on the hub's side"
secrets=$(cat "$fleet_tmp/hub.log"; fleet_hub_http /status; fleet_hub_http /metrics)
expect_not_contains "no hub private key" "$(cat "$LAB_STATE/hub.key")" "$secrets"
expect_not_contains "no credential" "$WG_PRIVATE_KEY" "$secrets"
expect_not_contains "no preshared key field" "preshared" "$(fleet_hub_http /status)"

finish || { fleet_dump; exit 1; }

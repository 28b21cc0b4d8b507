#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# The health endpoints of a running `wgsidecar run`, as Fly's checks, Prometheus and an
# operator use them: /healthz, /readyz following the database (the gating checks re-run
# every SIDECAR_CHECK_INTERVAL, 5 s here), /status and /metrics after a recovery, the
# database logins those checks made, and the tunnel's counters in /status kept current
# without a client being able to make the monitor read them more than once a second, and an
# app's own pings not waking the monitor.
# Usage: health_readyz_test.sh PATH/TO/wgsidecar
set -euo pipefail
wgsidecar=$(readlink -f "${1:?usage: health_readyz_test.sh PATH/TO/wgsidecar}")
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
mon_setup mon3- "$wgsidecar"
mon_start_app

echo "a healthy path"
expect_within "/healthz answers 200" 10 mon_http_is /healthz 200
expect_within "/readyz answers 200" 15 mon_http_is /readyz 200
expect_contains "/readyz says how old its gating checks are" "gating checks" "$(cat "$mon_tmp/body")"

echo "PostgreSQL stopped, then started again"
lab_pg_stop >/dev/null
expect_within "/readyz answers 503 while PostgreSQL is stopped" 30 mon_http_is /readyz 503
expect_within "/healthz still answers 200" 5 mon_http_is /healthz 200
expect_within "/status says not ready" 5 mon_status_is .ready false
lab_pg_start >/dev/null
expect_within "/readyz answers 200 again" 30 mon_http_is /readyz 200
expect_within "the app was not restarted" 1 mon_app_alive

echo "/status and /metrics after a recovery"
at_edge ip route del "$LAB_WG_NET" dev "$WG_INTERFACE"
expect_within "the route is back" 10 mon_route_present
links_counted() { local n; n=$(mon_recoveries links) && echo "links steps $n" && [ "$n" -ge 1 ]; }
expect_within "/status counts the links step" 10 links_counted
expect_within "/readyz answers 200 once the tunnel is fresh again" 15 mon_http_is /readyz 200
expect_within "/status answers 200" 5 mon_http_is /status 200
status=$(cat "$mon_tmp/body")
shape='.ready == true
  and (.tunnel.state | type) == "string"
  and (.tunnel.backend | type) == "string"
  and (.tunnel.handshake_age_seconds | type) == "number"
  and (.recoveries.by_step | has("links") and has("peer") and has("interface"))
  and ([.recoveries.recent[] | select(.step == "links" and .succeeded == true and (.reason | type) == "string")] | length) >= 1
  and .app.pid == '"$mon_app_pid"'
  and .app.restarts == 0'
shape_ok=$(jq "$shape" <<<"$status" 2>&1 || true)
expect_eq "/status has the documented fields (ready, tunnel, recoveries, app)" true "$shape_ok"
[ "$shape_ok" = true ] || printf '       /status was: %s\n' "$status"
expect_not_contains "/status shows no private key" "$WG_PRIVATE_KEY" "$status"
expect_not_contains "/status shows no database password" "$DB_PASSWORD" "$status"
expect_within "/metrics answers 200" 5 mon_http_is /metrics 200
expect_contains "/metrics counts the links step" 'wgsidecar_recoveries_total{step="links"}' "$(cat "$mon_tmp/body")"
logins=$(sed -n 's/^wgsidecar_database_logins_total{target="primary"} \([0-9]*\)$/\1/p' "$mon_tmp/body")
logins_counted() { echo "logins ${logins:-none}"; [ "${logins:-0}" -ge 2 ]; }
expect_within "/metrics counts the database logins (the start's and the re-checks')" 1 logins_counted
links_metric=$(sed -n 's/^wgsidecar_recoveries_total{step="links"} \([0-9]*\)$/\1/p' "$mon_tmp/body")
expect_eq "/metrics and /status agree on the links steps" "$(mon_recoveries links)" "$links_metric"

echo "/status shows the tunnel's counters as they are now"
# Probes whose ping is answered leave the peer unread; /status reads it for itself. Each round
# sends pings of a known size through the tunnel and reads /status once, at once: without
# that read, the counters would wait for the next full look (every SIDECAR_CHECK_INTERVAL).
tx_now() { mon_status_json .tunnel.tx_bytes; }
for round in 1 2 3; do
  before=$(tx_now)
  at_edge ping -q -c 3 -i 0.2 -s 1000 "$LAB_HUB_WG_ADDR" >/dev/null
  sleep 1.1  # /status reads the peer at most once a second
  after=$(tx_now)
  # three pings of 1028 bytes of IP, and WireGuard's 32 bytes of overhead on each
  expect_eq "round $round: /status counts the 3 pings just sent (tx grew by at least 3180 bytes)" yes \
    "$( [ "$((after - before))" -ge 3180 ] && echo yes || echo "no: $before then $after")"
done

echo "a client polling /status cannot make the monitor read the peer more than once a second"
# While pings flow through the tunnel, tx_bytes moves every 20 ms. Twenty requests spread over
# well under a second then show one value per reading: one read for them all, and perhaps a
# probe's look at the link and a second read if the requests ran slow. Without the limit, each
# request would read the peer and show a value of its own.
at_edge ping -q -c 150 -i 0.02 "$LAB_HUB_WG_ADDR" >/dev/null &
flood=$!
sleep 1.1  # past the second that the rounds' last read started
urls=()
for _ in $(seq 20); do urls+=("http://127.0.0.1:$mon_health_port/status"); done
# One curl, 40 requests a second at most: 20 requests in about half a second.
readings=$(at_edge curl --noproxy '*' -sS -m 5 --rate 40/s "${urls[@]}" |
  jq -s '[.[].tunnel.tx_bytes] | unique | length')
wait "$flood" || true
expect_eq "20 requests for /status show at most 3 readings of the counters" yes \
  "$( [ "${readings:-99}" -le 3 ] && echo yes || echo "no: ${readings:-none}")"

echo "an app that pings does not wake the monitor"
# The monitor's ICMP socket lets in only its own echo replies (a socket filter), and between
# probes nothing waits on it: 200 replies to the app's pings through the tunnel wake the
# monitor's thread no more than its own probes do (one a second here, a wakeup or two each).
monitor_wakeups() {
  local task
  for task in /proc/"$mon_pid"/task/*; do
    [ "$(cat "$task/comm")" = wgs-monitor ] && awk '/^voluntary_ctxt_switches/ {print $2}' "$task/status"
  done
  return 0
}
before=$(monitor_wakeups)
at_edge ping -q -c 200 -i 0.01 "$LAB_HUB_WG_ADDR" >/dev/null
after=$(monitor_wakeups)
expect_eq "200 echo replies to the app wake the monitor's thread (wgs-monitor) at most 10 times" yes \
  "$( [ -n "$before" ] && [ $((after - before)) -le 10 ] && echo yes || echo "no: ${before:-no such thread} then ${after:-}")"

mon_stop_sidecar
expect_eq "SIGTERM: the app's 143" 143 "$mon_status"
finish || { mon_dump_log; exit 1; }

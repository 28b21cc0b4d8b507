#!/usr/bin/env bash
# The health endpoints over loopback, as a platform probe, Prometheus and a person with
# curl use them, and as a hostile client tries them: status codes, content types, HEAD,
# 404/405, a silent client dropped, an oversized head refused, the connection caps (the
# oldest idle connection makes room; one address holds only its share), and a clean stop. Usage: health_test.sh PATH/TO/health_driver
set -euo pipefail
driver=$(readlink -f "${1:?usage: health_test.sh PATH/TO/health_driver}")
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../../lib/assert.sh"
source "$here/../../lib/skip.sh"
needs_commands curl
source "$here/lib.sh"

# http [CURL ARGS...] PATH : prints "CODE CONTENT-TYPE"; body in $tmp/body, headers in $tmp/headers.
http() {
  local path=${*: -1}
  curl --noproxy '*' -sS -m 10 -o "$tmp/body" -D "$tmp/headers" -w '%{http_code} %{content_type}' \
    "${@:1:$#-1}" "http://127.0.0.1:$port$path" 2>/dev/null || true
}

# raw TEXT : sends TEXT on a fresh connection and prints all the server sends back until it closes.
raw() {
  local fd
  exec {fd}<>"/dev/tcp/127.0.0.1/$port"
  printf '%b' "$1" >&"$fd"
  timeout 10 cat <&"$fd" || true
  exec {fd}<&-
}

# dropped_after_silence TEXT : opens a connection, sends TEXT (maybe nothing) and waits, with a
# deadline, for the server to close it. Prints "dropped" or "still open".
dropped_after_silence() {
  local fd status
  exec {fd}<>"/dev/tcp/127.0.0.1/$port"
  [ -n "$1" ] && printf '%b' "$1" >&"$fd"
  set +e
  timeout 15 cat <&"$fd" >"$tmp/silent"
  status=$?
  set -e
  exec {fd}<&-
  if [ "$status" = 124 ]; then echo "still open"; else echo "dropped"; fi
}

# is_closed FD: "closed" when the server has closed the connection on FD, else "open".
is_closed() {
  local status
  set +e
  timeout 0.5 cat <&"$1" >/dev/null
  status=$?
  set -e
  if [ "$status" = 124 ]; then echo open; else echo closed; fi
}

start_driver main --head-timeout-ms 1000
echo "status codes and content types"
expect_eq "/healthz is 200 text" "200 text/plain; charset=utf-8" "$(http /healthz)"
expect_eq "/healthz says ok" "ok" "$(cat "$tmp/body")"
expect_eq "/readyz is 503 before the tunnel is ready" "503 text/plain; charset=utf-8" "$(http /readyz)"
expect_eq "/readyz says why" "not ready: the tunnel is starting" "$(cat "$tmp/body")"
expect_eq "/status is 200 JSON even when not ready" "200 application/json" "$(http /status)"
expect_eq "/status: ready is false" "false" "$(jq -r .ready "$tmp/body")"
expect_eq "/status: no handshake yet is null" "null" "$(jq -r .tunnel.handshake_age_seconds "$tmp/body")"

kill -USR1 "$pid"
for _ in $(seq 100); do [ "$(http /readyz)" = "200 text/plain; charset=utf-8" ] && break; sleep 0.1; done
expect_eq "/readyz is 200 once ready" "200 text/plain; charset=utf-8" "$(http /readyz)"
expect_eq "/readyz says ready" "ready" "$(cat "$tmp/body")"

echo "/status"
expect_eq "/status is 200 JSON" "200 application/json" "$(http /status)"
expect_eq "/status has every documented key" \
  "app,config,database_logins,last_check,last_check_age_seconds,not_ready_reason,ready,recoveries,tunnel,uptime_seconds" \
  "$(jq -r 'keys | join(",")' "$tmp/body")"
expect_eq "/status: tunnel" "wg0 userspace fresh 4.2 1234 5678 null" \
  "$(jq -r '.tunnel | "\(.interface) \(.backend) \(.state) \(.handshake_age_seconds) \(.rx_bytes) \(.tx_bytes) \(.last_probe_ms)"' "$tmp/body")"
expect_eq "/status: recoveries by step" '{"interface":0,"links":1,"peer":0}' "$(jq -cS .recoveries.by_step "$tmp/body")"
expect_eq "/status: a recovery's time is RFC 3339 UTC" "true" \
  "$(jq -r '.recoveries.recent[0].at | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$")' "$tmp/body")"
expect_eq "/status: a reason with quotes survives" 'route "10.50.0.0/24" was deleted' "$(jq -r '.recoveries.recent[0].reason' "$tmp/body")"
expect_eq "/status: the last check" "false tcp" "$(jq -r '"\(.last_check.ok) \(.last_check.stages[1].name)"' "$tmp/body")"
expect_eq "/status: the app" "4242 0" "$(jq -r '"\(.app.pid) \(.app.restarts)"' "$tmp/body")"
expect_eq "/status: the config as given (secrets already hidden)" "(hidden)" "$(jq -r .config.wireguard.private_key "$tmp/body")"

echo "/metrics"
expect_eq "/metrics is 200 in text format 0.0.4" "200 text/plain; version=0.0.4; charset=utf-8" "$(http /metrics)"
metrics=$(cat "$tmp/body")
name='[a-zA-Z_:][a-zA-Z0-9_:]*'
label='[a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\[\\"n])*"'
value='(-?[0-9.]+(e[+-]?[0-9]+)?|NaN|[+-]Inf)'
bad=$(grep -v '^#' <<<"$metrics" | grep -Ev "^$name(\{$label(,$label)*\})? $value\$" || true)
expect_eq "every sample line is name{labels} value" "" "$bad"
untyped=""
for family in $(grep -v '^#' <<<"$metrics" | sed 's/[{ ].*//' | sort -u); do
  grep -q "^# TYPE $family " <<<"$metrics" && grep -q "^# HELP $family " <<<"$metrics" || untyped+="$family "
done
expect_eq "every family has HELP and TYPE" "" "$untyped"
for line in 'wgsidecar_up 1' 'wgsidecar_ready 1' 'wgsidecar_tunnel_state{state="fresh"} 1' \
  'wgsidecar_tunnel_state{state="stale"} 0' 'wgsidecar_handshake_age_seconds 4.2' 'wgsidecar_rx_bytes_total 1234' \
  'wgsidecar_tx_bytes_total 5678' 'wgsidecar_recoveries_total{step="links"} 1' \
  'wgsidecar_recoveries_total{step="interface"} 0' 'wgsidecar_check_ok{target="primary",stage="tcp"} 0' \
  'wgsidecar_check_duration_seconds{target="primary",stage="ping"} 0.00125' 'wgsidecar_app_restarts_total 0'; do
  expect_eq "/metrics: $line" "$line" "$(grep -xF "$line" <<<"$metrics" || true)"
done
expect_contains "/metrics: uptime" "wgsidecar_uptime_seconds " "$metrics"
expect_not_contains "/metrics: a skipped stage has no sample" 'stage="auth"' "$metrics"
kill -USR1 "$pid"
for _ in $(seq 100); do [ "$(http /readyz)" = "503 text/plain; charset=utf-8" ] && break; sleep 0.1; done
http /metrics >/dev/null
expect_not_contains "/metrics: no handshake, no handshake age" "wgsidecar_handshake_age_seconds " "$(cat "$tmp/body")"
expect_contains "/metrics: not ready" $'\nwgsidecar_ready 0\n' "$(cat "$tmp/body")"

echo "methods and paths"
expect_eq "unknown path is 404" "404 text/plain; charset=utf-8" "$(http /nope)"
expect_eq "a query string is ignored" "200 text/plain; charset=utf-8" "$(http '/healthz?verbose=1')"
expect_eq "POST is 405" "405 text/plain; charset=utf-8" "$(http -X POST /healthz)"
expect_contains "405 says what is allowed" "Allow: GET, HEAD" "$(cat "$tmp/headers")"
expect_eq "POST with a body is 405 too" "405 text/plain; charset=utf-8" "$(http -d 'x=1' /status)"
expect_eq "HEAD is 200" "200 text/plain; version=0.0.4; charset=utf-8" "$(http -I /metrics)"
head_reply=$(raw 'HEAD /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')
expect_contains "HEAD has GET's Content-Length" "Content-Length: 3" "$head_reply"
expect_eq "HEAD has no body" "" "$(printf '%s' "$head_reply" | sed '1,/^\r$/d')"
expect_contains "every answer closes the connection" "Connection: close" "$head_reply"
expect_contains "HTTP/1.0 is answered" "HTTP/1.0 200 OK" "$(raw 'GET /healthz HTTP/1.0\r\n\r\n')"
expect_contains "garbage is a 400" "HTTP/1.1 400 Bad Request" "$(raw 'hello there\r\n\r\n')"

echo "limits"
expect_eq "a client that sends nothing is dropped after the timeout" "dropped" "$(dropped_after_silence '')"
expect_eq "... without an answer" "" "$(cat "$tmp/silent")"
expect_eq "a client that stops mid-head is dropped too" "dropped" "$(dropped_after_silence 'GET /healthz HTTP/1.1\r\nHost: x\r\n')"
big=$(head -c 9000 /dev/zero | tr '\0' a)
expect_eq "a 9 KB header is refused with 431" "431 text/plain; charset=utf-8" "$(http -H "X-Big: $big" /healthz)"
{ printf 'X-Huge: '; head -c 200000 /dev/zero | tr '\0' a; echo; } >"$tmp/huge"  # too long for argv
code=$(http -H "@$tmp/huge" /healthz)
case "$code" in 431*|000*) pass "a 200 KB header is refused (431 or closed): $code" ;; *) fail "a 200 KB header is refused" "got $code" ;; esac
expect_eq "the server still answers after all that" "200 text/plain; charset=utf-8" "$(http /healthz)"

echo "the connection cap: the oldest idle connection makes room"
start_driver capped --head-timeout-ms 60000 --max-connections 4 --max-per-source 4
fds=()
for _ in 1 2 3 4; do exec {fd}<>"/dev/tcp/127.0.0.1/$port"; fds+=("$fd"); done
sleep 0.2  # all four accepted
expect_eq "a fifth client is served while four idle ones are open" "200 text/plain; charset=utf-8" "$(http /healthz)"
expect_eq "... and the oldest idle one was closed for it" "closed" "$(is_closed "${fds[0]}")"
expect_eq "... the newest idle one is still open" "open" "$(is_closed "${fds[3]}")"
for fd in "${fds[@]}"; do exec {fd}<&-; done

echo "the per-source cap"
start_driver per_source --head-timeout-ms 60000 --max-connections 16 --max-per-source 2
fds=()
for _ in 1 2 3; do exec {fd}<>"/dev/tcp/127.0.0.1/$port"; fds+=("$fd"); sleep 0.1; done
expect_eq "a third idle connection from one address closes that address's oldest" "closed" "$(is_closed "${fds[0]}")"
expect_eq "... and keeps the other two" "open open" "$(is_closed "${fds[1]}") $(is_closed "${fds[2]}")"
code=$(curl --noproxy '*' -sS -m 10 -o /dev/null -w '%{http_code}' --interface 127.0.0.2 "http://127.0.0.1:$port/healthz" || true)
expect_eq "a client from another address gets in" "200" "$code"
expect_eq "... without closing anything of the first address" "open open" "$(is_closed "${fds[1]}") $(is_closed "${fds[2]}")"
for fd in "${fds[@]}"; do exec {fd}<&-; done

echo "stopping"
exec {idle}<>"/dev/tcp/127.0.0.1/$port"
kill -TERM "$pid"
set +e
timeout 10 cat <&"$idle" >/dev/null
closed=$?
for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
kill -KILL "$pid" 2>/dev/null  # only if it ignored SIGTERM; then the status below is 137
wait "$pid"
status=$?
set -e
exec {idle}<&-
expect_eq "destroying the server closes open connections" "true" "$([ "$closed" != 124 ] && echo true || echo false)"
expect_eq "the driver exits 0 after SIGTERM" 0 "$status"
curl --noproxy '*' -sS -m 5 -o /dev/null "http://127.0.0.1:$port/healthz" 2>/dev/null && code=$? || code=$?
expect_eq "nothing listens afterwards (curl cannot connect: 7)" 7 "$code"

finish

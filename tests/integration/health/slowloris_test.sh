#!/usr/bin/env bash
# The health endpoints under slowloris, over loopback: slow clients hold 200 half-sent
# requests and reconnect whenever they are dropped, while a checker probes /healthz and
# /readyz as Fly's check would. Every probe must be answered. The probe times are printed
# (min / median / max), never asserted.
# Usage: slowloris_test.sh PATH/TO/health_driver PATH/TO/slowloris [SECONDS]
set -euo pipefail
driver=$(readlink -f "${1:?usage: slowloris_test.sh health_driver slowloris [SECONDS]}")
slowloris=$(readlink -f "${2:?usage: slowloris_test.sh health_driver slowloris [SECONDS]}")
seconds=${3:-10}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../../lib/assert.sh"
source "$here/lib.sh"

# The server with the limits `run` uses (limits.hpp), on 127.0.0.1.
start_driver server

# probe_while PID OUT: probes /healthz and /readyz in turn from 127.0.0.1 while PID runs,
# each with a 5 s deadline (Fly's check timeout in fly.toml); one line per probe in OUT:
# "HTTP_CODE SECONDS" (000 when unanswered).
probe_while() {
  local attacker=$1 out=$2 path
  : >"$out"
  sleep 1  # let the slow clients take their places first
  while kill -0 "$attacker" 2>/dev/null; do
    for path in /healthz /readyz; do
      curl --noproxy '*' -s -m 5 -o /dev/null -w '%{http_code} %{time_total}\n' \
        "http://127.0.0.1:$port$path" >>"$out" 2>/dev/null || echo "000 5" >>"$out"
    done
    sleep 0.1
  done
}

# stats FILE: "min median max" of the seconds column, in milliseconds.
stats() {
  sort -n -k2 "$1" | awk '{ ms[NR] = $2 * 1000 } END { printf "%.1f / %.1f / %.1f ms (n=%d)", ms[1], ms[int((NR + 1) / 2)], ms[NR], NR }'
}

# attack NAME SOURCES: 200 slow clients from SOURCES for $seconds, probed all along.
attack() {
  local name=$1 sources=$2 answered sent
  "$slowloris" --port "$port" --sources "$sources" --connections 200 --seconds "$seconds" >"$tmp/$name.attack" &
  local attacker=$!
  pids+=("$attacker")
  probe_while "$attacker" "$tmp/$name.probes"
  wait "$attacker"
  sent=$(wc -l <"$tmp/$name.probes")
  answered=$(grep -cv '^000 ' "$tmp/$name.probes" || true)
  echo "  $name: slow clients $(cat "$tmp/$name.attack"); probes $answered/$sent answered, $(stats "$tmp/$name.probes")"
  expect_eq "$name: every probe of /healthz and /readyz is answered" "$sent" "$answered"
  expect_eq "$name: /healthz answers 200" "" "$(awk 'NR % 2 == 1 && $1 != "200"' "$tmp/$name.probes")"
  expect_eq "$name: /readyz answers (503: the made-up snapshot is not ready)" "" \
    "$(awk 'NR % 2 == 0 && $1 != "503"' "$tmp/$name.probes")"
  [ "$sent" -ge 10 ] && pass "$name: at least 10 probes ran ($sent)" || fail "$name: at least 10 probes ran" "$sent"
  local connects
  connects=$(awk '{print $2}' "$tmp/$name.attack")
  [ "$connects" -ge 200 ] && pass "$name: the slow clients really connected ($connects times)" ||
    fail "$name: the slow clients really connected" "$connects"
}

echo "one address holds 200 half-sent requests (the issue's attack)"
attack one_source 127.0.0.2

echo "200 half-sent requests from 25 addresses (more than the cap, each within its share)"
sources=$(seq -s, -f '127.0.0.%g' 10 34)
attack many_sources "$sources"

echo "afterwards"
code=$(curl --noproxy '*' -s -m 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/healthz" || true)
expect_eq "the server answers as before" 200 "$code"
warnings=$(grep -c 'to make room' "$tmp/server.err" || true)
[ "$warnings" -le 4 ] && pass "making room is logged a few times, not per connection ($warnings)" ||
  fail "making room is logged a few times, not per connection" "$warnings lines"
finish

#!/usr/bin/env bash
# Bytes that are not UTF-8, and control characters, where the environment puts them: every
# JSON output (config --json, check --json, status --json, JSON log lines) stays valid JSON
# in UTF-8 and every text log line stays one line. In a network namespace of its own.
# Usage: bytes_test.sh PATH/TO/wgsidecar
set -euo pipefail
wgsidecar=$(readlink -f "${1:?usage: bytes_test.sh PATH/TO/wgsidecar}")
here=$(cd "$(dirname "$0")" && pwd)
source "$here/netns.sh" "$0" "$@"
source "$here/../../lib/assert.sh"
export SIDECAR_CHECK_TIMEOUT=300ms
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# json_ok NAME EXPECTED_STATUS CMD...: CMD ends with the status (an abort is 134) and its
# stdout is JSON in UTF-8; the output is kept in $out.
json_ok() {
  local name=$1 expected=$2 status
  shift 2
  set +e
  out=$("$@" 2>"$tmp/err")
  status=$?
  set -e
  expect_eq "$name: exit $expected" "$expected" "$status"
  printf '%s' "$out" | iconv -f UTF-8 -t UTF-8 >/dev/null 2>&1 && pass "$name: UTF-8" || fail "$name: UTF-8"
  jq -e . >/dev/null 2>&1 <<<"$out" && pass "$name: JSON" || fail "$name: JSON" "$(head -c 300 <<<"$out") $(head -c 300 "$tmp/err")"
}

fffd=$'\xef\xbf\xbd'
echo "config --json"
for name in DB_USER DB_NAME WG_USERSPACE_IMPLEMENTATION; do
  json_ok "$name=\$'caf\\xe9\\xff'" 0 env "$name=$(printf 'caf\xe9\xff')" "$wgsidecar" config --json
  expect_contains "$name: shown with U+FFFD" "caf$fffd$fffd" "$out"
done

echo "check --json"
json_ok "DB_NAME=\$'caf\\xe9' (nothing answers here)" 69 env DB_NAME=$'caf\xe9' "$wgsidecar" check --json
expect_contains "the URL shows U+FFFD" "caf$fffd" "$(jq -r '.targets[0].url' <<<"$out")"

echo "status --json: an interface name that is not UTF-8 never gets that far"
expect_status "WG_INTERFACE=\$'dh\\xff0' is refused as configuration (78)" 78 env WG_INTERFACE=$'dh\xff0' "$wgsidecar" status --json
expect_contains "... naming the variable" "WG_INTERFACE" "$out"

echo "JSON logs"
set +e
SIDECAR_LOG_FORMAT=json FLY_REGION=$'i\xffad\n' FLY_MACHINE_ID=$'m\x1b[2J' SIDECAR_HEALTH_ADDR=10.9.9.9:9090 \
  "$wgsidecar" run -- true 2>"$tmp/log"
status=$?
set -e
expect_eq "run ends (health address not here: 71)" 71 "$status"
iconv -f UTF-8 -t UTF-8 "$tmp/log" >/dev/null 2>&1 && pass "the log is UTF-8" || fail "the log is UTF-8"
expect_eq "every line is one JSON object from wgsidecar" "$(wc -l <"$tmp/log")" \
  "$(jq -c 'select(type == "object" and .source == "wgsidecar")' "$tmp/log" 2>/dev/null | wc -l)"
expect_eq "the region, repaired" "\"i${fffd}ad\\n\"" "$(jq -c '.region' "$tmp/log" | head -n 1)"

echo "text logs cannot be forged"
forged=$'iad\n2099-01-01T00:00:00.000Z wgsidecar error FORGED'
set +e
FLY_REGION=$forged SIDECAR_HEALTH_ADDR=10.9.9.9:9090 "$wgsidecar" run -- true 2>"$tmp/log"
set -e
expect_eq "no line starts with the forged text" "" "$(grep -a -E '^(2099|FORGED)' "$tmp/log" || true)"
expect_eq "every line starts as wgsidecar's do" "" \
  "$(grep -a -v -E '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]{12}Z wgsidecar ' "$tmp/log" || true)"
expect_contains "the value is escaped where it belongs" 'region="iad\n2099-01-01T00:00:00.000Z wgsidecar error FORGED"' "$(cat "$tmp/log")"
expect_eq "no escape character reaches the terminal" "" \
  "$(FLY_MACHINE_ID=$'\x1b[2J' SIDECAR_HEALTH_ADDR=10.9.9.9:9090 "$wgsidecar" run -- true 2>&1 | grep -a $'\x1b' || true)"

echo "configuration problems"
set +e
SIDECAR_LOG_FORMAT=json SIDECAR_REQUIRE=$'tcp,x\ny' WG_MTU=huge "$wgsidecar" run -- true 2>"$tmp/log"
status=$?
set -e
expect_eq "exit 78" 78 "$status"
expect_eq "JSON mode: one object, the problems as a field" "1 2" \
  "$(wc -l <"$tmp/log" | tr -d ' ') $(jq '.problems | length' "$tmp/log" 2>/dev/null)"
expect_eq "... each naming its variable" "SIDECAR_REQUIRE WG_MTU" \
  "$(jq -r '[.problems[].variable] | sort | join(" ")' "$tmp/log" 2>/dev/null)"
set +e
SIDECAR_REQUIRE=$'tcp,x\n\x1b[2Jy' "$wgsidecar" config 2>"$tmp/log"
set -e
expect_eq "text mode: the header and one line per problem" 2 "$(wc -l <"$tmp/log" | tr -d ' ')"
expect_eq "... and no escape character from the value reaches the terminal" "" "$(grep -a $'\x1b' "$tmp/log" || true)"
finish

#!/usr/bin/env bash
# `run`'s log when the start does not work in time, as Fly's log shipper and a person see it:
# in JSON mode every line is one object marked "source":"wgsidecar" and the last check report
# is a field of the error line; in text mode the report's lines carry the log prefix; and the
# start policy's retries, failing for the same reason, are logged once, not once per attempt.
# In a network namespace of its own, where the hub cannot be reached.
# Usage: logs_test.sh PATH/TO/wgsidecar
set -euo pipefail
wgsidecar=$(readlink -f "${1:?usage: logs_test.sh PATH/TO/wgsidecar}")
here=$(cd "$(dirname "$0")" && pwd)
source "$here/netns.sh" "$0" "$@"
source "$here/../../lib/assert.sh"
export SIDECAR_STARTUP_TIMEOUT=3s SIDECAR_CHECK_TIMEOUT=200ms
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "JSON mode"
set +e
SIDECAR_LOG_FORMAT=json SIDECAR_LOG_LEVEL=debug FLY_REGION=iad "$wgsidecar" run -- true 2>"$tmp/json.log"
status=$?
set -e
expect_eq "the start gives up: 69" 69 "$status"
lines=$(wc -l <"$tmp/json.log")
expect_eq "every line is a JSON object with source wgsidecar" "$lines" \
  "$(jq -c 'select(type == "object" and .source == "wgsidecar" and .region == "iad")' "$tmp/json.log" 2>/dev/null | wc -l)"
report=$(jq -c 'select(.report != null)' "$tmp/json.log" 2>/dev/null)
expect_eq "one line carries the report" 1 "$(grep -c . <<<"$report" || true)"
expect_eq "... as an error" error "$(jq -r .level <<<"$report")"
expect_eq "... with its stages as data" "true" "$(jq '.report.stages | length > 0 and all(has("name") and has("status"))' <<<"$report")"
expect_eq "... and the failure with its hint" "true" \
  "$(jq '[.report.stages[] | select(.status == "fail" and (.hint | length) > 0)] | length > 0' <<<"$report")"
waiting=$(jq -r 'select(.msg | startswith("waiting for the path")) | .msg' "$tmp/json.log" | wc -l)
attempts=$(jq -r 'select(.msg | contains("failed the same way")) | .msg' "$tmp/json.log" | wc -l)
expect_eq "retries failing the same way: logged once" 1 "$waiting"
[ "$attempts" -ge 2 ] && pass "... while the start tried again $attempts more times (debug)" ||
  fail "... while the start tried again (debug)" "$attempts attempts"

echo "text mode"
set +e
"$wgsidecar" run -- true 2>"$tmp/text.log"
set -e
expect_eq "every line has the log prefix, the report's too" "" \
  "$(grep -a -v -E '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]{12}Z wgsidecar ' "$tmp/text.log" || true)"
expect_contains "the report is there, for people" "some checks failed" "$(cat "$tmp/text.log")"
expect_contains "... with its hints" "hint: " "$(cat "$tmp/text.log")"
expect_eq "the info log has one retry line" 1 "$(grep -c 'waiting for the path' "$tmp/text.log" || true)"
finish

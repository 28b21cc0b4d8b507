#!/usr/bin/env bash
# `promtool check metrics` (Prometheus's own linter: names, base units, HELP/TYPE) over a real
# /metrics body, both with a last check report and before the first. Skipped (77) when
# promtool is missing: Debian packages it in `prometheus`.
# Usage: promtool_test.sh PATH/TO/health_driver
set -euo pipefail
driver=$(readlink -f "${1:?usage: promtool_test.sh PATH/TO/health_driver}")
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../../lib/assert.sh"
source "$here/../../lib/skip.sh"
needs_commands promtool
source "$here/lib.sh"
start_driver metrics

# lint NAME: promtool over /metrics as it is now.
lint() {
  curl --noproxy '*' -sS -m 5 "http://127.0.0.1:$port/metrics" >"$tmp/metrics"
  set +e
  problems=$(promtool check metrics <"$tmp/metrics" 2>&1)
  local status=$?
  set -e
  expect_eq "$1: promtool check metrics passes" "0 " "$status $problems"
}

lint "not ready, with a failed check"
expect_contains "durations are in seconds" "wgsidecar_check_duration_seconds{" "$(cat "$tmp/metrics")"
expect_not_contains "no milliseconds anywhere" "milliseconds" "$(cat "$tmp/metrics")"
kill -USR1 "$pid"
for _ in $(seq 50); do grep -q '^wgsidecar_ready 1' <(curl --noproxy '*' -s "http://127.0.0.1:$port/metrics") && break; sleep 0.1; done
lint "ready, with a handshake age"
expect_contains "the handshake age is there" "wgsidecar_handshake_age_seconds " "$(cat "$tmp/metrics")"
finish

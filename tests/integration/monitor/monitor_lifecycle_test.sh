#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# How a supervised run ends: Fly's release_command shape (a one-shot through the tunnel, its
# status passed on, the tunnel gone after), SIDECAR_APP_RESTART=never|on-failure, and giving
# up on a hub that is gone for good (the app is stopped, wgsidecar exits 69, never 0).
# Usage: monitor_lifecycle_test.sh PATH/TO/wgsidecar
set -euo pipefail
wgsidecar=$(readlink -f "${1:?usage: monitor_lifecycle_test.sh PATH/TO/wgsidecar}")
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
mon_setup mon4- "$wgsidecar"

echo "release_command: a one-shot through the tunnel"
expect_status "wgsidecar exits with the one-shot's 3" 3 at_edge "$wgsidecar" run -- \
  sh -c "ping -c 1 -W 2 $LAB_HUB_WG_ADDR >/dev/null || exit 9; exit 3"
expect_eq "the interface is gone afterwards" "" "$(at_edge ip -o link show "$WG_INTERFACE" 2>/dev/null || true)"
expect_eq "no wireguard-go is left" "" "$(mon_userspace_pid || true)"

echo "SIDECAR_APP_RESTART=never (the default): the app's failure ends the run"
mon_start_app sh -c 'echo $$ > '"$mon_tmp"'/app.pid; echo $$ >> '"$mon_tmp"'/never.pids; sleep 1; exit 1'
mon_wait_exit 20 || true
expect_eq "wgsidecar exits with the app's 1" 1 "$mon_status"
expect_eq "the app ran once" 1 "$(wc -l < "$mon_tmp/never.pids")"

echo "SIDECAR_APP_RESTART=on-failure: the app is started again"
# The first run fails; the second stays up.
SIDECAR_APP_RESTART=on-failure mon_start_app sh -c \
  'echo $$ > '"$mon_tmp"'/app.pid; echo $$ >> '"$mon_tmp"'/again.pids; [ "$(wc -l < '"$mon_tmp"'/again.pids)" -ge 2 ] || exit 1; echo $$ > '"$mon_tmp"'/second.pid; exec sleep 1000'
started_again() { test -s "$mon_tmp/second.pid" && cat "$mon_tmp/second.pid"; }
expect_within "the failed app is started again" 20 started_again
expect_eq "with a new PID" 2 "$(sort -u "$mon_tmp/again.pids" | wc -l)"
expect_within "/status counts one restart" 10 mon_status_is .app.restarts 1
expect_within "/status names the running app" 5 mon_status_is .app.pid "$(cat "$mon_tmp/second.pid" 2>/dev/null)"
mon_stop_sidecar
expect_eq "SIGTERM: the restarted app's 143" 143 "$mon_status"

echo "give up: the hub's WireGuard is gone for good"
SIDECAR_GIVE_UP_AFTER=8s mon_start_app sh -c \
  'echo $$ > '"$mon_tmp"'/app.pid; trap "echo TERM > '"$mon_tmp"'/app.term; exit 0" TERM; while :; do sleep 0.2; done'
lab_hub_wg_down
if mon_wait_exit 90; then pass "wgsidecar ends"; else fail "wgsidecar ends" "still running 90s after the hub went"; mon_dump_log; fi
expect_eq "with 69 (unavailable), not the app's 0" 69 "$mon_status"
expect_eq "the app was stopped with SIGTERM" TERM "$(cat "$mon_tmp/app.term" 2>/dev/null)"
finish || { mon_dump_log; exit 1; }

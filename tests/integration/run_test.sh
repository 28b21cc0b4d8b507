#!/usr/bin/env bash
# `wgsidecar run` as the ENTRYPOINT: the app starts only once the path works, without the
# WireGuard secrets, with signals passed on and its status passed back, and the tunnel
# comes down after it. Usage: run_test.sh PATH/TO/wgsidecar
set -euo pipefail
wgsidecar=$(readlink -f "${1:?usage: run_test.sh PATH/TO/wgsidecar}")
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib/assert.sh"
source "$here/../lib/skip.sh"
needs_lab
source "$here/../lab/lab.sh"
prefix=run-
lab_use_prefix "$prefix"
tmp=$(mktemp -d)
trap 'lab_down >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
lab_up --prefix "$prefix" >/dev/null
eval "$(lab_env)"
export PGSSLMODE=verify-full SIDECAR_STARTUP_TIMEOUT=20s
edge=$(lab_ns edge)
echo "nameserver 127.0.0.1" > "/etc/netns/$edge/resolv.conf"
at_edge() { ip netns exec "$edge" "$@"; }

echo "the app starts after the checks, and can use the tunnel at its first line"
expect_status "run exits with the app's status" 0 at_edge "$wgsidecar" run -- sh -c \
  'ping -c 1 -W 1 10.50.0.1 >/dev/null && env > '"$tmp"'/env'
expect_not_contains "the app does not see WG_PRIVATE_KEY" "WG_PRIVATE_KEY" "$(cat "$tmp/env")"
expect_contains "the app sees DB_PASSWORD" "DB_PASSWORD=" "$(cat "$tmp/env")"
expect_eq "the tunnel is down after the app exits" "" "$(at_edge ip -o link show "$WG_INTERFACE" 2>/dev/null || true)"
expect_eq "no wireguard-go is left" 0 "$(pgrep -fc "wireguard-go -f $WG_INTERFACE" || true)"

echo "exit codes pass through"
expect_status "exit 3" 3 at_edge "$wgsidecar" run -- sh -c 'exit 3'
expect_status "a missing program is 127" 127 at_edge "$wgsidecar" run -- /nonexistent/app
expect_status "a program path alone means run" 5 at_edge "$wgsidecar" /bin/sh -c 'exit 5'

echo "signals"
ip netns exec "$edge" "$wgsidecar" run -- sh -c 'trap "exit 0" USR1; echo ready > '"$tmp"'/usr1; while :; do sleep 0.1; done' &
pid=$!
for _ in $(seq 100); do [ -f "$tmp/usr1" ] && break; sleep 0.1; done
kill -USR1 "$pid"; set +e; wait "$pid"; code=$?; set -e
expect_eq "SIGUSR1 reaches the app (it exits 0 on it)" 0 "$code"
ip netns exec "$edge" "$wgsidecar" run -- sh -c 'echo ready > '"$tmp"'/term; exec sleep 60' &
pid=$!
for _ in $(seq 100); do [ -f "$tmp/term" ] && break; sleep 0.1; done
kill -TERM "$pid"; set +e; wait "$pid"; code=$?; set -e
expect_eq "SIGTERM reaches the app and wgsidecar exits 143" 143 "$code"
SIDECAR_SHUTDOWN_TIMEOUT=1s ip netns exec "$edge" "$wgsidecar" run -- sh -c 'trap "" TERM INT; echo ready > '"$tmp"'/ignore; while :; do sleep 0.1; done' &
pid=$!
for _ in $(seq 100); do [ -f "$tmp/ignore" ] && break; sleep 0.1; done
kill -INT "$pid"; set +e; wait "$pid"; code=$?; set -e
expect_eq "an app that ignores SIGINT is SIGKILLed after the timeout (137)" 137 "$code"

echo "orphans are reaped"
# The app leaves a grandchild behind: its subshell exits at once, so the grandchild becomes an
# orphan, which the kernel hands to the nearest subreaper (wgsidecar, as PID 1 would be in a
# container). It exits after 1 s; 2 s later the app records whether it is still in the
# process table (a zombie nobody waited for) before exiting itself.
# shellcheck disable=SC2016 # expanded by the app's shell
orphan_app='(sleep 1 & echo $! > "$1/orphan"); sleep 0.2
  ps -o ppid= -p "$(cat "$1/orphan")" | tr -d " " > "$1/orphan-parent"; echo $PPID > "$1/sidecar"
  sleep 2; ps -o stat= -p "$(cat "$1/orphan")" > "$1/orphan-after" || echo gone > "$1/orphan-after"'
expect_status "run exits 0 with an app that left an orphan" 0 at_edge "$wgsidecar" run -- sh -c "$orphan_app" app "$tmp"
expect_eq "the orphan was handed to wgsidecar" "$(cat "$tmp/sidecar" 2>/dev/null || echo '(app did not run)')" \
  "$(cat "$tmp/orphan-parent" 2>/dev/null || echo '(no record)')"
expect_eq "wgsidecar reaped it: no zombie left" gone "$(cat "$tmp/orphan-after" 2>/dev/null || echo '(no record)')"

echo "the start waits for the path, and gives up with 69 and the report"
lab_pg_stop >/dev/null
expect_status "PostgreSQL down: run exits 69 after SIDECAR_STARTUP_TIMEOUT" 69 env SIDECAR_STARTUP_TIMEOUT=3s \
  ip netns exec "$edge" "$wgsidecar" run -- touch "$tmp/should-not-run"
expect_contains "with the failing stage" "tcp" "$out"
expect_eq "the app never started" false "$([ -e "$tmp/should-not-run" ] && echo true || echo false)"
expect_status "SIDECAR_REQUIRE=ping starts the app without the database" 0 env SIDECAR_REQUIRE=ping \
  ip netns exec "$edge" "$wgsidecar" run -- true
SIDECAR_STARTUP_TIMEOUT=60s ip netns exec "$edge" "$wgsidecar" run -- touch "$tmp/should-not-run" 2>"$tmp/stopped.log" &
pid=$!
for _ in $(seq 100); do grep -q "waiting for the path" "$tmp/stopped.log" && break; sleep 0.1; done
kill -TERM "$pid"; set +e; wait "$pid"; code=$?; set -e
expect_eq "SIGTERM during the start ends the wait with 143" 143 "$code"
expect_eq "and the app never started" false "$([ -e "$tmp/should-not-run" ] && echo true || echo false)"
expect_eq "and the tunnel is down" "" "$(at_edge ip -o link show "$WG_INTERFACE" 2>/dev/null || true)"
lab_pg_start >/dev/null

echo "the code an idle run keeps running sits on one 2 MiB page, read-only"
ip netns exec "$edge" "$wgsidecar" run -- sh -c 'echo $PPID > '"$tmp"'/hot.pid; exec sleep 60' &
pid=$!
for _ in $(seq 100); do [ -s "$tmp/hot.pid" ] && break; sleep 0.1; done
# The first 2 MiB of the binary's image: cmake/hot-code.ld puts the hot code there.
hot_mapping=$(awk '/^00400000-00600000 / { perms = $2; inside = 1; next } /^[0-9a-f]+-/ { inside = 0 }
  inside && /^AnonHugePages:/ { print perms, $2 }' "/proc/$(cat "$tmp/hot.pid")/smaps")
if grep -q '\[never\]' /sys/kernel/mm/transparent_hugepage/enabled; then
  expect_eq "transparent huge pages off: the code stays in the binary's own mapping" "" "$hot_mapping"
else
  expect_eq "one huge page, executable and not writable" "r-xp 2048" "$hot_mapping"
fi
expect_status "and the tunnel works through the moved code" 0 at_edge ping -c 1 -W 2 10.50.0.1
kill -TERM "$pid"; wait "$pid" 2>/dev/null || true

echo "--exec: the app replaces wgsidecar and keeps the tunnel"
ip netns exec "$edge" "$wgsidecar" run --exec -- sh -c 'echo $$ > '"$tmp"'/exec.pid; exec sleep 60' &
pid=$!
for _ in $(seq 100); do [ -s "$tmp/exec.pid" ] && break; sleep 0.1; done
expect_eq "the app runs as wgsidecar's own process" "$pid" "$(cat "$tmp/exec.pid" 2>/dev/null)"
expect_status "the tunnel works for it" 0 at_edge ping -c 1 -W 2 10.50.0.1
kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
at_edge "$wgsidecar" down >/dev/null 2>&1 || true
finish

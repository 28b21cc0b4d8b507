#!/usr/bin/env bash
# What the app and wireguard-go inherit from the supervisor, and what outlives it:
#   - the app holds descriptors 0, 1 and 2 only: at its start, after an on-failure restart
#     while health clients are connected, and under --exec; every descriptor the supervisor
#     holds is close-on-exec;
#   - wireguard-go is not killed when the thread that started it ends (the start policy's,
#     the monitor's), but is when the supervisor is killed with SIGKILL: no tunnel is left;
#   - the app outlives a killed supervisor, unless SIDECAR_APP_PARENT_DEATH_SIGNAL says not to.
# Usage: inheritance_test.sh WGSIDECAR HOSTILE_PROBE
set -euo pipefail
wgsidecar=$(readlink -f "${1:?usage: inheritance_test.sh WGSIDECAR HOSTILE_PROBE}")
probe=$(readlink -f "${2:?}")
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../../lib/assert.sh
source "$here/../../lib/assert.sh"
# shellcheck source-path=SCRIPTDIR source=../../lib/wait.sh
source "$here/../../lib/wait.sh"
# shellcheck source-path=SCRIPTDIR source=../../lab/lab.sh
source "$here/../../lab/lab.sh"
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$here/lib.sh"
sec_require_root_and_tools ip wg wireguard-go curl pgrep
sec_setup inh-
sec_install "$probe"
export SIDECAR_LOG_LEVEL=info
wg_pids() { pgrep -f "wireguard-go -f $WG_INTERFACE\$" | tr '\n' ' ' | sed 's/ $//'; }
tunnel_works() { ip netns exec "$sec_edge" ping -c 1 -W 2 "$LAB_HUB_WG_ADDR" >/dev/null 2>&1; }
# hold_health_connections N: N idle clients of the health port, kept open in the background.
hold_health_connections() {
  local _
  for _ in $(seq "$1"); do
    ip netns exec "$sec_edge" bash -c "exec 3<>/dev/tcp/127.0.0.1/$sec_health_port; sleep 3" &
  done
  sleep 0.3
}
# not_close_on_exec PID: the descriptors above 2 that PID holds without O_CLOEXEC.
not_close_on_exec() {
  local info flags
  for info in /proc/"$1"/fdinfo/*; do
    [ "${info##*/}" -gt 2 ] || continue
    flags=$(sed -n 's/^flags:[[:space:]]*//p' "$info" 2>/dev/null) || continue
    [ -n "$flags" ] && (( (8#$flags & 8#2000000) == 0 )) && printf '%s -> %s\n' "${info##*/}" "$(readlink "/proc/$1/fd/${info##*/}")"
  done
  return 0
}

echo "descriptors: at the start, after an on-failure restart with health clients connected"
# The first run lists its descriptors and fails once the test says so; the second lists them again.
# shellcheck disable=SC2016 # $n and $(...) are the app's, expanded when it runs
app='n=$(ls '"$sec_tmp"'/fds.* 2>/dev/null | wc -l); '"$sec_tmp"'/bin/hostile_probe fds > '"$sec_tmp"'/fds.$n
     [ "$n" -ge 1 ] && exec sleep 1000
     while [ ! -e '"$sec_tmp"'/fail-now ]; do sleep 0.1; done; exit 1'
SIDECAR_APP_RESTART=on-failure sec_start "$sec_tmp/restart" "$wgsidecar" run -- sh -c "$app"
sec_wait 60 "$sec_tmp/fds.0" || { fail "the app started"; tail -n 20 "$sec_tmp/restart.err"; }
first_wg=$(wg_pids)
hold_health_connections 4
touch "$sec_tmp/fail-now"
sec_wait 20 "$sec_tmp/fds.1" || fail "the app was started again"
expect_eq "the first app: 0 1 2" "0 1 2" "$(cat "$sec_tmp/fds.0")"
expect_eq "the restarted app: 0 1 2" "0 1 2" "$(cat "$sec_tmp/fds.1" 2>/dev/null)"
hold_health_connections 2
expect_eq "every descriptor the supervisor holds is close-on-exec" "" "$(not_close_on_exec "$sec_pid")"

echo "wireguard-go outlives the threads that started it"
expect_eq "the one the start policy's thread started still runs" "$first_wg" "$(wg_pids)"
expect_status "and the tunnel works" 0 tunnel_works
kill -KILL "$first_wg"
expect_status "the monitor starts another" 0 wait_until 20 bash -c "p=\$(pgrep -f 'wireguard-go -f $WG_INTERFACE\$'); [ -n \"\$p\" ] && [ \"\$p\" != $first_wg ]"
second_wg=$(wg_pids)
sleep 3
expect_eq "which still runs a while later" "$second_wg" "$(wg_pids)"
expect_status "and the tunnel works again" 0 wait_until 10 tunnel_works

echo "kill -9 of the supervisor leaves no tunnel behind"
app_pid=$(pgrep -f "sleep 1000" -P "$sec_pid" || pgrep -f "^sleep 1000$" | head -n 1)
sec_kill9
expect_status "wireguard-go ends" 0 wait_until 10 bash -c "! pgrep -f 'wireguard-go -f $WG_INTERFACE\$'"
expect_status "and its interface is gone" 0 wait_until 10 bash -c "! ip netns exec $sec_edge ip link show $WG_INTERFACE"
expect_status "the app, without SIDECAR_APP_PARENT_DEATH_SIGNAL, runs on" 0 kill -0 "$app_pid"
kill -KILL "$app_pid" 2>/dev/null || true

echo "SIDECAR_APP_PARENT_DEATH_SIGNAL=KILL: the app ends with the supervisor"
rm -f "$sec_tmp"/fds.*
SIDECAR_APP_PARENT_DEATH_SIGNAL=KILL sec_start "$sec_tmp/pdeath" "$wgsidecar" run -- \
  sh -c "echo \$\$ > $sec_tmp/app.pid; exec sleep 1000"
sec_wait 60 "$sec_tmp/app.pid" || fail "the app started"
sleep 0.2
app_pid=$(cat "$sec_tmp/app.pid")
sec_kill9
expect_status "the app is killed" 0 wait_until 5 bash -c "! kill -0 $app_pid"

echo "--exec: the app replaces wgsidecar with descriptors 0, 1 and 2"
ip netns exec "$sec_edge" "$wgsidecar" down >/dev/null 2>&1 || true
sec_start "$sec_tmp/exec" "$wgsidecar" run --exec -- sh -c "$sec_tmp/bin/hostile_probe fds > $sec_tmp/exec.fds; exec sleep 1000"
sec_wait 60 "$sec_tmp/exec.fds" || fail "the app started"
sleep 0.2
expect_eq "0 1 2" "0 1 2" "$(cat "$sec_tmp/exec.fds")"
expect_status "the detached wireguard-go keeps the tunnel" 0 tunnel_works
sec_kill9
ip netns exec "$sec_edge" "$wgsidecar" down >/dev/null 2>&1 || true
finish

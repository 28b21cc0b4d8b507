# shellcheck shell=bash
# Shared by the monitor tests and bench/supervise_detail.sh: a lab, one supervised wgsidecar
# in its edge, waits with deadlines and the health endpoints. Source after tests/lib/assert.sh
# (the tests) and tests/lab/lab.sh; then `mon_setup PREFIX WGSIDECAR [--by-name]`.
#
# The app writes its PID and stays alive, so "the app was not restarted" is "the PID file
# still names a live process with the same PID".

# shellcheck source=../../lib/wait.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../lib/wait.sh"

mon_health_port=9190
mon_wgsidecar='' mon_tmp='' mon_edge='' mon_pid='' mon_app_pid='' mon_status=''

# mon_setup PREFIX WGSIDECAR [--by-name]: a fresh lab for PREFIX, the edge's configuration exported
# (the endpoint by name with --by-name), short timers, and an EXIT trap that tears it all down.
mon_setup() {
  local prefix=$1 env_args=()
  mon_wgsidecar=$(readlink -f "$2")
  [ "${3:-}" = --by-name ] && env_args=(--by-name)
  mon_tmp=$(mktemp -d)
  lab_use_prefix "$prefix"
  trap mon_teardown EXIT
  lab_down >/dev/null 2>&1 || true
  lab_up --prefix "$prefix" >/dev/null
  eval "$(lab_env "${env_args[@]}")"
  mon_edge=$(lab_ns edge)
  export PGSSLMODE=verify-full SIDECAR_STARTUP_TIMEOUT=30s
  export SIDECAR_PROBE_INTERVAL=1s SIDECAR_STALE_AFTER=4s SIDECAR_GIVE_UP_AFTER=60s SIDECAR_CHECK_INTERVAL=5s
  export SIDECAR_HEALTH_ADDR=127.0.0.1:$mon_health_port
  # Loopback only: no proxy may see the health requests.
  unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY
  mon_pid=
}

mon_teardown() {
  local status=$?
  mon_stop_sidecar >/dev/null 2>&1 || true
  lab_down >/dev/null 2>&1 || true
  rm -rf "$mon_tmp"
  return "$status"
}

at_edge() { ip netns exec "$mon_edge" "$@"; }

# mon_wait SECONDS WHAT CMD...: poll CMD until it succeeds; on timeout say what was awaited,
# what CMD printed the last time, and return 1.
mon_wait() {
  local seconds=$1 what=$2 seen deadline=$((SECONDS + $1))
  shift 2
  until seen=$("$@" 2>&1); do
    if [ "$SECONDS" -ge "$deadline" ]; then
      printf '       timed out after %ss waiting for %s; last saw: %s\n' "$seconds" "$what" "$(printf '%s' "$seen" | tail -n 3)"
      return 1
    fi
    sleep 0.2
  done
}

# expect_within NAME SECONDS CMD...: a test case that passes once CMD succeeds within the deadline.
expect_within() {
  local name=$1 seconds=$2
  shift 2
  if mon_wait "$seconds" "$name" "$@"; then pass "$name"; else fail "$name"; mon_dump_log; fi
}

# mon_start_app [APP...]: start wgsidecar run -- APP in the edge (default: an app that writes
# its PID to $mon_tmp/app.pid and sleeps), and wait for the app's PID file.
mon_start_app() {
  local app=("$@")
  [ ${#app[@]} -gt 0 ] || app=(sh -c 'echo $$ > '"$mon_tmp"'/app.pid; exec sleep 1000')
  rm -f "$mon_tmp/app.pid"
  # ip netns exec execs: $! is wgsidecar itself.
  ip netns exec "$mon_edge" "$mon_wgsidecar" run -- "${app[@]}" >>"$mon_tmp/wgsidecar.log" 2>&1 &
  mon_pid=$!
  if ! mon_wait 40 "the app to start" test -s "$mon_tmp/app.pid"; then
    mon_dump_log
    return 1
  fi
  mon_app_pid=$(cat "$mon_tmp/app.pid")
}

# mon_stop_sidecar: SIGTERM to wgsidecar, wait for it; its status in $mon_status.
mon_stop_sidecar() {
  mon_status=
  [ -n "${mon_pid:-}" ] || return 0
  kill -TERM "$mon_pid" 2>/dev/null || true
  mon_wait_exit 15
  if [ -z "$mon_status" ]; then kill -KILL "$mon_pid" 2>/dev/null || true; wait "$mon_pid" 2>/dev/null || true; fi
  mon_pid=
}

# mon_wait_exit SECONDS: wait for wgsidecar to exit; its status in $mon_status (empty on timeout).
mon_wait_exit() {
  mon_status=
  wait_exit "$mon_pid" "$1" || return 1
  mon_status=$exit_status
  mon_pid=
}

mon_dump_log() {
  printf '       --- wgsidecar log (last 40 lines)\n'
  tail -n 40 "$mon_tmp/wgsidecar.log" 2>/dev/null | sed 's/^/       | /'
}

# Conditions, each printing what it saw.
mon_tunnel_works() { at_edge ping -c 1 -W 1 "$LAB_HUB_WG_ADDR"; }
mon_route_present() { at_edge ip route show "$LAB_WG_NET" dev "$WG_INTERFACE" | grep .; }
mon_address_present() { at_edge ip -o addr show dev "$WG_INTERFACE" | grep -F "$LAB_EDGE_WG_ADDR/32"; }
mon_link_index() { at_edge cat "/sys/class/net/$WG_INTERFACE/ifindex"; }
mon_userspace_pid() { pgrep -f "wireguard-go -f $WG_INTERFACE\$" | head -n 1; }
mon_log_has() { grep -F -- "$1" "$mon_tmp/wgsidecar.log" | tail -n 1 | grep .; }
mon_app_alive() { kill -0 "$mon_app_pid" && [ "$(cat "$mon_tmp/app.pid")" = "$mon_app_pid" ] && echo "pid $mon_app_pid alive"; }

# mon_http PATH: prints the status code; the body lands in $mon_tmp/body.
mon_http() {
  at_edge curl --noproxy '*' -sS -m 5 -o "$mon_tmp/body" -w '%{http_code}' \
    "http://127.0.0.1:$mon_health_port$1" 2>/dev/null || true
}
# mon_http_is PATH CODE: succeeds when PATH answers CODE (prints what it got).
mon_http_is() {
  local code
  code=$(mon_http "$1")
  echo "$1 answered ${code:-nothing}"
  [ "$code" = "$2" ]
}
# mon_status_json JQ_FILTER: the filter applied to /status.
mon_status_json() {
  [ "$(mon_http /status)" = 200 ] || return 1
  jq -r "$1" "$mon_tmp/body"
}
# mon_status_is JQ_FILTER VALUE: succeeds when the filter applied to /status gives VALUE.
mon_status_is() {
  local seen
  seen=$(mon_status_json "$1") || { echo "/status did not answer 200"; return 1; }
  echo "/status $1 is $seen"
  [ "$seen" = "$2" ]
}
# mon_recoveries STEP: recoveries.by_step.STEP from /status (0 when absent).
mon_recoveries() { mon_status_json ".recoveries.by_step.$1 // 0"; }

# shellcheck shell=bash
# Shared by the health tests: a scratch directory, the processes they start (stopped on exit),
# and the driver. Source it after setting $driver (PATH/TO/health_driver).
# Loopback only: no proxy may see these requests.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY
tmp=$(mktemp -d)
pids=()
health_cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap health_cleanup EXIT

# start_driver NAME [FLAGS...]: runs the driver with FLAGS (output in $tmp/NAME.out and .err);
# sets $port and $pid once it listens.
start_driver() {
  local name=$1
  shift
  # Made here, not by the background job's redirection, which may not have run when sed looks.
  : >"$tmp/$name.out"
  : >"$tmp/$name.err"
  "${driver:?set driver before sourcing lib.sh}" "$@" >>"$tmp/$name.out" 2>>"$tmp/$name.err" &
  pid=$!
  pids+=("$pid")
  port=
  for _ in $(seq 100); do
    port=$(sed -n 's/^port \([0-9]*\)$/\1/p' "$tmp/$name.out")
    [ -n "$port" ] && return 0
    sleep 0.1
  done
  echo "health_driver did not start: $(cat "$tmp/$name.err")" >&2
  exit 1
}

# shellcheck shell=bash
# Sourced by tests and benchmarks.
# wait_until SECONDS CMD...: run CMD (quietly) every 0.1 s until it succeeds; false when the
# deadline passes first.
wait_until() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.1
  done
}

# wait_exit PID SECONDS: wait for a child of this shell to exit; its status in $exit_status
# (empty, and false, when the deadline passes first).
wait_exit() {
  local pid=$1 deadline=$((SECONDS + $2))
  exit_status=
  while kill -0 "$pid" 2>/dev/null; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.1
  done
  set +e
  wait "$pid"
  # shellcheck disable=SC2034 # read by the scripts that source this one
  exit_status=$?
  set -e
}

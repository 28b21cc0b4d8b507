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

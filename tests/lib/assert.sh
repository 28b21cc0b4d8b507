# shellcheck shell=bash
# Small assertion helpers for the shell integration tests. Source it, call the checks,
# end with `finish` (prints "N passed, N failed" and exits non-zero on any failure).
passed=0
failed=0

pass() { passed=$((passed + 1)); printf '  ok   %s\n' "$1"; }
fail() { failed=$((failed + 1)); printf '  FAIL %s\n' "$1"; [ -n "${2:-}" ] && printf '       %s\n' "$2"; return 0; }

# expect_eq NAME EXPECTED ACTUAL
expect_eq() {
  if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "expected [$2], got [$3]"; fi
}

# expect_contains NAME NEEDLE HAYSTACK
expect_contains() {
  case "$3" in *"$2"*) pass "$1" ;; *) fail "$1" "[$2] not found in: $(printf '%s' "$3" | head -c 600)" ;; esac
}

# expect_not_contains NAME NEEDLE HAYSTACK
expect_not_contains() {
  case "$3" in *"$2"*) fail "$1" "[$2] must not appear" ;; *) pass "$1" ;; esac
}

# expect_status NAME EXPECTED_CODE COMMAND... (output kept in $out)
expect_status() {
  local name=$1 expected=$2
  shift 2
  set +e
  out=$("$@" 2>&1)
  local status=$?
  set -e
  if [ "$status" = "$expected" ]; then pass "$name"; else fail "$name" "exit $status, expected $expected: $(printf '%s' "$out" | head -c 600)"; fi
}

finish() {
  printf '%s passed, %s failed\n' "$passed" "$failed"
  [ "$failed" -eq 0 ]
}

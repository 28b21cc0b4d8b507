#!/usr/bin/env bash
# `wgsidecar check` against a server on the database's port that answers garbage, through the
# real tunnel: the lab's hub DNATs tcp/5432 to garbage_server.py, which answers each
# connection with random bytes (often shaped like PostgreSQL's protocol, with error texts that
# are not UTF-8 and carry newlines and terminal escapes). Many rounds, each with its own
# replies; in every one `check` must end with 69 and a failed stage with a hint, its JSON
# must parse and be UTF-8, and its text must hold no control character: never a crash.
# Usage: garbage_test.sh PATH/TO/wgsidecar [ROUNDS] [SEED]
set -euo pipefail
wgsidecar=$(readlink -f "${1:?usage: garbage_test.sh PATH/TO/wgsidecar [ROUNDS] [SEED]}")
rounds=${2:-150}
seed=${3:-${WGS_GARBAGE_SEED:-$RANDOM}}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../../lib/assert.sh"
source "$here/../../lab/lab.sh"
# shellcheck source=../../lib/wait.sh
source "$here/../../lib/wait.sh"
lab_use_prefix grb-
trap 'lab_down >/dev/null 2>&1 || true' EXIT
lab_up --prefix grb- >/dev/null
eval "$(lab_env)"
export SIDECAR_CHECK_TIMEOUT=1s
edge=$(lab_ns edge)
replies=$LAB_STATE/replies
at_edge() { ip netns exec "$edge" "$@"; }
at_edge "$wgsidecar" up --wait 10s >/dev/null 2>&1

echo "seed $seed (WGS_GARBAGE_SEED=$seed replays it), $rounds rounds"
lab__spawn "$LAB_NS_VPC" fake python3 "$here/garbage_server.py" "$LAB_PG_ADDR" "$LAB_FAKE_PORT" "$seed" "$replies"
lab__wait 5 "the garbage server" lab__listening "$LAB_NS_VPC" "$LAB_FAKE_PORT"
lab_set_dnat_target fake

# show_replies FROM TO: the replies of connections FROM..TO, for a failure's report.
show_replies() {
  local n
  for n in $(seq "$1" "$2"); do
    echo "       reply $n ($(awk -v n="$n" '$1 == n {print $2}' "$LAB_STATE/fake.log")):"
    od -A d -c "$replies/$n.bin" 2>/dev/null | head -n 6 | sed 's/^/         /'
  done
}

modes=(disable prefer require verify-full)
bad=0
first_line=$(wc -l <"$LAB_STATE/fake.log")
for round in $(seq "$rounds"); do
  before=$(wc -l <"$LAB_STATE/fake.log")
  mode=${modes[$((round % ${#modes[@]}))]}
  set +e
  out=$(at_edge env PGSSLMODE="$mode" "$wgsidecar" check --json 2>"$LAB_STATE/check.err")
  status=$?
  set -e
  after=$(wc -l <"$LAB_STATE/fake.log")
  problem=
  if [ "$status" != 69 ]; then
    problem="exit $status (69 expected): $(head -c 300 "$LAB_STATE/check.err")"
  elif ! printf '%s' "$out" | iconv -f UTF-8 -t UTF-8 >/dev/null 2>&1; then
    problem="the JSON is not UTF-8"
  elif ! jq -e . >/dev/null 2>&1 <<<"$out"; then
    problem="the JSON does not parse: $(head -c 300 <<<"$out")"
  elif ! jq -e '[.stages[] | select(.target == "primary" and (.name == "tcp" or .name == "tls" or .name == "auth")
                 and .status == "fail" and (.hint | length) > 0)] | length == 1' >/dev/null <<<"$out"; then
    problem="no failed stage with a hint among tcp, tls, auth: $(jq -c '[.stages[] | {name, status, error}]' <<<"$out")"
  elif ! jq -e '[.stages[].error | explode[] | select(. < 32 or . == 127 or (. >= 128 and . < 160))] | length == 0' \
    >/dev/null <<<"$out"; then
    problem="a control character in an error: $(jq -c '[.stages[].error]' <<<"$out")"
  fi
  if [ -n "$problem" ]; then
    bad=$((bad + 1))
    fail "round $round (sslmode=$mode)" "$problem"
    show_replies $((before + 1)) "$after"
  fi
done
expect_eq "every round ended with a failed stage and a hint" 0 "$bad"
# The fake server logs a connection when it is done with it, which on a loaded machine can be
# after the last round's check returned: count what the whole run logged, once it settles.
logged_since_start() { [ $(($(wc -l <"$LAB_STATE/fake.log") - first_line)) -ge "$rounds" ]; }
wait_until 5 logged_since_start || true
kinds=$(($(wc -l <"$LAB_STATE/fake.log") - first_line))
[ "$kinds" -ge "$rounds" ] && pass "the server was reached in every round ($kinds connections)" ||
  fail "the server was reached in every round" "$kinds connections for $rounds rounds"
echo "  reply kinds: $(awk '{print $2}' "$LAB_STATE/fake.log" | sed 's/+.*//' | sort | uniq -c | tr -s ' ' | tr '\n' ',')"

echo "the text report holds no control character either"
set +e
text=$(at_edge env PGSSLMODE=disable "$wgsidecar" check 2>/dev/null)
status=$?
set -e
expect_eq "check (text) ends with 69" 69 "$status"
expect_eq "no control character but newlines" "" "$(tr -d '\n' <<<"$text" | grep -a '[[:cntrl:]]' || true)"

echo "DB_NAME that is not UTF-8 (DB_NAME=\$'caf\\xe9'), against the real PostgreSQL"
lab_set_dnat_target primary
set +e
out=$(at_edge env DB_NAME=$'caf\xe9' "$wgsidecar" check --json 2>/dev/null)
status=$?
set -e
expect_eq "check --json ends with 69 (no such database), not an abort" 69 "$status"
expect_eq "its JSON parses" "true" "$(jq -e 'has("stages")' <<<"$out" 2>/dev/null || echo false)"
expect_contains "the name is shown with U+FFFD" $'caf\xef\xbf\xbd' "$(jq -r '.targets[0].url' <<<"$out" 2>/dev/null)"
at_edge "$wgsidecar" down >/dev/null 2>&1
finish

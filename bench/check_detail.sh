#!/usr/bin/env bash
# How long a full healthy `wgsidecar check --json` takes (issue #4: "well under 100 ms in the
# lab"): in the netns lab (root), prefix bch-, the tunnel up, RUNS checks one after another
# inside the edge's namespace (so `ip netns exec` is not timed), after one untimed warm-up.
# Prints min / median / p95 / max of the wall time of each run (process start to exit) and
# of each stage's own ms from the JSON. Stages run concurrently: they do not add up to the
# wall time. Figures, not a test: nothing here asserts on a timing.
# Usage: bench/check_detail.sh PATH/TO/wgsidecar [RUNS (20)]
set -euo pipefail
wgsidecar=$(readlink -f "${1:?usage: check.sh PATH/TO/wgsidecar [RUNS]}")
runs=${2:-20}
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "RUNS must be a positive number" >&2; exit 64; }
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/tests/lab/lab.sh"
prefix=bch-
out=$(mktemp -d)
lab_use_prefix "$prefix"
trap 'lab_down >/dev/null 2>&1 || true; rm -rf "$out"' EXIT
lab_down >/dev/null 2>&1 || true  # a lab left by an interrupted run
lab_up --prefix "$prefix" >/dev/null
eval "$(lab_env)"
export PGSSLMODE=verify-full SIDECAR_LOG_LEVEL=info
lab_exec edge "$wgsidecar" up --wait 10s 2>"$out/up.log" || { cat "$out/up.log" >&2; exit 1; }

# In the edge: a warm-up, then RUNS timed checks; each run's JSON in $out/N.json and its
# wall time (ms) in $out/wall.
lab_exec edge env WGSIDECAR="$wgsidecar" OUT="$out" RUNS="$runs" bash -c '
  "$WGSIDECAR" check --json >"$OUT/warmup.json" 2>/dev/null || true
  for i in $(seq "$RUNS"); do
    t0=$EPOCHREALTIME
    "$WGSIDECAR" check --json >"$OUT/$i.json" 2>>"$OUT/check.log"; status=$?
    t1=$EPOCHREALTIME
    echo "$i $status $t0 $t1" >>"$OUT/wall"
  done'

failed=$(awk '$2 != 0' "$out/wall" | wc -l)
if [ "$failed" -gt 0 ]; then
  echo "$failed of $runs checks failed; the first failing report:" >&2
  cat "$out/$(awk '$2 != 0 { print $1; exit }' "$out/wall").json" >&2
  exit 1
fi

python3 - "$out" "$runs" <<'PY'
import json, math, sys
out, runs = sys.argv[1], int(sys.argv[2])
rows = {"wall": []}
order = ["wall"]
for line in open(f"{out}/wall"):
    i, _, t0, t1 = line.split()
    rows["wall"].append((float(t1) - float(t0)) * 1000)
    for stage in json.load(open(f"{out}/{i}.json"))["stages"]:
        if stage["target"] != "primary":
            continue
        name = "stage " + stage["name"]
        if name not in rows:
            rows[name] = []
            order.append(name)
        rows[name].append(float(stage["ms"]))

def pick(values, q):  # nearest-rank percentile
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]

print(f"wgsidecar check --json, {runs} runs in the edge namespace (ms)")
print(f"| {'measure':<16} | {'min':>7} | {'median':>7} | {'p95':>7} | {'max':>7} |")
print(f"|{'-' * 18}|{'-' * 9}|{'-' * 9}|{'-' * 9}|{'-' * 9}|")
for name in order:
    v = rows[name]
    print(f"| {name:<16} | {min(v):7.1f} | {pick(v, 0.5):7.1f} | {pick(v, 0.95):7.1f} | {max(v):7.1f} |")
PY
lab_exec edge "$wgsidecar" down >/dev/null 2>&1 || true

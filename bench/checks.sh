# shellcheck shell=bash
# Scenario 5: check latency over an established tunnel, in the same lab: a full healthy
# `wgsidecar check` (handshake, ping, tcp, tls, auth, mtu) against `pg_isready` followed by
# `psql -c 'select 1'` (TLS verify-full and SCRAM, as the check does), taking turns. Timed
# inside the edge's namespace, so `ip netns exec` is not counted for either.
# PostgreSQL's own binaries, not Debian's /usr/bin wrappers (a Perl script picking the version
# adds 100-300 ms here), and without GSSAPI encryption (Debian's libpq tries it first and its
# Kerberos lookups wait on the lab's empty resolver; wgsidecar's libpq has no GSSAPI).

# The loop that runs in the edge: RUNS turns, "SYSTEM MS" a line on stdout.
CHECKS_LOOP='
  for i in $(seq "$RUNS"); do
    t0=$EPOCHREALTIME
    "$WGSIDECAR" check --json > "$OUT/logs/check-$i.json" 2>>"$OUT/logs/checks.log" || echo "wgsidecar check $i failed" >&2
    t1=$EPOCHREALTIME
    { "$PG_BIN/pg_isready" -q -h "$DB_HOST" -p "$DB_PORT" &&
      "$PG_BIN/psql" -X -At -c "select 1" \
        "host=$DB_HOST port=$DB_PORT user=$DB_USER dbname=$DB_NAME sslmode=verify-full sslrootcert=$PGSSLROOTCERT"
    } >/dev/null 2>>"$OUT/logs/checks.log" || echo "pg_isready + psql $i failed" >&2
    t2=$EPOCHREALTIME
    awk -v a="$t0" -v b="$t1" -v c="$t2" "BEGIN { printf \"wgsidecar %.1f\npg_isready+psql %.1f\n\", (b - a) * 1000, (c - b) * 1000 }"
  done'

# bench_checks PREFIX RUNS
bench_checks() {
  local prefix=$1 runs=$2 system ms
  (sidecar_env "$prefix" && exec ip netns exec "$prefix"edge "$WGSIDECAR" up --wait 10s) \
    >"$BENCH_OUT/logs/checks-up.log" 2>&1 || { bench_log "wgsidecar up failed (see logs/checks-up.log)"; return 1; }
  # One untimed warm-up of each, as a running machine would have its caches warm.
  (sidecar_env "$prefix" && unset SIDECAR_LOG_LEVEL &&
    export PGPASSWORD=$DB_PASSWORD PGCONNECT_TIMEOUT=5 PGGSSENCMODE=disable RUNS=1 OUT=$BENCH_OUT PG_BIN=$LAB_PG_BIN &&
    ip netns exec "$prefix"edge bash -c "$CHECKS_LOOP" >/dev/null &&
    export RUNS=$runs && exec ip netns exec "$prefix"edge bash -c "$CHECKS_LOOP") >"$BENCH_OUT/checks.txt"
  while read -r system ms; do sample check "$system" latency "$ms" ms; done <"$BENCH_OUT/checks.txt"
  # The stages of the last report (stage → its own ms; they overlap, so they do not add up).
  /usr/bin/python3 - "$BENCH_OUT/logs/check-$runs.json" <<'EOF' | while read -r stage ms; do sample check wgsidecar "stage:$stage" "$ms" ms; done
import json, sys
for s in json.load(open(sys.argv[1]))["stages"]:
    if s.get("status") == "ok": print(s["name"], s["ms"])
EOF
  (sidecar_env "$prefix" && exec ip netns exec "$prefix"edge "$WGSIDECAR" down) >>"$BENCH_OUT/logs/checks-up.log" 2>&1 || true
}

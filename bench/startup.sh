# shellcheck shell=bash
# Scenario 1: time to app start, from process start to the app's first line, the seed's
# entrypoint.sh against `wgsidecar run` (ping, tcp, tls, auth gating; userspace backend), taking
# turns in one lab. wgsidecar's time is broken down by phase from its JSON log.

# The app: records when it started, then exits.
startup_app() {
  cat > "$1" <<'EOF'
#!/bin/bash
printf '%s\n' "$EPOCHREALTIME" > "$BENCH_APP_STAMP"
EOF
  chmod 755 "$1"
}

# startup_seed_once PREFIX WORKDIR LOG: one start of the seed; prints the milliseconds.
startup_seed_once() {
  local t0 stamp=$BENCH_OUT/app.stamp
  rm -f "$stamp"
  t0=$EPOCHREALTIME
  (seed_env "$1" && export BENCH_APP_STAMP=$stamp && seed_exec "$1" "$2") >"$3" 2>&1 || return 1
  [ -s "$stamp" ] || return 1
  ms_between "$t0" "$(cat "$stamp")"
  seed_down "$1"
}

# startup_sidecar_once PREFIX APP LOG SCENARIO: one start of wgsidecar; prints the milliseconds
# and records the phases.
startup_sidecar_once() {
  local t0 stamp=$BENCH_OUT/app.stamp
  rm -f "$stamp"
  t0=$EPOCHREALTIME
  (sidecar_env "$1" && export BENCH_APP_STAMP=$stamp &&
    exec ip netns exec "$1edge" "$WGSIDECAR" run -- "$2") 2>"$3" >/dev/null || return 1
  [ -s "$stamp" ] || return 1
  ms_between "$t0" "$(cat "$stamp")"
  startup_phases "$t0" "$(cat "$stamp")" "$3" "$4"
}

# startup_phases T0 T_APP LOG SCENARIO: wgsidecar's phases from its log lines (millisecond stamps):
# link (config, wireguard-go, UAPI, addresses, routes), checks (first handshake, ping ∥
# tcp → tls → auth), spawn (until the app's first line); tcp/tls/auth from libpq's transitions.
startup_phases() {
  /usr/bin/python3 - "$1" "$2" "$3" <<'EOF' | while read -r metric value; do sample "$4" wgsidecar "$metric" "$value" ms; done
import json, re, sys
from datetime import datetime, timezone
t0, tapp, log = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
def at(line):
    return datetime.strptime(line["time"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc).timestamp()
up = works = None
libpq = ""
for raw in open(log):
    try:
        line = json.loads(raw)
    except ValueError:
        continue
    msg = line.get("msg", "")
    if up is None and " is up (" in msg: up = at(line)
    if works is None and msg.startswith("the path works"): works = at(line)
    if "libpq went" in msg and not libpq: libpq = msg
if up and works:
    print("phase:link", round((up - t0) * 1000, 1))
    print("phase:checks", round((works - up) * 1000, 1))
    print("phase:spawn", round((tapp - works) * 1000, 1))
steps = dict((k, float(v)) for k, v in re.findall(r"(CONNECTION_\w+) \+([\d.]+)ms", libpq.replace("CONNECTION_MADE +", "CONNECTION_MADE1 +", 1)))
if {"CONNECTION_MADE1", "CONNECTION_SSL_STARTUP", "CONNECTION_OK"} <= steps.keys():
    print("check:tcp", steps["CONNECTION_MADE1"])
    tls_done = steps.get("CONNECTION_MADE", steps.get("CONNECTION_AWAITING_RESPONSE"))
    print("check:tls", round(tls_done - steps["CONNECTION_SSL_STARTUP"], 1))
    print("check:auth", round(steps["CONNECTION_OK"] - tls_done, 1))
EOF
}

# bench_startup PREFIX RUNS [SCENARIO]: RUNS starts of each, taking turns, recorded under
# SCENARIO (default startup).
bench_startup() {
  local prefix=$1 runs=$2 scenario=${3:-startup} i ms seed_ms app=$BENCH_OUT/startup-app seedw=$BENCH_OUT/seed-startup
  startup_app "$app"
  seed_workdir "$seedw" "$app"
  for i in $(seq "$runs"); do
    seed_ms=$(startup_seed_once "$prefix" "$seedw" "$BENCH_OUT/logs/$scenario-seed-$i.log") ||
      { bench_log "the seed's entrypoint failed (see logs/$scenario-seed-$i.log)"; seed_down "$prefix"; return 1; }
    sample "$scenario" seed app_start "$seed_ms" ms
    ms=$(startup_sidecar_once "$prefix" "$app" "$BENCH_OUT/logs/$scenario-wgsidecar-$i.log" "$scenario") ||
      { bench_log "wgsidecar run failed (see logs/$scenario-wgsidecar-$i.log)"; return 1; }
    sample "$scenario" wgsidecar app_start "$ms" ms
    bench_log "$scenario $i/$runs: seed $seed_ms ms, wgsidecar $ms ms"
  done
}

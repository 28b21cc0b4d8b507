#!/bin/sh
# The app a hostile_app_test runs under `wgsidecar run`: it tries every channel to the
# tunnel's secrets and to the supervisor, and writes what each gave to OUT/results as
# "channel state: detail" (state: open, closed or unavailable). It never writes a secret it
# finds (at most a hash of it, for the test to compare), so the test can scan OUT too.
# Usage: hostile_app.sh OUT PROBE IFNAME HEALTH_PORT
out=$1 probe=$2 ifname=$3 port=$4
supervisor=$PPID
results=$out/results
: > "$results"

record() { printf '%s %s\n' "$1" "$2" >> "$results"; }
# try CHANNEL CMD...: open when CMD succeeds, closed with its first error line otherwise.
try() {
  channel=$1
  shift
  if error=$("$@" 2>&1 >/dev/null); then record "$channel" "open: $*"; else record "$channel" "closed: $(printf '%s' "$error" | head -n 1)"; fi
}
# hashed CHANNEL CMD...: like try, and keeps a hash of what CMD printed in OUT/CHANNEL.sha256.
hashed() {
  channel=$1
  shift
  if value=$("$@" 2>"$out/$channel.err"); then
    printf '%s' "$value" | sha256sum | cut -d' ' -f1 > "$out/$channel.sha256"
    record "$channel" "open: $*"
  else
    record "$channel" "closed: $(head -n 1 "$out/$channel.err")"
  fi
}

id -u > "$out/uid"
env | sed 's/=.*//' | sort > "$out/env-names"
printf '%s' "${DB_PASSWORD:-}" | sha256sum | cut -d' ' -f1 > "$out/db_password.sha256"
grep -E '^(Cap|NoNewPrivs)' /proc/self/status > "$out/status"
"$probe" fds > "$out/fds"

# The supervisor.
try proc_environ cat "/proc/$supervisor/environ"
hashed proc_cmdline cat "/proc/$supervisor/cmdline"
tr '\0' ' ' < "/proc/$supervisor/cmdline" > "$out/cmdline" 2>/dev/null
try proc_mem sh -c "exec 3< /proc/$supervisor/mem"
try proc_fd_links sh -c "readlink /proc/$supervisor/fd/*"
try proc_root ls "/proc/$supervisor/root/"
record pidfd_getfd "$("$probe" getfd "$supervisor")"
record ptrace "$("$probe" ptrace "$supervisor")"
try signal kill -0 "$supervisor"

# wireguard-go, the other holder of the key.
implementation=$(pgrep -f "wireguard-go -f $ifname\$" | head -n 1)
try wg_environ cat "/proc/$implementation/environ"
try wg_mem sh -c "exec 3< /proc/$implementation/mem"
record wg_ptrace "$("$probe" ptrace "$implementation")"

# The device's own interfaces.
record uapi "$("$probe" uapi "$ifname")"
hashed wg_show wg show "$ifname" private-key
record netlink "$("$probe" netlink "$ifname")"

# The tunnel itself.
try link_down ip link set "$ifname" down
try addr_flush ip addr flush dev "$ifname"
try route_del ip route del 10.50.0.0/24 dev "$ifname"
try link_del ip link del "$ifname"

# Files: what it can list where runtime state lives (the test scans their contents).
ls -la /var/run/wireguard > "$out/var-run-wireguard" 2>&1
try uapi_dir_write touch "/var/run/wireguard/hostile"

# The health endpoints: their bodies are scanned by the test.
for path in healthz readyz status metrics; do
  curl --noproxy '*' -sS -m 5 -o "$out/health-$path" "http://127.0.0.1:$port/$path" 2>/dev/null
done

# Answering on the health port itself, while the test asks /readyz.
touch "$out/hijack-start"
record hijack "$("$probe" hijack "$port" 4 | head -n 1)"
touch "$out/done"
exec sleep 1000

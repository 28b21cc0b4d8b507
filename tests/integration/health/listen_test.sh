#!/usr/bin/env bash
# SIDECAR_HEALTH_ADDR's forms as a Fly machine has them, and `run`'s exit when it cannot serve
# the address, in network and mount namespaces of this test's own: loopback carries the
# machine's private IPv4 address (where Fly's checks arrive) and a 6PN address, and a hosts
# file names it fly-local-6pn as Fly's does. Nothing leaves the namespace.
# Usage: listen_test.sh PATH/TO/health_driver PATH/TO/wgsidecar
set -euo pipefail
driver=$(readlink -f "${1:?usage: listen_test.sh PATH/TO/health_driver PATH/TO/wgsidecar}")
wgsidecar=$(readlink -f "${2:?usage: listen_test.sh PATH/TO/health_driver PATH/TO/wgsidecar}")
if [ "${WGS_LISTEN_TEST_INSIDE:-}" != 1 ]; then
  source "$(dirname "$0")/../../lib/skip.sh"
  needs_root "network and mount namespaces"
  exec env WGS_LISTEN_TEST_INSIDE=1 unshare --net --mount --propagation private bash "$0" "$@"
fi
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../../lib/assert.sh"
source "$here/lib.sh"

private4=172.19.0.2                   # the machine's private IPv4: Fly's proxy and checks
sixpn=fdaa:0:18:a7b:7d:f066:b83b:2    # its 6PN address: other machines of the organization
ip link set lo up
ip addr add "$private4/32" dev lo
ip addr add "$sixpn/128" dev lo nodad
printf '127.0.0.1\tlocalhost\n::1\tlocalhost\n%s\tfly-local-6pn\n' "$sixpn" >"$tmp/hosts"
mount --bind "$tmp/hosts" /etc/hosts
mkdir -p /run/wireguard && mount -t tmpfs tmpfs /run/wireguard  # UAPI sockets stay in here

stop_driver() { kill "$pid"; wait "$pid" 2>/dev/null || true; }
# code URL: the HTTP status, 000 when nothing answers.
code() { curl --noproxy '*' -g -s -m 3 -o /dev/null -w '%{http_code}' "$1" 2>/dev/null || true; }

echo "[::]:PORT: every IPv4 and IPv6 address (dual stack)"
start_driver wildcard --listen-host ::
expect_eq "IPv4 loopback" 200 "$(code "http://127.0.0.1:$port/healthz")"
expect_eq "IPv6 loopback" 200 "$(code "http://[::1]:$port/healthz")"
expect_eq "the private IPv4 address (Fly's checks)" 200 "$(code "http://$private4:$port/healthz")"
expect_eq "the 6PN address (other machines, Prometheus)" 200 "$(code "http://[$sixpn]:$port/healthz")"
expect_contains "the log says both" "[::]:$port (IPv4 and IPv6)" "$(cat "$tmp/wildcard.err")"
stop_driver

echo "fly-local-6pn:PORT: the 6PN address from /etc/hosts"
start_driver sixpn --listen-host fly-local-6pn
expect_eq "the 6PN address" 200 "$(code "http://[$sixpn]:$port/healthz")"
expect_eq "not IPv4 (so Fly's checks cannot reach it: use [::] for both)" 000 "$(code "http://$private4:$port/healthz")"
expect_contains "the log names the address" "fly-local-6pn:$port ($sixpn)" "$(cat "$tmp/sixpn.err")"
stop_driver

echo "0.0.0.0:PORT: IPv4 only"
start_driver v4 --listen-host 0.0.0.0
expect_eq "the private IPv4 address" 200 "$(code "http://$private4:$port/healthz")"
expect_eq "not the 6PN address" 000 "$(code "http://[$sixpn]:$port/healthz")"

echo "run: an address it cannot serve ends it before the tunnel, with a documented code"
export WG_PRIVATE_KEY=QHgup1SNdoXT2X1SH8OoKbIhQfayX/7+lGCDNcmyPHY= WG_PEER_PUBLIC_KEY=Q9T4p88puHFgI8P8vLGjECvoXr85o5uncZQ2G35vE14=
export WG_PEER_ENDPOINT=192.0.2.1:51820 WG_INTERFACE=dlisten0 DB_HOST=10.50.0.1 SIDECAR_STARTUP_TIMEOUT=30s
run() { expect_status "$1" "$2" env SIDECAR_HEALTH_ADDR="$3" "$wgsidecar" run -- sleep 30; }
run "malformed (no host): 78" 78 9090
expect_contains "... naming the variable" "SIDECAR_HEALTH_ADDR" "$out"
run "in use (the driver holds 0.0.0.0:$port): 71" 71 "127.0.0.1:$port"
expect_contains "... with the system's reason" "Address already in use" "$out"
expect_not_contains "... before any tunnel" "is up" "$out"
run "not an address of this machine: 71" 71 10.9.9.9:9090
expect_contains "... with the system's reason" "Cannot assign requested address" "$out"
run "a name /etc/hosts lacks: 71" 71 fly-global-services:9090
expect_contains "... naming the file" "fly-global-services is not in /etc/hosts" "$out"
expect_eq "no interface was made" "" "$(ip -o link show dlisten0 2>/dev/null)"
stop_driver

echo "run: [::] serves from the first moment, over IPv4 and 6PN"
SIDECAR_HEALTH_ADDR="[::]:19090" "$wgsidecar" run -- sleep 30 >"$tmp/run.out" 2>"$tmp/run.err" &
runner=$!
pids+=("$runner")
for _ in $(seq 100); do [ "$(code http://127.0.0.1:19090/healthz)" = 200 ] && break; sleep 0.1; done
expect_eq "/healthz over IPv4" 200 "$(code http://$private4:19090/healthz)"
expect_eq "/healthz over 6PN" 200 "$(code "http://[$sixpn]:19090/healthz")"
expect_eq "/readyz: starting (the hub is unreachable here)" 503 "$(code "http://[$sixpn]:19090/readyz")"
kill -TERM "$runner"
set +e
wait "$runner"
status=$?
set -e
expect_eq "SIGTERM while starting: 143" 143 "$status"
expect_contains "the log says where" "health endpoints on [::]:19090 (IPv4 and IPv6)" "$(cat "$tmp/run.err")"
finish

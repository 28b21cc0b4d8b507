#!/usr/bin/env bash
# sidecar/uapi against a real wireguard-go and `wg`, through uapi_driver, in network
# namespaces of its own: our process class starts wireguard-go, our client configures it,
# and `wg show` (which reads the same socket) must show exactly that; our get parser must
# agree with `wg show`; a second wireguard-go configured with `wg set` in a second namespace
# handshakes with ours over a veth (IPv6 underlay, bracketed endpoint) and pings; the
# child's environment and command line hold no key; deleting the TUN link ends the process
# and removes its socket. Usage: uapi_test.sh PATH/TO/uapi_driver. Needs root.
set -euo pipefail
driver=${1:?usage: uapi_test.sh PATH/TO/uapi_driver}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib/assert.sh"
[ "$(id -u)" = 0 ] || { echo "uapi_test: needs root (network namespaces)"; exit 77; }
command -v wireguard-go >/dev/null && command -v wg >/dev/null || { echo "uapi_test: needs wireguard-go and wg"; exit 77; }

# Interface names are global in /var/run/wireguard: unique per run.
id=$(( $$ % 10000 ))
ns_a=h6ia$id ns_b=h6ib$id
wg_a=h6wa$id wg_b=h6wb$id wg_c=h6wc$id
pids=()
cleanup() {
  for ns in "$ns_a" "$ns_b"; do ip netns del "$ns" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for dev in "$wg_a" "$wg_b" "$wg_c"; do rm -f "/var/run/wireguard/$dev.sock"; done
}
trap cleanup EXIT

in_a() { ip netns exec "$ns_a" "$@"; }
in_b() { ip netns exec "$ns_b" "$@"; }

# wait_until SECONDS COMMAND...: polls every 0.1 s; false when the deadline passes.
wait_until() {
  local deadline=$(( $(date +%s) + $1 ))
  shift
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 0.1
  done
}
gone() { ! kill -0 "$1" 2>/dev/null && [ ! -e "/var/run/wireguard/$2.sock" ]; }

# `wg show IF dump` in the driver's `get` columns: no private key, the preshared key as (set)/(none).
wg_dump_as_get() {
  "$@" | awk -F'\t' -v OFS='\t' 'NR == 1 { print $2, $3, $4; next } { $2 = ($2 == "(none)" ? "(none)" : "(set)"); print }'
}
# The same without the columns traffic changes (handshake time, rx, tx).
without_counters() { awk -F'\t' -v OFS='\t' 'NF > 4 { $5 = $6 = $7 = "-" } { print }'; }

key_a=$(wg genkey) key_b=$(wg genkey) psk=$(wg genpsk)
pub_a=$(wg pubkey <<<"$key_a") pub_b=$(wg pubkey <<<"$key_b") pub_c=$(wg genkey | wg pubkey)

ip netns add "$ns_a"
ip netns add "$ns_b"
ip -n "$ns_a" link set lo up
ip -n "$ns_b" link set lo up
ip -n "$ns_a" link add veth0 type veth peer name veth0 netns "$ns_b"
ip -n "$ns_a" addr add fd06:6::1/64 dev veth0 nodad
ip -n "$ns_b" addr add fd06:6::2/64 dev veth0 nodad
ip -n "$ns_a" link set veth0 up
ip -n "$ns_b" link set veth0 up

echo "== start: our process class, detached"
out=$(in_a env WG_PRIVATE_KEY="$key_a" "$driver" start "$wg_a" --detach)
pid_a=${out#pid }
pids+=("$pid_a")
expect_contains "wireguard-go started" "pid " "$out"
expect_eq "it outlives the driver" yes "$(kill -0 "$pid_a" 2>/dev/null && echo yes || echo no)"
expect_eq "its socket accepts" yes "$("$driver" accepts "$wg_a")"
expect_eq "its own session" "$pid_a" "$(ps -o sid= -p "$pid_a" | tr -d ' ')"
expect_eq "command line" "/usr/bin/wireguard-go -f $wg_a" "$(tr '\0' ' ' <"/proc/$pid_a/cmdline" | sed 's/ $//')"
environ=$(tr '\0' '\n' <"/proc/$pid_a/environ")
expect_eq "minimal environment" "PATH WG_PROCESS_FOREGROUND=1 LOG_LEVEL=error" \
  "$(sed 's/^PATH=.*/PATH/' <<<"$environ" | tr '\n' ' ' | sed 's/ $//')"
expect_not_contains "no private key in environ" "$key_a" "$environ"
expect_not_contains "no private key in cmdline" "$key_a" "$(tr '\0' ' ' <"/proc/$pid_a/cmdline")"
expect_status "a second start for the same interface is refused" 1 in_a "$driver" start "$wg_a" --detach
expect_contains "refused because the socket is served" "already serves" "$out"

echo "== set: our client, then wg show reads the same socket"
expect_status "set_device" 0 in_a env WG_PRIVATE_KEY="$key_a" WG_PRESHARED_KEY="$psk" "$driver" set "$wg_a" \
  --listen-port 51820 --fwmark 0x6 \
  --peer "$pub_b" --psk --endpoint "[fd06:6::2]:51821" --keepalive 25 --allowed-ips 10.206.1.2/32,fd06:1::2/128 \
  --peer "$pub_c" --allowed-ips 10.206.9.0/24
wg_dump=$(in_a wg show "$wg_a" dump)
expected=$(printf '%s\t%s\t%s\t%s\n' "$key_a" "$pub_a" 51820 0x6
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$pub_b" "$psk" "[fd06:6::2]:51821" "10.206.1.2/32,fd06:1::2/128" 0 0 0 25
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$pub_c" "(none)" "(none)" "10.206.9.0/24" 0 0 0 off)
# Peer order in a dump follows wireguard-go's map: compare sorted peers. Turning keepalive on
# sends at once, so tx may already count a handshake initiation: counters are compared apart.
expect_eq "wg show dump is exactly what we set" "$(without_counters <<<"$expected" | sort)" \
  "$(without_counters <<<"$wg_dump" | sort)"
expect_eq "no handshake yet" "0 0" "$(awk -F'\t' 'NF > 4 { printf "%s ", $5 }' <<<"$wg_dump" | sed 's/ $//')"
ours=$(in_a "$driver" get "$wg_a")
expect_eq "our get parser agrees with wg show" "$(wg_dump_as_get echo "$wg_dump" | sort)" "$(sort <<<"$ours")"
expect_not_contains "get output holds no private key" "$key_a" "$ours"

echo "== handshake with a wireguard-go configured by wg set"
out=$(in_b "$driver" start "$wg_b" --detach)
pid_b=${out#pid }
pids+=("$pid_b")
in_b wg set "$wg_b" private-key <(echo "$key_b") listen-port 51821 \
  peer "$pub_a" preshared-key <(echo "$psk") allowed-ips 10.206.1.1/32
ip -n "$ns_a" addr add 10.206.1.1/24 dev "$wg_a"
ip -n "$ns_b" addr add 10.206.1.2/24 dev "$wg_b"
ip -n "$ns_a" link set "$wg_a" up
ip -n "$ns_b" link set "$wg_b" up
if wait_until 15 in_a ping -c1 -W1 10.206.1.2; then pass "ping across the tunnel"; else fail "ping across the tunnel"; fi
if wait_until 5 in_b ping -c1 -W1 10.206.1.1; then pass "ping back"; else fail "ping back"; fi
ours=$(in_a "$driver" get "$wg_a")
wg_dump=$(in_a wg show "$wg_a" dump)
expect_eq "after traffic, our parser still agrees with wg show" \
  "$(wg_dump_as_get echo "$wg_dump" | without_counters | sort)" "$(without_counters <<<"$ours" | sort)"
handshake=$(awk -F'\t' -v k="$pub_b" '$1 == k { print $5 }' <<<"$ours")
rx=$(awk -F'\t' -v k="$pub_b" '$1 == k { print $6 }' <<<"$ours")
expect_eq "a handshake time was parsed" yes "$([ "${handshake:-0}" -gt 0 ] && echo yes || echo no)"
expect_eq "received bytes were parsed" yes "$([ "${rx:-0}" -gt 0 ] && echo yes || echo no)"
expect_eq "B learnt our endpoint (IPv6, bracketed)" "[fd06:6::1]:51820" \
  "$(in_b wg show "$wg_b" endpoints | awk '{ print $2 }')"

echo "== errors from the real implementation"
in_a "$driver" start "$wg_c" --detach >/dev/null
pid_c=$(pgrep -f "wireguard-go -f $wg_c$" || true)
[ -n "$pid_c" ] && pids+=("$pid_c")
ip -n "$ns_a" link set "$wg_c" up
expect_status "set with a port in use fails" 1 in_a "$driver" set "$wg_c" --listen-port 51820
expect_contains "with context and errno" "configuring $wg_c over /var/run/wireguard/$wg_c.sock: the implementation answered errno 98" "$out"
expect_status "an early death is reported with its output" 1 in_a "$driver" start h6toolongname0123456
expect_contains "the exit status" "exited with status 1" "$out"
expect_contains "wireguard-go's own words" "Failed to create TUN device" "$out"
expect_status "a missing implementation is reported" 1 in_a "$driver" start "h6x$id" --impl h6-no-such-wireguard
expect_contains "as not found on PATH" "h6-no-such-wireguard was not found on PATH" "$out"
expect_status "get from nothing" 1 "$driver" get "h6none$id"
expect_contains "names interface and socket" "reading h6none$id over /var/run/wireguard/h6none$id.sock: connect:" "$out"

echo "== attached lifecycle: start, read, stop"
out=$(in_b "$driver" lifecycle "$wg_c" 2>&1 || true)
expect_contains "refused while another namespace serves the same name" "already serves" "$out"
ip -n "$ns_a" link del "$wg_c"
wait_until 5 gone "${pid_c:-0}" "$wg_c" || true
out=$(in_b "$driver" lifecycle "$wg_c")
expect_contains "started and running" "running yes" "$out"
expect_contains "read over the socket" "get ok peers 0" "$out"
expect_contains "stopped by SIGTERM, reaped" "stop ok running no exited with status 0" "$out"
expect_contains "socket no longer accepts" "accepts after stop no" "$out"
expect_contains "socket file removed" "socket file after stop no" "$out"

echo "== deleting the TUN link ends wireguard-go"
ip -n "$ns_a" link del "$wg_a"
if wait_until 5 gone "$pid_a" "$wg_a"; then pass "link deleted: process exits, socket vanishes"; else
  fail "link deleted: process exits, socket vanishes" "$(ps -p "$pid_a" -o pid,stat,cmd || true); $(ls /var/run/wireguard/)"; fi
ip -n "$ns_b" link del "$wg_b"
if wait_until 5 gone "$pid_b" "$wg_b"; then pass "the same for the wg set one"; else fail "the same for the wg set one"; fi

finish

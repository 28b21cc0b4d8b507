#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Proves the lab before the fault tests rely on it: the seed's tunnel and a verify-full
# connection work from the edge, each fault helper has the effect it promises and is undone by
# its counterpart, and teardown leaves nothing behind.
# Usage: selftest.sh [--prefix P] [--ipv6]      (root; default prefix lst-)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../lib/assert.sh
source "$here/../lib/assert.sh"
# shellcheck source=../lib/skip.sh
source "$here/../lib/skip.sh"
needs_lab
# shellcheck source=lab.sh
source "$here/lab.sh"

prefix=lst-
up_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) prefix=$2; shift ;;
    --ipv6) up_args+=(--ipv6) ;;
    *) echo "usage: selftest.sh [--prefix P] [--ipv6]" >&2; exit 64 ;;
  esac
  shift
done
lab_use_prefix "$prefix"
if lab__exists; then
  echo "selftest: a lab with prefix $prefix exists; not touching it" >&2
  exit 1
fi
tmp=$(mktemp -d)
trap 'lab_down; rm -rf "$tmp"' EXIT

# expect_fail NAME COMMAND...: COMMAND must fail (output kept in $out).
expect_fail() {
  local name=$1
  shift
  set +e
  out=$("$@" 2>&1)
  local status=$?
  set -e
  if [ "$status" -ne 0 ]; then pass "$name"; else fail "$name" "succeeded: $(printf '%s' "$out" | head -c 300)"; fi
}
edge_ping() { lab_exec edge ping -c1 -W1 "$@" "$LAB_HUB_WG_ADDR"; }
db_works() { expect_eq "$1" 1 "$(lab_edge_psql 'select 1' 2>&1)"; }

started=$SECONDS
echo "up ${up_args[*]:-}"
lab_up --prefix "$prefix" "${up_args[@]+"${up_args[@]}"}"
expect_eq "state dir is private (root:postgres 710)" "710 root:postgres" "$(stat -c '%a %U:%G' "$LAB_STATE")"
expect_eq "private keys are 600" "600 600" "$(stat -c %a "$LAB_STATE/hub.key" "$LAB_STATE/edge.key" | paste -sd' ')"
edge_pub=$(cat "$LAB_STATE/edge.pub")
expect_eq "hub peer is the edge, allowed 10.50.3.10/32" "$edge_pub	10.50.3.10/32" "$(lab_exec hub wg show "$LAB_HUB_WG" allowed-ips)"
expect_eq "hub does not keep alive" "$edge_pub	off" "$(lab_exec hub wg show "$LAB_HUB_WG" persistent-keepalive)"
expect_eq "hub listens on 51820" 51820 "$(lab_exec hub wg show "$LAB_HUB_WG" listen-port)"
expect_eq "edge has no WireGuard yet (lo and eth0 only)" 2 "$(ip -n "$LAB_NS_EDGE" -o link | wc -l)"
expect_fail "edge has no route to 10.50.0.1 outside the tunnel" ip -n "$LAB_NS_EDGE" route get "$LAB_HUB_WG_ADDR"
env_out=$(lab_env)
for name in WG_PRIVATE_KEY WG_ADDRESS WG_PEER_PUBLIC_KEY WG_PEER_ENDPOINT DB_HOST DB_PORT DB_USER DB_PASSWORD DB_NAME PGSSLROOTCERT; do
  expect_contains "env exports $name" "export $name=" "$env_out"
done
expect_eq "env's DB_HOST is the hub's WireGuard address" 10.50.0.1 "$(eval "$env_out"; echo "$DB_HOST")"
expect_eq "env's endpoint is the hub's underlay address" "$(lab_endpoint)" "$(eval "$env_out"; echo "$WG_PEER_ENDPOINT")"
expect_contains "the edge resolves hub.lab.internal" "$LAB_HUB_ADDR" "$(lab_exec edge getent hosts hub.lab.internal)"

echo "reference edge (wg-quick's way)"
lab_edge_reference_up
expect_status "ping 10.50.0.1 crosses the tunnel" 0 lab_wait_tunnel 10
if [ "$LAB_IPV6" = 1 ]; then
  expect_contains "the underlay is IPv6" "[$(lab__underlay 0)]:" "$(lab_exec hub wg show "$LAB_HUB_WG" endpoints)"
  expect_eq "the edge has no IPv4 underlay" "" "$(ip -n "$LAB_NS_EDGE" -4 -o addr show dev eth0)"
fi
db_works "psql verify-full to DB_HOST=10.50.0.1 answers"
expect_eq "the session is TLS" t "$(lab_edge_psql 'select ssl from pg_stat_ssl where pid = pg_backend_pid()')"
expect_eq "PostgreSQL sees the hub (MASQUERADE)" "$LAB_HUB_VPC_ADDR" "$(lab_edge_psql 'select host(inet_client_addr())')"
expect_eq "passwords are scram" SCRAM "$(lab_psql_local -d postgres -Atc "select left(rolpassword, 5) from pg_authid where rolname = 'postgres'")"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$tmp/other.key" \
  -out "$tmp/other.crt" -days 1 -subj /CN=other >/dev/null 2>&1
expect_fail "verify-full rejects the server under another CA" lab_edge_psql 'select 1' sslrootcert="$tmp/other.crt"
expect_contains "... as a certificate verify failure" "certificate verify failed" "$out"
expect_fail "a wrong password is refused" env PGPASSWORD=wrong ip netns exec "$LAB_NS_EDGE" psql -X \
  "host=10.50.0.1 user=postgres dbname=contacts sslmode=require passfile=/dev/null connect_timeout=5" -c 'select 1'
expect_contains "... by scram authentication" "password authentication failed" "$out"

echo "fault: PostgreSQL stopped"
lab_pg_stop
expect_fail "psql fails while PostgreSQL is stopped" lab_edge_psql 'select 1'
expect_contains "... with connection refused" "Connection refused" "$out"
expect_status "the tunnel still works" 0 edge_ping
lab_pg_start
db_works "psql works after lab_pg_start"

echo "fault: DNAT removed"
lab_remove_dnat
expect_fail "psql fails without the DNAT rule" lab_edge_psql 'select 1'
expect_status "the tunnel still works" 0 edge_ping
lab_restore_dnat
db_works "psql works after lab_restore_dnat"

echo "fault: ssl=off"
lab_pg_ssl_off
expect_fail "verify-full fails when the server has no TLS" lab_edge_psql 'select 1'
expect_contains "... because the server does not support SSL" "server does not support SSL" "$out"
expect_eq "a plain connection works meanwhile" 1 "$(lab_edge_psql 'select 1' sslmode=disable 2>&1)"
lab_pg_ssl_on
db_works "verify-full works after lab_pg_ssl_on"
expect_fail "plain connections are refused again" lab_edge_psql 'select 1' sslmode=disable

echo "fault: something else listens behind 5432"
lab_fake_listener_start
expect_fail "psql fails against a non-PostgreSQL listener" lab_edge_psql 'select 1'
expect_contains "... which does not speak the protocol" "invalid response to SSL negotiation" "$out"
lab_fake_listener_stop
db_works "psql works after lab_fake_listener_stop"

echo "fault: UDP 51820 blocked"
lab_block_udp
expect_fail "ping fails while UDP is blocked" edge_ping
lab_unblock_udp
expect_status "ping works after lab_unblock_udp" 0 lab_wait_tunnel 10

echo "fault: hub WireGuard down"
lab_hub_wg_down
expect_fail "ping fails while the hub's WireGuard is down" edge_ping
expect_fail "the hub's UAPI socket is gone" test -e "$LAB_UAPI_DIR/$LAB_HUB_WG.sock"
lab_hub_wg_up
# The hub lost its sessions; restarting the edge starts a new handshake at once instead of
# after WireGuard's own 15 s timeout.
lab_edge_reference_down
lab_edge_reference_up
expect_status "ping works after lab_hub_wg_up" 0 lab_wait_tunnel 10
db_works "psql works after lab_hub_wg_up"

echo "fault: MTU black hole"
lab_set_underlay_mtu 1280
expect_status "small packets still pass" 0 edge_ping
expect_fail "a 1328-byte packet from the edge vanishes" edge_ping -M "do" -s 1300
expect_fail "the hub's fragments towards the edge are dropped" lab_exec hub ping -c1 -W1 -s 1300 "$LAB_EDGE_WG_ADDR"
lab_set_underlay_mtu 1500
expect_status "big packets pass after lab_set_underlay_mtu 1500" 0 edge_ping -M "do" -s 1300
expect_status "... in both directions" 0 lab_exec hub ping -c1 -W1 -s 1300 "$LAB_EDGE_WG_ADDR"

echo "fault: the hub moved"
old_addr=$LAB_HUB_ADDR
new_addr=$(lab_move_hub)
expect_contains "hub.lab.internal now names the new address" "$new_addr" "$(lab_exec edge getent hosts hub.lab.internal)"
expect_fail "the old address is dead" edge_ping
reresolve() { lab_exec edge wg set "$LAB_EDGE_REF_WG" peer "$(cat "$LAB_STATE/hub.pub")" endpoint "$(lab_endpoint --by-name)"; }
reresolve
expect_status "re-resolving hub.lab.internal reaches the hub again" 0 lab_wait_tunnel 10
expect_eq "lab_move_hub without an address moves it back" "$old_addr" "$(lab_move_hub)"
reresolve
expect_status "... where re-resolving finds it" 0 lab_wait_tunnel 10

echo "replica"
lab_replica_start
lab_set_dnat_target replica
expect_eq "DB_HOST reaches a read-only replica" t "$(lab_edge_psql 'select pg_is_in_recovery()')"
lab_set_dnat_target primary
expect_eq "and the primary again" f "$(lab_edge_psql 'select pg_is_in_recovery()')"
lab_replica_stop

echo "down"
ifname=$LAB_HUB_WG
lab_down
expect_fail "namespaces are gone" ip netns pids "$LAB_NS_HUB"
expect_fail "the state dir is gone" test -e "$LAB_STATE"
expect_fail "/etc/netns/${prefix}edge is gone" test -e "/etc/netns/${prefix}edge"
expect_fail "the UAPI socket is gone" test -e "$LAB_UAPI_DIR/$ifname.sock"
expect_status "a second lab_down succeeds" 0 lab_down
echo "selftest took $((SECONDS - started)) s"
finish

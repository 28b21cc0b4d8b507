#!/usr/bin/env bash
# `wgsidecar check` through the real tunnel to the lab's PostgreSQL (ssl=on, scram-sha-256),
# healthy and with each of the incident's suspects. Usage: check_test.sh PATH/TO/wgsidecar
set -euo pipefail
wgsidecar=$(readlink -f "${1:?usage: check_test.sh PATH/TO/wgsidecar}")
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib/assert.sh"
source "$here/../lib/skip.sh"
needs_lab
source "$here/../lab/lab.sh"
prefix=chk-
lab_use_prefix "$prefix"
trap 'lab_down >/dev/null 2>&1 || true' EXIT
lab_up --prefix "$prefix" >/dev/null
eval "$(lab_env)"
export PGSSLMODE=verify-full SIDECAR_CHECK_TIMEOUT=3s
edge=$(lab_ns edge)
echo "nameserver 127.0.0.1" > "/etc/netns/$edge/resolv.conf"
at_edge() { ip netns exec "$edge" "$@"; }
stage() { jq -r --arg n "$1" --arg t "${2:-primary}" '.stages[] | select(.name == $n and .target == $t) | .status' <<< "$report"; }
hint() { jq -r --arg n "$1" '.stages[] | select(.name == $n and .target == "primary") | .hint' <<< "$report"; }
check() { set +e; report=$(ip netns exec "$edge" "$@" "$wgsidecar" check --json 2>/dev/null); status=$?; set -e; }

at_edge "$wgsidecar" up --wait 10s >/dev/null 2>&1

echo "healthy path"
check env
expect_eq "exit 0" 0 "$status"
for s in handshake ping tcp tls auth mtu; do expect_eq "$s ok" ok "$(stage $s)"; done
expect_not_contains "no password in the report" "$DB_PASSWORD" "$report"
expect_not_contains "no private key in the report" "$WG_PRIVATE_KEY" "$report"

echo "wrong password"
check env DB_PASSWORD=wrong-password
expect_eq "exit 69" 69 "$status"
expect_eq "tls ok" ok "$(stage tls)"
expect_eq "auth fails" fail "$(stage auth)"
expect_contains "the hint names the password" "DB_PASSWORD" "$(hint auth)"
expect_not_contains "the wrong password is not echoed" "wrong-password" "$report"

echo "database does not exist"
check env DB_NAME=nosuchdb
expect_eq "auth fails" fail "$(stage auth)"
expect_contains "the hint names DB_NAME" "DB_NAME" "$(hint auth)"

echo "PostgreSQL stopped"
lab_pg_stop >/dev/null
check env
expect_eq "ping still ok" ok "$(stage ping)"
expect_eq "tcp fails" fail "$(stage tcp)"
expect_eq "tls skipped" skip "$(stage tls)"
expect_contains "the hint says refused: Postgres down or DNAT missing" "DNAT" "$(hint tcp)"
lab_pg_start >/dev/null

echo "the hub's DNAT rule removed"
lab_remove_dnat >/dev/null
check env
expect_eq "ping ok" ok "$(stage ping)"
expect_eq "tcp fails" fail "$(stage tcp)"
lab_restore_dnat >/dev/null

echo "not a Postgres server on 5432"
lab_fake_listener_start >/dev/null
check env
expect_eq "tcp ok" ok "$(stage tcp)"
expect_eq "tls fails" fail "$(stage tls)"
expect_contains "the hint says it is not PostgreSQL" "PostgreSQL" "$(hint tls)"
lab_fake_listener_stop >/dev/null

echo "server with ssl=off while sslmode requires TLS"
lab_pg_ssl_off >/dev/null
check env
expect_eq "tls fails" fail "$(stage tls)"
expect_contains "the hint names sslmode" "sslmode" "$(hint tls)"
lab_pg_ssl_on >/dev/null

echo "a replica that is down while the primary is up"
check env DATABASE_READ_REPLICA_URL="postgresql://postgres@10.50.0.2:5432/contacts"
expect_eq "primary auth ok" ok "$(stage auth primary)"
expect_eq "the replica fails" true "$(jq '[.stages[] | select(.target == "replica" and .status == "fail")] | length > 0' <<< "$report")"
expect_eq "exit 69" 69 "$status"

echo "the hub's WireGuard down"
lab_hub_wg_down >/dev/null
check env
expect_eq "ping fails" fail "$(stage ping)"
lab_hub_wg_up >/dev/null
at_edge "$wgsidecar" down >/dev/null 2>&1

echo "check at once after up, before any handshake (no keepalive: nothing sent yet)"
at_edge env WG_PERSISTENT_KEEPALIVE=0 "$wgsidecar" up >/dev/null 2>&1
expect_eq "no handshake yet" 0 "$(at_edge wg show "$WG_INTERFACE" latest-handshakes | awk '{print $2}')"
check env WG_PERSISTENT_KEEPALIVE=0
expect_eq "exit 0: the checks' own packets made the handshake" 0 "$status"
for s in handshake ping auth; do expect_eq "$s ok" ok "$(stage $s)"; done
at_edge "$wgsidecar" down >/dev/null 2>&1
finish

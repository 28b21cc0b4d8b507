#!/usr/bin/env bash
# `wgsidecar check` through the real tunnel to the lab's PostgreSQL (ssl=on, scram-sha-256),
# healthy and with each of the incident's suspects. Usage: check_test.sh PATH/TO/wgsidecar
set -euo pipefail
wgsidecar=$(readlink -f "${1:?usage: check_test.sh PATH/TO/wgsidecar [PATH/TO/contacts-api]}")
contacts_api=$(readlink -f "${2:-$(dirname "$wgsidecar")/../app-shim/contacts-api}" 2>/dev/null || true)
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
hint() { jq -r --arg n "$1" --arg t "${2:-primary}" '.stages[] | select(.name == $n and .target == $t) | .hint' <<< "$report"; }
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

# The app's database named without DB_*: DB_* removed from the environment.
no_db=(-u DB_HOST -u DB_PORT -u DB_USER -u DB_PASSWORD -u DB_NAME)

echo "seed 004's Prisma URL through the tunnel (its settings for the app are ignored, and named)"
prisma="postgresql://postgres:$DB_PASSWORD@$LAB_HUB_WG_ADDR:5432/contacts?schema=public&connection_limit=100&pool_timeout=30"
set +e
report=$(at_edge env "${no_db[@]}" DATABASE_URL="$prisma" "$wgsidecar" check --json 2>"$LAB_STATE/check.log")
status=$?
set -e
expect_eq "exit 0" 0 "$status"
expect_eq "auth ok" ok "$(stage auth)"
expect_contains "the log names what the checks ignore" "the checks ignore schema (Prisma), connection_limit (Prisma), pool_timeout (Prisma)" "$(cat "$LAB_STATE/check.log")"
expect_not_contains "no password in the log" "$DB_PASSWORD" "$(cat "$LAB_STATE/check.log")"

echo "libpq's own variables: PGHOST, PGUSER, PGPASSWORD, PGDATABASE, PGPORT"
check env "${no_db[@]}" PGHOST="$LAB_HUB_WG_ADDR" PGPORT=5432 PGUSER=postgres PGPASSWORD="$DB_PASSWORD" PGDATABASE=contacts
expect_eq "exit 0" 0 "$status"
for s in handshake ping tcp tls auth; do expect_eq "$s ok" ok "$(stage $s)"; done
expect_eq "one database" 1 "$(jq .databases <<< "$report")"
check env "${no_db[@]}" PGHOST="$LAB_HUB_WG_ADDR" PGUSER=postgres PGPASSWORD=wrong-password PGDATABASE=contacts
expect_eq "a wrong PGPASSWORD fails auth" fail "$(stage auth)"
expect_contains "the hint names PGPASSWORD" "PGPASSWORD" "$(hint auth)"
(umask 077 && printf '%s:5432:contacts:postgres:%s\n' "$LAB_HUB_WG_ADDR" "$DB_PASSWORD" > "$LAB_STATE/edge-pgpass")
check env "${no_db[@]}" PGHOST="$LAB_HUB_WG_ADDR" PGUSER=postgres PGDATABASE=contacts PGPASSFILE="$LAB_STATE/edge-pgpass"
expect_eq "the password from PGPASSFILE: auth ok" ok "$(stage auth)"

echo "no database configured: the tunnel is checked, and the summary says no database was"
set +e
text=$(at_edge env "${no_db[@]}" SIDECAR_PING_HOST="$LAB_HUB_WG_ADDR" "$wgsidecar" check 2>&1)
status=$?
set -e
check env "${no_db[@]}" SIDECAR_PING_HOST="$LAB_HUB_WG_ADDR"
expect_eq "no databases" 0 "$(jq .databases <<< "$report")"
expect_eq "handshake ok" ok "$(jq -r '.stages[] | select(.name == "handshake") | .status' <<< "$report")"
expect_eq "ping ok" ok "$(jq -r '.stages[] | select(.name == "ping") | .status' <<< "$report")"
expect_eq "tcp skipped" skip "$(jq -r '.stages[] | select(.name == "tcp") | .status' <<< "$report")"
expect_not_contains "never 'all checks passed'" "all checks passed" "$text"
expect_contains "says plainly that no database was checked" "no database is configured, so none was checked" "$text"
set +e
run_log=$(at_edge env "${no_db[@]}" SIDECAR_KEEP_TUNNEL=1 "$wgsidecar" run -- true 2>&1)
status=$?
set -e
expect_eq "run without a database starts the app once the tunnel is up" 0 "$status"
expect_contains "run says so plainly" "no database is configured" "$run_log"

echo "several hosts: libpq's rules (the first that works is the one libpq uses)"
check env "${no_db[@]}" SIDECAR_CHECK_TIMEOUT=1s \
  DATABASE_URL="postgresql://postgres:$DB_PASSWORD@$LAB_HUB_WG_ADDR:5433,$LAB_HUB_WG_ADDR:5432/contacts"
expect_eq "exit 0: one host works" 0 "$status"
expect_eq "the dead host fails" fail "$(stage tcp 'primary[1]')"
expect_eq "the live host passes" ok "$(stage auth 'primary[2]')"
check env "${no_db[@]}" DATABASE_URL="postgresql://postgres:$DB_PASSWORD@$LAB_HUB_WG_ADDR/contacts?target_session_attrs=standby"
expect_eq "target_session_attrs=standby on a primary fails auth" fail "$(stage auth)"
expect_contains "the hint names target_session_attrs" "target_session_attrs=standby" "$(hint auth)"

echo "RDS verify-full through the hub: a certificate that names only the RDS endpoint"
lab_pg_cert rds >/dev/null
rds=(PGSSLMODE=verify-full PGSSLROOTCERT="$LAB_RDS_CA")
check env "${rds[@]}" DB_HOST="$LAB_RDS_NAME" DB_HOSTADDR="$LAB_HUB_WG_ADDR"
expect_eq "DB_HOST=<RDS name> DB_HOSTADDR=<hub>: exit 0" 0 "$status"
for s in ping tcp tls auth; do expect_eq "$s ok" ok "$(stage $s)"; done
check env "${no_db[@]}" "${rds[@]}" \
  DATABASE_URL="postgresql://postgres:$DB_PASSWORD@$LAB_RDS_NAME:5432/contacts?hostaddr=$LAB_HUB_WG_ADDR"
expect_eq "the same as one DATABASE_URL with hostaddr: auth ok" ok "$(stage auth)"
check env "${no_db[@]}" "${rds[@]}" PGHOST="$LAB_RDS_NAME" PGHOSTADDR="$LAB_HUB_WG_ADDR" PGUSER=postgres \
  PGPASSWORD="$DB_PASSWORD" PGDATABASE=contacts
expect_eq "the same with PGHOST and PGHOSTADDR: auth ok" ok "$(stage auth)"
check env "${rds[@]}" DB_HOST=10.50.0.1
expect_eq "dialling the IP: verify-full fails at tls" fail "$(stage tls)"
expect_contains "the hint names the certificate's name" "$LAB_RDS_NAME" "$(hint tls)"
expect_contains "the hint names the hostaddr recipe" "DB_HOSTADDR=$LAB_HUB_WG_ADDR" "$(hint tls)"
expect_contains "the hint points at the README's recipe" "RDS verify-full through the hub" "$(hint tls)"
# The other recipe: a hosts entry for the RDS name (ip netns exec mounts it over /etc/hosts).
printf '%s\t%s\n' "$LAB_HUB_WG_ADDR" "$LAB_RDS_NAME" >> "/etc/netns/$edge/hosts"
check env "${rds[@]}" DB_HOST="$LAB_RDS_NAME"
expect_eq "a hosts entry for the RDS name instead of hostaddr: auth ok" ok "$(stage auth)"
lab__hosts_write
# The app, with the same URL: libpq (psql, contacts-api) dials hostaddr and verifies the name.
url="postgresql://postgres:$DB_PASSWORD@$LAB_RDS_NAME:5432/contacts?hostaddr=$LAB_HUB_WG_ADDR&sslmode=verify-full&sslrootcert=$LAB_RDS_CA"
expect_eq "psql with the same URL" 1 "$(at_edge env -i psql -X -At "$url" -c 'select 1' 2>&1)"
if [ -x "$contacts_api" ]; then
  expect_status "contacts-api with the same DATABASE_URL seeds through the tunnel" 0 \
    at_edge env -i DATABASE_URL="$url" "$contacts_api" seed 3
  expect_status "contacts-api with DB_HOST=<RDS name> and DB_HOSTADDR" 0 at_edge env -i DB_HOST="$LAB_RDS_NAME" \
    DB_HOSTADDR="$LAB_HUB_WG_ADDR" DB_PASSWORD="$DB_PASSWORD" "${rds[@]}" "$contacts_api" seed 3
else
  echo "  (contacts-api not built: its part skipped)"
fi
lab_pg_cert lab >/dev/null
check env
expect_eq "back on the lab certificate: auth ok" ok "$(stage auth)"

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

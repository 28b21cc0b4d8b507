#!/usr/bin/env bash
# sidecar/checks through checks_driver against a real PostgreSQL 15 (TLS, scram-sha-256) in a
# network namespace of our own, no tunnel: each fault the incident could not tell apart must
# fail the right stage with the right hint. Then the ICMP side: ping, and the path-MTU probe
# across a router whose next link is smaller and whose "fragmentation needed" is dropped.
# Usage: checks_pg_test.sh PATH/TO/checks_driver. Needs root.
set -euo pipefail
driver=${1:?usage: checks_pg_test.sh PATH/TO/checks_driver}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib/assert.sh"
[ "$(id -u)" = 0 ] || { echo "checks_pg_test: needs root (network namespaces)"; exit 77; }
pg_bin=/usr/lib/postgresql/15/bin
[ -x "$pg_bin/postgres" ] || { echo "checks_pg_test: needs postgresql-15"; exit 77; }

ns=h7pg$$ ns_a=h7a$$ ns_r=h7r$$ ns_b=h7b$$
db_ip=198.18.70.1 dead_ip=198.18.70.2
tmp=$(mktemp -d /tmp/h7checks.XXXXXX)
chmod 755 "$tmp"
listener=
cleanup() {
  [ -n "$listener" ] && kill "$listener" 2>/dev/null || true
  [ -f "$tmp/data/postmaster.pid" ] && ip netns exec "$ns" runuser -u postgres -- "$pg_bin/pg_ctl" -D "$tmp/data" -m immediate stop >/dev/null 2>&1 || true
  for n in "$ns" "$ns_a" "$ns_r" "$ns_b"; do ip netns del "$n" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

# --- the database's namespace: one address that answers, one that nftables blackholes ---
ip netns add "$ns"
ip -n "$ns" link set lo up
ip -n "$ns" addr add "$db_ip/32" dev lo
ip -n "$ns" addr add "$dead_ip/32" dev lo
ip netns exec "$ns" nft -f - <<NFT
table inet h7drop {
  chain input { type filter hook input priority 0; ip daddr $dead_ip drop; }
}
NFT

# --- certificates: the server's (IP SAN), its CA, and an unrelated CA ---
make_ca() { openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj "/CN=$1" \
  -keyout "$tmp/$1.key" -out "$tmp/$1.crt" 2>/dev/null; }
make_ca h7-ca
make_ca h7-other-ca
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=$db_ip" \
  -keyout "$tmp/server.key" -out "$tmp/server.csr" 2>/dev/null
printf 'subjectAltName=IP:%s\n' "$db_ip" > "$tmp/san.ext"
openssl x509 -req -in "$tmp/server.csr" -CA "$tmp/h7-ca.crt" -CAkey "$tmp/h7-ca.key" -CAcreateserial \
  -days 2 -extfile "$tmp/san.ext" -out "$tmp/server.crt" 2>/dev/null
chown postgres "$tmp/server.key" "$tmp/server.crt"
chmod 600 "$tmp/server.key"

# --- PostgreSQL 15: TLS on, scram-sha-256 for TCP, peer-less trust on its private socket ---
mkdir "$tmp/data" "$tmp/sock" "$tmp/log" && chown postgres "$tmp/data" "$tmp/sock" "$tmp/log"
runuser -u postgres -- "$pg_bin/initdb" -D "$tmp/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
  -E UTF8 --locale=C -N >"$tmp/initdb.log" 2>&1
cat >> "$tmp/data/postgresql.conf" <<CONF
listen_addresses = '$db_ip'
unix_socket_directories = '$tmp/sock'
ssl_cert_file = '$tmp/server.crt'
ssl_key_file = '$tmp/server.key'
password_encryption = 'scram-sha-256'
include_if_exists = 'h7_runtime.conf'
CONF
echo "ssl = on" > "$tmp/data/h7_runtime.conf"
chown postgres "$tmp/data/h7_runtime.conf"
printf 'local all all trust\nhost all all 0.0.0.0/0 scram-sha-256\n' > "$tmp/data/pg_hba.conf"
pg() { ip netns exec "$ns" runuser -u postgres -- "$pg_bin/pg_ctl" -D "$tmp/data" -l "$tmp/log/pg.log" -w -t 20 "$@" >/dev/null; }
psql_local() { ip netns exec "$ns" runuser -u postgres -- /usr/lib/postgresql/15/bin/psql -h "$tmp/sock" -U postgres -qAt "$@"; }
pg start
password=$(openssl rand -hex 16)
# The password reaches psql on stdin, never argv.
printf "CREATE ROLE app LOGIN PASSWORD '%s';\nCREATE DATABASE contacts OWNER app;\n" "$password" | psql_local -d postgres
set_ssl() {
  echo "ssl = $1" > "$tmp/data/h7_runtime.conf"
  psql_local -d postgres -c 'SELECT pg_reload_conf()' >/dev/null
  for _ in $(seq 1 50); do
    [ "$(psql_local -d postgres -c 'SHOW ssl')" = "$1" ] && return 0
    sleep 0.1
  done
  echo "ssl did not become $1" >&2
}

# The environment wgsidecar would have (a WireGuard section is required by config::load;
# nothing here brings a tunnel up).
base_env=(WG_PRIVATE_KEY="$(wg genkey)" WG_PEER_PUBLIC_KEY="$(wg genkey | wg pubkey)" WG_PEER_ENDPOINT=127.0.0.1:51820
          WG_ALLOWED_IPS=198.18.70.0/24 "DB_HOST=$db_ip" DB_USER=app DB_NAME=contacts "DB_PASSWORD=$password"
          PGSSLMODE=verify-full "PGSSLROOTCERT=$tmp/h7-ca.crt" SIDECAR_CHECK_TIMEOUT=2s)
# check [VAR=value ...] -- [driver flags]: JSON in $out, status in $status.
check() {
  local vars=()
  while [ "$1" != -- ]; do vars+=("$1"); shift; done
  shift
  set +e
  out=$(ip netns exec "$ns" env -i PATH="$PATH" "${base_env[@]}" "${vars[@]}" "$driver" --json "$@" 2>&1)
  status=$?
  set -e
}
field() { jq -r --arg s "$1" "$2" <<< "$out" 2>/dev/null | head -1; }
stage() { jq -r --arg s "$1" ".stages[] | select(.name == \$s) | .$2" <<< "$out" 2>/dev/null | head -1; }
expect_stage() {  # NAME STAGE STATUS
  expect_eq "$1: $2 $3" "$3" "$(stage "$2" status)"
}
no_secret() { expect_not_contains "$1: the password never shows" "$password" "$out"; }

echo "healthy server, sslmode=verify-full with the right CA"
check -- --stages ping,tcp,tls,auth
expect_eq "healthy: exit 0" 0 "$status"
expect_eq "healthy: ok" true "$(field x .ok)"
for s in ping tcp tls auth; do expect_stage healthy "$s" ok; done
expect_stage healthy handshake skip
expect_stage healthy mtu skip
expect_eq "healthy: every stage listed" "handshake ping tcp tls auth mtu" "$(jq -r '[.stages[].name] | join(" ")' <<< "$out")"
expect_eq "healthy: the URL is redacted" "postgresql://app:(hidden)@$db_ip:5432/contacts?sslmode=verify-full&sslrootcert=$tmp/h7-ca.crt" "$(field x '.targets[0].url')"
no_secret healthy
set +e
text=$(ip netns exec "$ns" env -i PATH="$PATH" "${base_env[@]}" "$driver" --stages tcp,tls,auth 2>&1)
set -e
expect_contains "healthy, text: a line per stage" "✓ auth" "$text"
expect_contains "healthy, text: TLS version shown" "TLSv1.3" "$text"
expect_not_contains "healthy, text: the password never shows" "$password" "$text"

echo "the TLS handshake takes one round trip (no HelloRetryRequest)"
# PostgreSQL 15 keys TLS 1.3 with ssl_ecdh_curve alone (prime256v1): a client whose first key
# share is X25519 is sent a HelloRetryRequest, one more round trip before every login. A relay
# keeps what the server sends; a HelloRetryRequest is a ServerHello with this fixed random.
hello_retry=cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c
ip netns exec "$ns" python3 -c '
import socket, sys, threading
def pump(src, dst, keep=None):
    while data := src.recv(65536):
        dst.sendall(data)
        if keep: keep.write(data); keep.flush()
    dst.shutdown(socket.SHUT_WR)
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], 5434)); s.listen(8)
keep = open(sys.argv[2], "ab")
while True:
    c, _ = s.accept(); u = socket.create_connection((sys.argv[1], 5432))
    threading.Thread(target=pump, args=(c, u), daemon=True).start()
    threading.Thread(target=pump, args=(u, c, keep), daemon=True).start()
' "$db_ip" "$tmp/from-server" &
listener=$!
for _ in $(seq 1 50); do ip netns exec "$ns" ss -ltn | grep -q ":5434 " && break; sleep 0.1; done
check DB_PORT=5434 -- --stages tcp,tls,auth
expect_stage "through the relay" auth ok
from_server=$(od -An -v -tx1 "$tmp/from-server" | tr -d ' \n')
expect_contains "through the relay: the server's TLS records were kept" 160303 "$from_server"
expect_not_contains "the server sent no HelloRetryRequest" "$hello_retry" "$from_server"
kill "$listener"; wait "$listener" 2>/dev/null || true; listener=

echo "verify-full against another CA"
check PGSSLROOTCERT="$tmp/h7-other-ca.crt" -- --stages tcp,tls,auth
expect_eq "wrong CA: exit 69" 69 "$status"
expect_stage "wrong CA" tcp ok
expect_stage "wrong CA" tls fail
expect_stage "wrong CA" auth skip
expect_contains "wrong CA: certificate hint" "sslrootcert" "$(stage tls hint)"

echo "wrong password"
wrong="not-$password-x"
check DB_PASSWORD="$wrong" -- --stages tcp,tls,auth
expect_eq "wrong password: exit 69" 69 "$status"
expect_stage "wrong password" tls ok
expect_stage "wrong password" auth fail
expect_contains "wrong password: SCRAM hint" "SCRAM" "$(stage auth hint)"
expect_contains "wrong password: libpq's reason" "password authentication failed" "$(stage auth error)"
expect_not_contains "wrong password: the wrong password never shows" "$wrong" "$out"

echo "missing database"
check DB_NAME=h7_nope -- --stages tcp,tls,auth
expect_stage "missing database" tls ok
expect_stage "missing database" auth fail
expect_contains "missing database: DB_NAME hint" "DB_NAME" "$(stage auth hint)"
no_secret "missing database"

echo "DATABASE_URL primary and a replica, checked together"
set +e
out=$(ip netns exec "$ns" env -i PATH="$PATH" "${base_env[@]:0:4}" \
  DATABASE_URL="postgresql://app:$password@$db_ip:5432/contacts?sslmode=require" \
  DATABASE_READ_REPLICA_URL="postgresql://app:$password@$db_ip:5432/h7_nope?sslmode=require" \
  "$driver" --json --stages tcp,tls,auth 2>&1)
set -e
expect_eq "two targets" "primary replica" "$(jq -r '[.targets[].name] | join(" ")' <<< "$out")"
expect_eq "primary auth ok" ok "$(jq -r '.stages[] | select(.target=="primary" and .name=="auth") | .status' <<< "$out")"
expect_eq "replica auth fails" fail "$(jq -r '.stages[] | select(.target=="replica" and .name=="auth") | .status' <<< "$out")"
no_secret "two targets"

echo "something that is not PostgreSQL on the port"
ip netns exec "$ns" python3 -c '
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("'"$db_ip"'", 5433)); s.listen(8)
while True:
    c, _ = s.accept(); c.recv(64)
    c.sendall(b"HTTP/1.0 400 Bad Request\r\nContent-Length: 0\r\n\r\n"); c.close()
' &
listener=$!
for _ in $(seq 1 50); do ip netns exec "$ns" ss -ltn | grep -q ":5433 " && break; sleep 0.1; done
check DB_PORT=5433 -- --stages tcp,tls,auth
expect_stage "HTTP on the port (sslmode=verify-full)" tls fail
expect_contains "HTTP on the port: not-PostgreSQL hint" "not PostgreSQL" "$(stage tls hint)"
check DB_PORT=5433 PGSSLMODE=disable PGSSLROOTCERT= -- --stages tcp,tls,auth
expect_stage "HTTP on the port (sslmode=disable)" auth fail
expect_contains "HTTP on the port, plain: not-PostgreSQL hint" "not PostgreSQL" "$(stage auth hint)"
kill "$listener"; wait "$listener" 2>/dev/null || true; listener=

echo "SYNs dropped (security group / DNAT to a dead address)"
check DB_HOST=$dead_ip SIDECAR_CHECK_TIMEOUT=1s -- --stages ping,tcp,tls,auth
expect_eq "dropped: exit 69" 69 "$status"
expect_stage dropped tcp fail
expect_contains "dropped: timeout error" "no answer to the TCP connect" "$(stage tcp error)"
expect_contains "dropped: security-group hint" "security group" "$(stage tcp hint)"
expect_stage dropped tls skip
expect_stage dropped ping fail
expect_contains "dropped: ping timed out" "no echo reply" "$(stage ping error)"
check SIDECAR_PING_HOST=$db_ip DB_HOST=$dead_ip SIDECAR_CHECK_TIMEOUT=1s -- --stages ping
expect_stage "SIDECAR_PING_HOST overrides DB_HOST" ping ok

echo "TLS stalls after TCP works (large packets from the server dropped, as in an MTU black hole)"
ip netns exec "$ns" nft add table inet h7stall
ip netns exec "$ns" nft add chain inet h7stall output '{ type filter hook output priority 0; }'
ip netns exec "$ns" nft add rule inet h7stall output tcp sport 5432 ip length '>' 300 drop
check SIDECAR_CHECK_TIMEOUT=1s -- --stages tcp,tls,auth
expect_stage "stall" tcp ok
expect_stage "stall" tls fail
expect_contains "stall: TLS timeout" "TLS handshake did not finish" "$(stage tls error)"
expect_contains "stall: MTU hint" "MTU black hole" "$(stage tls hint)"
ip netns exec "$ns" nft delete table inet h7stall

echo "one process checking again and again (as run does): what it keeps follows the files and the role"
# libpq keeps its TLS context (the parsed CA file) and the SCRAM key between logins; a rotated
# CA file, a new salt or a changed password must each be seen at the very next check.
cp "$tmp/h7-ca.crt" "$tmp/rotating-ca.crt"
coproc again { ip netns exec "$ns" env -i PATH="$PATH" "${base_env[@]}" PGSSLROOTCERT="$tmp/rotating-ca.crt" \
  "$driver" --json --stages tcp,tls,auth --again-on-input 2>&1; }
# shellcheck disable=SC2154  # coproc sets again_PID
again_pid=$again_PID
read_report() { out=; read -r -t 30 out <&"${again[0]}" || true; }
check_again() { echo >&"${again[1]}"; read_report; }
set_password() { printf "ALTER ROLE app PASSWORD '%s';\n" "$1" | psql_local -d postgres; }
read_report
expect_stage "first check" auth ok
check_again
expect_stage "again, nothing changed" auth ok
cp "$tmp/h7-other-ca.crt" "$tmp/rotating-ca.crt"
check_again
expect_stage "the CA file rewritten in place with another CA" tls fail
cp "$tmp/h7-ca.crt" "$tmp/rotating-ca.crt"
check_again
expect_stage "the CA file rewritten back" auth ok
cp "$tmp/h7-other-ca.crt" "$tmp/next-ca.crt" && mv "$tmp/next-ca.crt" "$tmp/rotating-ca.crt"
check_again
expect_stage "another CA file renamed into place" tls fail
cp "$tmp/h7-ca.crt" "$tmp/next-ca.crt" && mv "$tmp/next-ca.crt" "$tmp/rotating-ca.crt"
check_again
expect_stage "the right CA renamed back" auth ok
set_password "$password"
check_again
expect_stage "the same password set again (a new salt)" auth ok
set_password "changed-$password"
check_again
expect_stage "the role's password changed" auth fail
expect_contains "the role's password changed: libpq's reason" "password authentication failed" "$(stage auth error)"
set_password "$password"
check_again
expect_stage "the password set back" auth ok
no_secret "checking again"
eval "exec ${again[1]}>&-"
wait "$again_pid" 2>/dev/null || true

echo "a wrong password for the same role, in a process that has logged in with the right one"
set +e
out=$(echo | ip netns exec "$ns" env -i PATH="$PATH" "${base_env[@]:0:4}" \
  DATABASE_URL="postgresql://app:$password@$db_ip:5432/contacts?sslmode=require" \
  DATABASE_READ_REPLICA_URL="postgresql://app:$wrong@$db_ip:5432/contacts?sslmode=require" \
  "$driver" --json --stages tcp,tls,auth --again-on-input 2>&1 | tail -n 1)
set -e
expect_eq "right password: auth ok" ok "$(jq -r '.stages[] | select(.target=="primary" and .name=="auth") | .status' <<< "$out")"
expect_eq "wrong password, same role and salt: auth fails" fail \
  "$(jq -r '.stages[] | select(.target=="replica" and .name=="auth") | .status' <<< "$out")"
expect_not_contains "wrong password, same role: it never shows" "$wrong" "$out"

echo "server without TLS"
set_ssl off
check PGSSLMODE=require PGSSLROOTCERT= -- --stages tcp,tls,auth
expect_stage "ssl=off, sslmode=require" tls fail
expect_contains "ssl=off: the 'N' hint" "'N'" "$(stage tls hint)"
check PGSSLMODE=prefer PGSSLROOTCERT= -- --stages tcp,tls,auth
expect_eq "ssl=off, sslmode=prefer: passes" 0 "$status"
expect_stage "ssl=off, sslmode=prefer" tls skip
expect_stage "ssl=off, sslmode=prefer" auth ok
set_ssl on

echo "PostgreSQL stopped"
pg stop -m fast
check -- --stages tcp,tls,auth
expect_stage "stopped" tcp fail
expect_contains "stopped: refused" "refused" "$(stage tcp error)"
expect_contains "stopped: Postgres-down-or-DNAT hint" "DNAT" "$(stage tcp hint)"
expect_stage "stopped" auth skip

echo "the handshake input"
check -- --stages handshake,tcp --handshake-age never
expect_stage "no handshake" handshake fail
expect_stage "no handshake: tcp not tried" tcp skip
expect_contains "no handshake: UDP 51820 hint" "51820" "$(stage handshake hint)"
check -- --stages handshake --handshake-age 600
expect_stage "stale handshake" handshake fail
check -- --stages handshake --handshake-age 5
expect_stage "fresh handshake" handshake ok

# --- path MTU: a --- r --- b, the r-b link at 1400 bytes, r's "fragmentation needed"
# (and IPv6 "packet too big") dropped: a black hole for anything larger. ---
echo "path-MTU probe through a black hole"
for n in "$ns_a" "$ns_r" "$ns_b"; do ip netns add "$n"; ip -n "$n" link set lo up; done
ip link add h7a0 netns "$ns_a" type veth peer name h7ra netns "$ns_r"
ip link add h7rb netns "$ns_r" type veth peer name h7b0 netns "$ns_b"
ip netns exec "$ns_r" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
for n in "$ns_a" "$ns_r" "$ns_b"; do ip netns exec "$n" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0; done
ip -n "$ns_a" addr add 198.18.71.1/24 dev h7a0; ip -n "$ns_a" addr add fd71::1/64 dev h7a0 nodad
ip -n "$ns_r" addr add 198.18.71.254/24 dev h7ra; ip -n "$ns_r" addr add fd71::fe/64 dev h7ra nodad
ip -n "$ns_r" addr add 198.18.72.254/24 dev h7rb; ip -n "$ns_r" addr add fd72::fe/64 dev h7rb nodad
ip -n "$ns_b" addr add 198.18.72.1/24 dev h7b0; ip -n "$ns_b" addr add fd72::1/64 dev h7b0 nodad
ip -n "$ns_r" link set h7rb mtu 1400
ip -n "$ns_b" link set h7b0 mtu 1400
for pair in "$ns_a h7a0" "$ns_r h7ra" "$ns_r h7rb" "$ns_b h7b0"; do set -- $pair; ip -n "$1" link set "$2" up; done
ip -n "$ns_a" route add 198.18.72.0/24 via 198.18.71.254
ip -n "$ns_a" -6 route add fd72::/64 via fd71::fe
ip -n "$ns_b" route add 198.18.71.0/24 via 198.18.72.254
ip -n "$ns_b" -6 route add fd71::/64 via fd72::fe
ip netns exec "$ns_r" nft -f - <<'NFT'
table inet h7hole {
  chain output {
    type filter hook output priority 0;
    icmp type destination-unreachable icmp code frag-needed drop
    icmpv6 type packet-too-big drop
  }
  chain forward { type filter hook forward priority 0; ip frag-off & 0x1fff != 0 drop; }
}
NFT
mtu_env=(WG_PRIVATE_KEY="$(wg genkey)" WG_PEER_PUBLIC_KEY="$(wg genkey | wg pubkey)" WG_PEER_ENDPOINT=127.0.0.1:51820
         "WG_ALLOWED_IPS=198.18.72.0/24,fd72::/64" DB_HOST=198.18.72.1 DB_PASSWORD=unused SIDECAR_CHECK_TIMEOUT=5s)
probe() {  # HOST INTERFACE_MTU [driver flags]
  local host=$1 mtu=$2
  shift 2
  set +e
  out=$(ip netns exec "$ns_a" env -i PATH="$PATH" "${mtu_env[@]}" SIDECAR_PING_HOST="$host" "$driver" --json \
        --stages ping,mtu --interface-mtu "$mtu" "$@" 2>&1)
  status=$?
  set -e
}
probe 198.18.72.1 1500
expect_stage "IPv4 black hole" ping ok
expect_stage "IPv4 black hole" mtu fail
expect_eq "IPv4: the largest size that crosses" 1400 "$(field x '.targets[0].path_mtu')"
expect_contains "IPv4: WG_MTU hint" "WG_MTU=1400" "$(stage mtu hint)"
probe 198.18.72.1 1400
expect_stage "IPv4 at the path MTU" mtu ok
expect_eq "IPv4 at the path MTU: exit 0" 0 "$status"
probe fd72::1 1500
expect_stage "IPv6 black hole" mtu fail
expect_eq "IPv6: the largest size that crosses" 1400 "$(field x '.targets[0].path_mtu')"
ip netns exec "$ns_a" sysctl -qw net.ipv4.ping_group_range="0 0"
probe 198.18.72.1 1500 --icmp datagram
expect_eq "unprivileged ping socket finds the same size" 1400 "$(field x '.targets[0].path_mtu')"
probe 198.18.73.1 1500
expect_stage "unroutable ping host" ping fail
expect_stage "unroutable: mtu skipped" mtu skip

finish

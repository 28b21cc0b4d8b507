#!/usr/bin/env bash
# jq programs are single-quoted on purpose.
# shellcheck disable=SC2016
# End to end: contacts-api against a PostgreSQL 15 of its own on 127.0.0.1 (TLS with a
# self-signed certificate, scram-sha-256), every endpoint and error path, database loss
# and recovery, the seed command, the read replica split and a graceful SIGTERM.
#
#   bash app-shim/tests/api_test.sh path/to/contacts-api
#
# Needs root (PostgreSQL runs as the postgres user), curl, jq, nc, openssl, ss. Traffic
# stays on loopback. Exits non-zero on any failure; always cleans up.
set -uo pipefail

app=$(realpath "${1:?usage: api_test.sh path/to/contacts-api}")
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../../tests/lib/assert.sh
source "$here/../../tests/lib/assert.sh"
# shellcheck source=../../tests/lib/skip.sh
source "$here/../../tests/lib/skip.sh"
needs_root "runs PostgreSQL as the postgres user"; needs_commands curl jq nc openssl
[ -x /usr/lib/postgresql/15/bin/postgres ] || skip "needs postgresql-15 (scripts/setup.sh lab installs it)"

PG_BIN=/usr/lib/postgresql/15/bin
work=$(mktemp -d /tmp/contacts-api-test.XXXXXX)
chmod 755 "$work"
data=$work/pg/data
sock=$work/pg/sock
app_pid=""
app_runs=0
lock_pid=""
inflight=""
pg_port=""
app_port=""
pw=""
db_vars=()
reader_pw=""
app_pw=""

# ------------------------------------------------------------------------------------------
# Plumbing

die() { printf 'FATAL: %s\n' "$*" >&2; exit 1; }

cleanup() {
  local status=$?
  [ -n "$app_pid" ] && kill -KILL "$app_pid" 2>/dev/null
  [ -n "$lock_pid" ] && kill -KILL "$lock_pid" 2>/dev/null
  [ -n "$inflight" ] && kill -KILL "$inflight" 2>/dev/null
  exec 7>&- 2>/dev/null
  if [ -f "$data/postmaster.pid" ]; then as_postgres pg_ctl -D "$data" -w -t 20 -s stop -m immediate >/dev/null 2>&1; fi
  if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ]; then
    for log in "$work"/app.*.log "$work/pg/server.log"; do
      [ -f "$log" ] && { printf -- '--- %s (last 25 lines)\n' "$log"; tail -n 25 "$log"; }
    done
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

as_postgres() {
  (cd / && exec setpriv --reuid=postgres --regid=postgres --init-groups \
    env -i PATH="$PG_BIN:/usr/bin:/bin" LC_ALL=C.UTF-8 "$@")
}

psql_su() { as_postgres psql -X -q -At -v ON_ERROR_STOP=1 -h "$sock" -p "$pg_port" -U postgres "$@"; }
pg_start() { as_postgres pg_ctl -D "$data" -l "$work/pg/server.log" -w -t 30 -s start; }
pg_stop() { as_postgres pg_ctl -D "$data" -w -t 30 -s stop -m fast; }

free_port() {
  local port
  for _ in $(seq 100); do
    port=$((20000 + RANDOM % 40000))
    if ! ss -Htan "( sport = :$port or dport = :$port )" | grep -q .; then echo "$port"; return 0; fi
  done
  return 1
}

# wait_for SECONDS WHAT COMMAND...: polls COMMAND until it succeeds; a failure when the
# deadline passes.
wait_for() {
  local deadline=$((SECONDS + $1)) what=$2
  shift 2
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then fail "waiting for $what"; return 1; fi
    sleep 0.2
  done
}

# call METHOD PATH [BODY-FILE]: sets $code and $body; every body is also kept for the
# secret check at the end.
call() {
  local args=(-sS --max-time 20 -o "$work/body" -w '%{http_code}' -X "$1")
  [ $# -ge 3 ] && args+=(-H 'Content-Type: application/json' --data-binary "@$3")
  code=$(curl "${args[@]}" "http://127.0.0.1:$app_port$2" 2>"$work/curl.err") || code="curl-failed:$(cat "$work/curl.err")"
  body=$(cat "$work/body" 2>/dev/null)
  printf '%s\n' "$body" >> "$work/responses.log"
}

# post_json METHOD PATH JSON: call with JSON text as the body.
send_json() {
  printf '%s' "$3" > "$work/request.json"
  call "$1" "$2" "$work/request.json"
}

field() { jq -r "$1" <<<"$body" 2>/dev/null; }

# start_app VAR=VALUE...: contacts-api with only these variables (and the test's port).
start_app() {
  app_runs=$((app_runs + 1))
  env -i PATH=/usr/bin:/bin PORT="$app_port" LISTEN_ADDR=127.0.0.1 FLY_REGION=tst "$@" \
    "$app" >"$work/app.$app_runs.log" 2>&1 &
  app_pid=$!
  wait_for 10 "contacts-api to listen" curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$app_port/"
}

app_exited() {
  local state
  state=$(awk '{print $3}' "/proc/$app_pid/stat" 2>/dev/null) || return 0
  [ "$state" = Z ]
}

# stop_app: SIGTERM, then the exit status in $app_status.
stop_app() {
  kill -TERM "$app_pid"
  if ! wait_for 10 "contacts-api to exit after SIGTERM" app_exited; then kill -KILL "$app_pid"; fi
  wait "$app_pid"
  app_status=$?
  app_pid=""
}

# hold_lock DB: a psql session keeps an ACCESS EXCLUSIVE lock on DB's contacts table until
# release_lock, so that a request to the app stays in flight as long as the test wants.
hold_lock() {
  rm -f "$work/lock.fifo" "$work/lock.out"
  mkfifo "$work/lock.fifo"
  psql_su -d "$1" < "$work/lock.fifo" > "$work/lock.out" 2>&1 &
  lock_pid=$!
  exec 7>"$work/lock.fifo"
  printf "BEGIN;\nLOCK TABLE contacts IN ACCESS EXCLUSIVE MODE;\nSELECT 'locked';\n" >&7
  wait_for 10 "the table lock" grep -q locked "$work/lock.out"
}

release_lock() {
  printf 'COMMIT;\n' >&7
  exec 7>&-
  wait "$lock_pid"
  lock_pid=""
}

# request_in_flight DB: starts GET /contacts?limit=2 in the background (pid in $inflight)
# and returns once the app's query waits on the lock in DB; the answer lands in
# inflight.code/json.
request_in_flight() {
  rm -f "$work/inflight.code" "$work/inflight.json"
  curl -s --max-time 30 -o "$work/inflight.json" -w '%{http_code}' "http://127.0.0.1:$app_port/contacts?limit=2" \
    > "$work/inflight.code" &
  inflight=$!
  waiting_on_lock() {
    [ "$(psql_su -d "$1" -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'contacts-api' AND wait_event_type = 'Lock'")" -ge 1 ]
  }
  wait_for 10 "the request to wait on the lock" waiting_on_lock "$1"
}

# use_db [DB]: db_vars holds the DB_* settings for DB (default contacts) as the superuser.
use_db() {
  db_vars=(DB_HOST=127.0.0.1 "DB_PORT=$pg_port" DB_USER=postgres "DB_PASSWORD=$pw" "DB_NAME=${1:-contacts}")
}

healthy() { call GET /health && [ "$code" = 200 ]; }
unhealthy() { call GET /health && [ "$code" = 503 ]; }

# ------------------------------------------------------------------------------------------
# PostgreSQL: initdb as postgres, TLS with a self-signed certificate, scram only over TLS.

setup_postgres() {
  pg_port=$(free_port) || die "no free port for PostgreSQL"
  install -d -o postgres -g postgres -m 700 "$work/pg" "$sock"
  as_postgres initdb -D "$data" -U postgres --auth-local=peer --auth-host=scram-sha-256 \
    -E UTF8 --locale=C.UTF-8 -N >"$work/initdb.log" 2>&1 || die "initdb failed: $(tail -5 "$work/initdb.log")"
  (umask 077 && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
    -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
    -keyout "$data/server.key" -out "$data/server.crt") >/dev/null 2>&1 || die "openssl failed"
  chown postgres:postgres "$data/server.key" "$data/server.crt"
  cp "$data/server.crt" "$work/root.crt"
  (umask 077 && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
    -subj /CN=other -keyout "$work/other.key" -out "$work/other.crt") >/dev/null 2>&1 || die "openssl failed"
  cat >> "$data/postgresql.conf" <<EOF
port = $pg_port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$sock'
ssl = on
ssl_cert_file = 'server.crt'
ssl_key_file = 'server.key'
password_encryption = 'scram-sha-256'
shared_buffers = 16MB
max_connections = 40
fsync = off
synchronous_commit = off
EOF
  printf 'local all postgres peer\nhostssl all all 127.0.0.1/32 scram-sha-256\n' > "$data/pg_hba.conf"
  pg_start || die "PostgreSQL did not start: $(tail -5 "$work/pg/server.log")"
  pw=$(openssl rand -hex 16)
  reader_pw=$(openssl rand -hex 16)
  app_pw=$(openssl rand -hex 16)
  # Passwords reach the server on psql's stdin, never on a command line.
  psql_su -d postgres -f - <<EOF || die "creating roles and databases failed"
ALTER ROLE postgres PASSWORD '$pw';
CREATE ROLE reader LOGIN PASSWORD '$reader_pw';
CREATE DATABASE contacts;
CREATE DATABASE contacts_late;
CREATE DATABASE contacts_replica;
CREATE ROLE app LOGIN PASSWORD '$app_pw';
CREATE DATABASE contacts_app;
EOF
  psql_su -d contacts_app -c "GRANT USAGE, CREATE ON SCHEMA public TO app" || die "granting to app failed"
}

# ------------------------------------------------------------------------------------------
# The tests

test_cli() {
  echo "== command line"
  local out
  out=$("$app" version 2>&1)
  expect_eq "version exits 0" 0 $?
  expect_contains "version prints the name" "contacts-api" "$out"
  out=$(env -i PORT=http "$app" 2>&1)
  expect_eq "bad PORT exits 78" 78 $?
  expect_contains "bad PORT is named" "PORT must be a port number" "$out"
  out=$(env -i "$app" seed 0 2>&1)
  expect_eq "seed 0 is a usage error" 64 $?
  out=$(env -i "$app" bogus 2>&1)
  expect_eq "unknown command is a usage error" 64 $?
}

test_info() {
  echo "== service info, health, TLS"
  call GET /
  expect_eq "GET / is 200" 200 "$code"
  expect_eq "GET / names the service" contacts-api "$(field .service)"
  expect_eq "GET / lists the endpoints" 9 "$(field '.endpoints | length')"
  wait_for 20 "healthy" healthy
  expect_eq "health status" healthy "$(field .status)"
  expect_eq "health database" connected "$(field .database)"
  expect_eq "health region from FLY_REGION" tst "$(field .region)"
  expect_eq "health db_host" 127.0.0.1 "$(field .db_host)"
  expect_eq "the app's connections use TLS" t "$(psql_su -d contacts -c \
    "SELECT bool_and(s.ssl) FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE a.application_name = 'contacts-api'")"
  expect_eq "schema: contacts table created" 1 "$(psql_su -d contacts -c "SELECT count(*) FROM pg_tables WHERE tablename = 'contacts'")"
  expect_eq "schema: trigram search index created" 1 "$(psql_su -d contacts -c \
    "SELECT count(*) FROM pg_indexes WHERE indexname = 'contacts_search_trgm_idx'")"
  call GET /stats
  expect_eq "stats on an empty table" "200 0 0 null tst 127.0.0.1" \
    "$code $(field '"\(.total_contacts) \(.unique_companies) \(.latest_contact) \(.served_by) \(.db_host)"')"
  local out
  out=$(curl -s --max-time 10 "http://127.0.0.1:$app_port/health" "http://127.0.0.1:$app_port/" \
    -w '%{http_code}:%{num_connects} ' -o /dev/null -o /dev/null)
  expect_eq "two requests on one kept-alive connection" "200:1 200:0 " "$out"
}

test_crud() {
  echo "== create, read, update, delete"
  send_json POST /contacts '{"name":"Amanda Araujo","email":"Amanda.Araujo@corporativo.com","company":"Microservices Ltd","notes":"Awaiting commercial proposal"}'
  expect_eq "POST is 201" 201 "$code"
  local id created
  id=$(field .id)
  created=$(field .created_at)
  expect_eq "POST returns the fields" "Amanda Araujo|Amanda.Araujo@corporativo.com|Microservices Ltd|Awaiting commercial proposal" \
    "$(field '"\(.name)|\(.email)|\(.company)|\(.notes)"')"
  expect_eq "null phone is omitted" false "$(field 'has("phone")')"
  expect_eq "created_at is RFC 3339 UTC" true \
    "$(field '.created_at | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?Z$")')"
  local location
  location=$(curl -s --max-time 10 -o /dev/null -w '%header{location}' -H 'Content-Type: application/json' \
    --data-binary '{"name":"Loc Test","email":"loc@x.io"}' "http://127.0.0.1:$app_port/contacts")
  expect_contains "POST sets Location" "/contacts/" "$location"
  call GET "/contacts/$id"
  expect_eq "GET by id" "200 Amanda Araujo $created" "$code $(field '"\(.name) \(.created_at)"')"
  send_json PUT "/contacts/$id" '{"name":"Amanda A. Araujo","email":"amanda@corp.example","phone":"+55 11 93049-2680"}'
  expect_eq "PUT is 200" 200 "$code"
  expect_eq "PUT replaces the fields" "Amanda A. Araujo|amanda@corp.example|+55 11 93049-2680|false" \
    "$(field '"\(.name)|\(.email)|\(.phone)|\(has("company"))"')"
  expect_eq "PUT moves updated_at, keeps created_at" "true $created" \
    "$(field '"\(.updated_at >= .created_at) \(.created_at)"')"
  send_json PUT /contacts/999999 '{"name":"Nobody","email":"no@body.io"}'
  expect_eq "PUT unknown id is 404" 404 "$code"
  printf '%s' '{"name":"Expect Continue","email":"ec@x.io"}' > "$work/request.json"
  code=$(curl -s --max-time 10 -o /dev/null -w '%{http_code}' -H 'Expect: 100-continue' \
    -H 'Content-Type: application/json' --data-binary "@$work/request.json" "http://127.0.0.1:$app_port/contacts")
  expect_eq "POST with Expect: 100-continue" 201 "$code"
  call DELETE "/contacts/$id"
  expect_eq "DELETE is 200" "200 true" "$code $(field .deleted)"
  call GET "/contacts/$id"
  expect_eq "GET after DELETE is 404" 404 "$code"
  call DELETE "/contacts/$id"
  expect_eq "DELETE again is 404" 404 "$code"
}

test_errors() {
  echo "== bad input"
  local cases=(
    'POST|/contacts|{"name":"x",|400|body is not valid JSON'
    'POST|/contacts|[1,2]|400|body must be a JSON object'
    'POST|/contacts|{"email":"a@b.io"}|400|name is required'
    'POST|/contacts|{"name":"A"}|400|email is required'
    'POST|/contacts|{"name":"A","email":"not-an-email"}|400|email must look like name@domain'
    'POST|/contacts|{"name":7,"email":"a@b.io"}|400|name must be a string or null'
    'POST|/contacts|{"name":"A","email":"a@b.io","phone":5}|400|phone must be a string or null'
    'PUT|/contacts/1|{"name":"A"}|400|email is required'
    'GET|/contacts/abc||400|id must be a positive integer'
    'GET|/contacts/0||400|id must be a positive integer'
    'GET|/contacts/-3||400|id must be a positive integer'
    'GET|/contacts/99999999999||400|id must be a positive integer'
    'PUT|/contacts/x1|{"name":"A","email":"a@b.io"}|400|id must be a positive integer'
    'DELETE|/contacts/1.5||400|id must be a positive integer'
    'GET|/contacts/999999||404|contact 999999 not found'
    'GET|/nope||404|not found'
    'GET|/contacts/1/more||404|not found'
    'DELETE|/contacts||405|method not allowed'
    'POST|/health||405|method not allowed'
    'PATCH|/contacts/1||405|method not allowed'
  )
  local entry method path json want message
  for entry in "${cases[@]}"; do
    IFS='|' read -r method path json want message <<<"$entry"
    if [ -n "$json" ]; then send_json "$method" "$path" "$json"; else call "$method" "$path"; fi
    expect_eq "$method $path ${json:0:30} → $want" "$want $message" "$code $(field .error)"
  done
  local allow
  allow=$(curl -s --max-time 10 -o /dev/null -w '%header{allow}' -X DELETE "http://127.0.0.1:$app_port/contacts")
  expect_eq "405 names the allowed methods" "GET, POST" "$allow"

  head -c 100000 /dev/zero | tr '\0' 'a' > "$work/big.json"
  call POST /contacts "$work/big.json"
  expect_eq "a 100 kB body is 413" 413 "$code"
  expect_contains "413 says why" "larger than 65536 bytes" "$(field .error)"
  printf '{"name":"A","email":"a@b.io","notes":"%s"}' "$(head -c 60000 /dev/zero | tr '\0' 'n')" > "$work/long.json"
  call POST /contacts "$work/long.json"
  expect_eq "a 60 kB body within the limit is read (notes too long: 400)" "400 notes is longer than 4000 bytes" \
    "$code $(field .error)"
  code=$(curl -s --max-time 10 -o /dev/null -w '%{http_code}' -H "X-Big: $(head -c 10000 /dev/zero | tr '\0' 'h')" \
    "http://127.0.0.1:$app_port/")
  expect_eq "a 10 kB header is 431" 431 "$code"
  local raw
  raw=$(printf 'GET / HTTP/1.1\r\nHost: x\r\nContent-Length: zz\r\n\r\n' | nc -q 3 -w 5 127.0.0.1 "$app_port" | head -1)
  expect_contains "malformed HTTP is 400" "400 Bad Request" "$raw"
}

test_seed_and_paging() {
  echo "== seed command and pagination"
  psql_su -d contacts -c "TRUNCATE contacts" || die "truncate failed"
  local out
  use_db
  out=$(env -i "${db_vars[@]}" "$app" seed 2>&1)
  expect_eq "seed exits 0" 0 $?
  expect_contains "seed says how many" "Seeding 500 contacts" "$out"
  call GET /stats
  expect_eq "stats after seeding" "200 500 tst" "$code $(field '"\(.total_contacts) \(.served_by)"')"
  expect_eq "unique_companies is within the seed's list" true "$(field '.unique_companies >= 1 and .unique_companies <= 5')"
  expect_eq "latest_contact is a timestamp" true "$(field '.latest_contact | test("Z$")')"
  expect_eq "seeded emails follow First.Last@email.com" 0 "$(psql_su -d contacts -c \
    "SELECT count(*) FROM contacts WHERE email <> replace(name, ' ', '.') || '@email.com'")"

  call GET /contacts
  expect_eq "default page" "200 50 500 50 0 tst" \
    "$code $(field '"\(.contacts | length) \(.total) \(.limit) \(.offset) \(.served_by)"')"
  call "GET" "/contacts?limit=1"
  expect_eq "limit=1" "200 1" "$code $(field '.contacts | length')"
  call GET "/contacts?limit=100"
  expect_eq "limit=100 (the maximum)" "200 100" "$code $(field '.contacts | length')"
  expect_eq "pages are ordered by name" true "$(field '[.contacts[].name] as $n | $n == ($n | sort)')"
  local target
  for target in "limit=0" "limit=101" "limit=-1" "limit=ten" "offset=-1" "offset=1e3" "limit=%zz"; do
    call GET "/contacts?$target"
    expect_eq "$target is 400" 400 "$code"
  done
  call GET "/contacts?limit=100&offset=450"
  expect_eq "last partial page" "200 50 450" "$code $(field '"\(.contacts | length) \(.offset)"')"
  call GET "/contacts?offset=500"
  expect_eq "offset at the end" "200 0 500" "$code $(field '"\(.contacts | length) \(.total)"')"
  call GET "/contacts?offset=2000000000"
  expect_eq "offset far past the end" "200 0" "$code $(field '.contacts | length')"
  local ids="" offset
  for offset in 0 100 200 300 400; do
    call GET "/contacts?limit=100&offset=$offset"
    ids+=$(field '.contacts[].id')$'\n'
  done
  expect_eq "five pages cover 500 distinct contacts" "500 500" "$(grep -c . <<<"$ids") $(sort -u <<<"$ids" | grep -c .)"
}

test_search() {
  echo "== search"
  local row
  for row in '{"name":"Percent 100% Guy","email":"pct@x.io"}' '{"name":"Plain 100 Guy","email":"plain@x.io"}' \
    '{"name":"Under_Score","email":"us@x.io"}' '{"name":"UnderXScore","email":"ux@x.io"}' \
    '{"name":"O'"'"'Brien Quote","email":"ob@x.io"}' '{"name":"Zoë Ünicode","email":"zu@x.io","company":"Café Ltd"}' \
    '{"name":"Space Name Here","email":"sp@x.io"}' '{"name":"Back\\Slash","email":"bs@x.io"}'; do
    send_json POST /contacts "$row"
    [ "$code" = 201 ] || fail "creating search fixture $row" "$code $body"
  done
  local cases=(
    '100%25|Percent 100% Guy'
    '%25|Percent 100% Guy'
    '_|Under_Score'
    'under_|Under_Score'
    "o'brien|O'Brien Quote"
    'O%27BRIEN|O'"'"'Brien Quote'
    'Zo%C3%AB|Zoë Ünicode'
    'caf%C3%A9|Zoë Ünicode'
    '%C3%9Cnicode|Zoë Ünicode'
    'space%20name|Space Name Here'
    '%5C|Back\Slash'
    '%22|'
    'no-such-thing|'
  )
  local entry query want
  for entry in "${cases[@]}"; do
    IFS='|' read -r query want <<<"$entry"
    call GET "/contacts/search/$query"
    expect_eq "search $query" "200 $want" "$code $(field '[.contacts[].name] | join(",")')"
  done
  call GET /contacts/search/SILVA
  expect_eq "search is case-insensitive over name, email, company" true \
    "$(field '.count > 0 and .count <= 50 and all(.contacts[]; ([.name, .email, .company // ""] | join(" ") | ascii_downcase | contains("silva")))')"
  expect_eq "search echoes the decoded query" SILVA "$(field .query)"
  call GET "/contacts/search/a?limit=5&offset=5"
  expect_eq "search pages" "200 5 5" "$code $(field '"\(.count) \(.offset)"')"
  call GET /contacts/search/
  expect_eq "empty search is 400" 400 "$code"
  call GET /contacts/search/%C3
  expect_eq "search with broken UTF-8 is 400" 400 "$code"
}

test_concurrent_writes() {
  echo "== concurrent writers"
  call GET /stats
  local before pids=() i
  before=$(field .total_contacts)
  for i in $(seq 1 20); do
    curl -s --max-time 30 -o "$work/par.$i.json" -w '%{http_code}' -H 'Content-Type: application/json' \
      --data-binary "{\"name\":\"Parallel $i\",\"email\":\"p$i@x.io\"}" \
      "http://127.0.0.1:$app_port/contacts" > "$work/par.$i.code" &
    pids+=($!)
  done
  wait "${pids[@]}"
  expect_eq "20 parallel POSTs all 201" 20 "$(cat "$work"/par.*.code | grep -o 201 | wc -l | tr -d ' ')"
  expect_eq "20 distinct ids" 20 "$(jq -r .id "$work"/par.*.json | sort -u | wc -l | tr -d ' ')"
  call GET /stats
  expect_eq "total grew by 20" $((before + 20)) "$(field .total_contacts)"
}

test_database_loss() {
  echo "== database stopped and restarted"
  call GET /stats
  local total
  total=$(field .total_contacts)
  pg_stop || die "stopping PostgreSQL failed"
  call GET /health
  expect_eq "health is 503 unhealthy" "503 unhealthy" "$code $(field .status)"
  expect_not_contains "health gives the reason" connected "$(field .database)"
  call GET /contacts
  expect_eq "list is 503 with a JSON error" "503 database unavailable" "$code $(field .error)"
  send_json POST /contacts '{"name":"Lost","email":"lost@x.io"}'
  expect_eq "create is 503" 503 "$code"
  call GET /
  expect_eq "the app keeps serving" 200 "$code"
  pg_start || die "restarting PostgreSQL failed"
  wait_for 20 "health to recover" healthy && pass "health recovers without a restart"
  call GET /stats
  expect_eq "data is back" "200 $total" "$code $(field .total_contacts)"
  send_json POST /contacts '{"name":"After Restart","email":"ar@x.io"}'
  expect_eq "writes work again" 201 "$code"
}

# A request blocked on a table lock is in flight when SIGTERM arrives: the listener must
# close at once, the request must still be answered, and the exit status must be 0.
test_graceful_shutdown() {
  echo "== SIGTERM with a request in flight"
  hold_lock contacts
  request_in_flight contacts
  kill -TERM "$app_pid"
  refused() { curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$app_port/"; [ $? -eq 7 ]; }
  wait_for 2 "the listener to close" refused && pass "new connections are refused after SIGTERM"
  release_lock
  wait "$inflight"
  inflight=""
  expect_eq "the in-flight request is answered" "200 2" \
    "$(cat "$work/inflight.code") $(jq -r '.contacts | length' "$work/inflight.json" 2>/dev/null)"
  wait_for 10 "contacts-api to exit" app_exited
  wait "$app_pid"
  expect_eq "exit status after SIGTERM" 0 $?
  app_pid=""
}

test_late_database() {
  echo "== database unreachable at start"
  pg_stop || die "stopping PostgreSQL failed"
  use_db contacts_late
  start_app "${db_vars[@]}"
  call GET /
  expect_eq "serves without a database" 200 "$code"
  call GET /health
  expect_eq "health is unhealthy" "503 unhealthy" "$code $(field .status)"
  pg_start || die "restarting PostgreSQL failed"
  wait_for 20 "health once the database is up" healthy && pass "health turns healthy"
  call GET /stats
  expect_eq "the schema was created late" "200 0" "$code $(field .total_contacts)"
  stop_app
  expect_eq "exit status" 0 "$app_status"
}

test_replica() {
  echo "== read replica"
  psql_su -d contacts_replica -f - <<EOF || die "preparing the replica database failed"
CREATE TABLE contacts (id SERIAL PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL, phone TEXT,
  company TEXT, notes TEXT, created_at TIMESTAMPTZ NOT NULL DEFAULT now(), updated_at TIMESTAMPTZ NOT NULL DEFAULT now());
INSERT INTO contacts (name, email) VALUES ('Replica Only Row', 'replica@x.io');
GRANT SELECT ON contacts TO reader;
EOF
  # The "replica" is another database that only a read-only role can see: a read that
  # reached the primary, or a write that reached the replica, shows.
  start_app "DATABASE_URL=postgresql://postgres:$pw@127.0.0.1:$pg_port/contacts" \
    "DATABASE_READ_REPLICA_URL=postgresql://reader:$reader_pw@127.0.0.1:$pg_port/contacts_replica"
  wait_for 20 "healthy" healthy
  expect_eq "health checks both" "connected connected 127.0.0.1" "$(field '"\(.database) \(.replica) \(.db_host)"')"
  call GET /contacts
  expect_eq "list comes from the replica" "200 Replica Only Row 1" "$code $(field '"\(.contacts[0].name) \(.total)"')"
  send_json POST /contacts '{"name":"Written To Primary","email":"w@x.io"}'
  expect_eq "create goes to the primary and answers from it" "201 Written To Primary" "$code $(field .name)"
  local id
  id=$(field .id)
  expect_eq "the row is on the primary" 1 "$(psql_su -d contacts -c "SELECT count(*) FROM contacts WHERE name = 'Written To Primary'")"
  send_json PUT "/contacts/$id" '{"name":"Updated On Primary","email":"w@x.io"}'
  expect_eq "update answers from the primary" "200 Updated On Primary" "$code $(field .name)"
  call GET "/contacts/$id"
  expect_eq "a plain read goes to the replica (which lacks the row)" 404 "$code"
  call GET /contacts/search/replica
  expect_eq "search comes from the replica" "200 1" "$code $(field .count)"
  call DELETE "/contacts/$id"
  expect_eq "delete goes to the primary" 200 "$code"
  expect_eq "the row is gone from the primary" 0 "$(psql_su -d contacts -c "SELECT count(*) FROM contacts WHERE id = $id")"
  stop_app
  expect_eq "exit status" 0 "$app_status"
}

# Like RDS without rds_superuser: the app's role may create tables but not extensions, so
# search falls back to a btree index. Also: a request stuck past the shutdown budget does
# not hold up the exit.
test_restricted_role() {
  echo "== a role that may not create extensions; shutdown budget"
  start_app DB_HOST=127.0.0.1 "DB_PORT=$pg_port" DB_USER=app "DB_PASSWORD=$app_pw" DB_NAME=contacts_app
  wait_for 20 "healthy" healthy
  call GET /stats
  expect_eq "the schema is created by a plain role" "200 0" "$code $(field .total_contacts)"
  expect_eq "fallback index instead of pg_trgm" "1 0" "$(psql_su -d contacts_app -c \
    "SELECT count(*) FILTER (WHERE indexname = 'contacts_lower_name_idx'), count(*) FILTER (WHERE indexname = 'contacts_search_trgm_idx') FROM pg_indexes" -F ' ')"
  expect_contains "the fallback is logged" "pg_trgm is not available" "$(cat "$work/app.$app_runs.log")"
  send_json POST /contacts '{"name":"Fallback Search","email":"fs@x.io"}'
  call GET /contacts/search/FALLBACK
  expect_eq "search works without pg_trgm" "200 Fallback Search" "$code $(field '.contacts[0].name')"
  hold_lock contacts_app
  request_in_flight contacts_app
  kill -TERM "$app_pid"
  wait_for 10 "contacts-api to exit with a request stuck" app_exited
  wait "$app_pid"
  expect_eq "exit status with a request stuck past the budget" 0 $?
  app_pid=""
  expect_contains "the abandoned request is logged" "exiting without them" "$(cat "$work/app.$app_runs.log")"
  wait "$inflight"
  inflight=""
  expect_not_contains "the stuck request got no answer" 200 "$(cat "$work/inflight.code")"
  release_lock
}

test_tls_and_credentials() {
  echo "== TLS modes and credentials"
  use_db
  start_app "${db_vars[@]}" DB_SSLMODE=verify-full "PGSSLROOTCERT=$work/root.crt"
  wait_for 20 "healthy with verify-full" healthy && pass "verify-full with PGSSLROOTCERT"
  stop_app
  use_db
  start_app "${db_vars[@]}" PGSSLMODE=verify-full "PGSSLROOTCERT=$work/other.crt"
  call GET /health
  expect_eq "verify-full against the wrong CA is unhealthy" "503 unhealthy" "$code $(field .status)"
  expect_contains "and says why" "certificate verify failed" "$(field .database)"
  stop_app
  use_db
  start_app "${db_vars[@]}" DB_SSLMODE=disable
  call GET /health
  expect_eq "sslmode=disable is refused by the server (hostssl only)" 503 "$code"
  stop_app
  local wrong
  wrong=wrong-$(openssl rand -hex 8)
  start_app DB_HOST=127.0.0.1 "DB_PORT=$pg_port" "DB_PASSWORD=$wrong"
  call GET /health
  expect_eq "a wrong password is unhealthy" 503 "$code"
  expect_contains "and says why" "password authentication failed" "$(field .database)"
  expect_not_contains "without echoing the password" "$wrong" "$body"
  stop_app
  expect_eq "exit status" 0 "$app_status"
  if grep -qF -e "$wrong" "$work"/app.*.log; then fail "the wrong password is in a log"; else pass "the wrong password is in no log"; fi
}

test_no_secrets() {
  echo "== secrets"
  if grep -qF -e "$pw" -e "$reader_pw" -e "$app_pw" "$work"/app.*.log; then fail "a password appears in the app's log"; else pass "no password in the app's logs"; fi
  if grep -qF -e "$pw" -e "$reader_pw" -e "$app_pw" "$work/responses.log"; then fail "a password appears in a response"; else pass "no password in any response"; fi
}

# ------------------------------------------------------------------------------------------

[ "$(id -u)" -eq 0 ] || die "run as root (PostgreSQL runs as the postgres user)"
for tool in curl jq nc openssl ss setpriv; do command -v "$tool" >/dev/null || die "$tool is missing"; done
[ -x "$PG_BIN/postgres" ] || die "PostgreSQL 15 is missing ($PG_BIN)"

setup_postgres
app_port=$(free_port) || die "no free port for the app"
test_cli
use_db
start_app "${db_vars[@]}"
test_info
test_crud
test_errors
test_seed_and_paging
test_search
test_concurrent_writes
test_database_loss
test_graceful_shutdown
test_late_database
test_replica
test_restricted_role
test_tls_and_credentials
test_no_secrets
finish

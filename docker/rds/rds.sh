#!/bin/sh
# PostgreSQL as the lab's RDS: a cluster made at first start in $PGDATA with the password from
# POSTGRES_PASSWORD_FILE and scram-sha-256, TCP clients only over TLS (as rds.force_ssl=1),
# then postgres in the foreground with this script's arguments (e.g. -c ssl=on ...).
set -eu
user=${POSTGRES_USER:-postgres}
db=${POSTGRES_DB:-$user}
as_postgres() { setpriv --reuid=postgres --regid=postgres --init-groups "$@"; }

install -d -o postgres -g postgres -m 700 "$PGDATA"
install -d -o postgres -g postgres -m 2775 /var/run/postgresql
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  : "${POSTGRES_PASSWORD_FILE:?rds: set POSTGRES_PASSWORD_FILE}"
  as_postgres initdb -D "$PGDATA" -U "$user" --pwfile="$POSTGRES_PASSWORD_FILE" \
    --auth-local=peer --auth-host=scram-sha-256 >/dev/null
  printf 'hostssl all all 0.0.0.0/0 scram-sha-256\nhostssl all all ::/0 scram-sha-256\n' >>"$PGDATA/pg_hba.conf"
  if [ "$db" != postgres ]; then
    echo "CREATE DATABASE \"$db\";" | as_postgres postgres --single -D "$PGDATA" postgres >/dev/null
  fi
  echo "rds: cluster made in $PGDATA (database $db, user $user)"
fi
exec setpriv --reuid=postgres --regid=postgres --init-groups postgres -D "$PGDATA" -c listen_addresses='*' "$@"

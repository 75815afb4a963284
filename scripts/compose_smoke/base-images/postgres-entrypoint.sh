#!/bin/sh
# What the official postgres image does on first start, reduced to what docker-compose.yml uses:
# initdb on an empty volume, a password-protected user and database, TCP on every interface.
# Like the official image, the initialisation runs on a server that listens on the socket only.
set -eu
mkdir -p "$PGDATA" /var/run/postgresql
chown -R postgres:postgres "$PGDATA" /var/run/postgresql
chmod 700 "$PGDATA"
as_postgres() { su postgres -s /bin/sh -c "$*"; }
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  printf '%s' "$POSTGRES_PASSWORD" > /tmp/pwfile
  chown postgres /tmp/pwfile
  as_postgres "initdb -D '$PGDATA' -U '$POSTGRES_USER' --pwfile=/tmp/pwfile --auth-local=trust --auth-host=scram-sha-256"
  rm -f /tmp/pwfile
  echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
  as_postgres "pg_ctl -D '$PGDATA' -o \"-c listen_addresses=''\" -w start"
  if [ "$POSTGRES_DB" != postgres ]; then
    as_postgres "psql -v ON_ERROR_STOP=1 -U '$POSTGRES_USER' -d postgres -c 'CREATE DATABASE \"$POSTGRES_DB\"'"
  fi
  as_postgres "pg_ctl -D '$PGDATA' -m fast -w stop"
fi
exec su postgres -s /bin/sh -c "exec postgres -D '$PGDATA' -c listen_addresses='*'"

#!/bin/bash
# The streaming standby of docker-compose.yml. On first start (empty data folder) it copies the primary
# with pg_basebackup and follows it; afterwards it just starts. Runs as the postgres user; its arguments
# are the server's command line (`postgres -c ...`).
set -euo pipefail
: "${PRIMARY_HOST:?}" "${REPLICATION_PASSWORD:?}"
PRIMARY_PORT=${PRIMARY_PORT:-5432}
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  until pg_isready -q -h "$PRIMARY_HOST" -p "$PRIMARY_PORT"; do echo "standby: waiting for $PRIMARY_HOST"; sleep 2; done
  PGPASSWORD="$REPLICATION_PASSWORD" pg_basebackup -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U replicator \
    -D "$PGDATA" -X stream -c fast --slot standby1
  chmod 700 "$PGDATA"
  # The copy carries the primary's ALTER SYSTEM lines. Without synchronous_standby_names a promoted
  # standby takes writes at once (until a new standby is attached and the setting is restored, see
  # docs/deployment.md); with it, every commit would wait for a standby that does not exist.
  sed -i '/^synchronous_standby_names/d' "$PGDATA/postgresql.auto.conf"
  {
    echo "primary_conninfo = 'host=$PRIMARY_HOST port=$PRIMARY_PORT user=replicator password=$REPLICATION_PASSWORD application_name=standby1'"
    echo "primary_slot_name = 'standby1'"
  } >> "$PGDATA/postgresql.auto.conf"
  touch "$PGDATA/standby.signal"
fi
# The command (docker-compose.yml) is the primary's own: a standby needs max_connections, max_wal_senders
# and the like at least as high as its primary's, or its recovery stops.
exec docker-entrypoint.sh "$@"

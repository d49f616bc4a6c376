#!/bin/bash
# Run once by the postgres image's entrypoint when the primary's data folder is new
# (/docker-entrypoint-initdb.d): the application role, one database per service (architecture.md:
# a service never reads another's), the replication role and slot of the standby, and synchronous
# commit. synchronous_standby_names is written with ALTER SYSTEM so it applies from the restart that
# ends the initialisation: set at once, these very statements would wait for a standby not yet there.
set -euo pipefail
: "${TIEPDAN_DB_PASSWORD:?}" "${REPLICATION_PASSWORD:?}"
psql -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d postgres \
  -v app_password="$TIEPDAN_DB_PASSWORD" -v repl_password="$REPLICATION_PASSWORD" <<'SQL'
CREATE ROLE tiepdan LOGIN PASSWORD :'app_password';
CREATE ROLE replicator LOGIN REPLICATION PASSWORD :'repl_password';
CREATE DATABASE intake OWNER tiepdan;
CREATE DATABASE roster OWNER tiepdan;
CREATE DATABASE escalation OWNER tiepdan;
CREATE DATABASE notify OWNER tiepdan;
CREATE DATABASE gateway OWNER tiepdan;
SELECT pg_create_physical_replication_slot('standby1');
ALTER SYSTEM SET synchronous_standby_names = 'FIRST 1 (standby1)';
ALTER SYSTEM SET synchronous_commit = 'on';
SQL
echo "host replication replicator all scram-sha-256" >> "$PGDATA/pg_hba.conf"

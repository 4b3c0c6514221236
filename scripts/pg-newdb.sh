#!/bin/sh
# Creates (after dropping it if it exists) database NAME on the PostgreSQL server of $VIGIE_PG_BASE
# (a base URL as printed by pg-test-server.sh start) and prints the database's URL.
set -eu
NAME=${1:-}
[ -n "${VIGIE_PG_BASE:-}" ] || { echo "pg-newdb: VIGIE_PG_BASE is not set (see scripts/pg-test-server.sh)" >&2; exit 1; }
case "$NAME" in
  ''|[!a-z_]*|*[!a-z0-9_]*) echo "usage: $0 NAME (lower-case letters, digits, _; not starting with a digit)" >&2; exit 2 ;;
esac
BASE=${VIGIE_PG_BASE%/}
PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 -d "$BASE/postgres" -c "DROP DATABASE IF EXISTS \"$NAME\" WITH (FORCE)" \
  -c "CREATE DATABASE \"$NAME\"" >/dev/null
echo "$BASE/$NAME"

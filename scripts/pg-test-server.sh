#!/bin/sh
# A throwaway PostgreSQL server for the tests, on loopback only, with trust authentication.
#   pg-test-server.sh start      creates a cluster in a new temporary directory, starts it on a free
#                                port and prints two lines: the directory, and the base URL
#                                (postgresql://postgres@127.0.0.1:PORT)
#   pg-test-server.sh stop DIR   stops that server (immediate mode) and removes DIR
# PostgreSQL refuses to run as root: as root, the cluster belongs to and runs as the postgres user.
# Durability is off (fsync, synchronous_commit): the data lives as long as the test run.
set -eu

BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$BIN" ] && [ -x "$BIN/initdb" ] || { echo "pg-test-server: PostgreSQL server binaries not found (apt-get install -y postgresql)" >&2; exit 1; }
MARK=.vigie-pg-test

as_owner() { # runs a command as the cluster's owner
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start() {
  DIR=$(mktemp -d /tmp/vigie-pg.XXXXXX)
  chmod 755 "$DIR"
  touch "$DIR/$MARK"
  [ "$(id -u)" = 0 ] && chown postgres "$DIR"
  if ! as_owner "$BIN/initdb" -D "$DIR/data" -U postgres -A trust --auth-local=trust --auth-host=trust \
       -E UTF8 --locale=C --no-sync >"$DIR/initdb.log" 2>&1; then
    echo "pg-test-server: initdb failed:" >&2; cat "$DIR/initdb.log" >&2; rm -rf "$DIR"; exit 1
  fi
  tries=0
  while :; do
    tries=$((tries + 1))
    # a port in 20000..59999 from the clock and our pid; a taken one makes pg_ctl fail: try another
    PORT=$(( ( $(date +%s%N | cut -c10-18 | sed 's/^0*//;s/^$/0/') + $$ * 7 + tries * 7919 ) % 40000 + 20000 ))
    if as_owner "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 30 -o \
         "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=50" \
         start >/dev/null 2>&1; then
      break
    fi
    if [ $tries -ge 10 ]; then
      echo "pg-test-server: could not start the server:" >&2; tail -n 20 "$DIR/server.log" >&2 || true
      rm -rf "$DIR"; exit 1
    fi
  done
  # ready means accepting connections on loopback
  i=0
  until "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT"; do
    i=$((i + 1)); [ $i -ge 100 ] && { echo "pg-test-server: server not ready" >&2; stop "$DIR"; exit 1; }
    sleep 0.1
  done
  echo "$DIR"
  echo "postgresql://postgres@127.0.0.1:$PORT"
}

stop() {
  DIR=${1:-}
  [ -n "$DIR" ] && [ -f "$DIR/$MARK" ] || { echo "pg-test-server: $DIR is not a test server directory" >&2; exit 1; }
  [ -d "$DIR/data" ] && as_owner "$BIN/pg_ctl" -D "$DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$DIR"
}

case "${1:-}" in
  start) start ;;
  stop) stop "${2:-}" ;;
  *) echo "usage: $0 start | stop DIR" >&2; exit 2 ;;
esac

#!/bin/sh
# Runs every test of Vigie against the build in $1 (build/san for `make check`):
# the unit test programs, then each integration script once on SQLite and once on a
# throwaway PostgreSQL server started here on loopback (stopped on exit, even on failure).
# Ends with one line "N passed, N failed" and a non-zero exit on any failure.
B=${1:-build/san}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=$(cd "$B" && pwd)
export VIGIE="$B/vigie" ROOT
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
pass=0; fail=0
LOG=$(mktemp -d /tmp/vigie-tests.XXXXXX)
cleanup() { [ -n "$PGDIR" ] && sh "$ROOT/scripts/pg-test-server.sh" stop "$PGDIR" >/dev/null 2>&1; rm -rf "$LOG"; }
trap cleanup EXIT INT TERM

count() { # $1 = output file, $2 = exit code; adds up "N passed, N failed" of the last such line
  # (a program that crashed or leaked after its summary counts one failure more)
  line=$(grep -E '[0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1)
  p=$(echo "$line" | sed -E 's/^(.*[^0-9])?([0-9]+) passed, ([0-9]+) failed.*$/\2/')
  f=$(echo "$line" | sed -E 's/^(.*[^0-9])?([0-9]+) passed, ([0-9]+) failed.*$/\3/')
  [ -z "$line" ] && { p=0; f=1; }
  [ "$2" -ne 0 ] && [ "$f" -eq 0 ] && f=1
  pass=$((pass + p)); fail=$((fail + f))
}

# One throwaway PostgreSQL server for the whole run (store unit tests and integration tests).
PGDIR=""
if PGOUT=$(sh "$ROOT/scripts/pg-test-server.sh" start 2>"$LOG/pg.err"); then
  PGDIR=$(echo "$PGOUT" | sed -n 1p); export VIGIE_PG_BASE=$(echo "$PGOUT" | sed -n 2p)
else
  echo "FAIL could not start the PostgreSQL test server:"; cat "$LOG/pg.err"; fail=$((fail + 1))
fi

for t in "$B"/tests/test_*; do
  [ -x "$t" ] || continue
  name=$(basename "$t")
  if "$t" >"$LOG/$name.out" 2>&1; then rc=0; else rc=$?; fi
  count "$LOG/$name.out" $rc
  if [ $rc -ne 0 ]; then
    echo "FAIL $name (exit $rc)"; grep -v '^ok' "$LOG/$name.out" | head -n 40
  else echo "ok   $name: $(tail -n 1 "$LOG/$name.out")"; fi
done

# Integration tests: on SQLite, then on PostgreSQL.
for t in "$ROOT"/tests/integration/test_*.sh; do
  [ -f "$t" ] || continue
  for backend in sqlite postgres; do
    [ $backend = postgres ] && [ -z "$PGDIR" ] && continue
    name="$(basename "$t" .sh)[$backend]"
    if VIGIE_BACKEND=$backend sh "$t" >"$LOG/$name.out" 2>&1; then rc=0; else rc=$?; fi
    count "$LOG/$name.out" $rc
    if [ $rc -ne 0 ]; then
      echo "FAIL $name (exit $rc)"; grep -v '^ok' "$LOG/$name.out" | tail -n 40
    else echo "ok   $name: $(tail -n 1 "$LOG/$name.out")"; fi
  done
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]

# lib.sh: shared by the integration tests (sourced). Each test drives the real `vigie` binary ($VIGIE)
# against a fresh store of the back-end named by $VIGIE_BACKEND (sqlite, or postgres on the server of
# $VIGIE_PG_BASE started by scripts/run-tests.sh), prints "ok - ..." / "not ok - ..." per check and
# ends with "N passed, N failed".
set -u
: "${VIGIE:?set VIGIE to the vigie binary}"
: "${ROOT:?set ROOT to the repository}"
BACKEND=${VIGIE_BACKEND:-sqlite}
T_PASS=0
T_FAIL=0
FIX="$ROOT/tests/integration/fixtures"
WORK=$(mktemp -d /tmp/vigie-it.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

# new_db NAME: sets DB to a fresh, empty store of the current back-end.
new_db() {
  if [ "$BACKEND" = postgres ]; then
    DB=$(sh "$ROOT/scripts/pg-newdb.sh" "t_$(basename "$0" .sh)_$1" | tail -n 1) || { echo "not ok - cannot create a PostgreSQL database"; T_FAIL=$((T_FAIL + 1)); return 1; }
  else
    DB="$WORK/$1.db"
    rm -f "$DB" "$DB-wal" "$DB-shm"
  fi
}

v() { "$VIGIE" --db "$DB" "$@"; }

ok() { T_PASS=$((T_PASS + 1)); echo "ok - $*"; }
not_ok() { T_FAIL=$((T_FAIL + 1)); echo "not ok - $*"; }

# check DESC CMD...: the command must succeed.
check() { d=$1; shift; if "$@" >"$WORK/out" 2>"$WORK/err"; then ok "$d"; else not_ok "$d (exit $?)"; sed 's/^/    /' "$WORK/err" | head -n 20; fi; }
# check_exit DESC CODE CMD...: the command must exit with CODE.
check_exit() { d=$1; want=$2; shift 2; "$@" >"$WORK/out" 2>"$WORK/err"; got=$?
  if [ "$got" = "$want" ]; then ok "$d"; else not_ok "$d (exit $got, want $want)"; sed 's/^/    /' "$WORK/err" | head -n 20; fi; }
# eq DESC GOT WANT
eq() { if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1: got '$2', want '$3'"; fi; }
# has DESC FILE TEXT: the file holds the exact line TEXT.
has_line() { if grep -Fxq -- "$3" "$2"; then ok "$1"; else not_ok "$1: no line '$3' in:"; sed 's/^/    /' "$2" | head -n 30; fi; }
has_text() { if grep -Fq -- "$3" "$2"; then ok "$1"; else not_ok "$1: no '$3' in:"; sed 's/^/    /' "$2" | head -n 30; fi; }
# jqv FILTER: runs jq -r on the last command's output.
jqv() { jq -r "$1" "$WORK/out"; }

done_tests() { echo "$(basename "$0" .sh) [$BACKEND]: $T_PASS passed, $T_FAIL failed"; [ "$T_FAIL" -eq 0 ]; }

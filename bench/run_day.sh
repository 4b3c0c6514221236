#!/bin/sh
# bench/run_day.sh BUILD_DIR: the daily run's benchmark (docs/benchmarks.md, "The daily run";
# docs/daily-run.md says how a day is found and shared). Called by bench/run.sh; runs alone too.
#
# Generates the bench portfolio (bench/gen.c: BENCH_LOANS loans, default 1,000,000, 12 monthly
# installments, payments up to 2026-11-25) and, on SQLite:
#   - imports it with vigie (not a figure of this bench: bench/run.sh measures imports);
#   - times `vigie run` on 2026-11-25, a first run: the whole portfolio is evaluated;
#   - then typical days 2026-11-26, 27, ...: for each, a payments file with a payment dated that day
#     for BENCH_RUN_ACTIVE percent of the loans (one day per value, default "0 1 2 5"), imported
#     (timed: the import notes the accounts' payment events), then `vigie run` of the day (timed),
#     with the accounts evaluated: those with a payment plus those the policy has something for.
# And on PostgreSQL (BENCH_PG=0 skips it), on a portfolio of BENCH_RUN_PG_LOANS loans (default
# 100,000: a vigie import into PostgreSQL runs at about 12,000 rows/s, see "Import"), the same with 1
# worker and with 2 (`--workers 2`), each on its own copy of the imported database (CREATE DATABASE
# ... TEMPLATE). SQLite has one writer: `vigie run --workers 2` is refused there (docs/daily-run.md).
# Prints the machine, the data size and the figures; asserts no timing. Exits non-zero if a command
# fails or if the 1- and 2-worker runs store different decisions.
set -eu

B=${1:-build/rel}
HERE=$(cd "$(dirname "$0")" && pwd)
V=$B/vigie
GEN=$B/bench/gen
N=${BENCH_LOANS:-1000000}
PG=${BENCH_PG:-1}
PG_N=${BENCH_RUN_PG_LOANS:-100000}
ACTIVE=${BENCH_RUN_ACTIVE:-0 1 2 5}
AS_OF=2026-11-25
POL=$HERE/../policies/microfinance.yaml
case "$N" in '' | *[!0-9]*) echo "run_day: BENCH_LOANS must be a number, found \"$N\"" >&2; exit 2 ;; esac
case "$PG_N" in '' | *[!0-9]*) echo "run_day: BENCH_RUN_PG_LOANS must be a number" >&2; exit 2 ;; esac
for a in $ACTIVE; do
  case "$a" in '' | *[!0-9]*) echo "run_day: BENCH_RUN_ACTIVE: whole percents, found \"$a\"" >&2; exit 2 ;; esac
  [ "$a" -le 100 ] || { echo "run_day: BENCH_RUN_ACTIVE: at most 100" >&2; exit 2; }
done
[ -x "$V" ] && [ -x "$GEN" ] || { echo "run_day: $V or $GEN missing (make build/rel/vigie build/rel/bench/gen)" >&2; exit 2; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/vigie-runday.XXXXXX")
PGDIR=
cleanup() {
  if [ -n "$PGDIR" ]; then sh "$HERE/../scripts/pg-test-server.sh" stop "$PGDIR" >/dev/null 2>&1 || true; fi
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
mkdir "$TMP/bin"
cp "$V" "$GEN" "$TMP/bin/"
V=$TMP/bin/vigie
GEN=$TMP/bin/gen

now_ns() { date +%s%N; }
ms_s() { printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)); }
group() { printf '%s' "$1" | sed -e ':a' -e 's/\([0-9]\)\([0-9]\{3\}\)\($\|,\)/\1,\2\3/; ta'; }
# timed OUT CMD...: runs CMD, output to OUT; sets MS (wall time)
timed() {
  out=$1
  shift
  t0=$(now_ns)
  "$@" >"$out" 2>&1 || { echo "run_day: failed: $*" >&2; cat "$out" >&2; exit 1; }
  MS=$((($(now_ns) - t0) / 1000000))
}
day_after() { date -u -d "$AS_OF + $1 day" +%F; }
# accounts evaluated, from a run's summary line
evaluated() { sed -n 's/.* days\{0,1\} run ([^)]*), \([0-9]*\) accounts evaluated, \([0-9]*\) decisions created.*/\1 \2/p' "$1" | tail -n 1; }
# pay_file DIR K PCT: payments dated AS_OF + K for PCT % of the loans (every 100/PCT-th, offset K)
pay_file() {
  f=$1/pay_$2.csv
  d=$(day_after "$2")
  if [ "$3" = 0 ]; then
    echo "payment_id,account_id,paid_on,amount" >"$f"
  else
    awk -F, -v step=$((100 / $3)) -v k="$2" -v d="$d" 'BEGIN { print "payment_id,account_id,paid_on,amount" }
      NR > 1 && (NR - 2) % step == k % step { print "BR" k "-" NR "," $1 "," d ",5000" }' "$1/loans.csv" >"$f"
  fi
  echo $(($(wc -l <"$f") - 1))
}

echo "== The daily run: machine $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(nproc) cores," \
  "$(free -g | awk '/^Mem:/ {print $2}') GiB; load $(cut -d' ' -f1-3 /proc/loadavg);" \
  "policy $(basename "$POL"); commit $(git -C "$HERE/.." rev-parse --short HEAD 2>/dev/null || echo unknown)"

# days DB LABEL DIR [WORKERS]: the first run and the typical days on DB, printed as a table
days() {
  db=$1 label=$2 dir=$3 workers=${4:-1}
  wopt=
  [ "$workers" -gt 1 ] && wopt="--workers $workers"
  timed "$TMP/run.out" "$V" --db "$db" run --policy "$POL" --as-of $AS_OF $wopt
  set -- $(evaluated "$TMP/run.out")
  printf '  %-34s %10s %12s %10s %10s\n' "$label: day" "payments" "evaluated" "decisions" "seconds"
  printf '  %-34s %10s %12s %10s %10s\n' "$AS_OF (first run: whole portfolio)" "-" "$(group "$1")" "$(group "$2")" "$(ms_s $MS)"
  k=1
  for a in $ACTIVE; do
    np=$(pay_file "$dir" $k "$a")
    timed "$TMP/imp.out" "$V" --db "$db" import payments "$dir/pay_$k.csv"
    imp=$MS
    timed "$TMP/run.out" "$V" --db "$db" run --policy "$POL" --as-of "$(day_after $k)" $wopt
    set -- $(evaluated "$TMP/run.out")
    printf '  %-34s %10s %12s %10s %10s   (payments import %s s)\n' "$(day_after $k) ($a % of loans pay)" "$(group "$np")" \
      "$(group "$1")" "$(group "$2")" "$(ms_s $MS)" "$(ms_s $imp)"
    k=$((k + 1))
  done
}

# ---- SQLite -------------------------------------------------------------------------------------
mkdir "$TMP/n"
timed "$TMP/gen.txt" "$GEN" "$TMP/n" "$N" "$AS_OF"
echo "== SQLite, $(group "$N") loans ($(group "$(sed -n 's/^payments=//p' "$TMP/gen.txt")") payments up to $AS_OF)"
DB=$TMP/n/vigie.db
t0=$(now_ns)
"$V" --db "$DB" init >/dev/null
for f in clients loans schedules invoices payments; do "$V" --db "$DB" import $f "$TMP/n/$f.csv" >/dev/null; done
echo "  imported in $(ms_s $((($(now_ns) - t0) / 1000000))) s (not a figure of this bench); store $(du -h "$DB" | cut -f1)"
days "$DB" "SQLite, 1 worker" "$TMP/n"
if "$V" --db "$DB" run --policy "$POL" --as-of "$(day_after 30)" --workers 2 >"$TMP/w2.out" 2>&1; then
  echo "run_day: --workers 2 was accepted on SQLite" >&2
  exit 1
fi
echo "  SQLite, 2 workers: refused ($(sed -n 's/^vigie run: //p' "$TMP/w2.out"))"
rm -f "$DB" "$DB-wal" "$DB-shm"

# ---- PostgreSQL ---------------------------------------------------------------------------------
if [ "$PG" = 1 ]; then
  if ! command -v pg_ctl >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
    echo "== PostgreSQL: skipped (no server binaries)"
    exit 0
  fi
  out=$(sh "$HERE/../scripts/pg-test-server.sh" start)
  PGDIR=$(printf '%s\n' "$out" | sed -n 1p)
  BASE=$(printf '%s\n' "$out" | sed -n 2p)
  BASE=${BASE%/}
  mkdir "$TMP/p"
  "$GEN" "$TMP/p" "$PG_N" "$AS_OF" >/dev/null
  echo "== PostgreSQL $(psql -X -At -d "$BASE/postgres" -c 'SHOW server_version'), $(group "$PG_N") loans"
  psql -X -q -d "$BASE/postgres" -c "CREATE DATABASE run_base" >/dev/null
  t0=$(now_ns)
  "$V" --db "$BASE/run_base" init >/dev/null
  for f in clients loans schedules invoices payments; do "$V" --db "$BASE/run_base" import $f "$TMP/p/$f.csv" >/dev/null; done
  echo "  imported in $(ms_s $((($(now_ns) - t0) / 1000000))) s (not a figure of this bench)"
  psql -X -q -d "$BASE/run_base" -c "VACUUM ANALYZE" >/dev/null
  for w in 1 2; do
    psql -X -q -d "$BASE/postgres" -c "CREATE DATABASE run_w$w TEMPLATE run_base" >/dev/null
    days "$BASE/run_w$w" "PostgreSQL, $w worker$([ $w = 2 ] && echo s)" "$TMP/p" $w
    psql -X -At -d "$BASE/run_w$w" -c "SELECT dedupe_key FROM decision ORDER BY dedupe_key" | md5sum >"$TMP/dec_w$w"
  done
  if cmp -s "$TMP/dec_w1" "$TMP/dec_w2"; then
    echo "  1 and 2 workers stored the same decisions"
  else
    echo "run_day: 1 and 2 workers stored different decisions" >&2
    exit 1
  fi
fi

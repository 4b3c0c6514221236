#!/bin/sh
# bench/score.sh BUILD_DIR: scoring benchmarks (figures only, nothing asserted; docs/scoring.md,
# "Benchmarks"). Called by bench/run.sh; also runs alone: `sh bench/score.sh build/rel`.
#
#   1. `vigie score train` on credit_data (shared/data/credit_data.csv, 3118 training rows);
#   2. `vigie score train` and `score apply` on a generated data set of SCORE_ROWS rows (default
#      1,000,000; bench/score_bench, seeded: the same rows every run);
#   3. on a generated ledger (bench/gen, seeded: SCORE_LOANS loans, default 200,000, of 12 monthly
#      installments, for SCORE_LOANS/4 clients) imported into SQLite: `score train --from-ledger`,
#      then `score apply --from-ledger` with 1 connection and with one per processor (clients per
#      second), and `score predict` (obligations per second).
# Prints the machine (CPU model, processors, memory) and the data sizes with the figures.
# Environment: SCORE_ROWS, SCORE_LOANS, SCORE_RUNS (runs of each timed command, best kept; 3),
# CREDIT_DATA (path of credit_data.csv), TMPDIR.
set -eu

B=${1:-build/rel}
V=$B/vigie
GEN=$B/bench/gen
SB=$B/bench/score_bench
HERE=$(cd "$(dirname "$0")" && pwd)
ROWS=${SCORE_ROWS:-1000000}
LOANS=${SCORE_LOANS:-200000}
RUNS=${SCORE_RUNS:-3}
DATA=${CREDIT_DATA:-$HERE/../../shared/data/credit_data.csv}
[ -f "$DATA" ] || DATA=/work/shared/data/credit_data.csv
AS_OF=2026-11-25
PAST=2026-08-25
for x in "$V" "$GEN" "$SB"; do
  [ -x "$x" ] || { echo "bench/score.sh: $x missing (make $B/vigie $GEN $SB)" >&2; exit 2; }
done
TMP=$(mktemp -d "${TMPDIR:-/tmp}/vigie-score-bench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM HUP

now_ns() { date +%s%N; }
# best CMD...: runs CMD RUNS times (stdout to $TMP/out), sets BEST_S (seconds, best of the runs)
best() {
  b=
  i=0
  while [ $i -lt "$RUNS" ]; do
    t0=$(now_ns)
    "$@" >"$TMP/out" 2>"$TMP/err" || { echo "bench/score.sh: failed: $*" >&2; cat "$TMP/err" >&2; exit 1; }
    t=$(($(now_ns) - t0))
    if [ -z "$b" ] || [ $t -lt $b ]; then b=$t; fi
    i=$((i + 1))
  done
  BEST_S=$(awk -v n="$b" 'BEGIN { printf "%.3f", n / 1e9 }')
}
per_s() { awk -v n="$1" -v s="$2" 'BEGIN { if (s <= 0) print "-"; else printf "%d", n / s }'; }

CPU=$(lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | head -n 1)
NPROC=$(nproc)
MEM=$(free -g 2>/dev/null | awk '/^Mem:/ { print $2 }')
echo "== Vigie scoring benchmarks, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine: ${CPU:-unknown CPU}, $NPROC processors, ${MEM:-?} GiB memory; load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "best of $RUNS runs each"

echo "== credit_data ($DATA)"
if [ -f "$DATA" ]; then
  best "$V" score train --data "$DATA" --target bad --split-column split --id-column id --out "$TMP/cd.json"
  echo "  train (3118 training rows of $(($(wc -l <"$DATA") - 1)), 13 variables): $BEST_S s"
else
  echo "  credit_data.csv not found: skipped"
fi

echo "== generated data set: $ROWS rows x 10 variables (bench/score_bench, seeded)"
"$SB" "$ROWS" --csv "$TMP/gen.csv" >/dev/null
echo "  CSV: $(du -h "$TMP/gen.csv" | cut -f1)"
best "$V" score train --data "$TMP/gen.csv" --target bad --split-column split --id-column id --out "$TMP/g.json"
echo "  train (rows whose split is train: $(grep -c ',train,' "$TMP/gen.csv")): $BEST_S s"
best "$V" score apply --model "$TMP/g.json" --data "$TMP/gen.csv"
echo "  apply, CSV in and out: $BEST_S s ($(per_s "$ROWS" "$BEST_S") rows/s)"
rm -f "$TMP/gen.csv"

echo "== generated ledger: $LOANS loans of 12 monthly installments, $((LOANS / 4)) clients (bench/gen, seeded), SQLite"
mkdir "$TMP/p"
"$GEN" "$TMP/p" "$LOANS" "$AS_OF" >"$TMP/gen.txt"
DB=$TMP/p/vigie.db
"$V" --db "$DB" init >/dev/null
t0=$(now_ns)
for f in clients loans schedules invoices payments; do "$V" --db "$DB" import "$f" "$TMP/p/$f.csv" >/dev/null; done
echo "  $(sed -n 's/^payments=//p' "$TMP/gen.txt") payments; import $(awk -v n="$(($(now_ns) - t0))" 'BEGIN { printf "%.1f", n / 1e9 }') s (not a scoring figure)"
rm -f "$TMP"/p/*.csv
best "$V" --db "$DB" score train --from-ledger --as-of "$PAST" --horizon 90 --out "$TMP/b.json"
echo "  train --from-ledger as of $PAST, horizon 90: $BEST_S s"
for th in 1 "$NPROC"; do
  best "$V" --db "$DB" score apply --from-ledger --as-of "$AS_OF" --model "$TMP/b.json" --threads "$th"
  n=$(($(wc -l <"$TMP/out") - 1))
  echo "  apply --from-ledger as of $AS_OF, $th connection(s): $n clients in $BEST_S s ($(per_s "$n" "$BEST_S") clients/s)"
done
best "$V" --db "$DB" score predict train --from-ledger --as-of 2026-06-30 --out "$TMP/pm.json"
echo "  predict train as of 2026-06-30: $BEST_S s"
best "$V" --db "$DB" score predict --from-ledger --as-of "$AS_OF" --model "$TMP/pm.json"
n=$(($(wc -l <"$TMP/out") - 1))
echo "  predict as of $AS_OF: $n open obligations in $BEST_S s ($(per_s "$n" "$BEST_S") obligations/s)"

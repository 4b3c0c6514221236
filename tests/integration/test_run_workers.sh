#!/bin/sh
# test_run_workers.sh: several workers sharing the daily run (docs/daily-run.md).
# PostgreSQL:
# - `vigie run --workers 4` stores exactly what one worker stores: the sorted dumps of decision,
#   policy_state and run_log are identical (a first run, then a month caught up by small batches);
# - two `vigie run` started separately share the days; one is killed with SIGKILL in the middle of the
#   run: the other takes its partitions over and completes the run alone, and the dumps equal the
#   clean run's (no rerun needed; a rerun finds nothing to do).
# SQLite (one writer): `--workers 2` is refused with a clear message, and `--workers 1` stores what a
# plain run stores.
. "$(dirname "$0")/lib.sh"
POL="$ROOT/policies/microfinance.yaml"
FIRST=2026-05-01
LAST=2026-05-31

check "demo files" "$VIGIE" demo --dir "$WORK/demo" --as-of 2026-11-25 --clients 1000 --loans 1500 --invoices 300 --no-import

load() {
  check "init $1" v init
  for k in clients loans schedules invoices payments; do check "import $k ($1)" v import $k "$WORK/demo/$k.csv"; done
}

Q_DEC="SELECT d.dedupe_key, a.ext_id, d.day, d.segment, d.step, d.action, d.channels, d.template, d.task_kind,
 d.assignee, d.four_eyes, d.status, d.created_by_run_day, d.anchor, d.dpd, d.late_amount
 FROM decision d JOIN account a ON a.id = d.account_id ORDER BY d.dedupe_key"
Q_ST="SELECT a.ext_id, s.next_eval_on, s.last_eval_on FROM policy_state s JOIN account a ON a.id = s.account_id
 ORDER BY a.ext_id"
Q_LOG="SELECT day, policy_name, policy_version, accounts_evaluated, decisions, finished FROM run_log ORDER BY day"
sql() {
  if [ "$BACKEND" = postgres ]; then psql -X -q -At "$DB" -c "$1"; else sqlite3 "$DB" "$1"; fi
}
# dump NAME: decisions, policy states and run log of $DB, sorted, into $WORK/NAME.*
dump() {
  sql "$Q_DEC" >"$WORK/$1.dec" && sql "$Q_ST" >"$WORK/$1.st" && sql "$Q_LOG" >"$WORK/$1.log"
}
same() { # same A B: the three dumps are identical
  for k in dec st log; do check "$1 = $2 ($k)" cmp "$WORK/$1.$k" "$WORK/$2.$k"; done
}

# --- the reference: one worker --------------------------------------------------------------------
new_db one || exit 1
ONE=$DB
load one
check "first run (1 worker)" v run --policy "$POL" --as-of $FIRST
check "a month (1 worker)" v run --policy "$POL" --as-of $LAST --batch 20
has_text "31 days" "$WORK/out" "30 days run (2026-05-02 to 2026-05-31)"
dump one
n_dec=$(wc -l <"$WORK/one.dec")
n_st=$(wc -l <"$WORK/one.st")
if [ "$n_dec" -gt 100 ]; then ok "the reference run stored $n_dec decisions"; else not_ok "only $n_dec decisions"; fi
eq "every account has a policy state" "$n_st" "1800"
eq "31 days in the run log" "$(wc -l <"$WORK/one.log")" "31"

if [ "$BACKEND" = postgres ]; then
  # --- four workers ---------------------------------------------------------------------------------
  new_db four || exit 1
  load four
  check "first run (4 workers)" v run --policy "$POL" --as-of $FIRST --workers 4
  has_text "the summary adds the workers up" "$WORK/out" "first run: from $FIRST only"
  check "a month (4 workers)" v run --policy "$POL" --as-of $LAST --batch 20 --workers 4
  has_text "the summary" "$WORK/out" "30 days run (2026-05-02 to 2026-05-31)"
  for k in 1 2 3 4; do
    if grep -q "^worker $k: " "$WORK/out"; then ok "worker $k ran"; else not_ok "worker $k printed nothing"; fi
  done
  eq "the workers' lines add up to the reference's accounts" \
    "$(awk -F'[:,]' '/^worker/ {split($3, a, " "); s += a[1]} END {print s}' "$WORK/out")" \
    "$(awk -F'|' 'NR > 1 {s += $4} END {print s}' "$WORK/one.log")"
  dump four
  same one four
  eq "every partition of every day done" "$(sql "SELECT count(*) FROM run_partition WHERE done = 1")" "$((31 * 64))"

  # --- two workers started separately, one killed mid-run ------------------------------------------
  new_db killed || exit 1
  load killed
  check "first run (to be shared)" v run --policy "$POL" --as-of $FIRST
  "$VIGIE" --db "$DB" run --policy "$POL" --as-of $LAST --batch 5 >"$WORK/a.out" 2>&1 &
  pa=$!
  "$VIGIE" --db "$DB" run --policy "$POL" --as-of $LAST --batch 5 >"$WORK/b.out" 2>&1 &
  pb=$!
  i=0
  while [ $i -lt 1200 ] && [ "$(grep -c 'accounts evaluated' "$WORK/a.out")" -lt 8 ]; do sleep 0.05; i=$((i + 1)); done
  if kill -9 "$pa" 2>/dev/null; then
    ok "worker A killed with SIGKILL after $(grep -c 'accounts evaluated' "$WORK/a.out") days"
  else
    not_ok "worker A ended before it could be killed"
  fi
  wait "$pa" 2>/dev/null
  if wait "$pb"; then ok "worker B completed the run alone"; else not_ok "worker B failed"; sed 's/^/    /' "$WORK/b.out" | tail -n 5; fi
  has_text "worker B reached the last day" "$WORK/b.out" "to 2026-05-31)"
  eq "worker B did the days after the kill" "$(grep -c '^2026-05-31: ' "$WORK/b.out")" "1"
  check "run again" v run --policy "$POL" --as-of $LAST
  has_text "nothing left to do" "$WORK/out" "nothing to do: the last day run is $LAST"
  dump killed
  same one killed
else
  # --- SQLite: one writer ---------------------------------------------------------------------------
  new_db two || exit 1
  load two
  check_exit "--workers 2 refused on SQLite" 2 v run --policy "$POL" --as-of $FIRST --workers 2
  has_text "says why" "$WORK/err" "several workers need PostgreSQL"
  eq "nothing run" "$(sql "SELECT count(*) FROM run_log")" "0"
  check_exit "--workers 0 refused" 2 v run --policy "$POL" --as-of $FIRST --workers 0
  check "first run (--workers 1)" v run --policy "$POL" --as-of $FIRST --workers 1
  check "a month (--workers 1)" v run --policy "$POL" --as-of $LAST --batch 20 --workers 1
  dump two
  same one two
fi

done_tests

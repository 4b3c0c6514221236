#!/bin/sh
# test_crash.sh: an import killed (SIGKILL) at any moment leaves the store as it was before; running
# it again ends in the same state as one clean run. Also: the whole demo imported twice changes
# nothing the second time.
. "$(dirname "$0")/lib.sh"

check "demo files" "$VIGIE" demo --dir "$WORK/csv" --as-of 2026-11-25 --clients 1500 --loans 3000 --invoices 500 --no-import
new_db clean || exit 1
check "clean init" v init
for k in clients loans schedules invoices payments; do check "clean import $k" v import $k "$WORK/csv/$k.csv"; done
check "clean par" v report par --as-of 2026-11-25 --format json
cp "$WORK/out" "$WORK/clean_par.json"
check "clean ageing" v report ageing --as-of 2026-11-25 --format json
cp "$WORK/out" "$WORK/clean_ageing.json"
# a report shared by several connections (threads) gives exactly the figures of one connection
for r in par ageing; do
  check "$r with one connection" v report $r --as-of 2026-11-25 --format json --threads 1 --by officer
  cp "$WORK/out" "$WORK/one.json"
  check "$r with three connections" v report $r --as-of 2026-11-25 --format json --threads 3 --by officer
  cp "$WORK/out" "$WORK/three.json"
  check "$r: same figures with three connections" cmp "$WORK/three.json" "$WORK/one.json"
done
check_exit "bad --threads" 2 v report par --as-of 2026-11-25 --threads 0
check "demo again: everything unchanged" v import payments "$WORK/csv/payments.csv"
has_text "payments unchanged" "$WORK/out" "0 inserted, 0 updated"

new_db crash || exit 1
check "init" v init
for k in clients loans schedules invoices; do check "import $k" v import $k "$WORK/csv/$k.csv"; done
check "export before" v export --dir "$WORK/before"
total=$(($(wc -l < "$WORK/csv/payments.csv") - 1))
kills=0
for delay in 0.05 0.1 0.2 0.4 0.8 1.5; do
  "$VIGIE" --db "$DB" import payments "$WORK/csv/payments.csv" >/dev/null 2>&1 &
  pid=$!
  sleep $delay
  if kill -9 $pid 2>/dev/null; then
    wait $pid 2>/dev/null
    kills=$((kills + 1))
    v export --dir "$WORK/after" >/dev/null 2>"$WORK/err" || { not_ok "export after a kill at ${delay}s"; cat "$WORK/err"; }
    if diff -r "$WORK/before" "$WORK/after" >/dev/null; then
      ok "killed after ${delay}s: the store is exactly as before"
    elif diff -r -x payments.csv "$WORK/before" "$WORK/after" >/dev/null &&
         [ $(($(wc -l < "$WORK/after/payments.csv") - 1)) -eq $total ]; then
      ok "killed after ${delay}s, just after its commit: every payment is in, nothing else changed"
    else
      not_ok "killed after ${delay}s: the store is neither as before nor complete"
    fi
  else
    wait $pid
    break # the import finished before the kill: later delays would too
  fi
done
if [ $kills -ge 1 ]; then ok "at least one import was killed mid-way ($kills)"; else not_ok "no import was killed mid-way: make the file bigger"; fi
check "import after the crashes" v import payments "$WORK/csv/payments.csv"
has_text "all payments read" "$WORK/out" "$total rows: "
check "par" v report par --as-of 2026-11-25 --format json
cp "$WORK/out" "$WORK/par.json"
check "same PAR as one clean run" cmp "$WORK/par.json" "$WORK/clean_par.json"
check "ageing" v report ageing --as-of 2026-11-25 --format json
cp "$WORK/out" "$WORK/ageing.json"
check "same ageing as one clean run" cmp "$WORK/ageing.json" "$WORK/clean_ageing.json"
done_tests

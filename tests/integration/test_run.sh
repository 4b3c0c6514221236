#!/bin/sh
# test_run.sh: the persisted daily run (`vigie run`, `decisions`, `tasks` and `timeline`).
# - day by day over a range, it stores exactly the decisions `vigie simulate` gives over that range
#   (same dedupe keys); running the same day again creates nothing;
# - with a gap (one run catching up many days) it stores the same decisions as day by day;
# - decisions, tasks and timeline list what was stored;
# - a run killed with SIGKILL mid-way, then run again, ends with exactly the decisions of a clean run
#   (demo portfolio, small batches so that the kill lands between committed batches).
. "$(dirname "$0")/lib.sh"
POL="$ROOT/policies/microfinance.yaml"

load_fixture() {
  check "init $1" v init
  for k in clients loans schedules invoices payments; do check "import $k ($1)" v import $k "$FIX/$k.csv"; done
}
# keys FILE: the stored dedupe keys, sorted (the last column of `vigie decisions`).
keys() {
  v decisions --format csv | tail -n +2 | awk -F, '{print $NF}' >"$1"
  sort -o "$1" "$1"
}

# --- day by day, against the simulation ----------------------------------------------------------
new_db daily || exit 1
load_fixture daily
check "first run" v run --policy "$POL" --as-of 2024-01-01
has_text "first run says so" "$WORK/out" "first run: from 2024-01-01 only"
d=2024-01-02
fail=0
while [ "$d" != 2024-07-01 ]; do
  v run --policy "$POL" --as-of "$d" >"$WORK/day.out" 2>&1 || { fail=1; cat "$WORK/day.out"; break; }
  d=$(date -u -d "$d + 1 day" +%F)
done
eq "182 days run one by one" "$fail" "0"
keys "$WORK/daily.keys"
check "simulate" v simulate --policy "$POL" --from 2024-01-01 --to 2024-06-30 --detail --format csv
tail -n +2 "$WORK/out" | awk -F, '{print $NF}' | sort >"$WORK/sim.keys"
# 51 steps of the ledger's own path, and 9 alerts for monitoring visits left undone for 3 days (the
# run's own tasks, overdue: task_overdue events, with refs hashed from the tasks' keys)
eq "60 decisions stored" "$(wc -l <"$WORK/daily.keys")" "60"
eq "9 of them for overdue visits" "$(grep -c '|monitoring-overdue|' "$WORK/daily.keys")" "9"
check "same dedupe keys as the simulation" diff "$WORK/sim.keys" "$WORK/daily.keys"
check "same day again" v run --policy "$POL" --as-of 2024-06-30
has_text "nothing to do" "$WORK/out" "nothing to do: the last day run is 2024-06-30"
keys "$WORK/again.keys"
check "nothing new" diff "$WORK/daily.keys" "$WORK/again.keys"

# outbox, tasks, timeline
check "queued messages" v decisions --action message --status queued --as-of 2024-06-30 --format csv
cut -d, -f2- "$WORK/out" >"$WORK/msgs.csv"
has_line "L1 first day late queued" "$WORK/msgs.csv" "2024-04-01,L1,standard,sms-late-1,message,sms,reminder_late,,,no,queued,2024-03-31,1,41500,XOF,L1|standard|sms-late-1|2024-03-31|0"
eq "only queued messages listed" "$(tail -n +2 "$WORK/msgs.csv" | awk -F, '$5!="message" || $11!="queued"' | wc -l)" "0"
eq "every decision has its id" "$(tail -n +2 "$WORK/out" | awk -F, '$1 !~ /^[0-9]+$/' | wc -l)" "0"
check "tasks of O1" v tasks --officer O1 --as-of 2024-06-30 --format json
eq "L1 tasks first by days late" "$(jqv '.tasks[0] | "\(.account_id) \(.days_past_due) \(.assignee) \(.status)"')" "L1 90 O1 open"
eq "tasks are ordered by days late" "$(jqv '[.tasks[].days_past_due] | . == (sort | reverse)')" "true"
check "timeline L2" v timeline L2 --as-of 2024-06-30 --format json
jq -r '.timeline[] | "\(.day) \(.kind) \(.ref) \(.what) \(.status)"' "$WORK/out" >"$WORK/tl.txt"
has_text "L2 closed" "$WORK/tl.txt" "2024-05-01 decision"
has_text "L2 closed: the case" "$WORK/tl.txt" "case_closed done"
has_text "L2 payment P5 in the timeline" "$WORK/tl.txt" "2024-05-01 payment P5 60000 XOF"
check_exit "timeline of an unknown account" 4 v timeline NOPE --as-of 2024-06-30

# --- with a gap: catch-up gives the same decisions ------------------------------------------------
new_db gap || exit 1
load_fixture gap
check "first run (gap)" v run --policy "$POL" --as-of 2024-01-01
check "a week" v run --policy "$POL" --as-of 2024-01-08
check_exit "a missing template directory stops the run before it starts" 4 v run --policy "$POL" --as-of 2024-01-09 --templates "$WORK/no-such-dir"
check "then four months at once" v run --policy "$POL" --as-of 2024-05-10
has_text "catch-up days" "$WORK/out" "123 days run (2024-01-09 to 2024-05-10)"
check "the rest" v run --policy "$POL" --as-of 2024-06-30
keys "$WORK/gap.keys"
check "catch-up = day by day" diff "$WORK/daily.keys" "$WORK/gap.keys"

# --- killed mid-way, then run again = one clean run -----------------------------------------------
new_db clean || exit 1
CLEAN=$DB
check "demo (clean)" v demo --dir "$WORK/demo" --as-of 2026-11-25
new_db killed || exit 1
KILLED=$DB
check "demo import (killed)" v demo --dir "$WORK/demo2" --as-of 2026-11-25
DB=$CLEAN
check "clean first run" v run --policy "$POL" --as-of 2026-05-01
check "clean catch-up" v run --policy "$POL" --as-of 2026-09-30 --batch 200
DB=$KILLED
check "first run (to be killed)" v run --policy "$POL" --as-of 2026-05-01
: >"$WORK/killed.out"
"$VIGIE" --db "$DB" run --policy "$POL" --as-of 2026-09-30 --batch 200 >>"$WORK/killed.out" 2>&1 &
pid=$!
# wait until some days are done, then kill it in the middle of the run
i=0
while [ $i -lt 600 ] && [ "$(grep -c 'accounts evaluated' "$WORK/killed.out")" -lt 20 ]; do sleep 0.05; i=$((i + 1)); done
if kill -9 "$pid" 2>/dev/null; then ok "killed with SIGKILL after $(grep -c 'accounts evaluated' "$WORK/killed.out") days"; else not_ok "the run ended before it could be killed"; fi
wait "$pid" 2>/dev/null
check "run again" v run --policy "$POL" --as-of 2026-09-30 --batch 200
check "and again: nothing to do" v run --policy "$POL" --as-of 2026-09-30
has_text "nothing left" "$WORK/out" "nothing to do: the last day run is 2026-09-30"
for which in clean killed; do
  [ $which = clean ] && DB=$CLEAN || DB=$KILLED
  v decisions --format csv | tail -n +2 | awk -F, '{print $NF}' >"$WORK/$which.all"
  sort -o "$WORK/$which.all" "$WORK/$which.all"
done
eq "decisions after the kill" "$(wc -l <"$WORK/killed.all")" "$(wc -l <"$WORK/clean.all")"
check "same decisions as the clean run" diff "$WORK/clean.all" "$WORK/killed.all"
eq "no dedupe key twice" "$(uniq -d "$WORK/killed.all" | wc -l)" "0"

done_tests

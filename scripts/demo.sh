#!/bin/sh
# `make demo`: builds a fresh demo store (demo/vigie.db) from a generated, seeded portfolio, sets up
# the people of a microfinance institution, scores the clients from their own repayment history,
# runs the example follow-up and collection policy day by day over the last 30 days, renders the
# messages, records a day of field work, and prints what each person would look at today.
# The date is taken here, in the shell; Vigie itself has no hidden clock.
set -e
VIGIE=${1:-build/rel/vigie}
TODAY=${VIGIE_DEMO_AS_OF:-$(date +%F)}
day() { date -d "$TODAY $1 days" +%F; }
START=$(day -30)
DB=demo/vigie.db
V() { "$VIGIE" --db "$DB" "$@"; }
title() { printf '\n=== %s\n' "$*"; }
mkdir -p demo
rm -f $DB $DB-wal $DB-shm demo/behaviour.json
V demo --dir demo/csv --as-of "$TODAY"

title "Portfolio at risk by branch, as of $TODAY"
V report par --as-of "$TODAY" --by branch
title "Aged balance by product"
V report ageing --as-of "$TODAY" --by product

# --- people: an admin, a manager, an auditor, a supervisor per branch, the loan officers ---------
V user add admin --role admin --display "Awa Ndiaye (admin)" --on "$START" >/dev/null
V settings set institution_name "Caisse Solidaire Vigie" --as admin --on "$START" >/dev/null
V settings set institution_phone "+221 33 800 00 00" --as admin --on "$START" >/dev/null
V user add mgr --role manager --display "Moussa Diallo" --on "$START" --as admin >/dev/null
V user add aud --role auditor --display "Claire Martin" --on "$START" --as admin >/dev/null
sqlite3 -separator ' ' "$DB" "SELECT DISTINCT branch, officer FROM account WHERE officer <> '' ORDER BY 1, 2" |
while read -r branch officer; do
  V user add "$officer" --role agent --branch "$branch" --display "Agent $officer" \
    --phone "+221 77 000 0${officer#O}" --on "$START" --as admin >/dev/null
done
sqlite3 "$DB" "SELECT DISTINCT branch FROM account WHERE branch <> '' ORDER BY 1" | while read -r branch; do
  V user add "sup-$branch" --role supervisor --branch "$branch" --display "Supervisor $branch" \
    --on "$START" --as admin >/dev/null
done
title "Users"
V user list --as admin | head -n 8
echo "..."

# --- risk: a behavioural score learnt from the ledger's own history, grades as segments ----------
title "Behavioural scorecard trained on the ledger (observed $(day -120), outcome over 90 days)"
V score train --from-ledger --as-of "$(day -120)" --horizon 90 --out demo/behaviour.json | tail -n 4

# --- the daily run: the risk refresh grades every client (the policy's segments), then the policy
# runs day by day over the last 30 days (caught up in order), its alerts and four-eyes steps are
# queued for the supervisors, and its messages rendered in each client's language ----------------
title "Daily run of policies/microfinance.yaml on $START (with the risk refresh)"
V run --policy policies/microfinance.yaml --as-of "$START" --model demo/behaviour.json | tail -n 3
title "Active loans by grade, as of $START"
V segments --as-of "$START" --by grade
title "Daily runs from $START to $TODAY (caught up day by day), messages rendered"
V run --policy policies/microfinance.yaml --as-of "$TODAY" --model demo/behaviour.json --templates templates |
  tail -n 4

# --- a day of field work: the first officer's worklist, a call with a promise to pay ------------
OFFICER=$(sqlite3 "$DB" "SELECT officer FROM account WHERE officer <> '' ORDER BY officer LIMIT 1")
title "Worklist of $OFFICER for $TODAY (by priority: days late, amount)"
V tasks --officer "$OFFICER" --as-of "$TODAY" | head -n 12
TASK=$(V tasks --officer "$OFFICER" --as-of "$TODAY" --format csv | awk -F, 'NR > 1 && $6 == "task" && $14 > 0 { print $1; exit }')
if [ -n "$TASK" ]; then
  L=$(sqlite3 "$DB" "SELECT a.ext_id FROM decision d JOIN account a ON a.id = d.account_id WHERE d.id = $TASK")
  title "$OFFICER calls the client of $L: a promise to pay"
  V task done "$TASK" --outcome promise --amount 10000 --promise-date "$(day 7)" \
    --note "will pay after the market day" --as "$OFFICER" --on "$TODAY"
  title "Timeline of $L"
  V account timeline "$L" --as-of "$TODAY" | tail -n 25
fi

title "Alerts waiting for a supervisor (first 10)"
V alerts --status open | head -n 12
title "The approval queue (four eyes)"
V approvals --status pending | head -n 12
title "Outbox: the first messages of $TODAY"
V outbox --as-of "$TODAY" --status queued | head -n 8
FIRST_MSG=$(V outbox --as-of "$TODAY" --status queued --format csv | awk -F, 'NR == 2 { print $1 }')
[ -n "$FIRST_MSG" ] && V outbox --show "$FIRST_MSG"
title "The audit log verifies"
V audit verify --as aud

cat <<EOM

The demo store is demo/vigie.db (CSV files in demo/csv). Try, for example:
  $VIGIE --db $DB report par --as-of $TODAY --by officer
  $VIGIE --db $DB tasks --officer $OFFICER --as-of $TODAY
  $VIGIE --db $DB account timeline ${L:-L0000001} --as-of $TODAY --format json
  $VIGIE --db $DB segments --as-of $TODAY --by grade --format json
  $VIGIE --db $DB approvals --status pending
  $VIGIE --db $DB alerts --status open --format json
  $VIGIE --db $DB simulate --policy policies/trade-receivables-fr.yaml --from $START --to $TODAY --detail
  $VIGIE --db $DB report par --as-of 2025-06-30   (any past day replays exactly)
EOM

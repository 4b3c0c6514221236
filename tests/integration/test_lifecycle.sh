#!/bin/sh
# test_lifecycle.sh: the two example policies run day by day over the demo portfolio, read the way a
# credit manager reads them (issue 3, "Done when"). docs/lifecycle.md walks through what it shows.
# 1. microfinance, grades refreshed every day (the daily risk refresh): every decision fires on its
#    day relative to its anchor, no stage skipped, no stale step after a payment, a case closed the
#    day it is settled, no dedupe key twice, the last day again creates nothing.
# 2. microfinance, grades as of the first day (one refresh), with people at work: a new loan's
#    verification and visits, a good payer's renewal check, a C and a B client falling late (gentler
#    paths) against a D/E one (faster), a failed verification (alert next run), a promise kept, a
#    promise broken, four-eyes steps approved and rejected, a pause the path waits out; the same 60
#    days as one catch-up store the same keys (overdue alerts aside: docs/lifecycle.md, Known gaps).
# 3. B2B (trade-receivables-fr.yaml) on hand-made French invoices: reminders before due, relance,
#    email + letter at once, mise en demeure, insurer notice, injonction (four eyes), in French.
. "$(dirname "$0")/lib.sh"
MF="$ROOT/policies/microfinance.yaml"
B2B="$ROOT/policies/trade-receivables-fr.yaml"
TPL="$ROOT/templates"
AS=2026-11-25      # the demo portfolio's date
START=2026-09-26   # first run: 60 days before it
day() { date -u -d "$1 + $2 day" +%F; }
ddiff() { echo $(( ($(date -u -d "$2" +%s) - $(date -u -d "$1" +%s)) / 86400 )); }
sql() { if [ "$BACKEND" = postgres ]; then psql -X -q -At -F'|' -d "$DB" -c "$1"; else sqlite3 "$DB" "$1"; fi; }
keys() { v decisions --format csv | tail -n +2 | awk -F, '{print $NF}' | sort; }
# dec: the decisions, tab-separated: 1 id, 2 day, 3 account, 4 segment, 5 step, 6 action, 7 channels,
# 8 template, 9 task, 10 assignee, 11 four_eyes, 12 status, 13 anchor, 14 dpd, 15 late, 16 currency,
# 17 dedupe key, 18 day and 19 anchor as day numbers
dec() { v decisions --format json | jq -r 'def jd: strptime("%Y-%m-%d") | mktime / 86400 | floor;
  .decisions[] | [.id, .day, .account_id, .segment, .step, .action, .channels, .template, .task, .assignee,
  .four_eyes, .status, .anchor, .days_past_due, .late_amount, .currency, .dedupe_key, (.day | jd), (.anchor | jd)] | @tsv' >"$WORK/dec.csv"; }
# did ACCOUNT STEP: the first decision id of that step for the account
did() { awk -F'\t' -v a="$1" -v s="$2" '$3 == a && $5 == s { print $1; exit }' "$WORK/dec.csv"; }
# tl ACCOUNT: its timeline's decisions from START, "day step status" per line
tl() { v account timeline "$1" --as-of "$AS" --format json |
  jq -r --arg s "$START" '.timeline[] | select(.day >= $s and .kind == "decision") | "\(.day) \(.what | split(" ")[0]) \(.status)"'; }

# A client graded C with a clean history whose October installment is not paid (LX00001), and a second
# loan of C000020 (graded B on the first day) unpaid from 2026-10-15 (LX00002).
handmade() {
  cat >"$WORK/hm_clients.csv" <<'CSV'
client_id,name,branch,officer,phone,email,language
CX00001,Aminata Sow,Dakar-Plateau,O001,+221770001001,,fr
CSV
  cat >"$WORK/hm_loans.csv" <<'CSV'
loan_id,client_id,currency,principal,disbursed_on,product,branch,officer,written_off_on
LX00001,CX00001,XOF,600000,2026-03-31,individual,Dakar-Plateau,O001,
LX00002,C000020,XOF,300000,2026-06-15,individual,Dakar-Plateau,O001,
CSV
  { echo loan_id,due_on,principal,interest,fees
    for d in 2026-04-30 2026-05-30 2026-06-30 2026-07-30 2026-08-30 2026-09-30 2026-10-30 2026-11-30 2026-12-30 2027-01-30 2027-02-28 2027-03-30; do
      echo "LX00001,$d,50000,6000,0"; done
    for d in 2026-07-15 2026-08-15 2026-09-15 2026-10-15 2026-11-15 2026-12-15; do echo "LX00002,$d,50000,3000,0"; done
  } >"$WORK/hm_schedules.csv"
  { echo payment_id,account_id,paid_on,amount; i=1
    for d in 2026-04-29 2026-05-29 2026-06-29 2026-07-29 2026-08-29 2026-09-29; do echo "PX0000$i,LX00001,$d,56000"; i=$((i + 1)); done
    for d in 2026-07-14 2026-08-14 2026-09-14; do echo "PX0000$i,LX00002,$d,53000"; i=$((i + 1)); done
  } >"$WORK/hm_payments.csv"
  for k in clients loans schedules payments; do check "hand-made $k ($1)" v import $k "$WORK/hm_$k.csv"; done
}
# setup NAME: demo portfolio (smaller than the default), the hand-made loans, people, settings
setup() {
  new_db "$1" || exit 1
  check "demo ($1)" v demo --dir "$WORK/csv_$1" --as-of "$AS" --clients 300 --loans 400 --invoices 150
  handmade "$1"
  check "admin ($1)" v user add admin --role admin --on "$START"
  v settings set institution_name "Caisse Solidaire Vigie" --as admin --on "$START" >/dev/null
  v settings set institution_phone "+221 33 800 00 00" --as admin --on "$START" >/dev/null
  v user add mgr --role manager --on "$START" --as admin >/dev/null
  sql "SELECT DISTINCT branch, officer FROM account WHERE officer <> '' ORDER BY 1, 2" | tr '|' ' ' |
  while read -r b o; do v user add "$o" --role agent --branch "$b" --phone "+221 77 000 0${o#O}" --on "$START" --as admin >/dev/null; done
  sql "SELECT DISTINCT branch FROM account WHERE branch <> '' ORDER BY 1" |
  while read -r b; do v user add "sup-$b" --role supervisor --branch "$b" --on "$START" --as admin >/dev/null; done
  eq "users ($1)" "$(v user list --as admin --format json | jq '.users | length')" "$((2 + 21 + 7))"
}
# run_days FROM TO ARGS...: vigie run for each day of [FROM, TO]
run_days() { rfrom=$1; rto=$2; shift 2; rd=$rfrom; rfail=0
  while :; do v run --policy "$MF" --as-of "$rd" "$@" >>"$WORK/runs.log" 2>&1 || { rfail=1; echo "    run $rd failed"; tail -n 5 "$WORK/runs.log"; }
    [ "$rd" = "$rto" ] && break; rd=$(day "$rd" 1); done; return $rfail; }

# === 1. microfinance, grades refreshed every day ====================================================
setup daily
MODEL="$WORK/behaviour.json"
check "behavioural model from the ledger" v score train --from-ledger --as-of 2026-05-28 --horizon 90 --out "$MODEL"
check "61 days run one by one, with the risk refresh and the outbox" run_days "$START" "$AS" --model "$MODEL" --templates "$TPL"
dec; cp "$WORK/dec.csv" "$WORK/daily.csv"
keys >"$WORK/daily.keys"
eq "no dedupe key twice" "$(uniq -d "$WORK/daily.keys" | wc -l)" "0"
check "the last day again" v run --policy "$MF" --as-of "$AS" --model "$MODEL" --templates "$TPL"
has_text "nothing to do" "$WORK/out" "nothing to do: the last day run is $AS"
keys >"$WORK/again.keys"
check "creates nothing" diff "$WORK/daily.keys" "$WORK/again.keys"

# Every decision on its day: the step's offset (and repeats) from its anchor. No hold in this store,
# so a collection step of offset N fires on anchor + N exactly. Table: segment step offset every.
cat >"$WORK/offsets" <<'TXT'
standard loan-use 14 0
standard monitoring 30 30
standard sms-before-3 -3 0
standard sms-before-1 -1 0
standard sms-late-1 1 0
standard call-5 5 0
standard visit-15 15 0
standard letter-30 30 0
standard plan-45 45 0
standard notice-60 60 0
standard renewal -30 0
low-risk loan-use 14 0
low-risk monitoring 60 60
low-risk sms-before-2 -2 0
low-risk sms-late-3 3 0
low-risk call-10 10 0
low-risk visit-21 21 0
low-risk letter-45 45 0
low-risk renewal -45 0
high-risk loan-use 7 0
high-risk monitoring 15 15
high-risk sms-before-7 -7 0
high-risk sms-before-3 -3 0
high-risk sms-before-1 -1 0
high-risk sms-late-1 1 0
high-risk call-2 2 0
high-risk visit-5 5 0
high-risk letter-10 10 0
high-risk notice-20 20 0
high-risk escalate-30 30 0
high-risk plan-45 45 0
high-risk renewal -30 0
TXT
awk -F'\t' 'NR == FNR { split($0, f, " "); off[f[1] SUBSEP f[2]] = f[3]; ev[f[1] SUBSEP f[2]] = f[4]; next }
  { k = $4 SUBSEP $5; if (!(k in off)) next; n++
    split($17, key, "|"); want = $19 + off[k] + key[5] * ev[k]
    if ($18 != want) { bad++; print "    off day: " $0 } }
  END { printf "%d %d\n", n, bad + 0 }' "$WORK/offsets" "$WORK/daily.csv" >"$WORK/offcheck"
eq "every scheduled step on anchor + offset (+ repeats)" "$(tail -n 1 "$WORK/offcheck" | cut -d' ' -f2)" "0"
[ "$(tail -n 1 "$WORK/offcheck" | cut -d' ' -f1)" -gt 500 ] && ok "over 500 such steps checked" || not_ok "few steps checked: $(cat "$WORK/offcheck")"
# the collection path of a D/E client: stages in order, none skipped (a path whose anchor is in the
# window, that stayed in the high-risk segment): the offsets fired are a prefix of 1 2 5 10 20 30 45
awk -F'\t' '$4 == "high-risk" && $5 ~ /^(sms-late-1|call-2|visit-5|letter-10|notice-20|escalate-30|plan-45)$/ && $13 > "'"$START"'" {
    split($5, s, "-"); o = s[length(s)] + 0; p[$3 " " $13] = p[$3 " " $13] " " o }
  END { for (k in p) print k p[k] }' "$WORK/daily.csv" | sort >"$WORK/paths"
# (contiguous), and a path that begins past stage 1 is one whose anchor was reached by a payment
# settling an older installment (not 1 day late the day after it: docs/policies.md, re-planning)
bad=$(awk '{ n = split("1 2 5 10 20 30 45", w, " "); for (j = 1; j <= n; j++) if (w[j] == $3) break
  for (i = 3; i <= NF; i++) if ($i != w[j + i - 3]) { print; break } }' "$WORK/paths")
awk '$3 != 1 { print $1, $2 }' "$WORK/paths" | while read -r a an; do
  [ "$(v account show "$a" --as-of "$(day "$an" 1)" --format json | jq .days_past_due)" != 1 ] || echo "$a $an starts late"; done >"$WORK/late_starts"
eq "high-risk paths: stages contiguous ($(wc -l <"$WORK/paths") paths)" "$bad" ""
eq "a path entered mid-way only after a payment moved the anchor" "$(cat "$WORK/late_starts")" ""
grep -q ' 1 2 5 10 20 30$' "$WORK/paths" && ok "a path up to the escalation at 30 days" || not_ok "no path reaches escalate-30"
# no stale step: once an account's anchor moved on, no step of an older anchor fires
stale=$(awk -F'\t' '$5 ~ /^(sms-late|call|visit|letter|plan|notice|escalate)-[0-9]+$/ { if ($3 in last && $13 < last[$3]) print; if ($13 > last[$3]) last[$3] = $13 }' "$WORK/daily.csv")
eq "no step of an old anchor after a newer one" "$stale" ""
# a case closed on the day of a payment, and nothing for the account after it
closed=$(awk -F'\t' '$6 == "case_closed" { print $3 "," $2 }' "$WORK/daily.csv")
[ -n "$closed" ] && ok "cases closed: $(echo "$closed" | wc -l)" || not_ok "no case closed"
cbad=0
for c in $closed; do a=${c%,*}; d=${c#*,}
  n=$(v account timeline "$a" --as-of "$AS" --format json | jq --arg d "$d" '[.timeline[] | select(.kind == "payment" and .day == $d)] | length')
  later=$(awk -F'\t' -v a="$a" -v d="$d" '$3 == a && $2 > d' "$WORK/daily.csv" | wc -l)
  [ "$n" -ge 1 ] && [ "$later" -eq 0 ] || { cbad=$((cbad + 1)); echo "    $a closed $d: $n payments that day, $later decisions after"; }
done
eq "every case closed on a payment day, nothing after" "$cbad" "0"
# no message or task twice for one step
eq "one renewal check per maturity" "$(awk -F'\t' '$5 == "renewal" { print $3 }' "$WORK/daily.csv" | sort | uniq -d)" ""
# grades move with the days past due: no A/B client is late in this portfolio
eq "every late step is in the high-risk segment (the refresh grades late clients D/E; group loans follow the group path)" \
  "$(awk -F'\t' '$14 > 0 && $6 != "case_closed" && $4 != "high-risk" && $4 != "group" { print $4 }' "$WORK/daily.csv" | sort -u | tr '\n' ' ')" ""
check "rendered" v outbox --as-of "$AS" --status failed_render --format csv
eq "no message failed to render" "$(tail -n +2 "$WORK/out" | wc -l)" "0"

# The same days as one catch-up, in a fresh store with the same grade history (one risk refresh per
# day before the run) store the same keys: a grade change already stored makes the account due on
# its day, as the refresh does in a day-by-day run.
if :; then
  setup catchup
  rd=$START
  while :; do v risk refresh --model "$MODEL" --as-of "$rd" --as admin >>"$WORK/refresh.log" 2>&1 || echo "    refresh $rd failed"; [ "$rd" = "$AS" ] && break; rd=$(day "$rd" 1); done
  check "first run" v run --policy "$MF" --as-of "$START"
  check "then 60 days at once" v run --policy "$MF" --as-of "$AS"
  keys >"$WORK/catchup.keys"
  check "catch-up = day by day, grades refreshed daily (dedupe keys)" diff "$WORK/daily.keys" "$WORK/catchup.keys"
fi

# === 2. grades as of the first day: day by day, as one catch-up, and with people at work ==========
setup frozen
check "first run with the risk refresh" v run --policy "$MF" --as-of "$START" --model "$MODEL"
check "then day by day" run_days "$(day "$START" 1)" "$AS"
dec; cp "$WORK/dec.csv" "$WORK/frozen.csv"
keys >"$WORK/frozen.keys"
setup frozen_cu
check "first run with the risk refresh (catch-up)" v run --policy "$MF" --as-of "$START" --model "$MODEL"
check "then 60 days at once" v run --policy "$MF" --as-of "$AS"
has_text "caught up" "$WORK/out" "60 days run ($(day "$START" 1) to $AS)"
keys >"$WORK/frozen_cu.keys"
# Overdue alerts on the run's own tasks included: the evaluation that creates a task also knows when
# it will be overdue (engine/daily_run.c, own_overdue).
check "catch-up = day by day (every dedupe key: $(wc -l <"$WORK/frozen.keys"))" diff "$WORK/frozen.keys" "$WORK/frozen_cu.keys"

# steps ACCOUNT ANCHOR: "offset:step" of the collection steps of that anchor, in order, from $WORK/dec.csv
steps() { awk -F'\t' -v a="$1" -v an="$2" '$3 == a && $13 == an && $5 ~ /-[0-9]+$/ && $5 !~ /before/ { printf "%s%d:%s", sep, $18 - $19, $5; sep = " " }' "$WORK/dec.csv"; }
cp "$WORK/frozen.csv" "$WORK/dec.csv"
# the gentler paths: LX00002 (client graded B), LX00001 (graded C), both unpaid since October
eq "B client, 41 days late: SMS at 3, call at 10, visit at 21" "$(steps LX00002 2026-10-15)" "3:sms-late-3 10:call-10 21:visit-21"
eq "C client, 26 days late: SMS at 1, call at 5, visit at 15" "$(steps LX00001 2026-10-30)" "1:sms-late-1 5:call-5 15:visit-15"
eq "B: one reminder, 2 days before" "$(awk -F'\t' '$3 == "LX00002" && $5 ~ /before/ { print $2 " " $5 }' "$WORK/dec.csv" | head -n 1)" "2026-10-13 sms-before-2"
# a D/E client: the fast path, an anchor in the window that reached 30 days
HR=$(awk -F'\t' '$4 == "high-risk" && $5 == "escalate-30" && $13 > "'"$START"'" { print $3 " " $13; exit }' "$WORK/dec.csv")
set -- $HR
eq "D/E client $1: SMS 1, call 2, visit 5, SMS+letter 10, notice 20, escalation 30" "$(steps "$1" "$2")" "1:sms-late-1 2:call-2 5:visit-5 10:letter-10 20:notice-20 30:escalate-30"
eq "three reminders before each due date" "$(awk -F'\t' -v a="$1" '$3 == a && $5 ~ /before/ { print $5 }' "$WORK/dec.csv" | sort -u | tr '\n' ' ')" "sms-before-1 sms-before-3 sms-before-7 "
# a good payer near maturity: a renewal check 45 days (A/B) or 30 days (C) before the last due date
RN=$(awk -F'\t' '$5 == "renewal" { print $3 " " $4 " " $18 - $19; exit }' "$WORK/dec.csv")
set -- $RN
case "$2 $3" in "low-risk -45"|"standard -30"|"high-risk -30") ok "renewal check of $1 ($2) $3 days before maturity";; *) not_ok "renewal check: $RN";; esac
eq "$1: never late, no collection step" "$(awk -F'\t' -v a="$1" '$3 == a && $14 > 0' "$WORK/dec.csv")" ""
# a loan disbursed in the window: its verification and first monitoring visit on their days
NEW=$(awk -F'\t' '$5 == "loan-use" && $13 > "'"$START"'" { print $3 " " $4 " " $13; exit }' "$WORK/dec.csv")
set -- $NEW
case $2 in high-risk) lu=7 mv=15;; low-risk) lu=14 mv=60;; *) lu=14 mv=30;; esac
eq "new loan $1 ($2): verification at D+$lu" "$(awk -F'\t' -v a="$1" '$3 == a && $5 == "loan-use" { print $18 - $19 }' "$WORK/dec.csv")" "$lu"
mvd=$(awk -F'\t' -v a="$1" '$3 == a && $5 == "monitoring" { print $18 - $19; exit }' "$WORK/dec.csv")
[ -z "$mvd" ] && [ "$(ddiff "$3" "$AS")" -lt "$mv" ] && ok "first visit not due yet" || eq "first monitoring visit at D+$mv" "$mvd" "$mv"

# --- people at work --------------------------------------------------------------------------------
# a D/E path that starts in the window, for the pause: anchor A with a visit at 5 and a letter at 10
PA=$(awk -F'\t' '$4 == "high-risk" && $5 == "letter-10" && $13 > "'"$(day "$START" 3)"'" && $13 < "'"$(day "$AS" -25)"'" { print $3 " " $13; exit }' "$WORK/dec.csv")
PACC=${PA% *}; PANC=${PA#* }
PBR=$(v account show "$PACC" --as-of "$AS" --format json | jq -r .branch)
LU=$(awk -F'\t' '$9 == "loan_use_verification" && $2 > "'"$START"'" && $2 < "'"$(day "$AS" -5)"'" { print $3 " " $2; exit }' "$WORK/dec.csv")
LUACC=${LU% *}; LUDAY=${LU#* }
LUO=$(v account show "$LUACC" --as-of "$AS" --format json | jq -r .officer)
setup work
check "first run with the risk refresh (work)" v run --policy "$MF" --as-of "$START" --model "$MODEL"
# act DAY: what people do on DAY, after its run
act() {
  dec
  case $1 in
  "$LUDAY")
    T=$(did "$LUACC" loan-use)
    check "$LUO: verification of $LUACC failed" v task done "$T" --outcome failed --note "stock not found" --as "$LUO" --on "$1";;
  2026-10-25)
    T=$(did LX00002 call-10)
    check "O001 calls LX00002's client: a promise" v task done "$T" --outcome promise --amount 53000 --promise-date 2026-10-30 --as O001 --on "$1"
    printf 'payment_id,account_id,paid_on,amount\nPXK1,LX00002,2026-10-28,53000\n' >"$WORK/pk.csv"
    check "paid on 2026-10-28" v import payments "$WORK/pk.csv";;
  2026-11-04)
    T=$(did LX00001 call-5)
    check "O001 calls LX00001's client: a promise, not kept" v task done "$T" --outcome promise --amount 56000 --promise-date 2026-11-08 --as O001 --on "$1";;
  "$(day "$PANC" 2)")
    check "a pause on $PACC (flood), 5 days" v hold add "$PACC" --kind pause --from "$(day "$PANC" 3)" --to "$(day "$PANC" 7)" --reason "flood in the district" --as "sup-$PBR" --on "$1";;
  esac
}
rd=$(day "$START" 1)
while :; do v run --policy "$MF" --as-of "$rd" >>"$WORK/runs.log" 2>&1 || { not_ok "run $rd (work)"; tail -n 3 "$WORK/runs.log"; }
  act "$rd"; [ "$rd" = "$AS" ] && break; rd=$(day "$rd" 1); done
dec
# the failed verification: a supervisor's alert (and, D/E, a supervisor's visit 3 days later)
eq "verification failed -> alert to the supervisor on its day" "$(awk -F'\t' -v a="$LUACC" '$3 == a && $5 == "verification-failed" { print $2 " " $10 }' "$WORK/dec.csv")" "$LUDAY role:supervisor"
check "alerts" v alerts --account "$LUACC" --format json
eq "the alert is open" "$(jqv '[.alerts[] | select(.kind == "verification-failed") | .status] | join(",")')" "open"
# the kept promise: the path paused, the payment moved the anchor; no visit-21 of the old anchor
eq "promise kept" "$(v promises --as-of "$AS" --account LX00002 --format json | jq -r '[.promises[].status] | join(",")')" "kept"
eq "LX00002: the old path stops at the call" "$(steps LX00002 2026-10-15)" "3:sms-late-3 10:call-10"
eq "LX00002: a new path from 2026-11-15" "$(steps LX00002 2026-11-15)" "3:sms-late-3 10:call-10"
# the broken promise: the supervisor told on the broken day (2026-11-09), a visit the next day;
# the path held while the promise was open (11-04 to 11-08): visit-15 five days later than 11-14
eq "promise broken" "$(v promises --as-of "$AS" --account LX00001 --format json | jq -r '[.promises[].status] | join(",")')" "broken"
eq "LX00001 after the broken promise" "$(awk -F'\t' '$3 == "LX00001" && $5 ~ /promise-broken|visit/ { printf "%s %s;", $2, $5 }' "$WORK/dec.csv")" \
  "2026-11-09 promise-broken-alert;2026-11-10 promise-broken-visit;2026-11-19 visit-15;"
# the pause: 5 days not counted (up to the payment that ends this path, if any)
PEND=$(v account timeline "$PACC" --as-of "$AS" --format json | jq -r --arg a "$PANC" --arg e "$AS" '[.timeline[] | select(.kind == "payment" and .day > $a) | .day] + [$e] | min')
eq "$PACC paused 5 days: the stages after it 5 days later (to $PEND)" "$(steps "$PACC" "$PANC")" "$(cp "$WORK/dec.csv" "$WORK/w.csv"; cp "$WORK/frozen.csv" "$WORK/dec.csv"; steps "$PACC" "$PANC" | awk -v lim="$(ddiff "$PANC" "$PEND")" '{ for (i = 1; i <= NF; i++) { split($i, s, ":"); o = s[1] + (s[1] + 0 >= 3 ? 5 : 0); if (o > lim) continue; printf "%s%d:%s", (i > 1 ? " " : ""), o, s[2] } }'; cp "$WORK/w.csv" "$WORK/dec.csv")"
# four eyes: the run queued the escalations; a supervisor approves one, rejects another
check "approvals" v approvals --status pending --format json
jqv '[.approvals[] | select(.kind == "step")][0:2][] | "\(.id) \(.branch // "")"' >"$WORK/ap"
A1=$(sed -n 1p "$WORK/ap" | cut -d' ' -f1); A2=$(sed -n 2p "$WORK/ap" | cut -d' ' -f1)
[ -n "$A1" ] && [ -n "$A2" ] && ok "four-eyes steps waiting: $(jqv '[.approvals[] | select(.kind == "step")] | length')" || not_ok "no pending step approvals"
check_exit "the system's request, approved by nobody else than a supervisor: an agent may not" 1 v approve "$A1" --as O001 --on "$AS"
check "manager approves $A1" v approve "$A1" --note "go ahead" --as mgr --on "$AS"
check "manager rejects $A2" v reject "$A2" --note "client already on a plan" --as mgr --on "$AS"
check "approvals after" v approvals --format json
eq "applied and rejected" "$(jqv "[.approvals[] | select(.id == $A1 or .id == $A2) | .status] | sort | join(\",\")")" "applied,rejected"
check "timeline of LX00001" v account timeline LX00001 --as-of "$AS" --format json
eq "its story, from the promise" "$(jq -r '[.timeline[] | select(.day >= "2026-11-04" and .kind != "message" and .kind != "bucket") | "\(.day) \(.kind) \(.what | split(" ")[0])"] | join("; ")' "$WORK/out")" \
  "2026-11-04 decision call-5; 2026-11-04 outcome call; 2026-11-04 promise 56000; 2026-11-09 decision promise-broken-alert; 2026-11-09 alert promise-broken-alert; 2026-11-10 decision promise-broken-visit; 2026-11-19 decision visit-15"

# === 3. B2B: French invoices under trade-receivables-fr.yaml =======================================
new_db b2b || exit 1
check "init (b2b)" v init
cat >"$WORK/b2b_clients.csv" <<'CSV'
client_id,name,branch,officer,phone,email,language
F001,Boulangerie Martin SARL,Paris,O019,,compta@martin.example,fr
F002,Transports Leroy SAS,Lyon,O016,,factures@leroy.example,fr
CSV
cat >"$WORK/b2b_invoices.csv" <<'CSV'
invoice_id,client_id,currency,amount,issued_on,due_on,branch,officer
FA-2026-101,F001,EUR,2400.00,2026-08-26,2026-09-25,Paris,O019
FA-2026-102,F002,EUR,18500.00,2026-08-20,2026-10-05,Lyon,O016
CSV
printf 'payment_id,account_id,paid_on,amount\nVB1,FA-2026-102,2026-11-20,18500.00\n' >"$WORK/b2b_payments.csv"
for k in clients invoices payments; do check "import $k (b2b)" v import $k "$WORK/b2b_$k.csv"; done
check "admin (b2b)" v user add admin --role admin --on "$START"
v settings set institution_name "Vigie Distribution SAS" --as admin --on "$START" >/dev/null
v settings set late_interest_rate "12.15" --as admin --on "$START" >/dev/null
v settings set institution_phone "+33 1 40 00 00 00" --as admin --on "$START" >/dev/null
v user add O019 --role agent --branch Paris --display "Julie Bernard" --phone "+33 6 10 00 00 19" --on "$START" --as admin >/dev/null
v user add O016 --role agent --branch Lyon --display "Marc Petit" --phone "+33 6 10 00 00 16" --on "$START" --as admin >/dev/null
brd=$START
while :; do v run --policy "$B2B" --as-of "$brd" --templates "$TPL" >>"$WORK/runs.log" 2>&1 || not_ok "b2b run $brd"; [ "$brd" = "$AS" ] && break; brd=$(day "$brd" 1); done
dec
# invoice (standard, no grade): relance the day after, email + letter at 8, call at 15, mise en demeure
# at 30, insurer at 45, injonction at 60 (four eyes: waits for a manager)
eq "FA-2026-101: the French path" "$(steps FA-2026-101 2026-09-25)" "1:email-after-1 8:email-letter-8 15:call-15 30:mise-en-demeure-30 45:assureur-45 60:injonction-60"
eq "the injonction waits for approval" "$(awk -F'\t' '$3 == "FA-2026-101" && $5 == "injonction-60" { print $10, $11, $12 }' "$WORK/dec.csv")" "role:manager true open"
check "approvals (b2b)" v approvals --status pending --format json
eq "one request, by the run" "$(jqv '[.approvals[] | "\(.kind) \(.maker) \(.payload.step)"] | join(",")')" "step system injonction-60"
eq "email + letter: one decision, two channels" "$(awk -F'\t' '$3 == "FA-2026-101" && $5 == "email-letter-8" { print $7 }' "$WORK/dec.csv")" "email,letter"
# the large customer (18,500 EUR): two reminders before due, then its path until paid on 2026-11-20
eq "FA-2026-102: reminders at -10 and -3" "$(awk -F'\t' '$3 == "FA-2026-102" && $5 ~ /before/ { printf "%s ", $5 }' "$WORK/dec.csv")" "email-before-3 "
eq "FA-2026-102: large-account path" "$(steps FA-2026-102 2026-10-05)" "1:email-after-1 5:call-5 10:email-letter-10 20:documents-20 30:mise-en-demeure-30 35:escalate-35 45:assureur-45"
eq "FA-2026-102 closed the day it is paid" "$(awk -F'\t' '$3 == "FA-2026-102" && $6 == "case_closed" { print $2 }' "$WORK/dec.csv")" "2026-11-20"
check "outbox (b2b)" v outbox --as-of "$AS" --format json
MD=$(jqv '[.messages[] | select(.account_id == "FA-2026-101" and .template == "mise_en_demeure")][0].id')
check "the mise en demeure, shown" v outbox --show "$MD"
has_text "in French" "$WORK/out" "mise en demeure"
eq "rendered in French, none failed (the injonction held for approval)" "$(v outbox --as-of "$AS" --format json | jq -r '[.messages[] | "\(.language) \(.status)"] | unique | join(",")')" "fr held,fr queued"

done_tests

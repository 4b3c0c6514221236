#!/bin/sh
# test_work.sh: what people do with the daily run's decisions, through the real binary, on the
# fixtures of test_run.sh: a task's outcome with a promise (kept once paid), four-eyes steps
# approved and rejected (maker != checker), write-off, rescheduling and fee waiver applied on
# approval, a bad reschedule file refused (nothing written), alerts acknowledged, holds added and
# ended with their history, access refused where the role or branch does not allow, and every write
# in the audit log (whose chain verifies).
. "$(dirname "$0")/lib.sh"
POL="$ROOT/policies/microfinance.yaml"

# sql QUERY: one value from the store (to find decision ids, and to raise an alert: no command does yet)
sql() {
  if [ "$BACKEND" = postgres ]; then psql -X -q -At -d "$DB" -c "$1"; else sqlite3 "$DB" "$1"; fi
}
audit_count() { v audit list --as admin --format json | jq '.entries | length'; }

new_db work || exit 1
check "init" v init
for k in clients loans schedules invoices payments; do check "import $k" v import $k "$FIX/$k.csv"; done
check "first run" v run --policy "$POL" --as-of 2024-01-01
check "run to 2024-05-15" v run --policy "$POL" --as-of 2024-05-15
# people: C1/L1 Dakar O1, C2/L2 Thies O2, C3/L3 Paris O3
check "admin" v user add admin --role admin --on 2024-05-15
for u in "O1 agent Dakar" "O2 agent Thies" "sup supervisor Dakar" "supp supervisor Paris" "mgr manager" "aud auditor"; do
  set -- $u
  check "user $1" v user add "$1" --role "$2" --branch "${3:-}" --on 2024-05-15 --as admin
done
A0=$(audit_count)

# --- a task's outcome: a promise ---------------------------------------------------------------------
T1=$(sql "SELECT id FROM decision WHERE dedupe_key = 'L1|standard|call-5|2024-03-31|0'")
T2=$(sql "SELECT id FROM decision WHERE dedupe_key = 'L2|group|call-10|2024-04-15|0'")
[ -n "$T1" ] && [ -n "$T2" ] || { not_ok "fixture tasks not found ($T1, $T2)"; done_tests; exit 1; }
check_exit "an unknown outcome" 1 v task done "$T1" --outcome maybe --as O1 --on 2024-05-16
has_text "names the field" "$WORK/err" "--outcome: expected reached, promise"
check_exit "a promise without an amount" 1 v task done "$T1" --outcome promise --promise-date 2024-05-25 --as O1 --on 2024-05-16
check_exit "too many decimals for XOF" 1 v task done "$T1" --outcome promise --amount 100.5 --promise-date 2024-05-25 --as O1 --on 2024-05-16
has_text "says what was expected" "$WORK/err" "--amount: expected an amount in XOF with at most 0 decimals"
check_exit "another branch's task" 1 v task done "$T2" --outcome reached --as O1 --on 2024-05-16
check_exit "an unknown task" 4 v task done 999999 --outcome reached --as O1 --on 2024-05-16
check_exit "no --as" 2 env -u VIGIE_USER "$VIGIE" --db "$DB" task done "$T1" --outcome reached --on 2024-05-16
eq "nothing written by the refusals" "$(audit_count)" "$A0"
check "promise" v task done "$T1" --outcome promise --amount 20000 --promise-date 2024-05-25 --note "salary on the 20th" --as O1 --on 2024-05-16
has_line "says so" "$WORK/out" "task $T1 (L1) done: promise of 20000 XOF by 2024-05-25"
check "the same again" v task done "$T1" --outcome promise --amount 20000 --promise-date 2024-05-25 --as O1 --on 2024-05-16
has_text "unchanged" "$WORK/out" "already recorded (unchanged)"
check_exit "a different outcome" 1 v task done "$T1" --outcome unreachable --as O1 --on 2024-05-17
eq "the task is done" "$(sql "SELECT status FROM decision WHERE id = $T1")" "done"
check "promises" v promises --as-of 2024-05-20 --format json
eq "one open promise" "$(jqv '.promises[] | "\(.account_id) \(.amount) \(.status) \(.task)"')" "L1 20000 open $T1"
check "not yet broken on its day" v promises --as-of 2024-05-25 --status open --format json
eq "open on 2024-05-25" "$(jqv '.count')" "1"
check "broken after its day" v promises --as-of 2024-05-26 --status broken --format json
eq "broken on 2024-05-26" "$(jqv '.count')" "1"
printf 'payment_id,account_id,paid_on,amount\nP8,L1,2024-05-22,20000\n' >"$WORK/pay.csv"
check "the client pays" v import payments "$WORK/pay.csv"
check "kept" v promises --as-of 2024-05-30 --status kept --format json
eq "kept once paid" "$(jqv '.promises[0] | "\(.paid) \(.status)"')" "20000 kept"
check "O2 sees no promise of Dakar" v promises --as-of 2024-05-30 --as O2 --format json
eq "none for O2" "$(jqv '.count')" "0"

# --- four-eyes steps ----------------------------------------------------------------------------------
S1=$(sql "SELECT id FROM decision WHERE dedupe_key = 'L1|standard|plan-45|2024-03-31|0'")
S3=$(sql "SELECT id FROM decision WHERE dedupe_key = 'L3|standard|plan-45|2024-03-01|0'")
# the run put every four-eyes decision in the approval queue itself (maker: system)
R1=$(sql "SELECT id FROM approval WHERE decision_id = $S1")
R3=$(sql "SELECT id FROM approval WHERE decision_id = $S3")
[ -n "$R1" ] && [ -n "$R3" ] || { not_ok "the run's approval requests not found ($R1, $R3)"; done_tests; exit 1; }
eq "made by the run" "$(sql "SELECT maker || ' ' || status || ' ' || kind FROM approval WHERE id = $R1")" "system pending step"
check_exit "a step once" 1 v request step "$S1" --as sup --on 2024-05-16
has_text "says which request" "$WORK/err" "already has approval request $R1"
check_exit "an agent does not approve" 1 v approve "$R1" --as O2 --on 2024-05-16
check "the supervisor approves" v approve "$R1" --note "plan agreed" --as sup --on 2024-05-17
has_text "applied" "$WORK/out" "applied by sup"
eq "the step goes on" "$(sql "SELECT status FROM decision WHERE id = $S1")" "done"
check_exit "approved twice" 1 v approve "$R1" --as mgr --on 2024-05-17
check_exit "Dakar's supervisor may not check Paris" 1 v reject "$R3" --note "no" --as sup --on 2024-05-17
check_exit "a rejection needs a note" 1 v reject "$R3" --as supp --on 2024-05-17
check "Paris' supervisor rejects" v reject "$R3" --note "client already on a plan" --as supp --on 2024-05-17
eq "the step is cancelled" "$(sql "SELECT status FROM decision WHERE id = $S3")" "cancelled"

# --- write-off, rescheduling, fee waiver ----------------------------------------------------------------
check "request a write-off" v request write-off L2 --reason "deceased, no insurance" --as O2 --on 2024-05-16
RW=$(sed -n 's/^request \([0-9]*\) .*/\1/p' "$WORK/out")
check "pending queue" v approvals --status pending --format json
eq "one pending" "$(jqv '[.approvals[] | select(.kind != "step") | "\(.kind) \(.subject) \(.maker)"] | join(";")')" "write_off L2 O2"
eq "its payload" "$(jqv '[.approvals[] | select(.kind != "step")][0].payload.reason')" "deceased, no insurance"
check "approved by the manager" v approve "$RW" --as mgr --on 2024-05-18
check "L2" v account show L2 --as-of 2024-05-18 --format json
eq "written off on the approval day" "$(jqv '.status')" "written_off"

cat >"$WORK/bad.csv" <<EOF
loan_id,due_on,principal,interest,fees
L1,2024-06-30,40000,500,0
L1,2024-07-31,40000,500,0
EOF
check_exit "a schedule that does not add up" 1 v request reschedule L1 --file "$WORK/bad.csv" --reason "harvest" --as O1 --on 2024-05-16
has_text "FILE:LINE: field" "$WORK/err" "bad.csv:0: principal: expected the installments to add up to the principal 120000, found 80000"
printf 'loan_id,due_on,principal,interest,fees\nL9,2024-06-30,x,0,0\n' >"$WORK/bad2.csv"
check_exit "another loan's rows" 1 v request reschedule L1 --file "$WORK/bad2.csv" --reason "harvest" --as O1 --on 2024-05-16
has_text "names the line and field" "$WORK/err" "bad2.csv:2: loan_id: expected L1 (the account of the request)"
cat >"$WORK/new.csv" <<EOF
loan_id,due_on,principal,interest,fees,penalties
L1,2024-02-29,40000,2000,0,0
L1,2024-06-30,40000,1000,500,0
L1,2024-08-31,40000,1000,0,0
EOF
check "request a rescheduling" v request reschedule L1 --file "$WORK/new.csv" --reason "harvest failed" --as O1 --on 2024-05-16
RS=$(sed -n 's/^request \([0-9]*\) .*/\1/p' "$WORK/out")
check "approve it" v approve "$RS" --as sup --on 2024-05-19
check "L1 after" v account show L1 --as-of 2024-05-19 --format json
eq "the new schedule" "$(jqv '[.schedule[].due_on] | join(",")')" "2024-02-29,2024-06-30,2024-08-31"
eq "not late any more" "$(jqv '.days_past_due')" "0"
check_exit "a waiver of more than the fees" 1 v request fee-waiver L1 --due-on 2024-06-30 --fees 600 --reason "goodwill" --as O1 --on 2024-05-19
has_text "fees: expected at most" "$WORK/err" "fees: expected at most the installment's fees 500, found 600"
check_exit "no installment that day" 1 v request fee-waiver L1 --due-on 2024-06-29 --fees 100 --reason "goodwill" --as O1 --on 2024-05-19
check "a fee waiver" v request fee-waiver L1 --due-on 2024-06-30 --fees 500 --reason "goodwill" --as O1 --on 2024-05-19
RF=$(sed -n 's/^request \([0-9]*\) .*/\1/p' "$WORK/out")
check "approve the waiver" v approve "$RF" --as sup --on 2024-05-20
check "L1 after the waiver" v account show L1 --as-of 2024-05-20 --format json
eq "no fees left" "$(jqv '.schedule[1].due.fee')" "0"
check "every request" v approvals --format json
eq "statuses" "$(jqv '[.approvals[] | select(.kind != "step" or .id == '"$R1"' or .id == '"$R3"') | "\(.kind):\(.status)"] | join(" ")')" "step:rejected step:applied write_off:applied reschedule:applied fee_waiver:applied"

# --- alerts ---------------------------------------------------------------------------------------------
sql "INSERT INTO alert (dedupe_key, account_id, client_ext_id, day, kind, severity, reason, details, assignee, branch, status, ack_by, ack_on) VALUES ('L1|task_failed|1', (SELECT id FROM account WHERE ext_id = 'L1'), '', 19863, 'task_failed', 'warning', 'verification failed', '{\"task\":1}', 'role:supervisor', 'Dakar', 'open', '', NULL)" >/dev/null
AL=$(sql "SELECT id FROM alert WHERE dedupe_key = 'L1|task_failed|1'")
check "alerts" v alerts --status open --format json
eq "one open task_failed" "$(jqv '.alerts[] | select(.kind == "task_failed") | "\(.account_id) \(.kind) \(.details.task)"')" "L1 task_failed 1"
eq "and the run's own: overdue monitoring visits, for the supervisor" "$(jqv '[.alerts[] | select(.kind != "task_failed") | "\(.kind) \(.assignee)"] | unique | join(";")')" "monitoring-overdue role:supervisor"
check "Thies' agent sees none" v alerts --as O2 --format json
eq "none" "$(jqv '.count')" "0"
check_exit "an agent may not acknowledge" 1 v alert ack "$AL" --as O1 --on 2024-05-20
check "the supervisor acknowledges" v alert ack "$AL" --as sup --on 2024-05-20
check_exit "twice" 1 v alert ack "$AL" --as mgr --on 2024-05-20
check "no open task_failed alert" v alerts --status open --format json
eq "acknowledged" "$(jqv '[.alerts[] | select(.kind == "task_failed")] | length')" "0"

# --- holds ----------------------------------------------------------------------------------------------
check_exit "an agent may not add a hold" 1 v hold add L1 --kind pause --from 2024-05-20 --reason "flood" --as O1 --on 2024-05-20
check_exit "a bad kind" 1 v hold add L1 --kind nap --from 2024-05-20 --reason "flood" --as sup --on 2024-05-20
check_exit "an end before the start" 1 v hold add L1 --kind pause --from 2024-05-20 --to 2024-05-10 --reason "flood" --as sup --on 2024-05-20
check "a pause" v hold add L1 --kind pause --from 2024-05-20 --reason "flood in the district" --as sup --on 2024-05-20
H1=$(sed -n 's/^hold \([0-9]*\):.*/\1/p' "$WORK/out")
check "a client exclusion" v hold add --client C1 --kind exclusion --from 2024-05-21 --to 2024-06-30 --reason "dispute" --as mgr --on 2024-05-20
check_exit "Dakar's supervisor may not hold Paris" 1 v hold add L3 --kind pause --from 2024-05-20 --reason "x" --as sup --on 2024-05-20
check "end the pause" v hold end "$H1" --as sup --on 2024-05-25
check_exit "ended already" 1 v hold end "$H1" --as sup --on 2024-05-26
# the simulation reads the holds, the promise and the alert: the alert's step fires on its day, and
# collection waits until the client's exclusion ends (2024-06-30)
check "simulate with the holds" v simulate --policy "$POL" --from 2024-05-16 --to 2024-07-31 --account L1 --detail --format csv
cp "$WORK/out" "$WORK/sim.csv"
eq "the path waits out the pause and the exclusion" "$(awk -F, 'NR > 1 && $5 != "task" { printf "%s %s;", $1, $4 }' "$WORK/sim.csv")" "2024-05-20 alert-escalation;2024-07-01 sms-late-1;2024-07-30 letter-30;"
check "holds of L1" v holds L1 --format json
eq "both, the ended one kept" "$(jqv '[.holds[] | "\(.kind) \(.from) \(.to) \(.ended_by)"] | join(";")')" "pause 2024-05-20 2024-05-25 sup;exclusion 2024-05-21 2024-06-30 "

# --- a credit limit, four-eyes: effective from the approval day --------------------------------------
check "limit request" v request credit-limit C1 --limit 150000 --currency XOF --reason "cycle 3" --as mgr --on 2024-05-20
RL=$(sed -n 's/^request \([0-9]*\) .*/\1/p' "$WORK/out")
check "no limit before approval" v risk exposure C1 --as-of 2024-05-21
has_line "no limit in force yet" "$WORK/out" "XOF,61000,0,0,61000,,"
check_exit "the maker may not approve" 1 v approve "$RL" --as mgr --on 2024-05-21
check_exit "a supervisor may not approve a limit" 1 v approve "$RL" --as sup --on 2024-05-21
check "another manager" v user add mgr2 --role manager --on 2024-05-21 --as admin
check "another manager approves" v approve "$RL" --as mgr2 --on 2024-05-21
check "exposure" v risk exposure C1 --as-of 2024-05-21
has_line "the limit is in force" "$WORK/out" "XOF,61000,0,0,61000,150000,89000"

# --- the account's whole timeline ------------------------------------------------------------------
check "timeline" v account timeline L1 --as-of 2024-06-30 --format json
cp "$WORK/out" "$WORK/tl.json"
eq "what people did with L1, in date order" "$(jq -r '[.timeline[] | select(.kind != "decision" and .kind != "bucket" and .kind != "payment") | "\(.day) \(.kind) \(.status) \(.actor)"] | join(";")' "$WORK/tl.json")" \
  "2024-03-07 alert open ;2024-04-06 alert open ;2024-05-06 alert open ;2024-05-15 request applied system;2024-05-16 outcome  O1;2024-05-16 promise kept O1;2024-05-16 request applied O1;2024-05-17 approval  sup;2024-05-19 approval  sup;2024-05-19 request applied O1;2024-05-20 alert acknowledged ;2024-05-20 alert_ack  sup;2024-05-20 approval  sup;2024-05-20 hold  sup;2024-05-21 hold  mgr;2024-05-25 hold_end  sup"
eq "the promise's task carries its id" "$(jq -r --arg t "$T1" '[.timeline[] | select(.kind == "decision" and .ref == $t) | .status] | join(",")' "$WORK/tl.json")" "done"
check_exit "an agent of another branch may not see it" 1 v account timeline L1 --as-of 2024-06-30 --as O2
check "its officer may" v account timeline L1 --as-of 2024-06-30 --as O1
check_exit "--as-of is required" 2 v account timeline L1

# --- worklists by who is asking ---------------------------------------------------------------------
check "O2's worklist" v tasks --as O2 --as-of 2024-05-20 --format json
eq "only Thies' accounts assigned to O2" "$(jqv '[.tasks[].account_id] | unique | join(",")')" "L2"
check "Dakar's supervisor" v decisions --as sup --as-of 2024-05-20 --format json
eq "only Dakar's accounts" "$(jqv '[.decisions[].account_id] | unique | join(",")')" "L1"
check "the operator sees all" v decisions --as-of 2024-05-20 --format json
eq "every account with decisions" "$(jqv '[.decisions[].account_id] | unique | join(",")')" "L1,L2,L3"

# --- reassignment -------------------------------------------------------------------------------------
check "another agent in Dakar" v user add O4 --role agent --branch Dakar --on 2024-05-21 --as admin
check_exit "an agent may not reassign" 1 v account assign L1 --officer O4 --as O1 --on 2024-05-21
check_exit "not to another branch's agent" 1 v account assign L1 --officer O2 --as sup --on 2024-05-21
has_text "says why" "$WORK/err" "expected an agent or supervisor of branch Dakar, found O2 (agent, branch Thies)"
check "the supervisor reassigns" v account assign L1 --officer O4 --as sup --on 2024-05-21
has_line "says so" "$WORK/out" "account L1 assigned to O4 (was O1)"
check "O4 sees L1 now" v account timeline L1 --as-of 2024-05-21 --as O4
check_exit "O1 no longer" 1 v account timeline L1 --as-of 2024-05-21 --as O1

# --- a policy needs its four-eyes approval once the setting says so ------------------------------------
check "require approved policies" v settings set policy_approval yes --as admin --on 2024-05-21
check_exit "an unapproved policy does not run" 1 v run --policy "$POL" --as-of 2024-05-22
has_text "says why" "$WORK/err" "has no approved policy-change request"
check "request the policy" v request policy-change "$POL" --reason "version 2 for 2024" --as mgr --on 2024-05-21
RP=$(sed -n 's/^request \([0-9]*\) .*/\1/p' "$WORK/out")
check_exit "not by its maker" 1 v approve "$RP" --as mgr --on 2024-05-21
check "another manager approves" v approve "$RP" --as mgr2 --on 2024-05-21
check "now it runs" v run --policy "$POL" --as-of 2024-05-22

# --- the audit log --------------------------------------------------------------------------------------
check "audit" v audit list --as aud --format json
eq "one entry per write" "$(jqv '[.entries[] | select(.seq > '"$A0"') | .action] | join(" ")')" \
  "task.outcome approval.approve approval.reject approval.request approval.approve approval.request approval.approve approval.request approval.approve alert.ack hold.add hold.add hold.end approval.request user.add approval.approve user.add account.assign settings.set approval.request approval.approve run"
check "the chain verifies" v audit verify --as aud
check_exit "help" 0 v request --help
has_text "request help" "$WORK/out" "reschedule ACCOUNT --file F.csv"
done_tests

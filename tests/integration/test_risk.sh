#!/bin/sh
# test_risk.sh: vigie risk / watch / segments on the demo portfolio and a small hand-made one:
# segments total = report par, risk CSV imports all or nothing with FILE:LINE errors, the limit check
# on posting (flag: written with its alert stored; refuse: nothing written, no alert), the watch list,
# the refresh (alerts stored, routed, a second run raises nothing new) and grades; who may do and see
# what (--as, access checks) and an audit entry for each write.
. "$(dirname "$0")/lib.sh"

alerts_count() { v alerts --format json | jq '.count'; }
audit_count() { v audit list --as admin --format json | jq '.entries | length'; }

new_db risk || exit 1
check "demo" v demo --dir "$WORK/demo" --as-of 2026-11-25
check "admin" v user add admin --role admin --on 2026-11-25
for by in branch product officer bucket amount_band; do
  v report par --as-of 2026-11-25 --format csv | awk -F, 'NR>1{print $2","$4","$5","$20}' > "$WORK/par"
  v segments --as-of 2026-11-25 --by $by --format csv | awk -F, '$2=="(total)"{print $1","$3","$4","$6}' > "$WORK/seg"
  eq "segments by $by: totals equal report par" "$(cat "$WORK/seg")" "$(cat "$WORK/par")"
done
check "segments json" v segments --as-of 2026-11-25 --by bucket --format json
eq "json as_of" "$(jqv .as_of)" "2026-11-25"

# refresh with a behavioural model; the alerts are stored; the same day again raises nothing new
check "train" v score train --from-ledger --as-of 2026-05-31 --horizon 90 --out "$WORK/b.json"
check_exit "refresh needs --as" 2 env -u VIGIE_USER "$VIGIE" --db "$DB" risk refresh --as-of 2026-10-25 --model "$WORK/b.json"
check "refresh 10-25" v risk refresh --as-of 2026-10-25 --model "$WORK/b.json" --as admin
check "refresh 11-25" v risk refresh --as-of 2026-11-25 --model "$WORK/b.json" --as admin
has_text "grade_down alerts say which variables moved" "$WORK/out" "points)"
C=$(grep '^alert [0-9]* grade_down' "$WORK/out" | head -n 1 | sed 's/.*grade_down:\([^:]*\):.*/\1/')
N=$(alerts_count)
[ "$N" -gt 0 ] && ok "alerts stored ($N)" || not_ok "no alert stored"
check "alerts listed" v alerts --kind grade_down --format json
eq "grade_down of $C stored, routed" "$(jqv "[.alerts[] | select(.client_id == \"$C\")][0] | (.assignee != \"\") and (.branch != \"\")")" "true"
A0=$(audit_count)
check "refresh 11-25 again" v risk refresh --as-of 2026-11-25 --model "$WORK/b.json" --as admin
eq "nothing new the second time" "$(grep -c '^new .* alerts: 0$' "$WORK/out")" "6"
eq "no alert printed" "$(grep -c '^alert ' "$WORK/out")" "0"
eq "the store has the same alerts" "$(alerts_count)" "$N"
eq "the refresh is audited" "$(audit_count)" "$((A0 + 1))"
v audit list --as admin --format json > "$WORK/out"
eq "audit entry" "$(jqv '.entries[-1] | "\(.actor) \(.action) \(.object)"')" "admin risk.refresh day:2026-11-25"
check "grade of $C" v risk grade "$C" --as-of 2026-11-25
check_exit "no grade before any score" 4 v risk grade "$C" --as-of 2026-01-01
v segments --as-of 2026-11-25 --by grade --format csv | awk -F, '$2!="(total)" && NR>1{n[$1]+=$3} $2=="(total)"{t[$1]=$3} END{for(c in t) if (n[c]!=t[c]) print c}' > "$WORK/bad"
eq "grade segments add up to the total" "$(cat "$WORK/bad")" ""
# a supervisor sees only the loans of their branch in the segments
B=$(v segments --as-of 2026-11-25 --by branch --format csv | awk -F, 'NR>1 && $2!="(total)"{print $2; exit}')
check "a supervisor of $B" v user add sup1 --role supervisor --branch "$B" --on 2026-11-25 --as admin
check "segments as sup1" v segments --as-of 2026-11-25 --by branch --format csv --as sup1
eq "only branch $B" "$(awk -F, 'NR>1 && $2!="(total)"{print $2}' "$WORK/out" | sort -u | tr '\n' ' ')" "$B "

# a small store: limits, facts, watch
new_db small || exit 1
check "init" v init
check "admin" v user add admin --role admin --on 2026-03-01
for u in "moussa agent DKR" "sup supervisor DKR" "supt supervisor THS" "mgr manager" "mgr2 manager"; do
  set -- $u
  check "user $1" v user add "$1" --role "$2" --branch "${3:-}" --on 2026-03-01 --as admin
done
printf 'client_id,name,branch,officer\nC1,Awa,DKR,moussa\nC2,Binta,DKR,\nC3,Coumba,THS,\n' > "$WORK/c.csv"
check "clients" v import clients "$WORK/c.csv"
printf 'client_id,fact_on,kind,value,text,source\nC1,2026-03-01,legal_proceeding,,RG 26/117,court\nC1,2026-03-01,revenue,x,,\nC9,2026-03-01,revenue,5,,\n' > "$WORK/f.csv"
check_exit "bad facts refused" 1 v risk import facts "$WORK/f.csv" --as admin --on 2026-03-01
has_text "unknown client at its line" "$WORK/err" "f.csv:4: client_id: expected a known client"
has_text "bad value at its line" "$WORK/err" "f.csv:3: value: expected an integer"
printf 'client_id,fact_on,kind,value,text,source\nC1,2026-03-01,legal_proceeding,,RG 26/117,court\n' > "$WORK/f.csv"
check_exit "a manager may not import" 1 v risk import facts "$WORK/f.csv" --as mgr --on 2026-03-01
has_text "says why" "$WORK/err" "mgr (manager) may not import"
A0=$(audit_count)
check "facts" v risk import facts "$WORK/f.csv" --as admin --on 2026-03-01
eq "the import is audited" "$(audit_count)" "$((A0 + 1))"
v audit list --as admin --format json > "$WORK/out"
eq "audit entry" "$(jqv '.entries[-1] | "\(.actor) \(.action) \(.object) \(.details | fromjson | .inserted)"')" "admin risk.import.facts file:f.csv 1"
printf 'client_id,group\nC1,ACME\nC2,ACME\n' > "$WORK/g.csv"
check "groups" v risk import groups "$WORK/g.csv" --as admin --on 2026-03-01
printf 'subject_kind,subject,currency,amount,from_on,document\nclient,C1,XOF,1000,2026-01-01,CC-12\ngroup,ACME,XOF,1500,2026-01-01,CC-12\n' > "$WORK/l.csv"
check "limits" v risk import limits "$WORK/l.csv" --as admin --on 2026-03-01
printf 'loan_id,client_id,currency,principal,disbursed_on,installments\nL1,C1,XOF,1200,2026-03-10,4\n' > "$WORK/l1.csv"
check "a loan over the limit is flagged" v import loans "$WORK/l1.csv"
has_text "warning at its line" "$WORK/err" "l1.csv:2: warning: limit exceeded: client C1: exposure 1200 XOF above the limit 1000 XOF"
has_text "the alert is raised" "$WORK/err" "raised to moussa"
check "alerts" v alerts --kind limit_exceeded --format json
eq "limit alert stored, routed to the officer" "$(jqv '.alerts[] | "\(.client_id) \(.assignee) \(.branch) \(.severity)"')" "C1 moussa DKR critical"
check "exposure" v risk exposure C1 --as-of 2026-03-10
has_line "exposure line" "$WORK/out" "XOF,1200,0,0,1200,1000,-200"
check "exposure as moussa" v risk exposure C1 --as-of 2026-03-10 --as moussa
check_exit "exposure of C1 as THS's supervisor" 1 v risk exposure C1 --as-of 2026-03-10 --as supt
check_exit "group exposure as THS's supervisor" 1 v risk exposure --group ACME --as-of 2026-03-10 --as supt
check "group exposure as DKR's supervisor" v risk exposure --group ACME --as-of 2026-03-10 --as sup
check_exit "a supervisor may not set limit_breach" 1 v risk set limit_breach refuse --as sup --on 2026-03-10
check "refuse" v risk set limit_breach refuse --as admin --on 2026-03-10
v audit list --as admin --format json > "$WORK/out"
eq "setting audited" "$(jqv '.entries[-1] | "\(.action) \(.object) \(.details | fromjson | .from) \(.details | fromjson | .to)"')" "risk.set setting:limit_breach (default) flag refuse"
N=$(alerts_count)
printf 'loan_id,client_id,currency,principal,disbursed_on,installments\nL2,C2,XOF,400,2026-03-10,4\n' > "$WORK/l2.csv"
check_exit "a loan over the group limit is refused" 1 v import loans "$WORK/l2.csv"
has_text "error at its line" "$WORK/err" "l2.csv:2: principal: expected an exposure within the limit, found group ACME: exposure 1600 XOF"
has_text "says no alert" "$WORK/err" "refused, no alert raised"
check_exit "nothing written" 4 v account show L2 --as-of 2026-03-10
eq "no alert either" "$(alerts_count)" "$N"
printf 'commitment_id,client_id,currency,amount,approved_on\nK1,C1,XOF,10,2026-03-12\n' > "$WORK/k.csv"
check_exit "a commitment over the limit is refused" 1 v risk import commitments "$WORK/k.csv" --as admin --on 2026-03-12
has_text "commitment: no alert" "$WORK/err" "k.csv:2: amount: expected an exposure within the limit"
eq "still no new alert" "$(alerts_count)" "$N"
check "flag" v risk set limit_breach flag --as admin --on 2026-03-12
check "a commitment over the limit is flagged" v risk import commitments "$WORK/k.csv" --as admin --on 2026-03-12
has_text "commitment alert raised" "$WORK/err" "k.csv:2: warning: limit exceeded: client C1: exposure 1210 XOF"
eq "one more alert" "$(alerts_count)" "$((N + 1))"
check "refresh without a model" v risk refresh --as-of 2026-03-15 --as admin
has_text "legal alert" "$WORK/out" "legal [critical] legal:fact:"
has_text "routed to the officer" "$WORK/out" "-> moussa: legal_proceeding on 2026-03-01: RG 26/117"
N=$(alerts_count)
check "refresh again" v risk refresh --as-of 2026-03-15 --as admin
eq "nothing new" "$(alerts_count)" "$N"
eq "nothing printed" "$(grep -c '^alert ' "$WORK/out")" "0"
check_exit "a supervisor may not refresh" 1 v risk refresh --as-of 2026-03-15 --as sup

# four eyes: the simple path, then a pending limit tied to a request
check "request credit-limit" v request credit-limit C2 --limit 5000 --currency XOF --reason "harvest" --as mgr --on 2026-03-16
R=$(v approvals --status pending --format json | jq -r '.approvals[0].id')
check_exit "an agent may not request a limit row" 1 v risk limit request --client C2 --currency XOF --amount 5000 --from 2026-03-01 --approval "$R" --as moussa --on 2026-03-16
check_exit "another amount than requested" 1 v risk limit request --client C2 --currency XOF --amount 9000 --from 2026-03-01 --approval "$R" --as mgr --on 2026-03-16
has_text "says what was expected" "$WORK/err" "expected a request by mgr for C2 9000 XOF"
check_exit "not the maker" 1 v risk limit request --client C2 --currency XOF --amount 5000 --from 2026-03-01 --approval "$R" --as mgr2 --on 2026-03-16
check_exit "an unknown request" 4 v risk limit request --client C2 --currency XOF --amount 5000 --from 2026-03-01 --approval 999 --as mgr --on 2026-03-16
check "limit request" v risk limit request --client C2 --currency XOF --amount 5000 --from 2026-03-01 --approval "$R" --as mgr --on 2026-03-16
check_exit "not effective before approval" 1 v risk limit approve "$R" --as sup --on 2026-03-16
check "approve" v approve "$R" --as mgr2 --on 2026-03-17
printf 'loan_id,client_id,currency,principal,disbursed_on,installments\nL3,C2,XOF,100,2026-03-17,4\n' > "$WORK/l3.csv"
check "a loan of C2" v import loans "$WORK/l3.csv"
check "exposure" v risk exposure C2 --as-of 2026-03-17
has_line "the requested limit is in force from its day" "$WORK/out" "XOF,100,0,0,100,5000,4900"
check "limit approve: already" v risk limit approve "$R" --as sup --on 2026-03-17
has_text "already effective" "$WORK/out" "already effective"

# the watch list
check_exit "an agent may not watch" 1 v watch add L1 --on 2026-03-01 --reason "sector in crisis" --as moussa
check_exit "another branch's supervisor" 1 v watch add L1 --on 2026-03-01 --as supt
check "watch add" v watch add L1 --on 2026-03-01 --reason "sector in crisis" --as sup
check_exit "watched twice" 1 v watch add L1 --on 2026-03-02 --as sup
check "watch remove" v watch remove L1 --on 2026-03-05 --as sup
check "watch list" v watch list --as-of 2026-03-04
has_line "listed" "$WORK/out" "account,L1,2026-03-01,2026-03-05,sup,sector in crisis"
check "watch list as supt" v watch list --as-of 2026-03-04 --as supt
eq "not for THS" "$(wc -l < "$WORK/out" | tr -d ' ')" "1"
check "watch list later" v watch list --as-of 2026-03-05
eq "not watched any more" "$(wc -l < "$WORK/out" | tr -d ' ')" "1"
v audit list --as admin --format json > "$WORK/out"
eq "watch audited" "$(jqv '[.entries[] | select(.action | startswith("watch."))] | map("\(.action) \(.object) \(.actor)") | join(",")')" "watch.add account:L1 sup,watch.remove account:L1 sup"
check "audit verify" v audit verify --as admin
done_tests

#!/bin/sh
# test_risk.sh: vigie risk / watch / segments on the demo portfolio and a small hand-made one:
# segments total = report par, risk CSV imports all or nothing with FILE:LINE errors, the limit check
# on posting (flag, then refuse with nothing written), the watch list, the refresh and grades.
. "$(dirname "$0")/lib.sh"

new_db risk || exit 1
check "demo" v demo --dir "$WORK/demo" --as-of 2026-11-25
for by in branch product officer bucket amount_band; do
  v report par --as-of 2026-11-25 --format csv | awk -F, 'NR>1{print $2","$4","$5","$20}' > "$WORK/par"
  v segments --as-of 2026-11-25 --by $by --format csv | awk -F, '$2=="(total)"{print $1","$3","$4","$6}' > "$WORK/seg"
  eq "segments by $by: totals equal report par" "$(cat "$WORK/seg")" "$(cat "$WORK/par")"
done
check "segments json" v segments --as-of 2026-11-25 --by bucket --format json
eq "json as_of" "$(jqv .as_of)" "2026-11-25"

# refresh with a behavioural model twice; grades then exist
check "train" v score train --from-ledger --as-of 2026-05-31 --horizon 90 --out "$WORK/b.json"
check "refresh 10-25" v risk refresh --as-of 2026-10-25 --model "$WORK/b.json"
check "refresh 11-25" v risk refresh --as-of 2026-11-25 --model "$WORK/b.json"
has_text "grade_down alerts say which variables moved" "$WORK/out" "points)"
C=$(grep '^alert grade_down' "$WORK/out" | head -n 1 | sed 's/.*grade_down:\([^:]*\):.*/\1/')
check "grade of $C" v risk grade "$C" --as-of 2026-11-25
check_exit "no grade before any score" 4 v risk grade "$C" --as-of 2026-01-01
v segments --as-of 2026-11-25 --by grade --format csv | awk -F, '$2!="(total)" && NR>1{n[$1]+=$3} $2=="(total)"{t[$1]=$3} END{for(c in t) if (n[c]!=t[c]) print c}' > "$WORK/bad"
eq "grade segments add up to the total" "$(cat "$WORK/bad")" ""

# a small store: limits, facts, watch
new_db small || exit 1
check "init" v init
printf 'client_id,name,branch,officer\nC1,Awa,DKR,moussa\nC2,Binta,DKR,\n' > "$WORK/c.csv"
check "clients" v import clients "$WORK/c.csv"
printf 'client_id,fact_on,kind,value,text,source\nC1,2026-03-01,legal_proceeding,,RG 26/117,court\nC1,2026-03-01,revenue,x,,\nC9,2026-03-01,revenue,5,,\n' > "$WORK/f.csv"
check_exit "bad facts refused" 1 v risk import facts "$WORK/f.csv"
has_text "unknown client at its line" "$WORK/err" "f.csv:4: client_id: expected a known client"
has_text "bad value at its line" "$WORK/err" "f.csv:3: value: expected an integer"
printf 'client_id,fact_on,kind,value,text,source\nC1,2026-03-01,legal_proceeding,,RG 26/117,court\n' > "$WORK/f.csv"
check "facts" v risk import facts "$WORK/f.csv"
printf 'client_id,group\nC1,ACME\nC2,ACME\n' > "$WORK/g.csv"
check "groups" v risk import groups "$WORK/g.csv"
printf 'subject_kind,subject,currency,amount,from_on,document\nclient,C1,XOF,1000,2026-01-01,CC-12\ngroup,ACME,XOF,1500,2026-01-01,CC-12\n' > "$WORK/l.csv"
check "limits" v risk import limits "$WORK/l.csv"
printf 'loan_id,client_id,currency,principal,disbursed_on,installments\nL1,C1,XOF,1200,2026-03-10,4\n' > "$WORK/l1.csv"
check "a loan over the limit is flagged" v import loans "$WORK/l1.csv"
has_text "warning at its line" "$WORK/err" "l1.csv:2: warning: limit exceeded: client C1: exposure 1200 XOF above the limit 1000 XOF"
check "exposure" v risk exposure C1 --as-of 2026-03-10
has_line "exposure line" "$WORK/out" "XOF,1200,0,0,1200,1000,-200"
check "refuse" v risk set limit_breach refuse
printf 'loan_id,client_id,currency,principal,disbursed_on,installments\nL2,C2,XOF,400,2026-03-10,4\n' > "$WORK/l2.csv"
check_exit "a loan over the group limit is refused" 1 v import loans "$WORK/l2.csv"
has_text "error at its line" "$WORK/err" "l2.csv:2: principal: expected an exposure within the limit, found group ACME: exposure 1600 XOF"
check_exit "nothing written" 4 v account show L2 --as-of 2026-03-10
check "refresh without a model" v risk refresh --as-of 2026-03-15
has_text "legal alert" "$WORK/out" "alert legal [critical] legal:fact:"
has_text "routed to the officer" "$WORK/out" "-> moussa: legal_proceeding on 2026-03-01: RG 26/117"
check "limit request" v risk limit request --client C2 --currency XOF --amount 5000 --from 2026-03-01 --approval 7 --by awa
check "limit approve" v risk limit approve 7
check "watch add" v watch add L1 --on 2026-03-01 --reason "sector in crisis" --by awa
check_exit "watched twice" 1 v watch add L1 --on 2026-03-02
check "watch remove" v watch remove L1 --on 2026-03-05
check "watch list" v watch list --as-of 2026-03-04
has_line "listed" "$WORK/out" "account,L1,2026-03-01,2026-03-05,awa,sector in crisis"
check "watch list later" v watch list --as-of 2026-03-05
eq "not watched any more" "$(wc -l < "$WORK/out" | tr -d ' ')" "1"
done_tests

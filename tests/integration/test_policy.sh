#!/bin/sh
# test_policy.sh: `vigie policy check` on the shipped examples and on bad files, and `vigie simulate`
# on the fixture portfolio over 2024-01-01..2024-06-30, with decisions worked out by hand (below),
# and the proof that a simulation writes nothing (export before and after are identical).
. "$(dirname "$0")/lib.sh"
POL="$ROOT/policies"
PFIX="$FIX/policy"
new_db main || exit 1

check "check microfinance" v policy check "$POL/microfinance.yaml"
has_line "microfinance OK" "$WORK/out" "$POL/microfinance.yaml: policy microfinance-standard version 2 OK (4 segments, 66 steps)"
check "check trade receivables" v policy check "$POL/trade-receivables-fr.yaml"
has_line "B2B OK" "$WORK/out" "$POL/trade-receivables-fr.yaml: policy trade-receivables-fr version 2 OK (3 segments, 32 steps)"
check_exit "bad policy refused" 1 v policy check "$PFIX/bad.yaml"
cp "$WORK/err" "$WORK/bad.err"
has_line "unknown currency" "$WORK/bad.err" "$PFIX/bad.yaml:5: tolerances.XYZ: expected an ISO 4217 currency code, found \"XYZ\""
has_text "unknown event" "$WORK/bad.err" "$PFIX/bad.yaml:9: segments[1].steps[1].event: expected disbursement"
has_line "message without template" "$WORK/bad.err" "$PFIX/bad.yaml:10: segments[1].steps[2].template: expected the message's template, found nothing"
has_text "duplicate step id" "$WORK/bad.err" "$PFIX/bad.yaml:11: segments[1].steps[3].id: expected an identifier unique within the segment"
has_line "segment without steps" "$WORK/bad.err" "$PFIX/bad.yaml:13: segments[2].steps: expected at least one step, found none"
check_exit "YAML syntax error" 1 v policy check "$PFIX/syntax.yaml"
has_text "syntax error line" "$WORK/err" "$PFIX/syntax.yaml:3: YAML:"
check_exit "missing file" 4 v policy check "$PFIX/nope.yaml"
check_exit "usage" 2 v policy frobnicate

check "init" v init
for k in clients loans schedules invoices payments; do
  check "import $k" v import $k "$FIX/$k.csv"
done
check "export before" v export --dir "$WORK/before"

# Microfinance policy, segments by product: L1 (individual) and L3 (sme) in "standard", L2 (group)
# in "group"; the invoices have no product: no segment.
# L1: disbursed 01-31, due 02-29 (paid on the day by P1), 03-31, 04-30; P2 (04-10) pays part of #2,
#   so #2 stays unpaid and the anchor stays 03-31: SMS 04-01 (DPD 1), call 04-05, visit 04-15,
#   letter 04-30, plan 05-15 (four eyes), formal notice 05-30, escalation 06-29 (DPD 90).
#   Renewal check at maturity - 30 = 03-31: never late until then. Monitoring every 30 days from
#   03-01 (01-31 + 30): 03-01, 03-31, 04-30, 05-30, 06-29.
# L2: disbursed 01-15, 4 x 26000 due 02-15, 03-15, 04-15, 05-15. #2 paid 03-20 (5 days late): SMS at
#   DPD 3 on 03-18, no call at DPD 10 (03-25: paid). Renewal at 04-15 (max DPD 4 <= 15). #3 late from
#   04-16: SMS 04-18, call 04-25; P5 on 05-01 settles the loan: case closed on 05-01, nothing after.
# L3 (EUR): #2 due 03-01 unpaid: SMS 03-02, call 03-06, visit 03-16, letter 03-31.
check "simulate detail csv" v simulate --policy "$POL/microfinance.yaml" --from 2024-01-01 --to 2024-06-30 --detail --format csv
cp "$WORK/out" "$WORK/mf.csv"
has_line "L1 loan-use at D+14" "$WORK/mf.csv" "2024-02-14,L1,standard,loan-use,task,,,loan_use_verification,officer,no,2024-01-31,0,L1|standard|loan-use|2024-01-31|0"
has_line "L1 SMS 3 days before #1" "$WORK/mf.csv" "2024-02-26,L1,standard,sms-before-3,message,sms,reminder_before_due,,,no,2024-02-29,0,L1|standard|sms-before-3|2024-02-29|0"
has_line "L1 renewal check" "$WORK/mf.csv" "2024-03-31,L1,standard,renewal,renewal_check,,,,,no,2024-04-30,0,L1|standard|renewal|2024-04-30|0"
has_line "L1 first day late" "$WORK/mf.csv" "2024-04-01,L1,standard,sms-late-1,message,sms,reminder_late,,,no,2024-03-31,1,L1|standard|sms-late-1|2024-03-31|0"
has_line "L1 visit after a partial payment" "$WORK/mf.csv" "2024-04-15,L1,standard,visit-15,task,,,visit,officer,no,2024-03-31,15,L1|standard|visit-15|2024-03-31|0"
has_line "L1 plan with four eyes" "$WORK/mf.csv" "2024-05-15,L1,standard,plan-45,plan_proposal,,,,role:supervisor,yes,2024-03-31,45,L1|standard|plan-45|2024-03-31|0"
has_line "L1 escalation at 90" "$WORK/mf.csv" "2024-06-29,L1,standard,escalate-90,escalation,,,,role:supervisor,yes,2024-03-31,90,L1|standard|escalate-90|2024-03-31|0"
eq "L1 monitoring visits" "$(grep -c '^[^,]*,L1,standard,monitoring,' "$WORK/mf.csv")" "5"
eq "L1 no collection on 03-01 (#1 paid)" "$(grep -c '^2024-03-0[1-9],L1,standard,\(sms-late\|call\)' "$WORK/mf.csv")" "0"
has_line "L2 SMS at DPD 3" "$WORK/mf.csv" "2024-03-18,L2,group,sms-late-3,message,sms,reminder_late,,,no,2024-03-15,3,L2|group|sms-late-3|2024-03-15|0"
eq "L2 no call after #2 was paid" "$(grep -c '^2024-03-25,L2' "$WORK/mf.csv")" "0"
has_line "L2 renewal" "$WORK/mf.csv" "2024-04-15,L2,group,renewal,renewal_check,,,,,no,2024-05-15,0,L2|group|renewal|2024-05-15|0"
has_line "L2 call at DPD 10" "$WORK/mf.csv" "2024-04-25,L2,group,call-10,task,,,call,officer,no,2024-04-15,10,L2|group|call-10|2024-04-15|0"
has_line "L2 case closed the day it is settled" "$WORK/mf.csv" "2024-05-01,L2,,,case_closed,,,,,no,2024-05-01,0,L2|case_closed|2024-05-01"
eq "L2 nothing after it closed" "$(awk -F, '$2=="L2" && $1>"2024-05-01"' "$WORK/mf.csv" | wc -l)" "0"
has_line "L3 letter at 30" "$WORK/mf.csv" "2024-03-31,L3,standard,letter-30,message,letter,letter_late,,,no,2024-03-01,30,L3|standard|letter-30|2024-03-01|0"
eq "invoices have no segment here" "$(grep -c '^[^,]*,I[12],' "$WORK/mf.csv")" "0"
eq "decisions in all" "$(($(wc -l < "$WORK/mf.csv") - 1))" "51"
eq "dedupe keys unique" "$(tail -n +2 "$WORK/mf.csv" | awk -F, '{print $NF}' | sort | uniq -d | wc -l)" "0"

check "simulate json" v simulate --policy "$POL/microfinance.yaml" --from 2024-01-01 --to 2024-06-30 --format json
eq "json decisions" "$(jqv .total_decisions)" "51"
eq "json accounts" "$(jqv '"\(.accounts) \(.accounts_with_decisions)"')" "5 3"
eq "2024-04-30: L1 monitoring and letter, L3 monitoring and formal notice" "$(jqv '.days[] | select(.day=="2024-04-30") | "\(.total) \(.task) \(.message) \(.letter) \(.formal_notice)"')" "4 2 1 1 1"
eq "case closed counted" "$(jqv .totals.case_closed)" "1"
check "simulate table" v simulate --policy "$POL/microfinance.yaml" --from 2024-01-01 --to 2024-06-30
has_text "table header" "$WORK/out" "Simulation of policy microfinance-standard version 2 from 2024-01-01 to 2024-06-30 (nothing written)"

# Trade receivables: I1 (1200.50 EUR due 02-09): email D-5 on 02-04, email 02-10, email and letter
# on 02-17, call 02-24, formal notice 03-10; P7 (03-15, 1000.00) leaves 200.50 > 10.00 unpaid, so
# the path goes on: insurer notice 03-25, court-order file 04-09 (four eyes).
check "simulate B2B I1" v simulate --policy "$POL/trade-receivables-fr.yaml" --from 2024-01-01 --to 2024-06-30 --account I1 --format json
eq "I1 steps" "$(jqv '[.decisions[] | "\(.day) \(.step)"] | join(",")')" "2024-02-04 email-before-5,2024-02-10 email-after-1,2024-02-17 email-letter-8,2024-02-24 call-15,2024-03-10 mise-en-demeure-30,2024-03-25 assureur-45,2024-04-09 injonction-60"
eq "email and letter at once" "$(jqv '.decisions[2].channels | join("+")')" "email+letter"
eq "court file needs four eyes" "$(jqv '.decisions[6] | "\(.action) \(.four_eyes) \(.assignee)"')" "court_file true role:manager"
check_exit "unknown account" 4 v simulate --policy "$POL/trade-receivables-fr.yaml" --from 2024-01-01 --to 2024-06-30 --account NOPE
check_exit "bad range" 2 v simulate --policy "$POL/trade-receivables-fr.yaml" --from 2024-06-30 --to 2024-01-01
check_exit "bad policy" 1 v simulate --policy "$PFIX/bad.yaml" --from 2024-01-01 --to 2024-06-30

check "export after" v export --dir "$WORK/after"
check "simulate wrote nothing" diff -r "$WORK/before" "$WORK/after"

done_tests

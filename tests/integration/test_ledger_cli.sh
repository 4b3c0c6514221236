#!/bin/sh
# test_ledger_cli.sh: one small portfolio followed from CSV to reports, through the real `vigie`
# binary: imports, idempotent re-import, PAR and ageing as of several dates (values worked out by
# hand in the comments), account show, a back-dated payment, a reversal, overpayment, export.
. "$(dirname "$0")/lib.sh"

new_db main || exit 1
check "init" v init
check "init again is safe" v init
for k in clients loans schedules invoices payments; do
  check "import $k" v import $k "$FIX/$k.csv"
done
has_text "payments import counts" "$WORK/out" "7 rows: 7 inserted, 0 updated, 0 unchanged"
check "re-import payments" v import payments "$FIX/payments.csv"
has_text "re-import changes nothing" "$WORK/out" "7 rows: 0 inserted, 0 updated, 7 unchanged"
check "re-import loans" v import loans "$FIX/loans.csv"
has_text "loans unchanged" "$WORK/out" "3 rows: 0 inserted, 0 updated, 3 unchanged"

# As of 2024-05-20.
# L1 (XOF 120000; 3 installments, 02-29 42000, 03-31 41500, 04-30 41000): P1 pays #1; P2 20000 pays
#   #2's interest 1500 and principal 18500: #2 unpaid 21500 (50 days), #3 unpaid 41000 (20 days).
#   DPD 50, outstanding principal 61500.
# L2 (flat 12%: 4 x (25000 + 1000)): paid in full by P5, 8000 left as credit: closed.
# L3 (EUR 1000.00): #1 paid, #2 (03-01, 505.00) unpaid: DPD 80, outstanding 500.00.
check "par json" v report par --as-of 2024-05-20 --format json
eq "as_of" "$(jqv .as_of)" "2024-05-20"
eq "XOF gross outstanding" "$(jqv '.currencies[] | select(.currency=="XOF") | .gross_outstanding')" "61500"
eq "XOF 31-60 bucket" "$(jqv '.currencies[] | select(.currency=="XOF") | .buckets[] | select(.name=="31-60") | "\(.accounts) \(.amount)"')" "1 61500"
eq "XOF par30" "$(jqv '.currencies[] | select(.currency=="XOF") | "\(.par30.amount) \(.par30.ratio)"')" "61500 1"
eq "XOF par90" "$(jqv '.currencies[] | select(.currency=="XOF") | .par90.amount')" "0"
eq "EUR gross" "$(jqv '.currencies[] | select(.currency=="EUR") | .gross_outstanding')" "500.00"
eq "EUR 61-90" "$(jqv '.currencies[] | select(.currency=="EUR") | .buckets[] | select(.name=="61-90") | .amount')" "500.00"
eq "EUR par1 ratio" "$(jqv '.currencies[] | select(.currency=="EUR") | .par1.ratio')" "1"

# Ageing as of 2024-05-20: XOF 21500 in 31-60, 41000 in 1-30, credit 8000 (L2);
# EUR: L3 505.00 in 61-90, I1 200.50 (101 days) over 90, I2 300.00 (50 days) 31-60.
check "ageing json" v report ageing --as-of 2024-05-20 --format json
eq "XOF ageing" "$(jqv '.currencies[] | select(.currency=="XOF") | [.total, .credit, (.buckets[] | .amount)] | join(" ")')" "62500 8000 0 41000 21500 0 0"
eq "EUR ageing" "$(jqv '.currencies[] | select(.currency=="EUR") | [.total, (.buckets[] | .amount)] | join(" ")')" "1005.50 0.00 0.00 300.00 505.00 200.50"
check "ageing detail csv" v report ageing --as-of 2024-05-20 --format csv --detail
has_line "I1 detail row" "$WORK/out" "C3,I1,invoice,EUR,101,0.00,0.00,0.00,0.00,200.50,200.50,0.00"
has_line "L2 shows its credit" "$WORK/out" "C2,L2,loan,XOF,0,0,0,0,0,0,0,8000"

# The same store replayed as of 2024-03-01: nothing late among loans (#2 of L3 is due that very day).
check "par as of 2024-03-01" v report par --as-of 2024-03-01 --format json
eq "XOF gross on 03-01" "$(jqv '.currencies[] | select(.currency=="XOF") | .gross_outstanding')" "155000"
eq "XOF all current" "$(jqv '.currencies[] | select(.currency=="XOF") | .par1.amount')" "0"
eq "EUR due today is not late" "$(jqv '.currencies[] | select(.currency=="EUR") | .par1.amount')" "0.00"
check "par by branch" v report par --as-of 2024-05-20 --format csv --by branch
has_text "branch row" "$WORK/out" "2024-05-20,XOF,Dakar,1,61500"
check "par json by officer" v report par --as-of 2024-05-20 --format json --by officer
eq "officer group in JSON" "$(jqv '.currencies[] | select(.currency=="XOF") | .groups[] | "\(.key) \(.gross_outstanding) \(.par30.ratio)"')" "O1 61500 1"
check "ageing json by branch" v report ageing --as-of 2024-05-20 --format json --by branch
eq "branch groups in ageing" "$(jqv '.currencies[] | select(.currency=="XOF") | [.groups[] | "\(.key):\(.total):\(.credit)"] | join(" ")')" "Dakar:62500:0 Thies:0:8000"
check "par table" v report par --as-of 2024-05-20
has_text "table shows PAR30" "$WORK/out" "PAR30"

# account show
check "account show L1" v account show L1 --as-of 2024-05-20 --format json
eq "L1 dpd" "$(jqv .days_past_due)" "50"
eq "L1 outstanding" "$(jqv .outstanding_principal)" "61500"
eq "L1 arrears" "$(jqv '.arrears | "\(.principal) \(.interest) \(.total)"')" "61500 1000 62500"
eq "L1 #1 status" "$(jqv '.schedule[0].status')" "paid 2024-02-29"
eq "L1 #2 status" "$(jqv '.schedule[1].status')" "partly paid, 50 days late"
eq "P2 allocation" "$(jqv '.payments[1].allocation[0] | "\(.installment) \(.interest) \(.principal)"')" "2 1500 18500"
eq "L1 bucket history" "$(jqv '[.bucket_history[] | .bucket] | join(",")')" "current,1-30,31-60"
eq "L1 entered 1-30 the day after #2 fell due" "$(jqv '.bucket_history[1].entered_on')" "2024-04-01"
check "account show L2" v account show L2 --as-of 2024-05-20 --format json
eq "L2 closed" "$(jqv .status)" "closed"
eq "L2 credit" "$(jqv .credit)" "8000"
check "account show table" v account show L3 --as-of 2024-05-20
has_text "L3 table dpd" "$WORK/out" "active, 80 days past due"
check_exit "unknown account" 4 v account show NOPE --as-of 2024-05-20
check_exit "as-of is required" 2 v account show L1

# A back-dated payment: L1 #2 (41500) paid in full on its due date. P2 (04-10) then goes to #3:
# 1000 interest + 19000 principal; #3 unpaid 22000, 20 days late; outstanding 21000.
printf 'payment_id,account_id,paid_on,amount\nP8,L1,2024-03-31,41500\n' > "$WORK/late.csv"
check "import a back-dated payment" v import payments "$WORK/late.csv"
check "account show after" v account show L1 --as-of 2024-05-20 --format json
eq "L1 dpd after back-dated payment" "$(jqv .days_past_due)" "20"
eq "L1 outstanding after" "$(jqv .outstanding_principal)" "21000"
eq "P2 re-allocated" "$(jqv '.payments[] | select(.payment_id=="P2") | .allocation[0] | "\(.installment) \(.interest) \(.principal)"')" "3 1000 19000"
eq "history rewritten" "$(jqv '[.bucket_history[] | "\(.bucket):\(.entered_on)"] | join(",")')" "current:2024-01-31,1-30:2024-05-01"

# A reversal of P6 on 2024-04-01: L3 #1 counts as paid before that day, not from it.
check "reverse P6" v payment reverse P6 --on 2024-04-01
check "reverse again is a no-op" v payment reverse P6 --on 2024-04-01
has_text "no-op said" "$WORK/out" "unchanged"
check_exit "reverse with another date is refused" 1 v payment reverse P6 --on 2024-04-02
check "L3 before reversal" v account show L3 --as-of 2024-03-15 --format json
eq "L3 dpd on 03-15" "$(jqv .days_past_due)" "14"
check "L3 after reversal" v account show L3 --as-of 2024-05-20 --format json
eq "L3 dpd after reversal" "$(jqv .days_past_due)" "109"
eq "L3 outstanding after reversal" "$(jqv .outstanding_principal)" "1000.00"
check "par after reversal" v report par --as-of 2024-05-20 --format json
eq "EUR 91-180 after reversal" "$(jqv '.currencies[] | select(.currency=="EUR") | .par90.amount')" "1000.00"

# write-off
check "write off L3" v account write-off L3 --on 2024-05-01
check "par after write-off" v report par --as-of 2024-05-20 --format json
eq "written-off loan leaves the portfolio" "$(jqv '[.currencies[] | select(.currency=="EUR")] | length')" "0"
check "par before write-off date" v report par --as-of 2024-04-30 --format json
eq "still there the day before" "$(jqv '.currencies[] | select(.currency=="EUR") | .gross_outstanding')" "1000.00"

# export, then import into an empty store: the same store (exported again, byte for byte)
check "export" v export --dir "$WORK/ex1"
new_db copy || exit 1
check "init copy" v init
for k in clients loans schedules invoices payments; do
  check "import exported $k" v import $k "$WORK/ex1/$k.csv"
done
check "export the copy" v export --dir "$WORK/ex2"
check "round trip is identical" diff -r "$WORK/ex1" "$WORK/ex2"
check "copy par" v report par --as-of 2024-05-20 --format json
eq "copy has the same PAR" "$(jqv '.currencies[] | select(.currency=="XOF") | .gross_outstanding')" "21000"

done_tests

#!/bin/sh
# test_import_errors.sh: bad files are rejected whole, with every error as
# FILE:LINE: field: what was expected, what was found; the store is left exactly as it was.
. "$(dirname "$0")/lib.sh"
BAD="$FIX/bad"
new_db main || exit 1
check "init" v init
check "clients" v import clients "$FIX/clients.csv"
check "export before" v export --dir "$WORK/before"

cd "$BAD" || exit 1
check_exit "bad loans rejected" 1 v import loans loans.csv
E="$WORK/err"
has_line "XOF has no decimals" "$E" 'loans.csv:2: principal: expected an amount with at most 0 decimals for XOF, found "1500.50"'
has_line "unknown client" "$E" 'loans.csv:3: client_id: expected a known client (import clients first), found "C9"'
has_line "unknown currency" "$E" 'loans.csv:4: currency: expected an ISO 4217 currency code such as XOF or EUR, found "XXX"'
has_line "EUR has 2 decimals" "$E" 'loans.csv:5: principal: expected an amount with at most 2 decimals for EUR, found "12.345"'
has_line "negative principal" "$E" 'loans.csv:6: principal: expected a positive amount, found "-5"'
has_text "not a leap year" "$E" 'loans.csv:7: disbursed_on: expected a date YYYY-MM-DD'
has_text "exponent notation" "$E" 'loans.csv:8: principal: expected an amount like 1500 or 1500.25'
has_line "duplicate id" "$E" 'loans.csv:9: loan_id: expected a unique id, found "L1" already given at line 2'
has_line "short row" "$E" 'loans.csv:10: expected 5 fields as in the header, found 4'
has_text "overflow" "$E" 'loans.csv:11: principal: expected an amount like 1500 or 1500.25'
has_line "summary" "$E" 'loans.csv: rejected: 10 errors in 10 rows; nothing was imported'

# a good loans file, then bad schedules
printf 'loan_id,client_id,currency,principal,disbursed_on\nL1,C1,XOF,120000,2024-01-31\nL2,C2,XOF,1000,2024-01-31\n' > "$WORK/loans.csv"
check "good loans" v import loans "$WORK/loans.csv"
check "export after loans" v export --dir "$WORK/before"
check_exit "bad schedules rejected" 1 v import schedules schedules.csv
has_line "sum does not add up" "$E" 'schedules.csv:4: principal: expected the installments of L2 to add up to its principal 1000 XOF, found 100 XOF (lines 4-4)'
has_line "rows not together" "$E" 'schedules.csv:5: loan_id: expected the rows of loan "L1" together, found them again after other loans (first at line 2)'
has_line "unknown loan" "$E" 'schedules.csv:6: loan_id: expected a known loan (import loans first), found "NOPE"'

check_exit "bad payments rejected" 1 v import payments payments.csv
has_line "unknown account" "$E" 'payments.csv:3: account_id: expected a known loan or invoice id, found "NOPE"'
has_line "payment decimals" "$E" 'payments.csv:4: amount: expected an amount with at most 0 decimals for XOF, found "100.5"'
has_line "paid before disbursement" "$E" 'payments.csv:5: paid_on: expected a date on or after 2024-01-31, when L1 started, found 2024-01-01'
has_line "duplicate payment in file" "$E" 'payments.csv:6: payment_id: expected a unique id, found "P1" already given at line 2'
has_line "zero amount" "$E" 'payments.csv:7: amount: expected a positive amount, found "0"'

check_exit "unterminated quote" 1 v import payments unterminated.csv
has_text "names the line of the quote" "$E" 'unterminated.csv:2:'
check_exit "misspelt column" 1 v import clients header.csv
has_text "unknown column named" "$E" 'header.csv:1: header: expected only the columns client_id, name, branch, officer, phone, email, language, found "nmae"'
has_text "missing column named" "$E" 'header.csv:1: header: expected a column name, found none'
check_exit "missing file" 3 v import clients "$WORK/nope.csv"
has_text "missing file named" "$E" "nope.csv"
check_exit "unknown kind" 2 v import things x.csv

check "export after the rejections" v export --dir "$WORK/after"
check "nothing was written by the rejected files" diff -r "$WORK/before" "$WORK/after"

# A payment id already posted with other data is refused; the same data is unchanged.
printf 'payment_id,account_id,paid_on,amount\nP1,L1,2024-02-29,42000\n' > "$WORK/p1.csv"
printf 'payment_id,account_id,paid_on,amount\nP1,L1,2024-02-29,42001\n' > "$WORK/p1b.csv"
check "post P1" v import payments "$WORK/p1.csv"
check "post P1 again" v import payments "$WORK/p1.csv"
has_text "unchanged" "$WORK/out" "1 unchanged"
check_exit "P1 with another amount" 1 v import payments "$WORK/p1b.csv"
has_text "conflict explained" "$E" 'p1b.csv:2: payment_id: expected a new payment id or the payment already posted under it, found "P1" already posted with other data (42000 XOF on 2024-02-29)'

# Rows are written in batches: an outcome far into the file is still reported at its own line.
awk 'BEGIN { print "payment_id,account_id,paid_on,amount"; for (i = 1; i <= 2500; i++) printf "B%d,L2,2024-03-01,1\n", i }' > "$WORK/many.csv"
awk 'NR == 2002 { sub(/,1$/, ",2") } { print }' "$WORK/many.csv" > "$WORK/many2.csv"
check "2500 payments" v import payments "$WORK/many.csv"
has_text "all inserted" "$WORK/out" "2500 rows: 2500 inserted"
check_exit "one changed deep in the file" 1 v import payments "$WORK/many2.csv"
has_line "reported at its own line" "$E" "$WORK/"'many2.csv:2002: payment_id: expected a new payment id or the payment already posted under it, found "B2001" already posted with other data (1 XOF on 2024-03-01)'
has_text "only that one" "$E" "rejected: 1 error in 2500 rows"

# usage errors
check_exit "no command" 2 "$VIGIE"
check_exit "unknown command" 2 v frobnicate
check_exit "bad date" 2 v report par --as-of 2024-02-30
has_text "bad date explained" "$E" 'expected a date YYYY-MM-DD, found "2024-02-30"'
check_exit "bad format" 2 v report par --as-of 2024-02-01 --format xml
for c in init import report account payment export demo; do
  check "$c --help" v $c --help
done
check "--help" "$VIGIE" --help
has_text "exit codes documented" "$WORK/out" "Exit codes"
done_tests

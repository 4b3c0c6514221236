#!/bin/sh
# test_behaviour.sh: the behavioural score from the ledger through the real binary, on the demo
# portfolio (vigie demo, as of 2026-11-25): `score features` writes the documented columns, `score
# train --from-ledger` fits on the clients active on 2026-05-31 with the outcome over 90 days, `score
# eval --from-ledger` back-tests that model on 2026-08-31 (AUC >= 0.7: the demo has chronic-late and
# defaulting payers), `score apply --from-ledger --explain` gives points that add up, the features CSV
# trains exactly the same model as --from-ledger, and bad usage is refused. Run on each back-end.
. "$(dirname "$0")/lib.sh"

s() { v score "$@"; }
cd "$WORK" || exit 1
new_db demo || { done_tests; exit 1; }

HEADER="client_id,max_dpd_3m,max_dpd_6m,max_dpd_12m,dpd_now,on_time_share_12m,partial_payments_12m,loans,relationship_days,outstanding_principal,outstanding_share,active_loans,days_since_last_payment"

check "score features --help" s features --help
has_text "features help lists the columns" "$WORK/out" "partial_payments_12m"
check "demo portfolio" v demo --dir "$WORK/demo" --as-of 2026-11-25

# The data set as a risk manager sees it.
check "features as of 2026-05-31, horizon 90" s features --from-ledger --as-of 2026-05-31 --horizon 90
cp "$WORK/out" f0531.csv
eq "features header" "$(head -n 1 f0531.csv)" "$HEADER,bad"
ROWS=$(($(wc -l < f0531.csv) - 1))
eq "one row per client with an active loan (more than 1000), got $ROWS" "$([ "$ROWS" -gt 1000 ] && echo yes)" "yes"
eq "every row has 14 fields" "$(awk -F, 'NF != 14' f0531.csv | wc -l | tr -d ' ')" "0"
eq "bad is 0 or 1" "$(tail -n +2 f0531.csv | cut -d, -f14 | sort -u | tr '\n' ' ')" "0 1 "
eq "client ids unique and sorted" "$(tail -n +2 f0531.csv | cut -d, -f1 | LC_ALL=C sort -uc && echo sorted)" "sorted"
eq "some clients late in the last 3 months" "$(tail -n +2 f0531.csv | awk -F, '$2 > 30' | wc -l | awk '{print ($1 > 10) ? "yes" : "no"}')" "yes"
eq "every client has an active loan" "$(tail -n +2 f0531.csv | awk -F, '$12 < 1' | wc -l | tr -d ' ')" "0"
check "features without a horizon" s features --from-ledger --as-of 2026-05-31
eq "no bad column without a horizon" "$(head -n 1 "$WORK/out")" "$HEADER"
eq "the same rows" "$(($(wc -l < "$WORK/out") - 1))" "$ROWS"
s features --from-ledger --as-of 2026-05-31 --horizon 90 > again.csv 2>/dev/null
if cmp -s f0531.csv again.csv; then ok "features are deterministic"; else not_ok "features are deterministic"; fi

# Train on 2026-05-31 with a 90-day outcome.
check "train --from-ledger" s train --from-ledger --as-of 2026-05-31 --horizon 90 --out "$WORK/m.json"
has_text "train summary" "$WORK/out" "Behavioural data set from the ledger as of 2026-05-31, horizon 90 days: $ROWS clients"
eq "model target and id" "$(jq -r '"\(.target) \(.id_column)"' m.json)" "bad client_id"
eq "model training rows" "$(jq -r '.training.rows' m.json)" "$ROWS"
eq "model data names the ledger" "$(jq -r '.training.data // .data' m.json)" "ledger as of 2026-05-31, horizon 90 days"
eq "12 behavioural variables" "$(jq -r '.variables | length' m.json)" "12"
BADS=$(tail -n +2 f0531.csv | cut -d, -f14 | grep -c '^1$')
eq "model bads = bads in the features" "$(jq -r '.training.bads' m.json)" "$BADS"

# The features CSV trains exactly the same model (numbers written so that they read back exactly).
check "train on the features CSV" s train --data f0531.csv --target bad --id-column client_id --out "$WORK/m2.json"
eq "same model from the CSV as from the ledger" \
  "$(jq -S 'del(.training.data) | del(.data)' m2.json | md5sum)" "$(jq -S 'del(.training.data) | del(.data)' m.json | md5sum)"

# Back-test: the model of 2026-05-31 on the clients of 2026-08-31 and what happened to them next.
check "eval --from-ledger (back-test)" s eval --from-ledger --as-of 2026-08-31 --horizon 90 --model m.json --format json
AUC=$(jqv .auc)
eq "back-test AUC >= 0.7, got $AUC" "$(jqv '.auc >= 0.7')" "true"
echo "# back-test AUC (trained 2026-05-31, evaluated 2026-08-31, horizon 90) [$BACKEND]: $AUC, KS $(jqv .ks)"
s features --from-ledger --as-of 2026-08-31 --horizon 90 > f0831.csv 2>/dev/null
eq "back-test rows = clients active on 2026-08-31" "$(jqv .rows)" "$(($(wc -l < f0831.csv) - 1))"
eq "back-test bads = the realised outcome" "$(jqv .bads)" "$(tail -n +2 f0831.csv | cut -d, -f14 | grep -c '^1$')"
eq "calibration covers the rows" "$(jqv '[.calibration[].rows] | add')" "$(jqv .rows)"
check "eval table" s eval --from-ledger --as-of 2026-08-31 --horizon 90 --model m.json
has_text "eval table names the selection" "$WORK/out" "(every client with an active loan)"
has_text "eval notes the outcome not yet known (payments end 2026-11-25)" "$WORK/err" "the latest payment in the store is on 2026-11-25"

# Apply with explanations.
check "apply --from-ledger --explain json" s apply --from-ledger --as-of 2026-08-31 --model m.json --explain --format json
eq "every active client scored" "$(jqv '.scores | length')" "$(($(wc -l < f0831.csv) - 1))"
eq "ids are client ids" "$(jqv '.scores[0].id')" "$(sed -n 2p f0831.csv | cut -d, -f1)"
eq "points add up to the score (2 decimals each)" "$(jqv '[.scores[] | ((.explain | map(.points) | add) - .score) | if . < 0 then -. else . end] | max <= 0.07')" "true"
eq "12 variables explained" "$(jqv '[.scores[].explain | length] | unique | join(",")')" "12"
check "apply --from-ledger csv" s apply --from-ledger --as-of 2026-08-31 --model m.json
eq "apply csv header" "$(head -n 1 "$WORK/out")" "id,score,grade,probability_bad"
# the same scores as apply on the features CSV
s features --from-ledger --as-of 2026-08-31 > f0831-nohz.csv 2>/dev/null
"$VIGIE" score apply --model m.json --data f0831-nohz.csv > applied-csv.csv 2>/dev/null
if cmp -s "$WORK/out" applied-csv.csv; then ok "apply from the ledger = apply on the features CSV"; else not_ok "apply from the ledger = apply on the features CSV"; fi

# Bad usage and bad models.
check_exit "train --from-ledger without a horizon" 2 s train --from-ledger --as-of 2026-05-31
has_text "horizon required" "$WORK/err" "--horizon DAYS is required"
check_exit "train --from-ledger with --data" 2 s train --from-ledger --as-of 2026-05-31 --horizon 90 --data f0531.csv
check_exit "bad as-of date" 2 s features --from-ledger --as-of 2026-02-30
check_exit "horizon 0" 2 s features --from-ledger --as-of 2026-05-31 --horizon 0
check_exit "apply with a horizon" 2 s apply --from-ledger --as-of 2026-08-31 --horizon 90 --model m.json
check_exit "--as-of without --from-ledger" 2 s apply --as-of 2026-08-31 --model m.json --data f0831.csv
check_exit "exclude an unknown variable" 2 s train --from-ledger --as-of 2026-05-31 --horizon 90 --exclude nope --out "$WORK/x.json"
awk 'BEGIN { print "x,bad"; for (i = 1; i <= 60; i++) print i "," (i % 7 < 3 || i > 40 ? 1 : 0) }' > other.csv
check "a model on another data set" "$VIGIE" score train --data other.csv --target bad --out "$WORK/other.json"
check_exit "a model with other variables" 1 s eval --from-ledger --as-of 2026-08-31 --horizon 90 --model other.json
has_text "names the variable" "$WORK/err" "the model's variable x is not a behavioural variable"
check_exit "no client active before the portfolio" 1 s train --from-ledger --as-of 2020-01-01 --horizon 90 --out "$WORK/x.json"
has_text "no active client message" "$WORK/err" "no client has a loan active on that day"
check "exclude a variable" s train --from-ledger --as-of 2026-05-31 --horizon 90 --exclude outstanding_principal --out "$WORK/m3.json"
eq "11 variables without the excluded one" "$(jq -r '.variables | length' m3.json)" "11"

# --threads: the same data set whatever the number of connections sharing the scan.
check "features, 1 connection" s features --from-ledger --as-of 2026-08-31 --horizon 90 --threads 1
cp "$WORK/out" t1.csv
check "features, 3 connections" s features --from-ledger --as-of 2026-08-31 --horizon 90 --threads 3
if cmp -s t1.csv "$WORK/out"; then ok "same features with 3 connections"; else not_ok "same features with 3 connections"; fi
check_exit "bad --threads" 2 s features --from-ledger --as-of 2026-08-31 --threads 0
check_exit "--threads without --from-ledger" 2 s apply --model m.json --data x.csv --threads 2

# Payment prediction: trained on the obligations open on 2026-05-31, back-tested on 2026-08-15.
check "predict --help" s predict --help
check "predict train" s predict train --from-ledger --as-of 2026-05-31 --out "$WORK/pm.json"
has_text "predict train summary" "$WORK/out" "Payment model trained on"
eq "payment model file" "$(jq -r '.format + " " + .payment_prediction.format + " " + (.payment_prediction.bands | length | tostring)' pm.json)" "vigie-scorecard vigie-payment-model 10"
check "predict eval" s predict eval --from-ledger --as-of 2026-08-15 --model pm.json --format json
AUC=$(jqv .auc)
eq "payment back-test AUC >= 0.8, got $AUC" "$(jqv '.auc >= 0.8 and .obligations > 500')" "true"
eq "payment back-test MAE below 20 days" "$(jqv '.mae_days < 20')" "true"
check "predict csv" s predict --from-ledger --as-of 2026-11-25 --model pm.json
eq "predict header" "$(head -n 1 "$WORK/out")" "account,due_on,amount,currency,p_on_time,expected_days_late"
eq "due within 30 days, probabilities in [0, 1]" "$(tail -n +2 "$WORK/out" | awk -F, '$2 < "2026-11-25" || $2 > "2026-12-25" || $5 < 0 || $5 > 1' | wc -l | tr -d ' ')" "0"
NPRED=$(($(wc -l < "$WORK/out") - 1))
eq "some predictions (more than 100), got $NPRED" "$([ "$NPRED" -gt 100 ] && echo yes)" "yes"
check "predict json" s predict --from-ledger --as-of 2026-11-25 --model pm.json --format json
eq "json rows = csv rows" "$(jqv '.predictions | length')" "$NPRED"
check_exit "predict without --as-of" 2 s predict --from-ledger --model pm.json
check_exit "predict with a plain scorecard" 1 s predict --from-ledger --as-of 2026-11-25 --model m.json
has_text "not a payment model" "$WORK/err" "is not a payment prediction variable"
check_exit "bad --window" 2 s predict train --from-ledger --as-of 2026-05-31 --window 999

done_tests

#!/bin/sh
# test_score.sh: `vigie score train|eval|apply` through the real binary on the real credit_data set
# (shared/data/credit_data.csv, fixed split): the test-row AUC must reach that of a plain logistic
# regression fitted by R's glm on the same split (0.82); `apply --explain` points add up to the
# score; grades follow the cut-offs; unseen categories and missing values are scored; bad data
# gives exit 1 with FILE:LINE: messages. The score commands do not use the store, so the run is the
# same on both back-ends.
. "$(dirname "$0")/lib.sh"

DATA="$ROOT/../shared/data/credit_data.csv"
[ -f "$DATA" ] || DATA=/work/shared/data/credit_data.csv
s() { "$VIGIE" score "$@"; }
cd "$WORK" || exit 1

if ! "$VIGIE" score --help >/dev/null 2>&1; then
  not_ok "vigie has no score command (add {\"score\", cmd_score} to the table in src/cli/vigie.c)"
  done_tests; exit 1
fi
check "score --help" s --help
check "train --help" s train --help
has_text "train help names the grades option" "$WORK/out" "--grades SPEC"
check_exit "train without --target" 2 s train --data "$DATA"
check_exit "unknown sub-command" 2 s fit --data "$DATA"
check_exit "bad --grades" 2 s train --data "$DATA" --target bad --grades "A:500,B:600"
has_text "grades message" "$WORK/err" "--grades: grade B: expected a cut-off below 500"
check_exit "bad --bins" 2 s train --data "$DATA" --target bad --bins 1

if [ ! -f "$DATA" ]; then
  not_ok "credit_data.csv not found at $DATA"; done_tests; exit 1
fi

# Train on split = train (3118 rows), with grades suited to this population.
check "train on credit_data" s train --data "$DATA" --target bad --split-column split --id-column id \
  --out "$WORK/m.json" --grades A:560,B:530,C:500,D:470,E
has_text "train summary" "$WORK/out" "Scorecard trained on 3118 rows"
has_text "model written" "$WORK/out" "Model written to $WORK/m.json"
eq "model format" "$(jq -r '.format + " " + (.version | tostring)' m.json)" "vigie-scorecard 1"
eq "training rows" "$(jq -r '.training | "\(.rows) \(.bads) \(.goods)"' m.json)" "3118 878 2240"
eq "id and split columns are not variables" "$(jq -r '[.variables[].name] | map(select(. == "id" or . == "split" or . == "bad")) | length' m.json)" "0"
eq "13 variables" "$(jq -r '.variables | length' m.json)" "13"
eq "each bin has WoE and points" "$(jq -r '[.variables[].bins[] | select(.woe == null or .points == null)] | length' m.json)" "0"
eq "a missing bin for every variable" "$(jq -r '[.variables[] | select(.bins[-1].missing != true)] | length' m.json)" "0"
eq "grades" "$(jq -r '[.grades[] | "\(.grade):\(.min_score)"] | join(",")' m.json)" "A:560,B:530,C:500,D:470,E:null"
eq "scaling" "$(jq -r '.scaling | "\(.base_score) \(.base_odds) \(.pdo)"' m.json)" "600 50 20"

# The same command again writes the same file (no clock, no randomness).
check "train again" s train --data "$DATA" --target bad --split-column split --id-column id \
  --out "$WORK/m2.json" --grades A:560,B:530,C:500,D:470,E
if cmp -s m.json m2.json; then ok "training is deterministic"; else not_ok "training is deterministic"; fi

# Evaluate on the test rows (the default: the model's split column, value "test").
check "eval json" s eval --model m.json --data "$DATA" --format json
eq "eval rows" "$(jqv '"\(.rows) \(.bads) \(.goods)"')" "1336 376 960"
eq "split used" "$(jqv '"\(.split_column)=\(.split_value)"')" "split=test"
AUC=$(jqv .auc)
eq "test AUC >= 0.82 (glm on the same split), got $AUC" "$(jqv '.auc >= 0.82')" "true"
eq "gini = 2 auc - 1" "$(jqv '((.gini - (2 * .auc - 1)) | if . < 0 then -. else . end) < 0.000002')" "true"
eq "ks in (0, 1)" "$(jqv '.ks > 0 and .ks < 1')" "true"
eq "10 calibration groups covering the rows" "$(jqv '"\(.calibration | length) \([.calibration[].rows] | add) \([.calibration[].bads] | add)"')" "10 1336 376"
eq "calibration ordered" "$(jqv '[.calibration[].predicted_bad_rate] | . == sort')" "true"
eq "grades cover the rows" "$(jqv '[.grades[].rows] | add')" "1336"
eq "grades in order of risk" "$(jqv '[.grades[] | select(.rows > 20) | .bad_rate] | . == sort')" "true"
# Default grades: cut-offs at the quintiles of the training scores, written in the model file;
# on the test rows each grade then holds 15% to 25% of the rows, and the bad rates rise from A to E.
check "train with default grades" s train --data "$DATA" --target bad --split-column split \
  --id-column id --out "$WORK/mq.json"
has_text "default grades said" "$WORK/out" "cut-offs at the quintiles of the training scores"
eq "five grades, whole points, decreasing" "$(jq -r '[.grades[].min_score] | (length == 5) and (.[4] == null) and ((.[0:4] | map(. == floor) | all)) and (.[0:4] == (.[0:4] | sort | reverse))' mq.json)" "true"
check "eval with default grades" s eval --model mq.json --data "$DATA" --format json
eq "each grade 15-25% of the test rows" "$(jqv '[.grades[].share] | map(. >= 0.15 and . <= 0.25) | all')" "true"
eq "bad rate rises from A to E" "$(jqv '[.grades[].bad_rate] | . == sort')" "true"
A_CUT=$(jq -r '.grades[0].min_score' mq.json)
check "apply with default grades" s apply --model mq.json --data "$DATA" --format json
eq "grade A from the stored cut-off" "$(jqv "[.scores[] | (.score >= $A_CUT) == (.grade == \"A\")] | all")" "true"
check "eval table" s eval --model m.json --data "$DATA"
has_text "table AUC" "$WORK/out" "AUC 0."
has_text "table calibration" "$WORK/out" "Calibration, by deciles"
check "eval on the training rows" s eval --model m.json --data "$DATA" --split-value train --format json
eq "train rows" "$(jqv .rows)" "3118"
check "eval on every row" s eval --model m.json --data "$DATA" --all --format json
eq "all rows" "$(jqv .rows)" "4454"

# Apply with explanations: the points add up to the score, the grade follows the cut-offs.
check "apply json --explain" s apply --model m.json --data "$DATA" --explain --format json
eq "every client scored" "$(jqv '.scores | length')" "4454"
eq "ids from the model's id column" "$(jqv '.scores[0].id')" "1"
eq "points add up to the score (2 decimals each)" "$(jqv '[.scores[] | ((.explain | map(.points) | add) - .score) | if . < 0 then -. else . end] | max <= 0.07')" "true"
eq "13 variables explained" "$(jqv '[.scores[].explain | length] | unique | join(",")')" "13"
eq "grades follow the cut-offs" "$(jqv '[.scores[] | (if .score >= 560 then "A" elif .score >= 530 then "B" elif .score >= 500 then "C" elif .score >= 470 then "D" else "E" end) == .grade] | all')" "true"
eq "probability follows the score" "$(jqv '[.scores[] | (1 / (1 + pow(2; (.score - 600) / 20) * 50)) - .probability_bad | if . < 0 then -. else . end] | max < 0.0001')" "true"
check "apply csv" s apply --model m.json --data "$DATA"
eq "csv header" "$(head -n 1 "$WORK/out")" "id,score,grade,probability_bad"
eq "csv rows" "$(wc -l < "$WORK/out" | tr -d ' ')" "4455"
check "apply csv --explain" s apply --model m.json --data "$DATA" --explain
has_text "explain columns" "$WORK/out" "id,score,grade,probability_bad,Seniority_bin,Seniority_points,Home_bin"

# Unseen categories and missing values are scored, not refused; the data may come on stdin.
cat > new.csv <<EOF
id,Seniority,Home,Time,Age,Marital,Records,Job,Expenses,Income,Assets,Debt,Amount,Price
N1,3,castle,36,30,married,no,astronaut,50,,,,1000,1200
N2,,NA,36,30,,yes,fixed,50,150,3000,0,1000,1200
EOF
check "apply new clients from stdin" sh -c "'$VIGIE' score apply --model m.json --data - --explain --format json < new.csv"
eq "unseen Home goes to (other)" "$(jqv '.scores[0].explain[] | select(.variable == "Home") | .bin')" "(other)"
eq "missing Income goes to (missing)" "$(jqv '.scores[0].explain[] | select(.variable == "Income") | .bin')" "(missing)"
eq "NA is missing" "$(jqv '.scores[1].explain[] | select(.variable == "Home") | .bin')" "(missing)"
eq "scores are numbers" "$(jqv '[.scores[].score | type] | unique | join(",")')" "number"

# Bad data: exit 1, FILE:LINE: field: expected ..., found ...
printf 'id,Seniority,Home,Time,Age,Marital,Records,Job,Expenses,Income,Assets,Debt,Amount,Price\nB1,3,rent,36,30,married,no,fixed,50,100,0,0,1000,1200\nB2,abc,rent,36,30,married,no,fixed,50,inf,0,0,1000,1200\n' > bad.csv
check_exit "apply on bad data" 1 s apply --model m.json --data bad.csv
has_line "word in a numeric column" "$WORK/err" 'bad.csv:3: Seniority: expected a number or an empty field (missing), found "abc"'
has_line "inf refused" "$WORK/err" 'bad.csv:3: Income: expected a finite number or an empty field (missing), found "inf"'
printf 'x,y,bad\n1,a,0\n2,b,1\n3,c,2\n' > badtarget.csv
check_exit "train with a target that is not 0/1" 1 s train --data badtarget.csv --target bad --out "$WORK/x.json"
has_line "target message" "$WORK/err" 'badtarget.csv:4: bad: expected 0 or 1, found "2"'
: > empty.csv
check_exit "train on an empty file" 1 s train --data empty.csv --target bad --out "$WORK/x.json"
has_line "empty file message" "$WORK/err" 'empty.csv:1: header: expected a header line naming the columns, found an empty file'
printf 'x,bad\n1,0\n1,1\n1,0\n' > constant.csv
check_exit "train on a constant column" 1 s train --data constant.csv --target bad --out "$WORK/x.json"
has_text "nothing to score with" "$WORK/err" "no variable has two bins or more"
check_exit "missing data file" 3 s eval --model m.json --data "$WORK/nope.csv"
sed 's/"version": 1/"version": 2/' m.json > v2.json
check_exit "model of another version" 1 s apply --model v2.json --data new.csv
has_text "version message" "$WORK/err" "v2.json: version: expected 1 (the version this vigie reads), found 2"
check_exit "eval without the target column" 1 s eval --model m.json --data new.csv
has_text "target column message" "$WORK/err" 'new.csv:1: header: expected a column "bad", found none'
if [ -e "$WORK/x.json" ]; then not_ok "no model written on bad data"; else ok "no model written on bad data"; fi

done_tests

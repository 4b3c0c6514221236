#!/bin/sh
# `make demo`: builds a fresh demo store (demo/vigie.db) from a generated, seeded portfolio and prints
# its reports as of today. The date is taken here, in the shell; Vigie itself has no hidden clock.
set -e
VIGIE=${1:-build/rel/vigie}
TODAY=${VIGIE_DEMO_AS_OF:-$(date +%F)}
mkdir -p demo
rm -f demo/vigie.db demo/vigie.db-wal demo/vigie.db-shm
"$VIGIE" --db demo/vigie.db demo --dir demo/csv --as-of "$TODAY"
echo
"$VIGIE" --db demo/vigie.db report par --as-of "$TODAY" --by branch
echo
"$VIGIE" --db demo/vigie.db report ageing --as-of "$TODAY" --by product
echo
# a loan more than 30 days late, to show what an officer would open first
L=$("$VIGIE" --db demo/vigie.db report ageing --as-of "$TODAY" --kind loan --detail --format csv |
    awk -F, 'NR > 1 && $5 > 30 { print $2; exit }')
[ -n "$L" ] || L=$(awk -F, 'NR > 1 { print $1; exit }' demo/csv/loans.csv)
"$VIGIE" --db demo/vigie.db account show "$L" --as-of "$TODAY"
echo
WEEK_AGO=$(date -d "$TODAY - 6 days" +%F)
echo "What the example microfinance policy would have done over the last 7 days (nothing written):"
"$VIGIE" --db demo/vigie.db simulate --policy policies/microfinance.yaml --from "$WEEK_AGO" --to "$TODAY"
cat <<EOM

The demo store is demo/vigie.db (CSV files in demo/csv). Try, for example:
  $VIGIE --db demo/vigie.db report par --as-of $TODAY --by officer
  $VIGIE --db demo/vigie.db report ageing --as-of $TODAY --detail --format csv
  $VIGIE --db demo/vigie.db account show $L --as-of $TODAY --format json
  $VIGIE --db demo/vigie.db report par --as-of 2025-06-30   (any past day replays exactly)
  $VIGIE --db demo/vigie.db simulate --policy policies/trade-receivables-fr.yaml --from $WEEK_AGO --to $TODAY --detail
EOM

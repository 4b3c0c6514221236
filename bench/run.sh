#!/bin/sh
# bench/run.sh BUILD_DIR: the benchmarks behind `make bench` (docs/benchmarks.md says what and why).
#
# Generates a bench portfolio (bench/gen.c: BENCH_LOANS loans, default 1,000,000, of 12 monthly
# installments, with their payments), then on SQLite and on a throwaway PostgreSQL server:
#   - times `vigie import` of each file (rows/s, peak RSS);
#   - times `vigie report par|ageing --format json` as of the portfolio's date and a past date,
#     BENCH_RUNS runs each (best, median, peak RSS);
#   - times the plain SQL a user would write on the raw tables for the same reports (bench/*.sql),
#     checks that it gives the same figures as vigie, and reports the ratio;
# and, when BENCH_LOANS > 100,000, a second portfolio of 100,000 loans for the SQLite report's
# peak memory at both sizes. Figures only: nothing here asserts a timing. The exit status is
# non-zero only when a command fails or figures disagree.
#
# Environment:
#   BENCH_LOANS                   loans in the portfolio (default 1000000)
#   BENCH_RUNS                    runs of each vigie report (default 3)
#   BENCH_SQL_RUNS                runs of each plain SQL query (default 3 up to 200,000 loans, else 1)
#   BENCH_SMALL                   loans of the second portfolio (default 100000)
#   BENCH_PG                      0 skips PostgreSQL (default 1)
#   BENCH_PG_FULL_IMPORT          1 always imports the whole portfolio into PostgreSQL with vigie;
#                                 0 never (default: only when the rate measured on 100,000 loans
#                                 predicts at most BENCH_PG_IMPORT_MAX_S seconds, default 300)
#   BENCH_PG_IMPORT_BUDGET_S      a PostgreSQL import still running after this many seconds (default
#                                 300) is stopped and reported as such; the reports then run on a
#                                 store loaded by COPY (not with BENCH_PG_FULL_IMPORT=1)
#   TMPDIR                        where the temporary files go (default /tmp; ~4 GB at 1M loans)
set -eu

B=${1:-build/rel}
V=$B/vigie
GEN=$B/bench/gen
HERE=$(cd "$(dirname "$0")" && pwd)
N=${BENCH_LOANS:-1000000}
RUNS=${BENCH_RUNS:-3}
SMALL=${BENCH_SMALL:-100000}
AS_OF=2026-11-25
PAST=2026-06-30
PG=${BENCH_PG:-1}
PG_FULL=${BENCH_PG_FULL_IMPORT:-auto}
PG_MAX_S=${BENCH_PG_IMPORT_MAX_S:-300}
PG_BUDGET_S=${BENCH_PG_IMPORT_BUDGET_S:-300}
case "$N" in '' | *[!0-9]*) echo "bench: BENCH_LOANS must be a number, found \"$N\"" >&2; exit 2 ;; esac
case "$SMALL" in '' | *[!0-9]*) echo "bench: BENCH_SMALL must be a number" >&2; exit 2 ;; esac
case "$RUNS" in '' | *[!0-9]* | 0) echo "bench: BENCH_RUNS must be a number >= 1" >&2; exit 2 ;; esac
if [ "$N" -le 200000 ]; then SQL_RUNS=${BENCH_SQL_RUNS:-3}; else SQL_RUNS=${BENCH_SQL_RUNS:-1}; fi
[ -x "$V" ] && [ -x "$GEN" ] || { echo "bench: $V or $GEN missing (run make bench)" >&2; exit 2; }
for tool in sqlite3 jq; do
  command -v $tool >/dev/null || { echo "bench: $tool is missing (make deps)" >&2; exit 2; }
done
if [ ! -x /usr/bin/time ]; then
  echo "bench: installing the time package (for /usr/bin/time)"
  if [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends time >/dev/null ||
      { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends time >/dev/null; }
  fi
  [ -x /usr/bin/time ] || { echo "bench: /usr/bin/time missing (apt-get install time)" >&2; exit 2; }
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/vigie-bench.XXXXXX")
PGDIR=
cleanup() {
  if [ -n "$PGDIR" ]; then sh "$HERE/../scripts/pg-test-server.sh" stop "$PGDIR" || true; fi
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
# The whole run uses copies of the binaries, so that a rebuild of BUILD_DIR meanwhile cannot mix
# two builds in one set of figures.
mkdir "$TMP/bin"
cp "$V" "$GEN" "$TMP/bin/"
V=$TMP/bin/vigie
GEN=$TMP/bin/gen
RES=$TMP/results # KEY<TAB>VALUE lines, read back by get()
: >"$RES"
MISMATCH=0
T_START=$(date +%s)

# ---- helpers ----------------------------------------------------------------------------------

put() { printf '%s\t%s\n' "$1" "$2" >>"$RES"; }
get() { awk -F '\t' -v k="$1" '$1 == k { v = $2 } END { print (v == "" ? "-" : v) }' "$RES"; }
now_ns() { date +%s%N; }
group() { echo "$1" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta'; }                 # 1234567 -> 1,234,567
ms_s() { awk -v m="$1" 'BEGIN { if (m == "-") print "-"; else printf "%.3f", m / 1000 }'; }
kb_mb() { awk -v k="$1" 'BEGIN { if (k == "-") print "-"; else printf "%.1f", k / 1024 }'; }
rate() { awk -v r="$1" -v ms="$2" 'BEGIN { if (ms <= 0) print "-"; else printf "%d", r * 1000 / ms }'; }
day_of() { echo $(($(date -u -d "$1" +%s) / 86400)); }       # civil day (days since 1970-01-01)
stats() { # the wall times in ms, one a line, on stdin -> "best median"
  sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print "- -"; else print v[1], v[int((NR + 1) / 2)] }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b <= 0) print "-"; else printf "%.1f", a / b }'; }

# measure OUT CMD ARGS...: runs CMD (stdout to OUT), sets WALL_MS and RSS_KB; stops on failure.
# With TIMEOUT_S set, CMD is stopped after that many seconds and TIMED_OUT is set to 1.
TIMEOUT_S=
measure() {
  out=$1; shift
  TIMED_OUT=0
  t0=$(now_ns)
  if [ -n "$TIMEOUT_S" ]; then set -- timeout -s TERM "$TIMEOUT_S" "$@"; fi
  rc=0
  /usr/bin/time -v -o "$TMP/time.txt" "$@" >"$out" 2>"$TMP/stderr.txt" || rc=$?
  t1=$(now_ns)
  if [ $rc = 124 ] && [ -n "$TIMEOUT_S" ]; then
    TIMED_OUT=1
  elif [ $rc != 0 ]; then
    echo "bench: failed (exit status $rc): $*" >&2
    cat "$TMP/stderr.txt" >&2
    exit 1
  fi
  WALL_MS=$(((t1 - t0) / 1000000))
  RSS_KB=$(sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): //p' "$TMP/time.txt")
}

# import_all TAG DB DIR [BUDGET_S]: `vigie import` of the five files, timed; records TAG.import.*.
# On SQLite a bulk import runs with synchronous=OFF, so what it wrote reaches the disk later (the next
# command's checkpoint pays the fdatasync): each import is followed by `sync DB`, timed, and that
# flush is counted in the import's time. With BUDGET_S, an import still running when the budget is
# spent is stopped (its transaction rolls back), the rate is then an upper bound ("<"), and
# import_all returns 1.
import_all() {
  tag=$1 db=$2 dir=$3 budget=${4:-0}
  deadline=$(($(date +%s) + budget))
  measure "$TMP/out.txt" "$V" --db "$db" init
  tot_rows=0 tot_ms=0 tot_flush=0 max_rss=0 stopped=0
  printf '  %-10s %12s %10s %10s %12s %10s\n' file rows seconds "+ flush" rows/s "peak RSS"
  for f in clients loans schedules invoices payments; do
    rows=$(($(wc -l <"$dir/$f.csv") - 1))
    if [ "$budget" -gt 0 ]; then
      TIMEOUT_S=$((deadline - $(date +%s)))
      [ "$TIMEOUT_S" -lt 1 ] && TIMEOUT_S=1
    fi
    measure "$TMP/out.txt" "$V" --db "$db" import "$f" "$dir/$f.csv"
    TIMEOUT_S=
    flush_ms=0
    case "$db" in
      postgres://* | postgresql://*) ;;
      *)
        t0=$(now_ns)
        sync "$db"
        [ -f "$db-wal" ] && sync "$db-wal"
        flush_ms=$((($(now_ns) - t0) / 1000000))
        ;;
    esac
    ms=$((WALL_MS + flush_ms))
    tot_rows=$((tot_rows + rows)) tot_ms=$((tot_ms + ms)) tot_flush=$((tot_flush + flush_ms))
    [ "$RSS_KB" -gt "$max_rss" ] && max_rss=$RSS_KB
    lt=
    if [ "$TIMED_OUT" = 1 ]; then stopped=1 lt="<"; fi
    printf '  %-10s %12s %10s %10s %12s %6s MiB\n' "$f" "$(group $rows)" "$(ms_s $WALL_MS)" "$(ms_s $flush_ms)" \
      "$lt$(group "$(rate $rows $ms)")" "$(kb_mb $RSS_KB)"
    put "$tag.import.$f.ms" "$ms"
    put "$tag.import.$f.rows_s" "$lt$(rate $rows $ms)"
    put "$tag.import.$f.rss" "$RSS_KB"
    if [ $stopped = 1 ]; then
      echo "  stopped: the $f import was still running when the time budget ($budget s) ran out;" \
        "nothing of it was written"
      break
    fi
  done
  lt=; [ $stopped = 1 ] && lt="<"
  printf '  %-10s %12s %10s %10s %12s %6s MiB\n' all "$(group $tot_rows)" "$(ms_s $((tot_ms - tot_flush)))" \
    "$(ms_s $tot_flush)" "$lt$(group "$(rate $tot_rows $tot_ms)")" "$(kb_mb $max_rss)"
  put "$tag.import.rows" "$tot_rows"
  put "$tag.import.ms" "$tot_ms"
  put "$tag.import.rows_s" "$lt$(rate $tot_rows $tot_ms)"
  put "$tag.import.rss" "$max_rss"
  put "$tag.import.stopped" "$stopped"
  return $stopped
}

# vigie's JSON -> the lines the plain SQL prints: currency|figures... (amounts in minor units)
JQ_MINOR='def m: gsub("\\."; "") | sub("^0+(?=[0-9])"; "");'
json_lines() { # KIND FILE
  if [ "$1" = par ]; then
    jq -r "$JQ_MINOR"' .currencies[] | [.currency, (.loans | tostring), (.gross_outstanding | m),
      (.buckets[] | (.accounts | tostring), (.amount | m))] | join("|")' "$2"
  else
    jq -r "$JQ_MINOR"' .currencies[] | [.currency, (.total | m), (.credit | m),
      (.buckets[] | (.accounts | tostring), (.obligations | tostring), (.amount | m))] | join("|")' "$2"
  fi
}

# reports TAG DB: vigie report par|ageing as of both dates, RUNS runs each.
reports() {
  tag=$1 db=$2
  printf '  %-24s %10s %10s %10s\n' report "best s" "median s" "peak RSS"
  for d in "$AS_OF" "$PAST"; do
    for k in par ageing; do
      : >"$TMP/walls.txt"
      rss=0 i=0
      while [ $i -lt "$RUNS" ]; do
        measure "$TMP/$tag.$k.$d.json" "$V" --db "$db" report "$k" --as-of "$d" --format json
        echo "$WALL_MS" >>"$TMP/walls.txt"
        [ "$RSS_KB" -gt "$rss" ] && rss=$RSS_KB
        i=$((i + 1))
      done
      set -- $(stats <"$TMP/walls.txt")
      printf '  %-24s %10s %10s %6s MiB\n' "$k $d" "$(ms_s $1)" "$(ms_s $2)" "$(kb_mb $rss)"
      put "$tag.$k.$d.best" "$1"
      put "$tag.$k.$d.median" "$2"
      put "$tag.$k.$d.rss" "$rss"
    done
  done
}

# plain_sql TAG: the plain SQL for both reports and dates, on SQLite (sq) or PostgreSQL (pg).
plain_sql() {
  tag=$1
  printf '  %-24s %10s %10s %10s %10s  %s\n' query "best s" "median s" "peak RSS" "vs vigie" figures
  for d in "$AS_OF" "$PAST"; do
    day=$(day_of "$d")
    for k in par ageing; do
      : >"$TMP/walls.txt"
      i=0 rss=0
      while [ $i -lt "$SQL_RUNS" ]; do
        if [ "$tag" = sq ]; then
          measure "$TMP/sql.txt" sqlite3 -batch -bail -separator '|' "$SQLITE_DB" ".parameter init" \
            ".parameter set :d $day" ".read $HERE/$k.sqlite.sql"
        else
          measure "$TMP/sql.txt" psql -X -q -A -t -F '|' -v ON_ERROR_STOP=1 -v d="$day" -d "$PG_URL" \
            -f "$HERE/$k.pg.sql"
        fi
        echo "$WALL_MS" >>"$TMP/walls.txt"
        [ "$RSS_KB" -gt "$rss" ] && rss=$RSS_KB
        i=$((i + 1))
      done
      set -- $(stats <"$TMP/walls.txt")
      best=$1 med=$2
      json_lines "$k" "$TMP/$tag.$k.$d.json" >"$TMP/vigie.txt"
      if cmp -s "$TMP/vigie.txt" "$TMP/sql.txt"; then
        fig="figures match"
        put "$tag.sql.$k.$d.match" yes
      else
        fig="MISMATCH"
        put "$tag.sql.$k.$d.match" NO
        MISMATCH=1
      fi
      r=$(ratio "$med" "$(get "$tag.$k.$d.median")")
      printf '  %-24s %10s %10s %6s MiB %9sx  %s\n' "$k $d" "$(ms_s $best)" "$(ms_s $med)" "$(kb_mb $rss)" "$r" "$fig"
      if [ "$fig" = MISMATCH ]; then
        echo "    vigie:     $(tr '\n' ' ' <"$TMP/vigie.txt")"
        echo "    plain SQL: $(tr '\n' ' ' <"$TMP/sql.txt")"
      fi
      put "$tag.sql.$k.$d.best" "$best"
      put "$tag.sql.$k.$d.median" "$med"
      put "$tag.sql.$k.$d.ratio" "$r"
      put "$tag.sql.$k.$d.rss" "$rss"
    done
  done
  echo "  (vs vigie: plain SQL median / vigie median; figures: per currency, counts and amounts in minor"
  echo "  units, compared with vigie's JSON; peak RSS is the sqlite3 or psql client's)"
}

SQLITE_DB=
PG_URL=

# check_figures BACKEND DB|URL DATE...: vigie's reports against the plain SQL, figures only (not timed).
check_figures() {
  backend=$1 target=$2; shift 2
  ok=0 bad=0
  for d in "$@"; do
    day=$(day_of "$d")
    for k in par ageing; do
      "$V" --db "$target" report "$k" --as-of "$d" --format json >"$TMP/check.json"
      json_lines "$k" "$TMP/check.json" >"$TMP/vigie.txt"
      if [ "$backend" = sqlite ]; then
        sqlite3 -batch -bail -separator '|' "$target" ".parameter init" ".parameter set :d $day" \
          ".read $HERE/$k.sqlite.sql" >"$TMP/sql.txt"
      else
        psql -X -q -A -t -F '|' -v ON_ERROR_STOP=1 -v d="$day" -d "$target" -f "$HERE/$k.pg.sql" >"$TMP/sql.txt"
      fi
      if cmp -s "$TMP/vigie.txt" "$TMP/sql.txt"; then
        ok=$((ok + 1))
      else
        bad=$((bad + 1))
        MISMATCH=1
        echo "  MISMATCH: $k as of $d"
        echo "    vigie:     $(tr '\n' ' ' <"$TMP/vigie.txt")"
        echo "    plain SQL: $(tr '\n' ' ' <"$TMP/sql.txt")"
      fi
    done
  done
  if [ $bad = 0 ]; then
    echo "  figures match: par and ageing as of $*"
    put "demo.$backend" yes
  else
    echo "  $bad of $((ok + bad)) reports differ"
    put "demo.$backend" NO
  fi
}

# make_demo DIR: the demo portfolio (two currencies, loans and invoices, late, partial and defaulting
# payers, write-offs), plus reversals and overpayments (credit balances), for check_figures.
make_demo() {
  dir=$1 db=$1/vigie.db today=$(day_of "$AS_OF")
  "$V" --db "$db" demo --dir "$dir" --as-of "$AS_OF" >/dev/null
  sqlite3 -batch "$db" "SELECT ext_id || ' ' || date((paid_on + 20) * 86400, 'unixepoch') FROM payment
    WHERE id % 400 = 0 AND paid_on + 20 <= $today" | while read -r id on; do
    "$V" --db "$db" payment reverse "$id" --on "$on" >/dev/null
  done
  { echo payment_id,account_id,paid_on,amount
    sqlite3 -batch -csv "$db" "SELECT 'XCREDIT' || id, ext_id, '$AS_OF',
      CASE currency WHEN 'XOF' THEN 2 * principal ELSE 2 * principal / 100 END FROM (
      SELECT * FROM (SELECT * FROM account WHERE kind = 0 AND start_on <= $today AND written_off_on IS NULL ORDER BY id LIMIT 4)
      UNION ALL SELECT * FROM (SELECT * FROM account WHERE kind = 1 AND start_on <= $today AND written_off_on IS NULL ORDER BY id LIMIT 2))"
  } >"$dir/overpayments.csv"
  "$V" --db "$db" import payments "$dir/overpayments.csv" >/dev/null
}
DEMO_DATES="$AS_OF $PAST 2026-01-31"

# pg_copy_from_sqlite SQLITE_DB PG_URL: loads the tables of a SQLite store (built by vigie, derived
# data included) into a PostgreSQL store created by `vigie init`, with COPY. Used when importing the
# whole portfolio with vigie would take too long; it is not an import measurement.
pg_copy_from_sqlite() {
  src=$1 url=$2
  for t in client account account_dirty obligation payment bucket_history; do
    cols= sel= nn=
    for c in $(sqlite3 "$src" "SELECT name || ':' || upper(type) || ':' || \"notnull\" FROM pragma_table_info('$t')"); do
      name=${c%%:*} rest=${c#*:} type=${rest%%:*} notnull=${rest#*:}
      cols="$cols${cols:+, }$name"
      if [ "$type" = BLOB ]; then
        sel="$sel${sel:+, }CASE WHEN $name IS NULL THEN NULL ELSE '\\x' || hex($name) END"
      else
        sel="$sel${sel:+, }$name"
      fi
      [ "$type" = TEXT ] && [ "$notnull" = 1 ] && nn="$nn${nn:+, }$name"
    done
    opts="FORMAT csv${nn:+, FORCE_NOT_NULL ($nn)}"
    sqlite3 -batch -bail -csv "$src" "SELECT $sel FROM $t" |
      PGOPTIONS="-c session_replication_role=replica" \
        psql -X -q -v ON_ERROR_STOP=1 -d "$url" -c "\\copy $t ($cols) FROM STDIN ($opts)"
  done
  psql -X -q -v ON_ERROR_STOP=1 -d "$url" >/dev/null <<'EOF'
SELECT setval(pg_get_serial_sequence(t, 'id'), (SELECT coalesce(max(id), 0) + 1 FROM client), false) FROM (VALUES ('client')) v (t);
SELECT setval(pg_get_serial_sequence(t, 'id'), (SELECT coalesce(max(id), 0) + 1 FROM account), false) FROM (VALUES ('account')) v (t);
SELECT setval(pg_get_serial_sequence(t, 'id'), (SELECT coalesce(max(id), 0) + 1 FROM payment), false) FROM (VALUES ('payment')) v (t);
EOF
}

# ---- machine and data -------------------------------------------------------------------------

CPU=$(lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | head -n 1)
CORES=$(nproc)
MEM=$(free -g | awk '/^Mem:/ { print $2 }')
echo "== Vigie benchmarks, $(date -u '+%Y-%m-%d %H:%M UTC')"
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
echo "machine: ${CPU:-unknown CPU}, $CORES cores, ${MEM} GiB memory; $(uname -sr)"
free -g
echo "load average at start: $LOAD0 (other work on the machine makes the times noisier)"
echo "sqlite3 $(sqlite3 --version | cut -d' ' -f1); $(psql --version 2>/dev/null || echo 'psql missing')"
if command -v git >/dev/null && git -C "$HERE/.." rev-parse --git-dir >/dev/null 2>&1; then
  echo "code: commit $(git -C "$HERE/.." rev-parse --short HEAD)$(git -C "$HERE/.." status --porcelain --untracked-files=no -- src | grep -q . && echo ', with uncommitted changes in src/')"
fi
echo "portfolio: $(group "$N") loans of 12 monthly installments, $(group $((N / 4))) clients, as of $AS_OF;" \
  "reports as of $AS_OF and $PAST; $RUNS runs of each report, $SQL_RUNS of each plain SQL query"
echo

mkdir "$TMP/n"
measure "$TMP/gen.txt" "$GEN" "$TMP/n" "$N" "$AS_OF"
val() { sed -n "s/^$1=//p" "$TMP/gen.txt"; }
echo "== Generator: $(group "$(val rows)") rows in $(ms_s $WALL_MS) s:" \
  "$(group "$(val clients)") clients, $(group "$(val loans)") loans, $(group "$(val schedules)") schedule rows," \
  "$(group "$(val payments)") payments ($(du -sh "$TMP/n" | cut -f1) of CSV)"
put data.rows "$(val rows)"
put data.schedules "$(val schedules)"
put data.payments "$(val payments)"
echo

# ---- SQLite -----------------------------------------------------------------------------------

echo "== SQLite: import ($(group "$N") loans)"
SQLITE_DB=$TMP/n/vigie.db
import_all sq "$SQLITE_DB" "$TMP/n"
echo "  store: $(du -h "$SQLITE_DB" | cut -f1)"
echo "== SQLite: vigie reports ($(group "$N") loans)"
reports sq "$SQLITE_DB"
echo "== SQLite: plain SQL on the raw tables (bench/*.sqlite.sql, sqlite3 CLI)"
plain_sql sq
echo "== SQLite: plain SQL against vigie on the demo portfolio (XOF and EUR, invoices, write-offs, reversals,"
echo "   credit balances; figures only)"
mkdir "$TMP/demo"
make_demo "$TMP/demo"
check_figures sqlite "$TMP/demo/vigie.db" $DEMO_DATES
echo

if [ "$N" -gt "$SMALL" ]; then
  mkdir "$TMP/s"
  measure "$TMP/gen.txt" "$GEN" "$TMP/s" "$SMALL" "$AS_OF"
  echo "== SQLite: second portfolio of $(group $SMALL) loans, for the memory of the reports"
  import_all sqs "$TMP/s/vigie.db" "$TMP/s"
  for k in par ageing; do
    : >"$TMP/walls.txt"
    rss=0 i=0
    while [ $i -lt "$RUNS" ]; do
      measure "$TMP/small.json" "$V" --db "$TMP/s/vigie.db" report "$k" --as-of "$AS_OF" --format json
      echo "$WALL_MS" >>"$TMP/walls.txt"
      [ "$RSS_KB" -gt "$rss" ] && rss=$RSS_KB
      i=$((i + 1))
    done
    set -- $(stats <"$TMP/walls.txt")
    printf '  report %-6s %s: best %s s, median %s s, peak RSS %s MiB (at %s loans: %s MiB)\n' "$k" "$AS_OF" \
      "$(ms_s $1)" "$(ms_s $2)" "$(kb_mb $rss)" "$(group "$N")" "$(kb_mb "$(get "sq.$k.$AS_OF.rss")")"
    put "sqs.$k.$AS_OF.median" "$2"
    put "sqs.$k.$AS_OF.rss" "$rss"
  done
  rm -f "$TMP/s/"*.db*
  echo
fi

# ---- PostgreSQL -------------------------------------------------------------------------------

if [ "$PG" = 1 ]; then
  sh "$HERE/../scripts/pg-test-server.sh" start >"$TMP/pg.txt"
  PGDIR=$(sed -n 1p "$TMP/pg.txt")
  PG_BASE=$(sed -n 2p "$TMP/pg.txt")
  echo "== PostgreSQL $(psql -X -A -t -d "$PG_BASE/postgres" -c 'SHOW server_version'), throwaway server" \
    "(fsync off, synchronous_commit off; scripts/pg-test-server.sh)"
  PG_URL=$(VIGIE_PG_BASE=$PG_BASE sh "$HERE/../scripts/pg-newdb.sh" bench)
  full=1
  if [ "$N" -gt "$SMALL" ] && [ "$PG_FULL" != 1 ]; then
    # Import the 100,000-loan portfolio first: if the rate predicts a long import of the whole one,
    # the whole one is loaded by COPY from the SQLite store instead (its reports are then timed on
    # the same data as SQLite's).
    echo "== PostgreSQL: import ($(group $SMALL) loans; time budget $PG_BUDGET_S s)"
    small_url=$(VIGIE_PG_BASE=$PG_BASE sh "$HERE/../scripts/pg-newdb.sh" bench_small)
    if import_all pgs "$small_url" "$TMP/s" "$PG_BUDGET_S"; then
      est=$(awk -v r="$(get data.rows)" -v rs="$(get pgs.import.rows_s)" 'BEGIN { printf "%d", r / rs }')
      why="at this rate, importing $(group "$N") loans would take about $(group "$est") s"
    else
      est=999999999
      why="the import of $(group $SMALL) loans did not finish within $PG_BUDGET_S s"
    fi
    psql -X -q -d "$PG_BASE/postgres" -c "DROP DATABASE bench_small WITH (FORCE)" >/dev/null
    if [ "$PG_FULL" = 0 ] || [ "$est" -gt "$PG_MAX_S" ]; then
      full=0
      echo "  $why (more than BENCH_PG_IMPORT_MAX_S=$PG_MAX_S, or BENCH_PG_FULL_IMPORT=0):"
      echo "  the $(group "$N")-loan store is loaded by COPY from the SQLite store instead" \
        "(not an import measurement; BENCH_PG_FULL_IMPORT=1 imports it with vigie)"
    fi
  fi
  if [ "$full" = 1 ]; then
    budget=$PG_BUDGET_S
    [ "$PG_FULL" = 1 ] && budget=0
    echo "== PostgreSQL: import ($(group "$N") loans$([ "$budget" -gt 0 ] && echo "; time budget $budget s"))"
    if ! import_all pg "$PG_URL" "$TMP/n" "$budget"; then
      full=0
      echo "  the store is loaded by COPY from the SQLite store instead, for the reports"
      PG_URL=$(VIGIE_PG_BASE=$PG_BASE sh "$HERE/../scripts/pg-newdb.sh" bench)
    fi
  fi
  if [ "$full" = 0 ]; then
    measure "$TMP/out.txt" "$V" --db "$PG_URL" init
    t0=$(now_ns)
    pg_copy_from_sqlite "$SQLITE_DB" "$PG_URL"
    echo "  loaded by COPY in $(ms_s $((($(now_ns) - t0) / 1000000))) s"
  fi
  psql -X -q -d "$PG_URL" -c "VACUUM ANALYZE" >/dev/null
  echo "  store: $(psql -X -A -t -d "$PG_URL" -c 'SELECT pg_size_pretty(pg_database_size(current_database()))') (after VACUUM ANALYZE)"
  echo "== PostgreSQL: vigie reports ($(group "$N") loans)"
  reports pg "$PG_URL"
  same=yes
  for d in "$AS_OF" "$PAST"; do
    for k in par ageing; do
      if ! cmp -s "$TMP/pg.$k.$d.json" "$TMP/sq.$k.$d.json"; then
        echo "  MISMATCH: vigie report $k as of $d differs between PostgreSQL and SQLite"
        MISMATCH=1
        same=NO
      fi
    done
  done
  [ $same = yes ] && echo "  the four reports are identical to SQLite's"
  put pg.same "$same"
  echo "== PostgreSQL: plain SQL on the raw tables (bench/*.pg.sql, psql)"
  plain_sql pg
  echo "== PostgreSQL: plain SQL against vigie on the demo portfolio (copied from SQLite; figures only)"
  demo_url=$(VIGIE_PG_BASE=$PG_BASE sh "$HERE/../scripts/pg-newdb.sh" demo)
  "$V" --db "$demo_url" init >/dev/null
  pg_copy_from_sqlite "$TMP/demo/vigie.db" "$demo_url"
  psql -X -q -d "$demo_url" -c "ANALYZE" >/dev/null
  check_figures pg "$demo_url" $DEMO_DATES
  sh "$HERE/../scripts/pg-test-server.sh" stop "$PGDIR"
  PGDIR=
  echo
fi

# ---- summary ----------------------------------------------------------------------------------

col() { printf '%-56s %-22s %-22s\n' "$1" "$2" "$3"; }
secs() { [ "$1" = - ] && echo - || echo "$(ms_s "$1") s"; }
import_cell() { # TAG
  v=$(get "$1.import.rows_s")
  if [ "$v" = - ]; then echo -; else echo "$(group "$v")$([ "$(get "$1.import.stopped")" = 1 ] && echo ' (stopped)')"; fi
}
echo "== Summary: $(group "$N") loans ($(group "$(get data.rows)") rows); ${CPU:-unknown CPU}, $CORES cores, $MEM GiB"
col "" SQLite PostgreSQL
pg_imp=$(import_cell pg)
[ "$pg_imp" = - ] && [ "$(get pgs.import.rows_s)" != - ] && pg_imp="$(import_cell pgs) ($(group "$SMALL") loans)"
col "import rows/s, all files" "$(import_cell sq)" "$pg_imp"
for f in clients loans schedules payments; do
  p=$(get "pg.import.$f.rows_s"); [ "$p" = - ] && p=$(get "pgs.import.$f.rows_s")
  col "  $f" "$(group "$(get "sq.import.$f.rows_s")")" "$(group "$p")"
done
p=$(get pg.import.rss); [ "$p" = - ] && p=$(get pgs.import.rss)
col "import peak RSS (MiB)" "$(kb_mb "$(get sq.import.rss)")" "$(kb_mb "$p")"
for d in "$AS_OF" "$PAST"; do
  for k in par ageing; do
    col "report $k $d, median (best)" \
      "$(secs "$(get "sq.$k.$d.median")") ($(ms_s "$(get "sq.$k.$d.best")"))" \
      "$(secs "$(get "pg.$k.$d.median")") ($(ms_s "$(get "pg.$k.$d.best")"))"
    col "  plain SQL, median; ratio SQL/vigie" \
      "$(secs "$(get "sq.sql.$k.$d.median")"); x$(get "sq.sql.$k.$d.ratio")" \
      "$(secs "$(get "pg.sql.$k.$d.median")"); x$(get "pg.sql.$k.$d.ratio")"
    col "  figures vigie = plain SQL" "$(get "sq.sql.$k.$d.match")" "$(get "pg.sql.$k.$d.match")"
  done
done
col "demo portfolio: figures vigie = plain SQL" "$(get demo.sqlite)" "$(get demo.pg)"
col "vigie's reports identical on both stores" "" "$(get pg.same)"
for k in par ageing; do
  small=$(get "sqs.$k.$AS_OF.rss")
  if [ "$small" != - ]; then
    col "report $k peak RSS, $(group "$SMALL") / $(group "$N") loans (MiB)" "$(kb_mb "$small") / $(kb_mb "$(get "sq.$k.$AS_OF.rss")")" \
      "- / $(kb_mb "$(get "pg.$k.$AS_OF.rss")")"
  else
    col "report $k peak RSS (MiB)" "$(kb_mb "$(get "sq.$k.$AS_OF.rss")")" "$(kb_mb "$(get "pg.$k.$AS_OF.rss")")"
  fi
done
echo "aims: import >= 1,000,000 rows/s (SQLite); report < 1 s as of any date, 0.2 s as of today;" \
  ">= 10x the plain SQL; memory not growing with the portfolio"
echo "load average at start: $LOAD0; at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "bench time: $(($(date +%s) - T_START)) s"
if [ "$MISMATCH" = 1 ]; then
  echo "bench: FIGURES DIFFER (see MISMATCH above)" >&2
  exit 1
fi

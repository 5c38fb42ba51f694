#!/usr/bin/env bash
# Fuzzes engage with sqlsmith: random queries over engage's functions and aggregates and the
# demo data, for a bounded number of queries or a bounded time. Fails if any backend crashed
# (the server log then shows a process "terminated by signal" and the query it was running).
#   bash test/fuzz/sqlsmith.sh [QUERIES [SEED]]     (default 2000 queries, seed 1)
#   FUZZ_SECONDS=3600 bash test/fuzz/sqlsmith.sh    (one hour; QUERIES is then ignored)
# A time-bounded run stops sqlsmith with SIGINT when the time is up, and starts it again with
# the next seed if it ends early (e.g. after losing its connection). It reports the queries
# run, the errors by SQLSTATE class when the server log carries them (log_line_prefix with
# %e after the user name %u, as test/fuzz/run.sh sets), and the crashes.
# Needs a running cluster (PGHOST/PGPORT) and the bin directory in ENGAGE_BINDIR, as in
# test/t/; test/fuzz/run.sh starts one for a standalone long run.
set -euo pipefail
cd "${ENGAGE_ROOT:-$(dirname "$0")/../..}"
queries=${1:-2000}
seed=${2:-1}
seconds=${FUZZ_SECONDS:-}
db=fuzz_$$
psql=("$ENGAGE_BINDIR/psql" -X -q -v ON_ERROR_STOP=1)

"${psql[@]}" -d postgres -c "CREATE DATABASE $db"
"${psql[@]}" -d "$db" -f test/demo/00_load.sql >/dev/null
"${psql[@]}" -d "$db" -c "DROP ROLE IF EXISTS fuzzer" >/dev/null 2>&1 || true
"${psql[@]}" -d "$db" -f test/fuzz/sqlsmith.sql
logfile=$(ls "$PGHOST"/data.log 2>/dev/null || ls "$PGHOST"/*.log | head -n 1)
log_start=$(($(stat -c %s "$logfile") + 1))
out=$PGHOST/sqlsmith.$db.out
target="host=$PGHOST port=$PGPORT dbname=$db user=fuzzer"
: >"$out"

# Runs sqlsmith once, appending its output; prints the number of queries it reports.
run_sqlsmith() {
    local part=$PGHOST/sqlsmith.$db.part
    "$@" --target="$target" --seed="$seed" --exclude-catalog --verbose >"$part" 2>&1 || true
    cat "$part" >>"$out"
    grep -E '^queries: [0-9]+' "$part" | tail -n 1 | awk '{print $2} END {if (NR == 0) print 0}'
    rm -f "$part"
}

total=0
runs=0
started=$(date +%s)
if [ -n "$seconds" ]; then
    while :; do
        left=$((started + seconds - $(date +%s)))
        [ "$left" -gt 0 ] || break
        n=$(run_sqlsmith timeout --signal=INT --kill-after=30 "$left" sqlsmith)
        total=$((total + n))
        runs=$((runs + 1))
        seed=$((seed + 1))
    done
else
    total=$(run_sqlsmith sqlsmith --max-queries="$queries")
    runs=1
fi
elapsed=$(($(date +%s) - started))
grep -E '^error rate' "$out" | tail -n 1 || true

# Errors by SQLSTATE class (first two characters), from the fuzzer's log lines since the start.
tail -c +"$log_start" "$logfile" >"$PGHOST/sqlsmith.$db.log"
errors=$(grep -cE ' fuzzer [0-9A-Z]{5} (ERROR|FATAL):' "$PGHOST/sqlsmith.$db.log" || true)
if [ "$errors" -gt 0 ]; then
    echo "errors by SQLSTATE class ($errors in all):"
    grep -oE ' fuzzer [0-9A-Z]{5} (ERROR|FATAL):' "$PGHOST/sqlsmith.$db.log" |
        awk '{print substr($2, 1, 2)}' | sort | uniq -c | sort -rn | sed 's/^/  /'
    internal=$(grep -cE ' fuzzer XX000 ' "$PGHOST/sqlsmith.$db.log" || true)
    if [ "$internal" -gt 0 ]; then
        echo "internal errors (XX000):"
        grep -E -A 1 ' fuzzer XX000 ' "$PGHOST/sqlsmith.$db.log" | head -n 20
    fi
fi
crashes=$(grep -c 'terminated by signal' "$PGHOST/sqlsmith.$db.log" || true)
rm -f "$PGHOST/sqlsmith.$db.log"

"${psql[@]}" -d postgres -c "DROP DATABASE $db" -c "DROP ROLE fuzzer"
echo "sqlsmith: $total queries in $elapsed s ($runs sqlsmith runs), $crashes crashes"
if [ "$crashes" -ne 0 ]; then
    echo "sqlsmith crashed a backend:"
    tail -c +"$log_start" "$logfile" | grep -A 2 'terminated by signal' | tail -n 40
    exit 1
fi

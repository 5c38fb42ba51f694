#!/usr/bin/env bash
# Fuzzes engage with sqlsmith: random queries over engage's functions and aggregates and the
# demo data, for a bounded number of queries. Fails if any backend crashed (the server log
# then shows a process "terminated by signal").
#   bash test/fuzz/sqlsmith.sh [QUERIES [SEED]]     (default 2000 queries, seed 1)
# Needs a running cluster (PGHOST/PGPORT) and the bin directory in ENGAGE_BINDIR, as in
# test/t/; test/fuzz/run.sh starts one for a standalone long run.
set -euo pipefail
cd "${ENGAGE_ROOT:-$(dirname "$0")/../..}"
queries=${1:-2000}
seed=${2:-1}
db=fuzz_$$
psql=("$ENGAGE_BINDIR/psql" -X -q -v ON_ERROR_STOP=1)

"${psql[@]}" -d postgres -c "CREATE DATABASE $db"
"${psql[@]}" -d "$db" -f test/demo/00_load.sql >/dev/null
"${psql[@]}" -d "$db" -c "DROP ROLE IF EXISTS fuzzer" >/dev/null 2>&1 || true
"${psql[@]}" -d "$db" -f test/fuzz/sqlsmith.sql
logfile=$(ls "$PGHOST"/data.log 2>/dev/null || ls "$PGHOST"/*.log | head -n 1)
before=$(grep -c 'terminated by signal' "$logfile" || true)

sqlsmith --target="host=$PGHOST port=$PGPORT dbname=$db user=fuzzer" \
    --max-queries="$queries" --seed="$seed" --exclude-catalog >"$PGHOST/sqlsmith.$db.out" 2>&1 || true
tail -n 5 "$PGHOST/sqlsmith.$db.out"

after=$(grep -c 'terminated by signal' "$logfile" || true)
"${psql[@]}" -d postgres -c "DROP DATABASE $db" -c "DROP ROLE fuzzer"
if [ "$after" -ne "$before" ]; then
    echo "sqlsmith crashed a backend:"
    grep -B 5 'terminated by signal' "$logfile" | tail -n 40
    exit 1
fi
echo "sqlsmith: $queries queries, no backend crashed"

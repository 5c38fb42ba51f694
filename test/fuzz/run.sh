#!/usr/bin/env bash
# Long fuzzing run on its own throwaway cluster (make fuzz):
#   bash test/fuzz/run.sh [SQLSMITH_QUERIES [IO_ITERATIONS [SEED]]]
#   FUZZ_SECONDS=3600 bash test/fuzz/run.sh      (sqlsmith for one hour instead of a count)
# defaults: 200000 sqlsmith queries, 20000 input-function iterations per type, seed 1.
# The server logs each error with its SQLSTATE (for the report by class) but not the
# statement; a crashed backend's query is still logged ("Failed process was running").
set -uo pipefail
cd "$(dirname "$0")/../.."
. test/lib.sh
queries=${1:-200000}
iterations=${2:-20000}
seed=${3:-1}

work=$(engage_workdir fuzz)
bindir=$(engage_temp_install "$work/inst") || exit 1
trap 'cluster_stop "$bindir" "$work/data"' EXIT
cluster_start "$bindir" "$work/data" "log_line_prefix = '%m [%p] %u %e '" \
    "log_min_error_statement = panic" || exit 1
export PGHOST=$work PGPORT=5432 PGUSER=postgres PGDATABASE=postgres
export ENGAGE_BINDIR=$bindir ENGAGE_ROOT=$PWD
status=0
as_owner env FUZZ_SECONDS="${FUZZ_SECONDS:-}" bash test/fuzz/sqlsmith.sh "$queries" "$seed" || status=1
as_owner /usr/bin/python3 test/fuzz/io_fuzz.py "$iterations" "$seed" || status=1
[ $status -eq 0 ] && rm -rf "$work"
exit $status

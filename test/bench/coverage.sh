#!/usr/bin/env bash
# make coverage: the coverage study of the Wald intervals (test/bench/coverage.sql) on a
# throwaway cluster: 1000 simulated data sets of 10,000 customers for each of BG/NBD, MBG/NBD
# and Pareto/NBD (about 10 minutes on 2 cores); fails unless every parameter's 95 % intervals
# cover the truth in 93 % to 97 % of the data sets. COVERAGE_DATASETS, COVERAGE_CUSTOMERS and
# COVERAGE_MODELS (e.g. "'bgnbd'") change the study.
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib.sh
work=$(engage_workdir coverage)
bindir=$(engage_temp_install "$work/inst")
trap 'cluster_stop "$bindir" "$work/data"; rm -rf "$work"' EXIT
cluster_start "$bindir" "$work/data" "max_parallel_workers_per_gather = 0" "jit = off"
export PGHOST=$work PGPORT=5432 PGUSER=postgres PGDATABASE=postgres
start=$(date +%s)
as_owner "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -c "CREATE EXTENSION engage" \
    -v datasets="${COVERAGE_DATASETS:-1000}" -v customers="${COVERAGE_CUSTOMERS:-10000}" \
    -v models="${COVERAGE_MODELS:-'bgnbd', 'mbgnbd', 'paretonbd'}" \
    -f test/bench/coverage.sql | tee "$work/coverage.out"
echo "$(($(date +%s) - start)) s, load average $(cut -d' ' -f1-3 /proc/loadavg)"
grep -q '^coverage: ok$' "$work/coverage.out"

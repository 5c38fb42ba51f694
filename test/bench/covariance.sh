#!/usr/bin/env bash
# The cost of the covariance of a fit against the fit itself: 200,000 customers simulated from
# the CDNOW estimates (recency to 0.1 week, as real summaries repeat), fitted by BG/NBD,
# MBG/NBD and Pareto/NBD; each fit reports at DEBUG1 its likelihood evaluations and the
# passes over the sample its covariance took (k gradient evaluations). Prints, per model, both
# counts, their ratio, and the fit's time.
# Run: bash test/bench/covariance.sh  (after make; a throwaway cluster)
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib.sh
customers=${BENCH_CUSTOMERS:-200000}
work=$(engage_workdir covbench)
bindir=$(engage_temp_install "$work/inst")
trap 'cluster_stop "$bindir" "$work/data"; rm -rf "$work"' EXIT
cluster_start "$bindir" "$work/data" "max_parallel_workers_per_gather = 0"
export PGHOST=$work PGPORT=5432 PGUSER=postgres PGDATABASE=postgres
bench_psql() { as_owner "$bindir/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }
bench_psql -c "CREATE EXTENSION engage" -c "CREATE TABLE sim AS
    SELECT frequency, least(round(recency::numeric, 1)::float8, age) AS recency, age
    FROM engage.bgnbd_simulate(engage.bgnbd(0.243, 4.414, 0.793, 2.426), $customers, 38, 1)"
printf '%-10s %8s %12s %12s %8s\n' model seconds fit_evals cov_evals ratio
for model in bgnbd mbgnbd paretonbd; do
    start=$(date +%s.%N)
    line=$(bench_psql -c "SET client_min_messages = debug1" \
        -c "SELECT engage.${model}_fit(frequency, recency, age) FROM sim" 2>&1 >/dev/null |
        sed -n 's/.*fit converged: [0-9]* iterations, \([0-9]*\) likelihood evaluations, then \([0-9]*\) for the covariance.*/\1 \2/p')
    seconds=$(echo "$(date +%s.%N) - $start" | bc)
    read -r fit cov <<<"$line"
    printf '%-10s %8.2f %12d %12d %8.3f\n' "$model" "$seconds" "$fit" "$cov" "$(echo "$cov / $fit" | bc -l)"
done

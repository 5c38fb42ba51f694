#!/usr/bin/env bash
# The speed of the bootstrap: engage.bgnbd_bootstrap(sample, 100, 1) on the 1M-customer summary
# of make bench (the same generator call as data.sql, without the tables the bootstrap does not
# need), timed by elapsed and backend CPU time (test/bench/bootstrap.sql). The target: 100
# refits in under 60 s on 2 cores.
# Run: bash test/bench/bootstrap.sh  (after make; a throwaway cluster; BENCH_CUSTOMERS, BENCH_REPLICATES)
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib.sh
customers=${BENCH_CUSTOMERS:-1000000}
replicates=${BENCH_REPLICATES:-100}
work=$(engage_workdir bootstrapbench)
bindir=$(engage_temp_install "$work/inst")
trap 'cluster_stop "$bindir" "$work/data"; rm -rf "$work"' EXIT
cluster_start "$bindir" "$work/data" "max_parallel_workers_per_gather = 0" "jit = off"
export PGHOST=$work PGPORT=5432 PGUSER=postgres PGDATABASE=postgres
bench_psql() { as_owner "$bindir/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }
echo "$(nproc) cores, load average at start: $(cut -d' ' -f1-3 /proc/loadavg), $(date -u '+%Y-%m-%d %H:%M UTC'), git $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
bench_psql -c "CREATE EXTENSION engage" -c "SET client_min_messages = warning" -c "CREATE SCHEMA bench" \
    -f test/data/generate.sql -c "SET TimeZone = 'UTC'" -c "CREATE TABLE bench.summary AS
    SELECT customer_id, (engage.rfm(occurred_at, amount, '2024-12-31', '7 days')).*
    FROM engage_gen.interactions($customers, 42) WHERE amount IS NOT NULL GROUP BY customer_id"
bench_psql -v replicates="$replicates" -f test/bench/bootstrap.sql
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"

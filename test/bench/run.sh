#!/usr/bin/env bash
# make bench: generates the benchmark data on a throwaway cluster and prints every measured
# ratio against its target (test/bench/queries.sql), then the memory of the 1M-group queries
# under the default work_mem, with the backend's peak anonymous RSS sampled from /proc.
#   BENCH_CUSTOMERS  customers to generate (default 1000000: about 10M interactions)
#   BENCH_RUNS       timed runs per query, the median is kept (default 5)
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib.sh

customers=${BENCH_CUSTOMERS:-1000000}
runs=${BENCH_RUNS:-5}
work=$(engage_workdir bench)
bindir=$(engage_temp_install "$work/inst")
datadir=$work/data
trap 'cluster_stop "$bindir" "$datadir"; rm -rf "$work"' EXIT
cluster_start "$bindir" "$datadir" "shared_buffers = 4GB" "jit = off" "max_wal_size = 8GB" \
    "checkpoint_timeout = 1h" "max_parallel_workers_per_gather = 0"

export PGHOST=$work PGPORT=5432 PGUSER=postgres PGDATABASE=postgres
bench_psql() { as_owner "$bindir/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }

echo "== Machine"
echo "$(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), $(free -g | awk '/^Mem:/ {print $2}') GB RAM"
bench_psql -Atc "SELECT version()"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine slows every query alike;"
echo "  each target's query and its baseline are timed alternately, so ratios are less affected than times)"
echo "customers=$customers runs=$runs, $(date -u '+%Y-%m-%d %H:%M UTC'), git $(git rev-parse --short HEAD 2>/dev/null || echo '?')"

bench_psql -c "CREATE EXTENSION engage"
bench_psql -v customers="$customers" -f test/bench/data.sql
bench_psql -f test/bench/bench.sql
bench_psql -v runs="$runs" -f test/bench/queries.sql
bench_psql -f test/bench/bootstrap.sql
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"

# Each aggregate grouped by customer over the whole table once more, in a fresh backend with
# the default work_mem (4MB), hash aggregation forced, serial; the backend's RssAnon is sampled
# every 50 ms while it runs.
echo
echo "== Memory of the 1M-group queries (default work_mem, hash aggregate, serial)"
for ord in $(bench_psql -Atc "SELECT 0 UNION ALL SELECT ord FROM bench.aggregates ORDER BY 1"); do
    pidfile=$work/backend.pid
    rm -f "$pidfile"
    bench_psql >/dev/null <<SQL &
SET work_mem = '4MB';
SET enable_sort = off;
SET max_parallel_workers_per_gather = 0;
SELECT pg_backend_pid() AS pid \gset
\setenv BENCH_PID :pid
\! echo \$BENCH_PID > $pidfile
SELECT pg_sleep(0.2);
SELECT bench.spill($ord);
SQL
    client=$!
    until [ -s "$pidfile" ]; do sleep 0.05; done
    pid=$(cat "$pidfile")
    peak=0
    while kill -0 "$client" 2>/dev/null; do
        kb=$(awk '/^RssAnon:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
        [ "${kb:-0}" -gt "$peak" ] && peak=$kb
        sleep 0.05
    done
    wait "$client"
    bench_psql -c "UPDATE bench.memory SET peak_rss_anon_kb = $peak WHERE ord = $ord"
done
bench_psql <<'SQL'
\pset footer off
SELECT name AS query, round(bytes_per_group) AS bytes_per_group, work_mem, strategy, batches,
       peak_memory_kb, disk_usage_kb, round(ms) AS ms, peak_rss_anon_kb
FROM bench.memory ORDER BY ord;
SQL
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"

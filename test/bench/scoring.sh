#!/usr/bin/env bash
# The scoring part of the benchmark alone: the 1M-customer summary of `make bench`
# (engage.rfm of the generator's orders, weeks) without storing the 10M interactions, the
# models fitted on it, then each scoring query timed against `sum(sqrt(frequency))` over the
# same rows (test/bench/scoring.sql), on a throwaway cluster.
#   BENCH_CUSTOMERS  customers to generate (default 1000000)
#   BENCH_RUNS       timed runs of each query and its baseline, alternately (default 7)
#   BENCH_LIBS       engage.so builds to time in turn, e.g. "old.so engage.so old.so engage.so"
#                    (default: the one just built); every result of each build is compared
#                    with those of the first (largest relative difference per query)
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib.sh

customers=${BENCH_CUSTOMERS:-1000000}
runs=${BENCH_RUNS:-7}
libs=${BENCH_LIBS:-engage.so}
work=$(engage_workdir scoring)
bindir=$(engage_temp_install "$work/inst")
libdir=$work/inst$PG_PKGLIBDIR
datadir=$work/data
trap 'cluster_stop "$bindir" "$datadir"; rm -rf "$work"' EXIT
cluster_start "$bindir" "$datadir" "shared_buffers = 1GB" "jit = off" \
    "max_parallel_workers_per_gather = 0"

export PGHOST=$work PGPORT=5432 PGUSER=postgres PGDATABASE=postgres
bench_psql() { as_owner "$bindir/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }

echo "$(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'); customers=$customers runs=$runs;" \
    "$(date -u '+%Y-%m-%d %H:%M UTC'), git $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
bench_psql -v customers="$customers" -f test/bench/scoring_data.sql
first=1
for lib in $libs; do
    # a fresh backend loads the library copied in place (renamed, so no backend sees it half written)
    cp "$lib" "$libdir/engage.so.new" && mv "$libdir/engage.so.new" "$libdir/engage.so"
    echo
    echo "== $lib ($(sha1sum "$lib" | cut -c1-10)), load average $(cut -d' ' -f1-3 /proc/loadavg)"
    bench_psql -v runs="$runs" -v first="$first" -f test/bench/scoring.sql
    first=0
done

#!/usr/bin/env bash
# Distributed execution over postgres_fdw shards: a coordinator and two shard clusters, an
# interaction table hash-partitioned by customer across foreign-table partitions. Checks that
# GROUP BY customer queries with engage aggregates are pushed down to the shards whole
# (EXPLAIN VERBOSE), that they return the same rows as the single-node query, and that
# model fits combine partial states shipped from the shards into the single-node answer.
set -euo pipefail
. "$ENGAGE_ROOT/test/lib.sh"

base=$ENGAGE_WORK/dist
bindir=$ENGAGE_BINDIR
nodes="coord shard1 shard2"
cleanup() { for n in $nodes; do cluster_stop "$bindir" "$base/$n/data"; done; }
trap cleanup EXIT
for n in $nodes; do
    mkdir -p "$base/$n"
    cluster_start "$bindir" "$base/$n/data"
done

psql_on() { local node=$1; shift; "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h "$base/$node" -p 5432 -U postgres -d postgres "$@"; }

for n in shard1 shard2; do
    psql_on "$n" -f "$ENGAGE_ROOT/test/dist/shard.sql"
done
psql_on coord -v base="$base" -f "$ENGAGE_ROOT/test/dist/coordinator.sql"
psql_on coord -f "$ENGAGE_ROOT/test/dist/checks.sql" | tee "$base/checks.out"
if grep -q '^ FAIL' "$base/checks.out"; then
    echo "distributed checks failed"
    exit 1
fi
grep -c '^ ok' "$base/checks.out" | sed 's/$/ distributed checks passed/'

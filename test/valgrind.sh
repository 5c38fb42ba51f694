#!/usr/bin/env bash
# Runs the whole pg_regress suite on a throwaway cluster whose server runs under valgrind
# memcheck (make valgrind). Fails if any memcheck error has a frame in engage.so; errors
# that lie wholly inside PostgreSQL (e.g. uninitialised padding written to WAL or to the
# relation cache file, which PostgreSQL's own suppressions cover) are counted and shown apart.
set -uo pipefail
cd "$(dirname "$0")/.."
. test/lib.sh

work=$(engage_workdir valgrind)
bindir=$(engage_temp_install "$work/inst") || exit 1
datadir=$work/data
as_owner "$bindir/initdb" -D "$datadir" -U postgres --auth=trust --no-sync >/dev/null || exit 1
cat >>"$datadir/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$work'
fsync = off
max_parallel_workers_per_gather = 2
CONF
# valgrind's own scratch files go to TMPDIR, which must be writable by the cluster owner
as_owner env TMPDIR="$work" valgrind --quiet --trace-children=yes --track-origins=yes --leak-check=no \
    --error-limit=no --num-callers=30 --log-file="$work/vg.%p.log" \
    "$bindir/postgres" -D "$datadir" >"$work/server.log" 2>&1 &
trap 'as_owner "$bindir/pg_ctl" -D "$datadir" -m fast stop >/dev/null 2>&1' EXIT
for _ in $(seq 120); do
    as_owner "$bindir/pg_isready" -q -h "$work" && break
    sleep 1
done

# ENGAGE_VALGRIND_TESTS="bad_input rfm" limits the run to those tests (the whole suite takes hours).
tests=${ENGAGE_VALGRIND_TESTS:-$(for f in sql/*.sql; do basename "$f" .sql; done)}
as_owner "$(pg_regress_path "$bindir")" --host="$work" --port=5432 \
    --user=postgres --bindir="$bindir" --inputdir=. --outputdir="$work/regress" \
    --dbname=contrib_regression $tests | tail -n 3
as_owner "$bindir/pg_ctl" -D "$datadir" -m fast -w stop >/dev/null 2>&1

# One memcheck error = one block of log lines from its headline to the next blank line.
awk -v out="$work/engage-errors.txt" '
    /^==[0-9]+== [A-Z]/ && !/^==[0-9]+== (HEAP|LEAK|ERROR SUMMARY|For lists|Memcheck|Copyright|Using|Command)/ {
        if (block != "") flush(); block = $0 "\n"; next }
    block != "" && /^==[0-9]+== *$/ { flush(); next }
    block != "" { block = block $0 "\n" }
    function flush() {
        if (block ~ /engage\.so/) { engage++; print block >> out } else other++
        block = "" }
    END { if (block != "") flush(); printf "memcheck: %d errors in engage code, %d inside PostgreSQL only\n", engage, other }
' "$work"/vg.*.log
if [ -s "$work/engage-errors.txt" ]; then
    head -n 200 "$work/engage-errors.txt"
    echo "logs: $work"
    exit 1
fi
rm -rf "$work"

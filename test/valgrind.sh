#!/usr/bin/env bash
# Runs the whole pg_regress suite on a throwaway cluster whose server runs under valgrind
# memcheck (make valgrind). Fails if a test's output differs from expected/ or if any
# memcheck error has a frame in engage.so; errors that lie wholly inside PostgreSQL (e.g.
# uninitialised padding written to WAL or to the relation cache file) are counted and shown
# apart. PostgreSQL's own suppression file (test/valgrind.supp) is used.
#
# The tests run in ENGAGE_VALGRIND_JOBS lanes at once (default: the number of cores), each
# lane in a database of its own, taking the next test from a queue ordered slowest first
# (test/valgrind-order.txt lists the slow ones, measured under valgrind). psql runs with
# ENGAGE_VALGRIND=1 in its environment: the tests whose reference computations would take
# hours under valgrind read it (\getenv) to compute them on fewer points, with unchanged
# expected output. Prints each test's time, the slowest first.
#   ENGAGE_VALGRIND_TESTS="bad_input rfm"   only these tests
#   ENGAGE_VALGRIND_JOBS=1                  one test at a time
#   ENGAGE_VALGRIND_ORIGINS=yes             --track-origins=yes (where an undefined value came
#                                           from; about twice as slow), to chase an error
set -uo pipefail
cd "$(dirname "$0")/.."
. test/lib.sh

jobs=${ENGAGE_VALGRIND_JOBS:-$(nproc)}
origins=${ENGAGE_VALGRIND_ORIGINS:-no}
work=$(engage_workdir valgrind)
bindir=$(engage_temp_install "$work/inst") || exit 1
datadir=$work/data
as_owner "$bindir/initdb" -D "$datadir" -U postgres --auth=trust --no-sync \
    --encoding=UTF8 --locale=C.UTF-8 >/dev/null || exit 1
cat >>"$datadir/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$work'
fsync = off
synchronous_commit = off
full_page_writes = off
max_parallel_workers_per_gather = 2
jit = off
# (LLVM compiling expressions under valgrind would take minutes per query; no engage code in it)
CONF
start=$(date +%s)
# valgrind's own scratch files go to TMPDIR, which must be writable by the cluster owner
as_owner env TMPDIR="$work" valgrind --tool=memcheck --quiet --trace-children=yes --vgdb=no \
    --track-origins="$origins" --leak-check=no --error-limit=no --num-callers=30 \
    --suppressions="$PWD/test/valgrind.supp" --log-file="$work/vg.%p.log" \
    "$bindir/postgres" -D "$datadir" >"$work/server.log" 2>&1 &
trap 'as_owner "$bindir/pg_ctl" -D "$datadir" -m fast stop >/dev/null 2>&1' EXIT
for _ in $(seq 120); do
    as_owner "$bindir/pg_isready" -q -h "$work" && break
    sleep 1
done

# The queue: the tests named in test/valgrind-order.txt first, in its order, then the rest.
all=$(for f in sql/*.sql; do basename "$f" .sql; done)
tests=${ENGAGE_VALGRIND_TESTS:-$all}
{
    grep -v '^#' test/valgrind-order.txt | grep -xF -f <(tr ' ' '\n' <<<"$tests")
    tr ' ' '\n' <<<"$tests" | grep . | grep -vxF -f <(grep -v '^#' test/valgrind-order.txt)
} >"$work/queue"
expected=$(grep -c . "$work/queue")
: >"$work/queue.lock"

# Takes the first test off the queue (under a lock); fails when it is empty.
next_test() {
    flock "$work/queue.lock" sh -c 'head -n 1 "$1"; sed -i 1d "$1"' _ "$work/queue" | grep .
}

# One lane: pg_regress for one test at a time in database contrib_regression_LANE (created by
# the lane's first test, reused by the next ones, as tests share one database in make test).
lane() {
    local n=$1 test reuse=
    while test=$(next_test); do
        mkdir -p "$work/regress/$test"
        [ "$(id -u)" -eq 0 ] && chown postgres: "$work/regress/$test"
        as_owner env ENGAGE_VALGRIND=1 "$(pg_regress_path "$bindir")" --host="$work" --port=5432 \
            --user=postgres --bindir="$bindir" --inputdir=. --outputdir="$work/regress/$test" \
            --dbname="contrib_regression_$n" $reuse "$test" >"$work/regress/$test.out" 2>&1
        grep -E '^(test|ok|not ok) ' "$work/regress/$test.out"
        reuse=--use-existing
    done
}
mkdir -p "$work/regress"
lanes=()
for n in $(seq "$jobs"); do
    lane "$n" >"$work/lane.$n.log" &
    lanes+=($!)
done
wait "${lanes[@]}"
elapsed=$(($(date +%s) - start))
# CPU time of the server and of its ended processes (each runs valgrind inside), which unlike
# the elapsed time does not depend on what else the machine runs.
sleep 2
cpu=$(awk -v hz="$(getconf CLK_TCK)" '{ printf "%d", ($14 + $15 + $16 + $17) / hz }' \
    "/proc/$(head -n 1 "$datadir/postmaster.pid")/stat" 2>/dev/null)
as_owner "$bindir/pg_ctl" -D "$datadir" -m fast -w stop >/dev/null 2>&1

# Per-test times (pg_regress prints "test NAME ... ok  1234 ms" up to 15, TAP lines since 16).
cat "$work"/lane.*.log |
    awk '{ name = $2; if ($1 != "test") for (i = 1; i < NF; i++) if ($i == "-") { name = $(i + 1); break }
           printf "%8.1f s  %s %s\n", $(NF - 1) / 1000, name, ($0 ~ /FAILED|^not ok/ ? "FAILED" : "ok") }' |
    sort -rn >"$work/times.txt"
cat "$work/times.txt"
ran=$(grep -c . "$work/times.txt")
failed=$(grep -c 'FAILED$' "$work/times.txt")
echo "$ran of $expected tests ran, $failed failed, in $elapsed s with $jobs lanes (server CPU time ${cpu:-?} s)"
cat "$work"/regress/*/regression.diffs 2>/dev/null | head -n 200

# One memcheck error = one block of log lines from its headline to the next blank line.
awk -v out="$work/engage-errors.txt" '
    /^==[0-9]+== [A-Z]/ && !/^==[0-9]+== (HEAP|LEAK|ERROR SUMMARY|For lists|Memcheck|Copyright|Using|Command)/ {
        if (block != "") flush(); block = $0 "\n"; next }
    block != "" && /^==[0-9]+== *$/ { flush(); next }
    block != "" { block = block $0 "\n" }
    function flush() {
        if (block ~ /engage\.so/) { engage++; print block >> out } else { other++; print block >> out ".other" }
        block = "" }
    END { if (block != "") flush(); printf "memcheck: %d errors in engage code, %d inside PostgreSQL only\n", engage, other }
' "$work"/vg.*.log
if [ -s "$work/engage-errors.txt" ]; then
    head -n 200 "$work/engage-errors.txt"
fi
if [ -s "$work/engage-errors.txt" ] || [ "$failed" -ne 0 ] || [ "$ran" -ne "$expected" ]; then
    echo "logs: $work"
    exit 1
fi
rm -rf "$work"

#!/usr/bin/env bash
# make sanitize: builds engage with UndefinedBehaviorSanitizer (in a copy of the tree, so the
# normal build is untouched), runs the pg_regress suite against it and fails on any report
# (signed overflow, shifts, misaligned or null access, out-of-bounds array indexes, float
# to integer overflow, ...). Memory errors are the business of make valgrind: the ASan
# runtime preloaded into Debian's uninstrumented server deadlocks at start-up.
set -uo pipefail
cd "$(dirname "$0")/.."
. test/lib.sh

work=$(engage_workdir sanitize)
src=$work/src
mkdir -p "$src"
git ls-files -z | xargs -0 cp --parents -t "$src"
flags="-fsanitize=undefined -fsanitize=float-cast-overflow -fno-omit-frame-pointer"
make -s -C "$src" PG_CFLAGS="-Wall -Wextra -Werror -Wno-sign-compare -Wno-unused-parameter $flags" \
    SHLIB_LINK="$flags" >/dev/null || exit 1
bindir=$(cd "$src" && engage_temp_install "$work/inst") || exit 1
export UBSAN_OPTIONS="print_stacktrace=1:log_path=$work/ubsan"
as_owner "$bindir/initdb" -D "$work/data" -U postgres --auth=trust --no-sync >/dev/null || exit 1
printf "listen_addresses = ''\nunix_socket_directories = '%s'\nfsync = off\n" "$work" >>"$work/data/postgresql.conf"
as_owner env UBSAN_OPTIONS="$UBSAN_OPTIONS" "$bindir/pg_ctl" -D "$work/data" -l "$work/server.log" -w start >/dev/null || { cat "$work/server.log"; exit 1; }
trap 'as_owner "$bindir/pg_ctl" -D "$work/data" -m fast stop >/dev/null 2>&1' EXIT

tests=$(for f in sql/*.sql; do basename "$f" .sql; done)
as_owner "$(pg_regress_path "$bindir")" --host="$work" --port=5432 \
    --user=postgres --bindir="$bindir" --inputdir=. --outputdir="$work/regress" \
    --dbname=contrib_regression $tests | tail -n 3
status=${PIPESTATUS[0]}
reports=$(cat "$work"/ubsan.* 2>/dev/null | grep -c 'runtime error' || true)
echo "undefined behaviour sanitizer: $reports reports"
if [ "$reports" -ne 0 ] || [ "$status" -ne 0 ]; then
    cat "$work"/ubsan.* 2>/dev/null | head -n 80
    echo "logs: $work"
    exit 1
fi
as_owner "$bindir/pg_ctl" -D "$work/data" -m fast -w stop >/dev/null 2>&1
rm -rf "$work"

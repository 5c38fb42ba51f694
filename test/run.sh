#!/usr/bin/env bash
# make test: the pg_regress suite (sql/, expected/) and every test/t/*.sh, on a throwaway
# cluster running a private copy of PostgreSQL with the freshly built engage installed.
# Exits non-zero when anything fails; the last line counts passes and failures.
set -uo pipefail
cd "$(dirname "$0")/.."
. test/lib.sh

work=$(engage_workdir test)
bindir=$(engage_temp_install "$work/inst") || exit 1
datadir=$work/data
trap 'cluster_stop "$bindir" "$datadir"' EXIT
cluster_start "$bindir" "$datadir" || exit 1

export PGHOST=$work PGPORT=5432 PGUSER=postgres PGDATABASE=postgres
export ENGAGE_BINDIR=$bindir ENGAGE_SHAREDIR=$work/inst$PG_SHAREDIR ENGAGE_WORK=$work ENGAGE_ROOT=$PWD
passed=0
failed=0

# 1. pg_regress, against the running cluster.
mkdir -p "$work/regress" && [ "$(id -u)" -eq 0 ] && chown postgres: "$work/regress"
tests=$(for f in sql/*.sql; do basename "$f" .sql; done)
as_owner "$(pg_regress_path "$bindir")" \
    --host="$PGHOST" --port="$PGPORT" --user=postgres \
    --bindir="$bindir" --inputdir=. --outputdir="$work/regress" \
    --dbname=contrib_regression $tests >"$work/regress.out" 2>&1
regress_status=$?
cat "$work/regress.out"
# pg_regress prints "test name ... ok" / "... FAILED" up to PostgreSQL 15, TAP lines
# "ok 1 - name" / "not ok 1 - name" since 16.
regress_passed=$(grep -cE '^(ok|test|     ).* \.\.\. +ok|^ok [0-9]+ ' "$work/regress.out" || true)
regress_failed=$(grep -cE '\.\.\. FAILED|^not ok [0-9]+ ' "$work/regress.out" || true)
# a pg_regress that failed without naming a failed test (e.g. could not connect) counts once
[ "$regress_status" -ne 0 ] && [ "$regress_failed" -eq 0 ] && regress_failed=1
passed=$((passed + regress_passed))
failed=$((failed + regress_failed))
if [ -s "$work/regress/regression.diffs" ]; then
    echo "---- regression.diffs (first 400 lines) ----"
    head -n 400 "$work/regress/regression.diffs"
fi

# 2. Shell tests: each gets the cluster through PGHOST/PGPORT and may start its own.
for t in test/t/*.sh; do
    [ -e "$t" ] || continue
    name=$(basename "$t" .sh)
    start=$(date +%s)
    if as_owner bash "$t" >"$work/$name.log" 2>&1; then
        echo "test/t/$name ... ok ($(($(date +%s) - start)) s)"
        passed=$((passed + 1))
    else
        echo "test/t/$name ... FAILED ($(($(date +%s) - start)) s)"
        sed 's/^/    /' "$work/$name.log" | tail -n 60
        failed=$((failed + 1))
    fi
done

echo "$passed passed, $failed failed"
if [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]; then
    cluster_stop "$bindir" "$datadir"
    rm -rf "$work"
    exit 0
fi
echo "left for inspection: $work"
exit 1

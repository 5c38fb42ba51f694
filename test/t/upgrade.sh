#!/usr/bin/env bash
# Upgrading engage: for every upgrade script src/engage--A--B.sql, a database created with version
# A (its install script kept in test/upgrade/engage--A.sql, copied into the extension directory of
# the installation under test for the run) and brought up by ALTER EXTENSION engage UPDATE must
#  1. have the objects of a fresh install, compared as text (test/upgrade/describe.sql: members,
#     comments, full function definitions, aggregate, type, operator and cast definitions);
#  2. keep the values version A stored (test/upgrade/values--A.sql: samples of every type, and
#     models, summaries, states, activity and fit samples computed by A from the CDNOW data):
#     the same text and the same COPY binary bytes after the update as before, and a COPY binary
#     round trip that gives them back;
#  3. compute the same results from them (test/upgrade/results--A.sql) before and after the
#     update, and as a fresh install given the same values (restored from pg_dump of them).
# Also: make install ships every upgrade script and no test/upgrade/engage--A.sql.
# A result or a stored value's text that the new version changes on purpose is listed, as an
# extended regular expression matching its lines (with the reason in a # comment), in
# test/upgrade/changed--A.txt: those lines are left out of the comparisons before/after the update
# only. Samples of test/data/type_samples.sql that version A's types reject (a label or attribute
# added later) are left out and listed.
set -Eeuo pipefail
trap 'echo "FAIL: test/t/upgrade.sh line $LINENO: $BASH_COMMAND (exit status $?)"' ERR
cd "$ENGAGE_ROOT"
psql() { "$ENGAGE_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -P pager=off "$@"; }
# Results must not depend on the session: fixed time zone, no parallel plans, no fit warnings.
export PGOPTIONS="-c TimeZone=UTC -c max_parallel_workers_per_gather=0 -c client_min_messages=error"
dir=$ENGAGE_WORK/upgrade
rm -rf "$dir" && mkdir -p "$dir"
fail() { echo "FAIL: $*"; exit 1; }
databases=()
copied=()
cleanup() {
    for f in "${copied[@]}"; do rm -f "$f"; done
    for db in "${databases[@]}"; do psql -d postgres -c "DROP DATABASE IF EXISTS $db" || true; done
}
trap cleanup EXIT
newdb() {
    databases+=("$1")
    psql -d postgres -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1"
}

# The extension directory of the installation under test: pg_config of its bin directory (a copy
# installed under a DESTDIR finds its own), which must be the directory the server reads.
sharedir=$("$ENGAGE_BINDIR/pg_config" --sharedir)
extdir=$sharedir/extension
[ -f "$extdir/engage.control" ] || fail "no engage.control in $extdir ($ENGAGE_BINDIR/pg_config --sharedir)"
server_sharedir=$(psql -d postgres -At -c "SELECT setting FROM pg_config WHERE name = 'SHAREDIR'")
[ "$server_sharedir" -ef "$sharedir" ] ||
    fail "the server reads extensions from $server_sharedir, pg_config of $ENGAGE_BINDIR says $sharedir"

# ---- what make install ships -------------------------------------------------------------------
for old in test/upgrade/engage--*.sql; do
    [ ! -e "$extdir/$(basename "$old")" ] || fail "make install ships $(basename "$old"), test data of test/upgrade/"
done
for path in src/engage--*--*.sql; do
    [ -e "$path" ] || continue
    cmp -s "$path" "$extdir/$(basename "$path")" || fail "make install did not ship $path as it is"
done
echo "install: $(ls src/engage--*--*.sql 2>/dev/null | wc -l) upgrade scripts shipped, no old install script"

# Lists all tables of schema $2 (default kept) of database $1 as text lines "table: row", sorted.
rows() {
    psql -d "$1" -At -v schema="${2:-kept}" <<'SQL'
SELECT format('SELECT %L || '': '' || t::text FROM %s AS t ORDER BY t::text;', c.relname, c.oid::regclass)
FROM pg_class AS c
WHERE c.relkind = 'r' AND c.relnamespace = :'schema'::regnamespace
ORDER BY c.relname
\gexec
SQL
}
# Writes every table of schema kept of database $1 in COPY's binary format to directory $2.
binary() {
    mkdir -p "$2"
    psql -d "$1" -v dir="$2" <<'SQL'
SELECT format('COPY %s TO %L (FORMAT binary)', c.oid::regclass, :'dir' || '/' || c.relname || '.bin')
FROM pg_class AS c
WHERE c.relkind = 'r' AND c.relnamespace = 'kept'::regnamespace
ORDER BY c.relname
\gexec
SQL
}
# Reads the binary files of directory $2 back into copies of the tables in schema kept_copy of
# database $1; their rows must be those of kept, listed by rows in $2.rows.out.
roundtrip() {
    psql -d "$1" -v dir="$2" <<'SQL'
DROP SCHEMA IF EXISTS kept_copy CASCADE;
CREATE SCHEMA kept_copy;
SELECT format('CREATE TABLE kept_copy.%I (LIKE %s); COPY kept_copy.%I FROM %L (FORMAT binary)',
              c.relname, c.oid::regclass, c.relname, :'dir' || '/' || c.relname || '.bin')
FROM pg_class AS c
WHERE c.relkind = 'r' AND c.relnamespace = 'kept'::regnamespace
ORDER BY c.relname
\gexec
SQL
    rows "$1" kept_copy >"$2.copy.out"
    diff -u "$2.rows.out" "$2.copy.out" >"$2.copy.diff" ||
        { head -n 40 "$2.copy.diff" | cut -c1-300; fail "$1: values do not survive a COPY binary round trip (- stored, + read back)"; }
}
# Prints file $2 without the lines that changed--$1.txt lists as changed on purpose.
unchanged() {
    local list=test/upgrade/changed--$1.txt
    if [ -f "$list" ] && grep -qvE '^(#|$)' "$list"; then
        grep -vE -f <(grep -vE '^(#|$)' "$list") "$2" || true
    else
        cat "$2"
    fi
}
# Compares two files; on a difference prints the start of the diff (long lines cut) and fails
# with message $3.
same() {
    diff -u "$1" "$2" >"$2.diff" || { head -n 60 "$2.diff" | cut -c1-300; fail "$3"; }
}

# ---- the fresh install ---------------------------------------------------------------------------
newdb upg_fresh
psql -d upg_fresh -c "CREATE EXTENSION engage"
psql -d upg_fresh -At -f test/upgrade/describe.sql >"$dir/objects_fresh.out"
psql -d upg_fresh -c '\i test/data/type_samples.sql' \
     -c "\copy (SELECT type::text, value FROM engage_samples ORDER BY 1, 2) TO '$dir/samples.txt'"

upgrades=0
for path in src/engage--*--*.sql; do
    [ -e "$path" ] || continue
    from=$(basename "$path" .sql | sed 's/^engage--\(.*\)--.*$/\1/')
    for f in "engage--$from.sql" "values--$from.sql" "results--$from.sql"; do
        [ -f "test/upgrade/$f" ] || fail "no test/upgrade/$f to test the upgrade from $from"
    done
    cp "test/upgrade/engage--$from.sql" "$extdir/"
    copied+=("$extdir/engage--$from.sql")
    out=$dir/$from
    mkdir -p "$out"
    db=upg_from_${from//./_}
    fresh=upg_fresh_${from//./_}

    # Version $from, and the values it stores.
    newdb "$db"
    psql -d "$db" -c "CREATE EXTENSION engage VERSION '$from'"
    psql -d "$db" -f "test/upgrade/values--$from.sql" <"$dir/samples.txt"
    psql -d "$db" -At -c "SELECT type || ' ' || value || ': ' || error FROM kept.sample_rejected ORDER BY 1" >"$out/rejected.out"
    sed 's/^/sample not accepted by '"$from"': /' "$out/rejected.out"
    rows "$db" >"$out/before.rows.out"
    binary "$db" "$out/before"
    psql -d "$db" -At -f "test/upgrade/results--$from.sql" >"$out/results_before.out"

    psql -d "$db" -c "ALTER EXTENSION engage UPDATE"

    # 1. the objects of a fresh install
    psql -d "$db" -At -f test/upgrade/describe.sql >"$out/objects.out"
    same "$dir/objects_fresh.out" "$out/objects.out" \
        "ALTER EXTENSION engage UPDATE from $from does not give the objects of a fresh install (- fresh install, + upgraded): every change to src/sql/ must be repeated in the upgrade script $path"

    # 2. the stored values: same text, same binary form, and a binary round trip
    rows "$db" >"$out/after.rows.out"
    unchanged "$from" "$out/before.rows.out" >"$out/before.rows_kept.out"
    unchanged "$from" "$out/after.rows.out" >"$out/after.rows_kept.out"
    same "$out/before.rows_kept.out" "$out/after.rows_kept.out" \
        "values stored by $from read back otherwise after the update (- before, + after); a change made on purpose goes in test/upgrade/changed--$from.txt"
    binary "$db" "$out/after"
    changed=$({ diff "$out/before.rows.out" "$out/before.rows_kept.out" || true; } | sed -n 's/^< \([^:]*\): .*/\1/p' | sort -u)
    for f in "$out"/before/*.bin; do
        table=$(basename "$f" .bin)
        grep -qxF "$table" <<<"$changed" && continue         # rows changed on purpose
        cmp "$f" "$out/after/$table.bin" || fail "COPY binary of kept.$table differs before and after the update"
    done
    roundtrip "$db" "$out/after"

    # 3. the same results before and after the update
    psql -d "$db" -At -f "test/upgrade/results--$from.sql" >"$out/results_after.out"
    unchanged "$from" "$out/results_before.out" >"$out/results_before_kept.out"
    unchanged "$from" "$out/results_after.out" >"$out/results_after_kept.out"
    same "$out/results_before_kept.out" "$out/results_after_kept.out" \
        "results from the values stored by $from differ before and after the update (- before, + after); a change made on purpose goes in test/upgrade/changed--$from.txt"

    # ... and as a fresh install given the same values
    newdb "$fresh"
    psql -d "$fresh" -c "CREATE EXTENSION engage"
    "$ENGAGE_BINDIR/pg_dump" -Fc -n kept -d "$db" -f "$out/kept.dump"
    "$ENGAGE_BINDIR/pg_restore" --exit-on-error -d "$fresh" "$out/kept.dump"
    rows "$fresh" >"$out/fresh.rows.out"
    same "$out/after.rows.out" "$out/fresh.rows.out" "the values of the upgraded database read otherwise in a fresh install (- upgraded, + fresh)"
    binary "$fresh" "$out/fresh"
    roundtrip "$fresh" "$out/fresh"
    psql -d "$fresh" -At -f "test/upgrade/results--$from.sql" >"$out/results_fresh.out"
    same "$out/results_after.out" "$out/results_fresh.out" \
        "results differ between the upgraded database and a fresh install given the same values (- upgraded, + fresh)"

    echo "upgrade from $from: objects equal a fresh install ($(wc -l <"$out/objects.out") lines);" \
         "$(wc -l <"$out/after.rows.out") stored rows of $(ls "$out"/after/*.bin | wc -l) tables read back" \
         "(text, COPY binary bytes, binary round trip); $(wc -l <"$out/results_after.out") results" \
         "($(grep -c ': ERROR ' "$out/results_after.out" || true) of them errors) equal before and after the update" \
         "($(($(wc -l <"$out/results_after.out") - $(wc -l <"$out/results_after_kept.out"))) changed on purpose)" \
         "and in a fresh install; $(wc -l <"$out/rejected.out") samples not accepted by $from"
    upgrades=$((upgrades + 1))
done
[ "$upgrades" -gt 0 ] || fail "no upgrade script src/engage--*--*.sql"
echo "upgrade ok"

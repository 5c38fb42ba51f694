#!/usr/bin/env bash
# Installing engage safely:
#  1. static checks of the install script: every object engage-qualified, no SECURITY DEFINER,
#     SQL-language functions with SQL-standard bodies; every extension member has a comment
#  2. trusted install by a database owner who is not a superuser; the demo runs for that user
#     and prints what it prints for a superuser
#  3. search_path attack: hostile same-named types, casts, functions, aggregates and operators
#     (generated from the catalog, test/security/traps.sql) in a schema before pg_catalog;
#     CREATE EXTENSION, the demo and a call of every function (test/security/calls.sql) give
#     the results of a clean database, and no trap is ever called
#  4. pg_dump -Fc / pg_restore of a database with a table of every engage type and the demo
#     data gives the same rows, as text
# (Upgrades from earlier versions: test/t/upgrade.sh.)
set -euo pipefail
cd "$ENGAGE_ROOT"
psql() { "$ENGAGE_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -P pager=off "$@"; }
dir=$ENGAGE_WORK/install
rm -rf "$dir" && mkdir -p "$dir"
script=src/engage--$(sed -n "s/^default_version = '\(.*\)'/\1/p" engage.control).sql
fail() { echo "FAIL: $*"; exit 1; }

for db in inst_ref inst_trusted inst_hostile inst_dump inst_restore; do
    psql -d postgres -c "DROP DATABASE IF EXISTS $db"
done
psql -d postgres -c "DROP ROLE IF EXISTS engage_owner" -c "DROP ROLE IF EXISTS engage_other"

# Runs the demo scripts in database $1 (more psql options after it); prints their output.
demo() {
    local db=$1; shift
    for f in test/demo/*.sql; do psql -d "$db" "$@" -f "$f"; done 2>&1
}

# ---- 1. static checks ------------------------------------------------------------------
[ -f "$script" ] || fail "$script is missing (run make)"
if grep -niE 'security[[:space:]]+definer' "$script"; then fail "SECURITY DEFINER in $script"; fi
# Every CREATE and COMMENT names its object with @extschema@. (CREATE CAST: both types).
bad=$(grep -nE '^[[:space:]]*(CREATE|COMMENT ON)[[:space:]]' "$script" |
      grep -vE '(CREATE (OR REPLACE )?(FUNCTION|AGGREGATE|TYPE|OPERATOR( CLASS| FAMILY)?|CAST \(|DOMAIN|TABLE|VIEW|INDEX [^ ]+ ON)|COMMENT ON (FUNCTION|AGGREGATE|TYPE|OPERATOR( CLASS| FAMILY)?|CAST \(|DOMAIN|TABLE|VIEW|COLUMN)) @extschema@\.' |
      grep -vE 'CREATE CAST \(@extschema@\.[^ ]+ AS|CREATE CAST \([^)]* AS @extschema@\.' || true)
[ -z "$bad" ] || fail "objects not qualified with @extschema@:"$'\n'"$bad"
# Support functions and operators named in CREATE AGGREGATE/OPERATOR/OPERATOR CLASS.
bad=$(grep -nE '^[[:space:]]*(SFUNC|FINALFUNC|COMBINEFUNC|SERIALFUNC|DESERIALFUNC|MSFUNC|MINVFUNC|MFINALFUNC|FUNCTION|PROCEDURE|RESTRICT|JOIN|COMMUTATOR|NEGATOR|INPUT|OUTPUT|RECEIVE|SEND|TYPMOD_IN|TYPMOD_OUT|ANALYZE|SUBSCRIPT)[[:space:]]*=' "$script" |
      grep -vE '=[[:space:]]*(OPERATOR\()?(@extschema@|pg_catalog)\.' || true)
[ -z "$bad" ] || fail "support functions or operators not schema-qualified:"$'\n'"$bad"
bad=$(grep -nE '^[[:space:]]*(OPERATOR|FUNCTION)[[:space:]]+[0-9]+[[:space:]]' "$script" |
      grep -vE '[0-9]+[[:space:]]+(@extschema@|pg_catalog)\.' || true)
[ -z "$bad" ] || fail "operator class members not schema-qualified:"$'\n'"$bad"
echo "static: $script: no SECURITY DEFINER; objects, support functions and operators qualified"

# ---- 2. trusted install by a database owner ----------------------------------------------
psql -d postgres -c "CREATE ROLE engage_owner LOGIN" -c "CREATE ROLE engage_other LOGIN" \
     -c "CREATE DATABASE inst_trusted OWNER engage_owner" -c "CREATE DATABASE inst_ref"
psql -d inst_trusted -U engage_other -c "CREATE EXTENSION engage" >"$dir/other.out" 2>&1 &&
    fail "a role without CREATE on the database installed engage"
grep -q "permission denied" "$dir/other.out" || fail "unexpected error for engage_other: $(cat "$dir/other.out")"
psql -d inst_trusted -U engage_owner -c "CREATE EXTENSION engage"
owner=$(psql -d inst_trusted -At -c "SELECT extowner::regrole FROM pg_extension WHERE extname = 'engage'")
[ "$owner" = engage_owner ] || fail "extension owned by $owner, not engage_owner"
psql -d inst_ref -c "CREATE EXTENSION engage"
demo inst_ref >"$dir/demo_ref.out"
demo inst_trusted -U engage_owner >"$dir/demo_trusted.out"
diff -u "$dir/demo_ref.out" "$dir/demo_trusted.out" || fail "the demo prints other results for a non-superuser owner"
grep -qi "error" "$dir/demo_ref.out" && fail "the demo printed an error: $(grep -i error "$dir/demo_ref.out" | head -3)"
echo "trusted: engage_owner (not a superuser) installed engage; a role without CREATE could not; demo output identical ($(wc -l <"$dir/demo_ref.out") lines)"

# ---- 1b. catalog checks on the clean install -----------------------------------------------
# (Since PostgreSQL 17 the implicit array types are extension members too; they go with their
# element type and are not commented on their own.)
missing=$(psql -d inst_ref -At <<'SQL'
SELECT pg_describe_object(d.classid, d.objid, 0)
FROM pg_depend AS d
LEFT JOIN pg_description AS c ON c.classoid = d.classid AND c.objoid = d.objid AND c.objsubid = 0
WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
  AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'engage')
  AND c.description IS NULL
  AND NOT (d.classid = 'pg_type'::regclass AND d.objid IN (SELECT typarray FROM pg_type))
ORDER BY 1;
SQL
)
[ -z "$missing" ] || fail "extension members without a COMMENT:"$'\n'"$missing"
bad=$(psql -d inst_ref -At <<'SQL'
SELECT p.oid::regprocedure || ' (' || l.lanname || CASE WHEN p.prosecdef THEN ', SECURITY DEFINER' ELSE '' END || ')'
FROM pg_proc AS p JOIN pg_language AS l ON l.oid = p.prolang
WHERE p.pronamespace = 'engage'::regnamespace
  AND (p.prosecdef OR (l.lanname = 'sql' AND p.prosqlbody IS NULL)
       OR (l.lanname NOT IN ('c', 'internal', 'sql') AND p.proconfig IS NULL));
SQL
)
[ -z "$bad" ] || fail "functions whose body is parsed with the caller's search_path, or SECURITY DEFINER:"$'\n'"$bad"
members=$(psql -d inst_ref -At -c "SELECT count(*) FROM pg_depend WHERE refclassid = 'pg_extension'::regclass AND deptype = 'e' AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'engage')")
echo "catalog: all $members extension members have a comment; SQL-language functions have SQL-standard bodies"

# ---- 3. search_path attack -----------------------------------------------------------------
for mode in pre post ops; do
    psql -d inst_ref -At -v mode=$mode -f test/security/traps.sql >"$dir/traps_$mode.sql"
done
{ echo '\i test/data/type_samples.sql'; cat test/security/calls.sql; } | psql -d inst_ref -At >"$dir/calls.sql"
psql -d inst_ref -At -c "SET TimeZone = 'UTC'" -f "$dir/calls.sql" >"$dir/calls_ref.out" 2>&1
psql -d postgres -c "CREATE DATABASE inst_hostile"
psql -d inst_hostile -f "$dir/traps_pre.sql"
hostile="-c search_path=trap,pg_catalog"
PGOPTIONS="$hostile" psql -d inst_hostile -c "CREATE EXTENSION engage"
psql -d inst_hostile -f "$dir/traps_post.sql"
psql -d inst_hostile -f "$dir/traps_ops.sql"
PGOPTIONS="$hostile" demo inst_hostile >"$dir/demo_hostile.out"
PGOPTIONS="-c search_path=trap_ops,trap,pg_catalog" \
    psql -d inst_hostile -At -c "SET TimeZone = 'UTC'" -f "$dir/calls.sql" >"$dir/calls_hostile.out" 2>&1
calls=$(psql -d inst_hostile -At -c "SELECT count(*) FROM trap.calls")
[ "$calls" = 0 ] || fail "traps were called: $(psql -d inst_hostile -At -c "SELECT DISTINCT what FROM trap.calls")"
diff -u "$dir/demo_ref.out" "$dir/demo_hostile.out" || fail "the demo prints other results under a hostile search_path"
diff -u "$dir/calls_ref.out" "$dir/calls_hostile.out" || fail "engage calls give other results under a hostile search_path"
echo "search_path: $(grep -c . "$dir/traps_pre.sql") + $(grep -c . "$dir/traps_post.sql") + $(grep -c . "$dir/traps_ops.sql") hostile objects; CREATE EXTENSION, demo and $(grep -c '^SELECT' "$dir/calls.sql") engage calls unchanged; no trap called"

# ---- 4. pg_dump / pg_restore -----------------------------------------------------------------
psql -d postgres -c "CREATE DATABASE inst_dump" -c "CREATE DATABASE inst_restore"
psql -d inst_dump -c "CREATE EXTENSION engage"
demo inst_dump >/dev/null
psql -d inst_dump <<'SQL'
\i test/data/type_samples.sql
CREATE SCHEMA samples;
-- one table per type, and one table with a column of every type
DO $$
DECLARE
    t regtype;
    cols text := '';
BEGIN
    FOR t IN SELECT DISTINCT type FROM engage_samples ORDER BY 1 LOOP
        EXECUTE format('CREATE TABLE samples.%I (id serial PRIMARY KEY, v %s)', 't_' || (SELECT typname FROM pg_type WHERE oid = t), t);
        EXECUTE format('INSERT INTO samples.%I (v) SELECT value::%s FROM engage_samples WHERE type = %L::regtype ORDER BY engage_samples.value',
                       't_' || (SELECT typname FROM pg_type WHERE oid = t), t, t);
        cols := cols || format(', %I %s', 'c_' || (SELECT typname FROM pg_type WHERE oid = t), t);
    END LOOP;
    EXECUTE 'CREATE TABLE samples.every_type (id int PRIMARY KEY' || cols || ')';
    FOR t IN SELECT DISTINCT type FROM engage_samples ORDER BY 1 LOOP
        EXECUTE format('INSERT INTO samples.every_type (id, %I) SELECT row_number() OVER (ORDER BY value), value::%s '
                       'FROM engage_samples WHERE type = %L::regtype ON CONFLICT (id) DO UPDATE SET %I = excluded.%I',
                       'c_' || (SELECT typname FROM pg_type WHERE oid = t), t, t,
                       'c_' || (SELECT typname FROM pg_type WHERE oid = t), 'c_' || (SELECT typname FROM pg_type WHERE oid = t));
    END LOOP;
END $$;
SQL
missing=$(psql -d inst_dump -At -c "SELECT t.oid::regtype FROM pg_type AS t WHERE t.typnamespace = 'engage'::regnamespace AND t.typcategory <> 'A' AND t.oid NOT IN (SELECT atttypid FROM pg_attribute WHERE attrelid = 'samples.every_type'::regclass) AND (t.typtype <> 'c' OR (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c')")
[ -z "$missing" ] || fail "types without samples in test/data/type_samples.sql: $missing"
"$ENGAGE_BINDIR/pg_dump" -Fc -d inst_dump -f "$dir/dump.custom"
"$ENGAGE_BINDIR/pg_restore" --exit-on-error -d inst_restore "$dir/dump.custom"
# Every row of every table, as text, in a fixed order.
rows() {
    psql -d "$1" -At <<'SQL'
SET TimeZone = 'UTC';
SELECT format('SELECT %L || '': '' || t::text FROM %s AS t ORDER BY t::text;', c.oid::regclass, c.oid::regclass)
FROM pg_class AS c
WHERE c.relkind = 'r' AND c.relnamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)
  AND c.relnamespace::regnamespace::text NOT LIKE 'pg_toast%'
ORDER BY c.oid::regclass::text
\gexec
SQL
}
rows inst_dump >"$dir/rows_dump.out"
rows inst_restore >"$dir/rows_restore.out"
diff -u "$dir/rows_dump.out" "$dir/rows_restore.out" || fail "pg_dump/pg_restore changed rows"
tables=$(cut -d: -f1 "$dir/rows_dump.out" | sort -u | wc -l)
echo "dump/restore: $(wc -l <"$dir/rows_dump.out") rows of $tables tables identical after pg_dump -Fc / pg_restore"

for db in inst_ref inst_trusted inst_hostile inst_dump inst_restore; do
    psql -d postgres -c "DROP DATABASE IF EXISTS $db"
done
psql -d postgres -c "DROP ROLE engage_owner" -c "DROP ROLE engage_other"
echo "install ok"

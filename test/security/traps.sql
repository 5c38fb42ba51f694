-- Generates the DDL of hostile objects ("traps") for the search_path test of test/t/install.sh,
-- from the catalog of a database where engage is installed. Run with psql -At -v mode=...:
--   pre   before CREATE EXTENSION: schema trap with a type of each engage type's name, an
--         implicit cast from text to each, and a function, aggregate or operator of the same
--         name and arguments as each of engage's (engage types replaced by the trap types)
--   post  after CREATE EXTENSION: in schema trap, functions, aggregates and operators with
--         exactly the signatures of engage's own that take an engage type
--   ops   schema trap_ops: the arithmetic and comparison operators on the numeric built-in
--         types, and every pg_catalog function or operator that engage's SQL-language
--         functions refer to
-- Every trap records its call in trap.calls (and warns); none may ever be called.
\set QUIET on
SET search_path = pg_catalog;

WITH members AS (
    SELECT p.oid, p.proname, p.prokind, p.proretset,
           CASE p.prokind WHEN 'a' THEN pg_get_function_identity_arguments(p.oid)
               -- functions: argument types only (a name may equal an output column's)
               ELSE (SELECT coalesce(string_agg(CASE WHEN u.i = p.pronargs AND p.provariadic <> 0 THEN 'VARIADIC ' ELSE '' END
                                                || format_type(u.t, NULL), ', ' ORDER BY u.i), '')
                     FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY AS u(t, i)) END AS args,
           pg_get_function_result(p.oid) AS result
    FROM pg_proc AS p
    WHERE p.pronamespace = 'engage'::regnamespace
      AND NOT EXISTS (SELECT FROM unnest(p.proargtypes::oid[] || p.prorettype) AS t(oid)
                      WHERE t.oid IN ('internal'::regtype, 'cstring'::regtype))
), ops AS (
    SELECT o.oid, o.oprname, o.oprleft::regtype::text AS l, o.oprright::regtype::text AS r,
           o.oprresult::regtype::text AS result
    FROM pg_operator AS o WHERE o.oprnamespace = 'engage'::regnamespace
), engage_type AS (
    SELECT t.typname FROM pg_type AS t
    WHERE t.typnamespace = 'engage'::regnamespace AND t.typcategory <> 'A'
      AND (t.typtype <> 'c' OR (SELECT c.relkind FROM pg_class AS c WHERE c.oid = t.typrelid) = 'c')
), sig AS (
    -- pre: engage types become trap types; post: only signatures with an engage type
    SELECT m.*, CASE :'mode' WHEN 'pre' THEN replace(m.args, 'engage.', 'trap.') ELSE m.args END AS a,
           CASE :'mode' WHEN 'pre' THEN replace(m.result, 'engage.', 'trap.') ELSE m.result END AS res
    FROM members AS m
    WHERE :'mode' = 'pre' OR (:'mode' = 'post' AND m.args LIKE '%engage.%')
), trap_body AS (
    SELECT 'LANGUAGE plpgsql AS $t$BEGIN INSERT INTO trap.calls VALUES (' AS head
)
SELECT ddl FROM (
    -- schema, call log, types and casts (pre only)
    SELECT 1 AS ord, 'CREATE SCHEMA trap; CREATE TABLE trap.calls (what text); '
                     'GRANT USAGE ON SCHEMA trap TO PUBLIC; GRANT INSERT ON trap.calls TO PUBLIC;' AS ddl
    WHERE :'mode' = 'pre'
    UNION ALL
    SELECT 2, format('CREATE TYPE trap.%I AS (trapped integer); '
                     'CREATE FUNCTION trap.%I(text) RETURNS trap.%I %s%L); RAISE WARNING %L; RETURN NULL; END$t$; '
                     'CREATE CAST (text AS trap.%I) WITH FUNCTION trap.%I(text) AS IMPLICIT;',
                     e.typname, 'cast_to_' || e.typname, e.typname, b.head, 'cast to ' || e.typname,
                     'trap called', e.typname, 'cast_to_' || e.typname)
    FROM engage_type AS e, trap_body AS b WHERE :'mode' = 'pre'
    UNION ALL
    -- functions
    SELECT 3, format('CREATE FUNCTION trap.%I(%s) RETURNS %s %s%L); RAISE WARNING %L; RETURN%s; END$t$;',
                     s.proname, s.a, s.res, b.head, s.proname || '(' || s.a || ')', 'trap called',
                     CASE WHEN s.proretset THEN '' ELSE ' NULL' END)
    FROM sig AS s, trap_body AS b WHERE s.prokind = 'f'
    UNION ALL
    -- aggregates: a recording transition function, then the aggregate
    SELECT 4, format('CREATE FUNCTION trap.%I(state text, %s) RETURNS text %s%L); RAISE WARNING %L; RETURN state; END$t$; '
                     'CREATE AGGREGATE trap.%I(%s) (SFUNC = trap.%I, STYPE = text);',
                     'agg_' || s.oid, s.a, b.head, s.proname || '(' || s.a || ')', 'trap called',
                     s.proname, s.a, 'agg_' || s.oid)
    FROM sig AS s, trap_body AS b WHERE s.prokind = 'a'
    UNION ALL
    -- operators of the extension
    SELECT 5, format('CREATE FUNCTION trap.%I(%s, %s) RETURNS %s %s%L); RAISE WARNING %L; RETURN NULL; END$t$; '
                     'CREATE OPERATOR trap.%s (LEFTARG = %s, RIGHTARG = %s, FUNCTION = trap.%I);',
                     'op_' || o.oid, x.l, x.r, x.res, b.head, 'operator ' || o.oprname, 'trap called',
                     o.oprname, x.l, x.r, 'op_' || o.oid)
    FROM ops AS o, trap_body AS b,
         LATERAL (SELECT CASE :'mode' WHEN 'pre' THEN replace(o.l, 'engage.', 'trap.') ELSE o.l END AS l,
                         CASE :'mode' WHEN 'pre' THEN replace(o.r, 'engage.', 'trap.') ELSE o.r END AS r,
                         CASE :'mode' WHEN 'pre' THEN replace(o.result, 'engage.', 'trap.') ELSE o.result END AS res) AS x
    WHERE :'mode' = 'pre' OR (:'mode' = 'post' AND (o.l || o.r) LIKE '%engage.%')
    UNION ALL
    -- ops: the schema, then arithmetic and comparisons on numeric built-in types
    SELECT 6, 'CREATE SCHEMA trap_ops; GRANT USAGE ON SCHEMA trap_ops TO PUBLIC;' WHERE :'mode' = 'ops'
    UNION ALL
    SELECT 7, format('CREATE FUNCTION trap_ops.%I(%s, %s) RETURNS %s %s%L); RAISE WARNING %L; RETURN NULL; END$t$; '
                     'CREATE OPERATOR trap_ops.%s (LEFTARG = %s, RIGHTARG = %s, FUNCTION = trap_ops.%I);',
                     format('op_%s_%s_%s', n, l, r), l, r,
                     CASE WHEN op IN ('+', '-', '*', '/') THEN 'double precision' ELSE 'boolean' END,
                     b.head, format('operator %s(%s, %s)', op, l, r), 'trap called',
                     op, l, r, format('op_%s_%s_%s', n, l, r))
    FROM unnest(ARRAY['+', '-', '*', '/', '=', '<>', '<', '>', '<=', '>=']) WITH ORDINALITY AS o(op, n),
         unnest(ARRAY['integer', 'bigint', 'numeric', 'real', 'double precision']) AS lt(l),
         unnest(ARRAY['integer', 'bigint', 'numeric', 'real', 'double precision']) AS rt(r),
         trap_body AS b
    WHERE :'mode' = 'ops'
    UNION ALL
    -- ops: the pg_catalog functions that engage's SQL-language functions refer to
    SELECT 8, format('CREATE FUNCTION trap_ops.%I(%s) RETURNS %s %s%L); RAISE WARNING %L; RETURN%s; END$t$;',
                     f.proname, pg_get_function_identity_arguments(f.oid), pg_get_function_result(f.oid),
                     b.head, 'pg_catalog.' || f.proname, 'trap called',
                     CASE WHEN f.proretset THEN '' ELSE ' NULL' END)
    FROM (SELECT DISTINCT f.oid, f.proname, f.proretset
          FROM pg_proc AS p JOIN pg_depend AS d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
               JOIN pg_proc AS f ON d.refclassid = 'pg_proc'::regclass AND f.oid = d.refobjid
          WHERE p.pronamespace = 'engage'::regnamespace AND p.prolang = (SELECT oid FROM pg_language WHERE lanname = 'sql')
            AND f.pronamespace = 'pg_catalog'::regnamespace
            AND NOT EXISTS (SELECT FROM unnest(f.proargtypes::oid[] || f.prorettype) AS t(oid)
                            WHERE t.oid IN ('internal'::regtype, 'cstring'::regtype, 'anyelement'::regtype))) AS f,
         trap_body AS b
    WHERE :'mode' = 'ops'
) AS g
ORDER BY ord, ddl;

-- Generates a script that calls every function and aggregate of engage (found in the catalog)
-- with fixed arguments, for the search_path test of test/t/install.sh: run it in a clean
-- database and under a hostile search_path, the outputs must be equal. An argument of an
-- engage type takes each of its values in test/data/type_samples.sql in turn (others take the
-- first); a built-in argument in position k takes a fixed value derived from k. Each call
-- prints its result as text, or its SQLSTATE and message. Aggregates run over no rows (the
-- demo scripts, also run by that test, give them real data). A call that takes more than 3 s
-- prints its timeout (57014): Pareto/NBD fits of some small samples run for over 30 s.
-- Run with psql -At after \i test/data/type_samples.sql; skips functions taking internal or
-- cstring (support functions).
\set QUIET on
SET search_path = pg_catalog;
SET TimeZone = 'UTC';

WITH fn AS (
    SELECT p.oid, p.proname, p.prokind, p.proretset, p.provariadic,
           ARRAY(SELECT unnest(p.proargtypes::oid[])) AS argtypes   -- 1-based
    FROM pg_proc AS p
    WHERE p.pronamespace = 'engage'::regnamespace AND p.prokind IN ('f', 'a')
      AND NOT EXISTS (SELECT FROM unnest(p.proargtypes::oid[] || p.prorettype) AS t(oid)
                      WHERE t.oid IN ('internal'::regtype, 'cstring'::regtype))
), first_engage_arg AS (
    SELECT f.oid, min(u.i) AS i
    FROM fn AS f, unnest(f.argtypes) WITH ORDINALITY AS u(t, i)
    WHERE (SELECT typnamespace FROM pg_type WHERE oid = u.t) = 'engage'::regnamespace
    GROUP BY f.oid
), variant AS (
    -- one call per sample value of the first engage-typed argument, or one call
    SELECT f.*, a.i AS sample_arg, s.value AS sample
    FROM fn AS f LEFT JOIN first_engage_arg AS a ON a.oid = f.oid
         LEFT JOIN LATERAL (SELECT value FROM engage_samples
                            WHERE type = f.argtypes[a.i]::regtype) AS s ON a.i IS NOT NULL
), call AS (
    SELECT v.oid, v.sample,
           format('engage.%I(%s)', v.proname, string_agg(
               CASE
                   WHEN u.i = v.sample_arg THEN format('%L::%s', v.sample, format_type(u.t, NULL))
                   WHEN (SELECT typnamespace FROM pg_type WHERE oid = u.t) = 'engage'::regnamespace
                       THEN format('%L::%s', (SELECT min(value) FROM engage_samples WHERE type = u.t::regtype),
                                   format_type(u.t, NULL))
                   WHEN u.t IN ('integer'::regtype, 'bigint'::regtype, 'double precision'::regtype, 'numeric'::regtype)
                       THEN format('%s::%s', u.i, format_type(u.t, NULL))
                   WHEN u.t = 'timestamptz'::regtype THEN format('%L::timestamptz', '2024-01-0' || u.i)
                   WHEN u.t = 'interval'::regtype THEN format('%L::interval', u.i || ' days')
                   WHEN u.t = 'boolean'::regtype THEN 'true'
                   WHEN u.t = 'boolean[]'::regtype AND v.provariadic <> 0 THEN 'VARIADIC ARRAY[true, false]'
                   WHEN u.t = 'boolean[]'::regtype THEN 'ARRAY[true, false]'
                   WHEN u.t = 'text'::regtype THEN quote_literal('strict_order')
                   ELSE format('NULL::%s', format_type(u.t, NULL))
               END, ', ' ORDER BY u.i)) AS expr,
           v.prokind, v.proretset
    FROM variant AS v LEFT JOIN LATERAL unnest(v.argtypes) WITH ORDINALITY AS u(t, i) ON true
    GROUP BY v.oid, v.proname, v.sample, v.prokind, v.proretset
)
SELECT 'CREATE FUNCTION pg_temp.try(q text) RETURNS text LANGUAGE plpgsql AS $b$'
       'DECLARE r text; BEGIN EXECUTE q INTO r; RETURN coalesce(r, ''NULL''); '
       'EXCEPTION WHEN query_canceled OR others THEN RETURN ''ERROR '' || SQLSTATE || '': '' || SQLERRM; END $b$;'
UNION ALL
SELECT 'SET statement_timeout = ''3s'';'
UNION ALL
(SELECT format('SELECT %L, pg_temp.try(%L);', expr,
               CASE WHEN c.prokind = 'a' THEN format('SELECT %s::text FROM generate_series(1, 0)', expr)
                    WHEN c.proretset THEN format('SELECT string_agg(x::text, '';'') FROM %s AS x', expr)
                    ELSE format('SELECT %s::text', expr) END)
 FROM call AS c ORDER BY 1);

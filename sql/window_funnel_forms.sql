-- engage.window_funnel with 2 to 8 steps as separate arguments (fixed-arity forms) against
-- the VARIADIC form: same answers, serial and under a parallel plan.
SET client_min_messages = warning;  -- no notice when an earlier test created it
CREATE EXTENSION IF NOT EXISTS engage;
RESET client_min_messages;
SET TimeZone = 'UTC';

-- a call with 2 to 8 steps resolves to the fixed-arity form, 1 step or VARIADIC to the array form
CREATE TEMP VIEW funnel_calls AS
SELECT engage.window_funnel('1 hour', t, true) AS one,
       engage.window_funnel('1 hour', t, true, false) AS two,
       engage.window_funnel('1 hour', '', t, true, false, true) AS three_mode,
       engage.window_funnel('1 hour', t, true, true, true, true, true, true, true, true) AS eight,
       engage.window_funnel('1 hour', t, VARIADIC ARRAY[true, false]) AS two_variadic
FROM (VALUES (now())) AS v(t);
SELECT p.pronargs AS arguments, p.provariadic <> 0 AS variadic, count(*) AS calls
FROM pg_catalog.pg_depend AS d JOIN pg_catalog.pg_rewrite AS r ON d.objid = r.oid
JOIN pg_catalog.pg_proc AS p ON p.oid = d.refobjid
WHERE r.ev_class = 'funnel_calls'::regclass AND p.proname = 'window_funnel'
GROUP BY 1, 2 ORDER BY 1, 2;

-- NULL steps did not happen: the same answer in both forms as with false
SELECT engage.window_funnel('1 hour', now(), true, NULL);
SELECT engage.window_funnel('1 hour', now(), VARIADIC ARRAY[true, NULL]);
SELECT engage.window_funnel('1 hour', 'strict_order', now(), NULL, true);

-- 1000 customers, 100 rows each over ten weeks, kinds 0-9
SELECT setseed(0.5);
CREATE TABLE funnel_form_rows AS
    SELECT i % 1000 AS customer,
           timestamptz '2024-01-01' + floor(random() * 100000) * interval '1 minute' AS t,
           floor(random() * 10)::int AS kind
    FROM generate_series(1, 100000) AS i;
ANALYZE funnel_form_rows;

-- every number of steps and every mode: customers whose level differs between the forms
CREATE FUNCTION pg_temp.form_differences(mode text) RETURNS TABLE (steps int, customers bigint, levels text, differ bigint)
LANGUAGE plpgsql AS $$
BEGIN
    FOR n IN 2..8 LOOP
        RETURN QUERY EXECUTE format(
            'SELECT %1$s, count(*), string_agg(DISTINCT f::text, '','' ORDER BY f::text), count(*) FILTER (WHERE f IS DISTINCT FROM v)
             FROM (SELECT customer, engage.window_funnel(''2 days'', %2$s t, %3$s) AS f,
                          engage.window_funnel(''2 days'', %2$s t, VARIADIC ARRAY[%3$s]) AS v
                   FROM funnel_form_rows GROUP BY customer) AS s',
            n, CASE WHEN mode IS NULL THEN '' ELSE quote_literal(mode) || ', ' END,
            (SELECT string_agg(format('kind = %s', i), ', ' ORDER BY i) FROM generate_series(1, n) AS i));
    END LOOP;
END $$;
CREATE TEMP TABLE serial_differences AS
SELECT m AS mode, d.* FROM unnest(ARRAY[NULL, 'strict_order', 'strict_deduplication, strict_increase']) AS m,
     pg_temp.form_differences(m) AS d;
SELECT * FROM serial_differences ORDER BY mode NULLS FIRST, steps;

-- per customer, serially with the VARIADIC form ...
CREATE TEMP TABLE serial_levels AS
    SELECT customer,
           engage.window_funnel('2 days', t, VARIADIC ARRAY[kind = 1, kind = 2, kind = 3, kind = 4, kind = 5]) AS level,
           engage.window_funnel('2 days', 'strict_order', t, VARIADIC ARRAY[kind = 1, kind = 2, kind = 3]) AS strict_level
    FROM funnel_form_rows GROUP BY customer;
-- ... and under a forced parallel plan (partial states combined) with the fixed-arity forms
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET enable_hashagg = off;
EXPLAIN (COSTS OFF)
    SELECT customer, engage.window_funnel('2 days', t, kind = 1, kind = 2, kind = 3, kind = 4, kind = 5),
           engage.window_funnel('2 days', 'strict_order', t, kind = 1, kind = 2, kind = 3)
    FROM funnel_form_rows GROUP BY customer;
SELECT count(*) AS customers, count(*) FILTER (WHERE p.level IS DISTINCT FROM s.level) AS differ,
       count(*) FILTER (WHERE p.strict_level IS DISTINCT FROM s.strict_level) AS strict_differ
FROM serial_levels AS s FULL JOIN (
    SELECT customer, engage.window_funnel('2 days', t, kind = 1, kind = 2, kind = 3, kind = 4, kind = 5) AS level,
           engage.window_funnel('2 days', 'strict_order', t, kind = 1, kind = 2, kind = 3) AS strict_level
    FROM funnel_form_rows GROUP BY customer) AS p USING (customer);
-- combining partial states that saw no rows
SELECT engage.window_funnel('1 hour', t, kind = 1, kind = 2) AS no_rows FROM funnel_form_rows WHERE kind > 10;
SELECT engage.window_funnel('1 hour', t, kind = 11, kind = 12) AS no_steps FROM funnel_form_rows;
RESET ALL;
DROP TABLE funnel_form_rows;

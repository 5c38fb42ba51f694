-- engage.window_funnel and window_funnel_times over the values of one event column,
-- window_funnel(window, [mode,] occurred_at, event, VARIADIC steps text[]): the boolean forms
-- with steps event = steps[1], event = steps[2], ..., serial and under a parallel plan.
SET client_min_messages = warning;  -- no notice when an earlier test created it
CREATE EXTENSION IF NOT EXISTS engage;
RESET client_min_messages;
SET TimeZone = 'UTC';

-- which form each call resolves to: event calls (untyped step literals included) to the event
-- form, boolean calls to the boolean forms as before
CREATE TEMP VIEW funnel_event_calls AS
SELECT engage.window_funnel('1 hour', t, e, 'view', 'buy') AS event_form,
       engage.window_funnel('1 hour', 'strict_order', t, e, 'view', 'buy', 'pay') AS event_mode,
       engage.window_funnel('1 hour', t, e, 'view') AS event_one,
       engage.window_funnel('1 hour', t, e, VARIADIC ARRAY['view', 'buy']) AS event_variadic,
       engage.window_funnel_times('1 hour', t, e, 'view', 'buy') AS times_event,
       engage.window_funnel('1 hour', t, e = 'view', e = 'buy') AS boolean_fixed,
       engage.window_funnel('1 hour', t, e = 'view') AS boolean_one,
       engage.window_funnel('1 hour', 'strict_order', t, e = 'view', e = 'buy') AS boolean_mode
FROM (VALUES (now(), 'view')) AS v(t, e);
SELECT DISTINCT p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid) AS arguments
FROM pg_catalog.pg_depend AS d JOIN pg_catalog.pg_rewrite AS r ON d.objid = r.oid
JOIN pg_catalog.pg_proc AS p ON p.oid = d.refobjid
WHERE r.ev_class = 'funnel_event_calls'::regclass AND p.proname LIKE 'window_funnel%'
ORDER BY 1, 2;

-- the modes on a sequence of event names: A -> B -> X -> B -> C
SELECT engage.window_funnel('1 hour', t, e, 'A', 'B', 'C') AS level,
       engage.window_funnel('1 hour', 'strict_order', t, e, 'A', 'B', 'C') AS strict_order,
       engage.window_funnel('1 hour', 'strict_deduplication', t, e, 'A', 'B', 'C') AS dedup,
       engage.window_funnel_times('1 hour', t, e, 'A', 'B', 'C') AS times
FROM (VALUES (timestamptz '2024-01-01 10:00', 'A'), ('2024-01-01 10:01', 'B'),
             ('2024-01-01 10:02', 'X'), ('2024-01-01 10:02:30', 'B'), ('2024-01-01 10:03', 'C')) AS events(t, e);

-- a NULL event satisfies no step: kept as a row satisfying none in strict_order, as e = 'B' is NULL
SELECT engage.window_funnel('1 hour', t, e, 'A', 'B') AS level,
       engage.window_funnel('1 hour', 'strict_order', t, e, 'A', 'B') AS strict_order,
       engage.window_funnel('1 hour', 'strict_order', t, e = 'A', e = 'B') AS boolean_strict_order
FROM (VALUES (timestamptz '2024-01-01 10:00', 'A'), ('2024-01-01 10:01', NULL),
             ('2024-01-01 10:02', 'B')) AS events(t, e);

-- byte equality: case, trailing spaces and the empty string are values of their own
SELECT engage.window_funnel('1 hour', t, e, 'a', 'b ', '') AS level
FROM (VALUES (timestamptz '2024-01-01 10:00', 'a'), ('2024-01-01 10:01', 'b'),
             ('2024-01-01 10:02', 'b '), ('2024-01-01 10:03', ''), ('2024-01-01 10:04', 'A')) AS events(t, e);
-- long (toasted) events and steps
SELECT engage.window_funnel('1 hour', t, e, repeat('x', 5000), repeat('x', 4999) || 'y') AS level
FROM (VALUES (timestamptz '2024-01-01 10:00', repeat('x', 5000)),
             ('2024-01-01 10:01', repeat('x', 4999) || 'y')) AS events(t, e);

-- 32 steps reached in order, and 32 steps with step 32 first
SELECT engage.window_funnel('1 day', t, e, VARIADIC (SELECT array_agg('s' || g ORDER BY g) FROM generate_series(1, 32) g)) AS level,
       cardinality(engage.window_funnel_times('1 day', t, e, VARIADIC (SELECT array_agg('s' || g ORDER BY g) FROM generate_series(1, 32) g))) AS times
FROM (SELECT timestamptz '2024-01-01' + g * interval '1 minute', 's' || g FROM generate_series(1, 32) g) AS events(t, e);
SELECT engage.window_funnel('1 day', t, e, VARIADIC (SELECT array_agg('s' || g ORDER BY g) FROM generate_series(1, 32) g)) AS level
FROM (SELECT timestamptz '2024-01-01' + (33 - g) * interval '1 minute', 's' || g FROM generate_series(1, 32) g) AS events(t, e);

-- bad steps arrays, at the first row
SELECT engage.window_funnel('1 hour', now(), 'A', 'A', NULL);
SELECT engage.window_funnel('1 hour', now(), 'A', 'A', 'B', 'A');
SELECT engage.window_funnel('1 hour', now(), 'A', VARIADIC NULL::text[]);
SELECT engage.window_funnel('1 hour', now(), 'A', VARIADIC '{}'::text[]);
SELECT engage.window_funnel('1 hour', now(), 'A', VARIADIC (SELECT array_agg(g::text) FROM generate_series(1, 33) g));
SELECT engage.window_funnel('1 hour', now(), 'A', VARIADIC '{{A,B},{C,D}}'::text[]);
-- steps that change between rows: the same number of steps is required, as in the boolean form
SELECT engage.window_funnel('1 hour', t, e, VARIADIC s) AS level
FROM (VALUES (timestamptz '2024-01-01 10:00', 'A', '{A,B}'::text[]), ('2024-01-01 10:01', 'B', '{B,A}')) AS v(t, e, s);
SELECT engage.window_funnel('1 hour', t, e, VARIADIC s) AS level
FROM (VALUES (timestamptz '2024-01-01 10:00', 'A', '{A,B}'::text[]), ('2024-01-01 10:01', 'B', '{A,B,C}')) AS v(t, e, s);
-- collations: deterministic ones compare bytes (nondeterministic ones are refused:
-- window_funnel_collation)
SELECT engage.window_funnel('1 hour', now(), 'A' COLLATE "C", 'A') AS c_collation;

-- 1000 customers, 60 rows each over two weeks at multiples of 10 minutes (most customers have
-- rows at equal times), events e0-e6 and NULL
SELECT setseed(0.25);
CREATE TABLE funnel_event_rows AS
    SELECT i % 1000 AS customer,
           timestamptz '2024-01-01' + floor(random() * 2000) * interval '10 minutes' AS t,
           CASE WHEN random() < 0.05 THEN NULL ELSE 'e' || floor(random() * 7)::int END AS e
    FROM generate_series(1, 60000) AS i;
ANALYZE funnel_event_rows;

-- every mode and 1 to 6 steps: customers whose level or step times differ between the event
-- form and the boolean form with e = 'e1', e = 'e2', ...
CREATE FUNCTION pg_temp.event_differences(mode text) RETURNS TABLE (steps int, customers bigint, levels text, differ bigint, times_differ bigint)
LANGUAGE plpgsql AS $$
BEGIN
    FOR n IN 1..6 LOOP
        RETURN QUERY EXECUTE format(
            'SELECT %1$s, count(*), string_agg(DISTINCT f::text, '','' ORDER BY f::text),
                    count(*) FILTER (WHERE f IS DISTINCT FROM b), count(*) FILTER (WHERE ft IS DISTINCT FROM bt)
             FROM (SELECT customer, engage.window_funnel(''2 days'', %2$s t, e, %3$s) AS f,
                          engage.window_funnel(''2 days'', %2$s t, VARIADIC ARRAY[%4$s]) AS b,
                          engage.window_funnel_times(''2 days'', %2$s t, e, %3$s) AS ft,
                          engage.window_funnel_times(''2 days'', %2$s t, VARIADIC ARRAY[%4$s]) AS bt
                   FROM funnel_event_rows GROUP BY customer) AS s',
            n, CASE WHEN mode IS NULL THEN '' ELSE quote_literal(mode) || ', ' END,
            (SELECT string_agg(format('''e%s''', i), ', ' ORDER BY i) FROM generate_series(1, n) AS i),
            (SELECT string_agg(format('e = ''e%s''', i), ', ' ORDER BY i) FROM generate_series(1, n) AS i));
    END LOOP;
END $$;
SELECT coalesce(m, '(none)') AS mode, d.*
FROM unnest(ARRAY[NULL, '', 'strict_order', 'strict_deduplication', 'strict_increase',
                  'strict_order, strict_deduplication, strict_increase']) WITH ORDINALITY AS u(m, o),
     pg_temp.event_differences(m) AS d
ORDER BY o, steps;

-- per customer, serially ...
CREATE TEMP TABLE event_serial AS
    SELECT customer,
           engage.window_funnel('2 days', t, e, 'e1', 'e2', 'e3', 'e4', 'e5') AS level,
           engage.window_funnel('2 days', 'strict_order', t, e, 'e1', 'e2', 'e3') AS strict_level,
           engage.window_funnel_times('2 days', t, e, 'e1', 'e2', 'e3') AS times
    FROM funnel_event_rows GROUP BY customer;
-- ... and under a forced parallel plan (partial states serialised and combined), against the
-- boolean form
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET enable_hashagg = off;
EXPLAIN (COSTS OFF)
    SELECT customer, engage.window_funnel('2 days', t, e, 'e1', 'e2', 'e3', 'e4', 'e5')
    FROM funnel_event_rows GROUP BY customer;
SELECT count(*) AS customers,
       count(*) FILTER (WHERE p.level IS DISTINCT FROM s.level) AS differ,
       count(*) FILTER (WHERE p.level IS DISTINCT FROM p.boolean_level) AS boolean_differ,
       count(*) FILTER (WHERE p.strict_level IS DISTINCT FROM s.strict_level) AS strict_differ,
       count(*) FILTER (WHERE p.times IS DISTINCT FROM s.times) AS times_differ
FROM event_serial AS s FULL JOIN (
    SELECT customer, engage.window_funnel('2 days', t, e, 'e1', 'e2', 'e3', 'e4', 'e5') AS level,
           engage.window_funnel('2 days', t, e = 'e1', e = 'e2', e = 'e3', e = 'e4', e = 'e5') AS boolean_level,
           engage.window_funnel('2 days', 'strict_order', t, e, 'e1', 'e2', 'e3') AS strict_level,
           engage.window_funnel_times('2 days', t, e, 'e1', 'e2', 'e3') AS times
    FROM funnel_event_rows GROUP BY customer) AS p USING (customer);
-- one group over all rows (partial states of 60000 rows combined)
SELECT engage.window_funnel('2 days', t, e, 'e1', 'e2', 'e3') AS event_level,
       engage.window_funnel('2 days', t, e = 'e1', e = 'e2', e = 'e3') AS boolean_level
FROM funnel_event_rows;
-- combining partial states that saw no rows, or no step
SELECT engage.window_funnel('1 hour', t, e, 'e1', 'e2') AS no_rows FROM funnel_event_rows WHERE customer < 0;
SELECT engage.window_funnel('1 hour', t, e, 'x1', 'x2') AS no_steps FROM funnel_event_rows;
RESET ALL;
DROP TABLE funnel_event_rows;

-- engage.window_funnel: ClickHouse windowFunnel, default mode.
SET client_min_messages = warning;  -- no notice when an earlier test created it
CREATE EXTENSION IF NOT EXISTS engage;
RESET client_min_messages;
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, YMD';

-- ClickHouse documentation example (table trend): phone bought within the window?
CREATE TEMP TABLE trend (event_date date, user_id int, "timestamp" timestamptz, event_id int, product text);
INSERT INTO trend VALUES
    ('2019-01-28', 1, '2019-01-29 10:00:00', 1003, 'phone'),
    ('2019-01-31', 1, '2019-01-31 09:00:00', 1007, 'phone'),
    ('2019-01-30', 1, '2019-01-30 08:00:00', 1009, 'phone'),
    ('2019-02-01', 1, '2019-02-01 08:00:00', 1010, 'phone');
-- the documented query has a window far longer than the data: level 4, one user
SELECT level, count(*) AS c FROM (
    SELECT user_id, engage.window_funnel('70 days', "timestamp", event_id = 1003, event_id = 1009,
                                         event_id = 1007, event_id = 1010) AS level
    FROM trend WHERE event_date BETWEEN '2019-01-01' AND '2019-02-02' GROUP BY user_id) AS t
GROUP BY level ORDER BY level;
-- a 2-day window from 2019-01-29 10:00 reaches 1007 (01-31 09:00) but not 1010 (02-01 08:00)
SELECT engage.window_funnel('2 days', "timestamp", event_id = 1003, event_id = 1009,
                            event_id = 1007, event_id = 1010) AS level FROM trend;

-- hand-made cases, window 1 hour; each event a minute offset and the steps it satisfies
CREATE TEMP TABLE funnel_cases (name text, expected int, events text[]);
INSERT INTO funnel_cases VALUES
    ('a b c in order',                          3, '{0:a, 10:b, 20:c}'),
    ('c b a: reversed',                         1, '{0:c, 10:b, 20:a}'),
    ('d c: no step 1',                          0, '{0:d, 10:c}'),
    ('a c: step 2 missing',                     1, '{0:a, 20:c}'),
    ('a b b c: repeats are harmless',           3, '{0:a, 10:b, 11:b, 20:c}'),
    ('c exactly window after a',                3, '{0:a, 30:b, 60:c}'),
    ('c window + 1 minute after a',             2, '{0:a, 30:b, 61:c}'),
    ('a later start rescues the chain',         3, '{0:a, 30:a, 50:b, 70:c}'),
    ('chains do not mix starts',                2, '{0:a, 50:b, 70:c}'),
    ('one row satisfying a and b',              2, '{0:ab}'),
    ('rows at one instant, b listed first',     3, '{5:b, 5:a, 5:c}'),
    ('b before a',                              1, '{0:b, 10:a}'),
    ('longest of several chains',               3, '{0:a, 10:b, 200:a, 210:b, 220:c}'),
    ('ten days later is another window',        2, '{0:a, 10:b, 14400:a, 14410:b}');
SELECT name, expected,
       engage.window_funnel('1 hour', t, s LIKE '%a%', s LIKE '%b%', s LIKE '%c%' ORDER BY t) AS asc_order,
       engage.window_funnel('1 hour', t, s LIKE '%a%', s LIKE '%b%', s LIKE '%c%' ORDER BY t DESC, s) AS desc_order
FROM funnel_cases, LATERAL (
    SELECT timestamptz '2024-01-01' + split_part(e, ':', 1)::int * interval '1 minute' AS t,
           split_part(e, ':', 2) AS s
    FROM unnest(events) AS e) AS rows
GROUP BY name, expected ORDER BY name;

-- modes (ClickHouse's strict options); X satisfies no step
CREATE TEMP TABLE mode_cases (name text, mode text, expected int, events text[]);
INSERT INTO mode_cases VALUES
    ('A B X C',                      '',                     3, '{0:A, 1:B, 2:X, 3:C}'),
    ('A B X C',                      'strict_order',         2, '{0:A, 1:B, 2:X, 3:C}'),
    ('A B D C',                      '',                     3, '{0:A, 1:B, 2:D, 3:C}'),
    ('A B D C',                      'strict_order',         2, '{0:A, 1:B, 2:D, 3:C}'),
    ('X A B C: X before the start',  'strict_order',         3, '{0:X, 1:A, 2:B, 3:C}'),
    ('A, then B and X at one time',  'strict_order',         1, '{0:A, 1:B, 1:X, 3:C}'),
    ('A B C B D',                    '',                     4, '{0:A, 1:B, 2:C, 3:B, 4:D}'),
    ('A B C B D',                    'strict_deduplication', 3, '{0:A, 1:B, 2:C, 3:B, 4:D}'),
    ('A A B: step 1 may repeat',     'strict_deduplication', 2, '{0:A, 1:A, 2:B}'),
    ('one row A and B',              '',                     2, '{0:AB}'),
    ('one row A and B',              'strict_increase',      1, '{0:AB}'),
    ('A, B at the same time',        'strict_increase',      1, '{0:A, 0:B, 0:C}'),
    ('A B C a minute apart',         'strict_increase',      3, '{0:A, 1:B, 2:C}'),
    ('two options',                  'strict_order, strict_increase', 1, '{0:A, 0:B, 1:X, 2:C}');
SELECT name, mode, expected,
       engage.window_funnel('1 hour', mode, t, s LIKE '%A%', s LIKE '%B%', s LIKE '%C%', s LIKE '%D%') AS got
FROM mode_cases, LATERAL (
    SELECT timestamptz '2024-01-01' + split_part(e, ':', 1)::int * interval '1 minute' AS t,
           split_part(e, ':', 2) AS s
    FROM unnest(events) AS e) AS rows
GROUP BY name, mode, expected ORDER BY name, mode;

-- one step; no rows; NULL times are skipped
SELECT engage.window_funnel('1 hour', t, s = 'a') AS one_step
FROM (VALUES (timestamptz '2024-01-01', 'b'), ('2024-01-02', 'a')) AS v(t, s);
SELECT engage.window_funnel('1 hour', t, true, true) AS no_rows FROM (SELECT now() AS t WHERE false) AS s;
SELECT engage.window_funnel('1 hour', t, s = 'a', s = 'b') AS null_time_skipped
FROM (VALUES (timestamptz '2024-01-01', 'a'), (NULL, 'b')) AS v(t, s);
-- the extremes of the timestamp range do not overflow
SELECT engage.window_funnel('1 day', t, t < '2000-01-01', t > '2000-01-01') AS extremes
FROM (VALUES (timestamptz '4713-01-01 BC'), ('294276-12-01')) AS s(t);
-- 32 steps at 32 consecutive minutes
SELECT engage.window_funnel('1 hour', timestamptz '2024-01-01' + i * interval '1 minute',
       VARIADIC (SELECT array_agg(j = i ORDER BY j) FROM generate_series(1, 32) AS j)) AS thirty_two
FROM generate_series(1, 32) AS i;

-- bad input
CREATE FUNCTION pg_temp.error_of(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE q;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
SELECT q, pg_temp.error_of(q) FROM (VALUES
    ($q$SELECT engage.window_funnel('0 seconds', now(), true)$q$),
    ($q$SELECT engage.window_funnel('-1 hour', now(), true)$q$),
    ($q$SELECT engage.window_funnel('1 month', now(), true)$q$),
    ($q$SELECT engage.window_funnel(NULL, now(), true)$q$),
    ($q$SELECT engage.window_funnel('1 hour', 'infinity', true)$q$),
    ($q$SELECT engage.window_funnel('1 hour', now(), true, NULL) -- a NULL step did not happen$q$),
    ($q$SELECT engage.window_funnel('1 hour', now(), VARIADIC NULL::boolean[])$q$),
    ($q$SELECT engage.window_funnel('1 hour', now(), VARIADIC '{}'::boolean[])$q$),
    ($q$SELECT engage.window_funnel('1 hour', now(), VARIADIC array_fill(true, ARRAY[33]))$q$),
    ($q$SELECT engage.window_funnel('1 hour', now(), VARIADIC '{{true},{false}}'::boolean[])$q$),
    ($q$SELECT engage.window_funnel('1 hour', now(), VARIADIC array_fill(true, ARRAY[n]))
        FROM generate_series(1, 2) AS n$q$),
    ($q$SELECT engage.window_funnel(w, now(), true) FROM (VALUES (interval '1 hour'), ('2 hours')) AS v(w)$q$),
    ($q$SELECT engage.window_funnel('1 hour', 'strict', now(), true)$q$),
    ($q$SELECT engage.window_funnel('1 hour', NULL, now(), true)$q$),
    ($q$SELECT engage.window_funnel('1 hour', m, now(), true) FROM (VALUES (''), ('strict_order')) AS v(m)$q$)
) AS cases(q);

-- a parallel plan gives the serial answer, per customer and over the whole table
SELECT setseed(0.25);
CREATE TABLE funnel_rows AS
    SELECT i % 3000 AS customer,
           timestamptz '2024-01-01' + floor(random() * 100000) * interval '1 minute' AS t,
           floor(random() * 7)::int AS kind
    FROM generate_series(1, 300000) AS i;
ANALYZE funnel_rows;
CREATE TEMP TABLE funnel_serial AS
    SELECT customer, engage.window_funnel('2 days', t, kind = 1, kind = 2, kind = 3, kind = 4) AS level,
           engage.window_funnel('2 days', 'strict_order', t, kind = 1, kind = 2) AS strict_level
    FROM funnel_rows GROUP BY customer;
SELECT level, count(*) FROM funnel_serial GROUP BY level ORDER BY level;
SELECT strict_level, count(*) FROM funnel_serial GROUP BY strict_level ORDER BY strict_level;
-- an independent check by brute force (self-joins) for 3 steps, on 300 customers
CREATE TEMP TABLE funnel_few AS SELECT * FROM funnel_rows WHERE customer < 300;
CREATE INDEX ON funnel_few (customer, kind, t);
ANALYZE funnel_few;
SELECT count(*) AS customers, count(*) FILTER (WHERE f.level <> b.level) AS differ
FROM (SELECT customer, engage.window_funnel('2 days', t, kind = 1, kind = 2, kind = 3) AS level
      FROM funnel_few GROUP BY customer) AS f
JOIN (SELECT c.customer, coalesce(greatest(
          (SELECT 1 FROM funnel_few AS a WHERE a.customer = c.customer AND a.kind = 1 LIMIT 1),
          (SELECT 2 FROM funnel_few AS a JOIN funnel_few AS b
               ON b.customer = a.customer AND b.kind = 2 AND b.t BETWEEN a.t AND a.t + interval '2 days'
           WHERE a.customer = c.customer AND a.kind = 1 LIMIT 1),
          (SELECT 3 FROM funnel_few AS a JOIN funnel_few AS b
               ON b.customer = a.customer AND b.kind = 2 AND b.t BETWEEN a.t AND a.t + interval '2 days'
           JOIN funnel_few AS d
               ON d.customer = a.customer AND d.kind = 3 AND d.t BETWEEN b.t AND a.t + interval '2 days'
           WHERE a.customer = c.customer AND a.kind = 1 LIMIT 1)), 0) AS level
      FROM (SELECT DISTINCT customer FROM funnel_few) AS c) AS b USING (customer);
SELECT level, count(*) FROM (SELECT customer, engage.window_funnel('2 days', t, kind = 1, kind = 2, kind = 3) AS level
      FROM funnel_few GROUP BY customer) AS f GROUP BY level ORDER BY level;
SELECT engage.window_funnel('30 minutes', t, kind = 1, kind = 2, kind = 3, kind = 4, kind = 5, kind = 6) AS whole
FROM funnel_rows;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET enable_hashagg = off;
EXPLAIN (COSTS OFF)
    SELECT customer, engage.window_funnel('2 days', t, kind = 1, kind = 2) FROM funnel_rows GROUP BY customer;
SELECT count(*) AS customers, count(*) FILTER (WHERE p.level IS DISTINCT FROM s.level) AS differ,
       count(*) FILTER (WHERE p.strict_level IS DISTINCT FROM s.strict_level) AS strict_differ
FROM funnel_serial AS s FULL JOIN (
    SELECT customer, engage.window_funnel('2 days', t, kind = 1, kind = 2, kind = 3, kind = 4) AS level,
           engage.window_funnel('2 days', 'strict_order', t, kind = 1, kind = 2) AS strict_level
    FROM funnel_rows GROUP BY customer) AS p USING (customer);
EXPLAIN (COSTS OFF)
    SELECT engage.window_funnel('30 minutes', t, kind = 1) FROM funnel_rows;
SELECT engage.window_funnel('30 minutes', t, kind = 1, kind = 2, kind = 3, kind = 4, kind = 5, kind = 6) AS whole
FROM funnel_rows;
-- partial states that saw no rows, or no row where a step held
SELECT engage.window_funnel('1 hour', t, kind = 1) AS no_rows FROM funnel_rows WHERE kind > 7;
SELECT engage.window_funnel('1 hour', t, kind = 8) AS no_steps FROM funnel_rows;
RESET ALL;
DROP TABLE funnel_rows;

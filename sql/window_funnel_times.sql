-- engage.window_funnel_times: the times at which the steps of window_funnel's longest chain were
-- reached (PostHog's time to convert), and NULL steps in every window_funnel form.
SET client_min_messages = warning;  -- no notice when an earlier test created it
CREATE EXTENSION IF NOT EXISTS engage;
RESET client_min_messages;
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, YMD';

-- ClickHouse's documentation example: 1003 -> 1009 -> 1007 -> 1010 within 7 days (level 4), and
-- within 2 days (level 3: 1010 comes 3 days after 1003)
SELECT engage.window_funnel_times('7 days', t, id = 1003, id = 1009, id = 1007, id = 1010) AS seven_days,
       engage.window_funnel_times('2 days', t, id = 1003, id = 1009, id = 1007, id = 1010) AS two_days
FROM (VALUES (timestamptz '2019-01-29 10:00', 1003), ('2019-01-31 09:00', 1007),
             ('2019-01-30 08:00', 1009), ('2019-02-01 08:00', 1010)) AS trend(t, id);

-- The chain kept: the latest step-1 event from which the deepest step is reached, each later
-- step at the first time it extended that chain.  A at 10:00 and 10:30, B at 10:40 and 10:50,
-- C at 11:20: within 1 hour only the 10:30 start reaches C (10:00 + 1 h < 11:20).
SELECT engage.window_funnel_times('1 hour', t, e = 'A', e = 'B', e = 'C') AS times,
       engage.window_funnel('1 hour', t, e = 'A', e = 'B', e = 'C') AS level
FROM (VALUES (timestamptz '2024-01-01 10:00', 'A'), ('2024-01-01 10:30', 'A'), ('2024-01-01 10:40', 'B'),
             ('2024-01-01 10:50', 'B'), ('2024-01-01 11:20', 'C')) AS events(t, e);
-- no step 1: {}; only step 1: one time; strict_order stops at X (2 steps)
SELECT engage.window_funnel_times('1 hour', t, e = 'Z', e = 'A') AS no_start,
       engage.window_funnel_times('1 hour', t, e = 'A', e = 'Z') AS only_start,
       engage.window_funnel_times('1 hour', 'strict_order', t, e = 'A', e = 'B', e = 'C') AS strict_order
FROM (VALUES (timestamptz '2024-01-01 10:00', 'A'), ('2024-01-01 10:01', 'B'),
             ('2024-01-01 10:02', 'X'), ('2024-01-01 10:03', 'C')) AS events(t, e);

-- NULL steps did not happen: amount > 50 on a NULL amount.  Same answers as coalesce(.., false)
-- in the fixed-arity, VARIADIC and mode forms.
CREATE TEMP TABLE null_events (t timestamptz, e text, amount numeric);
INSERT INTO null_events VALUES
    ('2024-01-01 10:00', 'view', NULL), ('2024-01-01 10:05', 'cart', NULL),
    ('2024-01-01 10:10', 'buy', NULL), ('2024-01-01 10:20', 'buy', 80);
SELECT engage.window_funnel('1 hour', t, e = 'view', e = 'cart', e = 'buy' AND amount > 50) AS fixed,
       engage.window_funnel('1 hour', t, VARIADIC ARRAY[e = 'view', e = 'cart', e = 'buy' AND amount > 50]) AS variadic,
       engage.window_funnel('1 hour', 'strict_order', t, e = 'view', e = 'cart', e = 'buy' AND amount > 50) AS strict_order,
       engage.window_funnel('1 hour', 'strict_order', t, e = 'view', e = 'cart', coalesce(e = 'buy' AND amount > 50, false)) AS strict_order_coalesce,
       engage.window_funnel_times('1 hour', t, e = 'view', e = 'cart', e = 'buy' AND amount > 50) AS times
FROM null_events;

-- Generated: 500 customers, 40 events each.  For every customer and number of steps, the times
-- form a chain of window_funnel's length: step i holds at times[i], in time order, within the
-- window of times[1]; the fixed-arity and VARIADIC forms agree.
SELECT setseed(0.25);
CREATE TEMP TABLE funnel_time_rows AS
    SELECT i % 500 AS customer,
           timestamptz '2024-01-01' + floor(random() * 20000) * interval '1 minute' AS t,
           floor(random() * 6)::int AS kind
    FROM generate_series(1, 20000) AS i;
WITH per_customer AS (
    SELECT customer,
           engage.window_funnel('2 days', t, kind = 0, kind = 1, kind = 2, kind = 3) AS level,
           engage.window_funnel_times('2 days', t, kind = 0, kind = 1, kind = 2, kind = 3) AS times,
           engage.window_funnel_times('2 days', t, VARIADIC ARRAY[kind = 0, kind = 1, kind = 2, kind = 3]) AS times_variadic
    FROM funnel_time_rows GROUP BY customer),
checks AS (
    SELECT c.*,
           (SELECT bool_and(EXISTS (SELECT 1 FROM funnel_time_rows r
                                    WHERE r.customer = c.customer AND r.t = c.times[i] AND r.kind = i - 1))
            FROM generate_subscripts(c.times, 1) AS i) AS steps_hold,
           (SELECT bool_and(c.times[i] >= c.times[i - 1]) FROM generate_series(2, cardinality(c.times)) AS i) AS ordered,
           c.times[cardinality(c.times)] - c.times[1] <= interval '2 days' AS within_window
    FROM per_customer AS c)
SELECT count(*) AS customers,
       count(*) FILTER (WHERE cardinality(times) = level) AS length_is_level,
       count(*) FILTER (WHERE steps_hold) AS steps_hold,
       count(*) FILTER (WHERE ordered IS NOT FALSE AND within_window) AS in_window,
       count(*) FILTER (WHERE times = times_variadic) AS forms_agree,
       string_agg(DISTINCT level::text, ',') AS levels
FROM checks;

-- Time to convert and a breakdown by a property of the first step (its channel): one join on
-- times[1] and one GROUP BY.
CREATE TEMP TABLE shop (customer int, t timestamptz, e text, channel text);
INSERT INTO shop VALUES
    (1, '2024-01-01 10:00', 'view', 'ads'),    (1, '2024-01-01 10:30', 'buy', 'ads'),
    (2, '2024-01-01 11:00', 'view', 'search'), (2, '2024-01-02 09:00', 'buy', 'search'),
    (3, '2024-01-01 12:00', 'view', 'ads'),
    (4, '2024-01-03 08:00', 'view', 'search'), (4, '2024-01-03 08:10', 'buy', 'search');
SELECT s.channel, count(*) AS started, count(*) FILTER (WHERE cardinality(f.times) = 2) AS converted,
       avg(extract(epoch FROM f.times[2] - f.times[1]) / 60)::int AS mean_minutes_to_convert
FROM (SELECT customer, engage.window_funnel_times('1 day', t, e = 'view', e = 'buy') AS times
      FROM shop GROUP BY customer) AS f
JOIN shop AS s ON s.customer = f.customer AND s.t = f.times[1] AND s.e = 'view'
GROUP BY s.channel ORDER BY s.channel;

-- parallel plans give the serial answers
CREATE TABLE funnel_time_par AS SELECT * FROM funnel_time_rows;
ANALYZE funnel_time_par;
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2; SET enable_hashagg = off;
EXPLAIN (COSTS OFF) SELECT engage.window_funnel_times('2 days', t, kind = 0, kind = 1) FROM funnel_time_par;
SELECT engage.window_funnel_times('2 days', t, kind = 0, kind = 1, kind = 2, kind = 3, kind = 4, kind = 5)
       = (SELECT engage.window_funnel_times('2 days', t, kind = 0, kind = 1, kind = 2, kind = 3, kind = 4, kind = 5)
          FROM funnel_time_rows) AS same_whole_table
FROM funnel_time_par;
RESET ALL;
DROP TABLE funnel_time_par;

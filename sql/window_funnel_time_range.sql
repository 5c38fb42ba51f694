-- engage.window_funnel and window_funnel_times wherever the events lie in time. A state keeps
-- an instant in 8 bytes (its time and its step bits) while the time is within 2^(62 - steps)
-- microseconds of 2000-01-01 and the steps are at most 8, in 16 bytes otherwise; the answers
-- must not depend on it: the same data shifted in time give the same levels and the same step
-- times shifted, also for groups that straddle the limit and under parallel plans.
SET client_min_messages = warning;  -- no notice when an earlier test created it
CREATE EXTENSION IF NOT EXISTS engage;
RESET client_min_messages;
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, YMD';

-- the limits: 2^54 microseconds from 2000-01-01 for 8 steps, 2^59 for 3 steps
CREATE TEMP TABLE limits AS
SELECT timestamptz '2000-01-01' + interval '208499 days 23:35:09.481984' AS limit8,
       timestamptz '2000-01-01' - interval '208499 days 23:35:09.481984' AS low8,
       timestamptz '2000-01-01' + interval '6671999 days 10:45:03.423488' AS limit3;
SELECT extract(epoch FROM limit8 - timestamptz '2000-01-01') * 1000000 = 2::numeric ^ 54 AS limit8_ok,
       extract(epoch FROM timestamptz '2000-01-01' - low8) * 1000000 = 2::numeric ^ 54 AS low8_ok,
       extract(epoch FROM limit3 - timestamptz '2000-01-01') * 1000000 = 2::numeric ^ 59 AS limit3_ok,
       limit8, low8, limit3
FROM limits;

-- 8 steps one microsecond apart across the limit: step 1 packed, the rest after the state
-- turned wide; every step is reached and its time kept to the microsecond
SELECT engage.window_funnel('1 second', t, k = 1, k = 2, k = 3, k = 4, k = 5, k = 6, k = 7, k = 8) AS level,
       engage.window_funnel_times('1 second', t, k = 1, k = 2, k = 3, k = 4, k = 5, k = 6, k = 7, k = 8)
           = ARRAY(SELECT limit8 + (i - 2) * interval '1 microsecond' FROM generate_series(1, 8) AS i) AS times_ok
FROM limits, generate_series(1, 8) AS k, LATERAL (SELECT limit8 + (k - 2) * interval '1 microsecond' AS t) AS r
GROUP BY limit8;
-- the same below the lower limit: step 1 one microsecond beyond it (wide from the first row),
-- step 2 at the limit, which still fits; given in reverse time order
SELECT engage.window_funnel('1 second', t, k = 1, k = 2, k = 3, k = 4, k = 5, k = 6, k = 7, k = 8 ORDER BY t DESC) AS level,
       engage.window_funnel_times('1 second', t, k = 1, k = 2, k = 3, k = 4, k = 5, k = 6, k = 7, k = 8 ORDER BY t DESC)
           = ARRAY(SELECT low8 + (i - 2) * interval '1 microsecond' FROM generate_series(1, 8) AS i) AS times_ok
FROM limits, generate_series(1, 8) AS k, LATERAL (SELECT low8 + (k - 2) * interval '1 microsecond' AS t) AS r
GROUP BY low8;
-- 3 steps at the limit of 3 steps, and a window too short for the last
SELECT engage.window_funnel('1 second', t, k = 1, k = 2, k = 3) AS level,
       engage.window_funnel('1 microsecond', t, k = 1, k = 2, k = 3) AS short_level,
       engage.window_funnel_times('1 second', t, k = 1, k = 2, k = 3) = ARRAY[limit3 - interval '1 microsecond', limit3, limit3 + interval '1 microsecond'] AS times_ok
FROM limits, generate_series(1, 3) AS k, LATERAL (SELECT limit3 + (k - 2) * interval '1 microsecond' AS t) AS r
GROUP BY limit3;

-- 400 customers with 1 to 40 events in 30 days of 2024, kinds 0 to 8 (0 satisfies no step),
-- minute times (so that some coincide); copies shifted by whole days: wide for 8 steps beyond
-- 2570 or before 1430, wide for 3 steps beyond 20267, and straddling the 8-step limit
SELECT setseed(0.5);
CREATE TABLE range_rows AS
SELECT c AS customer, timestamptz '2024-03-01' + floor(random() * 43200) * interval '1 minute' AS t,
       floor(random() * 9)::int AS kind
FROM generate_series(1, 400) AS c, generate_series(1, 1 + (c * 7919) % 40) AS e;
CREATE TEMP TABLE shifts (name text, shift interval);
INSERT INTO shifts
SELECT 'none', interval '0'
UNION ALL SELECT '+800 years', interval '292200 days'
UNION ALL SELECT '-800 years', interval '-292200 days'
UNION ALL SELECT '+20000 years', interval '7305000 days'
UNION ALL SELECT 'across the 8-step limit', date_trunc('day', limit8 - timestamptz '2024-03-16') FROM limits;
CREATE TEMP TABLE shifted_answers AS
SELECT name, customer,
       engage.window_funnel('1 day', t + shift, kind = 1, kind = 2, kind = 3) AS level3,
       engage.window_funnel('2 days', t + shift, kind = 1, kind = 2, kind = 3, kind = 4, kind = 5, kind = 6, kind = 7, kind = 8) AS level8,
       engage.window_funnel('2 days', 'strict_order, strict_increase', t + shift, kind = 1, kind = 2, kind = 3) AS strict3,
       engage.window_funnel('3 days', 'strict_deduplication', t + shift, kind = 1, kind = 2, kind = 3, kind = 4, kind = 5, kind = 6, kind = 7, kind = 8) AS dedup8,
       ARRAY(SELECT u - shift FROM unnest(engage.window_funnel_times('2 days', t + shift, kind = 1, kind = 2, kind = 3, kind = 4,
                                                                    kind = 5, kind = 6, kind = 7, kind = 8)) AS u) AS times8,
       ARRAY(SELECT u - shift FROM unnest(engage.window_funnel_times('2 days', 'strict_order', t + shift, kind = 1, kind = 2, kind = 3)) AS u) AS strict_times3
FROM range_rows, shifts GROUP BY name, shift, customer;
-- the unshifted answers (the customers at each level) ...
SELECT level3, level8, count(*) FROM shifted_answers WHERE name = 'none' GROUP BY level3, level8 ORDER BY level3, level8;
SELECT strict3, dedup8, count(*) FROM shifted_answers WHERE name = 'none' GROUP BY strict3, dedup8 ORDER BY strict3, dedup8;
-- ... and the shifted ones, customer by customer
SELECT s.name, count(*) AS customers,
       count(*) FILTER (WHERE (s.level3, s.level8, s.strict3, s.dedup8, s.times8, s.strict_times3)
                              IS DISTINCT FROM (n.level3, n.level8, n.strict3, n.dedup8, n.times8, n.strict_times3)) AS differ
FROM shifted_answers AS s JOIN shifted_answers AS n ON n.customer = s.customer AND n.name = 'none'
WHERE s.name <> 'none' GROUP BY s.name ORDER BY s.name;
-- groups straddling the limit did straddle it
SELECT count(*) AS straddling FROM (
    SELECT customer FROM range_rows, shifts WHERE name = 'across the 8-step limit'
    GROUP BY customer HAVING min(t + shift) < (SELECT limit8 FROM limits) AND max(t + shift) >= (SELECT limit8 FROM limits)) AS s;

-- parallel plans (partial states serialised, packed and wide ones combined) give the serial
-- answers: 40 customers of 1,000 rows each, half of them across the 8-step limit
SELECT setseed(0.75);
CREATE TABLE range_many AS
SELECT i % 40 AS customer,
       CASE WHEN i % 40 < 20 THEN limit8 - interval '5 days' ELSE timestamptz '2024-03-01' END
           + floor(random() * 14400) * interval '1 minute' AS t,
       floor(random() * 9)::int AS kind
FROM limits, generate_series(1, 40000) AS i;
ANALYZE range_many;
CREATE TEMP TABLE many_serial AS
SELECT customer,
       engage.window_funnel('30 minutes', t, kind = 1, kind = 2, kind = 3, kind = 4, kind = 5, kind = 6, kind = 7, kind = 8) AS level,
       engage.window_funnel_times('1 hour', 'strict_increase', t, kind = 1, kind = 2, kind = 3, kind = 4) AS times
FROM range_many GROUP BY customer;
SELECT customer < 20 AS across, level, cardinality(times) AS times_steps, count(*) FROM many_serial GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET enable_hashagg = off;
EXPLAIN (COSTS OFF)
SELECT customer, engage.window_funnel('1 day', t, kind = 1, kind = 2) FROM range_many GROUP BY customer;
SELECT count(*) AS customers,
       count(*) FILTER (WHERE (p.level, p.times) IS DISTINCT FROM (s.level, s.times)) AS differ
FROM many_serial AS s FULL JOIN (
    SELECT customer,
           engage.window_funnel('30 minutes', t, kind = 1, kind = 2, kind = 3, kind = 4, kind = 5, kind = 6, kind = 7, kind = 8) AS level,
           engage.window_funnel_times('1 hour', 'strict_increase', t, kind = 1, kind = 2, kind = 3, kind = 4) AS times
    FROM range_many GROUP BY customer) AS p USING (customer);
-- one group over the whole table: 20 customers' rows beyond the limit, 20 customers' within
SELECT engage.window_funnel('10 minutes', t, kind = 1, kind = 2, kind = 3, kind = 4, kind = 5, kind = 6, kind = 7, kind = 8)
           = (SELECT max(level) FROM (SELECT engage.window_funnel('10 minutes', t, kind = 1, kind = 2, kind = 3, kind = 4, kind = 5, kind = 6, kind = 7, kind = 8) AS level
                                      FROM range_many GROUP BY customer < 20) AS halves) AS whole_ok
FROM range_many;
RESET ALL;
DROP TABLE range_rows, range_many;

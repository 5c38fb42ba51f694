-- engage.activity, engage.activity_periods, the PostHog-style lifecycle report and stickiness.
SET client_min_messages = warning;  -- no notice when an earlier test created it
CREATE EXTENSION IF NOT EXISTS engage;
RESET client_min_messages;
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, YMD';

-- text form: periods and ranges in braces, written back sorted with runs merged
SELECT a::engage.activity AS value, a::engage.activity::text::engage.activity AS round_trip
FROM (VALUES ('{}'), ('{0-3,5,9-12}'), (' { 7 , 5-6,-10 - -3 } '), ('{-1}'), ('{7,8}'),
             ('{2147483647}'), ('{-2147483648}'), ('{3,3,1-4}')) AS v(a);

-- equality, and grouping through the hash operator class
SELECT '{1-3}'::engage.activity OPERATOR(engage.=) '{3,2,1}' AS same,
       '{1-3}'::engage.activity OPERATOR(engage.<>) '{1-4}' AS differ,
       '{}'::engage.activity OPERATOR(engage.=) '{}' AS empty_same,
       '{-8}'::engage.activity OPERATOR(engage.=) '{8}' AS sign_matters;
SET search_path = engage, public;
SELECT '{0-9}'::activity = '{0-9}' AS on_search_path;
RESET search_path;
SELECT a, count(*) FROM (VALUES ('{1-3}'::engage.activity), ('{1,2,3}'), ('{}'), ('{7}'), ('{}')) AS v(a)
GROUP BY a ORDER BY count(*) DESC, a::text;
SELECT count(*) AS distinct_values
FROM (SELECT DISTINCT a FROM (VALUES ('{1-3}'::engage.activity), ('{1,2,3}'), ('{0-3}')) AS v(a)) AS d;

-- periods: floor((occurred_at - origin) / period); before origin they are negative
SELECT engage.activity_periods(t, '2024-01-01', '1 day') AS daily
FROM (VALUES (timestamptz '2024-01-01'), ('2024-01-03 12:00'), ('2023-12-31 23:59:59.999999'),
             ('2024-03-01'), ('2023-01-01'), (NULL)) AS v(t);
SELECT engage.period_of('2024-01-08', '2024-01-01', '7 days') AS week_1,
       engage.period_of('2024-01-07 23:59:59.999999', '2024-01-01', '7 days') AS week_0,
       engage.period_of('2023-12-31', '2024-01-01', '7 days') AS week_minus_1;
SELECT engage.activity_periods(t, '2024-01-01', '1 day') IS NULL AS no_rows
FROM (SELECT now() AS t WHERE false) AS s;

-- a PostHog lifecycle report, weekly periods from Monday 2024-01-01, weeks 0-5.
-- Events (days after origin) and the statuses they give by hand:
--   u1: 0, 8, 15         weeks 0,1,2  -> w0 new, w1 returning, w2 returning, w3 dormant
--   u2: 1, 22            weeks 0,3    -> w0 new, w1 dormant, w3 resurrecting, w4 dormant
--   u3: 14, 16, 28       weeks 2,4    -> w2 new, w3 dormant, w4 resurrecting, w5 dormant
--   u4: 35, 36           week 5       -> w5 new
--   u5: -3, 6, 13        weeks -1,0,1 -> (w-1 new, outside), w0 returning, w1 returning, w2 dormant
--   u6: no time          no activity  -> nothing
CREATE TEMP TABLE report_events (customer text, day int);
INSERT INTO report_events VALUES
    ('u1', 0), ('u1', 8), ('u1', 15), ('u2', 1), ('u2', 22), ('u3', 14), ('u3', 16), ('u3', 28),
    ('u4', 35), ('u4', 36), ('u5', -3), ('u5', 6), ('u5', 13), ('u6', NULL);
CREATE TEMP TABLE report_activity AS
    SELECT customer, engage.activity_periods(timestamptz '2024-01-01' + day * interval '1 day',
                                             '2024-01-01', '7 days') AS a
    FROM report_events GROUP BY customer;
SELECT customer, a FROM report_activity ORDER BY customer;
-- the report, dormant counted negatively as PostHog shows it
SELECT l.period,
       count(*) FILTER (WHERE l.status = 'new') AS new,
       count(*) FILTER (WHERE l.status = 'returning') AS returning,
       count(*) FILTER (WHERE l.status = 'resurrecting') AS resurrecting,
       -count(*) FILTER (WHERE l.status = 'dormant') AS dormant
FROM report_activity, LATERAL engage.lifecycle(a, 0, 5) AS l
GROUP BY l.period ORDER BY l.period;
-- the same against the hand-derived table: no differences either way
WITH got AS (
    SELECT l.period, l.status, count(*) AS n
    FROM report_activity, LATERAL engage.lifecycle(a, 0, 5) AS l GROUP BY 1, 2),
hand(period, status, n) AS (VALUES
    (0, 'new', 2), (0, 'returning', 1),
    (1, 'returning', 2), (1, 'dormant', 1),
    (2, 'new', 1), (2, 'returning', 1), (2, 'dormant', 1),
    (3, 'resurrecting', 1), (3, 'dormant', 2),
    (4, 'resurrecting', 1), (4, 'dormant', 1),
    (5, 'new', 1), (5, 'dormant', 1))
SELECT 'missing' AS side, * FROM (SELECT * FROM hand EXCEPT SELECT * FROM got) AS m
UNION ALL
SELECT 'unexpected', * FROM (SELECT * FROM got EXCEPT SELECT * FROM hand) AS u;
-- one customer's statuses; periods outside the range are left out
SELECT * FROM engage.lifecycle('{0-3,5,9-12}', -5, 20);
SELECT * FROM engage.lifecycle('{0-3,5,9-12}', 3, 9);
SELECT count(*) AS empty FROM engage.lifecycle('{}', 0, 10);
-- a reversed range is an error (sql/range_arguments.sql)
SELECT count(*) AS reversed_range FROM engage.lifecycle('{0-3}', 3, 0);

-- stickiness on daily periods: active days 0-3, 5, 9-13
SELECT engage.active_periods(a) AS total,
       engage.active_periods(a, 13, 7) AS l7_at_13,     -- days 7..13: 9-13
       engage.active_periods(a, 13, 28) AS l28_at_13,   -- days -14..13: all 10
       engage.active_periods(a, 4, 2) AS l2_at_4,       -- days 3, 4: 3
       engage.active_periods(a, 100, 7) AS l7_at_100,
       engage.current_streak(a, 13) AS streak_13,       -- 9..13
       engage.current_streak(a, 12) AS streak_12,       -- 9..12
       engage.current_streak(a, 4) AS streak_4,         -- inactive
       engage.longest_streak(a) AS longest,
       engage.first_period(a) AS first, engage.last_period(a) AS last,
       engage.is_active(a, 5) AS on_5, engage.is_active(a, 6) AS on_6
FROM (SELECT '{0-3,5,9-13}'::engage.activity AS a) AS s;
-- the largest spans: every span of 1000000 periods fits
SELECT engage.active_periods('{0-999999}'::engage.activity) AS aligned,
       engage.active_periods('{7-1000006}'::engage.activity) AS unaligned;
SELECT engage.longest_streak('{}'), engage.active_periods('{}'::engage.activity),
       engage.first_period('{}') IS NULL AS no_first, engage.current_streak('{}', 0);

-- union of stored values
SELECT engage.activity_union('{0-3}', '{-20,2-9,100}') AS two, engage.activity_union('{}', '{1}') AS with_empty;
SELECT engage.activity_union(a) AS all_customers FROM report_activity;

-- bad input
CREATE FUNCTION pg_temp.error_of(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE q;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
SELECT q, pg_temp.error_of(q) FROM (VALUES
    ($q$SELECT '{'::engage.activity$q$),
    ($q$SELECT '1,2'::engage.activity$q$),
    ($q$SELECT '{1-}'::engage.activity$q$),
    ($q$SELECT '{3-1}'::engage.activity$q$),
    ($q$SELECT '{1,}'::engage.activity$q$),
    ($q$SELECT '{a}'::engage.activity$q$),
    ($q$SELECT '{1} x'::engage.activity$q$),
    ($q$SELECT '{99999999999}'::engage.activity$q$),
    ($q$SELECT '{0-1000008}'::engage.activity$q$),
    ($q$SELECT engage.activity_periods(now(), '2024-01-01', '1 month 7 days')$q$),
    ($q$SELECT engage.activity_periods(now(), '2024-01-01', '0 days')$q$),
    ($q$SELECT engage.activity_periods(now(), '2024-01-01', '-7 days')$q$),
    ($q$SELECT engage.activity_periods(now(), NULL, '7 days')$q$),
    ($q$SELECT engage.activity_periods(now(), '2024-01-01', NULL)$q$),
    ($q$SELECT engage.activity_periods(now(), 'infinity', '7 days')$q$),
    ($q$SELECT engage.activity_periods('-infinity', '2024-01-01', '7 days')$q$),
    ($q$SELECT engage.activity_periods(t, '2000-01-01', '1 second')
        FROM (VALUES (timestamptz '2000-01-01'), ('2000-01-31')) AS v(t)$q$),
    ($q$SELECT engage.activity_periods('2200-01-01', '2000-01-01', '1 second')$q$),
    ($q$SELECT engage.activity_periods(now(), o, '7 days')
        FROM (VALUES (timestamptz '2024-01-01'), ('2024-01-02')) AS v(o)$q$),
    ($q$SELECT engage.period_of(now(), '2024-01-01', '1 mon -1 hour')$q$),
    ($q$SELECT engage.active_periods('{1}', 1, 0)$q$)
) AS cases(q);

-- a parallel plan gives the serial answer, per customer and over the whole table
SELECT setseed(0.75);
CREATE TABLE activity_rows AS
    SELECT i % 4000 AS customer,
           timestamptz '2024-01-01' + floor(random() * random() * 400 - 20) * interval '1 day' AS t
    FROM generate_series(1, 200000) AS i;
ANALYZE activity_rows;
CREATE TEMP TABLE activity_serial AS
    SELECT customer, engage.activity_periods(t, '2024-01-01', '7 days') AS a FROM activity_rows GROUP BY customer;
SELECT l.period, l.status, count(*)
FROM activity_serial, LATERAL engage.lifecycle(a, 0, 3) AS l GROUP BY 1, 2 ORDER BY 1, 2;
SELECT engage.activity_periods(t, '2024-01-01', '1 day') AS whole FROM activity_rows;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET enable_hashagg = off;
EXPLAIN (COSTS OFF)
    SELECT customer, engage.activity_periods(t, '2024-01-01', '7 days') FROM activity_rows GROUP BY customer;
SELECT count(*) AS customers, count(*) FILTER (WHERE p.a::text IS DISTINCT FROM s.a::text) AS differ
FROM activity_serial AS s FULL JOIN (
    SELECT customer, engage.activity_periods(t, '2024-01-01', '7 days') AS a FROM activity_rows GROUP BY customer) AS p
    USING (customer);
EXPLAIN (COSTS OFF) SELECT engage.activity_periods(t, '2024-01-01', '1 day') FROM activity_rows;
SELECT engage.activity_periods(t, '2024-01-01', '1 day') AS whole FROM activity_rows;
SELECT engage.activity_periods(t, '2024-01-01', '1 day') IS NULL AS no_rows FROM activity_rows WHERE t > '2030-01-01';
SELECT engage.activity_periods(CASE WHEN customer = 7 THEN t END, '2024-01-01', '7 days')::text
       = (SELECT a::text FROM activity_serial WHERE customer = 7) AS one_customer_matches
FROM activity_rows;
CREATE TABLE activity_stored AS
    SELECT customer, engage.activity_periods(t, '2024-01-01', '1 day') AS a FROM activity_rows GROUP BY customer;
ANALYZE activity_stored;
EXPLAIN (COSTS OFF) SELECT engage.activity_union(a) FROM activity_stored;
SELECT engage.activity_union(a)::text = (SELECT engage.activity_periods(t, '2024-01-01', '1 day')::text FROM activity_rows)
    AS union_matches FROM activity_stored;
RESET ALL;
DROP TABLE activity_rows, activity_stored;

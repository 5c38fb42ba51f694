-- engage.activity_periods with calendar periods (months, quarters, years): PostHog's monthly
-- lifecycle report, checked against plain SQL (date_trunc('month') of the local time).
SET client_min_messages = warning;  -- no notice when an earlier test created it
CREATE EXTENSION IF NOT EXISTS engage;
RESET client_min_messages;
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, YMD';

-- Month boundaries in New York (UTC-5 in winter, UTC-4 in summer): 2023-02-01 04:30 UTC is
-- still January there, 2023-07-01 03:59 UTC still June.  Period 0 is the month of origin,
-- whatever origin's day and hour.
SELECT engage.period_of('2023-02-01 04:30+00', '2023-01-20 12:00+00', '1 month', 'America/New_York') AS jan,
       engage.period_of('2023-02-01 05:00+00', '2023-01-20 12:00+00', '1 month', 'America/New_York') AS feb,
       engage.period_of('2023-07-01 03:59+00', '2023-01-20 12:00+00', '1 month', 'America/New_York') AS jun,
       engage.period_of('2023-07-01 04:00+00', '2023-01-20 12:00+00', '1 month', 'America/New_York') AS jul,
       engage.period_of('2022-12-31 12:00+00', '2023-01-20 12:00+00', '1 month', 'America/New_York') AS dec_before,
       engage.period_of('2023-02-01 04:30+00', '2023-01-20 12:00+00', '1 month') AS feb_in_utc;
-- quarters and years, before and after origin
SELECT engage.period_of(t, '2023-01-01', '3 months', 'UTC') AS quarter,
       engage.period_of(t, '2023-01-01', '1 year', 'UTC') AS year,
       engage.period_of(t, '2023-05-15', '3 months', 'UTC') AS quarter_from_may
FROM unnest(ARRAY[timestamptz '2022-12-31 23:59', '2023-03-31 23:59', '2023-04-01', '2024-12-31', '2021-01-01']) AS t;
-- the session TimeZone when no zone is named
SET TimeZone = 'America/New_York';
SELECT engage.period_of('2023-02-01 04:30+00', '2023-01-01', '1 month') AS jan_in_new_york;
SET TimeZone = 'UTC';

-- an activity value over months, and the report on it
SELECT engage.activity_periods(t, '2023-01-01', '1 month', 'Europe/Paris') AS months
FROM unnest(ARRAY[timestamptz '2023-01-05', '2023-01-31 23:30', '2023-03-10', '2023-05-01', '2023-06-30 22:30']) AS t;
SELECT * FROM engage.lifecycle((SELECT engage.activity_periods(t, '2023-01-01', '1 month', 'Europe/Paris')
                                FROM unnest(ARRAY[timestamptz '2023-01-05', '2023-01-31 23:30', '2023-03-10',
                                                  '2023-05-01', '2023-06-30 22:30']) AS t), 0, 7);

-- Generated events: 300 customers over 2023-2024, many near local month boundaries.
CREATE TABLE cal_events AS  -- not TEMP: parallel workers scan it below
SELECT c AS customer,
       timestamptz '2023-01-01 00:00+00' + (((c * 7919 + k * 104729) % 730) || ' days')::interval
           + (((c * 31 + k * 17) % 48) * 30 || ' minutes')::interval - interval '12 hours' AS t
FROM generate_series(1, 300) AS c, generate_series(1, 1 + c % 9) AS k;

-- PostHog's monthly lifecycle (new, returning, resurrecting, dormant) per (month, status) in
-- Tokyo, by engage and by plain SQL on date_trunc('month', local time); they must agree.
CREATE TEMP TABLE cal_engage AS
SELECT l.period, l.status, count(*) AS customers
FROM (SELECT customer, engage.activity_periods(t, '2023-01-01 00:00+09', '1 month', 'Asia/Tokyo') AS a
      FROM cal_events GROUP BY customer) AS s,
     LATERAL engage.lifecycle(a, 0, 24) AS l
GROUP BY 1, 2;
CREATE TEMP TABLE cal_plain AS
WITH m AS (SELECT DISTINCT customer,
                  ((extract(year FROM date_trunc('month', t AT TIME ZONE 'Asia/Tokyo')) - 2023) * 12
                   + extract(month FROM date_trunc('month', t AT TIME ZONE 'Asia/Tokyo')) - 1)::int AS p
           FROM cal_events),
     f AS (SELECT customer, min(p) AS first FROM m GROUP BY customer),
     grid AS (SELECT f.customer, f.first, p FROM f, generate_series(0, 24) AS p WHERE p >= f.first),
     st AS (SELECT g.p AS period,
                   CASE WHEN now_.p IS NOT NULL AND g.p = g.first THEN 'new'
                        WHEN now_.p IS NOT NULL AND prev.p IS NOT NULL THEN 'returning'
                        WHEN now_.p IS NOT NULL THEN 'resurrecting'
                        WHEN prev.p IS NOT NULL THEN 'dormant' END AS status
            FROM grid g
            LEFT JOIN m now_ ON now_.customer = g.customer AND now_.p = g.p
            LEFT JOIN m prev ON prev.customer = g.customer AND prev.p = g.p - 1)
SELECT period, status, count(*) AS customers FROM st WHERE status IS NOT NULL GROUP BY 1, 2;
SELECT (SELECT count(*) FROM cal_engage) AS cells,
       (SELECT sum(customers) FROM cal_engage) AS customer_periods,
       (SELECT count(*) FROM (SELECT * FROM cal_engage EXCEPT SELECT * FROM cal_plain) AS d) AS only_engage,
       (SELECT count(*) FROM (SELECT * FROM cal_plain EXCEPT SELECT * FROM cal_engage) AS d) AS only_plain;
SELECT * FROM cal_engage WHERE period IN (0, 1, 12) ORDER BY period, status;

-- the same in a parallel plan (partial aggregates, serial and combine functions)
ANALYZE cal_events;
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2; SET enable_hashagg = off;
EXPLAIN (COSTS OFF)
SELECT customer, engage.activity_periods(t, '2023-01-01 00:00+09', '1 month', 'Asia/Tokyo') AS a
FROM cal_events GROUP BY customer;
CREATE TEMP TABLE cal_parallel AS
SELECT l.period, l.status, count(*) AS customers
FROM (SELECT customer, engage.activity_periods(t, '2023-01-01 00:00+09', '1 month', 'Asia/Tokyo') AS a
      FROM cal_events GROUP BY customer) AS s,
     LATERAL engage.lifecycle(a, 0, 24) AS l
GROUP BY 1, 2;
RESET parallel_setup_cost; RESET parallel_tuple_cost; RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather; RESET enable_hashagg;
SELECT (SELECT count(*) FROM (SELECT * FROM cal_parallel EXCEPT SELECT * FROM cal_engage) AS d) AS only_parallel,
       (SELECT count(*) FROM (SELECT * FROM cal_engage EXCEPT SELECT * FROM cal_parallel) AS d) AS only_serial;
DROP TABLE cal_events;

-- bad periods and zones
SELECT engage.period_of('2023-02-01', '2023-01-01', '1 month 2 days', 'UTC');
SELECT engage.activity_periods(t, '2023-01-01', '1 mon -1 hour') FROM (VALUES (timestamptz '2023-01-01')) AS v(t);
SELECT engage.period_of('2023-02-01', '2023-01-01', '-1 month', 'UTC');
SELECT engage.period_of('2023-02-01', '2023-01-01', '1 month', 'Mars/Olympus');
SELECT engage.activity_periods(t, '2023-01-01', '1 month', NULL) FROM (VALUES (timestamptz '2023-01-01')) AS v(t);

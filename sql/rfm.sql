-- engage.rfm and engage.rfm_holdout: customer summaries by calendar day.
-- quietly, whether or not an earlier test installed it
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS engage;
RESET client_min_messages;
SET TimeZone = 'UTC';
SET extra_float_digits = 0;
-- prints the SQLSTATE and message of a failing statement
CREATE FUNCTION pg_temp.error_of(statement text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE statement;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

CREATE TABLE rfm_orders (customer_id integer, occurred_at timestamptz, amount double precision);
INSERT INTO rfm_orders VALUES
    -- customer 1: days 01-01 (two orders: 10 + 5), 01-08, 01-22 (20 + 4): x = 2,
    -- recency 21 days, age 31 days to 02-01, monetary (30 + 24) / 2 = 27
    (1, '2024-01-01 09:00', 10), (1, '2024-01-01 18:00', 5), (1, '2024-01-08 12:00', 30),
    (1, '2024-01-22 08:00', 20), (1, '2024-01-22 23:59', 4),
    -- customer 2: one day only, x = 0, monetary 0
    (2, '2024-01-15 10:00', 99), (2, '2024-01-15 11:00', 1),
    -- customer 3: a purchase on the day of as_of (later that day) counts, the next day not
    (3, '2024-01-31 10:00', 7), (3, '2024-02-01 23:00', 8), (3, '2024-02-02 00:00', 1000),
    -- customer 4: only after as_of
    (4, '2024-03-01', 50);

SELECT customer_id, engage.rfm(occurred_at, amount, '2024-02-01 00:00', '1 day')
FROM rfm_orders GROUP BY customer_id ORDER BY customer_id;
-- unit '7 days' gives weeks (21/7 = 3, 31/7), '12 hours' half days
SELECT (engage.rfm(occurred_at, amount, '2024-02-01', '7 days')).*
FROM rfm_orders WHERE customer_id = 1;
SELECT (engage.rfm(occurred_at, amount, '2024-02-01', '12 hours')).*
FROM rfm_orders WHERE customer_id = 1;
-- field access, and the order of the rows does not matter
SELECT (engage.rfm(occurred_at, amount, '2024-02-01', '1 day' ORDER BY occurred_at DESC)).monetary AS desc_order,
       (engage.rfm(occurred_at, amount, '2024-02-01', '1 day' ORDER BY amount)).monetary AS amount_order
FROM rfm_orders WHERE customer_id = 1;

-- many rows on few days, in no order: 100000 rows on the 25 days 2024-01-01 + (i * 7) % 25,
-- amount 1 each (4000 per day): x = 24, recency 24 days, monetary 4000
SELECT engage.rfm('2024-01-01'::timestamptz + ((i * 7) % 25) * interval '1 day' + (i % 13) * interval '1 hour',
                  1, '2024-02-01', '1 day')
FROM generate_series(1, 100000) AS i;
-- and on many distinct days, in descending order: 5000 days, amounts 1..5000 (day 1 has 5000):
-- x = 4999, monetary = mean(1..4999) = 2500
SELECT engage.rfm('2000-01-01'::timestamptz + i * interval '1 day', 5001 - i, '2020-01-01', '1 day' ORDER BY i DESC)
FROM generate_series(1, 5000) AS i;

-- and 20000 rows on 3000 days in scrambled order (sorted insertion, then unsorted appends,
-- compaction and growth), against plain SQL
WITH rows AS (
    SELECT '2020-01-01'::timestamptz + ((i * 7919) % 3000) * interval '1 day' AS t, (i % 10)::float8 AS amount
    FROM generate_series(1, 20000) AS i
), days AS (
    SELECT t::date AS day, sum(amount) AS amount FROM rows GROUP BY 1
), expected AS (
    SELECT count(*) - 1 AS frequency, max(day) - min(day) AS recency, date '2030-01-01' - min(day) AS age,
           sum(amount) FILTER (WHERE day > (SELECT min(day) FROM days) AND amount > 0)
               / count(*) FILTER (WHERE day > (SELECT min(day) FROM days) AND amount > 0) AS monetary
    FROM days
)
SELECT e.frequency, (r).frequency = e.frequency AS frequency_agrees, (r).recency = e.recency AS recency_agrees,
       (r).age = e.age AS age_agrees, abs((r).monetary - e.monetary) < 1e-9 AS monetary_agrees
FROM (SELECT engage.rfm(t, amount, '2030-01-01', '1 day') AS r FROM rows) AS q, expected AS e;

-- as a window function the final step runs on a state that keeps growing: running summaries
-- (days 01-01: 2; 01-03: 4 + 8; 01-05: 1; 01-10: 16)
SELECT t, engage.rfm(t, a, '2024-02-01', '1 day') OVER (ORDER BY t) FROM (VALUES
    ('2024-01-05'::timestamptz, 1.0), ('2024-01-01', 2.0), ('2024-01-03', 4.0), ('2024-01-03 12:00', 8.0),
    ('2024-01-10', 16.0)) AS v(t, a) ORDER BY t;

-- calendar days of the session TimeZone: 2024-01-01 23:30 UTC is 2024-01-02 in Tokyo
SET TimeZone = 'Asia/Tokyo';
SELECT engage.rfm(occurred_at, amount, '2024-01-31', '1 day') FROM (VALUES
    ('2024-01-01 23:30+00'::timestamptz, 1.0), ('2024-01-02 01:00+09', 2.0)) AS v(occurred_at, amount);
SET TimeZone = 'UTC';
SELECT engage.rfm(occurred_at, amount, '2024-01-31', '1 day') FROM (VALUES
    ('2024-01-01 23:30+00'::timestamptz, 1.0), ('2024-01-02 01:00+09', 2.0)) AS v(occurred_at, amount);

-- the day of every timestamp agrees with ::date, across daylight-saving transitions,
-- half-hour zones and zones changed since: one group per timestamp, age = as_of day - day
CREATE TABLE rfm_instants AS
    SELECT t FROM generate_series('2023-01-01 00:00+00'::timestamptz, '2025-01-01', '37 minutes') AS t
    UNION ALL SELECT t FROM generate_series('1890-01-01 00:00+00'::timestamptz, '2100-01-01', '97 days 5 hours') AS t;
-- (as_of converted when called, in the zone of the call: PostgreSQL 18 keeps a SQL function's
-- plan across calls, with a timestamptz literal converted in the zone of the first call)
CREATE FUNCTION pg_temp.days_differing() RETURNS bigint LANGUAGE sql AS $$
    SELECT count(*) FROM (
        SELECT t, (engage.rfm(t, 0, CAST(date '2200-01-01' AS timestamptz), '1 day')).age AS age
        FROM rfm_instants GROUP BY t
    ) AS s WHERE s.age <> date '2200-01-01' - t::date $$;
SELECT count(*) AS instants FROM rfm_instants;
SET TimeZone = 'America/New_York';
SELECT pg_temp.days_differing() AS new_york;
SET TimeZone = 'Australia/Lord_Howe';
SELECT pg_temp.days_differing() AS lord_howe;
SET TimeZone = 'Asia/Kathmandu';
SELECT pg_temp.days_differing() AS kathmandu;
SET TimeZone = 'Europe/Moscow';
SELECT pg_temp.days_differing() AS moscow;
SET TimeZone = 'PST8PDT';
SELECT pg_temp.days_differing() AS pst8pdt;
SET TimeZone = 'UTC';

-- NULL handling: rows with a NULL time or as_of are skipped; a NULL amount is a purchase
-- without an amount (01-05 counts for frequency, not for monetary); no purchase up to as_of gives NULL
SELECT engage.rfm(occurred_at, amount, '2024-02-01', '1 day') FROM (VALUES
    ('2024-01-01'::timestamptz, 1.0), (NULL, 2.0), ('2024-01-05', NULL), ('2024-01-11', 3.0)) AS v(occurred_at, amount);
SELECT engage.rfm(occurred_at, amount, NULL, '1 day') IS NULL AS null_as_of FROM rfm_orders;
SELECT engage.rfm(occurred_at, amount, '2024-02-01', NULL) IS NULL AS null_unit FROM rfm_orders;
SELECT engage.rfm(occurred_at, amount, '2024-02-01', '1 day') IS NULL AS no_rows FROM rfm_orders WHERE false;
SELECT engage.rfm(occurred_at, amount, '2024-02-01', '1 day') IS NULL AS all_after_as_of
FROM rfm_orders WHERE customer_id = 4;

-- bad input
SELECT pg_temp.error_of($$SELECT engage.rfm(now(), 'NaN', now(), '1 day')$$);
SELECT pg_temp.error_of($$SELECT engage.rfm(now(), 'Infinity', now(), '1 day')$$);
SELECT pg_temp.error_of($$SELECT engage.rfm(now(), '-Infinity', now(), '1 day')$$);
SELECT pg_temp.error_of($$SELECT engage.rfm('infinity', 1, now(), '1 day')$$);
SELECT pg_temp.error_of($$SELECT engage.rfm('-infinity', 1, now(), '1 day')$$);
SELECT pg_temp.error_of($$SELECT engage.rfm(now(), 1, 'infinity', '1 day')$$);
SELECT pg_temp.error_of($$SELECT engage.rfm(now(), 1, now(), '0 days')$$);
SELECT pg_temp.error_of($$SELECT engage.rfm(now(), 1, now(), '-7 days')$$);
SELECT pg_temp.error_of($$SELECT engage.rfm(now(), 1, now(), '1 month')$$);
SELECT pg_temp.error_of($$SELECT engage.rfm(now(), 1, now(), '1 day -24 hours')$$);
SELECT pg_temp.error_of($$SELECT engage.rfm(occurred_at, amount, occurred_at, '1 day') FROM rfm_orders$$);
SELECT pg_temp.error_of($$SELECT engage.rfm(occurred_at, amount, '2024-02-01', make_interval(days => customer_id)) FROM rfm_orders$$);
SELECT pg_temp.error_of($$SELECT engage.rfm_holdout(now(), 1, '2024-02-01', '2024-01-31', '1 day')$$);
SELECT pg_temp.error_of($$SELECT engage.rfm_holdout(now(), 1, '2024-02-01', 'infinity', '1 day')$$);
SELECT pg_temp.error_of($$SELECT engage.rfm_holdout(occurred_at, amount, '2024-02-01', occurred_at, '1 day') FROM rfm_orders$$);
SELECT pg_temp.error_of($$SELECT engage.rfm_holdout(occurred_at, amount, '2024-02-01', occurred_at + interval '1 year', '1 day') FROM rfm_orders$$);

-- engage.rfm_holdout: calibration up to 2024-02-01, holdout (02-01, 03-01]
SELECT customer_id, engage.rfm_holdout(occurred_at, amount, '2024-02-01', '2024-03-01', '1 day')
FROM rfm_orders GROUP BY customer_id ORDER BY customer_id;

-- parallel plans (partial states serialised, combined) give the serial answer (amounts
-- summed in another order: monetary within 1e-9)
CREATE TABLE rfm_big AS
    SELECT i % 1000 AS customer_id,
           '2023-01-01'::timestamptz + ((i * 7919) % 730) * interval '1 day' + (i % 24) * interval '1 hour' AS occurred_at,
           ((i * 31) % 1000) / 10.0 AS amount
    FROM generate_series(1, 200000) AS i;
ANALYZE rfm_big;
CREATE TABLE rfm_serial AS
    SELECT customer_id, engage.rfm(occurred_at, amount, '2024-06-30', '7 days') AS s,
           engage.rfm_holdout(occurred_at, amount, '2024-06-30', '2024-12-31', '7 days') AS h
    FROM rfm_big GROUP BY customer_id;
CREATE FUNCTION pg_temp.rounded(s engage.rfm) RETURNS text LANGUAGE sql AS $$
    SELECT format('(%s, %s, %s, %s)', s.frequency, round(s.recency::numeric, 9), round(s.age::numeric, 9),
                  round(s.monetary::numeric, 6)) $$;
SELECT pg_temp.rounded(engage.rfm(occurred_at, amount, '2024-06-30', '7 days')) AS serial_all,
       pg_temp.rounded(engage.rfm(occurred_at, amount, '2024-06-30', '7 days') FILTER (WHERE customer_id = 7)) AS serial_one
FROM rfm_big;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT engage.rfm(occurred_at, amount, '2024-06-30', '7 days') FROM rfm_big;
SELECT pg_temp.rounded(engage.rfm(occurred_at, amount, '2024-06-30', '7 days')) AS parallel_all,
       pg_temp.rounded(engage.rfm(occurred_at, amount, '2024-06-30', '7 days') FILTER (WHERE customer_id = 7)) AS parallel_one
FROM rfm_big;
-- NULL and empty partial states: one worker sees the only row (i = 1: 2024-09-11 01:00, 3.1),
-- or the rows are all after as_of (states without purchase days), or no worker sees a row
SELECT engage.rfm(occurred_at, amount, '2024-12-31', '1 day') FILTER (WHERE ctid = '(0,1)') AS one_row,
       engage.rfm(occurred_at, amount, '2023-01-01', '1 day') FILTER (WHERE occurred_at >= '2023-01-02') AS all_after,
       engage.rfm(occurred_at, amount, '2024-12-31', '1 day') FILTER (WHERE false) AS no_row
FROM rfm_big;
SET enable_hashagg = off;
EXPLAIN (COSTS OFF) SELECT customer_id, engage.rfm(occurred_at, amount, '2024-06-30', '7 days') FROM rfm_big GROUP BY customer_id;
SELECT count(*) AS groups,
       count(*) FILTER (WHERE (p.s).frequency <> (s.s).frequency OR (p.s).recency <> (s.s).recency
                           OR (p.s).age <> (s.s).age OR abs((p.s).monetary - (s.s).monetary) > 1e-9
                           OR (p.h).frequency <> (s.h).frequency OR abs((p.h).monetary - (s.h).monetary) > 1e-9
                           OR (p.h).holdout_frequency <> (s.h).holdout_frequency
                           OR abs((p.h).holdout_monetary - (s.h).holdout_monetary) > 1e-9) AS differing
FROM (SELECT customer_id, engage.rfm(occurred_at, amount, '2024-06-30', '7 days') AS s,
             engage.rfm_holdout(occurred_at, amount, '2024-06-30', '2024-12-31', '7 days') AS h
      FROM rfm_big GROUP BY customer_id) AS p
JOIN rfm_serial AS s USING (customer_id);
RESET ALL;
SET TimeZone = 'UTC';
SET extra_float_digits = 0;
-- the serial answer by plain SQL: customer 7
SELECT count(*) - 1 AS frequency, round(((max(day) - min(day)) / 7.0)::numeric, 6) AS recency,
       round(((date '2024-06-30' - min(day)) / 7.0)::numeric, 6) AS age,
       round((sum(amount) FILTER (WHERE day > first_day) / (count(*) - 1))::numeric, 6) AS monetary
FROM (SELECT occurred_at::date AS day, sum(amount) AS amount, min(occurred_at::date) OVER () AS first_day
      FROM rfm_big WHERE customer_id = 7 AND occurred_at::date <= '2024-06-30' GROUP BY 1) AS d;
SELECT (s).frequency, round((s).recency::numeric, 6) AS recency, round((s).age::numeric, 6) AS age,
       round((s).monetary::numeric, 6) AS monetary
FROM rfm_serial WHERE customer_id = 7;

-- engage.rfm with a time_zone: the days of that zone, whatever the session's TimeZone.
-- Purchases at 23:30 and 00:30 New York time are one UTC day apart but two local days.
CREATE TABLE rfm_zoned (occurred_at timestamptz, amount float8);
INSERT INTO rfm_zoned VALUES ('2024-03-01 23:30:00-05', 10), ('2024-03-02 00:30:00-05', 20),
                             ('2024-03-09 12:00:00-05', 30);
SET TimeZone = 'America/New_York';
SELECT engage.rfm(occurred_at, amount, '2024-03-10 12:00-05', '1 day') AS session_new_york FROM rfm_zoned;
SET TimeZone = 'UTC';
SELECT engage.rfm(occurred_at, amount, '2024-03-10 12:00-05', '1 day') AS session_utc,
       engage.rfm(occurred_at, amount, '2024-03-10 12:00-05', '1 day', 'America/New_York') AS zone_new_york,
       engage.rfm(occurred_at, amount, '2024-03-10 12:00-05', '1 day', 'UTC') AS zone_utc
FROM rfm_zoned;
SET TimeZone = 'Asia/Tokyo';
SELECT engage.rfm(occurred_at, amount, '2024-03-10 12:00-05', '1 day', 'America/New_York') AS zone_new_york_from_tokyo,
       engage.rfm_holdout(occurred_at, amount, '2024-03-05 12:00-05', '2024-03-10 12:00-05', '1 day', 'America/New_York') AS holdout_new_york
FROM rfm_zoned;
-- NULL time zones skip the row; unknown zones and zones changing within a group are errors
SELECT engage.rfm(occurred_at, amount, '2024-03-10', '1 day', NULL::text) IS NULL AS all_skipped FROM rfm_zoned;
SELECT pg_temp.error_of($$SELECT engage.rfm(now(), 1, now(), '1 day', 'Mars/Olympus_Mons')$$);
SELECT pg_temp.error_of($$SELECT engage.rfm(occurred_at, amount, '2024-03-10', '1 day', CASE WHEN amount > 15 THEN 'UTC' ELSE 'Europe/Paris' END) FROM rfm_zoned$$);
SET TimeZone = 'UTC';
DROP TABLE rfm_zoned;

DROP TABLE rfm_orders, rfm_instants, rfm_big, rfm_serial;
DROP FUNCTION pg_temp.rounded(engage.rfm);

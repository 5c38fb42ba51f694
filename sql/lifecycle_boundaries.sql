-- engage.lifecycle_stage: every stage rule at its boundaries (thresholds 30/90/180 days).
SET client_min_messages = warning;  -- no notice when an earlier test created it
CREATE EXTENSION IF NOT EXISTS engage;
RESET client_min_messages;
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, YMD';

-- as_of = 2020-06-30 00:00 UTC; each customer's interactions as offsets before as_of
CREATE TEMP TABLE stage_cases (customer text, expected engage.stage, ago interval[]);
INSERT INTO stage_cases VALUES
    ('new: first exactly active_within ago',      'new',         '{30 days, 1 day}'),
    ('not new: first 1us before that',            'active',      '{30 days 00:00:00.000001, 1 day}'),
    ('active: r = active_within',                 'active',      '{400 days, 200 days, 100 days, 30 days}'),
    ('at_risk: r = active_within + 1us',          'at_risk',     '{400 days, 30 days 00:00:00.000001}'),
    ('at_risk: r = dormant_after',                'at_risk',     '{400 days, 90 days}'),
    ('lapsed: r = dormant_after + 1us',           'lapsed',      '{400 days, 90 days 00:00:00.000001}'),
    ('lapsed: r = churn_after',                   'lapsed',      '{400 days, 180 days}'),
    ('churned: r = churn_after + 1us',            'churned',     '{400 days, 180 days 00:00:00.000001}'),
    ('reactivated: silence churn_after + 1us',    'reactivated', '{210 days 00:00:00.000001, 30 days, 2 days}'),
    ('active: silence exactly churn_after',       'active',      '{210 days, 30 days, 2 days}'),
    ('active: comeback started before window',    'active',      '{400 days, 30 days 00:00:00.000001, 2 days}'),
    ('reactivated: comeback at as_of',            'reactivated', '{500 days, 0 days}'),
    ('reactivated: earlier runs do not matter',   'reactivated', '{900 days, 899 days, 500 days, 10 days, 3 days}'),
    ('active: old silence, then a long run',      'active',      '{900 days, 500 days, 400 days, 300 days, 200 days, 100 days, 5 days}'),
    ('later rows ignored',                        'churned',     '{400 days, -1 day, -100 days}');

-- each case evaluated with its rows in ascending and in descending order
SELECT customer, expected,
       engage.lifecycle_stage(t, '2020-06-30', '30 days', '90 days', '180 days' ORDER BY t) AS asc_order,
       engage.lifecycle_stage(t, '2020-06-30', '30 days', '90 days', '180 days' ORDER BY t DESC) AS desc_order
FROM stage_cases, LATERAL (SELECT timestamptz '2020-06-30' - a AS t FROM unnest(ago) AS a) AS rows
GROUP BY customer, expected
ORDER BY expected, customer;

-- no rows, only NULL times, only rows after as_of: NULL
SELECT engage.lifecycle_stage(t, '2020-06-30', '30 days', '90 days', '180 days') IS NULL AS no_rows
FROM (SELECT timestamptz '2020-01-01' AS t WHERE false) AS s;
SELECT engage.lifecycle_stage(t, '2020-06-30', '30 days', '90 days', '180 days') IS NULL AS null_times
FROM (VALUES (NULL::timestamptz), (NULL)) AS s(t);
SELECT engage.lifecycle_stage(t, '2020-06-30', '30 days', '90 days', '180 days') IS NULL AS only_later
FROM (VALUES (timestamptz '2020-07-01')) AS s(t);
-- equal thresholds are allowed: 30/30/30 days, r = 31 days is churned
SELECT engage.lifecycle_stage(t, '2020-06-30', '30 days', '30 days', '30 days')
FROM (VALUES (timestamptz '2019-01-01'), ('2020-05-30')) AS s(t);
-- the extremes of the timestamp range do not overflow
SELECT engage.lifecycle_stage(t, '294276-12-30', '30 days', '90 days', '180 days') AS fixed,
       engage.lifecycle_stage_personal(t, '294276-12-30', '30 days', '90 days', '180 days') AS personal
FROM (VALUES (timestamptz '4713-01-01 BC'), ('4712-01-01 BC'), ('4711-01-01 BC'), ('4710-01-01 BC'),
             ('294276-12-01')) AS s(t);
SELECT engage.lifecycle_stage(t, '4713-01-02 BC', '30 days', '90 days', '180 days') AS fixed
FROM (VALUES (timestamptz '4713-01-01 BC')) AS s(t);
-- the stages are ordered
SELECT enum_range(NULL::engage.stage);

-- bad input: a function that reports the SQLSTATE and message of an error
CREATE FUNCTION pg_temp.error_of(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE q;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
SELECT q, pg_temp.error_of(q) FROM (VALUES
    ($q$SELECT engage.lifecycle_stage(now(), '2020-06-30', '91 days', '90 days', '180 days')$q$),
    ($q$SELECT engage.lifecycle_stage(now(), '2020-06-30', '30 days', '190 days', '180 days')$q$),
    ($q$SELECT engage.lifecycle_stage(now(), '2020-06-30', '0 days', '90 days', '180 days')$q$),
    ($q$SELECT engage.lifecycle_stage(now(), '2020-06-30', '-1 days', '90 days', '180 days')$q$),
    ($q$SELECT engage.lifecycle_stage(now(), '2020-06-30', '30 days', '3 months', '1 year')$q$),
    ($q$SELECT engage.lifecycle_stage(now(), 'infinity', '30 days', '90 days', '180 days')$q$),
    ($q$SELECT engage.lifecycle_stage('-infinity', '2020-06-30', '30 days', '90 days', '180 days')$q$),
    ($q$SELECT engage.lifecycle_stage(now(), NULL, '30 days', '90 days', '180 days')$q$),
    ($q$SELECT engage.lifecycle_stage(now(), '2020-06-30', '30 days', NULL, '180 days')$q$),
    ($q$SELECT engage.lifecycle_stage(now(), a, '30 days', '90 days', '180 days')
        FROM (VALUES (timestamptz '2020-06-30'), ('2020-07-01')) AS s(a)$q$),
    ($q$SELECT engage.lifecycle_stage_personal(now(), '2020-06-30', '30 days', '9 days', '180 days')$q$),
    ($q$SELECT engage.lifecycle_stage_personal('infinity', '2020-06-30', '30 days', '90 days', '180 days')$q$)
) AS cases(q);

-- a parallel plan gives the serial answer, over the whole table and per customer
CREATE TABLE stage_rows AS
    SELECT i % 5000 AS customer,
           timestamptz '2020-06-30' - interval '1 hour' * (i % 7) - interval '1 day' *
               CASE WHEN i / 5000 = 3 AND i % 3 <> 0 THEN 600 + i % 300
                    ELSE i % 5000 % 350 + (i * 7919) % (i % 50 + 1) END AS t
    FROM generate_series(1, 200000) AS i;
ANALYZE stage_rows;
CREATE TEMP TABLE stage_serial AS
    SELECT customer, engage.lifecycle_stage(t, '2020-06-30', '30 days', '90 days', '180 days') AS fixed,
           engage.lifecycle_stage_personal(t, '2020-06-30', '30 days', '90 days', '180 days') AS personal
    FROM stage_rows GROUP BY customer;
SELECT fixed, count(*) FROM stage_serial GROUP BY fixed ORDER BY fixed;
SELECT personal, count(*) FROM stage_serial GROUP BY personal ORDER BY personal;
SELECT engage.lifecycle_stage(t, '2020-06-30', '30 days', '90 days', '180 days') AS whole_fixed,
       engage.lifecycle_stage_personal(t, '2021-06-30', '30 days', '90 days', '180 days') AS whole_personal
FROM stage_rows;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET enable_hashagg = off;
EXPLAIN (COSTS OFF)
    SELECT customer, engage.lifecycle_stage(t, '2020-06-30', '30 days', '90 days', '180 days')
    FROM stage_rows GROUP BY customer;
SELECT count(*) AS customers, count(*) FILTER (WHERE p.fixed IS DISTINCT FROM s.fixed) AS fixed_differ,
       count(*) FILTER (WHERE p.personal IS DISTINCT FROM s.personal) AS personal_differ
FROM stage_serial AS s FULL JOIN (
    SELECT customer, engage.lifecycle_stage(t, '2020-06-30', '30 days', '90 days', '180 days') AS fixed,
           engage.lifecycle_stage_personal(t, '2020-06-30', '30 days', '90 days', '180 days') AS personal
    FROM stage_rows GROUP BY customer) AS p USING (customer);
EXPLAIN (COSTS OFF)
    SELECT engage.lifecycle_stage(t, '2020-06-30', '30 days', '90 days', '180 days') FROM stage_rows;
SELECT engage.lifecycle_stage(t, '2020-06-30', '30 days', '90 days', '180 days') AS whole_fixed,
       engage.lifecycle_stage_personal(t, '2021-06-30', '30 days', '90 days', '180 days') AS whole_personal
FROM stage_rows;
-- partial states that saw no rows (all filtered out) combine to NULL
SELECT engage.lifecycle_stage(t, '2020-06-30', '30 days', '90 days', '180 days') IS NULL AS empty_fixed,
       engage.lifecycle_stage_personal(t, '2020-06-30', '30 days', '90 days', '180 days') IS NULL AS empty_personal
FROM stage_rows WHERE t > '2020-07-01';
-- partial states holding only NULL times or rows after as_of combine to NULL as well
SELECT engage.lifecycle_stage(t, '2000-01-01', '30 days', '90 days', '180 days') IS NULL AS later_fixed,
       engage.lifecycle_stage_personal(CASE WHEN customer > 0 THEN NULL ELSE t END, '2000-01-01', '30 days', '90 days', '180 days') IS NULL AS null_personal
FROM stage_rows;
RESET ALL;
DROP TABLE stage_rows;

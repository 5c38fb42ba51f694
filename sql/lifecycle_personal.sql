-- engage.lifecycle_stage_personal: at_risk / lapsed / churned after 2 / 4 / 8 median gaps
-- between distinct UTC interaction days, fixed thresholds below 3 gaps.
SET client_min_messages = warning;  -- no notice when an earlier test created it
CREATE EXTENSION IF NOT EXISTS engage;
RESET client_min_messages;
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, YMD';

-- as_of = 2020-06-30 00:00 UTC, fixed thresholds 30 / 90 / 180 days; interactions as days before as_of
CREATE TEMP TABLE personal_cases (customer text, fixed engage.stage, personal engage.stage, ago interval[]);
INSERT INTO personal_cases VALUES
    -- weekly buyer (median gap 7 days: at_risk after 14, lapsed after 28, churned after 56 days)
    ('weekly, r = 14 days',               'active',  'active',
     ARRAY(SELECT interval '14 days' + k * interval '7 days' FROM generate_series(0, 9) AS k)),
    ('weekly, r = 14 days + 1us',         'active',  'at_risk',
     ARRAY(SELECT interval '14 days 00:00:00.000001' + k * interval '7 days' FROM generate_series(0, 9) AS k)),
    ('weekly, r = 28 days + 1us',         'active',  'lapsed',
     ARRAY(SELECT interval '28 days 00:00:00.000001' + k * interval '7 days' FROM generate_series(0, 9) AS k)),
    ('weekly, r = 56 days',               'at_risk', 'lapsed',
     ARRAY(SELECT interval '56 days' + k * interval '7 days' FROM generate_series(0, 9) AS k)),
    ('weekly, r = 60 days',               'at_risk', 'churned',
     ARRAY(SELECT interval '60 days' + k * interval '7 days' FROM generate_series(0, 9) AS k)),
    -- weekly for 10 weeks, silent 100 days (> 8 x 7), back 3 days ago
    ('weekly, back after 100 days',       'active',  'reactivated',
     ARRAY(SELECT interval '103 days' + k * interval '7 days' FROM generate_series(0, 9) AS k) || interval '3 days'),
    -- yearly buyer 2015-07-01 .. 2019-07-01 (gaps 366, 365, 365, 365: median 365; at_risk after 730 days)
    ('yearly, r = 365 days',              'churned', 'active',
     ARRAY(SELECT timestamptz '2020-06-30' - make_timestamptz(y, 7, 1, 0, 0, 0) FROM generate_series(2015, 2019) AS y)),
    -- gaps 16, 12, 8, 4: median 10 days, at_risk after 20 days
    ('even number of gaps, r = 20 days',  'active',  'active',  '{20 days, 24 days, 32 days, 44 days, 60 days}'),
    ('even number of gaps, r = 21 days',  'active',  'at_risk', '{21 days, 25 days, 33 days, 45 days, 61 days}'),
    -- 3 distinct days (2 gaps; same-day repeats do not count): fixed thresholds
    ('2 gaps: fixed thresholds',          'active',  'active',
     '{20 days, 19 days 12:00, 19 days 06:00, 27 days, 34 days}'),
    ('3 gaps: personal thresholds',       'active',  'at_risk',
     '{20 days, 19 days 12:00, 19 days 06:00, 27 days, 34 days, 41 days}'),
    ('new is decided by the fixed rule',  'new',     'new',     '{1 day, 2 days, 3 days, 4 days, 30 days}');

SELECT customer, fixed, personal,
       engage.lifecycle_stage(t, '2020-06-30', '30 days', '90 days', '180 days') AS fixed_got,
       engage.lifecycle_stage_personal(t, '2020-06-30', '30 days', '90 days', '180 days' ORDER BY t DESC) AS personal_got
FROM personal_cases, LATERAL (SELECT timestamptz '2020-06-30' - a AS t FROM unnest(ago) AS a) AS rows
GROUP BY customer, fixed, personal
ORDER BY customer;

-- explicit multiples: weekly buyer silent 11 days; at_risk after 1.5 median gaps (10.5 days)
SELECT engage.lifecycle_stage_personal(t, '2020-06-30', '30 days', '90 days', '180 days') AS default_multiples,
       engage.lifecycle_stage_personal(t, '2020-06-30', '30 days', '90 days', '180 days', 1.5, 3, 6) AS tighter,
       engage.lifecycle_stage_personal(t, '2020-06-30', '30 days', '90 days', '180 days', 1, 1, 1.5) AS churn_at_1_5
FROM (SELECT timestamptz '2020-06-30' - interval '11 days' - k * interval '7 days' AS t
      FROM generate_series(0, 9) AS k) AS s;
-- the boundaries scale with the multiples: r = 10.5 days is still active, 10.5 days + 1us at_risk
SELECT engage.lifecycle_stage_personal(t - interval '10 days 12:00', '2020-06-30', '30 days', '90 days', '180 days', 1.5, 3, 6) AS at_boundary,
       engage.lifecycle_stage_personal(t - interval '10 days 12:00:00.000001', '2020-06-30', '30 days', '90 days', '180 days', 1.5, 3, 6) AS after_boundary
FROM (SELECT timestamptz '2020-06-30' - k * interval '7 days' AS t FROM generate_series(0, 9) AS k) AS s;

-- bad multiples
CREATE FUNCTION pg_temp.error_of(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE q;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
SELECT q, pg_temp.error_of(q) FROM (VALUES
    ($q$SELECT engage.lifecycle_stage_personal(now(), now(), '30 days', '90 days', '180 days', 2, 1, 8)$q$),
    ($q$SELECT engage.lifecycle_stage_personal(now(), now(), '30 days', '90 days', '180 days', 0, 1, 8)$q$),
    ($q$SELECT engage.lifecycle_stage_personal(now(), now(), '30 days', '90 days', '180 days', 'NaN', 4, 8)$q$),
    ($q$SELECT engage.lifecycle_stage_personal(now(), now(), '30 days', '90 days', '180 days', 2, 4, NULL)$q$),
    ($q$SELECT engage.lifecycle_stage_personal(now(), now(), '30 days', '90 days', '180 days', 2, 4, m)
        FROM (VALUES (8.0), (9.0)) AS v(m)$q$)
) AS cases(q);

-- explicit multiples in a parallel plan give the serial answer
CREATE TABLE personal_rows AS
    SELECT i % 2000 AS customer,
           timestamptz '2020-06-30' - ((i * 7919) % 3000 / (1 + i % 2000 % 13)) * interval '1 day' AS t
    FROM generate_series(1, 100000) AS i;
ANALYZE personal_rows;
CREATE TEMP TABLE personal_serial AS
    SELECT customer, engage.lifecycle_stage_personal(t, '2020-06-30', '30 days', '90 days', '180 days', 1.5, 3, 6) AS stage
    FROM personal_rows GROUP BY customer;
SELECT stage, count(*) FROM personal_serial GROUP BY stage ORDER BY stage;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET enable_hashagg = off;
EXPLAIN (COSTS OFF)
    SELECT customer, engage.lifecycle_stage_personal(t, '2020-06-30', '30 days', '90 days', '180 days', 1.5, 3, 6)
    FROM personal_rows GROUP BY customer;
SELECT count(*) AS customers, count(*) FILTER (WHERE p.stage IS DISTINCT FROM s.stage) AS differ
FROM personal_serial AS s FULL JOIN (
    SELECT customer, engage.lifecycle_stage_personal(t, '2020-06-30', '30 days', '90 days', '180 days', 1.5, 3, 6) AS stage
    FROM personal_rows GROUP BY customer) AS p USING (customer);
RESET ALL;
DROP TABLE personal_rows;

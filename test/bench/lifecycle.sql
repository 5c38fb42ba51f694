-- Benchmark of the lifecycle, activity, funnel and retention aggregates against a baseline of
-- count(*) + max(occurred_at) grouped by customer (3,000,000 rows, 100,000 customers, serial
-- plans). Prints the best of 3 runs of each and its ratio to the baseline.
-- Run: psql -X -f test/bench/lifecycle.sql   (in a scratch database with engage installed)
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS engage;
SET TimeZone = 'UTC';
SET max_parallel_workers_per_gather = 0;
SET work_mem = '256MB';
SELECT setseed(0.1);
DROP TABLE IF EXISTS bench_events;
CREATE TABLE bench_events AS
    SELECT (random() * 100000)::int AS customer,
           timestamptz '2020-01-01' + random() * interval '900 days' AS occurred_at
    FROM generate_series(1, 3000000);
VACUUM ANALYZE bench_events;

CREATE FUNCTION pg_temp.best_ms(agg text) RETURNS double precision LANGUAGE plpgsql AS $$
DECLARE
    best double precision := 'infinity';
    started timestamptz;
BEGIN
    FOR i IN 1..3 LOOP
        started := clock_timestamp();
        EXECUTE format('SELECT count(*) FROM (SELECT customer, %s FROM bench_events GROUP BY customer) AS s', agg);
        best := least(best, extract(epoch FROM clock_timestamp() - started) * 1000);
    END LOOP;
    RETURN best;
END $$;

WITH runs AS (
    SELECT name, pg_temp.best_ms(agg) AS ms, ord
    FROM (VALUES
        (1, 'count(*) + max(occurred_at)', 'count(*), max(occurred_at)'),
        (2, 'lifecycle_stage', $$engage.lifecycle_stage(occurred_at, '2022-06-30', '30 days', '90 days', '180 days')$$),
        (3, 'lifecycle_stage_personal', $$engage.lifecycle_stage_personal(occurred_at, '2022-06-30', '30 days', '90 days', '180 days')$$),
        (4, 'activity_periods (weekly)', $$engage.activity_periods(occurred_at, '2020-01-01', '7 days')$$),
        (5, 'window_funnel (3 steps)', $$engage.window_funnel('1 day', occurred_at, customer % 2 = 0, customer % 3 = 0, true)$$),
        (6, 'retention (2 conditions)', $$engage.retention(occurred_at < '2021-01-01', occurred_at >= '2021-01-01')$$)
    ) AS q(ord, name, agg))
SELECT name, round(ms::numeric) AS best_ms,
       round((ms / first_value(ms) OVER (ORDER BY ord))::numeric, 2) AS ratio_to_baseline
FROM runs ORDER BY ord;
DROP TABLE bench_events;

-- Benchmark: engage.rfm and engage.engagement_score against count(*), max(occurred_at), all
-- grouped by customer on generated interactions. Prints the best of 3 wall-clock times and
-- the ratios. Run from the project root in a database with engage installed:
--   psql -v customers=1000000 -f test/bench/customer_summary.sql
-- (customers defaults to 100000; 1000000 gives about 10M rows, 600 MB).
\set QUIET on
\if :{?customers}
\else
\set customers 100000
\endif
SET client_min_messages = warning;
\i test/data/generate.sql
SET TimeZone = 'UTC';
SET max_parallel_workers_per_gather = 0;
SET jit = off;
SET work_mem = '1GB';
DROP TABLE IF EXISTS bench_interactions;
CREATE TABLE bench_interactions AS SELECT * FROM engage_gen.interactions(:customers, 42);
VACUUM ANALYZE bench_interactions;

CREATE FUNCTION pg_temp.best_of_3(query text) RETURNS double precision LANGUAGE plpgsql AS $$
DECLARE
    best double precision := 'Infinity';
    started timestamptz;
BEGIN
    FOR i IN 1..3 LOOP
        started := clock_timestamp();
        EXECUTE query;
        best := least(best, extract(epoch FROM clock_timestamp() - started));
    END LOOP;
    RETURN best;
END $$;

WITH timings AS (
    SELECT pg_temp.best_of_3('SELECT sum(n), max(m) FROM (SELECT customer_id, count(*) AS n, max(occurred_at) AS m
                              FROM bench_interactions GROUP BY customer_id) AS s') AS baseline,
           pg_temp.best_of_3($q$SELECT sum((r).frequency) FROM (SELECT customer_id,
                              engage.rfm(occurred_at, coalesce(amount, 0), '2025-01-01', '7 days') AS r
                              FROM bench_interactions GROUP BY customer_id) AS s$q$) AS rfm,
           pg_temp.best_of_3($q$SELECT sum(e) FROM (SELECT customer_id,
                              engage.engagement_score(occurred_at, 1, '2025-01-01', '30 days') AS e
                              FROM bench_interactions GROUP BY customer_id) AS s$q$) AS engagement
)
SELECT (SELECT count(*) FROM bench_interactions) AS rows, :customers AS customers,
       round(baseline::numeric, 3) AS count_max_s, round(rfm::numeric, 3) AS rfm_s,
       round(engagement::numeric, 3) AS engagement_score_s,
       round((rfm / baseline)::numeric, 2) AS rfm_ratio, round((engagement / baseline)::numeric, 2) AS engagement_ratio
FROM timings;
DROP TABLE bench_interactions;
DROP SCHEMA engage_gen CASCADE;

-- The benchmark's targets, each timed against its baseline in the same run (medians of
-- :runs runs, after a warm-up run). Needs data.sql and bench.sql; run by run.sh.
\if :{?runs}
\else
\set runs 5
\endif
SET client_min_messages = warning;
SET TimeZone = 'UTC';
SET work_mem = '1GB';
SET max_parallel_workers_per_gather = 0;
\pset footer off

\echo
\echo == 1-3. Aggregates grouped by customer over bench.interactions, serial, work_mem 1GB
SELECT bench.compare('grouped, serial', name, bench.grouped(ord), 'count(*), max(occurred_at)', bench.grouped(0), max_ratio, :runs)
FROM bench.aggregates ORDER BY ord \g /dev/null

-- The same summary as engage.rfm(occurred_at, amount, '2024-12-31', '7 days') in plain SQL:
-- purchase days (UTC) with their summed amounts, then per customer the count, first and last
-- day, and the amount of all days but the first (the first day's amount found by its rank).
CREATE VIEW bench.rfm_sql AS
SELECT customer_id,
       (count(*) - 1)::integer AS frequency,
       (max(day) - min(day)) / 7.0::float8 AS recency,
       (date '2024-12-31' - min(day)) / 7.0::float8 AS age,
       CASE WHEN count(*) > 1 THEN (sum(amount) - sum(amount) FILTER (WHERE rank = 1)) / (count(*) - 1) ELSE 0 END AS monetary
FROM (SELECT customer_id, day, amount, row_number() OVER (PARTITION BY customer_id ORDER BY day) AS rank
      FROM (SELECT customer_id, (occurred_at AT TIME ZONE 'UTC')::date AS day, sum(amount) AS amount
            FROM bench.interactions
            WHERE amount IS NOT NULL AND occurred_at < timestamptz '2025-01-01 00:00+00'
            GROUP BY 1, 2) AS days) AS ranked
GROUP BY customer_id;

SELECT bench.compare('grouped, serial', 'rfm', bench.grouped(2), 'rfm as plain SQL', 'SELECT * FROM bench.rfm_sql', 1 / 3.0, :runs,
                     'target: 3x faster than plain SQL') \g /dev/null
\echo engage.rfm against the plain-SQL summary: rows that differ (doubles rounded to 9 digits), customers
WITH e AS (
    SELECT customer_id, (r).frequency, round((r).recency::numeric, 9) AS recency, round((r).age::numeric, 9) AS age,
           round((r).monetary::numeric, 9) AS monetary
    FROM (SELECT customer_id, engage.rfm(occurred_at, amount, '2024-12-31', '7 days') FILTER (WHERE amount IS NOT NULL) AS r
          FROM bench.interactions GROUP BY customer_id) AS s),
p AS (
    SELECT customer_id, frequency, round(recency::numeric, 9), round(age::numeric, 9), round(monetary::numeric, 9)
    FROM bench.rfm_sql)
SELECT (SELECT count(*) FROM (TABLE e EXCEPT TABLE p) AS d) AS only_engage,
       (SELECT count(*) FROM (TABLE p EXCEPT TABLE e) AS d) AS only_sql,
       (SELECT count(*) FROM e) AS customers;

\echo
\echo == 4. Models on bench.summary (engage.rfm of the orders, weeks)
SELECT count(*) AS customers, count(*) FILTER (WHERE frequency > 0) AS repeat_buyers,
       count(DISTINCT (frequency, recency, age)) AS distinct_summaries FROM bench.summary;
CREATE TABLE bench.fits (model text PRIMARY KEY, seconds float8, result text);
CREATE FUNCTION pg_temp.fit(model text, query text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    started timestamptz := clock_timestamp();
    result text;
BEGIN
    EXECUTE query INTO result;
    INSERT INTO bench.fits VALUES (model, extract(epoch FROM clock_timestamp() - started), result);
END $$;
\echo (the fits report their BFGS iterations and likelihood evaluations at DEBUG1)
SET client_min_messages = debug1;
SELECT pg_temp.fit('bgnbd_fit', 'SELECT engage.bgnbd_fit(frequency, recency, age)::text FROM bench.summary') \g /dev/null
SELECT pg_temp.fit('paretonbd_fit', 'SELECT engage.paretonbd_fit(frequency, recency, age)::text FROM bench.summary') \g /dev/null
SELECT pg_temp.fit('mbgnbd_fit', 'SELECT engage.mbgnbd_fit(frequency, recency, age)::text FROM bench.summary') \g /dev/null
SELECT pg_temp.fit('gammagamma_fit', 'SELECT engage.gammagamma_fit(frequency, monetary)::text FROM bench.summary WHERE frequency > 0') \g /dev/null
-- static covariates, deterministic in the customer id: two purchase and two dropout 0/1 dummies
-- (16 groups), and two and two continuous covariates in [0, 1) (every customer distinct)
SELECT pg_temp.fit('paretonbd_fit, 2 + 2 dummy covariates', $$SELECT engage.paretonbd_fit(frequency, recency, age,
    ARRAY[(customer_id % 2)::float8, (customer_id / 2 % 2)::float8],
    ARRAY[(customer_id / 4 % 2)::float8, (customer_id / 8 % 2)::float8])::text FROM bench.summary$$) \g /dev/null
SELECT pg_temp.fit('paretonbd_fit, 2 + 2 continuous covariates', $$SELECT engage.paretonbd_fit(frequency, recency, age,
    ARRAY[(customer_id * 7919 % 1000) / 1000.0::float8, (customer_id * 104729 % 997) / 997.0::float8],
    ARRAY[(customer_id * 1299709 % 991) / 991.0::float8, (customer_id * 15485863 % 983) / 983.0::float8])::text
    FROM bench.summary$$) \g /dev/null
SELECT pg_temp.fit('bgnbd_fit, 2 + 2 dummy covariates', $$SELECT engage.bgnbd_fit(frequency, recency, age,
    ARRAY[(customer_id % 2)::float8, (customer_id / 2 % 2)::float8],
    ARRAY[(customer_id / 4 % 2)::float8, (customer_id / 8 % 2)::float8])::text FROM bench.summary$$) \g /dev/null
SET client_min_messages = warning;
SELECT pg_temp.fit('fitdata (the sample alone)', 'SELECT engage.fitdata(frequency, recency, age)::text FROM bench.summary') \g /dev/null
SELECT model, round(seconds::numeric, 2) AS seconds, left(result, 110) AS result FROM bench.fits;
CREATE TABLE bench.models AS
SELECT (SELECT result FROM bench.fits WHERE model = 'bgnbd_fit')::engage.bgnbd AS bg,
       (SELECT result FROM bench.fits WHERE model = 'paretonbd_fit')::engage.paretonbd AS pn,
       (SELECT result FROM bench.fits WHERE model = 'gammagamma_fit')::engage.gammagamma AS gg;

CREATE TABLE bench.scoring (ord serial, name text, query text, target float8);
INSERT INTO bench.scoring (name, query, target) VALUES
    ('p_alive (BG/NBD)', 'SELECT sum(engage.p_alive((SELECT bg FROM bench.models), frequency, recency, age)) FROM bench.summary', 2),
    ('expected_purchases 52 weeks (BG/NBD)', 'SELECT sum(engage.expected_purchases((SELECT bg FROM bench.models), 52, frequency, recency, age)) FROM bench.summary', 2),
    ('clv 12 months (BG/NBD + Gamma-Gamma)', 'SELECT sum(engage.clv((SELECT bg FROM bench.models), (SELECT gg FROM bench.models), frequency, recency, age, monetary, 52, 0.01, 4.345)) FROM bench.summary', 2),
    ('p_alive (Pareto/NBD)', 'SELECT sum(engage.p_alive((SELECT pn FROM bench.models), frequency, recency, age)) FROM bench.summary', NULL),
    ('expected_purchases 52 weeks (Pareto/NBD)', 'SELECT sum(engage.expected_purchases((SELECT pn FROM bench.models), 52, frequency, recency, age)) FROM bench.summary', NULL);
SELECT bench.compare('scoring', name, query, 'sum(sqrt(frequency))', 'SELECT sum(sqrt(frequency)) FROM bench.summary', target, :runs)
FROM bench.scoring ORDER BY ord \g /dev/null

\echo
\echo == 5. Parallel query: 2 workers against the serial plan, same answers (checksums)
\echo (parallel_leader_participation on, as by default; a realistic query reads the per-customer
\echo  results: 5c sums them, as a dashboard counts customers per stage)
\echo 5a. The grouped query alone, on bench.interactions: each worker builds a partial state for
\echo     nearly every customer, the leader combines ~2M partial states in a 1M-group hash table
SET max_parallel_workers_per_gather = 2;
CREATE TABLE bench.checksums AS
SELECT ord, name, bench.checksum(ord) AS parallel,
       (SELECT jsonb_path_query_first(bench.explain(bench.grouped(ord)), 'strict $.**."Workers Launched"'))::int AS workers
FROM bench.aggregates ORDER BY ord;
SET max_parallel_workers_per_gather = 0;
ALTER TABLE bench.checksums ADD serial bigint;
UPDATE bench.checksums SET serial = bench.checksum(ord);
SELECT bench.speedup('parallel', 'count(*), max(occurred_at), 2 workers', bench.grouped(0),
                     '{max_parallel_workers_per_gather=2}', 'serial', NULL, :runs) \g /dev/null
SELECT bench.speedup('parallel', name || ', 2 workers', bench.grouped(ord), '{max_parallel_workers_per_gather=2}', 'serial', 1.6, :runs,
                     format('%s workers launched, answers %s', coalesce(workers, 0), CASE WHEN serial = parallel THEN 'identical' ELSE 'DIFFER' END))
FROM bench.checksums ORDER BY ord \g /dev/null

\echo 5b. The grouped query alone, on bench.interactions_part (8 hash partitions by customer),
\echo     partitionwise: no combine step, but all 1M result rows cross the Gather to the leader
SET enable_partitionwise_aggregate = on;
SELECT bench.speedup('parallel, partitioned', 'count(*), max(occurred_at), 2 workers', bench.grouped(0, 'bench.interactions_part'),
                     '{max_parallel_workers_per_gather=2}', 'serial', NULL, :runs) \g /dev/null
SELECT bench.speedup('parallel, partitioned', name || ', 2 workers', bench.grouped(ord, 'bench.interactions_part'),
                     '{max_parallel_workers_per_gather=2}', 'serial', 1.6, :runs)
FROM bench.aggregates ORDER BY ord \g /dev/null

\echo 5c. The 1M per-customer results consumed by an outer aggregate (checksum), on
\echo     bench.interactions_part, partitionwise: per-partition aggregates and a partial outer
\echo     aggregate run below the Gather, one row per worker crosses it (target 5)
SET max_parallel_workers_per_gather = 2;
CREATE TABLE bench.checksums_part AS
SELECT ord, name, bench.checksum(ord, 'bench.interactions_part') AS parallel,
       (SELECT jsonb_path_query_first(bench.explain(bench.consumed(ord, 'bench.interactions_part')), 'strict $.**."Workers Launched"'))::int AS workers
FROM bench.aggregates ORDER BY ord;
SET max_parallel_workers_per_gather = 0;
ALTER TABLE bench.checksums_part ADD serial bigint;
UPDATE bench.checksums_part SET serial = bench.checksum(ord, 'bench.interactions_part');
SELECT bench.speedup('parallel, partitioned, consumed', 'count(*), max(occurred_at), 2 workers', bench.consumed(0, 'bench.interactions_part'),
                     '{max_parallel_workers_per_gather=2}', 'serial', NULL, :runs) \g /dev/null
SELECT bench.speedup('parallel, partitioned, consumed', p.name || ', 2 workers', bench.consumed(p.ord, 'bench.interactions_part'),
                     '{max_parallel_workers_per_gather=2}', 'serial', 1.6, :runs,
                     format('%s workers launched, answers %s', coalesce(p.workers, 0),
                            CASE WHEN p.serial = p.parallel AND p.serial = c.serial THEN 'identical (and = plain table)' ELSE 'DIFFER' END))
FROM bench.checksums_part AS p JOIN bench.checksums AS c USING (ord) ORDER BY ord \g /dev/null
RESET enable_partitionwise_aggregate;

\echo 5d. Model fits (ungrouped: one partial sample per worker, merged by the combine function,
\echo     then one fit in the leader)
CREATE TABLE bench.parallel_fits (ord integer PRIMARY KEY, name text, query text, serial text, parallel text, workers integer);
INSERT INTO bench.parallel_fits (ord, name, query) VALUES
    (1, 'fitdata of bench.summary', 'SELECT engage.fitdata(frequency, recency, age) FROM bench.summary'),
    (2, 'bgnbd_fit of bench.summary', 'SELECT engage.bgnbd_fit(frequency, recency, age) FROM bench.summary'),
    (3, 'bgnbd_fit of engage.rfm per customer of bench.interactions_part',
        $$SELECT engage.bgnbd_fit(r) FROM (SELECT engage.rfm(occurred_at, amount, '2024-12-31', '7 days') FILTER (WHERE amount IS NOT NULL) AS r FROM bench.interactions_part GROUP BY customer_id) AS s$$);
CREATE FUNCTION pg_temp.answer(query text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    result text;
BEGIN
    EXECUTE format('SELECT md5(a::text) FROM (%s) AS q(a)', query) INTO result;
    RETURN result;
END $$;
SET enable_partitionwise_aggregate = on;
UPDATE bench.parallel_fits SET serial = pg_temp.answer(query);
SET max_parallel_workers_per_gather = 2;
UPDATE bench.parallel_fits
SET parallel = pg_temp.answer(query),
    workers = (SELECT jsonb_path_query_first(bench.explain(query), 'strict $.**."Workers Launched"'))::int;
SET max_parallel_workers_per_gather = 0;
SELECT bench.speedup('parallel, fits', name || ', 2 workers', query, '{max_parallel_workers_per_gather=2}', 'serial', 1.6, :runs,
                     format('%s workers launched, answers %s', coalesce(workers, 0),
                            CASE WHEN serial = parallel THEN 'identical' ELSE 'DIFFER' END))
FROM bench.parallel_fits ORDER BY ord \g /dev/null
RESET enable_partitionwise_aggregate;

\echo
\echo == 6. Bytes per group (bench.interactions, work_mem 4GB, hash aggregate in memory, serial)
SET work_mem = '4GB';
SET enable_sort = off;
INSERT INTO bench.memory (ord, name, bytes_per_group)
SELECT 0, 'count(*), max(occurred_at)', bench.bytes_per_group(0, 'bench.interactions')
UNION ALL
SELECT ord, name, bench.bytes_per_group(ord, 'bench.interactions') FROM bench.aggregates;
SELECT ord, name, round(bytes_per_group) AS bytes_per_group FROM bench.memory ORDER BY ord;
RESET enable_sort;

\echo
\echo == Results: value = ms / baseline ms (ratio) or baseline ms / ms (speed-up)
SELECT section, name, round(ms::numeric) AS ms, baseline, round(baseline_ms::numeric) AS baseline_ms, kind,
       round(value::numeric, 2) AS value,
       CASE WHEN target IS NULL THEN '' WHEN kind = 'ratio' THEN '<= ' ELSE '>= ' END || coalesce(round(target::numeric, 2)::text, '') AS target,
       CASE WHEN met THEN 'met' WHEN NOT met THEN 'MISSED' ELSE '' END AS met, coalesce(note, '') AS note
FROM bench.results ORDER BY id;

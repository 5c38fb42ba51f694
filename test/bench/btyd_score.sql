-- Benchmark: fitting BG/NBD, MBG/NBD and Pareto/NBD on 1M simulated customers, and scoring
-- 1M summaries with p_alive / expected_purchases, as ratios to a plain scan of the table.
-- Ages are whole days (in weeks) over one year and recency is continuous, as in order data.
-- The model is a scalar subquery (computed once); serial plans; each query run twice, the
-- faster run kept.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS engage;
SET max_parallel_workers_per_gather = 0;
DROP TABLE IF EXISTS bench_btyd;
CREATE TABLE bench_btyd AS
SELECT frequency::float8 AS frequency, recency, age
FROM generate_series(0, 364, 7) AS d,
     LATERAL engage.bgnbd_simulate(engage.bgnbd(0.243, 4.414, 0.793, 2.426),
                                   19231, d / 7.0 + 1, d) AS s;
VACUUM ANALYZE bench_btyd;
CREATE TEMP TABLE bench_models AS
SELECT engage.bgnbd(0.243, 4.414, 0.793, 2.426) AS bg,
       engage.mbgnbd(0.525, 6.183, 0.891, 1.614) AS mbg,
       engage.paretonbd(0.553, 10.578, 0.606, 11.669) AS pn;

CREATE FUNCTION pg_temp.best_ms(q text) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE t0 timestamptz; best float8 := 'Infinity';
BEGIN
    FOR i IN 1 .. 2 LOOP
        t0 := clock_timestamp();
        EXECUTE q;
        best := least(best, extract(epoch FROM clock_timestamp() - t0) * 1000);
    END LOOP;
    RETURN best;
END $$;
SELECT count(*) AS customers, count(DISTINCT (frequency, recency, age)) AS distinct_summaries FROM bench_btyd;
SELECT pg_temp.best_ms('SELECT sum(frequency + recency + age) FROM bench_btyd') IS NOT NULL AS warm;
WITH runs AS (
    SELECT name, pg_temp.best_ms(q) AS ms FROM (VALUES
        (1, 'plain scan', 'SELECT sum(frequency + recency + age) FROM bench_btyd'),
        (2, 'bgnbd p_alive', 'SELECT sum(engage.p_alive((SELECT bg FROM bench_models), frequency, recency, age)) FROM bench_btyd'),
        (3, 'bgnbd expected_purchases(39)', 'SELECT sum(engage.expected_purchases((SELECT bg FROM bench_models), 39, frequency, recency, age)) FROM bench_btyd'),
        (4, 'mbgnbd expected_purchases(39)', 'SELECT sum(engage.expected_purchases((SELECT mbg FROM bench_models), 39, frequency, recency, age)) FROM bench_btyd'),
        (5, 'paretonbd p_alive', 'SELECT sum(engage.p_alive((SELECT pn FROM bench_models), frequency, recency, age)) FROM bench_btyd'),
        (6, 'paretonbd expected_purchases(39)', 'SELECT sum(engage.expected_purchases((SELECT pn FROM bench_models), 39, frequency, recency, age)) FROM bench_btyd'),
        (7, 'bgnbd_fit', 'SELECT engage.bgnbd_fit(frequency, recency, age) FROM bench_btyd'),
        (8, 'paretonbd_fit', 'SELECT engage.paretonbd_fit(frequency, recency, age) FROM bench_btyd'),
        (9, 'fitdata (the fit state alone)', 'SELECT engage.fitdata(frequency, recency, age) FROM bench_btyd')
    ) v(ord, name, q) ORDER BY ord)
SELECT name, round(ms::numeric) AS ms, round((ms / first_value(ms) OVER (ORDER BY ms))::numeric, 2) AS ratio_to_scan
FROM runs ORDER BY ms;
DROP TABLE bench_btyd;

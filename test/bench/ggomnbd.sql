-- Benchmark: GGompertz/NBD against Pareto/NBD.  The fit on CDNOW (2,357 customers; the
-- GGompertz/NBD fit runs off to the Pareto/NBD boundary) and on 2,000 customers simulated
-- from a model with a real Gompertz shape; log_likelihood, p_alive and a 39-week
-- expected_purchases over 4,000 simulated summaries.  Serial plans; each query run three
-- times, the fastest kept; the ratio is GGompertz/NBD's time over Pareto/NBD's.
-- Run from the repository root: psql -f test/bench/ggomnbd.sql
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS engage;
SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE bench_cdnow (id integer, frequency float8, recency float8, age float8);
\copy bench_cdnow FROM 'test/data/cdnow/cdnow_customers_summary.csv' WITH (FORMAT csv, HEADER)
CREATE TEMP TABLE bench_sim AS
    SELECT * FROM engage.ggomnbd_simulate(engage.ggomnbd(0.8, 6, 0.05, 1.2, 3), 2000, 104, 42);
CREATE TEMP TABLE bench_4000 AS
    SELECT * FROM engage.ggomnbd_simulate(engage.ggomnbd(0.55, 10.6, 0.1, 0.6, 2), 4000, 39, 7);

CREATE FUNCTION pg_temp.best_ms(q text) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE t0 timestamptz; best float8 := 'Infinity';
BEGIN
    FOR i IN 1 .. 3 LOOP
        t0 := clock_timestamp();
        EXECUTE q;
        best := least(best, extract(epoch FROM clock_timestamp() - t0) * 1000);
    END LOOP;
    RETURN best;
END $$;

SELECT what, round(gg::numeric, 1) AS ggomnbd_ms, round(pn::numeric, 1) AS paretonbd_ms,
       round((gg / pn)::numeric, 1) AS ratio
FROM (VALUES
    ('fit, CDNOW',
     pg_temp.best_ms('SELECT engage.ggomnbd_fit(frequency, recency, age) FROM bench_cdnow'),
     pg_temp.best_ms('SELECT engage.paretonbd_fit(frequency, recency, age) FROM bench_cdnow')),
    ('fit, 2,000 simulated',
     pg_temp.best_ms('SELECT engage.ggomnbd_fit(frequency, recency, age) FROM bench_sim'),
     pg_temp.best_ms('SELECT engage.paretonbd_fit(frequency, recency, age) FROM bench_sim')),
    ('log_likelihood, 4,000',
     pg_temp.best_ms('SELECT sum(engage.log_likelihood(engage.ggomnbd(0.55, 10.6, 0.1, 0.6, 2), frequency, recency, age)) FROM bench_4000'),
     pg_temp.best_ms('SELECT sum(engage.log_likelihood(engage.paretonbd(0.553, 10.578, 0.606, 11.669), frequency, recency, age)) FROM bench_4000')),
    ('p_alive, 4,000',
     pg_temp.best_ms('SELECT sum(engage.p_alive(engage.ggomnbd(0.55, 10.6, 0.1, 0.6, 2), frequency, recency, age)) FROM bench_4000'),
     pg_temp.best_ms('SELECT sum(engage.p_alive(engage.paretonbd(0.553, 10.578, 0.606, 11.669), frequency, recency, age)) FROM bench_4000')),
    ('expected_purchases(39), 4,000',
     pg_temp.best_ms('SELECT sum(engage.expected_purchases(engage.ggomnbd(0.55, 10.6, 0.1, 0.6, 2), 39, frequency, recency, age)) FROM bench_4000'),
     pg_temp.best_ms('SELECT sum(engage.expected_purchases(engage.paretonbd(0.553, 10.578, 0.606, 11.669), 39, frequency, recency, age)) FROM bench_4000'))
) AS b(what, gg, pn);

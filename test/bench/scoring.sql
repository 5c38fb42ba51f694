-- Scoring queries of test/bench/scoring.sh over bench.summary (scoring_data.sql), each timed
-- against the baseline sum(sqrt(frequency)) over the same rows: runs alternate runs of each
-- after one unmeasured run, through EXPLAIN (ANALYZE, TIMING OFF), medians of the elapsed
-- time and of the backend's own CPU time (/proc/self/schedstat, less affected by other work
-- on the machine). psql -v runs=N -v first=1|0: with first = 1 the results are kept, else
-- compared with those kept (the largest relative difference of each query's 1M results).
SET client_min_messages = warning;
SET max_parallel_workers_per_gather = 0;

-- CPU time of this backend so far, in milliseconds.
CREATE FUNCTION pg_temp.cpu_ms() RETURNS float8 LANGUAGE sql AS $$
    SELECT split_part(pg_read_file('/proc/self/schedstat'), ' ', 1)::float8 / 1e6
$$;

-- One run of query: elapsed and CPU milliseconds.
CREATE FUNCTION pg_temp.run(query text, OUT wall float8, OUT cpu float8) LANGUAGE plpgsql AS $$
DECLARE
    t0 timestamptz := clock_timestamp();
    c0 float8 := pg_temp.cpu_ms();
BEGIN
    EXECUTE 'EXPLAIN (ANALYZE, TIMING OFF) ' || query;
    cpu := pg_temp.cpu_ms() - c0;
    wall := extract(epoch FROM clock_timestamp() - t0) * 1000;
END $$;

-- Medians of runs alternate runs of a and b (after one unmeasured run of each).
CREATE FUNCTION pg_temp.pair(a text, b text, runs integer, OUT wall_a float8, OUT wall_b float8,
                             OUT cpu_a float8, OUT cpu_b float8) LANGUAGE plpgsql AS $$
DECLARE
    ra record;
    rb record;
    w_a float8[] := '{}';
    w_b float8[] := '{}';
    c_a float8[] := '{}';
    c_b float8[] := '{}';
BEGIN
    FOR i IN 0 .. runs LOOP
        ra := pg_temp.run(a);
        rb := pg_temp.run(b);
        IF i > 0 THEN
            w_a := w_a || ra.wall; c_a := c_a || ra.cpu;
            w_b := w_b || rb.wall; c_b := c_b || rb.cpu;
        END IF;
    END LOOP;
    SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY v) INTO wall_a FROM unnest(w_a) AS v;
    SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY v) INTO wall_b FROM unnest(w_b) AS v;
    SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY v) INTO cpu_a FROM unnest(c_a) AS v;
    SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY v) INTO cpu_b FROM unnest(c_b) AS v;
END $$;

CREATE TEMP TABLE scoring (ord integer, name text, expr text);
INSERT INTO scoring VALUES
    (1, 'p_alive (BG/NBD)', 'engage.p_alive((SELECT bg FROM bench.models), frequency, recency, age)'),
    (2, 'expected_purchases 52 weeks (BG/NBD)', 'engage.expected_purchases((SELECT bg FROM bench.models), 52, frequency, recency, age)'),
    (3, 'clv 12 months (BG/NBD + Gamma-Gamma)', 'engage.clv((SELECT bg FROM bench.models), (SELECT gg FROM bench.models), frequency, recency, age, monetary, 52, 0.01, 4.345)'),
    (4, 'p_alive (Pareto/NBD)', 'engage.p_alive((SELECT pn FROM bench.models), frequency, recency, age)'),
    (5, 'expected_purchases 52 weeks (Pareto/NBD)', 'engage.expected_purchases((SELECT pn FROM bench.models), 52, frequency, recency, age)');

\pset footer off
SELECT s.name AS query, round(m.wall_a::numeric) AS ms, round(m.wall_b::numeric) AS baseline_ms,
       round((m.wall_a / m.wall_b)::numeric, 2) AS ratio,
       round(m.cpu_a::numeric) AS cpu_ms, round(m.cpu_b::numeric) AS baseline_cpu_ms,
       round((m.cpu_a / m.cpu_b)::numeric, 2) AS cpu_ratio
FROM scoring AS s,
     LATERAL pg_temp.pair(format('SELECT sum(%s) FROM bench.summary', s.expr),
                          'SELECT sum(sqrt(frequency)) FROM bench.summary', :runs) AS m
ORDER BY s.ord;

-- Every result of every query, kept from the first library or compared with those kept.
SELECT format('CREATE TEMP TABLE results AS SELECT customer_id, %s FROM bench.summary',
              string_agg(format('%s AS q%s', expr, ord), ', ' ORDER BY ord)) FROM scoring \gexec
\if :first
CREATE TABLE bench.first_results AS TABLE results;
\else
SELECT s.name AS query, d.max_rel_diff, d.differ
FROM (SELECT max(abs(r.q1 - f.q1) / nullif(abs(f.q1), 0)) AS m1, count(*) FILTER (WHERE r.q1 <> f.q1) AS c1,
             max(abs(r.q2 - f.q2) / nullif(abs(f.q2), 0)) AS m2, count(*) FILTER (WHERE r.q2 <> f.q2) AS c2,
             max(abs(r.q3 - f.q3) / nullif(abs(f.q3), 0)) AS m3, count(*) FILTER (WHERE r.q3 <> f.q3) AS c3,
             max(abs(r.q4 - f.q4) / nullif(abs(f.q4), 0)) AS m4, count(*) FILTER (WHERE r.q4 <> f.q4) AS c4,
             max(abs(r.q5 - f.q5) / nullif(abs(f.q5), 0)) AS m5, count(*) FILTER (WHERE r.q5 <> f.q5) AS c5
      FROM results AS r JOIN bench.first_results AS f USING (customer_id)) AS a,
     LATERAL (VALUES (1, m1, c1), (2, m2, c2), (3, m3, c3), (4, m4, c4), (5, m5, c5)) AS d(ord, max_rel_diff, differ),
     scoring AS s
WHERE s.ord = d.ord
ORDER BY s.ord;
\endif

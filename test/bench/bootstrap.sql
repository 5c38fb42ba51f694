-- The bootstrap of the BG/NBD fit on the 1M-customer summary bench.summary (data.sql): the
-- whole-sample fit alone, then engage.bgnbd_bootstrap with :replicates refits (default 100),
-- each timed by the elapsed time and the backend's own CPU time (/proc/self/schedstat, which
-- other jobs on the machine do not inflate). The bootstrap's time includes one whole-sample
-- fit (its warm start); the refits' time is the difference.
\if :{?replicates}
\else
\set replicates 100
\endif
CREATE TEMP TABLE bs_sample AS SELECT engage.fitdata(frequency, recency, age) AS f FROM bench.summary;
CREATE TEMP TABLE bs_times (step text, elapsed float8, cpu float8, result text);
CREATE FUNCTION pg_temp.cpu_seconds() RETURNS float8 LANGUAGE sql AS
$$ SELECT split_part(pg_read_file('/proc/self/schedstat'), ' ', 1)::float8 / 1e9 $$;
CREATE FUNCTION pg_temp.timed(step text, query text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    started timestamptz := clock_timestamp();
    cpu float8 := pg_temp.cpu_seconds();
    result text;
BEGIN
    EXECUTE query INTO result;
    INSERT INTO bs_times VALUES (step, extract(epoch FROM clock_timestamp() - started),
                                 pg_temp.cpu_seconds() - cpu, result);
END $$;

SELECT pg_temp.timed('whole-sample fit', 'SELECT engage.bgnbd_fit(f)::text FROM bs_sample') \g /dev/null
SELECT pg_temp.timed(format('bgnbd_bootstrap, %s replicates', :replicates), format($q$
    SELECT format('%%s of %%s converged; sd r %%s alpha %%s a %%s b %%s', count(*) FILTER (WHERE converged), count(*),
                  round(stddev(r)::numeric, 6), round(stddev(alpha)::numeric, 4), round(stddev(a)::numeric, 4),
                  round(stddev(b)::numeric, 4))
    FROM bs_sample, engage.bgnbd_bootstrap(f, %s, 1)$q$, :replicates)) \g /dev/null

\echo == BG/NBD bootstrap on bench.summary
SELECT (SELECT count(*) FROM bench.summary) AS customers,
       (SELECT substring(f::text FROM 'tuples=([0-9]+)') FROM bs_sample) AS distinct_summaries;
SELECT step, round(elapsed::numeric, 2) AS elapsed_s, round(cpu::numeric, 2) AS cpu_s, left(result, 100) AS result FROM bs_times
UNION ALL
SELECT 'the refits alone (bootstrap less one fit)', round((b.elapsed - f.elapsed)::numeric, 2),
       round((b.cpu - f.cpu)::numeric, 2), format('%s s CPU per refit', round(((b.cpu - f.cpu) / :replicates)::numeric, 3))
FROM bs_times f, bs_times b WHERE f.step = 'whole-sample fit' AND b.step <> f.step;

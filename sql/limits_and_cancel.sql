-- Limits that keep every parser and loop of engage bounded: inputs whose work used to grow
-- without bound now give the right answer quickly or a clear error (54000 for a size limit,
-- 22003 for a counter that would overflow, 22023 for a bad state).  test/t/interrupts.sh
-- checks that what still runs long stops promptly on cancel.
SET client_min_messages = warning;   -- no "already exists" notice when an earlier test created it
CREATE EXTENSION IF NOT EXISTS engage;
RESET client_min_messages;

-- Runs q; 'ok', or the SQLSTATE and message of its error.
CREATE FUNCTION pg_temp.try(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE q;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN sqlstate || ': ' || sqlerrm;
END $$;

-- Each statement below takes well under a second; what used to run for many seconds or
-- for ever fails here rather than hangs (under make valgrind, ENGAGE_VALGRIND set, where the
-- ten million simulated purchases below take longer, in 300 s).
\getenv valgrind ENGAGE_VALGRIND
\if :{?valgrind}
SET statement_timeout = '300s';
\else
SET statement_timeout = '10s';
\endif

-- engage.activity text input: linear in the text plus the span.  20,000 overlapping ranges
-- of a million periods each took 17 s (every range was set period by period).
SELECT engage.active_periods(('{' || repeat('0-999999,', 20000) || '0}')::engage.activity) AS periods;
-- overlapping ranges in any order give their union
SELECT '{5-9,1-3,2-6,20,20-20,-4--2,-3}'::engage.activity AS union_of_ranges;
SELECT engage.active_periods('{0-999999,999999,0-5,500000-999999}') AS full_span,
       '{0-999999,999999,0-5,500000-999999}'::engage.activity OPERATOR(engage.=) '{0-999999}' AS same_as_one_range;
SELECT '{2147483000-2147483647,2147483640}'::engage.activity AS top, '{-2147483648--2147482000,-2147483648}'::engage.activity AS bottom;
-- a span over the limit is rejected at the item that widens it, before the rest is read
-- (the text after it is not even valid)
SELECT pg_temp.try($$SELECT '{0,1000100,x'::engage.activity$$) AS wide_then_garbage,
       pg_temp.try($$SELECT ('{' || repeat('5,', 100000) || '-2147483648}')::engage.activity$$) AS wide_at_the_end,
       pg_temp.try($$SELECT '{0-1000100}'::engage.activity$$) AS wide_range;
SELECT pg_temp.try(format('SELECT %L::engage.activity', v)) AS malformed
FROM (VALUES ('{1,2,}'), ('{1 2}'), ('{}x'), ('{1}x'), ('{3-1}'), ('{'), ('{1'), ('{,}'), ('{1-}'),
             ('{99999999999}')) AS t(v);

-- Simulators: a customer whose purchases would never end (a purchase rate so high that time
-- stops advancing, a dropout probability that rounds to 0) is an error after 10,000,000
-- purchases, not an endless loop.
SELECT count(*) FROM engage.paretonbd_simulate(ROW(1, 1e-300, 1, 1, 0, 0, true, NULL, NULL, NULL)::engage.paretonbd, 1, 10, 1);
SELECT pg_temp.try($$SELECT count(*) FROM engage.bgnbd_simulate(ROW(1e10, 1e-10, 1e-10, 1e10, 0, 0, true, NULL, NULL, NULL)::engage.bgnbd, 1, 1e300, 1)$$) AS bgnbd,
       pg_temp.try($$SELECT count(*) FROM engage.mbgnbd_simulate(ROW(1e10, 1e-10, 1e-10, 1e10, 0, 0, true, NULL, NULL, NULL)::engage.mbgnbd, 1, 1e300, 1)$$) AS mbgnbd;
-- extreme but finite draws still work: nobody buys, or everybody dies at once
SELECT sum(frequency) AS purchases FROM engage.paretonbd_simulate(ROW(1e-300, 1e300, 1e-300, 1e300, 0, 0, true, NULL, NULL, NULL)::engage.paretonbd, 3, 1e300, 1);
SELECT sum(frequency) AS purchases FROM engage.bgnbd_simulate(ROW(1, 1, 1e300, 1e-300, 0, 0, true, NULL, NULL, NULL)::engage.bgnbd, 100, 52, 1);

-- Pareto/NBD P(alive) by quadrature where t_x is so large that the panels are below its
-- rounding: the panels are laid out from t_x and always advance.  The first used to loop
-- for ever; P(alive) is e^(-7e18), 0 in double precision.  The second against mpmath
-- (1 / (1 + s int_{t_x}^{T} e^phi), 60 digits): 0.95945976945713376.
SELECT engage.p_alive(ROW(1, 1, 1e21, 1e25, 0, 0, true, NULL, NULL, NULL)::engage.paretonbd, 1e19, 1e20, 2e20) AS p_alive_far;
SELECT abs(engage.p_alive(ROW(2, 1, 1e15, 1e20, 0, 0, true, NULL, NULL, NULL)::engage.paretonbd, 1e13, 1e18, 1e18 + 4096)
           / 0.95945976945713376 - 1) < 1e-12 AS p_alive_matches_mpmath;

-- Counters: nps counts overflow with 22003, in the transition (an aggregate starting from
-- a crafted state) as in the final function.
CREATE AGGREGATE pg_temp.nps_from(integer) (
    SFUNC = engage.nps_accum, STYPE = bigint[], FINALFUNC = engage.nps_final,
    INITCOND = '{0,0,9223372036854775807}');
SELECT pg_temp.try($$SELECT pg_temp.nps_from(10)$$) AS promoter_overflow,
       pg_temp.try($$SELECT pg_temp.nps_from(0)$$) AS final_overflow,
       pg_temp.try($$SELECT engage.nps_final('{1,1,9223372036854775807}')$$) AS final_direct;

-- States passed in directly are checked: engagement_score_accum rejects a NaN or infinite
-- sum (the aggregate never makes one), retention_accum reads a NULL state as the empty one.
SELECT pg_temp.try($$SELECT engage.engagement_score_accum('NaN', '2024-01-01', 1, '2024-01-02', '1 day')$$) AS nan_state,
       pg_temp.try($$SELECT engage.engagement_score_accum('Infinity', '2024-01-03', 1, '2024-01-02', '1 day')$$) AS infinite_state,
       engage.engagement_score_accum(1, '2024-01-01', 1, '2024-01-02', '1 day') AS valid_state;
CREATE AGGREGATE pg_temp.score_from_nan(timestamptz, double precision, timestamptz, interval) (
    SFUNC = engage.engagement_score_accum, STYPE = double precision, INITCOND = 'NaN');
SELECT pg_temp.try($$SELECT pg_temp.score_from_nan('2024-01-01', 1, '2024-01-02', '1 day')$$) AS nan_initcond;
SELECT engage.retention_accum(NULL, ARRAY[true, false]) = engage.retention_accum(0, ARRAY[true, false]) AS null_state_is_empty;
RESET statement_timeout;

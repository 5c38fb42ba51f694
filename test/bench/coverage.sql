-- Coverage of the Wald intervals of engage.parameters, by simulation: :datasets data sets of
-- :customers customers each are drawn from a model of known parameters (the CDNOW estimates,
-- weeks; four equal cohorts observed for 26, 34, 42 and 52 weeks, so that ages differ), each
-- is fitted, and each 95 % interval estimate -+ 1.959964 SE is checked for the true value.
-- Printed per model and parameter: the share of data sets whose interval covers the truth
-- (with its binomial standard error), the share an interval of half the width would cover
-- (about 68 % if the SEs are right: the study can tell wrong SEs apart), and the fits that
-- did not converge or have no covariance (counted as not covering).
-- psql -v datasets=N -v customers=N -v models="'bgnbd','mbgnbd','paretonbd'" (defaults 1000,
-- 10000 and all three: at 4000 customers MBG/NBD's r is still covered only 90 % of the time,
-- its SE 13 % below the spread of its estimates; at 16,000, 95 %). -v report=false leaves the
-- tables coverage and coverage_summary without printing them (sql/wald_coverage.sql).
\if :{?datasets}
\else
\set datasets 1000
\endif
\if :{?customers}
\else
\set customers 10000
\endif
\if :{?report}
\else
\set report true
\endif
\if :{?models}
\else
\set models '''bgnbd'', ''mbgnbd'', ''paretonbd'''
\endif
SET client_min_messages = error;   -- the rare fit that does not converge warns (it counts as not covering)
CREATE TEMP TABLE coverage_truth (model text, constructor text);
INSERT INTO coverage_truth VALUES
    ('bgnbd', 'engage.bgnbd(0.243, 4.414, 0.793, 2.426)'),
    ('mbgnbd', 'engage.mbgnbd(0.525, 6.183, 0.891, 1.614)'),
    ('paretonbd', 'engage.paretonbd(0.553, 10.58, 0.606, 11.67)');

-- One row per data set and parameter: the interval and the true value.
CREATE FUNCTION pg_temp.coverage_rows(model text, constructor text, datasets integer, customers integer)
RETURNS TABLE (dataset integer, parameter text, truth float8, estimate float8, std_error float8)
LANGUAGE plpgsql AS $$
BEGIN
    RETURN QUERY EXECUTE format($q$
        SELECT d, t.parameter, t.estimate, p.estimate, p.std_error
        FROM generate_series(1, %3$s) AS d
        CROSS JOIN LATERAL (
            SELECT engage.%1$s_fit(frequency, recency, age) AS m
            FROM (SELECT * FROM engage.%1$s_simulate(%2$s, %4$s / 4, 26, 4 * d)
                  UNION ALL SELECT * FROM engage.%1$s_simulate(%2$s, %4$s / 4, 34, 4 * d + 1)
                  UNION ALL SELECT * FROM engage.%1$s_simulate(%2$s, %4$s / 4, 42, 4 * d + 2)
                  UNION ALL SELECT * FROM engage.%1$s_simulate(%2$s, %4$s / 4, 52, 4 * d + 3)) AS s) AS f
        CROSS JOIN engage.parameters(%2$s) AS t
        LEFT JOIN LATERAL (SELECT * FROM engage.parameters(f.m) AS p
                           WHERE (f.m).converged AND p.parameter = t.parameter) AS p ON true$q$,
        model, constructor, datasets, customers);
END $$;

CREATE TEMP TABLE coverage AS
SELECT c.model, r.*
FROM coverage_truth AS c, pg_temp.coverage_rows(c.model, c.constructor, :datasets, :customers) AS r
WHERE c.model IN (:models);

CREATE TEMP TABLE coverage_summary AS
SELECT model, parameter, count(*) AS datasets,
       avg((std_error IS NOT NULL AND abs(estimate - truth) <= 1.959964 * std_error)::int) AS covered,
       sqrt(0.95 * 0.05 / count(*)) AS binomial_se,
       avg((std_error IS NOT NULL AND abs(estimate - truth) <= 0.5 * 1.959964 * std_error)::int) AS covered_half_width,
       count(*) FILTER (WHERE std_error IS NULL) AS without_se
FROM coverage
GROUP BY model, parameter;

RESET client_min_messages;

\if :report
\echo == Coverage of the 95 % Wald intervals
SELECT model, parameter, datasets, round(covered, 4) AS covered, round(binomial_se::numeric, 4) AS binomial_se,
       covered BETWEEN 0.93 AND 0.97 AS within_93_97, round(covered_half_width, 4) AS covered_half_width,
       without_se
FROM coverage_summary
ORDER BY model, array_position(ARRAY['r', 'alpha', 'a', 'b', 's', 'beta'], parameter);
SELECT CASE WHEN bool_and(covered BETWEEN 0.93 AND 0.97) THEN 'coverage: ok' ELSE 'coverage: FAILED' END AS verdict
FROM coverage_summary \gset
\echo :verdict
\endif

-- Coverage of the Wald intervals of engage.parameters, the short version of `make coverage`
-- (test/bench/coverage.sql, 1000 data sets of 10,000 customers per model, 93 % to 97 %):
-- 150 BG/NBD data sets of 4000 customers from the CDNOW estimates.  Bounds, stated for 150
-- data sets (binomial standard error 1.8 % at 95 %): each parameter's 95 % intervals cover the
-- truth in 88 % to 99.5 % of the data sets, all 600 together in 91 % to 98 %; intervals of half
-- the width (68 % if the standard errors are right) in 55 % to 80 %.  Standard errors 20 % too
-- small would bring the pooled coverage to 88 % and fail; half as large, to 68 %.
SET client_min_messages = warning;   -- no "already exists" notice when an earlier test created it
CREATE EXTENSION IF NOT EXISTS engage;
RESET client_min_messages;

\set datasets 150
\set customers 4000
\set models '''bgnbd'''
\set report false
\i test/bench/coverage.sql

SELECT parameter, datasets, round(covered, 3) AS covered, covered BETWEEN 0.88 AND 0.995 AS covered_ok,
       round(covered_half_width, 3) AS covered_half_width, covered_half_width BETWEEN 0.55 AND 0.80 AS half_width_ok,
       without_se
FROM coverage_summary
ORDER BY array_position(ARRAY['r', 'alpha', 'a', 'b'], parameter);
SELECT count(*) AS intervals, round(avg((std_error IS NOT NULL AND abs(estimate - truth) <= 1.959964 * std_error)::int), 3) AS pooled,
       avg((std_error IS NOT NULL AND abs(estimate - truth) <= 1.959964 * std_error)::int) BETWEEN 0.91 AND 0.98 AS pooled_ok
FROM coverage;

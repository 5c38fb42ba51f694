-- sBG retention (Fader & Hardie 2007) on the paper's example: two cohorts of 1000 subscribers,
-- active at the end of years 0..7; DERL (Fader & Hardie 2010).
\set QUIET on
SET client_min_messages = warning;
CREATE TEMP TABLE cohorts (segment text, year integer, active integer);
INSERT INTO cohorts
SELECT 'regular', y - 1, n FROM unnest(ARRAY[1000, 631, 468, 382, 326, 289, 262, 241]) WITH ORDINALITY u(n, y)
UNION ALL
SELECT 'high end', y - 1, n FROM unnest(ARRAY[1000, 869, 743, 653, 593, 551, 517, 491]) WITH ORDINALITY u(n, y);
-- churned at the end of year t: active(t-1) - active(t); still active after 7 years: active(7)
CREATE TEMP TABLE retention_model AS
SELECT segment, engage.sbg_fit(tenure, churned, customers) AS m
FROM (SELECT segment, year AS tenure, true AS churned, lag(active) OVER w - active AS customers
      FROM cohorts WINDOW w AS (PARTITION BY segment ORDER BY year)
      UNION ALL
      SELECT segment, 7, false, active FROM cohorts WHERE year = 7) s
WHERE customers IS NOT NULL GROUP BY segment;
\echo
\echo '== engage.sbg_fit: published regular 0.704 / 1.182 (LL -1680.3), high end 0.668 / 3.806 (LL -1611.2)'
SELECT segment, round((m).alpha::numeric, 3) AS alpha, round((m).beta::numeric, 3) AS beta,
       round((m).loglik::numeric, 1) AS loglik, (m).converged
FROM retention_model ORDER BY segment DESC;
\echo
\echo '== engage.survival / retention_rate: fitted on years 1-7, projected to year 12 (per 1000)'
SELECT t AS year,
       round(1000 * engage.survival(r.m, t)) AS regular, round(engage.retention_rate(r.m, t)::numeric, 3) AS regular_r,
       round(1000 * engage.survival(h.m, t)) AS high_end, round(engage.retention_rate(h.m, t)::numeric, 3) AS high_end_r
FROM generate_series(1, 12) t, retention_model r, retention_model h
WHERE r.segment = 'regular' AND h.segment = 'high end' ORDER BY t;
\echo
\echo '== engage.derl: discounted expected residual lifetime (10%/year) and value at 100 per year'
SELECT segment, renewals, round(engage.derl(m, renewals, 0.10)::numeric, 3) AS derl,
       round(100 * engage.derl(m, renewals, 0.10)::numeric, 2) AS residual_value
FROM retention_model, generate_series(0, 4, 2) renewals ORDER BY segment DESC, renewals;

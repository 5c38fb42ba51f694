-- Gamma-Gamma spend model on the CDNOW sample, fitted on the engage.rfm calibration summaries
-- of demo.cdnow_calibration (60_btyd.sql: purchases to 1997-09-30, weeks; monetary is the mean
-- amount of the repeat purchase days).
\set QUIET on
SET client_min_messages = warning;
\echo
\echo '== engage.gammagamma_fit over engage.rfm: spend per transaction on CDNOW (published: p 6.25, q 3.74, v 15.44)'
CREATE TEMP TABLE gg_model AS SELECT engage.gammagamma_fit(summary) AS m FROM demo.cdnow_calibration;
SELECT round((m).p::numeric, 4) AS p, round((m).q::numeric, 4) AS q, round((m).v::numeric, 4) AS v,
       round((m).loglik::numeric, 2) AS loglik, (m).customers AS repeat_customers, (m).converged
FROM gg_model;
\echo
\echo '== engage.expected_spend: conditional expected average spend, shrunk towards the population mean'
SELECT customer_id, (summary).frequency, round((summary).monetary::numeric, 2) AS monetary,
       round(engage.expected_spend(m, summary)::numeric, 2) AS expected_spend
FROM demo.cdnow_calibration, gg_model
ORDER BY customer_id LIMIT 8;

-- Gamma-Gamma spend model on the CDNOW sample, calibration period 1997-01-01 .. 1997-09-30
-- (39 weeks).  The customer summary is computed here in plain SQL (purchase days, weeks).
\set QUIET on
SET client_min_messages = warning;
SET TimeZone = 'UTC';
CREATE OR REPLACE VIEW demo.cdnow_calibration AS
WITH days AS (
    SELECT customer_id, occurred_at::date AS day, sum(amount) AS amount
    FROM demo.cdnow WHERE occurred_at < '1997-10-01' GROUP BY customer_id, occurred_at::date),
ranked AS (
    SELECT *, min(day) OVER (PARTITION BY customer_id) AS first_day FROM days)
SELECT customer_id,
       count(*) - 1 AS frequency,                                     -- repeat purchase days
       (max(day) - first_day) / 7.0 AS recency,                       -- weeks, first to last purchase
       ('1997-09-30'::date - first_day) / 7.0 AS age,                 -- weeks, first purchase to 1997-09-30
       coalesce(avg(amount) FILTER (WHERE day > first_day), 0) AS monetary  -- mean value of the repeat days
FROM ranked GROUP BY customer_id, first_day;
\echo
\echo '== engage.gammagamma_fit: spend per transaction on CDNOW (published: p 6.25, q 3.74, v 15.44)'
SELECT round((m).p::numeric, 4) AS p, round((m).q::numeric, 4) AS q, round((m).v::numeric, 4) AS v,
       round((m).loglik::numeric, 2) AS loglik, (m).customers AS repeat_customers, (m).converged
FROM (SELECT engage.gammagamma_fit(frequency, monetary) AS m FROM demo.cdnow_calibration) f;
\echo
\echo '== engage.expected_spend: conditional expected average spend, shrunk towards the population mean'
SELECT customer_id, frequency, round(monetary::numeric, 2) AS monetary,
       round(engage.expected_spend(m, frequency, monetary)::numeric, 2) AS expected_spend
FROM demo.cdnow_calibration, (SELECT engage.gammagamma_fit(frequency, monetary) AS m FROM demo.cdnow_calibration) f
ORDER BY customer_id LIMIT 8;

-- One view of every customer at the end of the data: lifecycle stage, engagement score,
-- churn probability and 12-month CLV, all computed in SQL from the transactions.
\echo
\echo '== All four pillars per customer at 1998-06-30 (CDNOW, weeks): stage, engagement, churn, CLV'
\echo '   (BG/NBD + Gamma-Gamma fitted on all 78 weeks; CLV over 12 months of 4.345 weeks at 1%/month)'
SET TimeZone = 'UTC';
CREATE TEMP TABLE customer_view AS
WITH summary AS (
    SELECT customer_id,
           engage.rfm(occurred_at, amount, '1998-06-30', '7 days') AS s,
           engage.lifecycle_stage(occurred_at, '1998-06-30', '90 days', '180 days', '365 days') AS stage,
           engage.engagement_score(occurred_at, amount, '1998-06-30', '90 days') AS engagement
    FROM demo.cdnow GROUP BY customer_id),
models AS (
    SELECT engage.bgnbd_fit(s) AS bg,
           engage.gammagamma_fit((s).frequency, (s).monetary) AS gg
    FROM summary)
SELECT customer_id, stage, engagement, (s).frequency, (s).recency, (s).age, (s).monetary,
       engage.churn_probability(bg, (s).frequency, (s).recency, (s).age) AS churn,
       engage.clv(bg, gg, (s).frequency, (s).recency, (s).age, (s).monetary, 52.14, 0.01, 4.345) AS clv
FROM summary, models;

SELECT customer_id, stage, round(engagement::numeric, 1) AS engagement, frequency,
       round(recency::numeric, 1) AS recency, round(age::numeric, 1) AS age,
       round(churn::numeric, 3) AS churn_probability, round(clv::numeric, 2) AS clv_12m
FROM customer_view ORDER BY clv DESC LIMIT 8;

\echo
\echo '== The same by lifecycle stage: customers, mean engagement, mean churn probability, CLV'
\echo '   (BG/NBD holds a customer who never bought again alive: churn probability 0 when frequency = 0,'
\echo '   which is why the churned stage, mostly one-time buyers, shows a low mean churn probability)'
SELECT stage, count(*) AS customers, round(avg(engagement)::numeric, 1) AS mean_engagement,
       round(avg(churn)::numeric, 3) AS mean_churn_probability,
       round(avg(clv)::numeric, 2) AS mean_clv_12m, round(sum(clv)::numeric) AS total_clv_12m
FROM customer_view GROUP BY stage ORDER BY stage;
DROP TABLE customer_view;

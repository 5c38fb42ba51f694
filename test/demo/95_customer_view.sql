-- One view of every customer at the end of the data: lifecycle stage, engagement score,
-- churn probability and 12-month CLV, all computed in SQL from the transactions.
\echo
\echo '== All four pillars per customer at 1998-06-30 (CDNOW, weeks): stage, engagement, churn, CLV'
\echo '   (MBG/NBD + Gamma-Gamma fitted on all 78 weeks; CLV over 12 months of 4.345 weeks at 1%/month)'
SET TimeZone = 'UTC';
CREATE TEMP TABLE customer_summary AS
    SELECT customer_id,
           engage.rfm(occurred_at, amount, '1998-06-30', '7 days') AS s,
           engage.lifecycle_stage(occurred_at, '1998-06-30', '90 days', '180 days', '365 days') AS stage,
           engage.engagement_score(occurred_at, amount, '1998-06-30', '90 days') AS engagement
    FROM demo.cdnow GROUP BY customer_id;
\echo
\echo '== engage.compare_models on all 78 weeks: the model to score churn with'
SELECT model, round(log_likelihood::numeric, 1) AS log_likelihood, round(bic::numeric, 1) AS bic, converged,
       bic_rank, round(delta_bic::numeric, 1) AS delta_bic
FROM engage.compare_models((SELECT engage.fitdata(s) FROM customer_summary)) ORDER BY bic_rank;
CREATE TEMP TABLE customer_view AS
WITH models AS (
    SELECT engage.mbgnbd_fit(s) AS mbg, engage.bgnbd_fit(s) AS bg, engage.paretonbd_fit(s) AS pnbd,
           engage.gammagamma_fit((s).frequency, (s).monetary) AS gg
    FROM customer_summary)
SELECT customer_id, stage, engagement, (s).frequency, (s).recency, (s).age, (s).monetary,
       engage.churn_probability(mbg, s) AS churn,
       engage.churn_probability(bg, s) AS churn_bg,
       engage.churn_probability(pnbd, s) AS churn_pnbd,
       engage.clv(mbg, gg, s, 52.14, 0.01, 4.345) AS clv
FROM customer_summary, models;

\echo
SELECT customer_id, stage, round(engagement::numeric, 1) AS engagement, frequency,
       round(recency::numeric, 1) AS recency, round(age::numeric, 1) AS age,
       round(churn::numeric, 3) AS churn_probability, round(clv::numeric, 2) AS clv_12m
FROM customer_view ORDER BY clv DESC LIMIT 8;

\echo
\echo '== The same by lifecycle stage: customers, mean engagement, mean churn probability, CLV'
\echo '   (MBG/NBD; Pareto/NBD agrees; bgnbd_churn for contrast: BG/NBD holds a customer who never bought again'
\echo '   alive, churn probability 0 at frequency 0, so the churned stage, mostly one-time buyers, would look safest)'
SELECT stage, count(*) AS customers, count(*) FILTER (WHERE frequency = 0) AS one_time,
       round(avg(engagement)::numeric, 1) AS mean_engagement,
       round(avg(churn)::numeric, 3) AS mean_churn_probability, round(avg(churn_pnbd)::numeric, 3) AS paretonbd_churn,
       round(avg(churn_bg)::numeric, 3) AS bgnbd_churn, round(avg(clv)::numeric, 2) AS mean_clv_12m, round(sum(clv)::numeric) AS total_clv_12m
FROM customer_view GROUP BY stage ORDER BY stage;
DROP TABLE customer_view, customer_summary;

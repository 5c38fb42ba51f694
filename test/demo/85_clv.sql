-- CLV on CDNOW: MBG/NBD (purchases: the model for churn, as it lets one-time buyers churn, and
-- the best by BIC in 60_btyd.sql) and Gamma-Gamma (spend) fitted on the engage.rfm summaries of
-- the 39-week calibration period (demo.cdnow_calibration, from 60_btyd.sql), CLV over the next
-- 12 months (steps of 4.345 weeks) at 1% a month.
\set QUIET on
SET client_min_messages = warning;
SET TimeZone = 'UTC';
CREATE TEMP TABLE clv_models AS
SELECT engage.mbgnbd_fit(summary) AS mbg, engage.bgnbd_fit(summary) AS bg, engage.gammagamma_fit(summary) AS gg
FROM demo.cdnow_calibration;
\echo
\echo '== engage.clv: the ten most valuable CDNOW customers (MBG/NBD + Gamma-Gamma, 12 months, 1%/month)'
SELECT customer_id, (summary).frequency, round((summary).recency::numeric, 1) AS recency,
       round((summary).age::numeric, 1) AS age, round((summary).monetary::numeric, 2) AS monetary,
       round(engage.p_alive(mbg, summary)::numeric, 3) AS p_alive,
       round(engage.expected_purchases(mbg, 52.14, summary)::numeric, 2) AS purchases_12m,
       round(engage.expected_spend(gg, summary)::numeric, 2) AS spend,
       round(engage.clv(mbg, gg, summary, 52.14, 0.01, 4.345)::numeric, 2) AS clv_12m
FROM demo.cdnow_calibration, clv_models
ORDER BY clv_12m DESC LIMIT 10;
\echo
\echo '== engage.clv: the cohort''s 12-month CLV; undiscounted 39-week forecast vs actual spend in the holdout period 1997-10-01 .. 1998-06-30'
SELECT round(sum(engage.clv(mbg, gg, summary, 52.14, 0.01, 4.345))::numeric, 0) AS predicted_clv_12m,
       round(sum(engage.clv(mbg, gg, summary, 39, 0, 1))::numeric, 0) AS predicted_spend_39w,
       (SELECT round(sum(amount)::numeric, 0) FROM demo.cdnow WHERE occurred_at >= '1997-10-01') AS actual_spend_39w
FROM demo.cdnow_calibration, clv_models;
\echo
\echo '== churn probability and CLV next to lifecycle stage and engagement score at 1997-09-30 (calibration data only)'
\echo '   (MBG/NBD; BG/NBD for contrast: it never lets a customer without repeat purchases churn, and most churned customers bought once;'
\echo '   actual_repurchase_rate: share of the stage that bought again in the 39 holdout weeks)'
WITH behaviour AS (
    SELECT customer_id,
           engage.lifecycle_stage(occurred_at, '1997-09-30', '90 days', '180 days', '365 days') AS stage,
           engage.engagement_score(occurred_at, amount, '1997-09-30', '90 days') AS engagement
    FROM demo.cdnow WHERE occurred_at < '1997-10-01' GROUP BY customer_id
), scored AS (
    SELECT b.*, holdout, (summary).frequency,
           engage.churn_probability(mbg, summary) AS churn, engage.churn_probability(bg, summary) AS churn_bg,
           engage.clv(mbg, gg, summary, 52.14, 0.01, 4.345) AS clv
    FROM behaviour b JOIN demo.cdnow_calibration USING (customer_id), clv_models
)
SELECT stage, count(*) AS customers, count(*) FILTER (WHERE frequency = 0) AS one_time,
       round(avg(engagement)::numeric, 2) AS mean_engagement,
       round(avg(churn)::numeric, 3) AS mean_churn_probability, round(avg(churn_bg)::numeric, 3) AS bgnbd_churn,
       round(avg((holdout > 0)::integer)::numeric, 3) AS actual_repurchase_rate,
       round(avg(clv)::numeric, 2) AS mean_clv_12m, round(sum(clv)::numeric, 0) AS total_clv_12m
FROM scored GROUP BY stage ORDER BY stage;

-- Demo: BG/NBD, MBG/NBD and Pareto/NBD on the CDNOW calibration period (1997-01-01 ..
-- 1997-09-30), compared with engage.compare_models, scored per customer and checked against the
-- holdout (1997-10-01 .. 1998-06-30).  The pipeline: transactions -> engage.rfm /
-- engage.rfm_holdout (purchase days, weeks) -> fit -> scores.
-- demo.cdnow_calibration is also used by the Gamma-Gamma and CLV parts.
\set QUIET on
SET client_min_messages = warning;
SET TimeZone = 'UTC';
CREATE TABLE demo.cdnow_calibration AS
    SELECT customer_id, summary, with_holdout, (with_holdout).holdout_frequency AS holdout
    FROM (SELECT customer_id,
                 engage.rfm(occurred_at, amount, '1997-09-30', '7 days') AS summary,
                 engage.rfm_holdout(occurred_at, amount, '1997-09-30', '1998-06-30', '7 days') AS with_holdout
          FROM demo.cdnow GROUP BY customer_id) AS per_customer;
\echo
\echo '== BG/NBD and Pareto/NBD: engage.rfm calibration summaries (to 1997-09-30, weeks), holdout days to 1998-06-30'
SELECT count(*) AS customers, sum((summary).frequency) AS repeat_purchases,
       round(avg((summary).recency)::numeric, 2) AS mean_recency, round(avg((summary).age)::numeric, 2) AS mean_age,
       sum(holdout) AS holdout_purchases
FROM demo.cdnow_calibration;

\echo
\echo '== engage.compare_models: the three counting models fitted to the calibration weeks and scored on the holdout weeks'
\echo '   (rank by BIC among the fits that converged; holdout: purchase days expected vs observed, their relative bias,'
\echo '   and the mean absolute (mae) and root mean squared (rmse) deviation per customer)'
SELECT model, round(log_likelihood::numeric, 2) AS log_likelihood, round(aic::numeric, 2) AS aic,
       round(bic::numeric, 2) AS bic, converged, bic_rank, round(delta_bic::numeric, 2) AS delta_bic,
       round(holdout_expected::numeric, 1) AS holdout_expected, holdout_observed,
       round(holdout_relative_error::numeric, 3) AS relative_bias, round(holdout_mae::numeric, 4) AS mae,
       round(holdout_rmse::numeric, 4) AS rmse
FROM engage.compare_models((SELECT engage.fitdata(with_holdout) FROM demo.cdnow_calibration))
ORDER BY bic_rank;

\echo
\echo '== engage.bgnbd_fit / mbgnbd_fit / paretonbd_fit over engage.rfm (FHL 2005: r 0.243, alpha 4.414, a 0.793, b 2.426, LL -9582.4)'
CREATE TEMP TABLE demo_models AS
    SELECT engage.bgnbd_fit(summary) AS bg, engage.mbgnbd_fit(summary) AS mbg, engage.paretonbd_fit(summary) AS pnbd
    FROM demo.cdnow_calibration;
SELECT 'bgnbd' AS model, round((bg).r::numeric, 3) AS r, round((bg).alpha::numeric, 3) AS alpha,
       round((bg).a::numeric, 3) AS a_or_s, round((bg).b::numeric, 3) AS b_or_beta,
       round((bg).loglik::numeric, 1) AS loglik, (bg).converged
FROM demo_models
UNION ALL
SELECT 'mbgnbd', round((mbg).r::numeric, 3), round((mbg).alpha::numeric, 3),
       round((mbg).a::numeric, 3), round((mbg).b::numeric, 3),
       round((mbg).loglik::numeric, 1), (mbg).converged
FROM demo_models
UNION ALL
SELECT 'paretonbd', round((pnbd).r::numeric, 3), round((pnbd).alpha::numeric, 3),
       round((pnbd).s::numeric, 3), round((pnbd).beta::numeric, 3),
       round((pnbd).loglik::numeric, 1), (pnbd).converged
FROM demo_models;

\echo
\echo '== engage.parameters, engage.aic, engage.bic: SE (standard deviation of each estimate) and 95 % Wald bounds of the BG/NBD fit'
SELECT parameter, round(estimate::numeric, 4) AS estimate, round(std_error::numeric, 4) AS se,
       round(lower::numeric, 4) AS lower, round(upper::numeric, 4) AS upper
FROM demo_models, engage.parameters(bg);
SELECT round(engage.aic(bg)::numeric, 1) AS aic_bgnbd, round(engage.aic(pnbd)::numeric, 1) AS aic_paretonbd,
       round(engage.bic(bg)::numeric, 1) AS bic_bgnbd, round(engage.bic(pnbd)::numeric, 1) AS bic_paretonbd
FROM demo_models;

\echo
\echo '== engage.p_alive, engage.churn_probability, engage.expected_purchases (next 39 weeks) for a few customers'
SELECT customer_id, (summary).frequency, round((summary).recency::numeric, 2) AS recency, round((summary).age::numeric, 2) AS age,
       round(engage.p_alive(bg, summary)::numeric, 3) AS p_alive_bg,
       round(engage.churn_probability(mbg, summary)::numeric, 3) AS churn_mbg,
       round(engage.churn_probability(pnbd, summary)::numeric, 3) AS churn_pnbd,
       round(engage.expected_purchases(bg, 39, summary)::numeric, 2) AS e39_bg,
       round(engage.expected_purchases(pnbd, 39, summary)::numeric, 2) AS e39_pnbd,
       holdout AS actual_39
FROM demo.cdnow_calibration, demo_models
ORDER BY (summary).frequency DESC, customer_id
LIMIT 8;

\echo
\echo '== holdout check by calibration frequency: mean actual vs predicted purchases in weeks 40-78'
SELECT least((summary).frequency, 7) AS frequency, count(*) AS customers,
       round(avg(holdout)::numeric, 2) AS actual,
       round(avg(engage.expected_purchases(bg, 39, summary))::numeric, 2) AS bgnbd,
       round(avg(engage.expected_purchases(mbg, 39, summary))::numeric, 2) AS mbgnbd,
       round(avg(engage.expected_purchases(pnbd, 39, summary))::numeric, 2) AS paretonbd
FROM demo.cdnow_calibration, demo_models
GROUP BY 1 ORDER BY 1;

\echo
\echo '== a new customer over 39 weeks: expected purchases and P(X(39) = n)'
SELECT n, round(engage.prob_purchases(bg, n, 39)::numeric, 4) AS bgnbd,
       round(engage.prob_purchases(pnbd, n, 39)::numeric, 4) AS paretonbd
FROM demo_models, generate_series(0, 4) AS n
UNION ALL
SELECT NULL, round(engage.expected_purchases(bg, 39)::numeric, 4), round(engage.expected_purchases(pnbd, 39)::numeric, 4)
FROM demo_models;

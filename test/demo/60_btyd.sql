-- Demo: BG/NBD and Pareto/NBD on the CDNOW calibration period (1997-01-01 .. 1997-09-30),
-- scored per customer and compared with the holdout (1997-10-01 .. 1998-06-30).
-- The calibration summary is computed here in plain SQL (repeat purchase days, time in weeks;
-- engage.rfm can replace it once available).
\echo
\echo '== BG/NBD and Pareto/NBD: calibration summary (first 39 weeks, weeks as time unit)'
CREATE TEMP TABLE demo_calibration AS
    SELECT customer_id,
           count(DISTINCT occurred_at::date) - 1 AS frequency,
           (max(occurred_at::date) - min(occurred_at::date)) / 7.0 AS recency,
           ('1997-09-30'::date - min(occurred_at::date)) / 7.0 AS age
    FROM demo.cdnow
    WHERE occurred_at < '1997-10-01'
    GROUP BY customer_id;
CREATE TEMP TABLE demo_holdout AS
    SELECT customer_id, count(DISTINCT occurred_at::date) AS holdout
    FROM demo.cdnow WHERE occurred_at >= '1997-10-01' AND occurred_at < '1998-07-01'
    GROUP BY customer_id;
SELECT count(*) AS customers, sum(frequency) AS repeat_purchases,
       round(avg(recency)::numeric, 2) AS mean_recency, round(avg(age)::numeric, 2) AS mean_age
FROM demo_calibration;

\echo
\echo '== engage.bgnbd_fit / engage.paretonbd_fit: maximum-likelihood fits (FHL 2005: r 0.243, alpha 4.414, a 0.793, b 2.426)'
CREATE TEMP TABLE demo_models AS
    SELECT engage.bgnbd_fit(frequency, recency, age) AS bg,
           engage.paretonbd_fit(frequency, recency, age) AS pnbd
    FROM demo_calibration;
SELECT 'bgnbd' AS model, round((bg).r::numeric, 3) AS r, round((bg).alpha::numeric, 3) AS alpha,
       round((bg).a::numeric, 3) AS a_or_s, round((bg).b::numeric, 3) AS b_or_beta,
       round((bg).loglik::numeric, 1) AS loglik, (bg).converged
FROM demo_models
UNION ALL
SELECT 'paretonbd', round((pnbd).r::numeric, 3), round((pnbd).alpha::numeric, 3),
       round((pnbd).s::numeric, 3), round((pnbd).beta::numeric, 3),
       round((pnbd).loglik::numeric, 1), (pnbd).converged
FROM demo_models;

\echo
\echo '== engage.p_alive, engage.churn_probability, engage.expected_purchases (next 39 weeks) for a few customers'
SELECT c.customer_id, c.frequency, round(c.recency::numeric, 2) AS recency, round(c.age::numeric, 2) AS age,
       round(engage.p_alive(bg, c.frequency, c.recency, c.age)::numeric, 3) AS p_alive_bg,
       round(engage.churn_probability(pnbd, c.frequency, c.recency, c.age)::numeric, 3) AS churn_pnbd,
       round(engage.expected_purchases(bg, 39, c.frequency, c.recency, c.age)::numeric, 2) AS e39_bg,
       round(engage.expected_purchases(pnbd, 39, c.frequency, c.recency, c.age)::numeric, 2) AS e39_pnbd,
       coalesce(h.holdout, 0) AS actual_39
FROM demo_calibration c LEFT JOIN demo_holdout h USING (customer_id), demo_models
ORDER BY c.frequency DESC, c.customer_id
LIMIT 8;

\echo
\echo '== holdout check by calibration frequency: mean actual vs predicted purchases in weeks 40-78'
SELECT least(c.frequency, 7) AS frequency, count(*) AS customers,
       round(avg(coalesce(h.holdout, 0))::numeric, 2) AS actual,
       round(avg(engage.expected_purchases(bg, 39, c.frequency, c.recency, c.age))::numeric, 2) AS bgnbd,
       round(avg(engage.expected_purchases(pnbd, 39, c.frequency, c.recency, c.age))::numeric, 2) AS paretonbd
FROM demo_calibration c LEFT JOIN demo_holdout h USING (customer_id), demo_models
GROUP BY 1 ORDER BY 1;

\echo
\echo '== a new customer over 39 weeks: expected purchases and P(X(39) = n)'
SELECT n, round(engage.prob_purchases(bg, n, 39)::numeric, 4) AS bgnbd,
       round(engage.prob_purchases(pnbd, n, 39)::numeric, 4) AS paretonbd
FROM demo_models, generate_series(0, 4) AS n
UNION ALL
SELECT NULL, round(engage.expected_purchases(bg, 39)::numeric, 4), round(engage.expected_purchases(pnbd, 39)::numeric, 4)
FROM demo_models;

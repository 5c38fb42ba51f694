-- The dashboard that every client of test/t/clients.sh reads: the view engage_dashboard, one row
-- per CDNOW customer with a column of every engage type (the summaries, the stage and its
-- history, engagement, activity, fitdata, each fitted model, arrays of them) beside the plain
-- results a dashboard charts (P(alive), churn, expected purchases and spend, CLV). Models are
-- fitted once into a table, as a nightly job would; the view only scores.
-- Needs the CDNOW sample in demo.cdnow (test/demo/00_load.sql); run from the project root.
\set QUIET on
SET client_min_messages = warning;
SET TimeZone = 'UTC';
DROP VIEW IF EXISTS engage_dashboard;
DROP TABLE IF EXISTS engage_dashboard_customers, engage_dashboard_models, engage_dashboard_donations;

-- Per customer: calibration summary (39 weeks to 1997-09-30), holdout, stage, engagement,
-- activity by week, month and quarter, and the summary and stage at the end of each quarter
-- (NULL before the first purchase: CDNOW's customers first bought in 1997's first quarter).
CREATE TABLE engage_dashboard_customers AS
WITH cutoffs(cutoff) AS (
    VALUES ('1997-01-31'::timestamptz), ('1997-03-31'), ('1997-06-30'), ('1997-09-30'),
           ('1997-12-31'), ('1998-03-31'), ('1998-06-30')),
at_cutoff AS (
    SELECT o.customer_id, q.cutoff,
           engage.rfm(o.occurred_at, o.amount, q.cutoff, '7 days') AS rfm,
           engage.lifecycle_stage(o.occurred_at, q.cutoff, '90 days', '180 days', '365 days') AS stage
    FROM demo.cdnow AS o JOIN cutoffs AS q ON o.occurred_at <= q.cutoff
    GROUP BY o.customer_id, q.cutoff),
history AS (
    SELECT k.customer_id, array_agg(a.rfm ORDER BY q.cutoff) AS rfm_history,
           array_agg(a.stage ORDER BY q.cutoff) AS stage_history
    FROM (SELECT DISTINCT customer_id FROM demo.cdnow) AS k CROSS JOIN cutoffs AS q
         LEFT JOIN at_cutoff AS a USING (customer_id, cutoff)
    GROUP BY k.customer_id),
summary AS (
    SELECT customer_id,
           engage.rfm(occurred_at, amount, '1997-09-30', '7 days') AS rfm,
           engage.rfm_holdout(occurred_at, amount, '1997-09-30', '1998-06-30', '7 days') AS rfm_holdout,
           engage.lifecycle_stage(occurred_at, '1998-06-30', '90 days', '180 days', '365 days') AS stage,
           engage.engagement_state(occurred_at, amount, '30 days') AS engagement,
           engage.activity_periods(occurred_at, '1997-01-01', '7 days') AS weeks,
           ARRAY[engage.activity_periods(occurred_at, '1997-01-01', '30 days'),
                 engage.activity_periods(occurred_at, '1997-01-01', '91 days')] AS activity_by_grain,
           count(*) AS purchases,
           max(occurred_at) AS last_purchase,
           max(occurred_at) FILTER (WHERE occurred_at > '1997-09-30') AS last_holdout_purchase
    FROM demo.cdnow GROUP BY customer_id)
SELECT * FROM summary JOIN history USING (customer_id);

-- Donations of 11,104 supporters over 6 yearly opportunities (Fader, Hardie & Shang 2010).
CREATE TABLE engage_dashboard_donations (frequency integer, recency integer, periods integer, donors double precision);
\copy engage_dashboard_donations FROM 'test/data/donations/donations.csv' WITH (FORMAT csv, HEADER true)

-- Models: BG/NBD, MBG/NBD, Pareto/NBD and Gamma-Gamma on the CDNOW calibration summaries (the
-- published fits: BG/NBD 0.243, 4.414, 0.793, 2.426; Pareto/NBD 0.553, 10.578, 0.606, 11.669;
-- Gamma-Gamma 6.25, 3.74, 15.44), BG/NBD once more from the stored sample (engage.fitdata);
-- BG/BB on the donations (published 1.204, 0.750, 0.657, 2.783); sBG on the donations' last
-- gift (a donor whose last gift was in year t < 6 counted as lapsed after max(t, 1) years).
CREATE TABLE engage_dashboard_models AS
SELECT c.*, engage.bgnbd_fit(c.sample) AS bgnbd_refit, d.*
FROM (SELECT engage.bgnbd_fit(rfm) AS bgnbd, engage.mbgnbd_fit(rfm) AS mbgnbd,
             engage.paretonbd_fit(rfm) AS paretonbd, engage.gammagamma_fit(rfm) AS gammagamma,
             engage.fitdata((rfm).frequency, (rfm).recency, (rfm).age) AS sample
      FROM engage_dashboard_customers) AS c,
     (SELECT engage.bgbb_fit(frequency, recency, periods, donors) AS bgbb,
             engage.sbg_fit(greatest(recency, 1), recency < periods, donors) AS sbg
      FROM engage_dashboard_donations) AS d;
ANALYZE engage_dashboard_customers, engage_dashboard_models;

CREATE VIEW engage_dashboard AS
SELECT c.customer_id, c.stage, c.stage_history, c.rfm, c.rfm_holdout, c.rfm_history,
       c.engagement, engage.engagement_score(c.engagement, '1998-06-30') AS engagement_score,
       c.weeks, c.activity_by_grain, engage.longest_streak(c.weeks) AS longest_streak,
       engage.is_active(c.weeks, 77) AS active_last_week,
       (SELECT engage.fitdata(f, r, a) FROM (VALUES ((c.rfm).frequency, (c.rfm).recency, (c.rfm).age)) AS s(f, r, a))
           AS fitdata,
       m.bgnbd, m.mbgnbd, m.paretonbd, m.gammagamma, m.bgbb, m.sbg,
       ARRAY[m.bgnbd, m.bgnbd_refit] AS bgnbd_fits,
       engage.p_alive(m.bgnbd, c.rfm) AS p_alive,
       engage.p_alive(m.paretonbd, c.rfm) AS p_alive_paretonbd,
       engage.churn_probability(m.mbgnbd, c.rfm) AS churn_mbgnbd,
       engage.expected_purchases(m.bgnbd, 39, c.rfm) AS purchases_39w,
       engage.expected_spend(m.gammagamma, c.rfm) AS spend,
       engage.clv(m.bgnbd, m.gammagamma, c.rfm, 52.14, 0.01, 4.345) AS clv,
       round(engage.clv(m.paretonbd, m.gammagamma, c.rfm, 52.14, 0.01, 4.345)::numeric, 2) AS clv_paretonbd,
       engage.survival(m.sbg, 3) AS survival_3y,
       c.purchases, c.last_purchase, c.last_holdout_purchase
FROM engage_dashboard_customers AS c, engage_dashboard_models AS m;

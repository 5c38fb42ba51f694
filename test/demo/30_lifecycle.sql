-- Lifecycle stages: fixed thresholds and thresholds personalised to each customer's rhythm.
\set QUIET on
SET client_min_messages = warning;
SET TimeZone = 'UTC';
\echo
\echo '== engage.lifecycle_stage: CDNOW customers by stage at 1998-06-30'
\echo '   (fixed: active within 90 days, at_risk to 180, lapsed to 365, churned after; personal: 2/4/8 median gaps)'
SELECT stage, count(*) FILTER (WHERE kind = 'fixed') AS fixed, count(*) FILTER (WHERE kind = 'personal') AS personal
FROM (SELECT customer_id,
             engage.lifecycle_stage(occurred_at, '1998-06-30', '90 days', '180 days', '365 days') AS fixed,
             engage.lifecycle_stage_personal(occurred_at, '1998-06-30', '90 days', '180 days', '365 days') AS personal
      FROM demo.cdnow GROUP BY customer_id) AS s,
     LATERAL (VALUES ('fixed', fixed), ('personal', personal)) AS v(kind, stage)
GROUP BY stage ORDER BY stage;

-- 300 weekly and 300 yearly buyers: purchases as a Poisson process (exponential gaps, mean 7 or
-- 365 days) from a start date until a random stop date, after which the customer is gone.
SELECT setseed(0.3) \g /dev/null
CREATE TABLE demo.rhythm_customers AS
    SELECT id AS customer_id, rhythm,
           CASE rhythm WHEN 'weekly' THEN 7 ELSE 365 END AS mean_gap,
           CASE rhythm WHEN 'weekly' THEN timestamptz '1996-01-01' ELSE timestamptz '1988-01-01' END
               + floor(random() * 365) * interval '1 day' AS start,
           CASE rhythm WHEN 'weekly' THEN timestamptz '1997-07-01' + floor(random() * 730) * interval '1 day'
                       ELSE timestamptz '1994-07-01' + floor(random() * 2920) * interval '1 day' END AS stop
    FROM generate_series(1, 600) AS id,
         LATERAL (SELECT CASE WHEN id <= 300 THEN 'weekly' ELSE 'yearly' END AS rhythm) AS r;
CREATE TABLE demo.rhythm AS
    SELECT customer_id, occurred_at FROM (
        SELECT customer_id, stop, start + interval '1 day' * sum(-ln(1 - random()) * mean_gap)
                   OVER (PARTITION BY customer_id ORDER BY k) AS occurred_at
        FROM demo.rhythm_customers, generate_series(0, 400) AS k) AS g
    WHERE occurred_at <= stop;
\echo
\echo '== Fixed vs personalised stages at 1998-06-30 on 300 weekly and 300 yearly (Poisson) buyers, some gone:'
\echo '   a stage of lapsed or churned calls the customer lost; the truth is whether it had stopped buying'
WITH stages AS (
    SELECT customer_id,
           engage.lifecycle_stage(occurred_at, '1998-06-30', '90 days', '180 days', '365 days') AS fixed,
           engage.lifecycle_stage_personal(occurred_at, '1998-06-30', '90 days', '180 days', '365 days') AS personal
    FROM demo.rhythm GROUP BY customer_id)
SELECT rhythm, method, count(*) AS customers, count(*) FILTER (WHERE gone) AS gone,
       count(*) FILTER (WHERE lost AND NOT gone) AS lost_but_buying,
       count(*) FILTER (WHERE NOT lost AND gone) AS kept_but_gone,
       round(100.0 * count(*) FILTER (WHERE lost = gone) / count(*), 1) AS accuracy_pct
FROM stages JOIN demo.rhythm_customers USING (customer_id),
     LATERAL (VALUES ('fixed', fixed >= 'lapsed'), ('personal', personal >= 'lapsed')) AS v(method, lost),
     LATERAL (SELECT stop <= '1998-06-30' AS gone) AS t
GROUP BY rhythm, method ORDER BY rhythm, method;
DROP TABLE demo.rhythm, demo.rhythm_customers;

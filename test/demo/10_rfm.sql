-- Customer summaries (RFM) of the CDNOW sample, and RFM segments.
\set QUIET on
SET TimeZone = 'UTC';
\echo
\echo '== engage.rfm: calibration summary of CDNOW customers (purchases up to 1997-09-30, times in weeks)'
CREATE TEMP TABLE rfm_cdnow AS
    SELECT customer_id, (engage.rfm(occurred_at, amount, '1997-09-30', '7 days')).*
    FROM demo.cdnow GROUP BY customer_id;
SELECT customer_id, frequency, round(recency::numeric, 2) AS recency, round(age::numeric, 2) AS age,
       round(monetary::numeric, 2) AS monetary
FROM rfm_cdnow ORDER BY customer_id LIMIT 5;
SELECT count(*) AS customers, sum(frequency) AS repeat_days,
       round(avg(frequency), 3) AS mean_frequency, round(avg(recency)::numeric, 2) AS mean_recency,
       round(avg(age)::numeric, 2) AS mean_age,
       round((avg(monetary) FILTER (WHERE frequency > 0))::numeric, 2) AS mean_monetary_of_repeaters,
       count(*) FILTER (WHERE frequency = 0) AS no_repeat
FROM rfm_cdnow;

\echo
\echo '== engage.rfm_holdout: calibration to 1997-09-30, holdout to 1998-06-30 (39 weeks)'
SELECT customer_id, (h).frequency, round((h).recency::numeric, 2) AS recency, round((h).age::numeric, 2) AS age,
       (h).holdout_frequency, round((h).holdout_monetary::numeric, 2) AS holdout_monetary, (h).duration_holdout
FROM (SELECT customer_id, engage.rfm_holdout(occurred_at, amount, '1997-09-30', '1998-06-30', '7 days') AS h
      FROM demo.cdnow GROUP BY customer_id) AS s
ORDER BY (h).holdout_frequency DESC, customer_id LIMIT 5;

\echo
\echo '== engage.rfm_segment: segments of quintile scores (ntile(5), 5 = best), CDNOW as of 1998-06-30'
WITH summary AS (
    SELECT customer_id, (engage.rfm(occurred_at, amount, '1998-06-30', '1 day')).*
    FROM demo.cdnow GROUP BY customer_id
), scored AS (
    SELECT customer_id,
           ntile(5) OVER (ORDER BY age - recency DESC) AS r,  -- days since the last purchase
           ntile(5) OVER (ORDER BY frequency) AS f,
           ntile(5) OVER (ORDER BY monetary) AS m
    FROM summary
)
SELECT engage.rfm_segment(r, f, m) AS segment, count(*) AS customers,
       round(100.0 * count(*) / sum(count(*)) OVER (), 1) AS pct
FROM scored GROUP BY 1 ORDER BY customers DESC;

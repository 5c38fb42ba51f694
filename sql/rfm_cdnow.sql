-- engage.rfm and engage.rfm_holdout on the CDNOW sample (Fader, Hardie & Lee 2005):
-- the 39-week calibration summary must agree with the summaries that ship with the data.
-- quietly, whether or not an earlier test installed it
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS engage;
RESET client_min_messages;
-- a zone with daylight saving time: days are calendar days of the session TimeZone
SET TimeZone = 'America/New_York';

CREATE TEMP TABLE cdnow_lines (line text);
\copy cdnow_lines FROM 'test/data/cdnow/CDNOW_sample.txt'
CREATE TEMP TABLE cdnow AS
    SELECT f[2]::integer AS customer_id, to_date(f[3], 'YYYYMMDD')::timestamptz AS occurred_at,
           f[4]::integer AS cds, f[5]::double precision AS amount
    FROM (SELECT regexp_split_to_array(btrim(line), '\s+') AS f FROM cdnow_lines) AS s;
CREATE TEMP TABLE published (id integer, frequency integer, recency double precision, t double precision);
\copy published FROM 'test/data/cdnow/cdnow_customers_summary.csv' WITH (FORMAT csv, HEADER true)
CREATE TEMP TABLE published_z (id integer, x integer, t_x double precision, t double precision, zbar double precision);
\copy published_z FROM 'test/data/cdnow/cdnow_customers_summary_with_transactions.csv' WITH (FORMAT csv, HEADER true)
SELECT count(*) AS transactions, count(DISTINCT customer_id) AS customers,
       round(sum(amount)::numeric, 2) AS dollars FROM cdnow;
SELECT count(*) AS published, count(*) FILTER (WHERE id BETWEEN 1 AND 2357) AS ids_in_range FROM published;
SELECT count(*) AS published_z FROM published_z;

-- the calibration summary: purchases up to 1997-09-30, times in weeks
CREATE TEMP TABLE summary AS
    SELECT customer_id, (engage.rfm(occurred_at, amount, '1997-09-30', '7 days')).*
    FROM cdnow GROUP BY customer_id;
SELECT count(*) AS customers, sum(frequency) AS repeat_days,
       round(avg(recency)::numeric, 4) AS mean_recency, round(avg(age)::numeric, 4) AS mean_age,
       round(avg(monetary)::numeric, 4) AS mean_monetary
FROM summary;

-- every customer agrees with both published summaries; these are rounded half up to 2 decimals,
-- so a value such as 97.575 is 97.58 there: tolerance 0.005 + 1e-9
SELECT count(*) AS compared,
       count(*) FILTER (WHERE s.frequency <> p.frequency) AS frequency_differs,
       count(*) FILTER (WHERE abs(s.recency - p.recency) > 0.005 + 1e-9) AS recency_differs,
       count(*) FILTER (WHERE abs(s.age - p.t) > 0.005 + 1e-9) AS age_differs
FROM summary AS s JOIN published AS p ON p.id = s.customer_id;
SELECT count(*) AS compared,
       count(*) FILTER (WHERE s.frequency <> z.x) AS x_differs,
       count(*) FILTER (WHERE abs(s.recency - z.t_x) > 0.005 + 1e-9) AS t_x_differs,
       count(*) FILTER (WHERE abs(s.age - z.t) > 0.005 + 1e-9) AS t_differs,
       count(*) FILTER (WHERE abs(s.monetary - z.zbar) > 0.005 + 1e-9) AS zbar_differs
FROM summary AS s JOIN published_z AS z ON z.id = s.customer_id;

-- a few customers in full (customer 1: days 01-01, 01-18, 08-02 of 1997: x = 2,
-- t_x = 212 / 7, T = 272 / 7, zbar = (29.73 + 14.96) / 2)
SELECT customer_id, frequency, round(recency::numeric, 4) AS recency, round(age::numeric, 4) AS age,
       round(monetary::numeric, 4) AS monetary
FROM summary WHERE customer_id IN (1, 2, 3, 100, 2357) ORDER BY customer_id;

-- rows on one day count once, their amounts summed: independent plain-SQL summary
CREATE TEMP TABLE by_day AS
    SELECT customer_id, occurred_at::date AS day, sum(amount) AS amount
    FROM cdnow WHERE occurred_at::date <= date '1997-09-30' GROUP BY 1, 2;
SELECT count(*) AS customers_differing
FROM summary AS s
JOIN (SELECT customer_id, count(*) - 1 AS frequency, max(day) - min(day) AS span,
             date '1997-09-30' - min(day) AS age_days,
             coalesce(sum(amount) FILTER (WHERE day > first_day) / nullif(count(*) - 1, 0), 0) AS monetary
      FROM (SELECT *, min(day) OVER (PARTITION BY customer_id) AS first_day FROM by_day) AS d
      GROUP BY customer_id) AS q USING (customer_id)
WHERE s.frequency <> q.frequency OR abs(s.recency - q.span / 7.0) > 1e-12
   OR abs(s.age - q.age_days / 7.0) > 1e-12 OR abs(s.monetary - q.monetary) > 1e-9;

-- calibration 1997-01-01..1997-09-30, holdout 1997-10-01..1998-06-30 (39 weeks)
CREATE TEMP TABLE holdout AS
    SELECT customer_id, (engage.rfm_holdout(occurred_at, amount, '1997-09-30', '1998-06-30', '7 days')).*
    FROM cdnow GROUP BY customer_id;
SELECT count(*) AS customers, sum(holdout_frequency) AS holdout_repeat_days,
       count(*) FILTER (WHERE holdout_frequency > 0) AS active_in_holdout,
       min(duration_holdout) AS min_duration, max(duration_holdout) AS max_duration,
       round(avg(holdout_monetary) FILTER (WHERE holdout_frequency > 0)::numeric, 4) AS mean_holdout_monetary
FROM holdout;
-- the calibration part equals engage.rfm
SELECT count(*) AS calibration_differs
FROM holdout AS h JOIN summary AS s USING (customer_id)
WHERE (h.frequency, h.recency, h.age, h.monetary) IS DISTINCT FROM (s.frequency, s.recency, s.age, s.monetary);
-- the holdout part equals a plain-SQL count of days and mean daily amount
SELECT count(*) AS holdout_differs
FROM holdout AS h
JOIN (SELECT customer_id,
             count(DISTINCT occurred_at::date) FILTER (WHERE occurred_at::date > date '1997-09-30') AS days,
             sum(amount) FILTER (WHERE occurred_at::date > date '1997-09-30') AS dollars
      FROM cdnow WHERE occurred_at::date <= date '1998-06-30' GROUP BY customer_id) AS q USING (customer_id)
WHERE h.holdout_frequency <> q.days
   OR abs(h.holdout_monetary - coalesce(q.dollars / nullif(q.days, 0), 0)) > 1e-9;

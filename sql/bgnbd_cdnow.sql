-- BG/NBD on the CDNOW sample (2,357 customers, 39-week calibration period, time in weeks),
-- against Fader, Hardie & Lee (2005), "Counting your customers the easy way".
SET client_min_messages = warning;   -- no "already exists" notice when an earlier test created it
CREATE EXTENSION IF NOT EXISTS engage;
RESET client_min_messages;

CREATE TABLE bgnbd_cdnow (id integer, frequency float8, recency float8, age float8);
\copy bgnbd_cdnow FROM 'test/data/cdnow/cdnow_customers_summary.csv' WITH (FORMAT csv, HEADER)

-- published: r = 0.243, alpha = 4.414, a = 0.793, b = 2.426, LL = -9582.4
CREATE TABLE bgnbd_model AS
    SELECT engage.bgnbd_fit(frequency, recency, age) AS m FROM bgnbd_cdnow;
SELECT round((m).r::numeric, 3) AS r, round((m).alpha::numeric, 3) AS alpha,
       round((m).a::numeric, 3) AS a, round((m).b::numeric, 3) AS b,
       round((m).loglik::numeric, 1) AS loglik, (m).customers, (m).converged
FROM bgnbd_model;

-- the log-likelihood is the sum of the customers' log-likelihoods
SELECT abs(sum(engage.log_likelihood(m, frequency, recency, age)) - (m).loglik) < 1e-6 AS ll_consistent
FROM bgnbd_cdnow, bgnbd_model GROUP BY m;

-- FHL 2005, section 5: customer with x = 2, t_x = 30.43, T = 38.86 is expected to make 1.226
-- purchases in the next 39 weeks (at the published parameters)
SELECT round(engage.expected_purchases(engage.bgnbd(0.243, 4.414, 0.793, 2.426),
                                       39, 2, 30.43, 38.86)::numeric, 3) AS e39;

-- scoring with the fitted model: P(alive), churn, expectations for a few customers
SELECT id, frequency, recency, age,
       round(engage.p_alive(m, frequency, recency, age)::numeric, 4) AS p_alive,
       round(engage.churn_probability(m, frequency, recency, age)::numeric, 4) AS churn,
       round(engage.expected_purchases(m, 39, frequency, recency, age)::numeric, 4) AS e39
FROM bgnbd_cdnow, bgnbd_model WHERE id IN (1, 2, 3, 18, 1516) ORDER BY id;

-- new customers: E[X(39)] (eq. 7) equals the mean of P(X(39) = n) (eq. 8), which sums to 1
SELECT round(engage.expected_purchases(m, 39)::numeric, 4) AS e39,
       round(sum(n * engage.prob_purchases(m, n, 39))::numeric, 4) AS pmf_mean,
       round(sum(engage.prob_purchases(m, n, 39))::numeric, 8) AS pmf_total,
       round(engage.prob_purchases(m, 0, 39)::numeric, 4) AS p0
FROM bgnbd_model, generate_series(0, 300) AS n GROUP BY m;

-- holdout (weeks 40-78): predicted total repeat purchases against the actual ones
CREATE TABLE cdnow_tx (line text);
\copy cdnow_tx FROM 'test/data/cdnow/CDNOW_sample.txt'
CREATE TABLE cdnow_holdout AS
    SELECT id, count(DISTINCT day) AS holdout
    FROM (SELECT split_part(f, ' ', 2)::integer AS id, to_date(split_part(f, ' ', 3), 'YYYYMMDD') AS day
          FROM (SELECT regexp_replace(btrim(line, E' \r'), ' +', ' ', 'g') AS f FROM cdnow_tx) s) t
    WHERE day BETWEEN '1997-10-01' AND '1998-06-30'
    GROUP BY id;
-- (the model's own fit to these data, not a published figure: BG/NBD under-predicts the
-- holdout of this sample by about 12%, Pareto/NBD likewise, see paretonbd_cdnow)
SELECT sum(h.holdout) AS actual,
       round(sum(engage.expected_purchases(m, 39, c.frequency, c.recency, c.age))::numeric, 1) AS predicted,
       abs(sum(engage.expected_purchases(m, 39, c.frequency, c.recency, c.age)) / sum(coalesce(h.holdout, 0)) - 1) < 0.15 AS within_15pct
FROM bgnbd_cdnow c LEFT JOIN cdnow_holdout h USING (id), bgnbd_model;
-- cumulative repeat purchases of the cohort since each first purchase (FHL 2005, figure 2):
-- calibration 2,457, through week 78 4,339 (+1,882); unconditional E[X(T)] and E[X(T + 39)]
SELECT sum(c.frequency) AS actual_39, round(sum(engage.expected_purchases(m, c.age))::numeric, 1) AS predicted_39,
       sum(c.frequency) + sum(coalesce(h.holdout, 0)) AS actual_78,
       round(sum(engage.expected_purchases(m, c.age + 39))::numeric, 1) AS predicted_78,
       abs(sum(engage.expected_purchases(m, c.age + 39)) / (sum(c.frequency) + sum(coalesce(h.holdout, 0))) - 1) < 0.05 AS within_5pct
FROM bgnbd_cdnow c LEFT JOIN cdnow_holdout h USING (id), bgnbd_model;
-- by calibration frequency (FHL 2005, figure 5): actual and predicted mean holdout purchases
SELECT least(c.frequency, 7) AS x, count(*) AS customers,
       round(avg(coalesce(h.holdout, 0))::numeric, 2) AS actual,
       round(avg(engage.expected_purchases(m, 39, c.frequency, c.recency, c.age))::numeric, 2) AS predicted
FROM bgnbd_cdnow c LEFT JOIN cdnow_holdout h USING (id), bgnbd_model
GROUP BY 1 ORDER BY 1;

-- weights: one row per distinct summary with its count gives the same fit
SELECT round((m).r::numeric, 6) = round((w).r::numeric, 6) AND round((m).b::numeric, 6) = round((w).b::numeric, 6)
       AS weighted_same, (w).customers
FROM bgnbd_model,
     (SELECT engage.bgnbd_fit(frequency, recency, age, n) AS w
      FROM (SELECT frequency, recency, age, count(*)::float8 AS n FROM bgnbd_cdnow GROUP BY 1, 2, 3) g) s;

-- the two-step path: a stored sample (engage.fitdata), merged from parts, fits the same
CREATE TABLE bgnbd_parts AS
    SELECT id % 3 AS part, engage.fitdata(frequency, recency, age) AS sample FROM bgnbd_cdnow GROUP BY 1;
SELECT (f).r = (m).r AND (f).alpha = (m).alpha AND (f).a = (m).a AND (f).b = (m).b AS same_as_aggregate,
       (f).loglik = (m).loglik AS same_loglik
FROM bgnbd_model, (SELECT engage.bgnbd_fit(engage.fitdata(frequency, recency, age)) AS f FROM bgnbd_cdnow) s;
SELECT f::text = m::text AS merged_same
FROM bgnbd_model, (SELECT engage.bgnbd_fit(engage.fitdata_merge(sample)) AS f FROM bgnbd_parts) s;

-- a parallel plan gives the serial answer (the sample repeated 20 times: same maximum)
CREATE TABLE bgnbd_big AS SELECT c.* FROM bgnbd_cdnow c, generate_series(1, 20);
ANALYZE bgnbd_big;
SELECT engage.bgnbd_fit(frequency, recency, age)::text AS serial_fit FROM bgnbd_big \gset
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT engage.bgnbd_fit(frequency, recency, age) FROM bgnbd_big;
SELECT round((p).r::numeric, 6) = round((m).r::numeric, 6) AND round((p).alpha::numeric, 6) = round((m).alpha::numeric, 6)
       AND round((p).a::numeric, 6) = round((m).a::numeric, 6) AND round((p).b::numeric, 6) = round((m).b::numeric, 6)
       AS parallel_same,
       round(((p).loglik / (m).loglik)::numeric, 9) AS loglik_ratio, (p).customers,
       p::text = :'serial_fit' AS identical_to_serial
FROM bgnbd_model, (SELECT engage.bgnbd_fit(frequency, recency, age) AS p FROM bgnbd_big) s;
-- partial states that are empty (no row passes the filter in any worker) give NULL
SELECT engage.bgnbd_fit(frequency, recency, age) IS NULL AS empty_parallel FROM bgnbd_big WHERE frequency < 0;
EXPLAIN (COSTS OFF) SELECT engage.fitdata(frequency, recency, age) FROM bgnbd_big;
SELECT engage.bgnbd_fit(engage.fitdata(frequency, recency, age))::text = engage.bgnbd_fit(frequency, recency, age)::text AS two_step_parallel_same
FROM bgnbd_big;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;

DROP TABLE bgnbd_cdnow, bgnbd_model, cdnow_tx, cdnow_holdout, bgnbd_parts, bgnbd_big;

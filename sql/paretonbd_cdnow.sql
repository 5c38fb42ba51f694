-- Pareto/NBD on the CDNOW sample (2,357 customers, 39 weeks), against Fader, Hardie & Lee
-- (2005), "RFM and CLV: using iso-value curves for customer base analysis", and Fader &
-- Hardie's note "A note on deriving the Pareto/NBD model and related expressions" (2005).
SET client_min_messages = warning;   -- no "already exists" notice when an earlier test created it
CREATE EXTENSION IF NOT EXISTS engage;
RESET client_min_messages;

CREATE TABLE pnbd_cdnow (id integer, frequency float8, recency float8, age float8);
\copy pnbd_cdnow FROM 'test/data/cdnow/cdnow_customers_summary.csv' WITH (FORMAT csv, HEADER)

-- published: r = 0.553, alpha = 10.578, s = 0.606, beta = 11.669, LL = -9595.0
CREATE TABLE pnbd_model AS
    SELECT engage.paretonbd_fit(frequency, recency, age) AS m FROM pnbd_cdnow;
SELECT round((m).r::numeric, 3) AS r, round((m).alpha::numeric, 3) AS alpha,
       round((m).s::numeric, 3) AS s, round((m).beta::numeric, 2) AS beta,
       round((m).loglik::numeric, 1) AS loglik, (m).customers, (m).converged
FROM pnbd_model;
-- beta is 11.668 here against 11.669 published: the likelihood is flat along beta, and the
-- fitted maximum is (slightly) higher than the likelihood at the published values
SELECT round((m).beta::numeric, 3) AS beta,
       (m).loglik >= sum(engage.log_likelihood(engage.paretonbd(0.553, 10.578, 0.606, 11.669),
                                               frequency, recency, age)) AS at_least_published,
       abs((m).loglik - sum(engage.log_likelihood(engage.paretonbd(0.553, 10.578, 0.606, 11.669),
                                                  frequency, recency, age))) < 1e-3 AS within_1e3
FROM pnbd_cdnow, pnbd_model GROUP BY m;

-- Fader & Hardie's Pareto/NBD spreadsheet example: customer 1516 (x = 26, t_x = 30.86, T = 31)
-- is expected to make 25.46 purchases in the next 52 weeks
SELECT round(engage.expected_purchases(engage.paretonbd(0.553, 10.578, 0.606, 11.669),
                                       52, 26, 30.86, 31)::numeric, 2) AS e52;

-- scoring with the fitted model
SELECT id, frequency, recency, age,
       round(engage.p_alive(m, frequency, recency, age)::numeric, 4) AS p_alive,
       round(engage.churn_probability(m, frequency, recency, age)::numeric, 4) AS churn,
       round(engage.expected_purchases(m, 39, frequency, recency, age)::numeric, 4) AS e39
FROM pnbd_cdnow, pnbd_model WHERE id IN (1, 2, 3, 18, 1516) ORDER BY id;

-- new customers: E[X(39)] equals the mean of P(X(39) = n) (FH 2006), which sums to 1
SELECT round(engage.expected_purchases(m, 39)::numeric, 4) AS e39,
       round(sum(n * engage.prob_purchases(m, n, 39))::numeric, 4) AS pmf_mean,
       round(sum(engage.prob_purchases(m, n, 39))::numeric, 8) AS pmf_total,
       round(engage.prob_purchases(m, 0, 39)::numeric, 4) AS p0
FROM pnbd_model, generate_series(0, 300) AS n GROUP BY m;

-- cumulative repeat purchases of the cohort (calibration 2,457; through week 78: 4,339)
SELECT round(sum(engage.expected_purchases(m, age))::numeric, 1) AS predicted_39,
       round(sum(engage.expected_purchases(m, age + 39))::numeric, 1) AS predicted_78,
       round(sum(engage.expected_purchases(m, 39, frequency, recency, age))::numeric, 1) AS conditional_holdout
FROM pnbd_cdnow, pnbd_model GROUP BY m;

-- the two-step path and a parallel plan give the serial answer
SELECT engage.paretonbd_fit(engage.fitdata(frequency, recency, age))::text = (SELECT m::text FROM pnbd_model) AS two_step_same
FROM pnbd_cdnow;
CREATE TABLE pnbd_big AS SELECT c.* FROM pnbd_cdnow c, generate_series(1, 10);
ANALYZE pnbd_big;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT engage.paretonbd_fit(frequency, recency, age) FROM pnbd_big;
SELECT round((p).r::numeric, 5) = round((m).r::numeric, 5) AND round((p).alpha::numeric, 5) = round((m).alpha::numeric, 5)
       AND round((p).s::numeric, 5) = round((m).s::numeric, 5) AND round((p).beta::numeric, 4) = round((m).beta::numeric, 4)
       AS parallel_same, (p).customers
FROM pnbd_model, (SELECT engage.paretonbd_fit(frequency, recency, age) AS p FROM pnbd_big) s;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;

DROP TABLE pnbd_cdnow, pnbd_model, pnbd_big;

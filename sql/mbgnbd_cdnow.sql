-- MBG/NBD (Batislam, Denizel & Filiztekin 2007) on the CDNOW sample (2,357 customers, 39 weeks).
-- Reference values as reported by the lifetimes package for these data: r = 0.525,
-- alpha = 6.183, a = 0.891, b = 1.614.
SET client_min_messages = warning;   -- no "already exists" notice when an earlier test created it
CREATE EXTENSION IF NOT EXISTS engage;
RESET client_min_messages;

CREATE TABLE mbg_cdnow (id integer, frequency float8, recency float8, age float8);
\copy mbg_cdnow FROM 'test/data/cdnow/cdnow_customers_summary.csv' WITH (FORMAT csv, HEADER)

CREATE TABLE mbg_model AS
    SELECT engage.mbgnbd_fit(frequency, recency, age) AS m FROM mbg_cdnow;
SELECT round((m).r::numeric, 3) AS r, round((m).alpha::numeric, 3) AS alpha,
       round((m).a::numeric, 3) AS a, round((m).b::numeric, 3) AS b,
       round((m).loglik::numeric, 1) AS loglik, (m).customers, (m).converged
FROM mbg_model;

-- independent check of the maximum: moving any parameter by +-1% lowers the likelihood
SELECT bool_and(sum_ll < (m).loglik) AS is_maximum
FROM (SELECT m, k, f, sum(engage.log_likelihood(
          ROW((m).r * CASE k WHEN 1 THEN f ELSE 1 END, (m).alpha * CASE k WHEN 2 THEN f ELSE 1 END,
              (m).a * CASE k WHEN 3 THEN f ELSE 1 END, (m).b * CASE k WHEN 4 THEN f ELSE 1 END,
              NULL, NULL, NULL, NULL, NULL, NULL)::engage.mbgnbd, frequency, recency, age)) AS sum_ll
      FROM mbg_cdnow, mbg_model, generate_series(1, 4) AS k, unnest(ARRAY[0.99, 1.01]) AS f
      GROUP BY m, k, f) s
GROUP BY m;

-- scoring: unlike BG/NBD, a customer without repeat purchases may already be gone
SELECT id, frequency, recency, age,
       round(engage.p_alive(m, frequency, recency, age)::numeric, 4) AS p_alive,
       round(engage.churn_probability(m, frequency, recency, age)::numeric, 4) AS churn,
       round(engage.expected_purchases(m, 39, frequency, recency, age)::numeric, 4) AS e39
FROM mbg_cdnow, mbg_model WHERE id IN (1, 2, 3, 18, 1516) ORDER BY id;

-- new customers: E[X(39)] equals the mean of P(X(39) = n), which sums to 1
SELECT round(engage.expected_purchases(m, 39)::numeric, 4) AS e39,
       round(sum(n * engage.prob_purchases(m, n, 39))::numeric, 4) AS pmf_mean,
       round(sum(engage.prob_purchases(m, n, 39))::numeric, 8) AS pmf_total,
       round(engage.prob_purchases(m, 0, 39)::numeric, 4) AS p0
FROM mbg_model, generate_series(0, 300) AS n GROUP BY m;

-- two-step path and parallel plan
SELECT engage.mbgnbd_fit(engage.fitdata(frequency, recency, age))::text = (SELECT m::text FROM mbg_model) AS two_step_same
FROM mbg_cdnow;
CREATE TABLE mbg_big AS SELECT c.* FROM mbg_cdnow c, generate_series(1, 20);
ANALYZE mbg_big;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT engage.mbgnbd_fit(frequency, recency, age) FROM mbg_big;
SELECT round((p).r::numeric, 6) = round((m).r::numeric, 6) AND round((p).b::numeric, 6) = round((m).b::numeric, 6)
       AS parallel_same, (p).customers
FROM mbg_model, (SELECT engage.mbgnbd_fit(frequency, recency, age) AS p FROM mbg_big) s;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;

DROP TABLE mbg_cdnow, mbg_model, mbg_big;

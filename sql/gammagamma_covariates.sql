-- engage.gammagamma with spend covariates: customer i's scale v_i = v exp(theta' w_i), so that
-- exp(theta_k) is the factor on the population mean spend per unit of covariate k.
SET client_min_messages = warning;   -- no "already exists" notice when an earlier test created it
CREATE EXTENSION IF NOT EXISTS engage;
RESET client_min_messages;

-- CDNOW spend summaries (946 customers with repeat purchases among 2,357).
CREATE TABLE ggc_cdnow (id integer, x integer, t_x float8, age float8, zbar float8);
\copy ggc_cdnow FROM 'test/data/cdnow/cdnow_customers_summary_with_transactions.csv' WITH (FORMAT csv, HEADER true)

-- 1. All-zero covariates give the model without covariates to the last bit (parameters,
-- loglik, customers); so do empty covariate vectors, which also keep the covariance.  A zero
-- covariate's coefficient stays 0, and the data do not determine it: the fit warns, and its
-- covariance is unknown.
CREATE TABLE ggc_plain AS SELECT engage.gammagamma_fit(x, zbar) AS m FROM ggc_cdnow;
CREATE TABLE ggc_zero AS SELECT engage.gammagamma_fit(x, zbar, ARRAY[0.0, 0.0]) AS m FROM ggc_cdnow;
CREATE TABLE ggc_empty AS SELECT engage.gammagamma_fit(x, zbar, '{}'::float8[]) AS m FROM ggc_cdnow;
SELECT (z.m).p = (p.m).p AND (z.m).q = (p.m).q AND (z.m).v = (p.m).v AS zero_same_parameters,
       (z.m).loglik = (p.m).loglik AND (z.m).customers = (p.m).customers AS zero_same_loglik,
       (z.m).spend_coefficients AS zero_coefficients, (z.m).covariance IS NULL AS zero_covariance_unknown,
       (e.m).p = (p.m).p AND (e.m).q = (p.m).q AND (e.m).v = (p.m).v AND (e.m).loglik = (p.m).loglik
         AND (e.m).covariance = (p.m).covariance AS empty_same_model,
       (e.m).spend_coefficients AS empty_coefficients, (p.m).spend_coefficients IS NULL AS plain_has_none
FROM ggc_plain p, ggc_zero z, ggc_empty e;

-- Scoring with zero (or, for a model without covariates, empty) vectors equals scoring without.
SELECT bool_and(engage.expected_spend(e.m, x, zbar, '{}') = engage.expected_spend(p.m, x, zbar))
         AS empty_vector_same_spend,
       bool_and(engage.expected_spend(e.m, x, zbar, '{}') = engage.expected_spend(e.m, x, zbar))
         AS empty_model_scores_without
FROM ggc_cdnow, ggc_plain p, ggc_empty e;
SELECT engage.expected_spend(engage.gammagamma(6.25, 3.74, 15.44), 2, 30, '{}')
     = engage.expected_spend(engage.gammagamma(6.25, 3.74, 15.44), 2, 30) AS constructor_empty_same;

-- 2. The apparel data (test/data/apparel): per customer the days with transactions (amounts of a
-- day summed), the first dropped, the repeat days up to 2006-12-31 (x) and their mean amount
-- (z); covariates Gender and Channel (0/1).
CREATE TABLE ggc_trans (id integer, day date, price float8);
\copy ggc_trans FROM 'test/data/apparel/apparelTrans.csv' WITH (FORMAT csv, HEADER true)
CREATE TABLE ggc_cov (id integer, gender float8, channel float8);
\copy ggc_cov FROM 'test/data/apparel/apparelStaticCov.csv' WITH (FORMAT csv, HEADER true)
CREATE TABLE ggc_apparel AS
WITH days AS (
    SELECT id, day, sum(price) AS amount, row_number() OVER (PARTITION BY id ORDER BY day) AS n
    FROM ggc_trans GROUP BY id, day)
SELECT id, count(*)::float8 AS x, avg(amount) AS z, gender, channel
FROM days JOIN ggc_cov USING (id)
WHERE n > 1 AND day <= '2006-12-31' GROUP BY id, gender, channel;
SELECT count(*) AS customers, sum(x) AS repeat_days FROM ggc_apparel;

-- The maximum-likelihood estimates and standard errors computed independently
-- (test/reference/gammagamma_covariates.py: the likelihood written out in Python, maximised
-- by scipy, the Hessian by second differences of the log-likelihood):
--   p 3.15351247 (se 0.590200), q 5.58882079 (0.835002), v 54.0289492 (18.3708),
--   spend[1] Gender -0.00597533 (0.0603003), spend[2] Channel 0.04037847 (0.0613539),
--   loglik -1670.43545242.
-- Estimates agree to 1e-5 relative (1e-5 absolute for the coefficients), the loglik to 1e-8,
-- the standard errors to 1e-3 relative.  Neither covariate moves spend much: both intervals
-- contain 0.
CREATE TABLE ggc_apparel_model AS
SELECT engage.gammagamma_fit(x, z, ARRAY[gender, channel]) AS m FROM ggc_apparel;
SELECT parameter, round(estimate::numeric, 4) AS estimate, round(std_error::numeric, 4) AS std_error,
       abs(estimate - ref) <= 1e-5 * greatest(abs(ref), 1) AS estimate_matches,
       abs(std_error / ref_se - 1) < 1e-3 AS std_error_matches,
       lower < 0 AND upper > 0 AS interval_contains_0
FROM engage.parameters((SELECT m FROM ggc_apparel_model))
JOIN (VALUES ('p', 3.15351247194911, 0.590199761191565), ('q', 5.588820787724129, 0.8350017702041201),
             ('v', 54.02894915308803, 18.370750374388233),
             ('spend[1]', -0.005975330356614345, 0.060300312766590744),
             ('spend[2]', 0.040378470560426066, 0.06135394233115614)) AS r(parameter, ref, ref_se)
USING (parameter);
SELECT (m).converged, (m).customers, abs((m).loglik - (-1670.4354524234589)) < 1e-8 AS loglik_matches,
       round(engage.aic(m)::numeric, 4) AS aic, round(engage.bic(m)::numeric, 4) AS bic,
       engage.aic(m) = 2 * 5 - 2 * (m).loglik AS aic_counts_5,
       engage.bic(m) = 5 * ln(387) - 2 * (m).loglik AS bic_counts_5,
       array_dims((m).covariance) AS covariance_dims
FROM ggc_apparel_model;

-- Expected spend of a customer with covariates: v_i = v exp(theta' w) in the closed form.
SELECT round(engage.expected_spend(m, 3, 80, ARRAY[1.0, 1.0])::numeric, 6) AS spend_1_1,
       abs(engage.expected_spend(m, 3, 80, ARRAY[1.0, 1.0])
           - ((m).v * exp((m).spend_coefficients[1] + (m).spend_coefficients[2]) + 3 * 80) * (m).p
             / ((m).p * 3 + (m).q - 1)) < 1e-9 AS matches_closed_form,
       round(engage.expected_spend(m, 0, 0, ARRAY[0.0, 1.0])::numeric, 6) AS new_customer_channel_1
FROM ggc_apparel_model;

-- 3. Simulated customers with known parameters p = 4, q = 5, v = 20, theta = (0.5, -0.3):
-- nu_i ~ Gamma(5, v exp(theta' w_i)), values ~ Gamma(4, nu_i) as sums of exponentials;
-- w1 = 0/1, w2 uniform on [-1, 1]; 4,000 customers with 1 to 6 repeat transactions.  Every
-- estimate is within 3 standard errors and 15% (coefficients: 0.05) of the truth, and each 95%
-- interval covers it.
SET max_parallel_workers_per_gather = 0;
SELECT setseed(0.25);
CREATE TABLE ggc_sim AS
WITH c AS (
    SELECT i, 1 + i % 6 AS x, (i % 2)::float8 AS w1, round((2 * random() - 1)::numeric, 3)::float8 AS w2
    FROM generate_series(1, 4000) i),
nu AS (
    SELECT c.*, (SELECT sum(-ln(1 - random())) FROM generate_series(1, 5) WHERE c.i > 0)
                / (20 * exp(0.5 * w1 - 0.3 * w2)) AS nu
    FROM c)
SELECT i, x, w1, w2,
       (SELECT sum(-ln(1 - random())) FROM generate_series(1, 4 * nu.x) WHERE nu.i > 0) / nu.nu / x AS z
FROM nu;
RESET max_parallel_workers_per_gather;
SELECT parameter, abs(estimate - truth) < 3 * std_error AS within_3_se,
       abs(estimate - truth) < CASE WHEN parameter LIKE 'spend%' THEN 0.05 ELSE 0.15 * truth END AS within_tolerance,
       lower <= truth AND truth <= upper AS interval_covers
FROM engage.parameters((SELECT engage.gammagamma_fit(x, z, ARRAY[w1, w2]) FROM ggc_sim))
JOIN (VALUES ('p', 4.0), ('q', 5.0), ('v', 20.0), ('spend[1]', 0.5), ('spend[2]', -0.3)) AS t(parameter, truth)
USING (parameter);

-- 4. Penalizer: shrinks the coefficients only, towards 0; 0 is the unpenalised fit.
SELECT (a.m)::text = (b.m)::text AS penalizer_0_same,
       abs((c.m).spend_coefficients[1]) < abs((a.m).spend_coefficients[1]) AS penalizer_shrinks,
       (c.m).converged AS penalised_converged
FROM (SELECT engage.gammagamma_fit(x, z, ARRAY[w1, w2]) AS m FROM ggc_sim) a,
     (SELECT engage.gammagamma_fit(x, z, ARRAY[w1, w2], 1.0, 0.0) AS m FROM ggc_sim) b,
     (SELECT engage.gammagamma_fit(x, z, ARRAY[w1, w2], 1.0, 500.0) AS m FROM ggc_sim) c;

-- Weights: a row of weight 2 is the same customer twice.
SELECT (SELECT engage.gammagamma_fit(x, z, ARRAY[gender, channel], 2.0) FROM ggc_apparel)::text
     = (SELECT engage.gammagamma_fit(x, z, ARRAY[gender, channel])
        FROM (SELECT * FROM ggc_apparel UNION ALL SELECT * FROM ggc_apparel) d)::text AS weight_2_is_twice;

-- 5. Plan independence: partial states of forced parallel plans combine to the serial fit,
-- bit for bit.
SET max_parallel_workers_per_gather = 0;
SELECT engage.gammagamma_fit(x, z, ARRAY[w1, w2])::text AS serial FROM ggc_sim \gset
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SELECT engage.gammagamma_fit(x, z, ARRAY[w1, w2])::text = :'serial' AS parallel_same FROM ggc_sim;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;

-- 6. Errors.
-- a model with covariates scored without them, or with vectors of the wrong length
SELECT engage.expected_spend(m, 2, 30) FROM ggc_apparel_model;
SELECT engage.expected_spend(m, 2, 30, ARRAY[1.0]) FROM ggc_apparel_model;
SELECT engage.expected_spend(engage.gammagamma(1, 2, 3), 2, 30, ARRAY[1.0]);
SELECT engage.expected_spend(m, 2, 30, ARRAY[1.0, NULL]) FROM ggc_apparel_model;
SELECT engage.expected_spend(m, 2, 30, ARRAY[[1.0, 1.0]]) FROM ggc_apparel_model;
SELECT engage.expected_spend(m, 2, 30, ARRAY[1.0, 'NaN']) FROM ggc_apparel_model;
-- clv takes no spend covariates yet: a Gamma-Gamma model with covariates is refused
SELECT engage.clv(engage.bgnbd(0.24, 4.41, 0.79, 2.43), m, 2, 30, 38, 50, 52, 0.01, 1)
FROM ggc_apparel_model;
-- rows with covariate vectors of different lengths
SELECT engage.gammagamma_fit(x, z, CASE WHEN id = 10 THEN ARRAY[gender] ELSE ARRAY[gender, channel] END)
FROM ggc_apparel;
SELECT engage.gammagamma_fit(x, z, ARRAY[gender, NULL]) FROM ggc_apparel;
SELECT engage.gammagamma_fit(x, z, array_fill(1.0::float8, ARRAY[9])) FROM ggc_apparel;
SELECT engage.gammagamma_fit(x, z, ARRAY[gender], 1.0, -1) FROM ggc_apparel;
SELECT engage.gammagamma_fit(x, z, ARRAY[gender], 1.0, CASE WHEN id = 10 THEN 2 ELSE 1 END) FROM ggc_apparel;
-- NULL rows are skipped
SELECT (SELECT engage.gammagamma_fit(x, z, CASE WHEN id % 10 = 0 THEN NULL ELSE ARRAY[gender, channel] END)
        FROM ggc_apparel)::text
     = (SELECT engage.gammagamma_fit(x, z, ARRAY[gender, channel]) FROM ggc_apparel WHERE id % 10 <> 0)::text
       AS null_rows_skipped;

-- 7. Not determined: a covariate equal to 1 for everyone duplicates ln v, and one equal to
-- 1 - gender duplicates ln v and gender together; the fit cannot tell them apart, and says so
-- (WARNING, covariance unknown) rather than report a meaningless covariance.  Its expected
-- spend, which depends on v exp(theta) only, is still that of the model without covariates.
SELECT (m).converged, (m).covariance IS NULL AS covariance_unknown,
       abs(engage.expected_spend(m, 3, 80, ARRAY[1.0]) / engage.expected_spend(
           (SELECT engage.gammagamma_fit(x, z) FROM ggc_apparel), 3, 80) - 1) < 1e-6 AS same_spend
FROM (SELECT engage.gammagamma_fit(x, z, ARRAY[1.0]) AS m FROM ggc_apparel) f;
SELECT (m).converged, (m).covariance IS NULL AS covariance_unknown
FROM (SELECT engage.gammagamma_fit(x, z, ARRAY[gender, channel, 1 - gender]) AS m FROM ggc_apparel) f;

DROP TABLE ggc_cdnow, ggc_plain, ggc_zero, ggc_empty, ggc_trans, ggc_cov, ggc_apparel,
           ggc_apparel_model, ggc_sim;

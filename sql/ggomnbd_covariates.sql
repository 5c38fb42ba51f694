-- GGompertz/NBD with static covariates, as CLVTools' ggomnbd: a customer with purchase
-- covariates x_i and dropout covariates z_i has alpha_i = alpha exp(-gamma'x_i) and
-- beta_i = beta exp(-delta'z_i) (gamma in purchase_coefficients, delta in
-- dropout_coefficients); the Gompertz shape b and r, s are shared.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS engage;
RESET client_min_messages;

-- 1. One customer's log-likelihood against the individual-level likelihood integrated
-- numerically over the gamma mixing of lambda and eta (mpmath,
-- test/reference/ggomnbd_covariates.py): within 1e-9 relative.  gamma = {0.3, -0.2},
-- delta = {0.5, 0.1}; model 1 (0.55, 10.6, 0.1, 0.6, 2), model 2 (0.243, 4.41, 0.02, 1.5, 0.8).
CREATE TABLE gcov_reference (model int, n int, frequency float8, recency float8, age float8,
                             xp float8[], xd float8[], reference float8);
INSERT INTO gcov_reference
SELECT r.model, c.n, c.frequency, c.recency, c.age, c.xp, c.xd, r.reference
FROM (VALUES (1, 0, 0.0, 38.0, '{1,0}'::float8[], '{0,1}'::float8[]),
             (2, 2, 30.43, 38.86, '{1,1}', '{1,0}'),
             (3, 5, 10.0, 40.0, '{0.5,-1.2}', '{2,0.3}'),
             (4, 1, 1.0, 2.0, '{0,0}', '{0,0}'),
             (5, 12, 70.5, 104.0, '{0,1}', '{1,1}')) AS c(n, frequency, recency, age, xp, xd)
JOIN (VALUES
    (1, 1, -0.549968593490913), (1, 2, -10.4139754296408), (1, 3, -13.5313544903157),
    (1, 4, -3.25526092534524), (1, 5, -41.1212768880851),
    (2, 1, -0.401913380541068), (2, 2, -10.7107741004224), (2, 3, -13.6034006892935),
    (2, 4, -3.39680029732924), (2, 5, -40.6141135698656)) AS r(model, n, reference) USING (n);
SELECT model, n,
       abs(engage.log_likelihood(CASE model
                                     WHEN 1 THEN engage.ggomnbd(0.55, 10.6, 0.1, 0.6, 2, '{0.3,-0.2}', '{0.5,0.1}')
                                     ELSE engage.ggomnbd(0.243, 4.41, 0.02, 1.5, 0.8, '{0.3,-0.2}', '{0.5,0.1}')
                                 END, frequency, recency, age, xp, xd) / reference - 1) < 1e-9 AS matches_integral
FROM gcov_reference ORDER BY model, n;

-- 2. Scoring a customer with covariates is scoring the model at the customer's parameters
-- (alpha_i = 10.6 exp(-0.1), beta_i = 2 exp(-0.5)).
SELECT engage.log_likelihood(m, 2, 30.43, 38.86, '{1,1}', '{1,0}') =
       engage.log_likelihood(c, 2, 30.43, 38.86) AS loglik,
       abs(engage.p_alive(m, 2, 30.43, 38.86, '{1,1}', '{1,0}') /
           engage.p_alive(c, 2, 30.43, 38.86) - 1) < 1e-14 AS p_alive,
       abs(engage.churn_probability(m, 2, 30.43, 38.86, '{1,1}', '{1,0}') /
           engage.churn_probability(c, 2, 30.43, 38.86) - 1) < 1e-14 AS churn,
       abs(engage.expected_purchases(m, 52, 2, 30.43, 38.86, '{1,1}', '{1,0}') /
           engage.expected_purchases(c, 52, 2, 30.43, 38.86) - 1) < 1e-14 AS expected,
       abs(engage.expected_purchases(m, 52, '{1,1}', '{1,0}') /
           engage.expected_purchases(c, 52) - 1) < 1e-14 AS expected_new,
       abs(engage.clv(m, engage.gammagamma(6.25, 3.74, 15.44), 2, 30.43, 38.86, 22, 52, 0.01, 4.345,
                      '{1,1}', '{1,0}') /
           engage.clv(c, engage.gammagamma(6.25, 3.74, 15.44), 2, 30.43, 38.86, 22, 52, 0.01, 4.345) - 1)
           < 1e-14 AS clv,
       engage.clv(m, engage.gammagamma(6.25, 3.74, 15.44), 2, 30.43, 38.86, 22, 52, 0.01, 4.345,
                  '{1,1}', '{1,0}', '{}') =
       engage.clv(m, engage.gammagamma(6.25, 3.74, 15.44), 2, 30.43, 38.86, 22, 52, 0.01, 4.345,
                  '{1,1}', '{1,0}') AS clv_spend_form,
       (SELECT array_agg(ROW(frequency, recency)) FROM engage.ggomnbd_simulate(m, 20, 52, 5, '{1,1}', '{1,0}')) =
       (SELECT array_agg(ROW(frequency, recency)) FROM engage.ggomnbd_simulate(c, 20, 52, 5)) AS simulate
FROM (SELECT engage.ggomnbd(0.55, 10.6, 0.1, 0.6, 2, '{0.3,-0.2}', '{0.5,0.1}') AS m,
             engage.ggomnbd(0.55, 10.6 * exp(-0.1), 0.1, 0.6, 2 * exp(-0.5)) AS c) s;
-- a model without covariates scores the same with empty vectors; one with covariates needs them
SELECT engage.p_alive(m, 2, 30.43, 38.86) = engage.p_alive(m, 2, 30.43, 38.86, '{}', '{}') AS same_empty,
       engage.log_likelihood(m, 2, 30.43, 38.86) =
       engage.log_likelihood(m, 2, 30.43, 38.86, '{}', '{}') AS same_empty_loglik,
       engage.clv(m, engage.gammagamma(6.25, 3.74, 15.44), 2, 30.43, 38.86, 22, 52, 0.01, 4.345) =
       engage.clv(m, engage.gammagamma(6.25, 3.74, 15.44), 2, 30.43, 38.86, 22, 52, 0.01, 4.345, '{}', '{}')
       AS same_empty_clv
FROM (SELECT engage.ggomnbd(0.55, 10.6, 0.1, 0.6, 2) AS m) s;
\set VERBOSITY default
SELECT engage.p_alive(engage.ggomnbd(0.55, 10.6, 0.1, 0.6, 2, '{0.3}', '{}'), 2, 30.43, 38.86);
SELECT engage.log_likelihood(engage.ggomnbd(0.55, 10.6, 0.1, 0.6, 2, '{}', '{0.5}'), 2, 30.43, 38.86);
SELECT engage.p_alive(engage.ggomnbd(0.55, 10.6, 0.1, 0.6, 2, '{0.3}', '{}'), 2, 30.43, 38.86,
                      '{1,0}', '{}');
SELECT engage.p_alive(engage.ggomnbd(0.55, 10.6, 0.1, 0.6, 2, '{0.3}', '{}'), 2, 30.43, 38.86,
                      '{NULL}', '{}');
\set VERBOSITY terse

-- 3. The Pareto/NBD limit: b -> 0 with beta / b held at Pareto/NBD's beta (sql/ggomnbd.sql),
-- the same coefficients: the covariate log-likelihood tends to Pareto/NBD's covariate
-- log-likelihood (at b = 1e-8 to about b T relative).
SELECT max(abs(engage.log_likelihood(engage.ggomnbd(0.55, 10.58, 1e-8, 0.61, 11.67e-8, '{0.3,-0.2}', '{0.5,0.1}'),
                                     frequency, recency, age, xp, xd) /
               engage.log_likelihood(engage.paretonbd(0.55, 10.58, 0.61, 11.67, '{0.3,-0.2}', '{0.5,0.1}'),
                                     frequency, recency, age, xp, xd) - 1)) < 1e-5 AS loglik_limit,
       max(abs(engage.p_alive(engage.ggomnbd(0.55, 10.58, 1e-8, 0.61, 11.67e-8, '{0.3,-0.2}', '{0.5,0.1}'),
                              frequency, recency, age, xp, xd) /
               engage.p_alive(engage.paretonbd(0.55, 10.58, 0.61, 11.67, '{0.3,-0.2}', '{0.5,0.1}'),
                              frequency, recency, age, xp, xd) - 1)) < 1e-5 AS p_alive_limit
FROM gcov_reference WHERE model = 1;

-- 4. Recovery: 2,000 customers simulated in four groups (a purchase and a dropout dummy)
-- from known coefficients, observed for 104 weeks: the fit converges, recovers every base
-- parameter within 25% and each coefficient within 0.25, and every 95% Wald interval covers
-- the truth.  r = 0.8, alpha = 6, b = 0.05, s = 1.2, beta = 3, gamma = 0.5, delta = -0.7.
CREATE TABLE gcov_sim AS
SELECT g1, g2, s.*
FROM generate_series(0, 1) g1, generate_series(0, 1) g2,
     LATERAL engage.ggomnbd_simulate(engage.ggomnbd(0.8, 6, 0.05, 1.2, 3, '{0.5}', '{-0.7}'),
                                     500, 104, 40 + 2 * g1 + g2, ARRAY[g1::float8], ARRAY[g2::float8]) s;
CREATE TABLE gcov_fit AS
SELECT engage.ggomnbd_fit(frequency, recency, age, ARRAY[g1::float8], ARRAY[g2::float8]) AS m
FROM gcov_sim;
SELECT p.parameter, t.truth,
       CASE WHEN p.parameter LIKE '%[%' THEN abs(p.estimate - t.truth) < 0.25
            ELSE abs(p.estimate / t.truth - 1) < 0.25 END AS recovered,
       p.lower <= t.truth AND t.truth <= p.upper AS covered
FROM gcov_fit, engage.parameters(m) p
JOIN (VALUES ('r', 0.8), ('alpha', 6), ('b', 0.05), ('s', 1.2), ('beta', 3),
             ('purchase[1]', 0.5), ('dropout[1]', -0.7)) t(parameter, truth) USING (parameter)
ORDER BY p.parameter;
-- the fitted model's loglik is the sum of its customers' log-likelihoods; aic and bic count
-- the coefficients
SELECT (m).converged,
       abs((m).loglik - sum(engage.log_likelihood(m, frequency, recency, age, ARRAY[g1::float8],
                                                  ARRAY[g2::float8]))) < 1e-6 * abs((m).loglik) AS sums,
       engage.aic(m) = 2 * 7 - 2 * (m).loglik AS aic_counts_7,
       engage.bic(m) = 7 * ln((m).customers) - 2 * (m).loglik AS bic_counts_7,
       array_length((m).covariance, 1) AS covariance_rows
FROM gcov_fit, gcov_sim
GROUP BY m;
-- prediction intervals of customers with covariates: the estimate is the score, the
-- interval brackets it
SELECT g1, g2, (i).estimate = engage.p_alive(m, 3, 20, 52, ARRAY[g1::float8], ARRAY[g2::float8]) AS same_estimate,
       (i).lower < (i).estimate AND (i).estimate < (i).upper AS brackets,
       (e).estimate = engage.expected_purchases(m, 26, 3, 20, 52, ARRAY[g1::float8], ARRAY[g2::float8]) AS same_expected,
       (e).lower < (e).estimate AND (e).estimate < (e).upper AS brackets_expected
FROM gcov_fit, generate_series(0, 1) g1, generate_series(0, 1) g2,
     LATERAL (SELECT engage.p_alive_interval(m, 3, 20, 52, ARRAY[g1::float8], ARRAY[g2::float8]) AS i,
                     engage.expected_purchases_interval(m, 26, 3, 20, 52, ARRAY[g1::float8], ARRAY[g2::float8]) AS e) x
ORDER BY 1, 2;

-- 5. All-zero covariates give the model without covariates exactly (parameters and
-- likelihood); their coefficients are not determined, which the fit reports (converged, no
-- covariance).  Empty vectors give the model without covariates itself.  300 customers of
-- the simulated sample.
CREATE TABLE gcov_small AS SELECT * FROM gcov_sim WHERE g1 = 0 AND g2 = 0 LIMIT 300;
\set VERBOSITY default
SELECT (m0).r = (m1).r AND (m0).alpha = (m1).alpha AND (m0).b = (m1).b AND (m0).s = (m1).s
       AND (m0).beta = (m1).beta AND (m0).loglik = (m1).loglik AS same, (m0).converged,
       (m1).converged AS zero_converged, (m1).covariance IS NULL AS zero_no_covariance,
       (m1).purchase_coefficients, (m1).dropout_coefficients
FROM (SELECT engage.ggomnbd_fit(frequency, recency, age) AS m0,
             engage.ggomnbd_fit(frequency, recency, age, '{0}'::float8[], '{0,0}'::float8[]) AS m1
      FROM gcov_small) s;
\set VERBOSITY terse
SELECT engage.ggomnbd_fit(frequency, recency, age)::text =
       engage.ggomnbd_fit(frequency, recency, age, '{}'::float8[], '{}'::float8[])::text AS empty_same
FROM gcov_small;

-- 6. One fit, whatever the plan: serial against a forced parallel plan (partial states
-- serialised and combined) to the last bit, and the stored sample (engage.fitdata with
-- covariates) against the aggregate, on 400 more customers of the four groups; the
-- bootstrap of that stored sample.
CREATE TABLE gcov_plan AS
SELECT g1, g2, s.*
FROM generate_series(0, 1) g1, generate_series(0, 1) g2,
     LATERAL engage.ggomnbd_simulate(engage.ggomnbd(0.8, 6, 0.05, 1.2, 3, '{0.5}', '{-0.7}'),
                                     100, 104, 50 + 2 * g1 + g2, ARRAY[g1::float8], ARRAY[g2::float8]) s;
SET max_parallel_workers_per_gather = 0;
SELECT engage.ggomnbd_fit(frequency, recency, age, ARRAY[g1::float8], ARRAY[g2::float8])::text AS fit
FROM gcov_plan \gset serial_
SELECT (:'serial_fit'::engage.ggomnbd).converged;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF)
SELECT engage.ggomnbd_fit(frequency, recency, age, ARRAY[g1::float8], ARRAY[g2::float8]) FROM gcov_plan;
SELECT engage.ggomnbd_fit(frequency, recency, age, ARRAY[g1::float8], ARRAY[g2::float8])::text = :'serial_fit'
       AS parallel_same
FROM gcov_plan;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
SELECT engage.ggomnbd_fit(engage.fitdata(frequency, recency, age, ARRAY[g1::float8], ARRAY[g2::float8]))::text
       = :'serial_fit' AS fitdata_same
FROM gcov_plan;
-- the bootstrap of a sample with covariates: replicates refit the coefficients
SELECT (rep).converged, (rep).customers, cardinality((rep).purchase_coefficients) AS purchase,
       cardinality((rep).dropout_coefficients) AS dropout,
       (rep).purchase_coefficients <> (:'serial_fit'::engage.ggomnbd).purchase_coefficients AS resampled
FROM engage.ggomnbd_bootstrap((SELECT engage.fitdata(frequency, recency, age, ARRAY[g1::float8], ARRAY[g2::float8])
                               FROM gcov_plan), 1, 3) rep;

-- 7. The apparel data of CLVTools (600 customers, weekly, calibration to 2006-12-31): Gender
-- and Channel in both processes.  As without covariates (sql/ggomnbd.sql), the maximum is at
-- the Pareto/NBD boundary: b runs off to 0 with beta / b tending to the Pareto/NBD fit's
-- beta, the same coefficients and log-likelihood; the fit says so (converged = false, the
-- Pareto/NBD hint) instead of returning a model.
CREATE TABLE gcov_apparel_trans (id int, day date, price float8);
\copy gcov_apparel_trans FROM 'test/data/apparel/apparelTrans.csv' WITH (FORMAT csv, HEADER)
CREATE TABLE gcov_apparel_cov (id int, gender float8, channel float8);
\copy gcov_apparel_cov FROM 'test/data/apparel/apparelStaticCov.csv' WITH (FORMAT csv, HEADER)
CREATE TABLE gcov_apparel AS
SELECT c.id, c.gender, c.channel,
       count(DISTINCT t.day) FILTER (WHERE t.day <= '2006-12-31') - 1 AS frequency,
       (max(t.day) FILTER (WHERE t.day <= '2006-12-31') - min(t.day)) / 7.0 AS recency,
       ('2006-12-31'::date - min(t.day)) / 7.0 AS age
FROM gcov_apparel_cov c JOIN gcov_apparel_trans t USING (id)
GROUP BY c.id, c.gender, c.channel;
\set VERBOSITY default
CREATE TABLE gcov_apparel_fit AS
SELECT engage.ggomnbd_fit(frequency, recency, age, ARRAY[gender, channel], ARRAY[gender, channel]) AS g,
       engage.paretonbd_fit(frequency, recency, age, ARRAY[gender, channel], ARRAY[gender, channel]) AS p
FROM gcov_apparel;
\set VERBOSITY terse
SELECT (g).converged, (g).covariance IS NULL AS no_covariance, (g).b < 1e-6 AS b_to_0,
       abs((g).beta / (g).b / (p).beta - 1) < 1e-3 AS beta_over_b_is_pareto_beta,
       abs((g).r / (p).r - 1) < 1e-3 AND abs((g).alpha / (p).alpha - 1) < 1e-3
       AND abs((g).s / (p).s - 1) < 1e-3 AS pareto_r_alpha_s,
       (SELECT max(abs(a - c)) FROM unnest((g).purchase_coefficients || (g).dropout_coefficients,
                                           (p).purchase_coefficients || (p).dropout_coefficients) u(a, c))
           < 1e-3 AS pareto_coefficients,
       round((g).loglik::numeric, 2) AS loglik, abs((g).loglik - (p).loglik) < 1e-3 AS pareto_loglik,
       (p).converged AS pareto_converged
FROM gcov_apparel_fit;
-- a model that did not converge is not scored
SELECT engage.p_alive(g, 2, 30, 52, '{1,0}', '{1,0}') FROM gcov_apparel_fit;

DROP TABLE gcov_reference, gcov_sim, gcov_fit, gcov_small, gcov_plan, gcov_apparel_trans,
           gcov_apparel_cov, gcov_apparel, gcov_apparel_fit;

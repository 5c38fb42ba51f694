-- Static covariates in the counting models (Fader & Hardie 2007, "Incorporating time-invariant
-- covariates into the Pareto/NBD and BG/NBD models"): Pareto/NBD alpha_i = alpha exp(-gamma'x_i),
-- beta_i = beta exp(-delta'z_i); BG/NBD and MBG/NBD alpha_i = alpha exp(-gamma'x_i),
-- a_i = a exp(delta'z_i), b_i = b exp(delta'z_i).
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS engage;
RESET client_min_messages;

-- 1. One customer's log-likelihood against the individual-level likelihood integrated
-- numerically over the mixing distributions (mpmath, test/reference/btyd_covariates.py):
-- within 1e-9 relative.  gamma = {0.3, -0.2}, delta = {0.5, 0.1}.
CREATE TABLE cov_reference (model text, n int, frequency float8, recency float8, age float8,
                            xp float8[], xd float8[], reference float8);
INSERT INTO cov_reference
SELECT m.model, c.n, c.frequency, c.recency, c.age, c.xp, c.xd, r.reference
FROM (VALUES (1, 0, 0.0, 38.0, '{1,0}'::float8[], '{0,1}'::float8[]),
             (2, 2, 30.43, 38.86, '{1,1}', '{1,0}'),
             (3, 5, 10.0, 40.0, '{0.5,-1.2}', '{2,0.3}'),
             (4, 1, 1.0, 2.0, '{0,0}', '{0,0}'),
             (5, 12, 70.5, 104.0, '{0,1}', '{1,1}')) AS c(n, frequency, recency, age, xp, xd)
CROSS JOIN (VALUES ('paretonbd'), ('bgnbd'), ('mbgnbd')) AS m(model)
JOIN (VALUES
    ('paretonbd', 1, -0.588186154443226), ('paretonbd', 2, -9.78601864709765), ('paretonbd', 3, -14.027909165212),
    ('paretonbd', 4, -3.26689965581431), ('paretonbd', 5, -40.0378666745462),
    ('bgnbd', 1, -0.616090985163792), ('bgnbd', 2, -9.44866969194808), ('bgnbd', 3, -13.6671049574352), ('bgnbd', 4, -3.30781983204847), ('bgnbd', 5, -39.9143884575996),
    ('mbgnbd', 1, -0.425627560126918), ('mbgnbd', 2, -9.69700387394651), ('mbgnbd', 3, -13.9273912638282), ('mbgnbd', 4, -3.60367712168403),
    ('mbgnbd', 5, -40.0545639747513)) AS r(model, n, reference) USING (model, n);
SELECT model, n,
       abs(CASE model
               WHEN 'paretonbd' THEN engage.log_likelihood(
                   engage.paretonbd(0.553, 10.578, 0.606, 11.669, '{0.3,-0.2}', '{0.5,0.1}'),
                   frequency, recency, age, xp, xd)
               WHEN 'bgnbd' THEN engage.log_likelihood(
                   engage.bgnbd(0.243, 4.414, 0.793, 2.426, '{0.3,-0.2}', '{0.5,0.1}'),
                   frequency, recency, age, xp, xd)
               ELSE engage.log_likelihood(
                   engage.mbgnbd(0.243, 4.414, 0.793, 2.426, '{0.3,-0.2}', '{0.5,0.1}'),
                   frequency, recency, age, xp, xd)
           END / reference - 1) < 1e-9 AS matches_integral
FROM cov_reference ORDER BY model, n;

-- 2. Scoring a customer with covariates is scoring the model at the customer's parameters.
SELECT abs(engage.p_alive(m, 2, 30.43, 38.86, '{1,1}', '{1,0}') /
           engage.p_alive(engage.paretonbd(0.553, 10.578 * exp(-0.1), 0.606, 11.669 * exp(-0.5)),
                          2, 30.43, 38.86) - 1) < 1e-14 AS p_alive,
       abs(engage.expected_purchases(m, 52, 2, 30.43, 38.86, '{1,1}', '{1,0}') /
           engage.expected_purchases(engage.paretonbd(0.553, 10.578 * exp(-0.1), 0.606, 11.669 * exp(-0.5)),
                                     52, 2, 30.43, 38.86) - 1) < 1e-14 AS expected,
       abs(engage.expected_purchases(m, 52, '{1,1}', '{1,0}') /
           engage.expected_purchases(engage.paretonbd(0.553, 10.578 * exp(-0.1), 0.606, 11.669 * exp(-0.5)),
                                     52) - 1) < 1e-14 AS expected_new,
       abs(engage.prob_purchases(m, 3, 52, '{1,1}', '{1,0}') /
           engage.prob_purchases(engage.paretonbd(0.553, 10.578 * exp(-0.1), 0.606, 11.669 * exp(-0.5)),
                                 3, 52) - 1) < 1e-14 AS prob,
       abs(engage.churn_probability(m, 2, 30.43, 38.86, '{1,1}', '{1,0}') +
           engage.p_alive(m, 2, 30.43, 38.86, '{1,1}', '{1,0}') - 1) < 1e-15 AS churn,
       abs(engage.clv(m, engage.gammagamma(6.25, 3.74, 15.44), 2, 30.43, 38.86, 22, 52, 0.01, 4.345,
                      '{1,1}', '{1,0}') /
           engage.clv(engage.paretonbd(0.553, 10.578 * exp(-0.1), 0.606, 11.669 * exp(-0.5)),
                      engage.gammagamma(6.25, 3.74, 15.44), 2, 30.43, 38.86, 22, 52, 0.01, 4.345) - 1)
           < 1e-14 AS clv
FROM (SELECT engage.paretonbd(0.553, 10.578, 0.606, 11.669, '{0.3,-0.2}', '{0.5,0.1}') AS m) s;
SELECT abs(engage.p_alive(m, 2, 30.43, 38.86, '{1,1}', '{1,0}') /
           engage.p_alive(engage.bgnbd(0.243, 4.414 * exp(-0.1), 0.793 * exp(0.5), 2.426 * exp(0.5)),
                          2, 30.43, 38.86) - 1) < 1e-14 AS bg_p_alive,
       abs(engage.expected_purchases(m, 52, 2, 30.43, 38.86, '{1,1}', '{1,0}') /
           engage.expected_purchases(engage.bgnbd(0.243, 4.414 * exp(-0.1), 0.793 * exp(0.5), 2.426 * exp(0.5)),
                                     52, 2, 30.43, 38.86) - 1) < 1e-14 AS bg_expected
FROM (SELECT engage.bgnbd(0.243, 4.414, 0.793, 2.426, '{0.3,-0.2}', '{0.5,0.1}') AS m) s;
-- a model without covariates scores the same with empty vectors; one with covariates needs them
SELECT engage.p_alive(m, 2, 30.43, 38.86) = engage.p_alive(m, 2, 30.43, 38.86, '{}', '{}') AS same_empty,
       engage.clv(m, engage.gammagamma(6.25, 3.74, 15.44), 2, 30.43, 38.86, 22, 52, 0.01, 4.345) =
       engage.clv(m, engage.gammagamma(6.25, 3.74, 15.44), 2, 30.43, 38.86, 22, 52, 0.01, 4.345, '{}', '{}')
       AS same_empty_clv
FROM (SELECT engage.paretonbd(0.553, 10.578, 0.606, 11.669) AS m) s;
\set VERBOSITY default
SELECT engage.p_alive(engage.paretonbd(0.553, 10.578, 0.606, 11.669, '{0.3}', '{}'), 2, 30.43, 38.86);
SELECT engage.p_alive(engage.paretonbd(0.553, 10.578, 0.606, 11.669, '{0.3}', '{}'), 2, 30.43, 38.86,
                      '{1,0}', '{}');
SELECT engage.p_alive(engage.paretonbd(0.553, 10.578, 0.606, 11.669, '{0.3}', '{}'), 2, 30.43, 38.86,
                      '{NULL}', '{}');
\set VERBOSITY terse
-- Pareto/NBD's form without covariates remembers the model it read last by its bytes: a
-- model with empty coefficient arrays (no covariates) and then the same one with a
-- coefficient must not pass as the same.
SELECT engage.p_alive(m, 2, 30.43, 38.86)
FROM (VALUES (1, '(0.553,10.578,0.606,11.669,-9595,2357,t,,{},{})'::engage.paretonbd),
             (2, '(0.553,10.578,0.606,11.669,-9595,2357,t,,{0.3},{})'::engage.paretonbd)) v(i, m)
ORDER BY i;

-- 3. All-zero covariates give the model without covariates exactly (parameters and
-- likelihood); the coefficients are then not determined, which the fit reports.  Empty
-- vectors give the model without covariates itself.
CREATE TABLE cov_cdnow (id integer, frequency float8, recency float8, age float8);
\copy cov_cdnow FROM 'test/data/cdnow/cdnow_customers_summary.csv' WITH (FORMAT csv, HEADER)
\set VERBOSITY default
SELECT (m0).r = (m1).r AND (m0).alpha = (m1).alpha AND (m0).s = (m1).s AND (m0).beta = (m1).beta
       AND (m0).loglik = (m1).loglik AS pnbd_same, (m1).converged, (m1).purchase_coefficients,
       (m1).dropout_coefficients
FROM (SELECT engage.paretonbd_fit(frequency, recency, age) AS m0,
             engage.paretonbd_fit(frequency, recency, age, '{0}'::float8[], '{0,0}'::float8[]) AS m1
      FROM cov_cdnow) s;
\set VERBOSITY terse
SET client_min_messages = error;
SELECT (m0).r = (m1).r AND (m0).alpha = (m1).alpha AND (m0).a = (m1).a AND (m0).b = (m1).b
       AND (m0).loglik = (m1).loglik AS bgnbd_same, (m1).converged
FROM (SELECT engage.bgnbd_fit(frequency, recency, age) AS m0,
             engage.bgnbd_fit(frequency, recency, age, '{0}'::float8[], '{0}'::float8[]) AS m1
      FROM cov_cdnow) s;
SELECT (m0).r = (m1).r AND (m0).alpha = (m1).alpha AND (m0).a = (m1).a AND (m0).b = (m1).b
       AND (m0).loglik = (m1).loglik AS mbgnbd_same, (m1).converged
FROM (SELECT engage.mbgnbd_fit(frequency, recency, age) AS m0,
             engage.mbgnbd_fit(frequency, recency, age, '{0}'::float8[], '{0}'::float8[]) AS m1
      FROM cov_cdnow) s;
RESET client_min_messages;
SELECT engage.paretonbd_fit(frequency, recency, age)::text =
       engage.paretonbd_fit(frequency, recency, age, '{}'::float8[], '{}'::float8[])::text AS pnbd_empty,
       engage.bgnbd_fit(frequency, recency, age, 1, 0.01)::text =
       engage.bgnbd_fit(frequency, recency, age, '{}'::float8[], '{}'::float8[], 1, 0.01)::text AS bgnbd_empty_penalized
FROM cov_cdnow;

-- 4. Recovery: 20,000 customers simulated in four groups (a purchase and a dropout dummy)
-- from known coefficients; the fits recover every parameter within 10% (coefficients within
-- 0.1) and the 95% Wald intervals cover the truth.  Pareto/NBD r = 0.55, alpha = 10.5,
-- s = 0.6, beta = 11.7, gamma = 0.5, delta = -0.7; BG/NBD r = 0.25, alpha = 4.4, a = 0.8,
-- b = 2.4, gamma = 0.5, delta = -0.4.
CREATE TABLE cov_sim_pnbd AS
SELECT g1, g2, s.*
FROM generate_series(0, 1) g1, generate_series(0, 1) g2,
     LATERAL engage.paretonbd_simulate(engage.paretonbd(0.55, 10.5, 0.6, 11.7, '{0.5}', '{-0.7}'),
                                       5000, 52, 10 + 2 * g1 + g2, ARRAY[g1::float8], ARRAY[g2::float8]) s;
CREATE TABLE cov_sim_bg AS
SELECT g1, g2, s.*
FROM generate_series(0, 1) g1, generate_series(0, 1) g2,
     LATERAL engage.bgnbd_simulate(engage.bgnbd(0.25, 4.4, 0.8, 2.4, '{0.5}', '{-0.4}'),
                                   5000, 52, 20 + 2 * g1 + g2, ARRAY[g1::float8], ARRAY[g2::float8]) s;
CREATE TABLE cov_truth (model text, parameter text, truth float8);
INSERT INTO cov_truth VALUES
    ('paretonbd', 'r', 0.55), ('paretonbd', 'alpha', 10.5), ('paretonbd', 's', 0.6),
    ('paretonbd', 'beta', 11.7), ('paretonbd', 'purchase[1]', 0.5), ('paretonbd', 'dropout[1]', -0.7),
    ('bgnbd', 'r', 0.25), ('bgnbd', 'alpha', 4.4), ('bgnbd', 'a', 0.8), ('bgnbd', 'b', 2.4),
    ('bgnbd', 'purchase[1]', 0.5), ('bgnbd', 'dropout[1]', -0.4);
CREATE TABLE cov_fits AS
SELECT 'paretonbd' AS model, p.*
FROM (SELECT engage.paretonbd_fit(frequency, recency, age, ARRAY[g1::float8], ARRAY[g2::float8]) AS m
      FROM cov_sim_pnbd) s, engage.parameters(m) p
UNION ALL
SELECT 'bgnbd', p.*
FROM (SELECT engage.bgnbd_fit(frequency, recency, age, ARRAY[g1::float8], ARRAY[g2::float8]) AS m
      FROM cov_sim_bg) s, engage.parameters(m) p;
SELECT model, parameter, truth,
       CASE WHEN parameter LIKE '%[%' THEN abs(estimate - truth) < 0.1
            ELSE abs(estimate / truth - 1) < 0.1 END AS recovered,
       lower <= truth AND truth <= upper AS covered
FROM cov_fits JOIN cov_truth USING (model, parameter)
ORDER BY model DESC, parameter;

-- the fitted model's loglik is the sum of its customers' log-likelihoods; aic and bic count
-- the coefficients
SELECT abs((m).loglik - sum(engage.log_likelihood(m, frequency, recency, age, ARRAY[g1::float8],
                                                  ARRAY[g2::float8]))) < 1e-6 * abs((m).loglik) AS sums,
       engage.aic(m) = 2 * 6 - 2 * (m).loglik AS aic_counts_6,
       engage.bic(m) = 6 * ln((m).customers) - 2 * (m).loglik AS bic_counts_6,
       array_length((m).covariance, 1) AS covariance_rows
FROM (SELECT engage.paretonbd_fit(frequency, recency, age, ARRAY[g1::float8], ARRAY[g2::float8]) AS m
      FROM cov_sim_pnbd) s, cov_sim_pnbd
GROUP BY m;

-- prediction intervals of customers with covariates bracket their score
SELECT g1, g2, (i).estimate = engage.p_alive(m, 3, 20, 52, ARRAY[g1::float8], ARRAY[g2::float8]) AS same_estimate,
       (i).lower < (i).estimate AND (i).estimate < (i).upper AS brackets,
       (e).lower < (e).estimate AND (e).estimate < (e).upper AS brackets_expected
FROM (SELECT engage.paretonbd_fit(frequency, recency, age, ARRAY[g1::float8], ARRAY[g2::float8]) AS m
      FROM cov_sim_pnbd) s,
     generate_series(0, 1) g1, generate_series(0, 1) g2,
     LATERAL (SELECT engage.p_alive_interval(m, 3, 20, 52, ARRAY[g1::float8], ARRAY[g2::float8]) AS i,
                     engage.expected_purchases_interval(m, 26, 3, 20, 52, ARRAY[g1::float8], ARRAY[g2::float8]) AS e) x
ORDER BY 1, 2;

-- 5. A stored sample with covariates: text round trip, the same fit as the aggregate
CREATE TABLE cov_sample AS
SELECT engage.fitdata(frequency, recency, age, ARRAY[g1::float8], ARRAY[g2::float8]) AS sample
FROM cov_sim_pnbd;
SELECT split_part(sample::text, ' data=', 1) AS header,
       sample::text::engage.fitdata::text = sample::text AS text_round_trip,
       engage.paretonbd_fit(sample)::text =
       (SELECT engage.paretonbd_fit(frequency, recency, age, ARRAY[g1::float8], ARRAY[g2::float8])::text
        FROM cov_sim_pnbd) AS same_fit
FROM cov_sample;
SELECT engage.paretonbd_fit(frequency, recency, age, ARRAY[g1::float8], ARRAY[g2::float8], 1, 1000)::text =
       engage.paretonbd_fit(engage.fitdata(frequency, recency, age, ARRAY[g1::float8], ARRAY[g2::float8]), 1000)::text
       AS same_penalized_fit
FROM cov_sim_pnbd;

-- The penalizer is on the scale of the summed log-likelihood (CLVTools' reg.lambdas):
-- -sum LL + lambda coef^2 near the optimum is a quadratic of curvature 1 / se^2 plus
-- 2 lambda, so a coefficient shrinks by about 1 / (1 + 2 lambda se^2) (its correlation with
-- the other estimates aside): the purchase coefficient to about a half, the dropout one to
-- about a sixth.
SELECT (p).converged,
       round(((p).purchase_coefficients[1] / (m).purchase_coefficients[1])::numeric, 2) AS purchase_shrink,
       round((1 / (1 + 2 * 1000 * (m).covariance[5][5]))::numeric, 2) AS purchase_quadratic,
       round(((p).dropout_coefficients[1] / (m).dropout_coefficients[1])::numeric, 2) AS dropout_shrink,
       round((1 / (1 + 2 * 1000 * (m).covariance[6][6]))::numeric, 2) AS dropout_quadratic
FROM (SELECT engage.paretonbd_fit(frequency, recency, age, ARRAY[g1::float8], ARRAY[g2::float8]) AS m,
             engage.paretonbd_fit(frequency, recency, age, ARRAY[g1::float8], ARRAY[g2::float8], 1, 1000) AS p
      FROM cov_sim_pnbd) s;

-- 6. The apparel data of CLVTools (600 customers, weekly, calibration to 2006-12-31): Gender
-- and Channel in both processes.  Pareto/NBD converges; BG/NBD does not: its a and b run off
-- together, which the fit reports instead of a converged model.
CREATE TABLE cov_apparel_trans (id int, day date, price float8);
\copy cov_apparel_trans FROM 'test/data/apparel/apparelTrans.csv' WITH (FORMAT csv, HEADER)
CREATE TABLE cov_apparel_cov (id int, gender float8, channel float8);
\copy cov_apparel_cov FROM 'test/data/apparel/apparelStaticCov.csv' WITH (FORMAT csv, HEADER)
CREATE TABLE cov_apparel AS
SELECT c.id, c.gender, c.channel,
       count(DISTINCT t.day) FILTER (WHERE t.day <= '2006-12-31') - 1 AS frequency,
       (max(t.day) FILTER (WHERE t.day <= '2006-12-31') - min(t.day)) / 7.0 AS recency,
       ('2006-12-31'::date - min(t.day)) / 7.0 AS age
FROM cov_apparel_cov c JOIN cov_apparel_trans t USING (id)
GROUP BY c.id, c.gender, c.channel;
SELECT count(*) AS customers, sum(frequency) AS repeat_purchases FROM cov_apparel;
CREATE TABLE cov_apparel_pnbd AS
SELECT engage.paretonbd_fit(frequency, recency, age, ARRAY[gender, channel], ARRAY[gender, channel]) AS m
FROM cov_apparel;
SELECT (m).converged, round((m).loglik::numeric, 2) AS loglik FROM cov_apparel_pnbd;
SELECT parameter, round(estimate::numeric, 3) AS estimate, round(std_error::numeric, 3) AS std_error
FROM cov_apparel_pnbd, engage.parameters(m);
\set VERBOSITY default
SELECT (m).converged, (m).covariance IS NULL AS no_covariance
FROM (SELECT engage.bgnbd_fit(frequency, recency, age, ARRAY[gender, channel], ARRAY[gender, channel]) AS m
      FROM cov_apparel) s;
\set VERBOSITY terse

DROP TABLE cov_reference, cov_cdnow, cov_sim_pnbd, cov_sim_bg, cov_truth, cov_fits, cov_sample,
           cov_apparel_trans, cov_apparel_cov, cov_apparel, cov_apparel_pnbd;

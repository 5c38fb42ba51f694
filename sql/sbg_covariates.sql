-- engage.sbg with dropout covariates, as PyMC-Marketing's ShiftedBetaGeoModel has them: customer
-- i with covariates z_i has alpha_i = alpha exp(-gamma_a' z_i), beta_i = beta exp(-gamma_b' z_i);
-- dropout_coefficients holds gamma_a, then gamma_b.
SET client_min_messages = warning;   -- no "already exists" notice when an earlier test created it
CREATE EXTENSION IF NOT EXISTS engage;
RESET client_min_messages;

-- Fader & Hardie (2007), the two cohorts of 1000 customers (see sql/sbg_retention.sql), as one
-- sample with the covariate z = 1 for the high-end cohort.
CREATE TABLE sbgc_cohorts (segment text, year integer, active integer);
INSERT INTO sbgc_cohorts
SELECT 'regular', y - 1, n FROM unnest(ARRAY[1000, 631, 468, 382, 326, 289, 262, 241]) WITH ORDINALITY AS u(n, y)
UNION ALL
SELECT 'high end', y - 1, n FROM unnest(ARRAY[1000, 869, 743, 653, 593, 551, 517, 491]) WITH ORDINALITY AS u(n, y);
CREATE TABLE sbgc_customers AS
SELECT segment, year AS tenure, true AS churned, (lag(active) OVER w - active)::float8 AS customers,
       CASE segment WHEN 'high end' THEN 1.0 ELSE 0.0 END::float8 AS high_end
FROM sbgc_cohorts WINDOW w AS (PARTITION BY segment ORDER BY year)
UNION ALL
SELECT segment, year, false, active, CASE segment WHEN 'high end' THEN 1.0 ELSE 0.0 END
FROM sbgc_cohorts WHERE year = 7;
DELETE FROM sbgc_customers WHERE tenure = 0;

-- 1. All-zero covariates give the model without covariates to the last bit; so do empty
-- vectors.  A zero covariate's coefficients stay 0 and are not determined: a WARNING, and the
-- covariance is unknown.
CREATE TABLE sbgc_plain AS SELECT engage.sbg_fit(tenure, churned, customers) AS m FROM sbgc_customers;
CREATE TABLE sbgc_zero AS SELECT engage.sbg_fit(tenure, churned, ARRAY[0.0], customers) AS m FROM sbgc_customers;
CREATE TABLE sbgc_empty AS SELECT engage.sbg_fit(tenure, churned, '{}', customers) AS m FROM sbgc_customers;
SELECT (z.m).alpha = (p.m).alpha AND (z.m).beta = (p.m).beta AND (z.m).loglik = (p.m).loglik
         AND (z.m).customers = (p.m).customers AS zero_same_model,
       (z.m).dropout_coefficients AS zero_coefficients, (z.m).covariance IS NULL AS zero_covariance_unknown,
       (e.m).alpha = (p.m).alpha AND (e.m).beta = (p.m).beta AND (e.m).loglik = (p.m).loglik
         AND (e.m).covariance = (p.m).covariance AS empty_same_model,
       (e.m).dropout_coefficients AS empty_coefficients, (p.m).dropout_coefficients IS NULL AS plain_has_none
FROM sbgc_plain p, sbgc_zero z, sbgc_empty e;
SELECT bool_and(engage.survival(z.m, t, ARRAY[0.0]) = engage.survival(p.m, t)
                AND engage.retention_rate(z.m, t + 1, ARRAY[0.0]) = engage.retention_rate(p.m, t + 1)
                AND engage.derl(z.m, t, 0.1, ARRAY[0.0]) = engage.derl(p.m, t, 0.1)
                AND engage.survival(p.m, t, '{}') = engage.survival(p.m, t)) AS zero_vector_same_scores
FROM sbgc_plain p, sbgc_zero z, generate_series(0, 12) t;

-- 2. The covariate fit reproduces the two cohorts' own fits, which the paper publishes: regular
-- alpha = 0.704, beta = 1.182; high end alpha_i = alpha exp(-gamma_a) = 0.668, beta_i =
-- beta exp(-gamma_b) = 3.806; its log-likelihood is the sum of theirs (-1680.3 - 1611.2).
-- Estimates and standard errors computed independently (test/reference/sbg_covariates.py:
-- scipy on the likelihood written out in Python, Hessian by second differences):
--   alpha 0.70407718 (se 0.0655987), beta 1.18204275 (0.152475), dropout[1] 0.05246741
--   (0.181078), dropout[2] -1.16935977 (0.243381), loglik -3291.42333585;
-- estimates agree to 1e-5, standard errors to 1e-3 relative.
CREATE TABLE sbgc_model AS
SELECT engage.sbg_fit(tenure, churned, ARRAY[high_end], customers) AS m FROM sbgc_customers;
SELECT parameter, round(estimate::numeric, 4) AS estimate, round(std_error::numeric, 4) AS std_error,
       abs(estimate - ref) < 1e-5 AS estimate_matches, abs(std_error / ref_se - 1) < 1e-3 AS std_error_matches
FROM engage.parameters((SELECT m FROM sbgc_model))
JOIN (VALUES ('alpha', 0.7040771750081372, 0.06559872199320854), ('beta', 1.1820427540198954, 0.15247496111255066),
             ('dropout[1]', 0.05246741471791648, 0.18107849382874186),
             ('dropout[2]', -1.1693597729051155, 0.24338121539519758)) AS r(parameter, ref, ref_se)
USING (parameter);
SELECT round(((m).alpha * exp(-(m).dropout_coefficients[1]))::numeric, 3) AS high_end_alpha,
       round(((m).beta * exp(-(m).dropout_coefficients[2]))::numeric, 3) AS high_end_beta,
       round((m).loglik::numeric, 1) AS loglik,
       abs((m).loglik - (-3291.4233358544398)) < 1e-6 AS loglik_matches,
       abs((m).loglik - (SELECT sum((f.m).loglik) FROM (SELECT engage.sbg_fit(tenure, churned, customers) AS m
                                                          FROM sbgc_customers GROUP BY segment) f)) < 1e-6
         AS loglik_is_sum_of_cohorts,
       engage.aic(m) = 2 * 4 - 2 * (m).loglik AS aic_counts_4,
       engage.bic(m) = 4 * ln(2000) - 2 * (m).loglik AS bic_counts_4
FROM sbgc_model;
-- Scores of a high-end customer through the covariates equal those of the high-end cohort's own
-- model (relative 1e-6: two fits of the same likelihood).
SELECT bool_and(abs(engage.survival(c.m, t, ARRAY[1.0]) / engage.survival(h.m, t) - 1) < 1e-6
                AND abs(engage.retention_rate(c.m, t + 1, ARRAY[1.0]) / engage.retention_rate(h.m, t + 1) - 1) < 1e-6
                AND abs(engage.derl(c.m, t, 0.1, ARRAY[1.0]) / engage.derl(h.m, t, 0.1) - 1) < 1e-6
                AND abs(engage.survival(c.m, t, ARRAY[0.0]) / engage.survival(r.m, t) - 1) < 1e-6) AS cohort_scores_match
FROM sbgc_model c,
     (SELECT engage.sbg_fit(tenure, churned, customers) AS m FROM sbgc_customers WHERE segment = 'high end') h,
     (SELECT engage.sbg_fit(tenure, churned, customers) AS m FROM sbgc_customers WHERE segment = 'regular') r,
     generate_series(0, 12) t;

-- 3. The likelihood of single customers against numerical integration over theta ~
-- Beta(alpha_i, beta_i) (mpmath.quad at 50 digits, test/reference/sbg_covariates.py), through
-- the scores: S(t) for a customer still active after t, S(t - 1) - S(t) for one who churned at
-- the end of t; relative 1e-12.
SELECT label, abs(ln(score) - quad) < 1e-12 * abs(quad) AS matches_quad
FROM (VALUES
    ('churned at 3', engage.survival('(0.704,1.182,,,t,,"{0.4,-0.2,-0.5,0.3}")'::engage.sbg, 2, ARRAY[1.0, 0.5])
                     - engage.survival('(0.704,1.182,,,t,,"{0.4,-0.2,-0.5,0.3}")'::engage.sbg, 3, ARRAY[1.0, 0.5]),
     -2.5345065926072108),
    ('active after 7', engage.survival('(0.704,1.182,,,t,,"{0.4,-0.2,-0.5,0.3}")'::engage.sbg, 7, ARRAY[1.0, 0.5]),
     -0.91586791311096264),
    ('churned at 1', 1 - engage.survival('(2.5,0.6,,,t,,"{1.2,-0.7}")'::engage.sbg, 1, ARRAY[-1.0]),
     -0.035267205072761275),
    ('active after 12', engage.survival('(0.3,4,,,t,,"{0,0.9,0.8,0}")'::engage.sbg, 12, ARRAY[0.5, 2.0]),
     -0.091959037188917837)) AS c(label, score, quad);

-- 4. Simulated customers with known parameters alpha = 1.2, beta = 3, gamma_a = (0.5, -0.4),
-- gamma_b = (-0.6, 0.3): theta_i ~ Beta(alpha_i, beta_i) from two gamma variates (Marsaglia &
-- Tsang, in PL/pgSQL), the lifetime geometric in theta_i, observed for 4 to 12 periods; z1 = 0/1,
-- z2 uniform on [-1, 1]; 6,000 customers.  Every estimate is within 3 standard errors of the
-- truth and each 95% interval covers it.
CREATE FUNCTION pg_temp.rgamma(shape float8) RETURNS float8 LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    a float8 := shape;
    boost float8 := 1;
    d float8;
    c float8;
    z float8;
    v float8;
    u float8;
BEGIN
    IF a < 1 THEN
        boost := (1 - random()) ^ (1 / a);
        a := a + 1;
    END IF;
    d := a - 1.0 / 3;
    c := 1 / sqrt(9 * d);
    LOOP
        z := sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random());
        v := 1 + c * z;
        CONTINUE WHEN v <= 0;
        v := v * v * v;
        u := 1 - random();
        IF ln(u) < 0.5 * z * z + d - d * v + d * ln(v) THEN
            RETURN boost * d * v;
        END IF;
    END LOOP;
END
$$;
SET max_parallel_workers_per_gather = 0;
SELECT setseed(0.5);
CREATE TABLE sbgc_sim AS
WITH c AS (
    SELECT i, (i % 2)::float8 AS z1, round((2 * random() - 1)::numeric, 3)::float8 AS z2, 4 + i % 9 AS obs
    FROM generate_series(1, 6000) i),
th AS (
    SELECT c.*, ga / (ga + gb) AS theta
    FROM c, LATERAL (SELECT pg_temp.rgamma(1.2 * exp(-(0.5 * z1 - 0.4 * z2))) AS ga,
                            pg_temp.rgamma(3.0 * exp(-(-0.6 * z1 + 0.3 * z2))) AS gb) g),
lt AS (
    SELECT th.*, CASE WHEN theta >= 1 THEN 1 ELSE 1 + floor(ln(1 - random()) / ln(1 - theta)) END AS life
    FROM th)
SELECT i, z1, z2, least(life, obs)::int AS tenure, life <= obs AS churned FROM lt;
RESET max_parallel_workers_per_gather;
SELECT parameter, abs(estimate - truth) < 3 * std_error AS within_3_se,
       lower <= truth AND truth <= upper AS interval_covers
FROM engage.parameters((SELECT engage.sbg_fit(tenure, churned, ARRAY[z1, z2]) FROM sbgc_sim))
JOIN (VALUES ('alpha', 1.2), ('beta', 3.0), ('dropout[1]', 0.5), ('dropout[2]', -0.4),
             ('dropout[3]', -0.6), ('dropout[4]', 0.3)) AS t(parameter, truth)
USING (parameter);

-- 5. Penalizer (coefficients only, towards 0; 0 is the unpenalised fit), weights, and plan
-- independence: forced parallel plans give the serial fit bit for bit.
SELECT (a.m)::text = (b.m)::text AS penalizer_0_same,
       abs((c.m).dropout_coefficients[1]) < abs((a.m).dropout_coefficients[1])
         AND abs((c.m).dropout_coefficients[3]) < abs((a.m).dropout_coefficients[3]) AS penalizer_shrinks
FROM (SELECT engage.sbg_fit(tenure, churned, ARRAY[z1, z2]) AS m FROM sbgc_sim) a,
     (SELECT engage.sbg_fit(tenure, churned, ARRAY[z1, z2], 1.0, 0.0) AS m FROM sbgc_sim) b,
     (SELECT engage.sbg_fit(tenure, churned, ARRAY[z1, z2], 1.0, 1000.0) AS m FROM sbgc_sim) c;
SELECT (SELECT engage.sbg_fit(tenure, churned, ARRAY[z1, z2], 2.0) FROM sbgc_sim)::text
     = (SELECT engage.sbg_fit(tenure, churned, ARRAY[z1, z2])
        FROM (SELECT * FROM sbgc_sim UNION ALL SELECT * FROM sbgc_sim) d)::text AS weight_2_is_twice;
SET max_parallel_workers_per_gather = 0;
SELECT engage.sbg_fit(tenure, churned, ARRAY[z1, z2])::text AS serial FROM sbgc_sim \gset
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SELECT engage.sbg_fit(tenure, churned, ARRAY[z1, z2])::text = :'serial' AS parallel_same FROM sbgc_sim;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;

-- 6. Errors.
SELECT engage.survival(m, 3) FROM sbgc_model;
SELECT engage.retention_rate(m, 3, ARRAY[1.0, 0.0]) FROM sbgc_model;
SELECT engage.derl(m, 3, 0.1, ARRAY[NULL::float8]) FROM sbgc_model;
SELECT engage.derl(m, 3, 0, ARRAY[1.0]) FROM sbgc_model;
SELECT engage.survival(engage.sbg(0.7, 1.2), 3, ARRAY[1.0]);
SELECT engage.sbg_fit(tenure, churned, CASE WHEN tenure = 3 THEN ARRAY[high_end, 1] ELSE ARRAY[high_end] END, customers)
FROM sbgc_customers;
SELECT engage.sbg_fit(tenure, churned, ARRAY[high_end], customers, CASE WHEN tenure = 3 THEN 1 ELSE 0 END)
FROM sbgc_customers;
-- a complete set of dummies (high_end and 1 - high_end) with the constant: not determined
SELECT (m).converged, (m).covariance IS NULL AS covariance_unknown
FROM (SELECT engage.sbg_fit(tenure, churned, ARRAY[high_end, 1 - high_end], customers) AS m
      FROM sbgc_customers) f;

DROP TABLE sbgc_cohorts, sbgc_customers, sbgc_plain, sbgc_zero, sbgc_empty, sbgc_model, sbgc_sim;

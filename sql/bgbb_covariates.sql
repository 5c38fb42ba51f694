-- engage.bgbb with covariates: customer i's alpha_i = alpha exp(gamma_p' x_i) (purchase
-- covariates) and gamma_i = gamma exp(delta_d' z_i) (dropout covariates); beta and delta shared.
SET client_min_messages = warning;   -- no "already exists" notice when an earlier test created it
CREATE EXTENSION IF NOT EXISTS engage;
RESET client_min_messages;

-- The donations of Fader, Hardie & Shang (2010) (11,104 donors, n = 6), and a second group: the
-- same patterns with floor(donors * (frequency + 1) / 4) donors each (a group that donates
-- more), covariate 1 in both processes.
CREATE TABLE bgbbc_donations (frequency integer, recency integer, periods integer, donors integer);
\copy bgbbc_donations FROM 'test/data/donations/donations.csv' WITH (FORMAT csv, HEADER true)
CREATE TABLE bgbbc_groups AS
SELECT frequency, recency, periods, donors::float8 AS donors, 0.0::float8 AS z FROM bgbbc_donations
UNION ALL
SELECT frequency, recency, periods, (donors * (frequency + 1) / 4)::float8, 1.0 FROM bgbbc_donations;
SELECT z, sum(donors) AS donors FROM bgbbc_groups GROUP BY z ORDER BY z;

-- 1. All-zero covariates give the model without covariates to the last bit (parameters, loglik,
-- customers); so do empty vectors.  Scores with zero or empty vectors equal those without.
CREATE TABLE bgbbc_plain AS SELECT engage.bgbb_fit(frequency, recency, periods, donors) AS m FROM bgbbc_donations;
CREATE TABLE bgbbc_zero AS
SELECT engage.bgbb_fit(frequency, recency, periods, ARRAY[0.0, 0.0], ARRAY[0.0], donors) AS m FROM bgbbc_donations;
CREATE TABLE bgbbc_empty AS
SELECT engage.bgbb_fit(frequency, recency, periods, '{}', '{}', donors) AS m FROM bgbbc_donations;
SELECT (z.m).alpha = (p.m).alpha AND (z.m).beta = (p.m).beta AND (z.m).gamma = (p.m).gamma
         AND (z.m).delta = (p.m).delta AND (z.m).loglik = (p.m).loglik AND (z.m).customers = (p.m).customers
         AS zero_same_model,
       (z.m).purchase_coefficients AS zero_purchase, (z.m).dropout_coefficients AS zero_dropout,
       (z.m).covariance IS NULL AS zero_covariance_unknown,
       (e.m).alpha = (p.m).alpha AND (e.m).beta = (p.m).beta AND (e.m).gamma = (p.m).gamma
         AND (e.m).delta = (p.m).delta AND (e.m).loglik = (p.m).loglik AND (e.m).covariance = (p.m).covariance
         AND (e.m).purchase_coefficients = '{}' AND (e.m).dropout_coefficients = '{}' AS empty_same_model,
       (p.m).purchase_coefficients IS NULL AND (p.m).dropout_coefficients IS NULL AS plain_has_none
FROM bgbbc_plain p, bgbbc_zero z, bgbbc_empty e;
SELECT bool_and(engage.p_alive(z.m, frequency, recency, periods, ARRAY[0.0, 0.0], ARRAY[0.0])
                  = engage.p_alive(p.m, frequency, recency, periods)
                AND engage.churn_probability(z.m, frequency, recency, periods, ARRAY[0.0, 0.0], ARRAY[0.0])
                  = engage.churn_probability(p.m, frequency, recency, periods)
                AND engage.expected_purchases(z.m, 5, frequency, recency, periods, ARRAY[0.0, 0.0], ARRAY[0.0])
                  = engage.expected_purchases(p.m, 5, frequency, recency, periods)
                AND engage.expected_purchases(z.m, periods, ARRAY[0.0, 0.0], ARRAY[0.0])
                  = engage.expected_purchases(p.m, periods)
                AND engage.prob_purchases(z.m, frequency, periods, ARRAY[0.0, 0.0], ARRAY[0.0])
                  = engage.prob_purchases(p.m, frequency, periods)
                AND engage.p_alive(p.m, frequency, recency, periods, '{}', '{}')
                  = engage.p_alive(p.m, frequency, recency, periods)) AS zero_vectors_same_scores
FROM bgbbc_donations, bgbbc_plain p, bgbbc_zero z;

-- 2. The two groups, the 0/1 covariate in both processes.  Estimates and standard errors
-- computed independently (test/reference/bgbb_covariates.py: scipy on the likelihood written
-- out in Python, Hessian by second differences); estimates agree to 1e-5 relative (1e-5
-- absolute for the coefficients), standard errors to 1e-3 relative, the loglik to 1e-6:
--   alpha 0.99126365 (se 0.0461045), beta 0.71625474 (0.0194673), gamma 1.86284909 (0.334358),
--   delta 11.2367575 (2.43588), purchase[1] 0.79987120 (0.0344910), dropout[1] -0.71884413
--   (0.0338213), loglik -62678.0990297.
CREATE TABLE bgbbc_reference (parameter text, ref float8, ref_se float8);
INSERT INTO bgbbc_reference VALUES
    ('alpha', 0.9912636520472173, 0.046104474211418646), ('beta', 0.716254744564783, 0.019467276498389252),
    ('gamma', 1.8628490896328107, 0.33435814877213704), ('delta', 11.236757536732819, 2.4358811898515036),
    ('purchase[1]', 0.799871202496417, 0.03449104123437154), ('dropout[1]', -0.7188441274370285, 0.03382125300505175);
\set ref_loglik -62678.099029685414
CREATE TABLE bgbbc_model AS
SELECT engage.bgbb_fit(frequency, recency, periods, ARRAY[z], ARRAY[z], donors) AS m FROM bgbbc_groups;
SELECT parameter, round(estimate::numeric, 4) AS estimate, round(std_error::numeric, 4) AS std_error,
       abs(estimate - ref) <= 1e-5 * greatest(abs(ref), 1) AS estimate_matches,
       abs(std_error / ref_se - 1) < 1e-3 AS std_error_matches
FROM engage.parameters((SELECT m FROM bgbbc_model)) JOIN bgbbc_reference USING (parameter);
SELECT (m).converged, (m).customers, abs((m).loglik - :ref_loglik) < 1e-6 AS loglik_matches,
       engage.aic(m) = 2 * 6 - 2 * (m).loglik AS aic_counts_6,
       engage.bic(m) = 6 * ln((m).customers) - 2 * (m).loglik AS bic_counts_6,
       array_dims((m).covariance) AS covariance_dims
FROM bgbbc_model;

-- Scores of a customer with covariates are those of the model with alpha_i and gamma_i.
SELECT bool_and(engage.p_alive(m, frequency, recency, periods, ARRAY[1.0], ARRAY[1.0])
                  = engage.p_alive(i, frequency, recency, periods)
                AND engage.churn_probability(m, frequency, recency, periods, ARRAY[1.0], ARRAY[1.0])
                  = engage.churn_probability(i, frequency, recency, periods)
                AND engage.expected_purchases(m, 5, frequency, recency, periods, ARRAY[1.0], ARRAY[1.0])
                  = engage.expected_purchases(i, 5, frequency, recency, periods)
                AND engage.expected_purchases(m, 10, ARRAY[1.0], ARRAY[1.0]) = engage.expected_purchases(i, 10)
                AND engage.prob_purchases(m, frequency, periods, ARRAY[1.0], ARRAY[1.0])
                  = engage.prob_purchases(i, frequency, periods)) AS scores_with_alpha_i_gamma_i
FROM bgbbc_donations, bgbbc_model,
     LATERAL (SELECT engage.bgbb((m).alpha * exp((m).purchase_coefficients[1]), (m).beta,
                                 (m).gamma * exp((m).dropout_coefficients[1]), (m).delta) AS i) c;

-- 3. P(alive) of single customers against numerical integration over p ~ Beta(alpha_i, beta) and
-- theta ~ Beta(gamma_i, delta) (mpmath.quad at 40 digits, test/reference/bgbb_covariates.py);
-- relative 1e-12.
SELECT label, abs(p / quad - 1) < 1e-12 AS matches_quad
FROM (VALUES
    ('x 2, t_x 3, n 6', engage.p_alive('(1.204,0.75,0.657,2.783,,,t,,"{0.5,-0.3}",{0.4})'::engage.bgbb, 2, 3, 6,
                                       ARRAY[1.0, 2.0], ARRAY[1.0]), 0.21425338400884476),
    ('x 0, n 6', engage.p_alive('(1.204,0.75,0.657,2.783,,,t,,"{0.5,-0.3}",{0.4})'::engage.bgbb, 0, 0, 6,
                                ARRAY[0.0, -1.0], ARRAY[-2.0]), 0.17378004066128453),
    ('x 4, t_x 5, n 10', engage.p_alive('(0.3,2,1.5,0.8,,,t,,{1.1},"{-0.6,0.2}")'::engage.bgbb, 4, 5, 10,
                                        ARRAY[0.5], ARRAY[1.0, 1.0]), 0.070927724266444721)) AS c(label, p, quad);

-- 4. Simulated customers with known parameters alpha = 1.5, beta = 2, gamma = 0.8, delta = 3,
-- purchase coefficients (0.6, -0.4), dropout coefficient 0.5: p_i ~ Beta(alpha_i, beta),
-- theta_i ~ Beta(gamma_i, delta) from gamma variates (Marsaglia & Tsang, in PL/pgSQL), death
-- before each opportunity with probability theta_i, a transaction at each opportunity alive
-- with probability p_i; n = 8 opportunities, x1 = 0/1, x2 uniform on [-1, 1], z = x1; 6,000
-- customers.  Every estimate is within 3 standard errors and each 95% interval covers it.
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
SELECT setseed(0.75);
CREATE TABLE bgbbc_sim AS
WITH c AS (
    SELECT i, (i % 2)::float8 AS x1, round((2 * random() - 1)::numeric, 3)::float8 AS x2
    FROM generate_series(1, 6000) i),
pt AS (
    SELECT c.*, pa / (pa + pb) AS p, ta / (ta + tb) AS theta
    FROM c, LATERAL (SELECT pg_temp.rgamma(1.5 * exp(0.6 * x1 - 0.4 * x2)) AS pa, pg_temp.rgamma(2.0) AS pb,
                            pg_temp.rgamma(0.8 * exp(0.5 * x1)) AS ta, pg_temp.rgamma(3.0) AS tb) g),
life AS (   -- alive at opportunities 1 .. dies - 1
    SELECT pt.*, CASE WHEN theta >= 1 THEN 1 ELSE 1 + floor(ln(1 - random()) / ln(1 - theta)) END AS dies
    FROM pt),
tx AS (
    SELECT i, o FROM life, generate_series(1, 8) o WHERE o < dies AND random() < p)
SELECT l.i, l.x1, l.x2, count(t.o)::int AS frequency, coalesce(max(t.o), 0)::int AS recency, 8 AS periods
FROM life l LEFT JOIN tx t USING (i) GROUP BY l.i, l.x1, l.x2;
RESET max_parallel_workers_per_gather;
SELECT parameter, abs(estimate - truth) < 3 * std_error AS within_3_se,
       lower <= truth AND truth <= upper AS interval_covers
FROM engage.parameters((SELECT engage.bgbb_fit(frequency, recency, periods, ARRAY[x1, x2], ARRAY[x1]) FROM bgbbc_sim))
JOIN (VALUES ('alpha', 1.5), ('beta', 2.0), ('gamma', 0.8), ('delta', 3.0), ('purchase[1]', 0.6),
             ('purchase[2]', -0.4), ('dropout[1]', 0.5)) AS t(parameter, truth)
USING (parameter);

-- 5. Penalizer (coefficients only, towards 0; 0 is the unpenalised fit), weights, and plan
-- independence: forced parallel plans give the serial fit bit for bit.
SELECT (a.m)::text = (b.m)::text AS penalizer_0_same,
       abs((c.m).purchase_coefficients[1]) < abs((a.m).purchase_coefficients[1])
         AND abs((c.m).dropout_coefficients[1]) < abs((a.m).dropout_coefficients[1]) AS penalizer_shrinks
FROM (SELECT engage.bgbb_fit(frequency, recency, periods, ARRAY[x1, x2], ARRAY[x1]) AS m FROM bgbbc_sim) a,
     (SELECT engage.bgbb_fit(frequency, recency, periods, ARRAY[x1, x2], ARRAY[x1], 1.0, 0.0) AS m FROM bgbbc_sim) b,
     (SELECT engage.bgbb_fit(frequency, recency, periods, ARRAY[x1, x2], ARRAY[x1], 1.0, 1000.0) AS m FROM bgbbc_sim) c;
SELECT (SELECT engage.bgbb_fit(frequency, recency, periods, ARRAY[x1, x2], ARRAY[x1], 2.0) FROM bgbbc_sim)::text
     = (SELECT engage.bgbb_fit(frequency, recency, periods, ARRAY[x1, x2], ARRAY[x1])
        FROM (SELECT * FROM bgbbc_sim UNION ALL SELECT * FROM bgbbc_sim) d)::text AS weight_2_is_twice;
SET max_parallel_workers_per_gather = 0;
SELECT engage.bgbb_fit(frequency, recency, periods, ARRAY[x1, x2], ARRAY[x1])::text AS serial FROM bgbbc_sim \gset
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SELECT engage.bgbb_fit(frequency, recency, periods, ARRAY[x1, x2], ARRAY[x1])::text = :'serial' AS parallel_same
FROM bgbbc_sim;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;

-- 6. Errors.
SELECT engage.p_alive(m, 2, 3, 6) FROM bgbbc_model;
SELECT engage.expected_purchases(m, 6) FROM bgbbc_model;
SELECT engage.p_alive(m, 2, 3, 6, ARRAY[1.0, 0.0], ARRAY[1.0]) FROM bgbbc_model;
SELECT engage.churn_probability(m, 2, 3, 6, ARRAY[1.0], '{}') FROM bgbbc_model;
SELECT engage.prob_purchases(m, 2, 6, ARRAY[NULL::float8], ARRAY[1.0]) FROM bgbbc_model;
SELECT engage.expected_purchases(m, 6, ARRAY[1e300], ARRAY[1.0]) FROM bgbbc_model;
SELECT engage.p_alive(engage.bgbb(1.2, 0.75, 0.66, 2.78), 2, 3, 6, ARRAY[1.0], '{}');
SELECT engage.bgbb_fit(frequency, recency, periods, ARRAY[z], CASE WHEN frequency = 3 THEN ARRAY[z, 1] ELSE ARRAY[z] END, donors)
FROM bgbbc_groups;
SELECT engage.bgbb_fit(frequency, recency, periods, ARRAY[z], ARRAY[z], donors, CASE WHEN frequency = 3 THEN 1 ELSE 0 END)
FROM bgbbc_groups;

-- 7. Not identified: a group (covariate 1) whose 500 donors all gave at every opportunity
-- drives alpha_i to infinity and gamma_i to 0; the coefficients run off, and the fit says so
-- (converged false, a WARNING naming them) rather than report them; a penalizer gives a
-- converged fit.
CREATE TABLE bgbbc_runoff AS
SELECT frequency, recency, periods, donors::float8 AS donors, 0.0::float8 AS z FROM bgbbc_donations
UNION ALL SELECT 6, 6, 6, 500, 1.0;
SELECT (m).converged, abs((m).purchase_coefficients[1]) > 15 AS purchase_ran_off,
       abs((m).dropout_coefficients[1]) > 15 AS dropout_ran_off, (m).covariance IS NULL AS no_covariance
FROM (SELECT engage.bgbb_fit(frequency, recency, periods, ARRAY[z], ARRAY[z], donors) AS m FROM bgbbc_runoff) f;
SELECT engage.p_alive(m, 6, 6, 6, ARRAY[1.0], ARRAY[1.0])
FROM (SELECT engage.bgbb_fit(frequency, recency, periods, ARRAY[z], ARRAY[z], donors) AS m FROM bgbbc_runoff) f;
SELECT (m).converged, round((m).purchase_coefficients[1]::numeric, 2) AS purchase,
       round((m).dropout_coefficients[1]::numeric, 2) AS dropout
FROM (SELECT engage.bgbb_fit(frequency, recency, periods, ARRAY[z], ARRAY[z], donors, 1.0) AS m FROM bgbbc_runoff) f;

DROP TABLE bgbbc_donations, bgbbc_groups, bgbbc_plain, bgbbc_zero, bgbbc_empty, bgbbc_reference, bgbbc_model,
           bgbbc_sim, bgbbc_runoff;

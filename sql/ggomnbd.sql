-- GGompertz/NBD (engage.ggomnbd): the scores against independent mpmath values
-- (test/reference/ggomnbd.py), the Pareto/NBD limit b -> 0, CLV against its definition,
-- the fit on CDNOW against CLVTools' published estimates, recovery of a simulated model,
-- engage.rfm, fitdata and penalizer forms, and bad input.
SET client_min_messages = warning;   -- no "already exists" notice when an earlier test created it
CREATE EXTENSION IF NOT EXISTS engage;
RESET client_min_messages;

-- (model, summary, ln L, P(alive), E[X(39) | x, t_x, T]); a new customer's E[X(t)] where
-- the summary is NULL.  Written by test/reference/ggomnbd.py (mpmath, 30 digits).
CREATE TABLE ggom_ref (r float8, alpha float8, b float8, s float8, beta float8,
                       x float8, tx float8, age float8, loglik float8, p_alive float8,
                       expected float8);
INSERT INTO ggom_ref VALUES
    (0.55, 10.6, 0.1, 0.6, 2.0, 0, 0, 38.86, -0.47706439071792227, 0.10045859644781283, 0.016945385750114846),
    (0.55, 10.6, 0.1, 0.6, 2.0, 2, 30.43, 38.86, -10.138737365146888, 0.54977441931214309, 0.42995833557350503),
    (0.55, 10.6, 0.1, 0.6, 2.0, 1, 1.71, 38.86, -4.3069490476425415, 0.051450956915402554, 0.024458331032205724),
    (0.55, 10.6, 0.1, 0.6, 2.0, 7, 38.86, 38.86, -22.931374734181196, 1.0, 2.3155204222020748),
    (0.55, 10.6, 0.1, 0.6, 2.0, 20, 10, 38.86, -23.838672641519289, 7.1158060506015286e-8, 4.4847433303147935e-7),
    (0.55, 10.6, 0.1, 0.6, 2.0, 3, 5, 200, -9.4870526296165479, 5.5224833131084564e-9, 1.4020520872204702e-9),
    (0.55, 10.6, 0.1, 0.6, 2.0, 50, 1, 100, 18.698076714784799, 1.6423034681332712e-50, 1.1305404944184151e-49),
    (0.55, 10.6, 0.1, 0.6, 2.0, NULL, NULL, 39, NULL, NULL, 0.98127710591285527),
    (0.55, 10.6, 0.1, 0.6, 2.0, NULL, NULL, 200, NULL, NULL, 1.106962186347583),
    (0.243, 4.41, 0.02, 1.5, 0.8, 0, 0, 38.86, -0.3623696692903226, 0.21258945728908368, 0.026431567524838216),
    (0.243, 4.41, 0.02, 1.5, 0.8, 2, 30.43, 38.86, -10.292702178872872, 0.70458589922509381, 0.80860820520599947),
    (0.243, 4.41, 0.02, 1.5, 0.8, 1, 1.71, 38.86, -4.7003524234482406, 0.091395134091932809, 0.058125824447618787),
    (0.243, 4.41, 0.02, 1.5, 0.8, 7, 38.86, 38.86, -22.562206637032389, 1.0, 3.7058975421409236),
    (0.243, 4.41, 0.02, 1.5, 0.8, 20, 10, 38.86, -18.915179273652824, 3.0761455996387359e-9, 3.1860800673850559e-8),
    (0.243, 4.41, 0.02, 1.5, 0.8, 3, 5, 200, -9.5769473580935536, 8.0356496710522942e-7, 2.9265463404910724e-7),
    (0.243, 4.41, 0.02, 1.5, 0.8, 50, 1, 100, 54.195367932299779, 2.4297000871490903e-64, 2.659593155271171e-63),
    (0.243, 4.41, 0.02, 1.5, 0.8, NULL, NULL, 39, NULL, NULL, 1.1579069635740189),
    (0.243, 4.41, 0.02, 1.5, 0.8, NULL, NULL, 200, NULL, NULL, 1.5992042449898033),
    (2.0, 3.0, 1.5, 0.3, 50.0, 0, 0, 38.86, -1.5897321175399317, 2.071282538881952e-9, 2.1991638683533653e-10),
    (2.0, 3.0, 1.5, 0.3, 50.0, 2, 30.43, 38.86, -22.792312481880525, 0.011453963656656559, 0.0024322266567021249),
    (2.0, 3.0, 1.5, 0.3, 50.0, 1, 1.71, 38.86, -2.950983349912718, 3.8605929602509059e-10, 6.1484199204319837e-11),
    (2.0, 3.0, 1.5, 0.3, 50.0, 7, 38.86, 38.86, -37.120542071450769, 1.0, 0.47778307506671631),
    (2.0, 3.0, 1.5, 0.3, 50.0, 20, 10, 38.86, -13.709998633361094, 7.118092749714941e-17, 8.3133214818350956e-17),
    (2.0, 3.0, 1.5, 0.3, 50.0, 3, 5, 200, -6.9197701635555917, 1.6802704496463584e-45, 9.1968823728057374e-47),
    (2.0, 3.0, 1.5, 0.3, 50.0, 50, 1, 100, 76.787223723677481, 1.2460160746778342e-90, 1.397903653412017e-90),
    (2.0, 3.0, 1.5, 0.3, 50.0, NULL, NULL, 39, NULL, NULL, 3.0509736141676788),
    (2.0, 3.0, 1.5, 0.3, 50.0, NULL, NULL, 200, NULL, NULL, 3.0509737285921913),
    (0.55, 10.58, 0.0001, 0.6, 0.0012, 0, 0, 38.86, -0.52462031484575696, 0.30399017544658773, 0.10987820025549691),
    (0.55, 10.58, 0.0001, 0.6, 0.0012, 2, 30.43, 38.86, -9.538370918028268, 0.87100201504407305, 1.4596496919556319),
    (0.55, 10.58, 0.0001, 0.6, 0.0012, 1, 1.71, 38.86, -4.4646515636700632, 0.17389120033192367, 0.17713264319832259),
    (0.55, 10.58, 0.0001, 0.6, 0.0012, 7, 38.86, 38.86, -21.868849799398297, 1.0, 4.9617656869115265),
    (0.55, 10.58, 0.0001, 0.6, 0.0012, 20, 10, 38.86, -24.338519823789465, 3.4122209161891268e-7, 4.6082737155515283e-6),
    (0.55, 10.58, 0.0001, 0.6, 0.0012, 3, 5, 200, -9.8771635287811697, 0.0001553862870158505, 9.6962514065827523e-5),
    (0.55, 10.58, 0.0001, 0.6, 0.0012, 50, 1, 100, 19.115399033214769, 7.5806400456630073e-49, 1.2310819364366261e-47),
    (0.55, 10.58, 0.0001, 0.6, 0.0012, NULL, NULL, 39, NULL, NULL, 1.2220398859346894),
    (0.55, 10.58, 0.0001, 0.6, 0.0012, NULL, NULL, 200, NULL, NULL, 3.3526006574893886),
    (1.0, 0.5, 0.5, 5.0, 0.01, 0, 0, 38.86, -0.0097653115457234551, 8.2498685061814844e-55, 8.384012684290042e-57),
    (1.0, 0.5, 0.5, 5.0, 0.01, 2, 30.43, 38.86, -109.43363875135403, 3.5444696823554322e-10, 1.0806309974643751e-11),
    (1.0, 0.5, 0.5, 5.0, 0.01, 1, 1.71, 38.86, -27.034039806826598, 1.1425763420594948e-44, 2.3223096313399085e-46),
    (1.0, 0.5, 0.5, 5.0, 0.01, 7, 38.86, 38.86, -141.72583730886629, 1.0, 0.081300812763336004),
    (1.0, 0.5, 0.5, 5.0, 0.01, 20, 10, 38.86, -56.304743376796648, 7.0805693487588092e-44, 1.5110971125632967e-44),
    (1.0, 0.5, 0.5, 5.0, 0.01, 3, 5, 200, -41.051133603632983, 8.9064286932409835e-219, 7.1073745182678017e-221),
    (1.0, 0.5, 0.5, 5.0, 0.01, 50, 1, 100, 104.3042232077146, 1.5820007064488112e-202, 3.2112253145694494e-203),
    (1.0, 0.5, 0.5, 5.0, 0.01, NULL, NULL, 39, NULL, NULL, 0.0099669910774195521),
    (1.0, 0.5, 0.5, 5.0, 0.01, NULL, NULL, 200, NULL, NULL, 0.0099669910774195521);

-- every score within 1e-10 relative of the reference (churn_probability: 1e-10 of
-- P(alive) absolute, the reference's own rounding of 1 - P(alive))
WITH v AS (
    SELECT g.*, m,
           CASE WHEN x IS NULL THEN NULL ELSE engage.log_likelihood(m, x, tx, age) END AS ll,
           CASE WHEN x IS NULL THEN NULL ELSE engage.p_alive(m, x, tx, age) END AS pa,
           CASE WHEN x IS NULL THEN NULL ELSE engage.churn_probability(m, x, tx, age) END AS churn,
           CASE WHEN x IS NULL THEN engage.expected_purchases(m, age)
                ELSE engage.expected_purchases(m, 39, x, tx, age) END AS e
    FROM ggom_ref g, LATERAL (SELECT engage.ggomnbd(r, alpha, b, s, beta) AS m) mm)
SELECT count(*) AS cases,
       max(abs(ll / loglik - 1)) < 1e-10 AS loglik_ok,
       max(abs(pa / p_alive - 1)) < 1e-10 AS p_alive_ok,
       max(abs(churn - (1 - p_alive))) < 1e-10 AS churn_ok,
       max(abs(e / expected - 1)) < 1e-10 AS expected_ok
FROM v;

-- churn_probability keeps its digits where P(alive) rounds to 1: R / (1 + R) of a tiny R
SELECT engage.p_alive(m, 0, 0, 1e-9) AS p_alive,
       abs(engage.churn_probability(m, 0, 0, 1e-9) / (0.6 * 0.1 * 1e-9 / 2) - 1) < 1e-6 AS churn_first_order
FROM (SELECT engage.ggomnbd(0.55, 10.6, 0.1, 0.6, 2) AS m) s;

-- The Pareto/NBD limit: b -> 0 with beta / b held at Pareto/NBD's beta (B(t) / b -> beta + t).
-- At b = 1e-8 the scores agree to about b T relative.
WITH p AS (SELECT engage.paretonbd(0.55, 10.58, 0.61, 11.67) AS pn,
                  engage.ggomnbd(0.55, 10.58, 1e-8, 0.61, 11.67e-8) AS gg),
     pts(x, tx, age) AS (VALUES (0, 0, 38.86), (2, 30.43, 38.86), (1, 1.71, 38.86),
                                (7, 38.86, 38.86), (20, 10, 38.86), (3, 5, 200))
SELECT max(abs(engage.p_alive(gg, x, tx, age) / engage.p_alive(pn, x, tx, age) - 1)) < 1e-5 AS p_alive_limit,
       max(abs(engage.log_likelihood(gg, x, tx, age) / engage.log_likelihood(pn, x, tx, age) - 1)) < 1e-5 AS loglik_limit,
       max(abs(engage.expected_purchases(gg, 39, x, tx, age) / engage.expected_purchases(pn, 39, x, tx, age) - 1)) < 1e-5 AS expected_limit,
       max(abs(engage.expected_purchases(gg, age) / engage.expected_purchases(pn, age) - 1)) < 1e-5 AS new_limit
FROM p, pts;

-- CLV by its definition: discounted increments of expected_purchases times the spend
WITH m AS (SELECT engage.ggomnbd(0.55, 10.6, 0.1, 0.6, 2) AS gg,
                  engage.gammagamma(6.25, 3.74, 15.44) AS spend),
     direct AS (
        SELECT sum((engage.expected_purchases(gg, 4.0 * i, 2, 30.43, 38.86)
                    - engage.expected_purchases(gg, 4.0 * (i - 1), 2, 30.43, 38.86))
                   / 1.01 ^ i * engage.expected_spend(spend, 2, 22.35)) AS v
        FROM m, generate_series(1, 13) AS i)
SELECT abs(engage.clv(gg, spend, 2, 30.43, 38.86, 22.35, 52, 0.01, 4) / direct.v - 1) < 1e-10 AS clv_ok,
       engage.clv(gg, spend, 0, 0, 38.86, 0, 52, 0.01, 4) > 0 AS clv_of_no_repeat
FROM m, direct;

-- CDNOW (2,357 customers, 39 weeks): the GGompertz/NBD fit reaches the Pareto/NBD
-- boundary: b -> 0 with beta / b -> Pareto/NBD's beta, as CLVTools (r = 0.55313,
-- alpha = 10.5758, s = 0.60682, b = 1.1e-6, beta = 1.3e-5, LL = -9594.9762) and
-- Bemmaor & Glady (Table 2: 0.553, 10.578, 0.603, b = 0.0002, beta = 0.0026,
-- LL = -9594.98) found.  The fit says it did not converge (b runs off).
CREATE TABLE ggom_cdnow (id integer, frequency float8, recency float8, age float8);
\copy ggom_cdnow FROM 'test/data/cdnow/cdnow_customers_summary.csv' WITH (FORMAT csv, HEADER)
CREATE TABLE ggom_fit AS
    SELECT engage.ggomnbd_fit(frequency, recency, age) AS m FROM ggom_cdnow;
SELECT round((m).r::numeric, 3) AS r, round((m).alpha::numeric, 2) AS alpha,
       round((m).s::numeric, 3) AS s, (m).b < 1e-6 AS b_to_0,
       round(((m).beta / (m).b)::numeric, 1) AS beta_over_b,
       round((m).loglik::numeric, 2) AS loglik, (m).converged, (m).covariance IS NULL AS no_cov,
       abs((m).loglik - (SELECT (engage.paretonbd_fit(frequency, recency, age)).loglik FROM ggom_cdnow)) < 1e-3 AS pareto_loglik
FROM ggom_fit;
-- a model that did not converge is not scored
SELECT engage.p_alive(m, 2, 30.43, 38.86) FROM ggom_fit;
-- nor bootstrapped; the hint names the Pareto/NBD limit
SELECT count(*) FROM engage.ggomnbd_bootstrap((SELECT engage.fitdata(frequency, recency, age) FROM ggom_cdnow), 1, 1);

-- Apparel (600 customers, weekly, calibration to 2006-12-31, same-day purchases counted once
-- as CLVTools does): without covariates the maximum is at the Pareto/NBD boundary too
-- (test/reference/ggomnbd_apparel_fit.py, an independent scipy fit of the same likelihood:
-- its profile likelihood in b rises monotonically to -5848.0979 as b -> 0).
CREATE TABLE ggom_apparel_trans (id integer, day date, price float8);
\copy ggom_apparel_trans FROM 'test/data/apparel/apparelTrans.csv' WITH (FORMAT csv, HEADER)
CREATE TABLE ggom_apparel AS
    SELECT id, count(*) - 1 AS frequency, (max(day) - min(day)) / 7.0 AS recency,
           ('2006-12-31' - min(day)) / 7.0 AS age
    FROM (SELECT DISTINCT id, day FROM ggom_apparel_trans WHERE day <= '2006-12-31') d
    GROUP BY id;
SELECT round((g).r::numeric, 3) AS r, round((g).alpha::numeric, 2) AS alpha,
       round((g).s::numeric, 3) AS s, (g).b < 1e-6 AS b_to_0,
       abs((g).beta / (g).b / (p).beta - 1) < 1e-3 AS beta_over_b_is_pareto_beta,
       round((g).loglik::numeric, 2) AS loglik, abs((g).loglik - (p).loglik) < 1e-3 AS pareto_loglik
FROM (SELECT engage.ggomnbd_fit(frequency, recency, age) AS g,
             engage.paretonbd_fit(frequency, recency, age) AS p FROM ggom_apparel) f;

-- Recovery: 2,000 customers drawn from a model with a real Gompertz shape, observed for
-- 104 weeks; the fit converges and every 95% interval covers the truth.
CREATE TABLE ggom_sim AS
    SELECT * FROM engage.ggomnbd_simulate(engage.ggomnbd(0.8, 6, 0.05, 1.2, 3), 2000, 104, 42);
CREATE TABLE ggom_sim_fit AS
    SELECT engage.ggomnbd_fit(frequency, recency, age) AS m FROM ggom_sim;
SELECT (m).converged, (m).customers, engage.aic(m) = 10 - 2 * (m).loglik AS aic_ok,
       engage.bic(m) = 5 * ln(2000) - 2 * (m).loglik AS bic_ok
FROM ggom_sim_fit;
SELECT parameter, truth, lower <= truth AND truth <= upper AS covered,
       std_error < estimate AS determined
FROM ggom_sim_fit, engage.parameters(m) p
JOIN (VALUES ('r', 0.8), ('alpha', 6), ('b', 0.05), ('s', 1.2), ('beta', 3)) t(parameter, truth) USING (parameter);
-- The delta-method intervals from the fit's covariance: the estimate is the score, the
-- standard error that of an independent computation (central differences of the score at
-- relative steps of 1e-5 in SQL, sqrt(g' C g)) to 1e-4 relative, and the interval holds it.
-- The analytic gradient of the likelihood (which the fit follows) vanishes at the optimum:
-- central differences of the summed log-likelihood there are below 1e-2 per log-parameter.
CREATE TABLE ggom_delta AS
    SELECT f.m, k, ps.p, (m).covariance AS c,
           (engage.p_alive(engage.ggomnbd(ps.p[1], ps.p[2], ps.p[3], ps.p[4], ps.p[5]), 2, 30, 60)
            - engage.p_alive(engage.ggomnbd(ms.p[1], ms.p[2], ms.p[3], ms.p[4], ms.p[5]), 2, 30, 60))
           / (2e-5 * base.p[k]) AS g_alive,
           (engage.expected_purchases(engage.ggomnbd(ps.p[1], ps.p[2], ps.p[3], ps.p[4], ps.p[5]), 20, 2, 30, 60)
            - engage.expected_purchases(engage.ggomnbd(ms.p[1], ms.p[2], ms.p[3], ms.p[4], ms.p[5]), 20, 2, 30, 60))
           / (2e-5 * base.p[k]) AS g_expected,
           ((SELECT sum(engage.log_likelihood(engage.ggomnbd(ps.p[1], ps.p[2], ps.p[3], ps.p[4], ps.p[5]), frequency, recency, age)) FROM ggom_sim)
            - (SELECT sum(engage.log_likelihood(engage.ggomnbd(ms.p[1], ms.p[2], ms.p[3], ms.p[4], ms.p[5]), frequency, recency, age)) FROM ggom_sim))
           / 2e-5 AS g_loglik
    FROM ggom_sim_fit f,
         LATERAL (SELECT ARRAY[(m).r, (m).alpha, (m).b, (m).s, (m).beta] AS p) base,
         generate_series(1, 5) k,
         LATERAL (SELECT array_agg(CASE WHEN j = k THEN base.p[j] * 1.00001 ELSE base.p[j] END ORDER BY j) AS p
                  FROM generate_series(1, 5) j) ps,
         LATERAL (SELECT array_agg(CASE WHEN j = k THEN base.p[j] * 0.99999 ELSE base.p[j] END ORDER BY j) AS p
                  FROM generate_series(1, 5) j) ms;
WITH se AS (
    SELECT sqrt(sum(a.g_alive * a.c[a.k][b.k] * b.g_alive)) AS alive,
           sqrt(sum(a.g_expected * a.c[a.k][b.k] * b.g_expected)) AS expected
    FROM ggom_delta a JOIN ggom_delta b ON true)
SELECT (i).estimate = engage.p_alive(m, 2, 30, 60) AS p_alive_estimate,
       abs((i).std_error / se.alive - 1) < 1e-4 AS p_alive_se,
       (i).lower < (i).estimate AND (i).estimate < (i).upper AS p_alive_inside,
       (j).estimate = engage.expected_purchases(m, 20, 2, 30, 60) AS expected_estimate,
       abs((j).std_error / se.expected - 1) < 1e-4 AS expected_se,
       (j).lower < (j).estimate AND (j).estimate < (j).upper AS expected_inside,
       (SELECT max(abs(g_loglik)) FROM ggom_delta) < 1e-2 AS loglik_gradient_zero
FROM se, (SELECT m, engage.p_alive_interval(m, 2, 30, 60) AS i,
                 engage.expected_purchases_interval(m, 20, 2, 30, 60) AS j FROM ggom_sim_fit) f;
-- clv_interval: the estimate is clv; NULL when the spend model has no covariance
CREATE TABLE ggom_spend AS
    SELECT engage.gammagamma_fit(frequency, monetary) AS gg
    FROM (SELECT id, count(*) - 1 AS frequency, avg(price) AS monetary
          FROM ggom_apparel_trans GROUP BY id HAVING count(*) > 1) c;
SELECT (i).estimate = engage.clv(m, gg, 2, 30, 60, 35, 52, 0.01, 4) AS clv_estimate,
       (i).std_error > 0 AND (i).lower < (i).estimate AND (i).estimate < (i).upper AS clv_inside,
       engage.clv_interval(m, engage.gammagamma(6.25, 3.74, 15.44), 2, 30, 60, 35, 52, 0.01, 4) IS NULL AS clv_no_cov
FROM ggom_sim_fit, ggom_spend, LATERAL (SELECT engage.clv_interval(m, gg, 2, 30, 60, 35, 52, 0.01, 4) AS i) c;
-- a model without covariance has no interval
SELECT engage.p_alive_interval(engage.ggomnbd(0.55, 10.6, 0.1, 0.6, 2), 2, 30, 60) IS NULL AS no_cov;

-- The forms of the fit on the first 150 of them: the stored sample (engage.fitdata), the
-- weighted rows (each summary once with its count) and engage.rfm summaries give the
-- aggregate's model bit for bit; a penalizer shrinks the parameters.
CREATE TABLE ggom_small AS SELECT * FROM ggom_sim LIMIT 150;
CREATE TABLE ggom_small_fit AS
    SELECT engage.ggomnbd_fit(frequency, recency, age) AS m FROM ggom_small;
SELECT (m).converged,
       engage.ggomnbd_fit((SELECT engage.fitdata(frequency, recency, age) FROM ggom_small)) = m AS fitdata_same,
       (SELECT engage.ggomnbd_fit(frequency, recency, age, n)
        FROM (SELECT frequency, recency, age, count(*)::float8 AS n
              FROM ggom_small GROUP BY 1, 2, 3) g) = m AS weighted_same,
       (SELECT engage.ggomnbd_fit(ROW(frequency, recency, age, 0)::engage.rfm)
        FROM ggom_small) = m AS rfm_same
FROM ggom_small_fit;
-- a parallel plan (partial states serialised, combined) gives the same model
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SELECT (SELECT engage.ggomnbd_fit(frequency, recency, age) FROM ggom_small) = m AS parallel_same
FROM ggom_small_fit;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
SELECT (p).converged, (p).r < (m).r AND (p).alpha < (m).alpha AS shrunk
FROM ggom_small_fit,
     (SELECT engage.ggomnbd_fit(frequency, recency, age, 1, 0.01) AS p FROM ggom_small) f;

-- The bootstrap: refits of resampled customers, the same rows for the same seed, the first
-- of two replicates that of one
CREATE TABLE ggom_boot AS
    SELECT row_number() OVER () AS i, rep
    FROM engage.ggomnbd_bootstrap((SELECT engage.fitdata(frequency, recency, age) FROM ggom_small), 2, 7) rep;
SELECT count(*) AS replicates, bool_and((rep).converged) AS converged,
       bool_and((rep).customers = 150) AS customers,
       bool_and((rep).covariance IS NULL) AS no_covariance,
       count(DISTINCT (rep).r) = 2 AS distinct_replicates,
       (SELECT one FROM engage.ggomnbd_bootstrap((SELECT engage.fitdata(frequency, recency, age) FROM ggom_small), 1, 7) one)
           = (SELECT g.rep FROM ggom_boot g WHERE g.i = 1) AS same_seed_same_rows
FROM ggom_boot;

-- engage.rfm forms are the column forms
SELECT engage.p_alive(m, s) = engage.p_alive(m, 2, 30.43, 38.86) AS rfm_p_alive,
       engage.churn_probability(m, s) = engage.churn_probability(m, 2, 30.43, 38.86) AS rfm_churn,
       engage.expected_purchases(m, 39, s) = engage.expected_purchases(m, 39, 2, 30.43, 38.86) AS rfm_expected,
       engage.clv(m, engage.gammagamma(6.25, 3.74, 15.44), s, 52, 0.01, 4) =
           engage.clv(m, engage.gammagamma(6.25, 3.74, 15.44), 2, 30.43, 38.86, 22.35, 52, 0.01, 4) AS rfm_clv
FROM (SELECT engage.ggomnbd(0.55, 10.6, 0.1, 0.6, 2) AS m,
             ROW(2, 30.43, 38.86, 22.35)::engage.rfm AS s) x;

-- the constructor and a parameter listing without covariance
SELECT engage.ggomnbd(0.55, 10.6, 0.1, 0.6, 2);
SELECT * FROM engage.parameters(engage.ggomnbd(0.55, 10.6, 0.1, 0.6, 2));

-- bad input: 22023 for parameters and summaries; 22003 rather than NaN where the lifetime
-- integral cannot be evaluated; extreme but valid inputs give finite values
\set VERBOSITY sqlstate
SELECT engage.ggomnbd(0.55, 10.6, 0, 0.6, 2);
SELECT engage.ggomnbd(0.55, 10.6, 0.1, 'infinity', 2);
SELECT engage.p_alive(engage.ggomnbd(0.55, 10.6, 0.1, 0.6, 2), 2, 40, 38.86);
SELECT engage.p_alive(engage.ggomnbd(0.55, 10.6, 0.1, 0.6, 2), 2.5, 30, 38.86);
SELECT engage.expected_purchases(engage.ggomnbd(0.55, 10.6, 0.1, 0.6, 2), -1);
SELECT engage.p_alive(engage.ggomnbd(0.55, 10.6, 1e300, 0.6, 2), 3, 1, 100);
\set VERBOSITY default
SELECT engage.log_likelihood(m, 3, 1, 1e300) = engage.log_likelihood(m, 3, 1, 1e4) AS dead_loglik_finite,
       engage.p_alive(m, 3, 1, 1e300) AS p_alive_huge_age,
       engage.p_alive(m, 1e6, 1, 1e7) AS p_alive_huge_frequency,
       engage.expected_purchases(m, 1e300) < 1e300 AS expected_huge_t
FROM (SELECT engage.ggomnbd(0.55, 10.6, 0.1, 0.6, 2) AS m) s;
SELECT engage.ggomnbd_fit(frequency, recency, age) FROM ggom_small WHERE false;
SELECT engage.ggomnbd_fit(0, 0, age) FROM ggom_small;

DROP TABLE ggom_ref, ggom_cdnow, ggom_fit, ggom_sim, ggom_sim_fit, ggom_small, ggom_small_fit,
    ggom_delta, ggom_spend, ggom_boot,
    ggom_apparel_trans, ggom_apparel;

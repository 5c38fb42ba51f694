-- Fits of samples with more than 16,384 distinct tuples start from the fit of a canonical
-- weighted thinning of the sample (about 1/16 of its tuples) and finish on the whole sample
-- from there, with the inverse Hessian of the subsample's covariance.  The answer is the whole
-- sample's optimum to the optimiser's tolerance: the same estimates, standard errors and
-- log-likelihood as a cold start on the whole sample.  The references below are those cold
-- starts (the fits of the same samples with the two-stage start switched off, 2026-11-29).
-- (The Pareto/NBD fit with covariates also takes its covariance from the gradients of the
-- customers' four groups, the cold start from differences in each of its six coordinates.)
-- Tolerances: the optimiser stops once every gradient component of the mean negative
-- log-likelihood is below 1e-8 (1 + |f|), which leaves the weakly determined s and beta of the
-- Pareto/NBD fit of BG/NBD data free to 1e-5 relative (1e-4 of their standard errors);
-- everything else agrees to 1e-6 and better (an estimate near 0 to 5e-5 of its standard error),
-- the log-likelihoods to 1e-8.
-- Gamma-Gamma and sBG samples pass the threshold when their values are continuous (a mean
-- spend, a covariate such as a fee): every customer is then a tuple of its own.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS engage;
RESET client_min_messages;

CREATE TABLE fss_pnbd AS
SELECT g1, g2, s.*
FROM generate_series(0, 1) g1, generate_series(0, 1) g2,
     LATERAL engage.paretonbd_simulate(engage.paretonbd(0.55, 10.5, 0.6, 11.7, '{0.5}', '{-0.7}'),
                                       10000, 52, 110 + 2 * g1 + g2, ARRAY[g1::float8], ARRAY[g2::float8]) s;
CREATE TABLE fss_bg AS
SELECT s.* FROM engage.bgnbd_simulate(engage.bgnbd(0.25, 4.4, 0.8, 2.4), 40000, 52, 120) s;
-- Gamma-Gamma, p = 4, q = 3, v_i = 15 exp(0.4 w_i), w_i a 0/1 dummy: nu_i ~ Gamma(3, v_i) and
-- the sum of x_i spends ~ Gamma(4 x_i, nu_i), both sums of exponentials (integer shapes)
SELECT setseed(0.25);
CREATE TABLE fss_gg AS
WITH c AS (
    SELECT i, (i % 2)::float8 AS w, 1 + floor(random() * 6)::int AS x,
           -ln(random() * random() * random()) / (15.0 * exp(0.4 * (i % 2))) AS nu
    FROM generate_series(1, 20000) i
)
SELECT c.w, c.x::float8 AS frequency,
       (SELECT sum(-ln(random())) FROM generate_series(1, 4 * c.x) j WHERE c.i > 0) / c.nu / c.x AS monetary
FROM c;
-- sBG, alpha = 1, beta_i = 3 exp(-0.8 z_i), z_i uniform on [0, 1), observed for 12 periods:
-- theta_i ~ Beta(1, beta_i) by its inverse distribution function, the lifetime geometric
SELECT setseed(0.5);
CREATE TABLE fss_sbg AS
SELECT z, least(t, 12) AS tenure, t <= 12 AS churned
FROM (SELECT z, ceil(ln(1 - random()) / ln(1 - theta))::int AS t
      FROM (SELECT z, 1 - (1 - random()) ^ (1 / (3.0 * exp(-0.8 * z))) AS theta
            FROM (SELECT random() AS z FROM generate_series(1, 20000)) a) b) c;
-- all above the threshold
SELECT (SELECT count(DISTINCT (frequency, recency, age, g1, g2)) FROM fss_pnbd) AS pnbd_tuples,
       (SELECT count(DISTINCT (frequency, recency, age)) FROM fss_bg) AS bg_tuples,
       (SELECT count(DISTINCT (frequency, monetary)) FROM fss_gg) AS gg_tuples,
       (SELECT count(DISTINCT (tenure, churned, z)) FROM fss_sbg) AS sbg_tuples;

CREATE TABLE fss_cold (fit text, parameter text, estimate float8, std_error float8, loglik float8);
INSERT INTO fss_cold VALUES
    ('paretonbd, covariates', 'r', 0.5463211029816369, 0.00929236479042432, -301132.1760965495),
    ('paretonbd, covariates', 'alpha', 10.517636014070657, 0.1941686653552767, -301132.1760965495),
    ('paretonbd, covariates', 's', 0.5754602869052429, 0.02916097552267864, -301132.1760965495),
    ('paretonbd, covariates', 'beta', 11.2633209644949, 1.1037977886954247, -301132.1760965495),
    ('paretonbd, covariates', 'purchase[1]', 0.5118301357631697, 0.01707759069779426, -301132.1760965495),
    ('paretonbd, covariates', 'dropout[1]', -0.6561634436904134, 0.038167667666741276, -301132.1760965495),
    ('bgnbd', 'r', 0.24882962825242427, 0.0026759588496396082, -227036.50743080096),
    ('bgnbd', 'alpha', 4.452205573991887, 0.08145033944603741, -227036.50743080096),
    ('bgnbd', 'a', 0.7730488357635712, 0.03130299637098028, -227036.50743080096),
    ('bgnbd', 'b', 2.3000452443821615, 0.1229128527420554, -227036.50743080096),
    ('paretonbd', 'r', 0.5312673005108931, 0.008637223482186386, -227782.138731648),
    ('paretonbd', 'alpha', 10.737607751837986, 0.18036235634871717, -227782.138731648),
    ('paretonbd', 's', 0.9021289773345177, 0.06511716486316452, -227782.138731648),
    ('paretonbd', 'beta', 28.602384627958838, 3.0833211643782907, -227782.138731648),
    ('gammagamma', 'p', 3.6184476888720694, 0.15393162998235524, -88259.71047353232),
    ('gammagamma', 'q', 2.8122986740766875, 0.04121275582369731, -88259.71047353232),
    ('gammagamma', 'v', 18.77504823899105, 1.0654305703627225, -88259.71047353232),
    ('gammagamma, covariate', 'p', 4.013330824310122, 0.17313747395507836, -87393.65441190603),
    ('gammagamma, covariate', 'q', 3.0166031807703417, 0.04389188914263604, -87393.65441190603),
    ('gammagamma, covariate', 'v', 14.964479912720794, 0.8538207526197169, -87393.65441190603),
    ('gammagamma, covariate', 'spend[1]', 0.4036437374273068, 0.009497420212408908, -87393.65441190603),
    ('sbg, covariate', 'alpha', 0.9633409312139077, 0.04081872080971301, -40618.5376253271),
    ('sbg, covariate', 'beta', 2.8181280372862334, 0.1710252182790153, -40618.5376253271),
    ('sbg, covariate', 'dropout[1]', -0.09308331876578169, 0.07136262169236587, -40618.5376253271),
    ('sbg, covariate', 'dropout[2]', 0.6689991976610563, 0.10202488845535174, -40618.5376253271);

CREATE TABLE fss_fits AS
SELECT 'paretonbd, covariates' AS fit, p.parameter, p.estimate, p.std_error, (m).loglik, (m).converged
FROM (SELECT engage.paretonbd_fit(frequency, recency, age, ARRAY[g1::float8], ARRAY[g2::float8]) AS m
      FROM fss_pnbd) s, engage.parameters(m) p
UNION ALL
SELECT 'bgnbd', p.parameter, p.estimate, p.std_error, (m).loglik, (m).converged
FROM (SELECT engage.bgnbd_fit(frequency, recency, age) AS m FROM fss_bg) s, engage.parameters(m) p
UNION ALL
SELECT 'paretonbd', p.parameter, p.estimate, p.std_error, (m).loglik, (m).converged
FROM (SELECT engage.paretonbd_fit(frequency, recency, age) AS m FROM fss_bg) s, engage.parameters(m) p
UNION ALL
SELECT 'gammagamma', p.parameter, p.estimate, p.std_error, (m).loglik, (m).converged
FROM (SELECT engage.gammagamma_fit(frequency, monetary) AS m FROM fss_gg) s, engage.parameters(m) p
UNION ALL
SELECT 'gammagamma, covariate', p.parameter, p.estimate, p.std_error, (m).loglik, (m).converged
FROM (SELECT engage.gammagamma_fit(frequency, monetary, ARRAY[w]) AS m FROM fss_gg) s, engage.parameters(m) p
UNION ALL
SELECT 'sbg, covariate', p.parameter, p.estimate, p.std_error, (m).loglik, (m).converged
FROM (SELECT engage.sbg_fit(tenure, churned, ARRAY[z]) AS m FROM fss_sbg) s, engage.parameters(m) p;

SELECT fit, parameter, f.converged,
       abs(f.estimate / c.estimate - 1) < CASE WHEN fit = 'paretonbd' AND parameter IN ('s', 'beta') THEN 2e-5 ELSE 2e-6 END
           OR abs(f.estimate - c.estimate) < 5e-5 * c.std_error AS estimate,
       abs(f.std_error / c.std_error - 1) < 5e-5 AS std_error,
       abs(f.loglik - c.loglik) < 1e-6 AS loglik
FROM fss_fits f JOIN fss_cold c USING (fit, parameter)
ORDER BY fit, parameter;

-- the same answer, to the last bit, from a parallel plan (the thinning follows the canonical order)
SET max_parallel_workers_per_gather = 0;
CREATE TABLE fss_serial AS SELECT engage.bgnbd_fit(frequency, recency, age)::text AS m FROM fss_bg;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SELECT engage.bgnbd_fit(frequency, recency, age)::text = (SELECT m FROM fss_serial) AS same_in_parallel
FROM fss_bg;
RESET max_parallel_workers_per_gather;
RESET min_parallel_table_scan_size;
RESET parallel_tuple_cost;
RESET parallel_setup_cost;

DROP TABLE fss_pnbd, fss_bg, fss_gg, fss_sbg, fss_cold, fss_fits, fss_serial;

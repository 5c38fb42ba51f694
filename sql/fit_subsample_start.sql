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
-- everything else agrees to 1e-6 and better, the log-likelihoods to 1e-8.
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
-- both above the threshold
SELECT (SELECT count(DISTINCT (frequency, recency, age, g1, g2)) FROM fss_pnbd) AS pnbd_tuples,
       (SELECT count(DISTINCT (frequency, recency, age)) FROM fss_bg) AS bg_tuples;

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
    ('paretonbd', 'beta', 28.602384627958838, 3.0833211643782907, -227782.138731648);

CREATE TABLE fss_fits AS
SELECT 'paretonbd, covariates' AS fit, p.parameter, p.estimate, p.std_error, (m).loglik, (m).converged
FROM (SELECT engage.paretonbd_fit(frequency, recency, age, ARRAY[g1::float8], ARRAY[g2::float8]) AS m
      FROM fss_pnbd) s, engage.parameters(m) p
UNION ALL
SELECT 'bgnbd', p.parameter, p.estimate, p.std_error, (m).loglik, (m).converged
FROM (SELECT engage.bgnbd_fit(frequency, recency, age) AS m FROM fss_bg) s, engage.parameters(m) p
UNION ALL
SELECT 'paretonbd', p.parameter, p.estimate, p.std_error, (m).loglik, (m).converged
FROM (SELECT engage.paretonbd_fit(frequency, recency, age) AS m FROM fss_bg) s, engage.parameters(m) p;

SELECT fit, parameter, f.converged,
       abs(f.estimate / c.estimate - 1) < CASE WHEN fit = 'paretonbd' AND parameter IN ('s', 'beta') THEN 2e-5 ELSE 2e-6 END AS estimate,
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

DROP TABLE fss_pnbd, fss_bg, fss_cold, fss_fits, fss_serial;

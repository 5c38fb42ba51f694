-- The bootstrap of the counting models (engage.<model>_bootstrap) and the resampling under it
-- (engage.fitdata_resample): customers drawn with replacement, as many as the sample holds,
-- each replicate a full refit; deterministic per seed.
SET client_min_messages = warning;   -- no "already exists" notice when an earlier test created it
CREATE EXTENSION IF NOT EXISTS engage;
RESET client_min_messages;

CREATE TABLE bs_cdnow (id integer, x integer, t_x float8, age float8, zbar float8);
\copy bs_cdnow FROM 'test/data/cdnow/cdnow_customers_summary_with_transactions.csv' WITH (FORMAT csv, HEADER true)
CREATE TABLE bs_sample AS SELECT engage.fitdata(x, t_x, age) AS f FROM bs_cdnow;
CREATE TABLE bs_bg AS SELECT m.* FROM bs_sample, engage.bgnbd_bootstrap(f, 500, 1) WITH ORDINALITY AS m(r, alpha, a, b, loglik, customers, converged, covariance, purchase_coefficients, dropout_coefficients, n);

-- 500 BG/NBD replicates: every one converged, has the sample's 2357 customers and no covariance.
-- The standard deviation of r: within 25 % of the Wald standard error 0.012557 (lifetimes,
-- sql/parameters.sql), and within 10 % of the sandwich standard error 0.0143937 that the
-- bootstrap estimates (test/reference/bootstrap_se.py: BG/NBD is not the true model of CDNOW,
-- so the sampling spread exceeds the inverse information by 15 %). 10 % is three times the
-- Monte Carlo error of a standard deviation from 500 replicates (1/sqrt(2 * 499) = 3.2 %).
SELECT count(*) AS replicates, bool_and(converged) AS all_converged, bool_and(customers = 2357) AS all_2357,
       bool_and(covariance IS NULL) AS no_covariance,
       round(stddev(r)::numeric, 4) AS sd_r,
       abs(stddev(r) / 0.012557 - 1) < 0.25 AS near_wald,
       abs(stddev(r) / 0.0143937 - 1) < 0.10 AS near_sandwich,
       abs(avg(r) / 0.242593 - 1) < 0.02 AS centred
FROM bs_bg;

-- Each replicate is the fit of its resampled customers: replicate 1 of seed 1 drew the
-- customers that engage.fitdata_resample(sample, 1) draws (the same stream from the same seed),
-- and fitting those from scratch gives the same model (to the optimiser's tolerance) and the
-- same log-likelihood
SELECT abs(b.r / (m).r - 1) < 1e-6 AND abs(b.alpha / (m).alpha - 1) < 1e-6
         AND abs(b.a / (m).a - 1) < 1e-6 AND abs(b.b / (m).b - 1) < 1e-6 AS first_replicate_is_its_fit,
       abs(b.loglik / (m).loglik - 1) < 1e-9 AS same_loglik, (m).customers AS customers
FROM bs_bg AS b, bs_sample, LATERAL (SELECT engage.bgnbd_fit(engage.fitdata_resample(f, 1)) AS m) AS s
WHERE b.n = 1;

-- Deterministic: the same seed gives the same replicates, and the first k of a longer run;
-- another seed others
SELECT count(*) AS first_five_equal
FROM bs_sample, engage.bgnbd_bootstrap(f, 5, 1) WITH ORDINALITY AS m(r, alpha, a, b, loglik, customers, converged, covariance, purchase_coefficients, dropout_coefficients, n)
JOIN bs_bg AS b USING (n)
WHERE m.r = b.r AND m.alpha = b.alpha AND m.a = b.a AND m.b = b.b AND m.loglik = b.loglik;
SELECT count(*) AS equal_to_seed_1
FROM bs_sample, engage.bgnbd_bootstrap(f, 5, 2) WITH ORDINALITY AS m(r, alpha, a, b, loglik, customers, converged, covariance, purchase_coefficients, dropout_coefficients, n)
JOIN bs_bg AS b USING (n)
WHERE m.r = b.r;

-- The README's per-customer percentile intervals (200 replicates, seed 42, percentile_cont over
-- the replicates) against the delta-method intervals of the whole fit: each P(alive) bound
-- within 0.02 of the other, each bound of the purchases expected in 39 weeks within 5 %
CREATE TABLE bs_replicates AS
    SELECT replicate AS m
    FROM bs_sample, engage.bgnbd_bootstrap(f, 200, 42) AS replicate
    WHERE replicate.converged;
SELECT c.id, round(p[1]::numeric, 3) AS p_alive_lo, round(p[2]::numeric, 3) AS p_alive_hi,
       round(e[1]::numeric, 3) AS next_39_lo, round(e[2]::numeric, 3) AS next_39_hi,
       abs(p[1] - (da).lower) < 0.02 AND abs(p[2] - (da).upper) < 0.02 AS p_alive_near_delta,
       abs(e[1] / (de).lower - 1) < 0.05 AND abs(e[2] / (de).upper - 1) < 0.05 AS next_39_near_delta
FROM (SELECT c.id, c.x, c.t_x, c.age,
             percentile_cont(ARRAY[0.025, 0.975]) WITHIN GROUP (ORDER BY engage.p_alive(r.m, c.x, c.t_x, c.age)) AS p,
             percentile_cont(ARRAY[0.025, 0.975]) WITHIN GROUP (ORDER BY engage.expected_purchases(r.m, 39, c.x, c.t_x, c.age)) AS e
      FROM bs_cdnow AS c CROSS JOIN bs_replicates AS r
      WHERE c.id IN (1, 2)
      GROUP BY c.id, c.x, c.t_x, c.age) AS c,
     (SELECT engage.bgnbd_fit(x, t_x, age) AS m FROM bs_cdnow) AS f,
     LATERAL (SELECT engage.p_alive_interval(f.m, c.x, c.t_x, c.age) AS da,
                     engage.expected_purchases_interval(f.m, 39, c.x, c.t_x, c.age) AS de) AS d
ORDER BY c.id;

-- MBG/NBD and Pareto/NBD, 100 replicates each: all converge; the standard deviation of each
-- parameter within a factor 0.7 to 1.6 of its Wald standard error (BG/NBD's are 1.09 to 1.18
-- times theirs at 2000 to 4000 replicates; the Monte Carlo error at 100 is 7 %)
CREATE TABLE bs_other AS
SELECT 'mbgnbd' AS model, ARRAY[r, alpha, a, b] AS p, converged
FROM bs_sample, engage.mbgnbd_bootstrap(f, 100, 3)
UNION ALL
SELECT 'paretonbd', ARRAY[r, alpha, s, beta], converged
FROM bs_sample, engage.paretonbd_bootstrap(f, 100, 3);
SELECT b.model, w.parameter, count(*) AS replicates, bool_and(converged) AS all_converged,
       round((stddev(p[w.i]) / w.std_error)::numeric, 2) AS sd_over_se,
       stddev(p[w.i]) / w.std_error BETWEEN 0.7 AND 1.6 AS near_wald
FROM bs_other AS b
JOIN (SELECT 'mbgnbd' AS model, w.* FROM bs_sample, engage.parameters(engage.mbgnbd_fit(f)) WITH ORDINALITY AS w(parameter, estimate, std_error, lower, upper, i)
      UNION ALL
      SELECT 'paretonbd', w.* FROM bs_sample, engage.parameters(engage.paretonbd_fit(f)) WITH ORDINALITY AS w(parameter, estimate, std_error, lower, upper, i)) AS w
  ON w.model = b.model
GROUP BY b.model, w.parameter, w.i, w.std_error
ORDER BY b.model, w.i;

-- A penalizer (the argument, or the sample's own option) shrinks every replicate as it
-- shrinks the fit: the replicates centre on the penalized estimates
SELECT count(*) AS replicates, bool_and(converged) AS all_converged,
       abs(avg(b.r) / (m).r - 1) < 0.05 AND abs(avg(b.a) / (m).a - 1) < 0.1 AS centred_on_penalized_fit,
       avg(b.a) < 0.5 AS shrunk
FROM bs_sample, engage.bgnbd_bootstrap(f, 50, 4, 0.05) AS b,
     LATERAL (SELECT engage.bgnbd_fit(f, 0.05) AS m) AS s
GROUP BY m;

-- The resampling: as many customers as the sample, drawn from its tuples; the same for the
-- same seed.  Over 4000 draws from a sample of three tuples of weights 7, 2 and 1, the counts
-- are Multinomial(10; 0.7, 0.2, 0.1): means 7, 2, 1 (to 0.1, four standard errors) and
-- variances 2.1, 1.6, 0.9 (to 15 %, four standard errors); the first two are drawn by inversion
-- of the complementary binomial (p = 0.7, then 2/3)
SELECT substring(engage.fitdata_resample(f, 1)::text FROM 'weight=([0-9]+)') AS customers,
       engage.fitdata_resample(f, 1)::text = engage.fitdata_resample(f, 1)::text AS same_seed_same_sample,
       engage.fitdata_resample(f, 1)::text <> engage.fitdata_resample(f, 2)::text AS other_seed_other_sample
FROM bs_sample;
CREATE TABLE bs_small AS
SELECT engage.fitdata(1, 1, age, weight) AS f FROM (VALUES (10::float8, 7::float8), (20, 2), (30, 1)) AS v(age, weight);
CREATE TABLE bs_draws AS
SELECT seed, split_part(g[1], ',', 3)::float8 AS age, split_part(g[1], ',', 4)::float8 AS count
FROM bs_small, generate_series(1, 4000) AS seed,
     regexp_matches(engage.fitdata_resample(f, seed)::text, '\(([^)]*)\)', 'g') AS g;
SELECT (SELECT count(DISTINCT seed) FROM bs_draws) AS draws,
       (SELECT bool_and(total = 10) FROM (SELECT sum(count) AS total FROM bs_draws GROUP BY seed) AS t) AS always_10;
SELECT t.age, t.weight, round((sum(d.count) / 4000)::numeric, 2) AS mean,
       round(((sum(d.count ^ 2) - sum(d.count) ^ 2 / 4000) / 3999)::numeric, 2) AS variance,
       abs(sum(d.count) / 4000 - t.weight) < 0.1 AS mean_ok,
       abs((sum(d.count ^ 2) - sum(d.count) ^ 2 / 4000) / 3999 / (10 * t.weight / 10 * (1 - t.weight / 10)) - 1) < 0.15 AS variance_ok
FROM (VALUES (10::float8, 7::float8), (20, 2), (30, 1)) AS t(age, weight)
LEFT JOIN bs_draws AS d ON d.age = t.age
GROUP BY t.age, t.weight ORDER BY t.age;

-- Large weights (drawn by halving, not inversion): a sample of 3,000,000 and 1,000,000
-- customers in two tuples; over 2000 draws the first count is Binomial(4e6, 0.75): mean 3e6
-- (to 100, five standard errors of the mean) and variance 750,000 (to 15 %)
CREATE TABLE bs_large AS
SELECT seed, split_part(g[1], ',', 3)::float8 AS age, split_part(g[1], ',', 4)::float8 AS count
FROM (SELECT engage.fitdata(1, 1, age, weight) AS f
      FROM (VALUES (10::float8, 3e6::float8), (20, 1e6)) AS v(age, weight)) AS s,
     generate_series(1, 2000) AS seed,
     regexp_matches(engage.fitdata_resample(f, seed)::text, '\(([^)]*)\)', 'g') AS g;
SELECT count(*) AS draws, abs(avg(count) - 3e6) < 100 AS mean_ok,
       abs(var_samp(count) / 750000 - 1) < 0.15 AS variance_ok
FROM bs_large WHERE age = 10;

-- Bad input: replicates <= 0 or above 100000, a fractional weight, a sample that is not of
-- (frequency, recency, age), one without a repeat buyer, one whose own fit does not converge,
-- a negative penalizer: errors; a NULL argument: no rows (STRICT)
SELECT count(*) FROM bs_sample, engage.bgnbd_bootstrap(f, 0, 1);
SELECT count(*) FROM bs_sample, engage.bgnbd_bootstrap(f, -5, 1);
SELECT count(*) FROM bs_sample, engage.bgnbd_bootstrap(f, 100001, 1);
SELECT count(*) FROM (SELECT engage.fitdata(1, 1, 5, 1.5) AS f) AS s, engage.bgnbd_bootstrap(f, 10, 1);
SELECT engage.fitdata_resample(engage.fitdata(1, 1, 5, 2.5), 1);
SELECT count(*) FROM engage.bgnbd_bootstrap('k=2 tuples=1 weight=1 options={} data={(1,5,1)}'::engage.fitdata, 10, 1);
SELECT count(*) FROM (SELECT engage.fitdata(0, 0, 5) AS f) AS s, engage.paretonbd_bootstrap(f, 10, 1);
SELECT count(*) FROM (SELECT engage.fitdata(x, t_x, age) AS f FROM bs_cdnow WHERE id <= 5) AS s, engage.mbgnbd_bootstrap(f, 10, 1);
SELECT count(*) FROM bs_sample, engage.bgnbd_bootstrap(f, 10, 1, -1);
SELECT count(*) FROM engage.bgnbd_bootstrap('k=3 tuples=1 weight=1 options={} data={(1,5,2,1)}'::engage.fitdata, 10, 1);
SELECT count(*) FROM bs_sample, engage.bgnbd_bootstrap(f, NULL, 1);
-- a sample of more customers than doubles count exactly
SELECT count(*) FROM (SELECT engage.fitdata(1, 1, 5, 1e16) AS f) AS s, engage.bgnbd_bootstrap(f, 1, 1);

-- engage.gammagamma: the Gamma-Gamma spend model (Fader, Hardie & Lee 2005; Fader & Hardie's note
-- "The Gamma-Gamma model of monetary value") on the CDNOW sample.
SET client_min_messages = warning;   -- no "already exists" notice when an earlier test created it
CREATE EXTENSION IF NOT EXISTS engage;
RESET client_min_messages;

-- CDNOW sample (2,357 customers, 39-week calibration period): x repeat purchase days, zbar their
-- mean dollar value (0 when x = 0).
CREATE TABLE gg_cdnow (id integer, x integer, t_x float8, age float8, zbar float8);
\copy gg_cdnow FROM 'test/data/cdnow/cdnow_customers_summary_with_transactions.csv' WITH (FORMAT csv, HEADER true)

-- Published (the note, fitted in Excel): p = 6.25, q = 3.74, v = 15.44 over the 946 customers with
-- a repeat purchase (the 1,411 others are skipped).  The maximum of the likelihood is at
-- p = 6.2488, q = 3.7446, v = 15.4477 (lifetimes prints 6.25, 3.74, 15.45); v is within 0.008 of
-- the published 15.44.
CREATE TABLE gg_model AS SELECT engage.gammagamma_fit(x, zbar) AS m FROM gg_cdnow;
SELECT round((m).p::numeric, 4) AS p, round((m).q::numeric, 4) AS q, round((m).v::numeric, 4) AS v,
       round((m).loglik::numeric, 2) AS loglik, (m).customers, (m).converged,
       abs((m).p - 6.25) < 0.005 AND abs((m).q - 3.74) < 0.005 AND abs((m).v - 15.44) < 0.01 AS matches_published
FROM gg_model;

-- Conditional expected average transaction value against lifetimes' documented values for
-- customers 1, 2, 3 (x = 0: the population mean v p / (q - 1)), 6 and 9 (its Quickstart:
-- 24.658619, 18.911489, 35.170981, 71.462843, 27.282408), relative tolerance 1e-5 (lifetimes
-- stops its optimiser a little before the maximum).
SELECT id, x, zbar, round(engage.expected_spend(m, x, zbar)::numeric, 4) AS expected_spend,
       abs(engage.expected_spend(m, x, zbar) / lifetimes - 1) < 1e-5 AS matches_lifetimes
FROM gg_cdnow, gg_model,
     (VALUES (1, 24.658619), (2, 18.911489), (3, 35.170981), (6, 71.462843), (9, 27.282408)) AS l(lid, lifetimes)
WHERE id = lid ORDER BY id;
-- lifetimes: "Expected conditional average profit: 35.2529588256, Average profit: 35.078551797"
SELECT round(avg(engage.expected_spend(m, x, zbar))::numeric, 4) AS mean_expected_spend,
       round(avg(zbar) FILTER (WHERE x > 0)::numeric, 4) AS mean_monetary
FROM gg_cdnow, gg_model;

-- Independent check of E[M | x, z] = p E[1/nu | x, z], the posterior of nu being
-- Gamma(q + p x, rate v + x z): midpoint rule over nu in (0, 20 mean] with 20000 points, at
-- several points including extremes (x = 1, large x, tiny and large z).  Relative tolerance 1e-6.
CREATE FUNCTION pg_temp.posterior_spend(p float8, q float8, v float8, x float8, z float8) RETURNS float8
LANGUAGE sql AS $$
    WITH g AS (SELECT q + p * x AS a, v + x * z AS b),
         grid AS (SELECT (k - 0.5) * 20 * a / b / 20000 AS nu, a, b FROM g, generate_series(1, 20000) k),
         dens AS (SELECT nu, exp(greatest((a - 1) * ln(nu / (a / b)) - b * (nu - a / b), -700)) AS w FROM grid)
    SELECT p * sum(w / nu) / sum(w) FROM dens
$$;
SELECT x, z, round(engage.expected_spend(m, x, z)::numeric, 6) AS expected_spend,
       abs(engage.expected_spend(m, x, z) / pg_temp.posterior_spend((m).p, (m).q, (m).v, x, z) - 1) < 1e-6 AS matches_integral
FROM gg_model, (VALUES (1, 11.77::float8), (2, 22.35), (7, 73.74), (50, 0.01), (1000, 15000.0), (3, 1e-6)) AS v(x, z)
ORDER BY x, z;
-- frequency 0 ignores monetary; very large frequency tends to the customer's own mean
SELECT engage.expected_spend(m, 0, 0) = engage.expected_spend(m, 0, 99) AS zero_frequency_ignores_monetary,
       round(engage.expected_spend(m, 0, 0)::numeric, 6) = round(((m).v * (m).p / ((m).q - 1))::numeric, 6) AS population_mean,
       abs(engage.expected_spend(m, 1e9, 42) - 42) < 1e-6 AS large_frequency_own_mean
FROM gg_model;

-- Pre-aggregated with weights gives the same fit; NULL rows are skipped; no repeat customers: NULL.
SELECT abs((w.m).p - (s.m).p) < 1e-8 * (s.m).p AND abs((w.m).q - (s.m).q) < 1e-8 * (s.m).q
       AND abs((w.m).v - (s.m).v) < 1e-8 * (s.m).v AND (w.m).customers = 946 AS weighted_same
FROM (SELECT engage.gammagamma_fit(x, zbar, n) AS m
      FROM (SELECT x, zbar, count(*)::float8 FROM gg_cdnow GROUP BY x, zbar) g(x, zbar, n)) w, gg_model s;
\set VERBOSITY terse
SELECT (engage.gammagamma_fit(x, z)).customers
FROM (VALUES (1, 10.0), (2, 20.0), (NULL, 5.0), (3, NULL), (0, 0), (4, 7.5)) v(x, z);
\set VERBOSITY default
SELECT engage.gammagamma_fit(x, zbar) IS NULL AS only_zero_frequency_is_null FROM gg_cdnow WHERE x = 0;
SELECT engage.gammagamma_fit(x, zbar) IS NULL AS empty_is_null FROM gg_cdnow WHERE false;

-- Recovery from simulated data: 20000 customers, nu ~ Gamma(shape 4, rate 15), each with
-- 1 + i % 10 transactions of values ~ Gamma(shape 6, rate nu) (integer shapes: sums of
-- exponentials), fixed seed: p = 6, q = 4, v = 15 within 10% (the standard errors at this size,
-- from repeated simulation, are about 0.3 for p, 0.05 for q and 0.7 for v).
SELECT setseed(0.17);
CREATE TABLE gg_sim_customers AS
SELECT i, 1 + i % 10 AS n, -ln(random() * random() * random() * random()) / 15 AS nu
FROM generate_series(1, 20000) i;
CREATE TABLE gg_sim AS
SELECT c.i, c.n - 1 AS x,   -- x = repeat transactions; zbar = their mean (the first one excluded)
       avg(-ln(random() * random() * random() * random() * random() * random()) / c.nu)
           FILTER (WHERE j > 1) AS zbar
FROM gg_sim_customers c, generate_series(1, c.n) j GROUP BY c.i, c.n;
UPDATE gg_sim SET zbar = 0 WHERE x = 0;
SELECT round((m).p::numeric, 2) AS p, round((m).q::numeric, 2) AS q, round((m).v::numeric, 2) AS v,
       abs((m).p - 6) < 0.6 AND abs((m).q - 4) < 0.4 AND abs((m).v - 15) < 1.5 AS recovered, (m).converged
FROM (SELECT engage.gammagamma_fit(x, zbar) AS m FROM gg_sim) f;

-- Forced parallel plan gives the serial answer (the simulated table, 20 times).
CREATE TABLE gg_big AS SELECT s.* FROM gg_sim s, generate_series(1, 20);
CREATE TABLE gg_serial AS SELECT engage.gammagamma_fit(x, zbar) AS m FROM gg_big;
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT engage.gammagamma_fit(x, zbar) FROM gg_big;
SELECT abs((p.m).p - (s.m).p) < 1e-8 * (s.m).p AND abs((p.m).q - (s.m).q) < 1e-8 * (s.m).q
       AND abs((p.m).v - (s.m).v) < 1e-8 * (s.m).v AS same_parameters,
       (p.m).customers = (s.m).customers AS same_customers
FROM (SELECT engage.gammagamma_fit(x, zbar) AS m FROM gg_big) p, gg_serial s;
SELECT engage.gammagamma_fit(x, zbar) IS NULL AS no_rows_is_null FROM gg_big WHERE x < 0;
RESET parallel_setup_cost; RESET parallel_tuple_cost; RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;

-- The model type's text and binary forms.
SELECT m::text::engage.gammagamma = m AS text_round_trip FROM gg_model;
SELECT current_setting('data_directory') || '/engage_gg_test.bin' AS binfile \gset
COPY gg_model TO :'binfile' (FORMAT binary);
CREATE TABLE gg_model_copy (m engage.gammagamma);
COPY gg_model_copy FROM :'binfile' (FORMAT binary);
SELECT count(*) AS binary_round_trip FROM gg_model_copy c JOIN gg_model s ON c.m = s.m;

-- Bad input: 22023 with a message naming the argument; a customer with repeat transactions
-- but monetary <= 0 (refunds, orders without amounts) is skipped by the fit with a notice.
CREATE FUNCTION pg_temp.try(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE q;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN sqlstate || ': ' || sqlerrm;
END $$;
SELECT q AS statement, pg_temp.try(q) AS result FROM (VALUES
    ('SELECT engage.gammagamma_fit(2, -1)'),
    ('SELECT engage.gammagamma_fit(0, -1)'),
    ('SELECT engage.gammagamma_fit(2, ''NaN'')'),
    ('SELECT engage.gammagamma_fit(2, 0)'),
    ('SELECT engage.gammagamma_fit(-1, 10)'),
    ('SELECT engage.gammagamma_fit(''Infinity'', 10)'),
    ('SELECT engage.gammagamma_fit(2, 10, -1)'),
    ('SELECT engage.expected_spend(engage.gammagamma(6, 3.7, 15), 2, -1)'),
    ('SELECT engage.expected_spend(engage.gammagamma(6, 3.7, 15), 2, ''NaN'')'),
    ('SELECT engage.expected_spend(engage.gammagamma(6, 3.7, 15), -2, 10)'),
    ('SELECT engage.expected_spend(engage.gammagamma(6, 3.7, 15), 2, 0)'),
    ('SELECT engage.expected_spend(engage.gammagamma(6, 0.9, 15), 0, 0)'),
    ('SELECT engage.expected_spend(ROW(0, 3.7, 15, NULL, NULL, NULL, NULL, NULL)::engage.gammagamma, 2, 10)'),
    ('SELECT engage.expected_spend(ROW(6, ''NaN'', 15, NULL, NULL, NULL, NULL, NULL)::engage.gammagamma, 2, 10)'),
    ('SELECT engage.expected_spend(ROW(6, 3.7, NULL, NULL, NULL, NULL, NULL, NULL)::engage.gammagamma, 2, 10)')
) v(q);
-- q <= 1 is fine for a customer with enough repeat purchases (p x + q > 1)
SELECT round(engage.expected_spend(engage.gammagamma(6, 0.9, 15), 1, 10)::numeric, 6) AS spend_q_below_1;

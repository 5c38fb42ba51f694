-- engage.sbg: shifted Beta-Geometric retention (Fader & Hardie 2007) and DERL (Fader & Hardie 2010).
SET client_min_messages = warning;   -- no "already exists" notice when an earlier test created it
CREATE EXTENSION IF NOT EXISTS engage;
RESET client_min_messages;

-- Fader & Hardie (2007), "How to project customer retention", the worked example: two cohorts
-- of 1000 customers, active customers at the end of years 0..7.  The model is fitted to years
-- 1-7 (tenure 1..7): n_{t-1} - n_t customers churned with tenure t, n_7 are still active with
-- tenure 7.  Published: regular alpha = 0.704, beta = 1.182, LL = -1680.3; high end
-- alpha = 0.668, beta = 3.806, LL = -1611.2.
CREATE TABLE sbg_cohorts (segment text, year integer, active integer);
INSERT INTO sbg_cohorts
SELECT 'regular', y - 1, n FROM unnest(ARRAY[1000, 631, 468, 382, 326, 289, 262, 241]) WITH ORDINALITY AS u(n, y)
UNION ALL
SELECT 'high end', y - 1, n FROM unnest(ARRAY[1000, 869, 743, 653, 593, 551, 517, 491]) WITH ORDINALITY AS u(n, y);

CREATE TABLE sbg_customers AS           -- pre-aggregated: (segment, tenure, churned, customers)
SELECT segment, year AS tenure, true AS churned, (lag(active) OVER w - active)::float8 AS customers
FROM sbg_cohorts WINDOW w AS (PARTITION BY segment ORDER BY year)
UNION ALL
SELECT segment, year, false, active FROM sbg_cohorts WHERE year = 7;
DELETE FROM sbg_customers WHERE tenure = 0;

CREATE TABLE sbg_models AS
SELECT segment, engage.sbg_fit(tenure, churned, customers) AS m FROM sbg_customers GROUP BY segment;
SELECT segment, round((m).alpha::numeric, 3) AS alpha, round((m).beta::numeric, 3) AS beta,
       round((m).loglik::numeric, 1) AS loglik, (m).customers, (m).converged
FROM sbg_models ORDER BY segment DESC;

-- The fitted survival curve against the data (years 1..7 fitted, 8..12 projected); the paper's
-- Figure 3: the projection for the high-end cohort stays within a few customers of the data.
SELECT c.segment, c.year, c.active,
       round(1000 * engage.survival(m, c.year)) AS fitted,
       round(engage.retention_rate(m, greatest(c.year, 1))::numeric, 4) AS r_t
FROM sbg_cohorts c JOIN sbg_models USING (segment) ORDER BY c.segment DESC, c.year;

-- Independent check of the likelihood: the log-likelihood computed in SQL from survival()
-- equals the fit's loglik; and survival() against the product of retention rates.
SELECT segment,
       abs(sum(customers * ln(CASE WHEN churned
                                   THEN engage.survival(m, tenure - 1) - engage.survival(m, tenure)
                                   ELSE engage.survival(m, tenure) END)) - (m).loglik) < 1e-6 AS loglik_matches
FROM sbg_customers JOIN sbg_models USING (segment) GROUP BY segment, m ORDER BY segment DESC;
SELECT bool_and(abs(engage.survival(m, t) - (SELECT exp(sum(ln(engage.retention_rate(m, k)))) FROM generate_series(1, t) k)) < 1e-12)
       AS survival_is_product_of_retention
FROM sbg_models, generate_series(1, 200) t;

-- DERL (Fader & Hardie 2010) against the direct discounted sum of survival probabilities,
-- sum_{k>=0} S(n+k)/S(n-1)/(1+d)^k for a customer with n-1 renewals, truncated where the
-- remaining terms are below 1e-13 (up to 80000 terms); at several points including n-1 = 0,
-- large renewals, small and large discount rates.
SELECT segment, renewals, d,
       round(engage.derl(m, renewals, d)::numeric, 6) AS derl,
       abs(engage.derl(m, renewals, d) -
           (SELECT sum(engage.survival(m, renewals + 1 + k) / engage.survival(m, renewals) * exp(-k * ln(1 + d)))
            FROM generate_series(0, least(100000, ceil(40 / ln(1 + d)))::int) k WHERE k * ln(1 + d) < 700)) < 1e-9 AS matches_direct_sum
FROM sbg_models, (VALUES (0, 0.1::float8), (1, 0.1), (4, 0.1), (0, 0.01), (10, 0.01), (500, 0.1), (0, 2.0), (0, 0.0005), (30, 0.0005)) AS v(renewals, d)
ORDER BY segment DESC, renewals, d;
-- At discount rate 0 the undiscounted expected residual lifetime (beta + renewals)/(alpha - 1)
-- exists only when alpha > 1; compare with the direct sum (slow tail: 200000 terms, alpha = 3).
SELECT round(engage.derl(engage.sbg(3, 4), 2, 0)::numeric, 6) AS derl_0,
       round((SELECT sum(engage.survival(engage.sbg(3, 4), 3 + k)
                         / engage.survival(engage.sbg(3, 4), 2))
              FROM generate_series(0, 200000) k)::numeric, 6) AS direct;
-- CLV = margin x DERL: a customer paying 100 per year after 3 renewals, 10% discount rate.
SELECT segment, round(100 * engage.derl(m, 3, 0.10)::numeric, 2) AS residual_value FROM sbg_models ORDER BY segment DESC;

-- Extremes: no overflow, no NaN.
SELECT engage.survival(m, 2000000000) >= 0 AS s_huge_t, engage.survival(m, 0) AS s_0,
       engage.retention_rate(m, 2000000000) < 1 AS r_huge_t,
       round(engage.derl(m, 2000000000, 0.05)::numeric, 6) AS derl_huge_renewals, -- (1 + d)/d = 21 in the limit
       round(engage.derl(m, 0, 1e-6)::numeric, 3) AS derl_tiny_rate
FROM sbg_models WHERE segment = 'regular';

-- Recovery from simulated data: 20000 customers, churn probability theta ~ Beta(0.8, 2.5)
-- (Johnk's method: u^(1/a) / (u^(1/a) + v^(1/b)) given u^(1/a) + v^(1/b) <= 1), observed for up
-- to 10 periods (staggered: customer i for 1 + i % 10 periods), fixed seed.  Tolerance: 10% of
-- each parameter (about three standard errors at this sample size).
SELECT setseed(0.42);
CREATE TABLE sbg_sim AS
SELECT i, (1 + i % 10) AS observed,
       (SELECT x / (x + y) FROM (SELECT random() ^ (1 / 0.8) AS x, random() ^ (1 / 2.5) AS y
                                 FROM generate_series(1, 60 + 0 * i)) c WHERE x + y <= 1 LIMIT 1) AS theta,
       random() AS u
FROM generate_series(1, 20000) i;
-- lifetime T = 1 + floor(ln u / ln(1 - theta)) (geometric on 1, 2, ...)
CREATE TABLE sbg_sim_obs AS
SELECT i, least(lifetime, observed) AS tenure, lifetime <= observed AS churned
FROM (SELECT i, observed, 1 + floor(ln(u) / ln(1 - theta))::int AS lifetime FROM sbg_sim) s;
SELECT round((m).alpha::numeric, 2) AS alpha, round((m).beta::numeric, 2) AS beta,
       abs((m).alpha - 0.8) < 0.08 AND abs((m).beta - 2.5) < 0.25 AS recovered, (m).converged
FROM (SELECT engage.sbg_fit(tenure, churned) AS m FROM sbg_sim_obs) f;

-- Forced parallel plan (Partial Aggregate) gives the serial answer; the data repeated 20 times.
CREATE TABLE sbg_big AS SELECT s.* FROM sbg_sim_obs s, generate_series(1, 20) r;
CREATE TABLE sbg_serial AS SELECT engage.sbg_fit(tenure, churned) AS m FROM sbg_big;
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT engage.sbg_fit(tenure, churned) FROM sbg_big;
SELECT abs((p.m).alpha - (s.m).alpha) < 1e-8 * (s.m).alpha AS same_alpha,
       abs((p.m).beta - (s.m).beta) < 1e-8 * (s.m).beta AS same_beta,
       (p.m).customers = (s.m).customers AS same_customers
FROM (SELECT engage.sbg_fit(tenure, churned) AS m FROM sbg_big) p, sbg_serial s;
-- partial states that saw no rows (the qualifying rows lie in the first 30 of 1700 blocks), or
-- none at all
EXPLAIN (COSTS OFF) SELECT engage.sbg_fit(tenure, churned) FROM sbg_big WHERE i <= 300;
SELECT abs((p.m).alpha - (s.m).alpha) < 1e-8 * (s.m).alpha AS same_alpha_few_rows
FROM (SELECT engage.sbg_fit(tenure, churned) AS m FROM sbg_big WHERE i <= 300) p,
     (SELECT engage.sbg_fit(tenure, churned) AS m FROM sbg_sim_obs, generate_series(1, 20) WHERE i <= 300) s;
SELECT engage.sbg_fit(tenure, churned) IS NULL AS no_rows_is_null FROM sbg_big WHERE tenure < 0;
RESET parallel_setup_cost; RESET parallel_tuple_cost; RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
-- the same sample, pre-aggregated with weights
SELECT abs((w.m).alpha - (s.m).alpha) < 1e-8 * (s.m).alpha AND abs((w.m).beta - (s.m).beta) < 1e-8 * (s.m).beta AS weighted_same
FROM (SELECT engage.sbg_fit(tenure, churned, 20.0 * n) AS m
      FROM (SELECT tenure, churned, count(*) FROM sbg_sim_obs GROUP BY 1, 2) g(tenure, churned, n)) w,
     sbg_serial s;

-- Empty input and NULL rows; the model type's text and binary forms.
SELECT engage.sbg_fit(tenure, churned) IS NULL AS empty_is_null FROM sbg_customers WHERE false;
SELECT (engage.sbg_fit(t, c)).customers FROM (VALUES (3, true), (NULL, true), (2, NULL), (5, false), (1, true)) v(t, c);
SELECT m::text::engage.sbg = m AS text_round_trip FROM sbg_models WHERE segment = 'regular';
SELECT current_setting('data_directory') || '/engage_sbg_test.bin' AS binfile \gset
COPY (SELECT m FROM sbg_models ORDER BY segment) TO :'binfile' (FORMAT binary);
CREATE TABLE sbg_models_copy (m engage.sbg);
COPY sbg_models_copy FROM :'binfile' (FORMAT binary);
SELECT count(*) AS binary_round_trip FROM sbg_models_copy c JOIN sbg_models s ON c.m = s.m;

-- Bad input: 22023 with a message naming the argument.
CREATE FUNCTION pg_temp.try(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE q;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN sqlstate || ': ' || sqlerrm;
END $$;
SELECT q AS statement, pg_temp.try(q) AS result FROM (VALUES
    ('SELECT engage.sbg_fit(0, true)'),
    ('SELECT engage.sbg_fit(-1, false)'),
    ('SELECT engage.sbg_fit(1, true, -2)'),
    ('SELECT engage.sbg_fit(1, true, ''NaN''::float8)'),
    ('SELECT engage.sbg_fit(t, false) FROM generate_series(1, 3) t'),
    ('SELECT engage.sbg_fit(1, true) FROM generate_series(1, 3) t'),
    ('SELECT engage.survival(ROW(0, 1, NULL, NULL, NULL, NULL, NULL)::engage.sbg, 1)'),
    ('SELECT engage.survival(ROW(1, ''NaN'', NULL, NULL, NULL, NULL, NULL)::engage.sbg, 1)'),
    ('SELECT engage.survival(ROW(1, ''Infinity'', NULL, NULL, NULL, NULL, NULL)::engage.sbg, 1)'),
    ('SELECT engage.survival(ROW(1, NULL, NULL, NULL, NULL, NULL, NULL)::engage.sbg, 1)'),
    ('SELECT engage.survival(engage.sbg(1, 1), -1)'),
    ('SELECT engage.retention_rate(engage.sbg(1, 1), 0)'),
    ('SELECT engage.retention_rate(ROW(-1, 1, NULL, NULL, NULL, NULL, NULL)::engage.sbg, 1)'),
    ('SELECT engage.derl(engage.sbg(1, 1), -1, 0.1)'),
    ('SELECT engage.derl(engage.sbg(1, 1), 0, -0.1)'),
    ('SELECT engage.derl(engage.sbg(1, 1), 0, ''NaN'')'),
    ('SELECT engage.derl(engage.sbg(1, 1), 0, ''Infinity'')'),
    ('SELECT engage.derl(engage.sbg(1, 1), 0, 0)')
) v(q);
-- Degenerate samples: no heterogeneity to estimate (everybody churns at the same rate), the fit
-- drifts towards alpha, beta -> infinity and says so; a tiny sample that has a maximum; with
-- tenures of at most 1 only alpha / (alpha + beta) is identified (an error).
\set VERBOSITY terse
SELECT (engage.sbg_fit(t, true)).converged FROM generate_series(1, 3) t;
\set VERBOSITY default
SELECT round((m).alpha::numeric, 4) AS alpha, round((m).beta::numeric, 4) AS beta, (m).converged
FROM (SELECT engage.sbg_fit(t, c) AS m FROM (VALUES (1, true), (1, true), (2, true), (3, false), (4, false)) v(t, c)) f;
SELECT pg_temp.try('SELECT engage.sbg_fit(1, t > 0) FROM generate_series(0, 3) t');

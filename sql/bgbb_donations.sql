-- engage.bgbb: the BG/BB model (Fader, Hardie & Shang 2010, "Customer-base analysis in a
-- discrete-time noncontractual setting", Marketing Science 29(6)) on its donation data.
SET client_min_messages = warning;   -- no "already exists" notice when an earlier test created it
CREATE EXTENSION IF NOT EXISTS engage;
RESET client_min_messages;

-- 11,104 first-time donors of 1995, a donation opportunity in each of 1996..2001 (n = 6),
-- pre-aggregated: each row is a (frequency, recency) pattern and its number of donors.
CREATE TABLE bgbb_donations (frequency integer, recency integer, periods integer, donors integer);
\copy bgbb_donations FROM 'test/data/donations/donations.csv' WITH (FORMAT csv, HEADER true)

-- Published (FHS 2010, section 4): alpha = 1.204, beta = 0.750, gamma = 0.657, delta = 2.783,
-- LL = -33,225.6.
CREATE TABLE bgbb_model AS
SELECT engage.bgbb_fit(frequency, recency, periods, donors) AS m FROM bgbb_donations;
SELECT round((m).alpha::numeric, 3) AS alpha, round((m).beta::numeric, 3) AS beta,
       round((m).gamma::numeric, 3) AS gamma, round((m).delta::numeric, 3) AS delta,
       round((m).loglik::numeric, 1) AS loglik, (m).customers, (m).converged
FROM bgbb_model;

-- One row per donor gives the same fit.
CREATE TABLE bgbb_donors AS
SELECT frequency, recency, periods FROM bgbb_donations, generate_series(1, donors);
SELECT abs((d.m).alpha - (s.m).alpha) < 1e-8 * (s.m).alpha AND abs((d.m).beta - (s.m).beta) < 1e-8 * (s.m).beta
       AND abs((d.m).gamma - (s.m).gamma) < 1e-8 * (s.m).gamma AND abs((d.m).delta - (s.m).delta) < 1e-8 * (s.m).delta
       AND abs((d.m).loglik - (s.m).loglik) < 1e-6 AS unweighted_same, (d.m).customers
FROM (SELECT engage.bgbb_fit(frequency, recency, periods) AS m FROM bgbb_donors) d, bgbb_model s;

-- Fit: the expected number of donors with each repeat-donation count over 1996-2001,
-- 11104 P(X(6) = x), against the observed counts (FHS 2010, Figure 3: a close fit).
SELECT x, observed, round(11104 * engage.prob_purchases(m, x, 6)) AS expected
FROM bgbb_model, (SELECT frequency AS x, sum(donors) AS observed FROM bgbb_donations GROUP BY 1) o
ORDER BY x;
SELECT round(sum(frequency * donors)::numeric / 11104, 4) AS observed_mean,
       round(engage.expected_purchases(m, 6)::numeric, 4) AS expected_mean
FROM bgbb_donations, bgbb_model GROUP BY m;

-- Hardie's note 010 (BG/BB spreadsheet, "Tracking Plot" sheet): expected cumulative repeat
-- donations of a new donor over 1..11 opportunities, 0.4985, 0.9233, ..., 3.3887 (4 decimals).
SELECT n, round(engage.expected_purchases(m, n::integer)::numeric, 4) AS expected,
       abs(engage.expected_purchases(m, n::integer) - published) < 1e-4 AS matches_published
FROM bgbb_model, unnest(ARRAY[0.4985, 0.9233, 1.2969, 1.6323, 1.9381, 2.2202, 2.4826, 2.7285, 2.9603, 3.1798, 3.3887])
     WITH ORDINALITY AS p(published, n)
ORDER BY n;

-- Scoring every donation pattern: P(alive in 2002), churn probability and the expected number
-- of repeat donations over the next five opportunities (2002-2006), the quantities of FHS 2010
-- section 5; and their totals over the 11,104 donors.
SELECT frequency AS x, recency AS t_x, donors,
       round(engage.p_alive(m, frequency, recency, periods)::numeric, 4) AS p_alive,
       round(engage.churn_probability(m, frequency, recency, periods)::numeric, 4) AS churn,
       round(engage.expected_purchases(m, 5, frequency, recency, periods)::numeric, 4) AS next_5
FROM bgbb_donations, bgbb_model ORDER BY frequency, recency;
-- The cohort's forecast for 2002-2006 from the donors' histories, next to the model's forecast
-- for 11,104 donors without using their histories, 11104 (E[X(11)] - E[X(6)]).  (Weighted by
-- the model's pattern probabilities instead of the observed counts the two would be equal:
-- see bgbb_formulas.)
SELECT round(sum(donors * engage.expected_purchases(m, 5, frequency, recency, periods))::numeric, 1) AS cohort_next_5,
       round((11104 * (engage.expected_purchases(m, 11) - engage.expected_purchases(m, 6)))::numeric, 1) AS unconditional_next_5
FROM bgbb_donations, bgbb_model GROUP BY m;

-- Forced parallel plan (Partial Aggregate) gives the serial answer; the donor table 10 times,
-- copy r after copy r - 1.
CREATE TABLE bgbb_big AS SELECT r, d.* FROM generate_series(1, 10) r, bgbb_donors d ORDER BY r;
CREATE TABLE bgbb_serial AS SELECT engage.bgbb_fit(frequency, recency, periods) AS m FROM bgbb_big;
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT engage.bgbb_fit(frequency, recency, periods) FROM bgbb_big;
SELECT abs((p.m).alpha - (s.m).alpha) < 1e-8 * (s.m).alpha AND abs((p.m).beta - (s.m).beta) < 1e-8 * (s.m).beta
       AND abs((p.m).gamma - (s.m).gamma) < 1e-8 * (s.m).gamma AND abs((p.m).delta - (s.m).delta) < 1e-8 * (s.m).delta
       AS same_parameters, (p.m).customers = (s.m).customers AS same_customers
FROM (SELECT engage.bgbb_fit(frequency, recency, periods) AS m FROM bgbb_big) p, bgbb_serial s;
-- partial states without rows: a filter that keeps only the first tenth of the blocks (the
-- first copy: the published fit again), and one that keeps none
SELECT abs((p.m).alpha - (s.m).alpha) < 1e-8 * (s.m).alpha AND abs((p.m).delta - (s.m).delta) < 1e-8 * (s.m).delta
       AS same_as_published_fit
FROM (SELECT engage.bgbb_fit(frequency, recency, periods) AS m FROM bgbb_big WHERE r = 1) p, bgbb_model s;
SELECT engage.bgbb_fit(frequency, recency, periods) IS NULL AS no_rows_is_null FROM bgbb_big WHERE periods > 6;
RESET parallel_setup_cost; RESET parallel_tuple_cost; RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;

-- The model type's text and binary forms.
SELECT m::text::engage.bgbb = m AS text_round_trip FROM bgbb_model;
SELECT current_setting('data_directory') || '/engage_bgbb_test.bin' AS binfile \gset
COPY bgbb_model TO :'binfile' (FORMAT binary);
CREATE TABLE bgbb_model_copy (m engage.bgbb);
COPY bgbb_model_copy FROM :'binfile' (FORMAT binary);
SELECT count(*) AS binary_round_trip FROM bgbb_model_copy c JOIN bgbb_model s ON c.m = s.m;

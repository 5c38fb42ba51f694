-- Model diagnostics on the CDNOW sample (2,357 customers, first purchases in 1997 Q1, weeks
-- 1-39 calibration, 40-78 holdout), against Fader, Hardie & Lee (2005), "Counting your
-- customers the easy way", and against the same quantities computed customer by customer
-- with the scoring functions in plain SQL.
SET client_min_messages = warning;   -- no "already exists" notice when an earlier test created it
CREATE EXTENSION IF NOT EXISTS engage;
RESET client_min_messages;
SET TimeZone = 'UTC';

CREATE TEMP TABLE orders (customer_id bigint, master_id integer, occurred_at timestamptz, cds integer, amount float8);
\copy orders FROM 'test/data/cdnow/cdnow_sample.csv' WITH (FORMAT csv, HEADER)
-- calibration summaries with their holdout purchases, straight from the orders
CREATE TEMP TABLE cal AS
    SELECT customer_id, engage.rfm_holdout(occurred_at, amount, '1997-09-30', '1998-06-30', '7 days') AS h
    FROM orders GROUP BY customer_id;
CREATE TEMP TABLE models AS
    SELECT engage.bgnbd_fit((h).frequency, (h).recency, (h).age) AS bg,
           engage.mbgnbd_fit((h).frequency, (h).recency, (h).age) AS mbg,
           engage.paretonbd_fit((h).frequency, (h).recency, (h).age) AS pnbd
    FROM cal;
-- the published fit (r = 0.243, alpha = 4.414, a = 0.793, b = 2.426)
SELECT round((bg).r::numeric, 3) AS r, round((bg).alpha::numeric, 3) AS alpha,
       round((bg).a::numeric, 3) AS a, round((bg).b::numeric, 3) AS b FROM models;

-- period transactions ------------------------------------------------------------------
-- observed: customers by calibration repeat purchases (FHL 2005's histogram: 1,411 without
-- any, 64 with 7 or more); expected: the sum of P(X(T_i) = n) over the customers
CREATE TEMP TABLE sample AS SELECT engage.fitdata(ROW((h).frequency, (h).recency, (h).age, (h).monetary)::engage.rfm) AS s FROM cal;
SELECT frequency, label, observed, round(expected::numeric, 2) AS expected
FROM models, sample, engage.period_transactions(bg, s);
-- against the customer-by-customer sums (1e-9 relative), for the three models
CREATE TEMP TABLE per_customer AS
    SELECT n, least((h).frequency, 7) AS bin,
           engage.prob_purchases(bg, n, (h).age) AS p_bg,
           engage.prob_purchases(mbg, n, (h).age) AS p_mbg,
           engage.prob_purchases(pnbd, n, (h).age) AS p_pnbd
    FROM cal, models, generate_series(0, 6) AS n;
WITH direct AS (
    SELECT n, sum(p_bg) AS e_bg, sum(p_mbg) AS e_mbg, sum(p_pnbd) AS e_pnbd,
           count(*) FILTER (WHERE bin = n) AS observed FROM per_customer GROUP BY n
    UNION ALL
    SELECT 7, 2357 - sum(p_bg), 2357 - sum(p_mbg), 2357 - sum(p_pnbd),
           count(*) FILTER (WHERE bin = 7) / 7 FROM per_customer)
SELECT d.n,
       abs(b.expected / d.e_bg - 1) < 1e-9 AS bg_ok, abs(m.expected / d.e_mbg - 1) < 1e-9 AS mbg_ok,
       abs(p.expected / d.e_pnbd - 1) < 1e-9 AS pnbd_ok,
       b.observed = d.observed AND m.observed = d.observed AND p.observed = d.observed AS observed_ok,
       round(m.expected::numeric, 2) AS mbg, round(p.expected::numeric, 2) AS pnbd
FROM direct d, models, sample,
     engage.period_transactions(bg, s) b, engage.period_transactions(mbg, s) m,
     engage.period_transactions(pnbd, s) p
WHERE b.frequency = d.n AND m.frequency = d.n AND p.frequency = d.n ORDER BY d.n;
-- both columns sum to the number of customers
SELECT sum(observed) AS observed, round(sum(expected)::numeric, 9) AS expected
FROM models, sample, engage.period_transactions(pnbd, s, 3);

-- calibration against holdout -----------------------------------------------------------
-- mean holdout purchases by calibration frequency (FHL 2005, figure 5; the same actual means
-- as test bgnbd_cdnow computes in plain SQL: 0.24, 0.70, 1.39, 1.56, 2.53, 2.95 for 0 .. 5)
CREATE TEMP TABLE hsample AS SELECT engage.fitdata(h) AS s FROM cal;
SELECT frequency, label, customers, round(observed::numeric, 2) AS observed,
       round(expected::numeric, 2) AS expected
FROM models, hsample, engage.calibration_holdout(bg, s);
-- against plain SQL over the summaries (1e-9 relative)
WITH direct AS (
    SELECT least((h).frequency, 7) AS bin, count(*) AS customers,
           avg((h).holdout_frequency) AS observed,
           avg(engage.expected_purchases(bg, (h).duration_holdout, (h).frequency, (h).recency, (h).age)) AS e_bg,
           avg(engage.expected_purchases(mbg, (h).duration_holdout, (h).frequency, (h).recency, (h).age)) AS e_mbg,
           avg(engage.expected_purchases(pnbd, (h).duration_holdout, (h).frequency, (h).recency, (h).age)) AS e_pnbd
    FROM cal, models GROUP BY 1)
SELECT d.bin, b.customers = d.customers AND abs(b.observed - d.observed) < 1e-12 AS observed_ok,
       abs(b.expected / d.e_bg - 1) < 1e-9 AS bg_ok, abs(m.expected / d.e_mbg - 1) < 1e-9 AS mbg_ok,
       abs(p.expected / d.e_pnbd - 1) < 1e-9 AS pnbd_ok,
       round(m.expected::numeric, 2) AS mbg, round(p.expected::numeric, 2) AS pnbd
FROM direct d, models, hsample,
     engage.calibration_holdout(bg, s) b, engage.calibration_holdout(mbg, s) m,
     engage.calibration_holdout(pnbd, s) p
WHERE b.frequency = d.bin AND m.frequency = d.bin AND p.frequency = d.bin ORDER BY d.bin;
-- other bins: up to 3+, and a bin without customers is left out (no mean of nobody)
SELECT frequency, label, customers FROM models, hsample, engage.calibration_holdout(bg, s, 3);
SELECT count(*) AS rows, max(frequency) AS max_bin
FROM models, (SELECT engage.fitdata(h) AS s FROM cal WHERE (h).frequency <> 2) hs,
     engage.calibration_holdout(bg, hs.s, 3);

-- tracking ------------------------------------------------------------------------------
-- repeat purchase days per week since 1997-01-01: 2,457 in weeks 1-39 and 4,339 through
-- week 78 (FHL 2005, figure 2); expected from E[X(t)] at each customer's age at each week's end
CREATE TEMP TABLE tsample AS
    SELECT engage.tracking_sample(customer_id, occurred_at, '1997-01-01', '7 days') AS s FROM orders;
SELECT period, period_start, observed, round(expected::numeric, 2) AS expected,
       cumulative_observed, round(cumulative_expected::numeric, 1) AS cumulative_expected
FROM models, tsample, engage.tracking(bg, s) WHERE period IN (1, 2, 12, 13, 39, 40, 78);
SELECT count(*) AS weeks, sum(observed) AS repeat_days FROM models, tsample, engage.tracking(bg, s);
-- the cumulative expectation at the end of the calibration and holdout periods equals
-- sum_i E[X(T_i)] and sum_i E[X(T_i + 39)] over the exact calibration ages (1e-9 relative)
SELECT abs(t39.cumulative_expected / sum(engage.expected_purchases(bg, (h).age)) - 1) < 1e-9 AS week39_ok,
       abs(t78.cumulative_expected / sum(engage.expected_purchases(bg, (h).age + 39)) - 1) < 1e-9 AS week78_ok,
       abs(p78.cumulative_expected / sum(engage.expected_purchases(pnbd, (h).age + 39)) - 1) < 1e-9 AS pnbd_week78_ok,
       abs(m78.cumulative_expected / sum(engage.expected_purchases(mbg, (h).age + 39)) - 1) < 1e-9 AS mbg_week78_ok
FROM cal, models, tsample,
     LATERAL (SELECT * FROM engage.tracking(bg, s) WHERE period = 39) t39,
     LATERAL (SELECT * FROM engage.tracking(bg, s) WHERE period = 78) t78,
     LATERAL (SELECT * FROM engage.tracking(pnbd, s) WHERE period = 78) p78,
     LATERAL (SELECT * FROM engage.tracking(mbg, s) WHERE period = 78) m78
GROUP BY t39.cumulative_expected, t78.cumulative_expected, p78.cumulative_expected, m78.cumulative_expected;
-- observed weekly repeat purchase days against plain SQL (distinct days after the first)
WITH days AS (SELECT DISTINCT customer_id, occurred_at::date AS day FROM orders),
     firsts AS (SELECT customer_id, min(day) AS first FROM days GROUP BY 1),
     weekly AS (SELECT (d.day - date '1997-01-01') / 7 + 1 AS period, count(*) AS repeats
                FROM days d JOIN firsts f USING (customer_id) WHERE d.day > f.first GROUP BY 1)
SELECT count(*) AS weeks, count(*) FILTER (WHERE t.observed = coalesce(w.repeats, 0)) AS weeks_equal
FROM models, tsample, engage.tracking(bg, s) t LEFT JOIN weekly w USING (period);
-- a week's expectation: sum over the customers of E[X(a_k)] - E[X(a_(k-1))] (week 13,
-- the first in which every customer of the cohort has made the first purchase)
SELECT abs(t.expected / sum(engage.expected_purchases(bg, (12 * 7 + 6 - f) / 7.0)
                            - engage.expected_purchases(bg, (11 * 7 + 6 - f) / 7.0)) - 1) < 1e-9 AS week13_ok
FROM (SELECT min(occurred_at::date) - date '1997-01-01' AS f FROM orders GROUP BY customer_id) c,
     models, tsample, LATERAL (SELECT * FROM engage.tracking(bg, s) WHERE period = 13) t
GROUP BY t.expected;
-- more periods than the data: the observed stay 0, the expectation grows
SELECT period, observed, round(cumulative_expected::numeric, 1) AS cumulative_expected
FROM models, tsample, engage.tracking(bg, s, 80) WHERE period >= 78;

-- frequency/recency matrix ----------------------------------------------------------------
-- each cell equals p_alive and expected_purchases at (frequency, recency, age) (1e-12)
SELECT count(*) AS cells, count(*) FILTER (WHERE p_alive IS NULL) AS impossible,
       count(*) FILTER (WHERE abs(m.p_alive - engage.p_alive(bg, frequency, recency, 38.86)) < 1e-12
                          AND abs(m.expected_purchases - engage.expected_purchases(bg, 1, frequency, recency, 38.86)) < 1e-12) AS equal,
       max(recency) AS last_recency
FROM models, engage.frequency_recency_matrix(bg, 20, 38.86) m;
SELECT frequency, recency, round(p_alive::numeric, 4) AS p_alive, round(expected_purchases::numeric, 4) AS e13
FROM models, engage.frequency_recency_matrix(pnbd, 2, 39, 13, 13) ORDER BY 1, 2;
SELECT count(*) FILTER (WHERE abs(m.p_alive - engage.p_alive(mbg, frequency, recency, 10)) < 1e-12) AS mbg_equal,
       count(*) AS cells
FROM models, engage.frequency_recency_matrix(mbg, 5, 10, 1, 2.5) m WHERE p_alive IS NOT NULL;

-- P(alive) path ---------------------------------------------------------------------------
-- customer 1516 of Fader & Hardie's Pareto/NBD note (x = 26, t_x = 30.86, T = 31 on 1997-09-30)
CREATE TEMP TABLE path AS
    SELECT p.* FROM models, engage.p_alive_path(pnbd, (SELECT array_agg(occurred_at) FROM orders WHERE customer_id = 1516),
                                                  '1997-09-30', '7 days') p;
SELECT count(*) AS days, min(day) AS first_day, max(day) AS last_day, max(frequency) AS frequency FROM path;
SELECT day, round(age::numeric, 4) AS age, frequency, round(recency::numeric, 4) AS recency, round(p_alive::numeric, 4) AS p_alive
FROM path WHERE day IN ('1997-02-25', '1997-02-26', '1997-09-29', '1997-09-30') ORDER BY day;
-- each day's summary is engage.rfm as of that day, and P(alive) that of the summary (1e-12)
SELECT count(*) AS days_checked,
       count(*) FILTER (WHERE (r).frequency = p.frequency AND abs((r).recency - p.recency) < 1e-12
                          AND abs((r).age - p.age) < 1e-12
                          AND abs(p.p_alive - engage.p_alive(pnbd, (r).frequency, (r).recency, (r).age)) < 1e-12) AS equal
FROM models, path p, LATERAL (SELECT engage.rfm(occurred_at, amount, p.day, '7 days') AS r FROM orders WHERE customer_id = 1516) s
WHERE extract(day FROM p.day) IN (1, 15);
-- the BG/NBD path: after the last purchase, P(alive) falls day by day
SELECT bool_and(p_alive < prev) AS falls_after_last_purchase
FROM (SELECT day, p_alive, lag(p_alive) OVER (ORDER BY day) AS prev
      FROM models, engage.p_alive_path(bg, (SELECT array_agg(occurred_at) FROM orders WHERE customer_id = 2),
                                       '1998-06-30', '1 day')) s
WHERE day > '1997-01-13';
-- purchases after as_of are ignored; none up to as_of: no rows
SELECT count(*) AS rows FROM models, engage.p_alive_path(bg, ARRAY['2024-05-01'::timestamptz], '2024-04-30', '1 day');
SELECT count(*) AS rows, max(frequency) AS frequency
FROM models, engage.p_alive_path(bg, ARRAY['2024-05-01', NULL, '2024-05-01 18:00', '2024-05-03']::timestamptz[], '2024-05-05', '1 day');

-- parallel plans and two-step samples give the serial answers ---------------------------
-- (regular tables: temporary ones are never scanned in parallel)
CREATE TABLE diag_orders_big AS SELECT o.* FROM orders o, generate_series(1, 10);
CREATE TABLE diag_cal_big AS SELECT c.* FROM cal c, generate_series(1, 20);
ANALYZE diag_orders_big;
ANALYZE diag_cal_big;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT engage.tracking_sample(customer_id, occurred_at, '1997-01-01', '7 days') FROM diag_orders_big;
-- the same orders repeated are the same (customer, day) pairs: the same sample
SELECT engage.tracking_sample(customer_id, occurred_at, '1997-01-01', '7 days')::text = (SELECT s::text FROM tsample) AS tracking_parallel_same
FROM diag_orders_big;
EXPLAIN (COSTS OFF) SELECT engage.fitdata(h) FROM diag_cal_big;
SELECT c.frequency, c.customers = 20 * s.customers AS customers_20x, abs(c.expected - s.expected) < 1e-12 AS same_mean
FROM models, (SELECT engage.fitdata(h) AS s FROM diag_cal_big) b, hsample h,
     engage.calibration_holdout(bg, b.s) c, engage.calibration_holdout(bg, h.s) s
WHERE c.frequency = s.frequency ORDER BY 1;
-- empty partial states
SELECT engage.tracking_sample(customer_id, occurred_at, '1997-01-01', '7 days') IS NULL AS empty_tracking,
       (SELECT engage.fitdata(h) IS NULL FROM diag_cal_big WHERE (h).frequency < 0) AS empty_holdout
FROM diag_orders_big WHERE customer_id < 0;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
-- samples of parts merge into the sample of the whole
SELECT engage.fitdata_merge(s)::text = (SELECT s::text FROM tsample) AS tracking_merged_same
FROM (SELECT engage.tracking_sample(customer_id, occurred_at, '1997-01-01', '7 days') AS s
      FROM orders GROUP BY customer_id % 3) parts;

-- bad input -------------------------------------------------------------------------------
\set VERBOSITY terse
SELECT * FROM models, sample, engage.calibration_holdout(bg, s);          -- not a holdout sample
SELECT * FROM models, hsample, engage.tracking(bg, s);                    -- not a tracking sample
SELECT * FROM models, tsample, engage.period_transactions(bg, s);         -- not summaries
SELECT * FROM models, sample, engage.period_transactions(bg, s, 0);
SELECT * FROM models, tsample, engage.tracking(bg, s, 0);
SELECT * FROM models, engage.frequency_recency_matrix(bg, 100000, 1000, 1, 0.01);
SELECT * FROM models, engage.frequency_recency_matrix(bg, -1, 10);
SELECT * FROM models, engage.frequency_recency_matrix(bg, 2, 10, 1, 0);
SELECT * FROM models, engage.frequency_recency_matrix(bg, 2, 'NaN');
SELECT * FROM models, engage.frequency_recency_matrix(bg, 2, 10, -1);
SELECT engage.tracking_sample(customer_id, occurred_at, '1997-01-01', '12 hours') FROM orders;
SELECT engage.tracking_sample(customer_id, occurred_at, '1997-02-01', '7 days') FROM orders;
SELECT engage.tracking_sample(customer_id, occurred_at, '1996-12-30'::timestamptz + (customer_id % 2) * interval '1 day', '7 days') FROM orders;
SELECT engage.tracking_sample(1, 'infinity', '1997-01-01', '7 days');
SELECT engage.fitdata(ROW(1, 1, 2, 0, 0, 0, d)::engage.rfm_holdout) FROM (VALUES (39.0), (40.0)) v(d);
SELECT engage.fitdata(ROW(1, 3, 2, 0, 0, 0, 39)::engage.rfm_holdout);
SELECT engage.fitdata(ROW(1, 1, 2, 0, -1, 0, 39)::engage.rfm_holdout);
SELECT * FROM models, engage.p_alive_path(bg, ARRAY['infinity'::timestamptz], '2024-01-01', '1 day');
SELECT * FROM models, engage.p_alive_path(bg, ARRAY['2024-01-01'::timestamptz], '2024-01-02', '1 mon');
SELECT * FROM models, engage.p_alive_path(bg, ARRAY[['2024-01-01'::timestamptz]], '2024-01-02', '1 day');
SELECT * FROM models, engage.period_transactions(bg, 'k=3 tuples=1 weight=1 options={} data={(1,2,1,1)}');
\set VERBOSITY default
-- NULL summaries are skipped (an empty sample, as engage.fitdata gives for NULL rows);
-- NULL arguments of the functions give no rows
SELECT engage.fitdata(h)::text AS all_null FROM (VALUES (NULL::engage.rfm_holdout)) v(h);
SELECT count(*) AS rows FROM models, engage.period_transactions(bg, NULL);

DROP TABLE orders, cal, models, sample, per_customer, hsample, tsample, path, diag_orders_big, diag_cal_big;

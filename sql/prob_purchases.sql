-- The conditional distribution of future purchases, P(X(T, T + t) = n | x, t_x, T), of
-- BG/NBD, MBG/NBD and Pareto/NBD: against an independent computation (test/reference/
-- prob_purchases.py: the rates integrated out analytically inside numerical integrals over
-- event times, 30 digits), its total and its mean against expected_purchases, the new
-- customer as the summary (0, 0, 0), and bad arguments.
SET client_min_messages = warning;   -- no "already exists" notice when an earlier test created it
CREATE EXTENSION IF NOT EXISTS engage;
RESET client_min_messages;

CREATE TEMP TABLE pp_models AS
    SELECT ROW(0.243, 4.414, 0.793, 2.426, NULL, NULL, NULL)::engage.bgnbd AS bg,
           ROW(0.525, 6.183, 0.891, 1.614, NULL, NULL, NULL)::engage.mbgnbd AS mbg,
           ROW(0.553, 10.578, 0.606, 11.669, NULL, NULL, NULL)::engage.paretonbd AS pnbd;

-- the reference values, pasted from: python3 test/reference/prob_purchases.py
CREATE TEMP TABLE pp_reference (model text, x float8, tx float8, age float8, t float8, n integer, p float8);
INSERT INTO pp_reference VALUES
@REFERENCE@

CREATE TEMP TABLE pp_computed AS
    SELECT r.*, CASE model
        WHEN 'bgnbd' THEN engage.prob_purchases(bg, n, t, x, tx, age)
        WHEN 'mbgnbd' THEN engage.prob_purchases(mbg, n, t, x, tx, age)
        ELSE engage.prob_purchases(pnbd, n, t, x, tx, age) END AS c
    FROM pp_reference r, pp_models;
-- relative error below 1e-9 at every point (in practice below 1e-12)
SELECT model, x, tx, age, t, n, round(c::numeric, 10) AS p, abs(c / p - 1) < 1e-9 AS ok
FROM pp_computed ORDER BY model, x, tx, age, t, n;
SELECT count(*) AS points, count(*) FILTER (WHERE abs(c / p - 1) < 1e-9) AS within_1e9 FROM pp_computed;

-- sums to 1 over n (1e-9) and its mean is expected_purchases (1e-6 relative)
CREATE TEMP TABLE pp_summaries (x float8, tx float8, age float8, t float8, nmax integer);
INSERT INTO pp_summaries VALUES
    (0, 0, 38.86, 39, 100), (2, 30.43, 38.86, 39, 150), (1, 1.71, 38.86, 39, 100),
    (26, 30.86, 31, 52, 300), (7, 38.86, 38.86, 0.5, 60), (0, 0, 0, 10, 100), (5, 20, 60, 200, 400);
SELECT s.x, s.tx, s.age, s.t,
       abs(sum(engage.prob_purchases(bg, n, s.t, s.x, s.tx, s.age)) - 1) < 1e-9 AS bg_total,
       abs(sum(n * engage.prob_purchases(bg, n, s.t, s.x, s.tx, s.age)) / engage.expected_purchases(bg, s.t, s.x, s.tx, s.age) - 1) < 1e-6 AS bg_mean,
       abs(sum(engage.prob_purchases(mbg, n, s.t, s.x, s.tx, s.age)) - 1) < 1e-9 AS mbg_total,
       abs(sum(n * engage.prob_purchases(mbg, n, s.t, s.x, s.tx, s.age)) / engage.expected_purchases(mbg, s.t, s.x, s.tx, s.age) - 1) < 1e-6 AS mbg_mean,
       abs(sum(engage.prob_purchases(pnbd, n, s.t, s.x, s.tx, s.age)) - 1) < 1e-9 AS pnbd_total,
       abs(sum(n * engage.prob_purchases(pnbd, n, s.t, s.x, s.tx, s.age)) / engage.expected_purchases(pnbd, s.t, s.x, s.tx, s.age) - 1) < 1e-6 AS pnbd_mean
FROM pp_summaries s, pp_models, LATERAL generate_series(0, s.nmax) AS n
GROUP BY s.x, s.tx, s.age, s.t, bg, mbg, pnbd ORDER BY s.x, s.tx, s.age;

-- a new customer is the summary (0, 0, 0): the unconditional P(X(t) = n) (1e-12)
SELECT n, abs(engage.prob_purchases(bg, n, 39, 0, 0, 0) - engage.prob_purchases(bg, n, 39)) < 1e-12 AS bg_same,
       abs(engage.prob_purchases(mbg, n, 39, 0, 0, 0) - engage.prob_purchases(mbg, n, 39)) < 1e-12 AS mbg_same,
       abs(engage.prob_purchases(pnbd, n, 39, 0, 0, 0) - engage.prob_purchases(pnbd, n, 39)) < 1e-12 AS pnbd_same
FROM pp_models, generate_series(0, 4) AS n;
-- no time, no purchase; a customer certainly dead (BG/NBD P(alive) ~ 0) buys nothing more
SELECT engage.prob_purchases(bg, 0, 0, 2, 30.43, 38.86) AS p0_t0, engage.prob_purchases(pnbd, 1, 0, 2, 30.43, 38.86) AS p1_t0,
       round(engage.prob_purchases(bg, 0, 52, 50, 1, 300)::numeric, 12) AS dead_p0
FROM pp_models;
-- the engage.rfm overloads
SELECT engage.prob_purchases(bg, 1, 39, ROW(2, 30.43, 38.86, 10)::engage.rfm) = engage.prob_purchases(bg, 1, 39, 2, 30.43, 38.86) AS bg_rfm,
       engage.prob_purchases(mbg, 1, 39, ROW(2, 30.43, 38.86, 10)::engage.rfm) = engage.prob_purchases(mbg, 1, 39, 2, 30.43, 38.86) AS mbg_rfm,
       engage.prob_purchases(pnbd, 1, 39, ROW(2, 30.43, 38.86, 10)::engage.rfm) = engage.prob_purchases(pnbd, 1, 39, 2, 30.43, 38.86) AS pnbd_rfm,
       engage.prob_purchases(bg, 1, 39, NULL::engage.rfm) IS NULL AS null_summary
FROM pp_models;

-- bad arguments: 22023; NULLs give NULL
\set VERBOSITY terse
SELECT engage.prob_purchases(bg, -1, 39, 2, 30.43, 38.86) FROM pp_models;
SELECT engage.prob_purchases(mbg, -1, 39, 2, 30.43, 38.86) FROM pp_models;
SELECT engage.prob_purchases(pnbd, -1, 39, 2, 30.43, 38.86) FROM pp_models;
SELECT engage.prob_purchases(bg, 1, -1, 2, 30.43, 38.86) FROM pp_models;
SELECT engage.prob_purchases(pnbd, 1, 'NaN', 2, 30.43, 38.86) FROM pp_models;
SELECT engage.prob_purchases(mbg, 1, 'Infinity', 2, 30.43, 38.86) FROM pp_models;
SELECT engage.prob_purchases(bg, 1, 39, 2.5, 30.43, 38.86) FROM pp_models;
SELECT engage.prob_purchases(pnbd, 1, 39, 2, 40, 38.86) FROM pp_models;
SELECT engage.prob_purchases(ROW(0.243, 4.414, -1, 2.426, NULL, NULL, NULL)::engage.bgnbd, 1, 39, 2, 30.43, 38.86);
SELECT engage.prob_purchases(ROW(NULL, 4.414, 1, 2.426, NULL, NULL, NULL)::engage.paretonbd, 1, 39, 2, 30.43, 38.86);
\set VERBOSITY default
SELECT engage.prob_purchases(bg, NULL, 39, 2, 30.43, 38.86) IS NULL AS null_n,
       engage.prob_purchases(pnbd, 1, 39, 2, NULL, 38.86) IS NULL AS null_recency
FROM pp_models;

DROP TABLE pp_models, pp_reference, pp_computed, pp_summaries;

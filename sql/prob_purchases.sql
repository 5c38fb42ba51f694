-- The conditional distribution of future purchases, P(X(T, T + t) = n | x, t_x, T), of
-- BG/NBD, MBG/NBD and Pareto/NBD: against an independent computation (test/reference/
-- prob_purchases.py: the rates integrated out analytically inside numerical integrals over
-- event times, 30 digits), its total and its mean against expected_purchases, the new
-- customer as the summary (0, 0, 0), and bad arguments.
SET client_min_messages = warning;   -- no "already exists" notice when an earlier test created it
CREATE EXTENSION IF NOT EXISTS engage;
RESET client_min_messages;

CREATE TEMP TABLE pp_models AS
    SELECT engage.bgnbd(0.243, 4.414, 0.793, 2.426) AS bg,
           engage.mbgnbd(0.525, 6.183, 0.891, 1.614) AS mbg,
           engage.paretonbd(0.553, 10.578, 0.606, 11.669) AS pnbd;

-- the reference values, pasted from: python3 test/reference/prob_purchases.py
CREATE TEMP TABLE pp_reference (model text, x float8, tx float8, age float8, t float8, n integer, p float8);
INSERT INTO pp_reference VALUES
    ('bgnbd', 0, 0, 38.86, 39, 0, 8.5544945921668155e-1),
    ('bgnbd', 0, 0, 38.86, 39, 1, 1.098729888007178e-1),
    ('bgnbd', 0, 0, 38.86, 39, 3, 6.9190594562897768e-3),
    ('bgnbd', 2, 30.43, 38.86, 39, 0, 4.4537286208299557e-1),
    ('bgnbd', 2, 30.43, 38.86, 39, 1, 2.3931893743502776e-1),
    ('bgnbd', 2, 30.43, 38.86, 39, 5, 2.2863812898119037e-2),
    ('bgnbd', 1, 1.71, 38.86, 39, 0, 8.8333265061704506e-1),
    ('bgnbd', 1, 1.71, 38.86, 39, 2, 2.8043258686293353e-2),
    ('bgnbd', 26, 30.86, 31, 52, 0, 3.1084350331269886e-2),
    ('bgnbd', 26, 30.86, 31, 52, 10, 1.6194525179565078e-2),
    ('bgnbd', 26, 30.86, 31, 52, 26, 1.9580037450074139e-2),
    ('bgnbd', 26, 30.86, 31, 52, 60, 1.7797252173809582e-3),
    ('bgnbd', 7, 38.86, 38.86, 0.5, 0, 9.2702753435071267e-1),
    ('bgnbd', 7, 38.86, 38.86, 0.5, 1, 6.9841594326154701e-2),
    ('bgnbd', 0, 0, 0, 10, 0, 7.5008351026811135e-1),
    ('bgnbd', 0, 0, 0, 10, 2, 5.0857611666367546e-2),
    ('bgnbd', 300, 195, 200, 1000, 0, 8.1680453910654317e-1),
    ('bgnbd', 300, 195, 200, 1000, 200, 1.9369345239575131e-4),
    ('bgnbd', 300, 195, 200, 1000, 1500, 1.8403779384307044e-4),
    ('bgnbd', 3, 5, 200, 10000, 0, 9.9974201851748005e-1),
    ('bgnbd', 3, 5, 200, 10000, 4, 1.5579606079617445e-5),
    ('mbgnbd', 0, 0, 38.86, 39, 0, 8.9117060122253189e-1),
    ('mbgnbd', 0, 0, 38.86, 39, 1, 7.8704132912308729e-2),
    ('mbgnbd', 0, 0, 38.86, 39, 3, 6.3092907224512549e-3),
    ('mbgnbd', 2, 30.43, 38.86, 39, 0, 4.4000590917770686e-1),
    ('mbgnbd', 2, 30.43, 38.86, 39, 1, 2.3422405642628645e-1),
    ('mbgnbd', 2, 30.43, 38.86, 39, 5, 2.4376067466719023e-2),
    ('mbgnbd', 1, 1.71, 38.86, 39, 0, 8.9515644581648846e-1),
    ('mbgnbd', 1, 1.71, 38.86, 39, 2, 2.594589697019329e-2),
    ('mbgnbd', 26, 30.86, 31, 52, 0, 3.4433855936649995e-2),
    ('mbgnbd', 26, 30.86, 31, 52, 10, 1.7564187438178235e-2),
    ('mbgnbd', 26, 30.86, 31, 52, 26, 2.1252322451019269e-2),
    ('mbgnbd', 26, 30.86, 31, 52, 60, 1.1180551022295988e-3),
    ('mbgnbd', 7, 38.86, 38.86, 0.5, 0, 9.2775816144446477e-1),
    ('mbgnbd', 7, 38.86, 38.86, 0.5, 1, 6.9185053860492764e-2),
    ('mbgnbd', 0, 0, 0, 10, 0, 7.4448249522872195e-1),
    ('mbgnbd', 0, 0, 0, 10, 2, 5.4640851307339407e-2),
    ('mbgnbd', 300, 195, 200, 1000, 0, 8.2535872793252208e-1),
    ('mbgnbd', 300, 195, 200, 1000, 200, 1.973782665519467e-4),
    ('mbgnbd', 300, 195, 200, 1000, 1500, 1.4066677811399447e-4),
    ('mbgnbd', 3, 5, 200, 10000, 0, 9.9982112546540859e-1),
    ('mbgnbd', 3, 5, 200, 10000, 4, 1.1419268535859845e-5),
    ('paretonbd', 0, 0, 38.86, 39, 0, 9.3071481594568021e-1),
    ('paretonbd', 0, 0, 38.86, 39, 1, 4.5898124125809538e-2),
    ('paretonbd', 0, 0, 38.86, 39, 3, 5.3144430071927493e-3),
    ('paretonbd', 2, 30.43, 38.86, 39, 0, 4.0806272360646378e-1),
    ('paretonbd', 2, 30.43, 38.86, 39, 1, 2.1928749790096378e-1),
    ('paretonbd', 2, 30.43, 38.86, 39, 5, 3.1981970261184638e-2),
    ('paretonbd', 1, 1.71, 38.86, 39, 0, 9.1335875466509313e-1),
    ('paretonbd', 1, 1.71, 38.86, 39, 2, 2.214819975713463e-2),
    ('paretonbd', 26, 30.86, 31, 52, 0, 2.3810255425955858e-2),
    ('paretonbd', 26, 30.86, 31, 52, 10, 1.336877189877681e-2),
    ('paretonbd', 26, 30.86, 31, 52, 26, 2.8973708355764041e-2),
    ('paretonbd', 26, 30.86, 31, 52, 60, 5.7881530543583972e-4),
    ('paretonbd', 7, 38.86, 38.86, 0.5, 0, 9.270268190704375e-1),
    ('paretonbd', 7, 38.86, 38.86, 0.5, 1, 6.9886051659194929e-2),
    ('paretonbd', 0, 0, 0, 10, 0, 7.3995205175423533e-1),
    ('paretonbd', 0, 0, 0, 10, 2, 5.7096509977412988e-2),
    ('paretonbd', 300, 195, 200, 1000, 0, 7.3598093993731735e-1),
    ('paretonbd', 300, 195, 200, 1000, 200, 2.3435994137634115e-4),
    ('paretonbd', 300, 195, 200, 1000, 1500, 2.893702680499824e-4),
    ('paretonbd', 3, 5, 200, 10000, 0, 9.998735970498203e-1),
    ('paretonbd', 3, 5, 200, 10000, 4, 6.8297760345929064e-6);

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
SELECT engage.prob_purchases(ROW(0.243, 4.414, -1, 2.426, NULL, NULL, NULL, NULL, NULL, NULL)::engage.bgnbd, 1, 39, 2, 30.43, 38.86);
SELECT engage.prob_purchases(ROW(NULL, 4.414, 1, 2.426, NULL, NULL, NULL, NULL, NULL, NULL)::engage.paretonbd, 1, 39, 2, 30.43, 38.86);
\set VERBOSITY default
SELECT engage.prob_purchases(bg, NULL, 39, 2, 30.43, 38.86) IS NULL AS null_n,
       engage.prob_purchases(pnbd, 1, 39, 2, NULL, 38.86) IS NULL AS null_recency
FROM pp_models;

DROP TABLE pp_models, pp_reference, pp_computed, pp_summaries;

-- engage.clv: discounted customer lifetime value from a counting model (BG/NBD, MBG/NBD,
-- Pareto/NBD) and the Gamma-Gamma spend model, with the lifetimes package's convention, on CDNOW.
SET client_min_messages = warning;   -- no "already exists" notice when an earlier test created it
CREATE EXTENSION IF NOT EXISTS engage;
RESET client_min_messages;

CREATE TABLE clv_cdnow (id integer, x integer, t_x float8, age float8, zbar float8);
\copy clv_cdnow FROM 'test/data/cdnow/cdnow_customers_summary_with_transactions.csv' WITH (FORMAT csv, HEADER true)
CREATE TABLE clv_models AS
SELECT (SELECT engage.bgnbd_fit(x, t_x, age) FROM clv_cdnow) AS bg,
       (SELECT engage.mbgnbd_fit(x, t_x, age) FROM clv_cdnow) AS mbg,
       (SELECT engage.paretonbd_fit(x, t_x, age) FROM clv_cdnow) AS pnbd,
       (SELECT engage.gammagamma_fit(x, zbar) FROM clv_cdnow) AS gg;

-- lifetimes' documented example (its Quickstart: BG/NBD and Gamma-Gamma fitted on this file,
-- customer_lifetime_value(..., time=12, discount_rate=0.01) with its default freq='D', i.e. 12
-- steps of 30 time units; here weeks, so horizon 360, step 30): customers 1, 2, 3 (x = 0), 6
-- and 9: 140.096211, 18.943467, 38.180574, 1003.868107, 167.418216.  Relative tolerance 1e-4
-- (lifetimes' optimiser stops a little before the maximum of the likelihoods).
SELECT id, x, t_x, age, zbar, round(engage.clv(bg, gg, x, t_x, age, zbar, 360, 0.01, 30)::numeric, 4) AS clv,
       abs(engage.clv(bg, gg, x, t_x, age, zbar, 360, 0.01, 30) / lifetimes - 1) < 1e-4 AS matches_lifetimes
FROM clv_cdnow, clv_models,
     (VALUES (1, 140.096211), (2, 18.943467), (3, 38.180574), (6, 1003.868107), (9, 167.418216)) AS l(lid, lifetimes)
WHERE id = lid ORDER BY id;

-- Against an independent SQL computation from engage.expected_purchases and
-- engage.expected_spend, for the three counting models, twelve monthly steps in weeks
-- (52.14 / 4.345 = 12) at 1% a month, for every customer; relative tolerance 1e-12.
CREATE FUNCTION pg_temp.clv_sql(e_at float8[], spend float8, d float8) RETURNS float8 LANGUAGE sql AS $$
    SELECT sum((e_at[i + 1] - e_at[i]) * spend / (1 + d) ^ i) FROM generate_series(1, array_length(e_at, 1) - 1) i
$$;
SELECT model, count(*) AS customers, round(sum(clv)::numeric, 2) AS total_clv, round(max(clv)::numeric, 2) AS max_clv,
       bool_and(abs(clv - direct) <= 1e-12 * greatest(abs(direct), 1e-300)) AS matches_direct
FROM (SELECT 'bgnbd' AS model, engage.clv(bg, gg, x, t_x, age, zbar, 52.14, 0.01, 4.345) AS clv,
             pg_temp.clv_sql(ARRAY(SELECT engage.expected_purchases(bg, i * 4.345, x, t_x, age) FROM generate_series(0, 12) i),
                             engage.expected_spend(gg, x, zbar), 0.01) AS direct
      FROM clv_cdnow, clv_models
      UNION ALL
      SELECT 'mbgnbd', engage.clv(mbg, gg, x, t_x, age, zbar, 52.14, 0.01, 4.345),
             pg_temp.clv_sql(ARRAY(SELECT engage.expected_purchases(mbg, i * 4.345, x, t_x, age) FROM generate_series(0, 12) i),
                             engage.expected_spend(gg, x, zbar), 0.01)
      FROM clv_cdnow, clv_models
      UNION ALL
      SELECT 'paretonbd', engage.clv(pnbd, gg, x, t_x, age, zbar, 52.14, 0.01, 4.345),
             pg_temp.clv_sql(ARRAY(SELECT engage.expected_purchases(pnbd, i * 4.345, x, t_x, age) FROM generate_series(0, 12) i),
                             engage.expected_spend(gg, x, zbar), 0.01)
      FROM clv_cdnow, clv_models) s
GROUP BY model ORDER BY model;

-- The number of steps is floor(horizon / step), a quotient within 1e-9 below an integer counting
-- as that integer: 52.14 / 4.345 is 12 steps (not 11), 52.13 / 4.345 is 11 (a positive horizon
-- shorter than one step is an error: sql/range_arguments.sql).  Undiscounted, CLV = E[X(k step)] * expected spend.
SELECT round(engage.clv(bg, gg, 2, 30.43, 38.86, 22.35, 52.14, 0.01, 4.345)::numeric, 6) AS twelve_steps,
       round(pg_temp.clv_sql(ARRAY(SELECT engage.expected_purchases(bg, i * 4.345, 2, 30.43, 38.86) FROM generate_series(0, 12) i),
                             engage.expected_spend(gg, 2, 22.35), 0.01)::numeric, 6) AS twelve_direct,
       round(engage.clv(bg, gg, 2, 30.43, 38.86, 22.35, 52.13, 0.01, 4.345)::numeric, 6) AS eleven_steps,
       round(pg_temp.clv_sql(ARRAY(SELECT engage.expected_purchases(bg, i * 4.345, 2, 30.43, 38.86) FROM generate_series(0, 11) i),
                             engage.expected_spend(gg, 2, 22.35), 0.01)::numeric, 6) AS eleven_direct,
       abs(engage.clv(bg, gg, 2, 30.43, 38.86, 22.35, 52.14, 0, 4.345)
           - engage.expected_purchases(bg, 52.14, 2, 30.43, 38.86) * engage.expected_spend(gg, 2, 22.35)) < 1e-9 AS undiscounted_ok
FROM clv_models;
-- extremes: a customer with very many purchases, a very long horizon in many steps, a large
-- discount rate; no overflow, no NaN.
SELECT round(engage.clv(bg, gg, 500, 38, 38.86, 40, 52.14, 0.01, 4.345)::numeric, 2) AS heavy_buyer,
       round(engage.clv(bg, gg, 0, 0, 38.86, 0, 5214, 0.01, 4.345)::numeric, 4) AS long_horizon_new,
       round(engage.clv(pnbd, gg, 1, 1, 1000, 10, 520, 0.01, 1)::numeric, 6) AS lapsed_long_ago,
       round(engage.clv(mbg, gg, 3, 20, 38.86, 30, 52.14, 1000, 4.345)::numeric, 6) AS huge_discount
FROM clv_models;

-- Many steps (the steps' expectations are computed in blocks of 64, their series summed together,
-- and the discounted sum memoised per (frequency, age)): 150 weekly steps at 0.2% a week equal
-- the step-by-step sum of expected_purchases differences to 1e-10 relative, for every model, an
-- eighth of the customers and all with frequency >= 10, and for extreme summaries (frequency 0,
-- recency = age, frequency 500, age 1000, a new customer); also for a BG/NBD model with a = 1
-- (interpolated) and one with large alpha.  Age 0.5 puts late steps past z = 0.6 (1 - z series).
CREATE TABLE clv_extremes AS
SELECT * FROM (VALUES (0, 0.0, 0.0, 0.0), (0, 0, 38.86, 0), (5, 38.86, 38.86, 20), (500, 38, 38.86, 40),
                      (3, 500, 1000, 25), (1, 0.5, 0.5, 12)) v(x, t_x, age, zbar)
UNION ALL SELECT x, t_x, age, zbar FROM clv_cdnow WHERE id % 8 = 0 OR x >= 10;
SELECT model, count(*) AS summaries,
       bool_and(abs(clv - direct) <= 1e-10 * abs(direct)) AS matches_step_sum,
       bool_and(clv > 0) AS all_positive
FROM (SELECT model, engage.clv(m, gg, x, t_x, age, zbar, 150, 0.002, 1) AS clv,
             pg_temp.clv_sql(ARRAY(SELECT engage.expected_purchases(m, i, x, t_x, age) FROM generate_series(0, 150) i),
                             engage.expected_spend(gg, x, zbar), 0.002) AS direct
      FROM clv_extremes, clv_models,
           LATERAL (VALUES ('bgnbd', bg), ('bgnbd a = 1', engage.bgnbd(0.243, 4.414, 1.0, 2.426)),
                           ('bgnbd alpha = 400', engage.bgnbd(0.8, 400, 0.8, 2.4))) AS b(model, m)
      UNION ALL
      SELECT 'mbgnbd', engage.clv(mbg, gg, x, t_x, age, zbar, 150, 0.002, 1),
             pg_temp.clv_sql(ARRAY(SELECT engage.expected_purchases(mbg, i, x, t_x, age) FROM generate_series(0, 150) i),
                             engage.expected_spend(gg, x, zbar), 0.002)
      FROM clv_extremes, clv_models
      UNION ALL
      SELECT 'paretonbd', engage.clv(pnbd, gg, x, t_x, age, zbar, 150, 0.002, 1),
             pg_temp.clv_sql(ARRAY(SELECT engage.expected_purchases(pnbd, i, x, t_x, age) FROM generate_series(0, 150) i),
                             engage.expected_spend(gg, x, zbar), 0.002)
      FROM clv_extremes, clv_models) s
GROUP BY model ORDER BY model;
-- One call site, schedules and models changing from row to row (the memo is per model and
-- schedule): the same values as with the rows grouped by model and schedule.
CREATE TABLE clv_mixed AS
SELECT i, c.x, c.t_x, c.age, c.zbar,
       CASE WHEN i % 3 = 0 THEN 52.14 ELSE 26.07 END AS horizon, (i % 2) * 0.01 AS d,
       CASE WHEN i % 5 = 0 THEN (SELECT bg FROM clv_models)
            ELSE engage.bgnbd(0.3, 5, 0.7, 2.5) END AS m
FROM generate_series(1, 400) i JOIN clv_cdnow c ON c.id = 1 + i % 40;
CREATE TABLE clv_mixed_one AS SELECT i, engage.clv(m, gg, x, t_x, age, zbar, horizon, d, 4.345) AS clv
FROM clv_mixed, clv_models;
-- the same rows again, grouped by model and schedule
SELECT count(*) AS rows, bool_and(o.clv = s.clv) AS same_grouped,
       bool_and(abs(o.clv - s.direct) <= 1e-10 * s.direct) AS matches_step_sum
FROM (SELECT i, engage.clv(m, gg, x, t_x, age, zbar, horizon, d, 4.345) AS clv,
             pg_temp.clv_sql(ARRAY(SELECT engage.expected_purchases(m, k * 4.345, x, t_x, age)
                                   FROM generate_series(0, round(horizon / 4.345)::int) k),
                             engage.expected_spend(gg, x, zbar), d) AS direct
      FROM (SELECT * FROM clv_mixed ORDER BY m::text, horizon, d OFFSET 0) q, clv_models) s
     JOIN clv_mixed_one o USING (i);
DROP TABLE clv_extremes, clv_mixed, clv_mixed_one;

-- Bad input: 22023 with a message naming the argument.
CREATE FUNCTION pg_temp.try(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE q;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN sqlstate || ': ' || sqlerrm;
END $$;
SELECT q AS statement, pg_temp.try(replace(q, '...', 'bg, gg')) AS result FROM (VALUES
    ('SELECT engage.clv(..., 2, 30, 38, 22, 52, -1, 4.345) FROM clv_models'),
    ('SELECT engage.clv(..., 2, 30, 38, 22, 52, -2, 4.345) FROM clv_models'),
    ('SELECT engage.clv(..., 2, 30, 38, 22, 52, ''NaN'', 4.345) FROM clv_models'),
    ('SELECT engage.clv(..., 2, 30, 38, 22, 52, 0.01, 0) FROM clv_models'),
    ('SELECT engage.clv(..., 2, 30, 38, 22, 52, 0.01, -1) FROM clv_models'),
    ('SELECT engage.clv(..., 2, 30, 38, 22, -1, 0.01, 4.345) FROM clv_models'),
    ('SELECT engage.clv(..., 2, 30, 38, 22, ''Infinity'', 0.01, 4.345) FROM clv_models'),
    ('SELECT engage.clv(..., 2, 30, 38, 22, 1e9, 0.01, 1) FROM clv_models'),
    ('SELECT engage.clv(..., 2, 30, 38, -22, 52, 0.01, 4.345) FROM clv_models'),
    ('SELECT engage.clv(..., 2, 30, 38, ''NaN'', 52, 0.01, 4.345) FROM clv_models'),
    ('SELECT engage.clv(..., 2, 30, 38, 0, 52, 0.01, 4.345) FROM clv_models'),
    ('SELECT engage.clv(..., 2, 40, 38, 22, 52, 0.01, 4.345) FROM clv_models'),
    ('SELECT engage.clv(..., -2, 30, 38, 22, 52, 0.01, 4.345) FROM clv_models'),
    ('SELECT engage.clv(bg, engage.gammagamma(6, 0.5, 15), 0, 0, 38, 0, 52, 0.01, 4.345) FROM clv_models'),
    ('SELECT engage.clv(ROW(0, 4, 0.8, 2.4, NULL, NULL, NULL, NULL, NULL, NULL)::engage.bgnbd, gg, 2, 30, 38, 22, 52, 0.01, 4.345) FROM clv_models'),
    ('SELECT engage.clv(bg, ROW(6, 3.7, NULL, NULL, NULL, NULL, NULL, NULL)::engage.gammagamma, 2, 30, 38, 22, 52, 0.01, 4.345) FROM clv_models')
) v(q);

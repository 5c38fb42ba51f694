-- BG/NBD conditional expectations at many horizons at once, as engage.clv computes its steps
-- (the Gauss hypergeometric series of all steps summed together, the gamma functions of the
-- 1 - z transformation shared by the steps past z = 0.6), against one horizon at a time
-- (engage.expected_purchases, itself checked against numerical integration in btyd_formulas).
SET client_min_messages = warning;   -- no "already exists" notice when an earlier test created it
CREATE EXTENSION IF NOT EXISTS engage;
RESET client_min_messages;

-- Extreme summaries: a new customer, frequency 0, recency = age, ages of half a week (late
-- steps reach z = t / (alpha + age + t) = 0.97), very many purchases.
CREATE TABLE bgnbd_steps_summaries (x float8, t_x float8, age float8, zbar float8);
INSERT INTO bgnbd_steps_summaries VALUES
    (0, 0, 0, 0), (0, 0, 0.5, 0), (1, 0.5, 0.5, 12), (3, 0.2, 0.5, 30), (7, 1, 1, 5),
    (12, 0.4, 0.5, 8), (0, 0, 38.86, 0), (5, 38.86, 38.86, 20), (500, 38, 38.86, 40);

-- Models taking each branch of 2F1 at the steps past z = 0.6 (c - a - b = r + x - a + 1 after
-- Euler's transformation): not near an integer; an integer and within 3e-4 of one (cubic
-- interpolation in c); large parameters (the two terms of the transformation cancel, so the
-- power series is summed instead); a = 1 (interpolation in a).
CREATE TABLE bgnbd_steps_models (model text, m engage.bgnbd);
INSERT INTO bgnbd_steps_models VALUES
    ('c - a - b not near an integer', engage.bgnbd(0.243, 4.414, 0.793, 2.426)),
    ('c - a - b an integer', engage.bgnbd(0.5, 4.4, 1.5, 2.4)),
    ('c - a - b near an integer', engage.bgnbd(0.5001, 4.4, 1.5, 2.4)),
    ('large parameters', engage.bgnbd(20, 2, 25, 50)),
    ('a = 1', engage.bgnbd(0.243, 4.414, 1.0, 2.426));

-- The discounted sum of the step-by-step differences of expected_purchases, as engage.clv
-- defines it.
CREATE FUNCTION pg_temp.clv_sql(e_at float8[], spend float8, d float8) RETURNS float8 LANGUAGE sql AS $$
    SELECT sum((e_at[i + 1] - e_at[i]) * spend / (1 + d) ^ i) FROM generate_series(1, array_length(e_at, 1) - 1) i
$$;

-- 150 weekly steps at 0.2% a week (three blocks of steps: 64, 64, 22); relative tolerance 1e-12.
SELECT model, count(*) AS summaries,
       bool_and(abs(clv - direct) <= 1e-12 * abs(direct)) AS matches_one_at_a_time,
       bool_and(clv > 0) AS all_positive,
       round(sum(clv)::numeric, 4) AS total_clv
FROM (SELECT model, engage.clv(m, engage.gammagamma(6.25, 3.74, 15.44),
                               x, t_x, age, zbar, 150, 0.002, 1) AS clv,
             pg_temp.clv_sql(ARRAY(SELECT engage.expected_purchases(m, i, x, t_x, age) FROM generate_series(0, 150) i),
                             engage.expected_spend(engage.gammagamma(6.25, 3.74, 15.44), x, zbar),
                             0.002) AS direct
      FROM bgnbd_steps_summaries, bgnbd_steps_models) s
GROUP BY model ORDER BY model;

-- Across z = 0.6 the power series gives way to the 1 - z transformation: the expectation is
-- continuous there (t = 1.5 (alpha + age) is z = 0.6), for every model and summary.
SELECT model, bool_and(abs(engage.expected_purchases(m, t * (1 - 1e-12), x, t_x, age) /
                           engage.expected_purchases(m, t * (1 + 1e-12), x, t_x, age) - 1) < 1e-9) AS continuous_at_z_06
FROM bgnbd_steps_summaries, bgnbd_steps_models, LATERAL (SELECT 1.5 * ((m).alpha + age) AS t) AS s
GROUP BY model ORDER BY model;

DROP TABLE bgnbd_steps_summaries, bgnbd_steps_models;

-- CLV and its uncertainty for models with covariates: engage.clv and engage.clv_interval with
-- the customer's purchase, dropout and spend covariate vectors, the prediction intervals of
-- P(alive) and E[X(t)] with covariates, and the bootstrap of fits with covariates.
SET client_min_messages = warning;   -- no "already exists" notice when an earlier test created it
CREATE EXTENSION IF NOT EXISTS engage;
RESET client_min_messages;

-- 1. CLV with covariates is the CLV of the models at the customer's parameters: BG/NBD and
-- MBG/NBD alpha_i = alpha exp(-gamma'x), a_i = a exp(delta'z), b_i = b exp(delta'z);
-- Pareto/NBD alpha_i = alpha exp(-gamma'x), beta_i = beta exp(-delta'z); Gamma-Gamma
-- v_i = v exp(theta'w).  Customer x = (1), z = (1, 0.5), w = (1, 2); 12 monthly steps of a
-- weekly model at 1 % a month.
SELECT model,
       abs(with_covariates / at_customer_parameters - 1) < 1e-14 AS equals_constructed,
       round(with_covariates::numeric, 6) AS clv
FROM (SELECT 'bgnbd' AS model,
             engage.clv(engage.bgnbd(0.243, 4.414, 0.793, 2.426, '{0.5}', '{-0.3,0.2}'),
                        engage.gammagamma(6.25, 3.74, 15.44, '{0.2,-0.1}'),
                        2, 30, 38, 20, 52, 0.01, 4.345, '{1}', '{1,0.5}', '{1,2}') AS with_covariates,
             engage.clv(engage.bgnbd(0.243, 4.414 * exp(-0.5), 0.793 * exp(-0.3 + 0.1), 2.426 * exp(-0.3 + 0.1)),
                        engage.gammagamma(6.25, 3.74, 15.44 * exp(0.2 - 0.2)),
                        2, 30, 38, 20, 52, 0.01, 4.345) AS at_customer_parameters
      UNION ALL
      SELECT 'mbgnbd',
             engage.clv(engage.mbgnbd(0.525, 6.183, 0.891, 1.614, '{0.5}', '{-0.3,0.2}'),
                        engage.gammagamma(6.25, 3.74, 15.44, '{0.2,-0.1}'),
                        2, 30, 38, 20, 52, 0.01, 4.345, '{1}', '{1,0.5}', '{1,2}'),
             engage.clv(engage.mbgnbd(0.525, 6.183 * exp(-0.5), 0.891 * exp(-0.3 + 0.1), 1.614 * exp(-0.3 + 0.1)),
                        engage.gammagamma(6.25, 3.74, 15.44 * exp(0.2 - 0.2)),
                        2, 30, 38, 20, 52, 0.01, 4.345)
      UNION ALL
      SELECT 'paretonbd',
             engage.clv(engage.paretonbd(0.553, 10.578, 0.606, 11.669, '{0.5}', '{-0.3,0.2}'),
                        engage.gammagamma(6.25, 3.74, 15.44, '{0.2,-0.1}'),
                        2, 30, 38, 20, 52, 0.01, 4.345, '{1}', '{1,0.5}', '{1,3}'),
             engage.clv(engage.paretonbd(0.553, 10.578 * exp(-0.5), 0.606, 11.669 * exp(0.3 - 0.1)),
                        engage.gammagamma(6.25, 3.74, 15.44 * exp(0.2 - 0.3)),
                        2, 30, 38, 20, 52, 0.01, 4.345)) AS s
ORDER BY model;

-- All-zero covariate vectors give the CLV without covariates exactly, and a model without
-- coefficients takes empty vectors (also GGompertz/NBD, whose CLV goes through the same code)
SELECT engage.clv(engage.bgnbd(0.243, 4.414, 0.793, 2.426, '{0.5}', '{-0.3,0.2}'),
                  engage.gammagamma(6.25, 3.74, 15.44, '{0.2,-0.1}'), 2, 30, 38, 20, 52, 0.01, 4.345,
                  '{0}', '{0,0}', '{0,0}')
     = engage.clv(engage.bgnbd(0.243, 4.414, 0.793, 2.426), engage.gammagamma(6.25, 3.74, 15.44),
                  2, 30, 38, 20, 52, 0.01, 4.345) AS bgnbd_zero_is_plain,
       engage.clv(engage.mbgnbd(0.525, 6.183, 0.891, 1.614, '{0.5}', '{-0.3,0.2}'),
                  engage.gammagamma(6.25, 3.74, 15.44, '{0.2,-0.1}'), 2, 30, 38, 20, 52, 0.01, 4.345,
                  '{0}', '{0,0}', '{0,0}')
     = engage.clv(engage.mbgnbd(0.525, 6.183, 0.891, 1.614), engage.gammagamma(6.25, 3.74, 15.44),
                  2, 30, 38, 20, 52, 0.01, 4.345) AS mbgnbd_zero_is_plain,
       engage.clv(engage.paretonbd(0.553, 10.578, 0.606, 11.669, '{0.5}', '{-0.3,0.2}'),
                  engage.gammagamma(6.25, 3.74, 15.44, '{0.2,-0.1}'), 2, 30, 38, 20, 52, 0.01, 4.345,
                  '{0}', '{0,0}', '{0,0}')
     = engage.clv(engage.paretonbd(0.553, 10.578, 0.606, 11.669), engage.gammagamma(6.25, 3.74, 15.44),
                  2, 30, 38, 20, 52, 0.01, 4.345) AS paretonbd_zero_is_plain,
       engage.clv(engage.paretonbd(0.553, 10.578, 0.606, 11.669), engage.gammagamma(6.25, 3.74, 15.44),
                  2, 30, 38, 20, 52, 0.01, 4.345, '{}', '{}', '{}')
     = engage.clv(engage.paretonbd(0.553, 10.578, 0.606, 11.669), engage.gammagamma(6.25, 3.74, 15.44),
                  2, 30, 38, 20, 52, 0.01, 4.345) AS empty_vectors_are_plain,
       engage.clv(engage.ggomnbd(0.5, 10, 0.1, 0.6, 11), engage.gammagamma(6.25, 3.74, 15.44, '{0.2,-0.1}'),
                  2, 30, 38, 20, 52, 0.01, 4.345, '{}', '{}', '{0,0}')
     = engage.clv(engage.ggomnbd(0.5, 10, 0.1, 0.6, 11), engage.gammagamma(6.25, 3.74, 15.44),
                  2, 30, 38, 20, 52, 0.01, 4.345) AS ggomnbd_spend_zero_is_plain;

-- A model with coefficients scored without its vectors: 22023 with the hint naming the form
-- with covariates, for the counting model and for Gamma-Gamma (also through the form with the
-- counting vectors only); vectors of the wrong length: 22023 naming expected and got
\set VERBOSITY default
SELECT engage.clv(engage.paretonbd(0.553, 10.578, 0.606, 11.669, '{0.5}', '{-0.3,0.2}'),
                  engage.gammagamma(6.25, 3.74, 15.44), 2, 30, 38, 20, 52, 0.01, 4.345);
SELECT engage.clv(engage.paretonbd(0.553, 10.578, 0.606, 11.669), engage.gammagamma(6.25, 3.74, 15.44, '{0.2}'),
                  2, 30, 38, 20, 52, 0.01, 4.345, '{}', '{}');
SELECT engage.clv(engage.bgnbd(0.243, 4.414, 0.793, 2.426), engage.gammagamma(6.25, 3.74, 15.44, '{0.2}'),
                  2, 30, 38, 20, 52, 0.01, 4.345);
SELECT engage.clv(engage.bgnbd(0.243, 4.414, 0.793, 2.426), engage.gammagamma(6.25, 3.74, 15.44, '{0.2}'),
                  2, 30, 38, 20, 52, 0.01, 4.345, '{}', '{}', '{1,0}');
SELECT engage.clv(engage.mbgnbd(0.525, 6.183, 0.891, 1.614, '{0.5}', '{}'), engage.gammagamma(6.25, 3.74, 15.44),
                  2, 30, 38, 20, 52, 0.01, 4.345, '{1}', '{1}', '{}');
\set VERBOSITY terse

-- 2. The apparel data of CLVTools (test/data/apparel: 600 customers, weekly, calibration to
-- 2006-12-31; Gender and Channel 0/1): per customer the days with purchases (amounts of a
-- day summed), frequency the repeat days, monetary their mean amount (0 without).
CREATE TABLE cc_trans (id integer, day date, price float8);
\copy cc_trans FROM 'test/data/apparel/apparelTrans.csv' WITH (FORMAT csv, HEADER true)
CREATE TABLE cc_cov (id integer, gender float8, channel float8);
\copy cc_cov FROM 'test/data/apparel/apparelStaticCov.csv' WITH (FORMAT csv, HEADER true)
CREATE TABLE cc_apparel AS
WITH days AS (SELECT id, day, sum(price) AS amount FROM cc_trans WHERE day <= '2006-12-31' GROUP BY id, day),
     firsts AS (SELECT id, min(day) AS first FROM days GROUP BY id)
SELECT c.id, c.gender, c.channel,
       (count(*) - 1)::float8 AS frequency,
       (max(d.day) - f.first) / 7.0 AS recency,
       ('2006-12-31'::date - f.first) / 7.0 AS age,
       coalesce(avg(d.amount) FILTER (WHERE d.day > f.first), 0) AS monetary
FROM cc_cov c JOIN days d USING (id) JOIN firsts f USING (id)
GROUP BY c.id, c.gender, c.channel, f.first;
SELECT count(*) AS customers, sum(frequency) AS repeat_days, count(*) FILTER (WHERE frequency > 0) AS repeat_buyers
FROM cc_apparel;

-- The fits: Pareto/NBD with Gender and Channel in both processes; MBG/NBD with both for
-- purchases and Gender for dropout; BG/NBD with both for purchases only (its dropout
-- coefficients run off on these data, sql/btyd_covariates.sql); Gamma-Gamma with both for
-- spend (sql/gammagamma_covariates.sql checks it against an independent fit).  All converge
-- with a covariance.
CREATE TABLE cc_models AS
SELECT engage.paretonbd_fit(frequency, recency, age, ARRAY[gender, channel], ARRAY[gender, channel]) AS pn,
       engage.mbgnbd_fit(frequency, recency, age, ARRAY[gender, channel], ARRAY[gender]) AS mbg,
       engage.bgnbd_fit(frequency, recency, age, ARRAY[gender, channel], '{}') AS bg,
       engage.gammagamma_fit(frequency, monetary, ARRAY[gender, channel]) FILTER (WHERE frequency > 0) AS gg
FROM cc_apparel;
SELECT (pn).converged AND (mbg).converged AND (bg).converged AND (gg).converged AS all_converged,
       array_dims((pn).covariance) AS pn_cov, array_dims((mbg).covariance) AS mbg_cov,
       array_dims((bg).covariance) AS bg_cov, array_dims((gg).covariance) AS gg_cov
FROM cc_models;

-- The README's example: CLV per customer over the next 12 months (monthly steps, 1 % a month)
-- with its 95 % interval, for four customers, one per Gender x Channel
SELECT a.id, a.gender, a.channel, a.frequency,
       round((i).estimate::numeric, 2) AS clv, round((i).lower::numeric, 2) AS lower,
       round((i).upper::numeric, 2) AS upper,
       (i).estimate = engage.clv(pn, gg, a.frequency, a.recency, a.age, a.monetary, 52.14, 0.01, 4.345,
                                 ARRAY[a.gender, a.channel], ARRAY[a.gender, a.channel], ARRAY[a.gender, a.channel])
         AS estimate_is_clv
FROM cc_apparel a, cc_models,
     LATERAL (SELECT engage.clv_interval(pn, gg, a.frequency, a.recency, a.age, a.monetary, 52.14, 0.01, 4.345,
                                         ARRAY[a.gender, a.channel], ARRAY[a.gender, a.channel],
                                         ARRAY[a.gender, a.channel]) AS i) AS l
WHERE a.id IN (1, 2, 11, 16)
ORDER BY a.id;

-- The standard error computed here independently: the gradient of engage.clv over models
-- built by the constructors from theta = (the counting model's parameters and coefficients,
-- Gamma-Gamma's p, q, v and spend coefficients) by central differences (relative steps of
-- 1e-5 in the parameters, absolute steps of 1e-5 in the coefficients, against the library's
-- 1e-4), then g1' Cov1 g1 + g2' Cov2 g2 over both models' full covariance matrices.
-- ctor builds the counting model from $1[1..k]: k parameters, np purchase and nd dropout
-- coefficients; Gamma-Gamma follows with ns spend coefficients.
CREATE FUNCTION pg_temp.clv_cov_delta_se(ctor text, k int, np int, nd int, ns int, theta float8[],
                                         cov1 float8[], cov2 float8[], x float8, tx float8, age float8,
                                         monetary float8, xp float8[], xd float8[], w float8[]) RETURNS float8
LANGUAGE plpgsql AS $$
DECLARE
    n1 int := k + np + nd;
    n int := n1 + 3 + ns;
    q text;
    g float8[] := '{}';
    up float8[];
    down float8[];
    hi float8;
    lo float8;
    h float8;
    v float8 := 0;
    pos boolean;
BEGIN
    q := format('SELECT engage.clv(engage.%s(%s, ARRAY[%s]::float8[], ARRAY[%s]::float8[]), '
                'engage.gammagamma($1[%s], $1[%s], $1[%s], ARRAY[%s]::float8[]), '
                '%s, %s, %s, %s, 52.14, 0.01, 4.345, $2, $3, $4)',
                ctor,
                (SELECT string_agg(format('$1[%s]', i), ', ') FROM generate_series(1, k) i),
                coalesce((SELECT string_agg(format('$1[%s]', i), ', ') FROM generate_series(k + 1, k + np) i), ''),
                coalesce((SELECT string_agg(format('$1[%s]', i), ', ') FROM generate_series(k + np + 1, n1) i), ''),
                n1 + 1, n1 + 2, n1 + 3,
                coalesce((SELECT string_agg(format('$1[%s]', i), ', ') FROM generate_series(n1 + 4, n) i), ''),
                x, tx, age, monetary);
    FOR i IN 1 .. n LOOP
        pos := i <= k OR i BETWEEN n1 + 1 AND n1 + 3;
        h := CASE WHEN pos THEN theta[i] * 1e-5 ELSE 1e-5 END;
        up := theta; down := theta;
        up[i] := theta[i] + h; down[i] := theta[i] - h;
        EXECUTE q INTO hi USING up, xp, xd, w;
        EXECUTE q INTO lo USING down, xp, xd, w;
        g := g || (hi - lo) / (2 * h);
    END LOOP;
    FOR i IN 1 .. n1 LOOP
        FOR j IN 1 .. n1 LOOP
            v := v + g[i] * cov1[i][j] * g[j];
        END LOOP;
    END LOOP;
    FOR i IN 1 .. 3 + ns LOOP
        FOR j IN 1 .. 3 + ns LOOP
            v := v + g[n1 + i] * cov2[i][j] * g[n1 + j];
        END LOOP;
    END LOOP;
    RETURN sqrt(v);
END $$;

-- Four customers (one per Gender x Channel, one without repeat purchases) under each counting
-- model: the estimate is engage.clv itself, the SE matches the independent computation to
-- 1e-4 relative, the 95 % bounds are exp(ln(CLV) -+ 1.959964 SE / CLV)
CREATE TABLE cc_rows AS
SELECT m.model, a.id, a.frequency,
       CASE m.model
           WHEN 'bgnbd' THEN engage.clv_interval(bg, gg, a.frequency, a.recency, a.age, a.monetary, 52.14, 0.01, 4.345,
                                                 ARRAY[a.gender, a.channel], '{}', ARRAY[a.gender, a.channel])
           WHEN 'mbgnbd' THEN engage.clv_interval(mbg, gg, a.frequency, a.recency, a.age, a.monetary, 52.14, 0.01, 4.345,
                                                  ARRAY[a.gender, a.channel], ARRAY[a.gender], ARRAY[a.gender, a.channel])
           ELSE engage.clv_interval(pn, gg, a.frequency, a.recency, a.age, a.monetary, 52.14, 0.01, 4.345,
                                    ARRAY[a.gender, a.channel], ARRAY[a.gender, a.channel], ARRAY[a.gender, a.channel])
       END AS i,
       CASE m.model
           WHEN 'bgnbd' THEN pg_temp.clv_cov_delta_se('bgnbd', 4, 2, 0, 2,
                ARRAY[(bg).r, (bg).alpha, (bg).a, (bg).b] || (bg).purchase_coefficients
                  || ARRAY[(gg).p, (gg).q, (gg).v] || (gg).spend_coefficients,
                (bg).covariance, (gg).covariance, a.frequency, a.recency, a.age, a.monetary,
                ARRAY[a.gender, a.channel], '{}', ARRAY[a.gender, a.channel])
           WHEN 'mbgnbd' THEN pg_temp.clv_cov_delta_se('mbgnbd', 4, 2, 1, 2,
                ARRAY[(mbg).r, (mbg).alpha, (mbg).a, (mbg).b] || (mbg).purchase_coefficients
                  || (mbg).dropout_coefficients || ARRAY[(gg).p, (gg).q, (gg).v] || (gg).spend_coefficients,
                (mbg).covariance, (gg).covariance, a.frequency, a.recency, a.age, a.monetary,
                ARRAY[a.gender, a.channel], ARRAY[a.gender], ARRAY[a.gender, a.channel])
           ELSE pg_temp.clv_cov_delta_se('paretonbd', 4, 2, 2, 2,
                ARRAY[(pn).r, (pn).alpha, (pn).s, (pn).beta] || (pn).purchase_coefficients
                  || (pn).dropout_coefficients || ARRAY[(gg).p, (gg).q, (gg).v] || (gg).spend_coefficients,
                (pn).covariance, (gg).covariance, a.frequency, a.recency, a.age, a.monetary,
                ARRAY[a.gender, a.channel], ARRAY[a.gender, a.channel], ARRAY[a.gender, a.channel])
       END AS se_here
FROM cc_models, cc_apparel a, (VALUES ('bgnbd'), ('mbgnbd'), ('paretonbd')) AS m(model)
WHERE a.id IN (1, 2, 11, 16);
SELECT model, id, frequency, round((i).estimate::numeric, 3) AS clv, round((i).std_error::numeric, 4) AS std_error,
       abs((i).std_error / se_here - 1) < 1e-4 AS se_matches,
       abs(ln((i).lower) - (ln((i).estimate) - 1.959964 * (i).std_error / (i).estimate)) < 1e-6
         AND abs(ln((i).upper) - (ln((i).estimate) + 1.959964 * (i).std_error / (i).estimate)) < 1e-6 AS log_bounds
FROM cc_rows ORDER BY model, id;

-- The coefficient blocks enter the variance: with the coefficients' rows and columns of both
-- covariance matrices zeroed (the base parameters' uncertainty alone), the SE of a customer
-- with every covariate 1 moves by more than 5 % (their covariances with the base parameters
-- are partly negative, so it need not grow)
SELECT abs((base_i).std_error / (full_i).std_error - 1) > 0.05 AS coefficients_enter,
       round(((base_i).std_error / (full_i).std_error)::numeric, 3) AS base_over_full
FROM cc_models, cc_apparel a,
     LATERAL (SELECT jsonb_populate_record(pn, jsonb_build_object('covariance',
                 (SELECT array_agg(r ORDER BY i) FROM (
                     SELECT i, array_agg(CASE WHEN i <= 4 AND j <= 4 THEN (pn).covariance[i][j] ELSE 0 END ORDER BY j) AS r
                     FROM generate_series(1, 8) i, generate_series(1, 8) j GROUP BY i) s))) AS pn0,
                     jsonb_populate_record(gg, jsonb_build_object('covariance',
                 (SELECT array_agg(r ORDER BY i) FROM (
                     SELECT i, array_agg(CASE WHEN i <= 3 AND j <= 3 THEN (gg).covariance[i][j] ELSE 0 END ORDER BY j) AS r
                     FROM generate_series(1, 5) i, generate_series(1, 5) j GROUP BY i) s))) AS gg0) AS z,
     LATERAL (SELECT engage.clv_interval(pn, gg, a.frequency, a.recency, a.age, a.monetary, 52.14, 0.01, 4.345,
                                         '{1,1}', '{1,1}', '{1,1}') AS full_i,
                     engage.clv_interval(pn0, gg0, a.frequency, a.recency, a.age, a.monetary, 52.14, 0.01, 4.345,
                                         '{1,1}', '{1,1}', '{1,1}') AS base_i) AS l
WHERE a.id = 11;

-- Other levels, a hand-built model (no covariance): NULL; a bad level: error
SELECT round(((i90).upper - (i90).lower)::numeric / ((i95).upper - (i95).lower)::numeric, 3) AS width_90_over_95
FROM cc_models, LATERAL (SELECT engage.clv_interval(pn, gg, 2, 30, 38, 20, 52.14, 0.01, 4.345, '{1,0}', '{1,0}', '{1,0}', 0.90) AS i90,
                                engage.clv_interval(pn, gg, 2, 30, 38, 20, 52.14, 0.01, 4.345, '{1,0}', '{1,0}', '{1,0}') AS i95) AS l;
SELECT engage.clv_interval(pn, engage.gammagamma(6.25, 3.74, 15.44, '{0.2,-0.1}'), 2, 30, 38, 20, 52.14, 0.01, 4.345,
                           '{1,0}', '{1,0}', '{1,0}') IS NULL AS hand_built_spend
FROM cc_models;
SELECT engage.clv_interval(pn, gg, 2, 30, 38, 20, 52.14, 0.01, 4.345, '{1,0}', '{1,0}', '{1,0}', 1.5) FROM cc_models;
\set VERBOSITY default
SELECT engage.clv_interval(pn, gg, 2, 30, 38, 20, 52.14, 0.01, 4.345) FROM cc_models;
SELECT engage.clv_interval(pn, gg, 2, 30, 38, 20, 52.14, 0.01, 4.345, '{1,0}', '{1,0}', '{1}') FROM cc_models;
\set VERBOSITY terse

-- 3. The intervals of P(alive) and E[X(t)] with covariates against finite differences of
-- engage.p_alive and engage.expected_purchases over constructed models (relative steps 1e-5 in
-- the parameters, absolute 1e-5 in the coefficients): the SE to 1e-4 relative.  MBG/NBD of
-- the apparel fit, customer 11.
CREATE FUNCTION pg_temp.score_delta_se(expr text, theta float8[], cov float8[]) RETURNS float8
LANGUAGE plpgsql AS $$
DECLARE
    n int := cardinality(theta);
    g float8[] := '{}';
    up float8[];
    down float8[];
    hi float8;
    lo float8;
    h float8;
    v float8 := 0;
BEGIN
    FOR i IN 1 .. n LOOP
        h := CASE WHEN i <= 4 THEN theta[i] * 1e-5 ELSE 1e-5 END;
        up := theta; down := theta;
        up[i] := theta[i] + h; down[i] := theta[i] - h;
        EXECUTE expr INTO hi USING up;
        EXECUTE expr INTO lo USING down;
        g := g || (hi - lo) / (2 * h);
    END LOOP;
    FOR i IN 1 .. n LOOP
        FOR j IN 1 .. n LOOP
            v := v + g[i] * cov[i][j] * g[j];
        END LOOP;
    END LOOP;
    RETURN sqrt(v);
END $$;
SELECT round((pa).estimate::numeric, 4) AS p_alive,
       abs((pa).std_error / pg_temp.score_delta_se(
           format('SELECT engage.p_alive(engage.mbgnbd($1[1], $1[2], $1[3], $1[4], ARRAY[$1[5], $1[6]], ARRAY[$1[7]]), %s, %s, %s, %L, %L)',
                  a.frequency, a.recency, a.age, ARRAY[a.gender, a.channel], ARRAY[a.gender]),
           theta, (mbg).covariance) - 1) < 1e-4 AS p_alive_se_matches,
       round((ep).estimate::numeric, 4) AS next_52,
       abs((ep).std_error / pg_temp.score_delta_se(
           format('SELECT engage.expected_purchases(engage.mbgnbd($1[1], $1[2], $1[3], $1[4], ARRAY[$1[5], $1[6]], ARRAY[$1[7]]), 52, %s, %s, %s, %L, %L)',
                  a.frequency, a.recency, a.age, ARRAY[a.gender, a.channel], ARRAY[a.gender]),
           theta, (mbg).covariance) - 1) < 1e-4 AS next_52_se_matches
FROM cc_models, cc_apparel a,
     LATERAL (SELECT ARRAY[(mbg).r, (mbg).alpha, (mbg).a, (mbg).b] || (mbg).purchase_coefficients
                     || (mbg).dropout_coefficients AS theta,
                     engage.p_alive_interval(mbg, a.frequency, a.recency, a.age, ARRAY[a.gender, a.channel], ARRAY[a.gender]) AS pa,
                     engage.expected_purchases_interval(mbg, 52, a.frequency, a.recency, a.age,
                                                        ARRAY[a.gender, a.channel], ARRAY[a.gender]) AS ep) AS l
WHERE a.id = 11;

-- 4. The bootstrap of fits with covariates: a stored sample with covariates (engage.fitdata
-- with the covariate vectors) resampled customer by customer with their covariates and refitted
-- with coefficients.  Simulated BG/NBD customers (r 0.25, alpha 4.4, a 0.8, b 2.4, purchase
-- coefficient 0.5, dropout coefficient -0.4), 1000 in each of the four groups of a 0/1
-- purchase covariate and a 0/1 dropout covariate, observed 52 weeks.
CREATE TABLE cc_sim AS
SELECT g1, g2, s.*
FROM generate_series(0, 1) g1, generate_series(0, 1) g2,
     LATERAL engage.bgnbd_simulate(engage.bgnbd(0.25, 4.4, 0.8, 2.4, '{0.5}', '{-0.4}'),
                                   1000, 52, 20 + 2 * g1 + g2, ARRAY[g1::float8], ARRAY[g2::float8]) s;
CREATE TABLE cc_sample AS
SELECT engage.fitdata(frequency, recency, age, ARRAY[g1::float8], ARRAY[g2::float8]) AS f FROM cc_sim;

-- fitdata_resample keeps the covariate columns and the covariate counts: 4000 customers drawn,
-- tuples (frequency, recency, age, purchase covariate, dropout covariate), and a fit of the
-- resample has one coefficient of each kind; the same seed draws the same sample
SELECT substring(engage.fitdata_resample(f, 1)::text FROM '^k=\d+') AS columns,
       substring(engage.fitdata_resample(f, 1)::text FROM 'weight=\d+') AS customers,
       substring(engage.fitdata_resample(f, 1)::text FROM 'options=\{[^}]*\}') AS options,
       cardinality((engage.bgnbd_fit(engage.fitdata_resample(f, 1))).purchase_coefficients) AS purchase,
       cardinality((engage.bgnbd_fit(engage.fitdata_resample(f, 1))).dropout_coefficients) AS dropout,
       engage.fitdata_resample(f, 1)::text = engage.fitdata_resample(f, 1)::text AS same_seed_same_sample,
       engage.fitdata_resample(f, 1)::text <> engage.fitdata_resample(f, 2)::text AS other_seed_other_sample
FROM cc_sample;

-- 500 BG/NBD replicates: every one converged with one purchase and one dropout coefficient and
-- the sample's 4000 customers, no covariance.  The standard deviation of each parameter and
-- coefficient over the replicates is within 15 % of its Wald standard error from the whole
-- fit (1000 replicates of seeds 1 and 2 give ratios 0.95 to 1.09; the Monte Carlo error of a
-- standard deviation from 500 replicates is 1/sqrt(2 * 499) = 3.2 %), and the replicates are
-- centred on the whole fit (mean within half a standard error).
CREATE TABLE cc_bs AS
SELECT m.* FROM cc_sample, engage.bgnbd_bootstrap(f, 500, 1)
    WITH ORDINALITY AS m(r, alpha, a, b, loglik, customers, converged, covariance,
                         purchase_coefficients, dropout_coefficients, n);
CREATE TABLE cc_wald AS SELECT p.* FROM cc_sample, engage.parameters(engage.bgnbd_fit(f)) AS p;
SELECT count(*) AS replicates, bool_and(converged) AS all_converged, bool_and(customers = 4000) AS all_4000,
       bool_and(covariance IS NULL) AS no_covariance,
       bool_and(cardinality(purchase_coefficients) = 1 AND cardinality(dropout_coefficients) = 1) AS coefficients
FROM cc_bs;
SELECT w.parameter, round(w.std_error::numeric, 4) AS wald_se,
       abs(b.sd / w.std_error - 1) < 0.15 AS sd_near_wald,
       abs(b.mean - w.estimate) < 0.5 * w.std_error AS centred
FROM cc_wald AS w,
     LATERAL (SELECT stddev(v) AS sd, avg(v) AS mean
              FROM cc_bs, LATERAL (SELECT CASE w.parameter WHEN 'r' THEN r WHEN 'alpha' THEN alpha
                                                           WHEN 'a' THEN a WHEN 'b' THEN b
                                                           WHEN 'purchase[1]' THEN purchase_coefficients[1]
                                                           ELSE dropout_coefficients[1] END AS v) AS x) AS b
ORDER BY w.parameter;

-- Replicate 1 of seed 1 is the fit of the customers engage.fitdata_resample(sample, 1) draws
-- (the same stream from the same seed): fitting those from scratch gives the same model to the
-- optimiser's tolerance and the same log-likelihood; the same seed gives the same replicates
-- and the first k of a longer run, another seed others
SELECT abs(b.r / (m).r - 1) < 1e-6 AND abs(b.alpha / (m).alpha - 1) < 1e-6
         AND abs(b.a / (m).a - 1) < 1e-5 AND abs(b.b / (m).b - 1) < 1e-5 AS first_replicate_is_its_fit,
       abs(b.purchase_coefficients[1] - (m).purchase_coefficients[1]) < 1e-5
         AND abs(b.dropout_coefficients[1] - (m).dropout_coefficients[1]) < 1e-5 AS same_coefficients,
       abs(b.loglik / (m).loglik - 1) < 1e-9 AS same_loglik
FROM cc_bs AS b, cc_sample, LATERAL (SELECT engage.bgnbd_fit(engage.fitdata_resample(f, 1)) AS m) AS s
WHERE b.n = 1;
SELECT count(*) AS first_five_equal
FROM cc_sample, engage.bgnbd_bootstrap(f, 5, 1)
    WITH ORDINALITY AS m(r, alpha, a, b, loglik, customers, converged, covariance,
                         purchase_coefficients, dropout_coefficients, n)
JOIN cc_bs AS b USING (n)
WHERE m.r = b.r AND m.alpha = b.alpha AND m.a = b.a AND m.b = b.b AND m.loglik = b.loglik
  AND m.purchase_coefficients = b.purchase_coefficients AND m.dropout_coefficients = b.dropout_coefficients;
SELECT count(*) AS equal_to_seed_1
FROM cc_sample, engage.bgnbd_bootstrap(f, 5, 2)
    WITH ORDINALITY AS m(r, alpha, a, b, loglik, customers, converged, covariance,
                         purchase_coefficients, dropout_coefficients, n)
JOIN cc_bs AS b USING (n)
WHERE m.purchase_coefficients = b.purchase_coefficients;

-- With a penalizer: replicate 1 is the penalised fit of the resample
SELECT abs(b.purchase_coefficients[1] - (m).purchase_coefficients[1]) < 1e-5
         AND abs(b.dropout_coefficients[1] - (m).dropout_coefficients[1]) < 1e-5
         AND abs(b.r / (m).r - 1) < 1e-6 AS first_penalised_replicate_is_its_fit,
       b.purchase_coefficients[1] < (SELECT purchase_coefficients[1] FROM cc_bs WHERE n = 1) AS shrunk
FROM cc_sample, engage.bgnbd_bootstrap(f, 1, 1, 100) AS b,
     LATERAL (SELECT engage.bgnbd_fit(engage.fitdata_resample(f, 1), 100) AS m) AS s;

-- MBG/NBD on the same sample and Pareto/NBD on simulated Pareto/NBD customers with
-- covariates, 20 replicates each: all converge with their coefficients, centred near the
-- whole fit's coefficients (within one Wald standard error)
CREATE TABLE cc_sim_pn AS
SELECT g1, g2, s.*
FROM generate_series(0, 1) g1, generate_series(0, 1) g2,
     LATERAL engage.paretonbd_simulate(engage.paretonbd(0.55, 10.5, 0.6, 11.7, '{0.5}', '{-0.7}'),
                                       500, 52, 10 + 2 * g1 + g2, ARRAY[g1::float8], ARRAY[g2::float8]) s;
CREATE TABLE cc_sample_pn AS
SELECT engage.fitdata(frequency, recency, age, ARRAY[g1::float8], ARRAY[g2::float8]) AS f FROM cc_sim_pn;
SELECT 'mbgnbd' AS model, count(*) AS replicates, bool_and(b.converged) AS all_converged,
       abs(avg(b.purchase_coefficients[1]) - (m).purchase_coefficients[1]) < sqrt((m).covariance[5][5]) AS purchase_centred,
       abs(avg(b.dropout_coefficients[1]) - (m).dropout_coefficients[1]) < sqrt((m).covariance[6][6]) AS dropout_centred
FROM cc_sample, LATERAL (SELECT engage.mbgnbd_fit(f) AS m) AS w, engage.mbgnbd_bootstrap(f, 20, 7) AS b
GROUP BY m
UNION ALL
SELECT 'paretonbd', count(*), bool_and(b.converged),
       abs(avg(b.purchase_coefficients[1]) - (m).purchase_coefficients[1]) < sqrt((m).covariance[5][5]),
       abs(avg(b.dropout_coefficients[1]) - (m).dropout_coefficients[1]) < sqrt((m).covariance[6][6])
FROM cc_sample_pn, LATERAL (SELECT engage.paretonbd_fit(f) AS m) AS w, engage.paretonbd_bootstrap(f, 20, 7) AS b
GROUP BY m;

-- Percentile intervals of CLV with covariates from the replicates: customer (x = 3, t_x = 40,
-- T = 52) in group (1, 1), Gamma-Gamma of the apparel data (customer 16's spend covariates);
-- the 2.5 % and 97.5 % percentiles of 200 replicates against the delta-method interval of
-- the whole fit (Gamma-Gamma held at its estimate: a covariance of zeros): each bound within
-- 10 % of the other
SELECT abs(p[1] / (d).lower - 1) < 0.10 AND abs(p[2] / (d).upper - 1) < 0.10 AS percentiles_near_delta
FROM (SELECT percentile_cont(ARRAY[0.025, 0.975]) WITHIN GROUP (
                 ORDER BY engage.clv(m, gg, 3, 40, 52, 50, 52.14, 0.01, 4.345, '{1}', '{1}', '{1,1}')) AS p
      FROM cc_sample, cc_models, engage.bgnbd_bootstrap(f, 200, 3) AS m
      WHERE m.converged) AS q,
     cc_sample, cc_models,
     LATERAL (SELECT jsonb_populate_record(gg, jsonb_build_object('covariance', array_fill(0::float8, ARRAY[5, 5]))) AS gg0) AS z,
     LATERAL (SELECT engage.clv_interval(engage.bgnbd_fit(f), gg0, 3, 40, 52, 50, 52.14, 0.01, 4.345,
                                         '{1}', '{1}', '{1,1}') AS d) AS l;

-- A fit with covariates that the data do not determine cannot be bootstrapped (BG/NBD with
-- Channel as dropout covariate on the apparel data: b runs off); a GGompertz/NBD or Gamma-Gamma
-- sample is not a sample of a model with these covariates
\set VERBOSITY default
SELECT count(*) FROM (SELECT engage.fitdata(frequency, recency, age, ARRAY[gender], ARRAY[channel]) AS f FROM cc_apparel) s,
       engage.bgnbd_bootstrap(f, 10, 1);
\set VERBOSITY terse
SELECT count(*) FROM (SELECT engage.fitdata(frequency, recency, age, ARRAY[1::float8], '{}') AS f FROM cc_apparel) s,
       engage.bgnbd_bootstrap(f, 10, 1, -1);

DROP TABLE cc_trans, cc_cov, cc_apparel, cc_models, cc_rows, cc_sim, cc_sample, cc_bs, cc_wald, cc_sim_pn, cc_sample_pn;

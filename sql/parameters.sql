-- Parameter uncertainty of the fitted models: the covariance of the estimates (the inverse of
-- the observed information at the optimum), engage.parameters (standard errors and Wald
-- intervals), aic and bic; and the refusal to score a model that did not converge.
SET client_min_messages = warning;   -- no "already exists" notice when an earlier test created it
CREATE EXTENSION IF NOT EXISTS engage;
RESET client_min_messages;

CREATE TABLE par_cdnow (id integer, x integer, t_x float8, age float8, zbar float8);
\copy par_cdnow FROM 'test/data/cdnow/cdnow_customers_summary_with_transactions.csv' WITH (FORMAT csv, HEADER true)
CREATE TABLE par_donations (frequency integer, recency integer, periods integer, donors integer);
\copy par_donations FROM 'test/data/donations/donations.csv' WITH (FORMAT csv, HEADER true)

CREATE TABLE par_models AS
SELECT 'bgnbd' AS model, p.* FROM (SELECT engage.bgnbd_fit(x, t_x, age) FROM par_cdnow) AS f(m), engage.parameters(m) AS p
UNION ALL
SELECT 'mbgnbd', p.* FROM (SELECT engage.mbgnbd_fit(x, t_x, age) FROM par_cdnow) AS f(m), engage.parameters(m) AS p
UNION ALL
SELECT 'paretonbd', p.* FROM (SELECT engage.paretonbd_fit(x, t_x, age) FROM par_cdnow) AS f(m), engage.parameters(m) AS p
UNION ALL
SELECT 'gammagamma', p.* FROM (SELECT engage.gammagamma_fit(x, zbar) FROM par_cdnow) AS f(m), engage.parameters(m) AS p
UNION ALL
SELECT 'bgbb', p.* FROM (SELECT engage.bgbb_fit(frequency, recency, periods, donors) FROM par_donations) AS f(m),
                        engage.parameters(m) AS p
UNION ALL
SELECT 'sbg', p.*
FROM (SELECT engage.sbg_fit(t, churned, n)
      FROM (VALUES (1, true, 369.0::float8), (2, true, 163), (3, true, 86), (4, true, 56), (5, true, 37),
                   (6, true, 27), (7, true, 21), (7, false, 241)) AS v(t, churned, n)) AS f(m),
     engage.parameters(m) AS p;

-- BG/NBD on CDNOW: the standard errors of the lifetimes package (BetaGeoFitter.summary, the
-- inverse Hessian of the summed log-likelihood), to 1 %
SELECT m.parameter, round(m.estimate::numeric, 4) AS estimate, round(m.std_error::numeric, 6) AS std_error,
       round(m.lower::numeric, 4) AS lower, round(m.upper::numeric, 4) AS upper,
       abs(m.std_error / lifetimes - 1) < 0.01 AS matches_lifetimes
FROM par_models AS m
JOIN (VALUES ('r', 0.012557), ('alpha', 0.378221), ('a', 0.185719), ('b', 0.705345)) AS l(parameter, lifetimes)
  ON l.parameter = m.parameter
WHERE model = 'bgnbd';

-- Every model against an independent computation (test/reference/model_se.py: second
-- differences of the summed log-likelihood written out from the papers), to 1 %; bounds are
-- estimate -+ 1.959964 SE
SELECT m.model, m.parameter, round(m.std_error::numeric, 5) AS std_error,
       abs(m.std_error / reference - 1) < 0.01 AS matches_reference,
       abs(m.lower - (m.estimate - 1.959963985 * m.std_error)) < 1e-9 * m.estimate
         AND abs(m.upper - (m.estimate + 1.959963985 * m.std_error)) < 1e-9 * m.estimate AS wald_95
FROM par_models AS m
JOIN (VALUES ('mbgnbd', 'r', 0.0832543), ('mbgnbd', 'alpha', 0.695545), ('mbgnbd', 'a', 0.154772),
             ('mbgnbd', 'b', 0.537413),
             ('paretonbd', 'r', 0.0476219), ('paretonbd', 'alpha', 0.842695), ('paretonbd', 's', 0.187161),
             ('paretonbd', 'beta', 6.20686),
             ('gammagamma', 'p', 1.18969), ('gammagamma', 'q', 0.290166), ('gammagamma', 'v', 4.16),
             ('bgbb', 'alpha', 0.0693919), ('bgbb', 'beta', 0.0294479), ('bgbb', 'gamma', 0.0510108),
             ('bgbb', 'delta', 0.320825),
             ('sbg', 'alpha', 0.065599), ('sbg', 'beta', 0.152476)) AS r(model, parameter, reference)
  USING (model)
WHERE r.parameter = m.parameter
ORDER BY m.model, m.parameter;

-- The covariance attribute: a symmetric k x k matrix whose diagonal gives the squared SEs;
-- other levels; information criteria (k = 4, customers = 2357)
CREATE TABLE par_bg AS SELECT engage.bgnbd_fit(x, t_x, age) AS m FROM par_cdnow;
SELECT array_dims((m).covariance) AS dims,
       (m).covariance[1][2] = (m).covariance[2][1] AND (m).covariance[3][4] = (m).covariance[4][3] AS symmetric,
       round(((m).covariance[1][2] / sqrt((m).covariance[1][1] * (m).covariance[2][2]))::numeric, 3) AS corr_r_alpha,
       round(engage.aic(m)::numeric, 2) AS aic, round((2 * 4 - 2 * (m).loglik)::numeric, 2) AS aic_by_hand,
       round(engage.bic(m)::numeric, 2) AS bic, round((4 * ln(2357) - 2 * (m).loglik)::numeric, 2) AS bic_by_hand
FROM par_bg;
SELECT parameter, round((upper - lower)::numeric / (2 * 1.644854 * std_error)::numeric, 6) AS z_ratio_90,
       round(std_error::numeric, 6) AS std_error
FROM par_bg, engage.parameters(m, 0.90);

-- A penalized fit reports the covariance of the penalized objective (smaller SEs)
SELECT parameter, std_error IS NOT NULL AS has_std_error
FROM (SELECT engage.bgnbd_fit(x, t_x, age, 1, 0.01) AS m FROM par_cdnow) s, engage.parameters(m);

-- A hand-built model has no covariance, loglik or customers: SEs, bounds, aic and bic are NULL
SELECT * FROM engage.parameters(engage.bgnbd(0.243, 4.414, 0.793, 2.426));
SELECT engage.aic(engage.sbg(0.7, 1.2)) IS NULL AS aic_null, engage.bic(engage.sbg(0.7, 1.2)) IS NULL AS bic_null;
SELECT engage.bgnbd(0.243, 4.414, 0.793, 2.426) AS constructed;

-- A fit that does not converge (5 customers: a and b run off) warns, has no covariance, and
-- cannot be scored; its log-likelihood (a diagnostic of the fit) still can.
CREATE TABLE par_small AS SELECT engage.bgnbd_fit(x, t_x, age) AS m FROM par_cdnow WHERE id <= 5;
SELECT (m).converged, (m).covariance IS NULL AS no_covariance FROM par_small;
SELECT parameter, std_error FROM par_small, engage.parameters(m);
SELECT engage.p_alive(m, 1, 2, 3) FROM par_small;
SELECT engage.expected_purchases(m, 10, 1, 2, 3) FROM par_small;
SELECT engage.clv(m, engage.gammagamma(6.25, 3.74, 15.44), 1, 2, 3, 20, 52, 0.01, 1) FROM par_small;
SELECT round(engage.log_likelihood(m, 1, 2, 3)::numeric, 4) AS log_likelihood FROM par_small;

-- Prediction intervals (delta method): the standard error against the same computation done
-- here, with the gradient of the score by central differences over hand-built models and the
-- fit's covariance; the bounds on the logit (P(alive)) and log (expectations) scales.
CREATE FUNCTION pg_temp.delta_se(m engage.bgnbd, score text) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE
    p float8[] := ARRAY[(m).r, (m).alpha, (m).a, (m).b];
    g float8[] := '{}';
    up float8[];
    down float8[];
    hi float8;
    lo float8;
    v float8 := 0;
BEGIN
    FOR i IN 1 .. 4 LOOP
        up := p; down := p;
        up[i] := p[i] * (1 + 1e-5); down[i] := p[i] * (1 - 1e-5);
        EXECUTE format('SELECT %s FROM (SELECT engage.bgnbd($1[1], $1[2], $1[3], $1[4]) AS m) AS s', score) INTO hi USING up;
        EXECUTE format('SELECT %s FROM (SELECT engage.bgnbd($1[1], $1[2], $1[3], $1[4]) AS m) AS s', score) INTO lo USING down;
        g := g || (hi - lo) / (2e-5 * p[i]);
    END LOOP;
    FOR i IN 1 .. 4 LOOP
        FOR j IN 1 .. 4 LOOP
            v := v + g[i] * (m).covariance[i][j] * g[j];
        END LOOP;
    END LOOP;
    RETURN sqrt(v);
END $$;
SELECT round((i).estimate::numeric, 4) AS p_alive, round((i).std_error::numeric, 5) AS std_error,
       round((i).lower::numeric, 4) AS lower, round((i).upper::numeric, 4) AS upper,
       abs((i).std_error / pg_temp.delta_se(m, 'engage.p_alive(m, 2, 30.43, 38.86)') - 1) < 1e-4 AS se_matches,
       abs(ln((i).upper / (1 - (i).upper)) - ln((i).estimate / (1 - (i).estimate))
           - 1.959964 * (i).std_error / ((i).estimate * (1 - (i).estimate))) < 1e-5 AS logit_bounds
FROM par_bg, engage.p_alive_interval(m, 2, 30.43, 38.86) AS i;
SELECT round((i).estimate::numeric, 4) AS e39, round((i).std_error::numeric, 5) AS std_error,
       round((i).lower::numeric, 4) AS lower, round((i).upper::numeric, 4) AS upper,
       abs((i).std_error / pg_temp.delta_se(m, 'engage.expected_purchases(m, 39, 2, 30.43, 38.86)') - 1) < 1e-4 AS se_matches,
       abs(ln((i).lower) - ln((i).estimate) + 1.644854 * (i).std_error / (i).estimate) < 1e-5 AS log_bounds_90
FROM par_bg, engage.expected_purchases_interval(m, 39, 2, 30.43, 38.86, 0.90) AS i;
-- BG/NBD's P(alive) is 1 at frequency 0, with no spread; MBG/NBD's and Pareto/NBD's is not
SELECT engage.p_alive_interval(m, 0, 0, 38.86) AS bgnbd_one_time_buyer FROM par_bg;
SELECT model, round((i).estimate::numeric, 4) AS p_alive, (i).std_error > 0 AS has_spread,
       (i).lower < (i).estimate AND (i).estimate < (i).upper AND (i).upper < 1 AS ordered
FROM (SELECT 'mbgnbd' AS model, engage.p_alive_interval(engage.mbgnbd_fit(x, t_x, age), 0, 0, 38.86) AS i FROM par_cdnow
      UNION ALL
      SELECT 'paretonbd', engage.p_alive_interval(engage.paretonbd_fit(x, t_x, age), 0, 0, 38.86) FROM par_cdnow) AS s
ORDER BY model;
-- without covariance (hand-built): NULL; a model that did not converge: the error
SELECT engage.p_alive_interval(engage.bgnbd(0.243, 4.414, 0.793, 2.426), 2, 30.43, 38.86) IS NULL AS no_covariance;
SELECT engage.expected_purchases_interval(m, 10, 1, 2, 3) FROM par_small;

-- CLV prediction intervals (engage.clv_interval): the delta method over the counting model's
-- four parameters and Gamma-Gamma's three, with a block-diagonal covariance (the two fits are
-- independent); the interval on the log scale.
SET client_min_messages = warning;   -- no "already exists" notice when an earlier test created it
CREATE EXTENSION IF NOT EXISTS engage;
RESET client_min_messages;

CREATE TABLE ci_cdnow (id integer, x integer, t_x float8, age float8, zbar float8);
\copy ci_cdnow FROM 'test/data/cdnow/cdnow_customers_summary_with_transactions.csv' WITH (FORMAT csv, HEADER true)
CREATE TABLE ci_models AS
SELECT engage.bgnbd_fit(x, t_x, age) AS bg, engage.mbgnbd_fit(x, t_x, age) AS mbg,
       engage.paretonbd_fit(x, t_x, age) AS pn, engage.gammagamma_fit(x, zbar) AS gg
FROM ci_cdnow;

-- The standard error computed here independently: the gradient of engage.clv over hand-built
-- models by central differences (relative steps of 1e-5, against the library's 1e-4 in
-- log-parameter space), then g1' Cov1 g1 + g2' Cov2 g2.  score is engage.clv of a model built
-- from $1[1..4] (the counting model, by its constructor ctor) and $1[5..7] (Gamma-Gamma).
CREATE FUNCTION pg_temp.clv_delta_se(ctor text, p float8[], cov1 float8[], cov2 float8[],
                                     x float8, tx float8, age float8, monetary float8) RETURNS float8
LANGUAGE plpgsql AS $$
DECLARE
    q text := format('SELECT engage.clv(engage.%s($1[1], $1[2], $1[3], $1[4]), engage.gammagamma($1[5], $1[6], $1[7]), '
                     '%s, %s, %s, %s, 52, 0.01, 4.345)', ctor, x, tx, age, monetary);
    g float8[] := '{}';
    up float8[];
    down float8[];
    hi float8;
    lo float8;
    v float8 := 0;
BEGIN
    FOR i IN 1 .. 7 LOOP
        up := p; down := p;
        up[i] := p[i] * (1 + 1e-5); down[i] := p[i] * (1 - 1e-5);
        EXECUTE q INTO hi USING up;
        EXECUTE q INTO lo USING down;
        g := g || (hi - lo) / (2e-5 * p[i]);
    END LOOP;
    FOR i IN 1 .. 4 LOOP
        FOR j IN 1 .. 4 LOOP
            v := v + g[i] * cov1[i][j] * g[j];
        END LOOP;
    END LOOP;
    FOR i IN 1 .. 3 LOOP
        FOR j IN 1 .. 3 LOOP
            v := v + g[4 + i] * cov2[i][j] * g[4 + j];
        END LOOP;
    END LOOP;
    RETURN sqrt(v);
END $$;

-- Three customers under each counting model (12 monthly steps of a weekly model, 1 % a month):
-- the estimate is engage.clv itself; the SE matches the independent computation to 1e-4
-- relative; the 95 % bounds are exp(ln(CLV) -+ 1.959964 SE / CLV)
CREATE TABLE ci_rows AS
SELECT model, c.x, c.tx, c.age, c.monetary, i,
       CASE model WHEN 'bgnbd' THEN engage.clv(bg, gg, c.x, c.tx, c.age, c.monetary, 52, 0.01, 4.345)
                  WHEN 'mbgnbd' THEN engage.clv(mbg, gg, c.x, c.tx, c.age, c.monetary, 52, 0.01, 4.345)
                  ELSE engage.clv(pn, gg, c.x, c.tx, c.age, c.monetary, 52, 0.01, 4.345) END AS clv,
       pg_temp.clv_delta_se(model,
           CASE model WHEN 'bgnbd' THEN ARRAY[(bg).r, (bg).alpha, (bg).a, (bg).b]
                      WHEN 'mbgnbd' THEN ARRAY[(mbg).r, (mbg).alpha, (mbg).a, (mbg).b]
                      ELSE ARRAY[(pn).r, (pn).alpha, (pn).s, (pn).beta] END || ARRAY[(gg).p, (gg).q, (gg).v],
           CASE model WHEN 'bgnbd' THEN (bg).covariance WHEN 'mbgnbd' THEN (mbg).covariance ELSE (pn).covariance END,
           (gg).covariance, c.x, c.tx, c.age, c.monetary) AS se_here
FROM ci_models,
     (VALUES ('bgnbd'), ('mbgnbd'), ('paretonbd')) AS m(model),
     (VALUES (2::float8, 30.43::float8, 38.86::float8, 35::float8), (0, 0, 38.86, 0), (14, 37.86, 38.86, 61.5)) AS c(x, tx, age, monetary),
     LATERAL (SELECT CASE model WHEN 'bgnbd' THEN engage.clv_interval(bg, gg, c.x, c.tx, c.age, c.monetary, 52, 0.01, 4.345)
                                WHEN 'mbgnbd' THEN engage.clv_interval(mbg, gg, c.x, c.tx, c.age, c.monetary, 52, 0.01, 4.345)
                                ELSE engage.clv_interval(pn, gg, c.x, c.tx, c.age, c.monetary, 52, 0.01, 4.345) END AS i) AS l;
SELECT model, x, round((i).estimate::numeric, 3) AS clv, round((i).std_error::numeric, 4) AS std_error,
       round((i).lower::numeric, 3) AS lower, round((i).upper::numeric, 3) AS upper,
       (i).estimate = clv AS estimate_is_clv,
       abs((i).std_error / se_here - 1) < 1e-4 AS se_matches,
       abs(ln((i).lower) - (ln(clv) - 1.959964 * (i).std_error / clv)) < 1e-6
         AND abs(ln((i).upper) - (ln(clv) + 1.959964 * (i).std_error / clv)) < 1e-6 AS log_bounds
FROM ci_rows ORDER BY model, x;

-- The Gamma-Gamma block against its derivatives written out: CLV is proportional to the
-- expected spend E = (v + x z) p / (p x + q - 1), so dCLV/dv = CLV / (v + x z),
-- dCLV/dq = -CLV / (p x + q - 1), dCLV/dp = CLV (q - 1) / (p (p x + q - 1)); with the BG/NBD
-- block removed (the fitted model with a covariance of zeros) the SE is that of the spend alone
SELECT round((i).std_error::numeric, 5) AS gg_only_se,
       abs((i).std_error / sqrt(g[1] * g[1] * (gg).covariance[1][1] + g[2] * g[2] * (gg).covariance[2][2]
                                + g[3] * g[3] * (gg).covariance[3][3]
                                + 2 * g[1] * g[2] * (gg).covariance[1][2] + 2 * g[1] * g[3] * (gg).covariance[1][3]
                                + 2 * g[2] * g[3] * (gg).covariance[2][3]) - 1) < 1e-6 AS matches_analytic
FROM ci_models,
     LATERAL (SELECT jsonb_populate_record(bg, jsonb_build_object('covariance', array_fill(0::float8, ARRAY[4, 4]))) AS bg0) AS z,
     LATERAL (SELECT engage.clv_interval(bg0, gg, 2, 30.43, 38.86, 35, 52, 0.01, 4.345) AS i) AS l,
     LATERAL (SELECT ARRAY[(i).estimate * ((gg).q - 1) / ((gg).p * ((gg).p * 2 + (gg).q - 1)),
                           -(i).estimate / ((gg).p * 2 + (gg).q - 1),
                           (i).estimate / ((gg).v + 2 * 35)] AS g) AS d;

-- Other levels; a horizon of 0 is worth 0 without spread; without covariance (a hand-built
-- model on either side) NULL; a model that did not converge, a bad level: errors
SELECT round(((i90).upper - (i90).lower)::numeric / ((i95).upper - (i95).lower)::numeric, 3) AS width_90_over_95
FROM ci_models, LATERAL (SELECT engage.clv_interval(bg, gg, 2, 30.43, 38.86, 35, 52, 0.01, 4.345, 0.90) AS i90,
                                engage.clv_interval(bg, gg, 2, 30.43, 38.86, 35, 52, 0.01, 4.345) AS i95) AS l;
SELECT engage.clv_interval(bg, gg, 2, 30.43, 38.86, 35, 0, 0.01, 4.345) AS zero_horizon FROM ci_models;
SELECT engage.clv_interval(bg, engage.gammagamma(6.25, 3.74, 15.44), 2, 30.43, 38.86, 35, 52, 0.01, 4.345) IS NULL AS hand_built_spend,
       engage.clv_interval(engage.bgnbd(0.243, 4.414, 0.793, 2.426), gg, 2, 30.43, 38.86, 35, 52, 0.01, 4.345) IS NULL AS hand_built_counting
FROM ci_models;
SELECT engage.clv_interval(bg, gg, 2, 30.43, 38.86, 35, 52, 0.01, 4.345, 1.0) FROM ci_models;
SELECT engage.clv_interval(bg, gg, 2, 30.43, 38.86, 35, 1, 0.01, 4.345) FROM ci_models;
SELECT engage.clv_interval(m, gg, 1, 2, 3, 20, 52, 0.01, 1)
FROM (SELECT engage.bgnbd_fit(x, t_x, age) AS m FROM ci_cdnow WHERE id <= 5) AS s, ci_models;

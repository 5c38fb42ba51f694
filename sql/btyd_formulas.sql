-- Independent checks of the BG/NBD, MBG/NBD and Pareto/NBD formulas: P(alive) and the
-- conditional expectation against direct numerical integration over the mixing
-- distributions, at several summaries (frequency 0, recency = age, a new customer, ...);
-- removable singularities (a = 1, s = 1); extreme summaries stay finite.
SET client_min_messages = warning;   -- no "already exists" notice when an earlier test created it
CREATE EXTENSION IF NOT EXISTS engage;
RESET client_min_messages;

-- The integrations below take every grid_step-th point of their grids: 1 here, coarser under
-- make valgrind (ENGAGE_VALGRIND set), where the full grids would take hours; every check
-- holds at both.
\getenv valgrind ENGAGE_VALGRIND
\if :{?valgrind}
\set grid_step 2
\else
\set grid_step 1
\endif

CREATE TABLE btyd_points (x float8, tx float8, age float8, t float8);
INSERT INTO btyd_points VALUES
    (0, 0, 38.86, 39), (2, 30.43, 38.86, 39), (1, 1.71, 38.86, 39),
    (7, 38.86, 38.86, 52), (20, 10, 38.86, 100), (0, 0, 0, 39), (3, 5, 200, 10);

-- BG/NBD (m = 0) and MBG/NBD (m = 1): integrate over lambda = e^v (Gamma(r, alpha)) and
-- p = 1 / (1 + e^-w) (Beta(a, b)) on a grid; the individual likelihood is
-- (1-p)^(x+m) lambda^x e^(-lambda T) [alive] + [x+m > 0] p (1-p)^(x+m-1) lambda^x e^(-lambda t_x),
-- and an alive customer's expected purchases in t are (1 - e^(-lambda p t)) / p.
CREATE FUNCTION bg_numeric(m integer, r float8, alpha float8, a float8, b float8,
                           x float8, tx float8, age float8, t float8, step integer,
                           OUT p_alive float8, OUT expected float8)
LANGUAGE sql AS $$
    WITH g AS (
        SELECT exp(v) AS lam, 1 / (1 + exp(-w)) AS p,
               r * v - alpha * exp(v) - a * ln(1 + exp(-w)) - b * ln(1 + exp(w)) AS lprior,
               -ln(1 + exp(w)) AS l1p
        FROM generate_series(-1000, 60, step) AS i, LATERAL (SELECT i / 10.0::float8 AS v) s1,
             generate_series(-180, 60, step) AS j, LATERAL (SELECT j / 5.0::float8 AS w) s2),
    l AS (
        SELECT exp(greatest(lprior + (x + m) * l1p + x * ln(lam) - lam * age, -500)) AS alive,
               CASE WHEN x + m > 0
                    THEN exp(greatest(lprior + ln(p) + (x + m - 1) * l1p + x * ln(lam) - lam * tx, -500))
                    ELSE 0 END AS dead,
               (1 - exp(greatest(-lam * p * t, -500))) / p AS e_alive
        FROM g)
    SELECT sum(alive) / sum(alive + dead), sum(alive * e_alive) / sum(alive + dead) FROM l
$$;

SELECT x, tx, age, t,
       round(engage.p_alive(mdl, x, tx, age)::numeric, 6) AS p_alive,
       abs(engage.p_alive(mdl, x, tx, age) / n.p_alive - 1) < 1e-6 AS p_alive_ok,
       round(engage.expected_purchases(mdl, t, x, tx, age)::numeric, 6) AS expected,
       abs(engage.expected_purchases(mdl, t, x, tx, age) / n.expected - 1) < 1e-6 AS expected_ok
FROM btyd_points, (SELECT ROW(0.243, 4.414, 0.793, 2.426, NULL, NULL, NULL, NULL, NULL, NULL)::engage.bgnbd AS mdl) AS mm,
     LATERAL bg_numeric(0, 0.243, 4.414, 0.793, 2.426, x, tx, age, t, :grid_step) AS n
ORDER BY x, tx, age;

SELECT x, tx, age, t,
       round(engage.p_alive(mdl, x, tx, age)::numeric, 6) AS p_alive,
       abs(engage.p_alive(mdl, x, tx, age) / n.p_alive - 1) < 1e-6 AS p_alive_ok,
       round(engage.expected_purchases(mdl, t, x, tx, age)::numeric, 6) AS expected,
       abs(engage.expected_purchases(mdl, t, x, tx, age) / n.expected - 1) < 1e-6 AS expected_ok
FROM btyd_points, (SELECT ROW(0.525, 6.183, 0.891, 1.614, NULL, NULL, NULL, NULL, NULL, NULL)::engage.mbgnbd AS mdl) AS mm,
     LATERAL bg_numeric(1, 0.525, 6.183, 0.891, 1.614, x, tx, age, t, :grid_step) AS n
ORDER BY x, tx, age;

-- a > 1 (no 2F1 cancellation issue) and a new customer's expectation against integration
SELECT round(engage.expected_purchases(mdl, 39)::numeric, 6) AS e39_new,
       abs(engage.expected_purchases(mdl, 39) / n.expected - 1) < 1e-6 AS new_ok,
       abs(engage.expected_purchases(mdl, 20, 4, 30, 38) /
           (bg_numeric(0, 1.5, 3.0, 2.5, 4.0, 4, 30, 38, 20, :grid_step)).expected - 1) < 1e-6 AS conditional_ok
FROM (SELECT ROW(1.5, 3.0, 2.5, 4.0, NULL, NULL, NULL, NULL, NULL, NULL)::engage.bgnbd AS mdl) AS mm,
     LATERAL bg_numeric(0, 1.5, 3.0, 2.5, 4.0, 0, 0, 0, 39, :grid_step) AS n;

-- Pareto/NBD: integrate over lambda = e^v (Gamma(r, alpha)) and mu = e^u (Gamma(s, beta));
-- the individual likelihood is lambda^x e^(-(lambda+mu) T) [alive]
-- + lambda^x mu / (lambda+mu) (e^(-(lambda+mu) t_x) - e^(-(lambda+mu) T)), and an alive
-- customer's expected purchases in t are lambda / mu (1 - e^(-mu t)).
CREATE FUNCTION pnbd_numeric(r float8, alpha float8, s float8, beta float8,
                             x float8, tx float8, age float8, t float8, step integer,
                             OUT p_alive float8, OUT expected float8)
LANGUAGE sql AS $$
    WITH g AS (
        SELECT exp(v) AS lam, exp(u) AS mu, r * v - alpha * exp(v) + s * u - beta * exp(u) AS lprior
        FROM generate_series(-1000, 60, step) AS i, LATERAL (SELECT i / 10.0::float8 AS v) s1,
             generate_series(-250, 30, step) AS j, LATERAL (SELECT j / 5.0::float8 AS u) s2),
    l AS (
        SELECT exp(greatest(lprior + x * ln(lam) - (lam + mu) * age, -500)) AS alive,
               exp(greatest(lprior + x * ln(lam) + ln(mu / (lam + mu)) - (lam + mu) * tx, -500))
               - exp(greatest(lprior + x * ln(lam) + ln(mu / (lam + mu)) - (lam + mu) * age, -500)) AS dead,
               lam / mu * (1 - exp(greatest(-mu * t, -500))) AS e_alive
        FROM g)
    SELECT sum(alive) / sum(alive + dead), sum(alive * e_alive) / sum(alive + dead) FROM l
$$;

SELECT x, tx, age, t,
       round(engage.p_alive(mdl, x, tx, age)::numeric, 6) AS p_alive,
       abs(engage.p_alive(mdl, x, tx, age) / n.p_alive - 1) < 1e-6 AS p_alive_ok,
       round(engage.expected_purchases(mdl, t, x, tx, age)::numeric, 6) AS expected,
       abs(engage.expected_purchases(mdl, t, x, tx, age) / n.expected - 1) < 1e-6 AS expected_ok
FROM btyd_points, (SELECT ROW(0.553, 10.578, 0.606, 11.669, NULL, NULL, NULL, NULL, NULL, NULL)::engage.paretonbd AS mdl) AS mm,
     LATERAL pnbd_numeric(0.553, 10.578, 0.606, 11.669, x, tx, age, t, :grid_step) AS n
ORDER BY x, tx, age;
-- alpha < beta and alpha > beta take different 2F1 branches
SELECT alpha, beta,
       abs(engage.p_alive(mdl, 3, 12, 40) / n.p_alive - 1) < 1e-6 AS p_alive_ok,
       abs(engage.expected_purchases(mdl, 26, 3, 12, 40) / n.expected - 1) < 1e-6 AS expected_ok
FROM (VALUES (2.0::float8, 30.0::float8), (30.0, 2.0)) AS v(alpha, beta),
     LATERAL (SELECT ROW(1.2, alpha, 1.4, beta, NULL, NULL, NULL, NULL, NULL, NULL)::engage.paretonbd AS mdl) m,
     LATERAL pnbd_numeric(1.2, alpha, 1.4, beta, 3, 12, 40, 26, :grid_step) AS n;

-- Pareto/NBD P(X(t) = n) (Fader & Hardie 2006) against integration over the lifetime tau:
-- (beta/(beta+t))^s NB(n; t) + int_0^t s beta^s (beta+tau)^-(s+1) NB(n; tau) d tau
CREATE FUNCTION pnbd_pmf_numeric(r float8, alpha float8, s float8, beta float8, n integer, t float8, step integer)
RETURNS float8 LANGUAGE sql AS $$
    WITH c AS (SELECT coalesce(sum(ln(r + k)) - sum(ln(k + 1.0)), 0) AS lc FROM generate_series(0, n - 1) AS k),
    nb AS (
        SELECT exp(greatest(ln(s) + s * ln(beta) - (s + 1) * ln(beta + tau)
                            + lc + r * ln(alpha / (alpha + tau)) + n * ln(tau / (alpha + tau)), -500)) AS f
        FROM c, LATERAL (SELECT (i - 0.5 * step) * t / 200000 AS tau FROM generate_series(step, 200000, step) AS i) g)
    SELECT (SELECT exp(s * ln(beta / (beta + t)) + lc + r * ln(alpha / (alpha + t)) + n * ln(t / (alpha + t))) FROM c)
           + sum(f) * t * step / 200000
    FROM nb
$$;
SELECT n, round(engage.prob_purchases(mdl, n, 39)::numeric, 6) AS p,
       abs(engage.prob_purchases(mdl, n, 39) - pnbd_pmf_numeric(0.553, 10.578, 0.606, 11.669, n, 39, :grid_step)) < 1e-7 AS ok
FROM (SELECT ROW(0.553, 10.578, 0.606, 11.669, NULL, NULL, NULL, NULL, NULL, NULL)::engage.paretonbd AS mdl) AS mm,
     unnest(ARRAY[0, 1, 2, 5, 10]) AS n ORDER BY n;

-- BG/NBD and MBG/NBD P(X(t) = n) (FHL eq. 8) against integration over (lambda, p):
-- (1-p)^(n+m) Poisson(n; lambda t) + [n+m > 0] p (1-p)^(n+m-1) P(Poisson(lambda t) >= n), n <= 3
CREATE FUNCTION bg_pmf_numeric(m integer, r float8, alpha float8, a float8, b float8, n integer, t float8, step integer)
RETURNS float8 LANGUAGE sql AS $$
    WITH g AS (
        SELECT exp(v) AS lam, 1 / (1 + exp(-w)) AS p,
               r * v - alpha * exp(v) - a * ln(1 + exp(-w)) - b * ln(1 + exp(w)) AS lprior,
               -ln(1 + exp(w)) AS l1p
        FROM generate_series(-500, 30, step) AS i, LATERAL (SELECT i / 5.0::float8 AS v) s1,
             generate_series(-90, 30, step) AS j, LATERAL (SELECT j / 2.5::float8 AS w) s2),
    k AS (  -- P(Poisson(lambda t) < n) for n <= 3
        SELECT g.*, CASE WHEN n = 0 THEN 0
                         ELSE exp(greatest(-lam * t, -500)) * (1 + CASE WHEN n > 1 THEN lam * t ELSE 0 END
                                                                 + CASE WHEN n > 2 THEN (lam * t) ^ 2 / 2 ELSE 0 END)
                    END AS below
        FROM g)
    SELECT sum(exp(greatest(lprior + (n + m) * l1p - lam * t + n * ln(lam * t) - ln(CASE n WHEN 3 THEN 6 ELSE 1 END), -500))
               + CASE WHEN n + m > 0
                      THEN exp(greatest(lprior + ln(p) + (n + m - 1) * l1p, -500)) * greatest(1 - below, 0)
                      ELSE 0 END)
           / sum(exp(greatest(lprior, -500)))
    FROM k
$$;
SELECT n, round(engage.prob_purchases(ROW(0.243, 4.414, 0.793, 2.426, NULL, NULL, NULL, NULL, NULL, NULL)::engage.bgnbd, n, 39)::numeric, 6) AS bgnbd,
       abs(engage.prob_purchases(ROW(0.243, 4.414, 0.793, 2.426, NULL, NULL, NULL, NULL, NULL, NULL)::engage.bgnbd, n, 39)
           - bg_pmf_numeric(0, 0.243, 4.414, 0.793, 2.426, n, 39, :grid_step)) < 1e-7 AS bgnbd_ok,
       round(engage.prob_purchases(ROW(0.525, 6.183, 0.891, 1.614, NULL, NULL, NULL, NULL, NULL, NULL)::engage.mbgnbd, n, 39)::numeric, 6) AS mbgnbd,
       abs(engage.prob_purchases(ROW(0.525, 6.183, 0.891, 1.614, NULL, NULL, NULL, NULL, NULL, NULL)::engage.mbgnbd, n, 39)
           - bg_pmf_numeric(1, 0.525, 6.183, 0.891, 1.614, n, 39, :grid_step)) < 1e-7 AS mbgnbd_ok
FROM unnest(ARRAY[0, 1, 3]) AS n ORDER BY n;

-- removable singularities: a = 1 (BG/NBD, MBG/NBD) and s = 1 (Pareto/NBD) are continuous
SELECT abs(engage.expected_purchases(engage.bgnbd(0.3, 5, 1, 2.5), 39, 2, 30, 38)
           - engage.expected_purchases(engage.bgnbd(0.3, 5, 1.000001, 2.5), 39, 2, 30, 38)) < 1e-6 AS bg_a1,
       abs(engage.expected_purchases(engage.mbgnbd(0.3, 5, 1, 2.5), 39)
           - engage.expected_purchases(engage.mbgnbd(0.3, 5, 0.999999, 2.5), 39)) < 1e-6 AS mbg_a1,
       abs(engage.expected_purchases(engage.paretonbd(0.5, 10, 1, 12), 39, 2, 30, 38)
           - engage.expected_purchases(engage.paretonbd(0.5, 10, 1.000001, 12), 39, 2, 30, 38)) < 1e-6 AS pnbd_s1,
       round(engage.expected_purchases(engage.paretonbd(0.5, 10, 1, 12), 39)::numeric, 6) AS pnbd_s1_new,
       round((0.5 * 12 / 10.0 * ln(51 / 12.0))::numeric, 6) AS closed_form;

-- extremes: frequency 0, recency = age, very large frequency, age and horizon stay finite
SELECT model, x, tx, age, t,
       p >= 0 AND p <= 1 AS p_in_range, e >= 0 AND e < 'Infinity' AS e_finite
FROM (VALUES (0::float8, 0::float8, 0::float8, 1e6::float8), (0, 0, 1e5, 1e4), (1000, 5000, 5000, 1e6),
             (1000, 2500, 5000, 39), (10000, 1e5, 1e5, 1e9), (10000, 0, 1e5, 39), (5, 1e-9, 1e-9, 1e-9)) v(x, tx, age, t),
     LATERAL (VALUES
        ('bgnbd', engage.p_alive(engage.bgnbd(0.243, 4.414, 0.793, 2.426), x, tx, age),
                  engage.expected_purchases(engage.bgnbd(0.243, 4.414, 0.793, 2.426), t, x, tx, age)),
        ('mbgnbd', engage.p_alive(engage.mbgnbd(0.525, 6.183, 0.891, 1.614), x, tx, age),
                  engage.expected_purchases(engage.mbgnbd(0.525, 6.183, 0.891, 1.614), t, x, tx, age)),
        ('paretonbd', engage.p_alive(engage.paretonbd(0.553, 10.578, 0.606, 11.669), x, tx, age),
                  engage.expected_purchases(engage.paretonbd(0.553, 10.578, 0.606, 11.669), t, x, tx, age))) AS s(model, p, e)
ORDER BY model, x, tx, age, t;
SELECT round(engage.prob_purchases(engage.bgnbd(0.243, 4.414, 0.793, 2.426), 0, 0)::numeric, 6) AS bg_t0,
       round(engage.prob_purchases(engage.bgnbd(0.243, 4.414, 0.793, 2.426), 500, 1e4)::numeric, 8) AS bg_far,
       round(engage.prob_purchases(engage.paretonbd(0.553, 10.578, 0.606, 11.669), 3, 1e4)::numeric, 8) AS pnbd_far,
       round(engage.expected_purchases(engage.bgnbd(0.243, 4.414, 0.793, 2.426), 0, 3, 10, 20)::numeric, 6) AS e_t0;

-- scoring functions memoise 2F1 terms per call site: models alternating from row to row give
-- exactly the values of one model at a time
CREATE TABLE memo_rows AS
    SELECT i, (i % 3)::float8 AS x, (i % 3) * 2.5 + (i % 5) AS tx, 30.0::float8 + i % 4 AS age, i % 2 AS which
    FROM generate_series(1, 400) AS i;
CREATE TABLE memo_models AS
    SELECT 0 AS which, engage.bgnbd(0.243, 4.414, 0.793, 2.426) AS bg,
           engage.paretonbd(0.553, 10.578, 0.606, 11.669) AS pn
    UNION ALL
    SELECT 1, engage.bgnbd(0.5, 6.0, 1.5, 3.0),
           engage.paretonbd(0.9, 8.0, 1.3, 9.0);
CREATE TABLE memo_alternating AS
    SELECT i, engage.expected_purchases(bg, 39, x, tx, age) AS e_bg, engage.p_alive(pn, x, tx, age) AS pa_pn,
           engage.expected_purchases(pn, 39, x, tx, age) AS e_pn
    FROM (SELECT * FROM memo_rows ORDER BY i) r JOIN memo_models USING (which);
CREATE TABLE memo_grouped AS
    SELECT i, engage.expected_purchases(bg, 39, x, tx, age) AS e_bg, engage.p_alive(pn, x, tx, age) AS pa_pn,
           engage.expected_purchases(pn, 39, x, tx, age) AS e_pn
    FROM (SELECT * FROM memo_rows ORDER BY which, i) r JOIN memo_models USING (which);
SELECT count(*) AS rows, bool_and(a.e_bg = g.e_bg AND a.pa_pn = g.pa_pn AND a.e_pn = g.e_pn) AS identical,
       bool_and(abs(a.e_bg - engage.expected_purchases(bg, 39, x, tx, age)) < 1e-12) AS consistent
FROM memo_alternating a JOIN memo_grouped g USING (i) JOIN memo_rows USING (i) JOIN memo_models USING (which);
DROP TABLE memo_rows, memo_models, memo_alternating, memo_grouped;

DROP FUNCTION bg_numeric, pnbd_numeric, pnbd_pmf_numeric, bg_pmf_numeric;
DROP TABLE btyd_points;

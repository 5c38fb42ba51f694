-- Pareto/NBD where the hypergeometric series of its likelihood converges slowly: z near 1
-- with small c - e, as when s and beta grow together (the limit of one dropout rate for
-- everybody) or alpha is far above beta.  engage switches there to a quadrature over the
-- unobserved end of the lifetime; it must agree with the brute-force sum of the series, and
-- a fit whose parameters run off must end quickly, flagged, not after minutes.
SET client_min_messages = warning;   -- no "already exists" notice when an earlier test created it
CREATE EXTENSION IF NOT EXISTS engage;
RESET client_min_messages;

-- 2F1(1, e; c; z) summed term by term until the terms no longer count (up to millions)
CREATE FUNCTION h_series(e float8, c float8, z float8) RETURNS float8
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    total float8 := 1;
    term float8 := 1;
    n integer := 0;
BEGIN
    LOOP
        term := term * (e + n) / (c + n) * z;
        total := total + term;
        n := n + 1;
        EXIT WHEN term < 1e-18 * total;
    END LOOP;
    RETURN total;
END $$;

-- P(alive) = 1 / (1 + R) by FH 2005 eq. 19-22 with the Euler-transformed series:
-- R = s/(r+s+x) (G(t_x) e^L - G(T)), L = (r+x) ln((alpha+T)/(alpha+t_x)) + s ln((beta+T)/(beta+t_x)),
-- G(y) = H((alpha-beta)/(alpha+y)), e = r+x if alpha >= beta, else
-- G(y) = (alpha+y)/(beta+y) H((beta-alpha)/(beta+y)), e = s+1; c = r+s+x+1.
CREATE FUNCTION pnbd_alive_series(r float8, alpha float8, s float8, beta float8,
                                  x float8, tx float8, age float8) RETURNS float8
LANGUAGE sql IMMUTABLE AS $$
    SELECT 1 / (1 + s / (r + s + x) * (g_tx * exp(l) - g_age))
    FROM (SELECT (r + x) * ln((alpha + age) / (alpha + tx)) + s * ln((beta + age) / (beta + tx)) AS l,
                 CASE WHEN alpha >= beta THEN h_series(r + x, r + s + x + 1, (alpha - beta) / (alpha + tx))
                      ELSE (alpha + tx) / (beta + tx) * h_series(s + 1, r + s + x + 1, (beta - alpha) / (beta + tx)) END AS g_tx,
                 CASE WHEN alpha >= beta THEN h_series(r + x, r + s + x + 1, (alpha - beta) / (alpha + age))
                      ELSE (alpha + age) / (beta + age) * h_series(s + 1, r + s + x + 1, (beta - alpha) / (beta + age)) END AS g_age) AS q
$$;

-- slow points on both branches: s, beta large (alpha < beta) and alpha far above beta
CREATE TABLE slow_points (r float8, alpha float8, s float8, beta float8, x float8, tx float8, age float8);
INSERT INTO slow_points VALUES
    (0.555, 11.14, 3000, 100000, 0, 0, 39), (0.555, 11.14, 3000, 100000, 1, 2.5, 39),
    (0.555, 11.14, 3000, 100000, 3, 20, 39), (0.555, 11.14, 3000, 100000, 10, 38.5, 39),
    (50, 2000, 0.3, 0.5, 0, 0, 39), (50, 2000, 0.3, 0.5, 2, 1, 39), (50, 2000, 0.3, 0.5, 5, 4, 52);
SELECT r, alpha, s, beta, x, tx, age,
       round(engage.p_alive(ROW(r, alpha, s, beta, NULL, NULL, NULL, NULL, NULL, NULL)::engage.paretonbd, x, tx, age)::numeric, 8) AS p_alive,
       abs(engage.p_alive(ROW(r, alpha, s, beta, NULL, NULL, NULL, NULL, NULL, NULL)::engage.paretonbd, x, tx, age)
           / pnbd_alive_series(r, alpha, s, beta, x, tx, age) - 1) < 1e-10 AS same_as_series
FROM slow_points ORDER BY alpha, x;

-- z between 0.6 and 1 with c - e not near an integer: 2F1(1, e; c; z) by the 1 - z
-- transformation in its a = 1 form (one series, three gamma functions), on both branches
CREATE TABLE near_one_points (r float8, alpha float8, s float8, beta float8, x float8, tx float8, age float8);
INSERT INTO near_one_points VALUES
    (0.772, 20.43, 3.68, 166.3, 0, 0, 52), (0.772, 20.43, 3.68, 166.3, 1, 3, 52),
    (0.772, 20.43, 3.68, 166.3, 2, 30, 52), (0.772, 20.43, 3.68, 166.3, 5, 10, 40),
    (0.772, 20.43, 3.68, 166.3, 7, 51, 52), (0.8, 100, 2.5, 10, 0, 0, 52),
    (0.8, 100, 2.5, 10, 3, 20, 52), (0.8, 100, 2.5, 10, 6, 5, 30);
SELECT r, alpha, s, beta, x, tx, age,
       round(engage.p_alive(ROW(r, alpha, s, beta, NULL, NULL, NULL, NULL, NULL, NULL)::engage.paretonbd, x, tx, age)::numeric, 8) AS p_alive,
       abs(engage.p_alive(ROW(r, alpha, s, beta, NULL, NULL, NULL, NULL, NULL, NULL)::engage.paretonbd, x, tx, age)
           / pnbd_alive_series(r, alpha, s, beta, x, tx, age) - 1) < 1e-10 AS same_as_series
FROM near_one_points ORDER BY alpha, x;
DROP TABLE near_one_points;

-- the log-likelihood too: per customer it differs from ln(1/P(alive)) by terms free of the
-- series, ln(Gamma(r+x)/Gamma(r)) + r ln alpha + s ln beta - (r+x) ln(alpha+T) - s ln(beta+T)
SELECT x, abs(engage.log_likelihood(ROW(r, alpha, s, beta, NULL, NULL, NULL, NULL, NULL, NULL)::engage.paretonbd, x, tx, age)
              - ((SELECT coalesce(sum(ln(r + k)), 0) FROM generate_series(0, x::integer - 1) AS k)
                 + r * ln(alpha) + s * ln(beta) - (r + x) * ln(alpha + age) - s * ln(beta + age)
                 - ln(pnbd_alive_series(r, alpha, s, beta, x, tx, age)))) < 1e-9 AS loglik_same_as_series
FROM slow_points ORDER BY alpha, x;

-- Data no Pareto/NBD fits well (ages shifted by frequency mod 13): the likelihood keeps rising
-- as s and beta grow together.  The fit stops at its evaluation budget or when s leaves the
-- search box, flags converged = false with a WARNING, and takes a second or two, not minutes.
\set VERBOSITY terse
SELECT (m).converged, (m).s > 1e5 AS s_runs_off, round((m).r::numeric, 2) AS r
FROM (SELECT engage.paretonbd_fit(frequency, recency, age + frequency % 13) AS m
      FROM engage.paretonbd_simulate(engage.paretonbd(0.55, 10.5, 0.6, 11.7), 2000, 39, 1)) AS f;
\set VERBOSITY default

DROP FUNCTION pnbd_alive_series, h_series;
DROP TABLE slow_points;

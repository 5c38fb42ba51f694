-- Scoring where the plain formulas lose their digits: Pareto/NBD P(alive) and expectations
-- when T - t_x is far below t_x (the ratio (alpha+T)/(alpha+t_x) rounds to a few ulps of 1),
-- and BG/NBD P(X(t) = n) where the negative binomial's probability of 0 underflows or n is
-- near 2^31. Reference values: python3 test/reference/btyd_tails.py (60 digits, by
-- quadrature and term-by-term sums, independent of engage's closed forms).
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS engage;
RESET client_min_messages;

CREATE TEMP TABLE pnbd_tails (r float8, alpha float8, s float8, beta float8, x float8, tx float8,
                              age float8, t float8, p_alive float8, expected float8);
INSERT INTO pnbd_tails VALUES
(1, 1, 1e17, 1e23, 1e16, 1e20, 100000000000000065536, 52, 0.11903242965941385, 0.00061895255739995697),
(0.553, 10.578, 0.606, 11.669, 26, 1e9, 1000000000.5, 52, 0.999999999697, 1.3807559625304257e-6),
(0.553, 10.578, 0.606, 11.669, 2, 1e12, 1000000000007.8125, 52, 0.99999999999526563, 1.3275599999483833e-10),
(0.553, 10.578, 0.606, 11.669, 26, 30.86, 31, 52, 0.99791873105515829, 25.458472951428768);

-- relative errors below 1e-12 (the first row was 0.11467 when L was a log of the quotient)
SELECT x, tx, age,
       abs(engage.p_alive(m, x, tx, age) / p_alive - 1) < 1e-12 AS p_alive_ok,
       abs(engage.expected_purchases(m, t, x, tx, age) / expected - 1) < 1e-12 AS expected_ok
FROM pnbd_tails, LATERAL (SELECT ROW(r, alpha, s, beta, NULL, NULL, NULL, NULL, NULL, NULL)::engage.paretonbd AS m) AS mm
ORDER BY tx;

-- tol: relative; the log of the value sums terms of size up to ~1e5 (~1e7 at n = 2^31), and
-- their rounding (2.2e-16 of that size) bounds how close any double computation can come
CREATE TEMP TABLE bg_tails (r float8, alpha float8, a float8, b float8, n integer, t float8, p float8,
                            tol float8);
INSERT INTO bg_tails VALUES
-- the posterior of x = 5000, T = 200 under (0.243, 4.414, 0.793, 2.426): NB(0) = e^-8876
(5000.243, 204.414, 0.793, 5002.426, 24000, 1000, 0.00013174944383739577, 1e-10),
(5000.243, 204.414, 0.793, 5002.426, 30000, 1000, 3.8239790806564208e-45, 1e-10),
(5000.243, 204.414, 0.793, 5002.426, 1000, 1000, 0.00011435486734381822, 1e-10),
-- n = 2^31 - 1 near the mean r t / alpha, and far above it (the value underflows to 0)
(1000000, 1, 0.793, 2.426, 2147483647, 2147.483647, 1.4463012299781311e-14, 1e-8),
(0.243, 4.414, 0.793, 2.426, 2147483647, 39, 0, 0),
(0.243, 4.414, 0.793, 2.426, 3, 39, 0.045860353847999725, 1e-12);

-- within tol (the first two were off by orders of magnitude: 1 - P(N < n) with every term
-- 0, so the tail was taken as 1), and n near 2^31 in well under the statement_timeout (it
-- summed up to 2^31 terms)
SET statement_timeout = '5s';
SELECT n, t,
       CASE WHEN p = 0 THEN engage.prob_purchases(m, n, t) = 0
            ELSE abs(engage.prob_purchases(m, n, t) / p - 1) < tol END AS prob_ok
FROM bg_tails, LATERAL (SELECT ROW(r, alpha, a, b, NULL, NULL, NULL, NULL, NULL, NULL)::engage.bgnbd AS m) AS mm
ORDER BY r, n;
-- the same tail through the conditional PMF: x = 5000, T = 200
SELECT abs(engage.prob_purchases(ROW(0.243, 4.414, 0.793, 2.426, NULL, NULL, NULL, NULL, NULL, NULL)::engage.bgnbd,
                                 30000, 1000, 5000, 199, 200) /
           (engage.p_alive(ROW(0.243, 4.414, 0.793, 2.426, NULL, NULL, NULL, NULL, NULL, NULL)::engage.bgnbd, 5000, 199, 200)
            * 3.8239790806564208e-45) - 1) < 1e-10 AS conditional_ok;
RESET statement_timeout;

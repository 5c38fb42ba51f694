#!/usr/bin/env python3
"""Reference values for sql/btyd_tails.sql: Pareto/NBD P(alive) and expectations where
T - t_x is far below t_x, and BG/NBD P(X(t) = n) where the negative binomial's first
terms underflow or n is past 2^31 / 2.

Computed at 60 digits, independently of engage's closed forms:

Pareto/NBD (Fader & Hardie 2005, the step before eq. 19): P(alive) = 1 / (1 + R) with
  R = s int_0^(T - t_x) ((alpha+T)/(alpha+t_x+u))^(r+x) ((beta+T)/(beta+t_x+u))^s
        / (beta+t_x+u) du
by mpmath.quad (exact arithmetic at 60 digits, so T - t_x is not rounded away), and
  E[X(t) | x, t_x, T] = (r+x)(beta+T) / ((alpha+T)(s-1)) [1 - ((beta+T)/(beta+T+t))^(s-1)]
                        P(alive).
BG/NBD (Fader, Hardie & Lee 2005 eq. 8): P(X(t) = n) of a new customer
  = B(a, b+n)/B(a, b) NB(n) + B(a+1, b+n-1)/B(a, b) P(N >= n),
  N ~ NB(r, alpha/(alpha+t)); P(N >= n) summed term by term from the short side when
  n <= 200000 (checked against mpmath.betainc, the hypergeometric form of I_q(n, r), to 30
  digits), beyond as the integral of the Beta(n, r) density up to q by Gauss-Legendre panels
  (checked against twice as many panels).

Run: python3 test/reference/btyd_tails.py   (prints the VALUES rows of the test)
"""
from mpmath import mp, mpf, quad, loggamma, exp, log, beta as B, betainc, fsum, linspace, sqrt

mp.dps = 60


def pnbd_alive(r, alpha, s, beta, x, tx, T):
    r, alpha, s, beta, x, tx, T = map(mpf, (r, alpha, s, beta, x, tx, T))
    d = T - tx
    if d == 0:
        return mpf(1)
    f = lambda u: ((alpha + T) / (alpha + tx + u)) ** (r + x) * \
        ((beta + T) / (beta + tx + u)) ** s / (beta + tx + u)
    R = s * quad(f, [0, d / 4, d / 2, 3 * d / 4, d])
    return 1 / (1 + R)


def pnbd_expected(r, alpha, s, beta, t, x, tx, T):
    alive = pnbd_alive(r, alpha, s, beta, x, tx, T)
    r, alpha, s, beta, t, x, T = map(mpf, (r, alpha, s, beta, t, x, T))
    return (r + x) * (beta + T) / ((alpha + T) * (s - 1)) * \
        (1 - ((beta + T) / (beta + T + t)) ** (s - 1)) * alive


def nb_pmf(r, q, j):
    """NB(j): Gamma(r+j)/(Gamma(r) j!) (1-q)^r q^j."""
    return exp(loggamma(r + j) - loggamma(r) - loggamma(j + 1) + r * log(1 - q) + j * log(q))


def nb_tail_sum(r, q, n):
    """Summed term by term from the short side: below n when n is under the mean, else from n
    on until the terms no longer count (the ratio of successive terms falls below 1 past the
    mean)."""
    if n <= r * q / (1 - q):
        term, terms = nb_pmf(r, q, 0), []
        for j in range(n):
            terms.append(term)
            term *= (r + j) / (j + 1) * q
        return 1 - fsum(terms)
    term, terms, j = nb_pmf(r, q, n), [], n
    while term > mpf(10) ** -80 * terms[0] if terms else True:
        terms.append(term)
        term *= (r + j) / (j + 1) * q
        j += 1
    return fsum(terms)


def nb_tail_beta(r, q, n):
    return betainc(n, r, 0, q, regularized=True)


def nb_tail_quad(r, q, n, panels):
    """I_q(n, r) as the integral of the Beta(n, r) density up to q, by Gauss-Legendre on
    panels of a quarter standard deviation, or of the density's decay length at q when
    shorter (mpmath's betainc does not converge for n near 2^31)."""
    a, b = mpf(n), mpf(r)
    lb = loggamma(a) + loggamma(b) - loggamma(a + b)
    sd = sqrt(a * b / ((a + b) ** 2 * (a + b + 1)))
    slope = abs((a - 1) / q - (b - 1) / (1 - q))
    w = min(sd / 4, 1 / slope) if slope > 0 else sd / 4
    f = lambda u: exp((a - 1) * log(u) + (b - 1) * log(1 - u) - lb)
    return quad(f, linspace(max(mpf(0), q - panels * w), q, panels + 1), method='gauss-legendre')


def bg_prob_new(r, alpha, a, b, n, t):
    r, alpha, a, b, t = map(mpf, (r, alpha, a, b, t))
    q = t / (alpha + t)
    if n <= 200000:
        tail = nb_tail_sum(r, q, n)
        other = nb_tail_beta(r, q, n) if n > 0 else mpf(1)
    else:
        tail = nb_tail_quad(r, q, n, 200)
        other = nb_tail_quad(r, q, n, 400)
    assert abs(other - tail) <= mpf(10) ** -30 * (abs(tail) + mpf(10) ** -300), (n, tail, other)
    p = B(a, b + n) / B(a, b) * nb_pmf(r, q, n)
    if n > 0:
        p += B(a + 1, b + n - 1) / B(a, b) * tail
    return p


def row(*vals):
    return "(" + ", ".join(vals) + ")"


print("-- Pareto/NBD: (r, alpha, s, beta, x, tx, age, t, p_alive, expected)")
pnbd_cases = [
    ("1", "1", "1e17", "1e23", "1e16", "1e20", "100000000000000065536"),
    ("0.553", "10.578", "0.606", "11.669", "26", "1e9", "1000000000.5"),
    ("0.553", "10.578", "0.606", "11.669", "2", "1e12", "1000000000007.8125"),
    ("0.553", "10.578", "0.606", "11.669", "26", "30.86", "31"),
]
for r, alpha, s, beta, x, tx, T in pnbd_cases:
    a = pnbd_alive(r, alpha, s, beta, x, tx, T)
    e = pnbd_expected(r, alpha, s, beta, "52", x, tx, T)
    print(row(r, alpha, s, beta, x, tx, T, "52", mp.nstr(a, 17), mp.nstr(e, 17)) + ",")

print("-- BG/NBD new customer: (r, alpha, a, b, n, t, p)")
bg_cases = [
    # the posterior of x = 5000, T = 200 under (0.243, 4.414, 0.793, 2.426): NB(0) = e^-8876
    ("5000.243", "204.414", "0.793", "5002.426", 24000, "1000"),
    ("5000.243", "204.414", "0.793", "5002.426", 30000, "1000"),
    ("5000.243", "204.414", "0.793", "5002.426", 1000, "1000"),
    # n = 2^31 - 1 near the mean r t / alpha
    ("1000000", "1", "0.793", "2.426", 2147483647, "2147.483647"),
    ("0.243", "4.414", "0.793", "2.426", 2147483647, "39"),
    ("0.243", "4.414", "0.793", "2.426", 3, "39"),
]
for r, alpha, a, b, n, t in bg_cases:
    print(row(r, alpha, a, b, str(n), t, mp.nstr(bg_prob_new(r, alpha, a, b, n, t), 17)) + ",")

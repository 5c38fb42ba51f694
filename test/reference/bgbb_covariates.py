#!/usr/bin/env python3
"""Reference values of sql/bgbb_covariates.sql: the BG/BB model with covariates
(alpha_i = alpha exp(gamma_p' x_i), gamma_i = gamma exp(delta_d' z_i)), computed without
engage's C code.

1. P(alive at n + 1 | x, t_x, n) of single customers with covariates by numerical integration
   (mpmath.quad, 40 digits): each term of the likelihood, p^x (1 - p)^(n - x) (1 - theta)^n
   (alive after n) and p^x (1 - p)^(t_x - x + i) theta (1 - theta)^(t_x + i) (died after
   t_x + i), is a product of an integral over p ~ Beta(alpha_i, beta) and one over
   theta ~ Beta(gamma_i, delta); P(alive) is the first term times (1 - theta) integrated,
   over the likelihood.
2. A two-group sample: the donations data of Fader, Hardie & Shang (2010) (test/data/donations,
   11,104 donors, n = 6) with covariate 0, and the same patterns with covariate 1 and
   floor(donors * (frequency + 1) / 4) donors each (a group that donates more).  The same 0/1
   covariate enters both processes.  The maximum of the closed-form likelihood (written out
   here with math.lgamma) by scipy.optimize, its log-likelihood, and standard errors from the
   inverse of minus the Hessian by central second differences (steps 1e-4 * max(|estimate|, 1)).

Run: /usr/bin/python3 test/reference/bgbb_covariates.py   (from the project root)
"""
import csv
import math

import numpy as np
from mpmath import mp, mpf, quad, beta as mbeta
from scipy.optimize import minimize

mp.dps = 40
lg = math.lgamma


def beta_moment(a, b, k, m):
    """E[p^k (1 - p)^m] for p ~ Beta(a, b), by quadrature over u = p^a (no singularity at 0)."""
    a, b = mpf(a), mpf(b)
    return quad(lambda u: (1 - u ** (1 / a)) ** (b - 1 + m) * u ** (k / a), [0, 0.5, 1]) / (a * mbeta(a, b))


def p_alive_quad(alpha, beta, gamma, delta, gp, dd, xc, zc, x, tx, n):
    ai = alpha * math.exp(sum(g * v for g, v in zip(gp, xc)))
    gi = gamma * math.exp(sum(g * v for g, v in zip(dd, zc)))
    alive = beta_moment(ai, beta, x, n - x) * beta_moment(gi, delta, 0, n)
    total = alive
    for i in range(n - tx):
        total += beta_moment(ai, beta, x, tx - x + i) * beta_moment(gi, delta, 1, tx + i)
    return beta_moment(ai, beta, x, n - x) * beta_moment(gi, delta, 0, n + 1) / total


def lbeta(a, b):
    return lg(a) + lg(b) - lg(a + b)


def ll_closed(a, b, g, d, x, tx, n):
    terms = [lbeta(a + x, b + n - x) - lbeta(a, b) + lbeta(g, d + n) - lbeta(g, d)]
    for i in range(n - tx):
        terms.append(lbeta(a + x, b + tx - x + i) - lbeta(a, b) + lbeta(g + 1, d + tx + i) - lbeta(g, d))
    top = max(terms)
    return top + math.log(sum(math.exp(t - top) for t in terms))


def sample():
    rows = []
    with open("test/data/donations/donations.csv") as f:
        for r in csv.DictReader(f):
            x, tx, n, w = int(r["frequency"]), int(r["recency"]), int(r["periods"]), int(r["weights"])
            rows.append((x, tx, n, w, 0.0))
            rows.append((x, tx, n, w * (x + 1) // 4, 1.0))
    return rows


def total_ll(par, rows):
    alpha, beta, gamma, delta, gp, dd = par
    return sum(w * ll_closed(alpha * math.exp(gp * z), beta, gamma * math.exp(dd * z), delta, x, tx, n)
               for x, tx, n, w, z in rows)


def main():
    print("-- P(alive) of single customers by mpmath.quad (40 digits)")
    cases = [((1.204, 0.750, 0.657, 2.783), (0.5, -0.3), (0.4,), (1.0, 2.0), (1.0,), 2, 3, 6),
             ((1.204, 0.750, 0.657, 2.783), (0.5, -0.3), (0.4,), (0.0, -1.0), (-2.0,), 0, 0, 6),
             ((0.3, 2.0, 1.5, 0.8), (1.1,), (-0.6, 0.2), (0.5,), (1.0, 1.0), 4, 5, 10)]
    for (a, b, g, d), gp, dd, xc, zc, x, tx, n in cases:
        print(f"model=({a},{b},{g},{d}) gp={gp} dd={dd} x_i={xc} z_i={zc} x={x} tx={tx} n={n}: "
              f"p_alive {mp.nstr(p_alive_quad(a, b, g, d, gp, dd, xc, zc, x, tx, n), 17)}")

    rows = sample()
    print(f"-- two groups: {sum(r[3] for r in rows if r[4] == 0)} donors with covariate 0, "
          f"{sum(r[3] for r in rows if r[4] == 1)} with covariate 1")

    def negll(u):
        try:
            return -total_ll([math.exp(u[0]), math.exp(u[1]), math.exp(u[2]), math.exp(u[3]), u[4], u[5]], rows)
        except (ValueError, OverflowError):
            return float("inf")

    best = minimize(negll, np.zeros(6), method="BFGS", options={"gtol": 1e-8})
    best = minimize(negll, best.x, method="Nelder-Mead",
                    options={"xatol": 1e-11, "fatol": 1e-12, "maxiter": 40000, "maxfev": 40000})
    est = [math.exp(v) for v in best.x[:4]] + list(best.x[4:])
    n = len(est)
    h = [1e-4 * max(abs(e), 1.0) for e in est]
    hess = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            def at(di, dj):
                par = list(est)
                par[i] += di
                par[j] += dj
                return total_ll(par, rows)
            hess[i, j] = (at(h[i], h[j]) - at(h[i], -h[j]) - at(-h[i], h[j]) + at(-h[i], -h[j])) / (4 * h[i] * h[j])
    se = np.sqrt(np.diag(np.linalg.inv(-hess)))
    for name, e, s in zip(["alpha", "beta", "gamma", "delta", "purchase[1]", "dropout[1]"], est, se):
        print(f"{name:12s} {e!r:24} se {s!r}")
    print(f"loglik {total_ll(est, rows)!r}")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Reference values of sql/sbg_covariates.sql: the sBG model with dropout covariates
(alpha_i = alpha exp(-gamma_a' z_i), beta_i = beta exp(-gamma_b' z_i), as PyMC-Marketing's
ShiftedBetaGeoModel), computed without engage's C code.

1. The likelihood of single customers by numerical integration over the churn probability
   theta ~ Beta(alpha_i, beta_i) (mpmath.quad, 50 digits, over u = theta^alpha_i): theta (1 - theta)^(t - 1) for a
   customer who churned at the end of period t, (1 - theta)^t for one still active after t.
   Compared with the closed form written out here with math.lgamma.
2. Fader & Hardie's (2007) two cohorts (regular, high end) as one sample with the covariate
   z = 1 for the high-end cohort: the maximum of the closed-form likelihood by scipy.optimize
   (BFGS then Nelder-Mead on log alpha, log beta, gamma_a, gamma_b), its log-likelihood, and
   standard errors from the inverse of minus the Hessian taken by central second differences
   of the log-likelihood (steps 1e-4 * max(|estimate|, 1)).

Run: /usr/bin/python3 test/reference/sbg_covariates.py   (from the project root)
"""
import math

import numpy as np
from mpmath import mp, mpf, quad, exp, log, beta as mbeta
from scipy.optimize import minimize

mp.dps = 50
lg = math.lgamma


def customer(alpha, beta, ga, gb, z):
    sa = sum(g * c for g, c in zip(ga, z))
    sb = sum(g * c for g, c in zip(gb, z))
    return alpha * math.exp(-sa), beta * math.exp(-sb)


def ll_quad(alpha, beta, ga, gb, z, t, churned):
    a, b = (mpf(v) for v in customer(alpha, beta, ga, gb, z))

    # theta = u^(1 / alpha_i) removes the singularity of theta^(alpha_i - 1) at 0:
    # the integral is 1 / (alpha_i B(alpha_i, beta_i)) times that over u of the rest
    def integrand(u):
        th = u ** (1 / a)
        return (1 - th) ** (b - 1) * (th * (1 - th) ** (t - 1) if churned else (1 - th) ** t)

    return log(quad(integrand, [0, mpf(1) / 2, 1]) / (a * mbeta(a, b)))


def lbeta(a, b):
    return lg(a) + lg(b) - lg(a + b)


def ll_closed(a, b, t, churned):
    if churned:
        return lbeta(a + 1, b + t - 1) - lbeta(a, b)
    return lbeta(a, b + t) - lbeta(a, b)


COHORTS = {"regular": (0.0, [1000, 631, 468, 382, 326, 289, 262, 241]),
           "high end": (1.0, [1000, 869, 743, 653, 593, 551, 517, 491])}


def sample():
    rows = []
    for z, active in COHORTS.values():
        for t in range(1, 8):
            rows.append((t, True, active[t - 1] - active[t], z))
        rows.append((7, False, active[7], z))
    return rows


def total_ll(par, rows):
    alpha, beta, ga, gb = par
    s = 0.0
    for t, churned, n, z in rows:
        a, b = customer(alpha, beta, [ga], [gb], [z])
        s += n * ll_closed(a, b, t, churned)
    return s


def main():
    print("-- single customers: ln P by mpmath.quad (50 digits) and the closed form")
    cases = [((0.704, 1.182), (0.4, -0.2), (-0.5, 0.3), (1.0, 0.5), 3, True),
             ((0.704, 1.182), (0.4, -0.2), (-0.5, 0.3), (1.0, 0.5), 7, False),
             ((2.5, 0.6), (1.2,), (-0.7,), (-1.0,), 1, True),
             ((0.3, 4.0), (0.0, 0.9), (0.8, 0.0), (0.5, 2.0), 12, False)]
    for (alpha, beta), ga, gb, z, t, churned in cases:
        ref = ll_quad(alpha, beta, ga, gb, z, t, churned)
        a, b = customer(alpha, beta, ga, gb, z)
        closed = ll_closed(a, b, t, churned)
        print(f"alpha={alpha} beta={beta} ga={ga} gb={gb} z={z} t={t} churned={churned}: "
              f"quad {mp.nstr(ref, 17)}  closed {closed!r}")

    rows = sample()

    def negll(u):
        try:
            return -total_ll([math.exp(u[0]), math.exp(u[1]), u[2], u[3]], rows)
        except (ValueError, OverflowError):
            return float("inf")

    best = minimize(negll, np.zeros(4), method="BFGS", options={"gtol": 1e-10})
    best = minimize(negll, best.x, method="Nelder-Mead",
                    options={"xatol": 1e-12, "fatol": 1e-13, "maxiter": 20000})
    est = [math.exp(best.x[0]), math.exp(best.x[1]), best.x[2], best.x[3]]
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
    print("-- the two cohorts of Fader & Hardie (2007), z = 1 for high end")
    for name, e, s in zip(["alpha", "beta", "dropout[1] (gamma_a)", "dropout[2] (gamma_b)"], est, se):
        print(f"{name:22s} {e!r:24} se {s!r}")
    print(f"loglik {total_ll(est, rows)!r}")
    print(f"high end alpha_i {est[0] * math.exp(-est[2])!r}, beta_i {est[1] * math.exp(-est[3])!r}")


if __name__ == "__main__":
    main()

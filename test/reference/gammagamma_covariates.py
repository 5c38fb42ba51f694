#!/usr/bin/env python3
"""Reference values of sql/gammagamma_covariates.sql: the Gamma-Gamma spend model with spend
covariates (customer scale v_i = v exp(theta' w_i)), computed without engage's C code.

1. The likelihood of single customers by numerical integration: a customer's x repeat
   transactions of mean z have density Gamma(p x, nu x) at z given nu, and nu ~ Gamma(q, v_i)
   across customers; the density of z is the integral over nu, taken with mpmath.quad at 50
   digits.  It is compared (in the SQL test) with the closed form engage fits with.
2. The apparel data (test/data/apparel, 600 customers, all first purchases on 2005-01-02):
   per customer the days with transactions (amounts of a day summed), the first day dropped,
   the repeat days up to 2006-12-31 counted as x and their mean amount as z; covariates Gender
   and Channel.  The maximum-likelihood estimates of (p, q, v, theta_gender, theta_channel) by
   scipy.optimize (BFGS on log p, log q, log v, theta from the closed-form likelihood written
   out here with math.lgamma), the log-likelihood there, and standard errors from the inverse
   of minus the Hessian taken by central second differences of the log-likelihood in the
   natural parameters (steps 1e-4 * max(|estimate|, 1)).

Run: /usr/bin/python3 test/reference/gammagamma_covariates.py   (from the project root)
"""
import csv
import math
from collections import defaultdict

import numpy as np
from mpmath import mp, mpf, quad, exp, log, loggamma, inf
from scipy.optimize import minimize

mp.dps = 50


def ll_quad(p, q, v, theta, w, x, z):
    """ln of the integral over nu ~ Gamma(q, v_i) of the Gamma(p x, nu x) density at z."""
    p, q, v, x, z = mpf(p), mpf(q), mpf(v), mpf(x), mpf(z)
    vi = v * exp(sum(mpf(t) * mpf(c) for t, c in zip(theta, w)))
    px = p * x

    def integrand(nu):
        f_z = exp(px * log(nu * x) + (px - 1) * log(z) - nu * x * z - loggamma(px))
        g_nu = exp(q * log(vi) + (q - 1) * log(nu) - vi * nu - loggamma(q))
        return f_z * g_nu

    # the mass lies around the posterior mode of nu: split there for quad
    mode = (px + q - 1) / (vi + x * z)
    return log(quad(integrand, [0, mode / 4, mode, 4 * mode, inf]))


def ll_closed(par, x, z, w):
    p, q, v = par[0], par[1], par[2]
    vi = v * math.exp(sum(t * c for t, c in zip(par[3:], w)))
    px = p * x
    return (math.lgamma(px + q) - math.lgamma(px) - math.lgamma(q) + q * math.log(vi)
            + px * math.log(x) + (px - 1) * math.log(z) - (px + q) * math.log(vi + x * z))


def apparel():
    cov = {}
    with open("test/data/apparel/apparelStaticCov.csv") as f:
        for row in csv.DictReader(f):
            cov[int(row["Id"])] = (float(row["Gender"]), float(row["Channel"]))
    days = defaultdict(lambda: defaultdict(float))
    with open("test/data/apparel/apparelTrans.csv") as f:
        for row in csv.DictReader(f):
            days[int(row["Id"])][row["Date"]] += float(row["Price"])
    sample = []
    for cid, d in days.items():
        ordered = sorted(d)
        repeat = [d[day] for day in ordered[1:] if day <= "2006-12-31"]
        if repeat:
            sample.append((len(repeat), sum(repeat) / len(repeat), cov[cid]))
    return sample


def main():
    print("-- single customers: ln f by mpmath.quad (50 digits)")
    cases = [
        ((2.0, 3.0, 15.0), (0.4, -0.7), (1.0, 0.5), 1, 35.0),
        ((2.0, 3.0, 15.0), (0.4, -0.7), (0.0, 2.0), 4, 12.5),
        ((6.25, 3.74, 15.44), (0.8,), (1.0,), 10, 40.0),
        ((0.7, 1.5, 100.0), (-1.2, 0.3), (1.0, -1.0), 3, 250.0),
    ]
    for (p, q, v), theta, w, x, z in cases:
        ref = ll_quad(p, q, v, theta, w, x, z)
        closed = ll_closed((p, q, v) + theta, x, z, w)
        print(f"p={p} q={q} v={v} theta={theta} w={w} x={x} z={z}: "
              f"quad {mp.nstr(ref, 17)}  closed {closed!r}")

    sample = apparel()
    print(f"-- apparel: {len(sample)} customers with repeat days up to 2006-12-31, "
          f"sum x = {sum(s[0] for s in sample)}")

    def negll(u):
        par = [math.exp(u[0]), math.exp(u[1]), math.exp(u[2]), u[3], u[4]]
        try:
            return -sum(ll_closed(par, x, z, w) for x, z, w in sample)
        except (ValueError, OverflowError):
            return float("inf")

    best = minimize(negll, np.zeros(5), method="BFGS", options={"gtol": 1e-9, "maxiter": 2000})
    best = minimize(negll, best.x, method="Nelder-Mead",
                    options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 20000})
    est = [math.exp(best.x[0]), math.exp(best.x[1]), math.exp(best.x[2]), best.x[3], best.x[4]]
    ll = -negll(best.x)

    def total(par):
        return sum(ll_closed(par, x, z, w) for x, z, w in sample)

    n = len(est)
    h = [1e-4 * max(abs(e), 1.0) for e in est]
    hess = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            def at(di, dj):
                par = list(est)
                par[i] += di
                par[j] += dj
                return total(par)
            hess[i, j] = (at(h[i], h[j]) - at(h[i], -h[j]) - at(-h[i], h[j]) + at(-h[i], -h[j])) / (4 * h[i] * h[j])
    se = np.sqrt(np.diag(np.linalg.inv(-hess)))
    for name, e, s in zip(["p", "q", "v", "spend[1] (Gender)", "spend[2] (Channel)"], est, se):
        print(f"{name:20s} {e!r:24} se {s!r}")
    print(f"loglik {ll!r}")


if __name__ == "__main__":
    main()

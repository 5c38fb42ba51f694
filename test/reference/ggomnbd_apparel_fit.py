#!/usr/bin/env python3
"""Independent maximum-likelihood fit of the GGompertz/NBD model (no covariates) to the
apparel data of test/data/apparel/ (weekly, calibration to 2006-12-31, purchases on the same
day counted once), for the apparel check of sql/ggomnbd.sql.

The likelihood (Bemmaor & Glady 2012 eq. 4) with its lifetime integral by a fixed 400-point
Gauss-Legendre rule on [t_x, T] (numpy; the integrand is smooth there: its singularities lie at
-alpha and at the zeros of beta - 1 + e^(b tau), far from the interval for these data), then
scipy's L-BFGS-B on log-parameters from several starts, and the profile likelihood in b.
Prints the best fit and the profile: the maximum is approached as b -> 0 with beta / b
tending to Pareto/NBD's beta, as engage finds.

Run: /usr/bin/python3 test/reference/ggomnbd_apparel_fit.py   (needs python3-scipy)
"""
import csv
import datetime
import os

import numpy as np
from scipy.optimize import minimize
from scipy.special import gammaln

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
END = datetime.date(2006, 12, 31)


def summaries():
    days = {}
    with open(os.path.join(ROOT, "test/data/apparel/apparelTrans.csv")) as f:
        for row in csv.DictReader(f):
            d = datetime.date.fromisoformat(row["Date"])
            if d <= END:
                days.setdefault(row["Id"], set()).add(d)
    rows = []
    for ds in days.values():
        ds = sorted(ds)
        rows.append((len(ds) - 1, (ds[-1] - ds[0]).days / 7, (END - ds[0]).days / 7))
    return np.array(rows, dtype=float).T


X, TX, T = summaries()
NODES, WEIGHTS = np.polynomial.legendre.leggauss(400)


def loglik(r, alpha, b, s, beta):
    half = (T - TX) / 2
    tau = TX[:, None] + half[:, None] * (NODES[None, :] + 1)
    lb = np.log(beta + np.expm1(b * tau))
    f = np.exp(b * tau - (r + X[:, None]) * np.log(alpha + tau) - (s + 1) * lb)
    integral = half * (f * WEIGHTS[None, :]).sum(axis=1)
    base = gammaln(r + X) - gammaln(r) + r * np.log(alpha)
    l1 = base - (r + X) * np.log(alpha + T) + s * (np.log(beta) - np.log(beta + np.expm1(b * T)))
    with np.errstate(divide="ignore"):
        l2 = base + np.log(b) + np.log(s) + s * np.log(beta) + np.log(integral)
    return np.logaddexp(l1, l2).sum()


def fit(start, fixed_b=None):
    def objective(lp):
        p = np.exp(lp)
        if fixed_b is not None:
            p = np.insert(p, 2, fixed_b)
        return -loglik(*p)
    res = minimize(objective, np.log(start), method="L-BFGS-B",
                   options=dict(ftol=1e-15, gtol=1e-9, maxiter=5000))
    p = np.exp(res.x)
    if fixed_b is not None:
        p = np.insert(p, 2, fixed_b)
    return p, -res.fun


def main():
    best = None
    for start in [(1, 1, 1, 1, 1), (1.4, 48, 0.01, 0.56, 0.5), (1.4, 48, 0.2, 0.56, 5),
                  (0.5, 10, 0.05, 1, 2)]:
        p, ll = fit(start)
        print("start %-30s r %.5f alpha %.4f b %.3g s %.5f beta %.3g beta/b %.3f LL %.6f"
              % (start, *p, p[4] / p[2], ll))
        if best is None or ll > best[1]:
            best = (p, ll)
    print("profile in b (the other parameters maximised):")
    for b in (1e-1, 3e-2, 1e-2, 3e-3, 1e-3, 1e-4, 1e-6):
        p, ll = fit((best[0][0], best[0][1], best[0][3], b * best[0][4] / best[0][2]), fixed_b=b)
        print("  b %-7g LL %.6f  (r %.4f alpha %.3f s %.4f beta/b %.3f)" % (b, ll, p[0], p[1], p[3], p[4] / b))


if __name__ == "__main__":
    main()

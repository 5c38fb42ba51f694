#!/usr/bin/python3
"""Reference spread of the BG/NBD bootstrap on CDNOW for sql/bootstrap_cdnow.sql.

Independent of engage's C code: the BG/NBD log-likelihood of each customer written out from
Fader, Hardie & Lee 2005, eq. (6) (numpy, scipy.special.gammaln), maximised by scipy's BFGS.
The nonparametric bootstrap estimates the variance of the estimates under the sampling of
customers; asymptotically that is the sandwich (robust) variance H^-1 J H^-1 (Huber 1967;
White 1982), H the Hessian of the summed log-likelihood, J the sum of the outer products of
the customers' scores, which equals the inverse information H^-1 (the Wald variance) only when
the model is the true one. On CDNOW BG/NBD is not: the sandwich standard error of r is 15 %
above the Wald one, and so is the bootstrap's. Printed: the maximum-likelihood estimates, the
Wald and the sandwich standard errors (scores and Hessian by central differences in the
natural parameters), and, with an argument B, the standard deviations of B bootstrap
replicates drawn here (numpy's generator, seed 1; Monte Carlo error about 1/sqrt(2 B)).

Run: test/reference/bootstrap_se.py [B]   (from the project root; Debian's python3 with python3-scipy)
"""
import csv
import sys

import numpy as np
from scipy.optimize import minimize
from scipy.special import gammaln

rows = list(csv.reader(open('test/data/cdnow/cdnow_customers_summary_with_transactions.csv')))[1:]
x = np.array([float(r[1]) for r in rows])
tx = np.array([float(r[2]) for r in rows])
T = np.array([float(r[3]) for r in rows])


def loglik(p):
    """Each customer's BG/NBD log-likelihood at p = (r, alpha, a, b), FHL 2005 eq. (6)."""
    r, alpha, a, b = p
    a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    a2 = gammaln(a + b) + gammaln(b + x) - gammaln(b) - gammaln(a + b + x)
    a3 = -(r + x) * np.log(alpha + T)
    a4 = np.where(x > 0, np.log(a) - np.log(b + np.maximum(x, 1) - 1) - (r + x) * np.log(alpha + tx),
                  -np.inf)
    return a1 + a2 + np.logaddexp(a3, a4)


def fit(w, start):
    def f(lp):
        return -np.sum(w * loglik(np.exp(lp))) / w.sum()
    return np.exp(minimize(f, np.log(start), method='BFGS', options={'gtol': 1e-10}).x)


def scores(p, h=1e-6):
    """Per-customer gradients of the log-likelihood (n x 4)."""
    s = np.zeros((len(x), 4))
    for j in range(4):
        d = np.zeros(4)
        d[j] = h * p[j]
        s[:, j] = (loglik(p + d) - loglik(p - d)) / (2 * d[j])
    return s


p = fit(np.ones(len(x)), (1, 1, 1, 1))
hess = np.zeros((4, 4))
for j in range(4):
    d = np.zeros(4)
    d[j] = 1e-5 * p[j]
    hess[:, j] = (scores(p + d).sum(axis=0) - scores(p - d).sum(axis=0)) / (2 * d[j])
wald = np.linalg.inv(-hess)
s = scores(p)
sandwich = wald @ (s.T @ s) @ wald
print('estimates ', ' '.join('%.6g' % v for v in p))
print('wald se   ', ' '.join('%.6g' % v for v in np.sqrt(np.diag(wald))))
print('sandwich se', ' '.join('%.6g' % v for v in np.sqrt(np.diag(sandwich))))
if len(sys.argv) > 1:
    rng = np.random.default_rng(1)
    n = len(x)
    reps = np.array([fit(rng.multinomial(n, np.full(n, 1.0 / n)).astype(float), p)
                     for _ in range(int(sys.argv[1]))])
    print('bootstrap sd', ' '.join('%.6g' % v for v in reps.std(axis=0, ddof=1)))

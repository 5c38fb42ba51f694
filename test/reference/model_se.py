#!/usr/bin/env python3
"""Reference standard errors of the fitted models for sql/parameters.sql.

Independent of engage's C code: each model's log-likelihood is written out here from the
paper (plain floats, math.lgamma; Pareto/NBD's 2F1 with mpmath), summed over the test data,
and its Hessian in the natural parameters taken by central second differences of the
log-likelihood itself (not of a gradient), with relative steps h = 1e-4; the standard errors
are the square roots of the diagonal of the inverse of minus that Hessian.  The Hessian is
taken at the maximum-likelihood estimates that engage's fits print (full precision below),
so the two computations share only the data.

  BG/NBD      Fader, Hardie & Lee 2005, eq. (6)                       CDNOW, 2357 customers
  MBG/NBD     Batislam, Denizel & Filiztekin 2007                     CDNOW
  Pareto/NBD  Fader & Hardie 2005 note, eqs. (2)-(4), 2F1 by mpmath   CDNOW
  Gamma-Gamma Fader, Hardie & Lee 2005 (JMR), eq. (3) per customer    CDNOW, frequency > 0
  BG/BB       Fader, Hardie & Shang 2010, eq. (5)                     donations, 11104 donors
  sBG         Fader & Hardie 2007, eqs. (1)-(2)                       the 'regular' cohort

Run: python3 test/reference/model_se.py   (from the project root; prints one line per
parameter: model, parameter, standard error)
"""
import csv
import math
from collections import Counter

from mpmath import hyp2f1

lg = math.lgamma


def lbeta(a, b):
    return lg(a) + lg(b) - lg(a + b)


def logaddexp(a, b):
    m = max(a, b)
    return m + math.log(math.exp(a - m) + math.exp(b - m))


def read_cdnow():
    with open('test/data/cdnow/cdnow_customers_summary_with_transactions.csv') as f:
        return [(int(r['x']), float(r['t_x']), float(r['T']), float(r['zbar']))
                for r in csv.DictReader(f)]


def bg_ll(p, data, m):
    r, alpha, a, b = p
    total = 0.0
    for (x, tx, T), w in data.items():
        base = lg(r + x) - lg(r) + r * math.log(alpha) - (r + x) * math.log(alpha + T)
        alive = base + lbeta(a, b + x + m) - lbeta(a, b)
        if x > 0 or m > 0:
            dead = (lg(r + x) - lg(r) + r * math.log(alpha) - (r + x) * math.log(alpha + tx)
                    + lbeta(a + 1, b + x + m - 1) - lbeta(a, b))
            alive = logaddexp(alive, dead)
        total += w * alive
    return total


def pnbd_ll(p, data):
    r, alpha, s, beta = p
    total = 0.0
    for (x, tx, T), w in data.items():
        a0 = max(alpha, beta)
        rsx = r + s + x
        if alpha >= beta:
            z1, z2 = (alpha - beta) / (alpha + tx), (alpha - beta) / (alpha + T)
            f1 = float(hyp2f1(rsx, s + 1, rsx + 1, z1))
            f2 = float(hyp2f1(rsx, s + 1, rsx + 1, z2))
        else:
            z1, z2 = (beta - alpha) / (beta + tx), (beta - alpha) / (beta + T)
            f1 = float(hyp2f1(rsx, r + x, rsx + 1, z1))
            f2 = float(hyp2f1(rsx, r + x, rsx + 1, z2))
        a1 = f1 / (a0 + tx) ** rsx
        a2 = f2 / (a0 + T) ** rsx
        lead = lg(r + x) - lg(r) + r * math.log(alpha) + s * math.log(beta)
        term = math.exp(-(r + x) * math.log(alpha + T) - s * math.log(beta + T)) + s / rsx * (a1 - a2)
        total += w * (lead + math.log(term))
    return total


def gg_ll(p, data):
    pp, q, v = p
    total = 0.0
    for (x, z), w in data.items():
        total += w * (lg(pp * x + q) - lg(pp * x) - lg(q) + q * math.log(v)
                      + (pp * x - 1) * math.log(z) + pp * x * math.log(x)
                      - (pp * x + q) * math.log(x * z + v))
    return total


def bgbb_ll(p, data):
    a, b, g, d = p
    total = 0.0
    for (x, tx, n), w in data.items():
        ll = lbeta(a + x, b + n - x) - lbeta(a, b) + lbeta(g, d + n) - lbeta(g, d)
        for i in range(n - tx):
            ll = logaddexp(ll, lbeta(a + x, b + tx - x + i) - lbeta(a, b)
                           + lbeta(g + 1, d + tx + i) - lbeta(g, d))
        total += w * ll
    return total


def sbg_ll(p, data):
    a, b = p
    total = 0.0
    for (t, churned), w in data.items():
        if churned:   # P(T = t) = B(a + 1, b + t - 1) / B(a, b)
            total += w * (lbeta(a + 1, b + t - 1) - lbeta(a, b))
        else:         # S(t) = B(a, b + t) / B(a, b)
            total += w * (lbeta(a, b + t) - lbeta(a, b))
    return total


def std_errors(f, p, h=1e-4):
    k = len(p)
    steps = [h * v for v in p]

    def at(di, dj, si, sj):
        q = list(p)
        q[di] += si * steps[di]
        q[dj] += sj * steps[dj]
        return f(q)

    f0 = f(p)
    hess = [[0.0] * k for _ in range(k)]
    for i in range(k):
        for j in range(i, k):
            if i == j:
                q1 = list(p); q1[i] += steps[i]
                q2 = list(p); q2[i] -= steps[i]
                hess[i][i] = (f(q1) - 2 * f0 + f(q2)) / steps[i] ** 2
            else:
                hess[i][j] = hess[j][i] = (at(i, j, 1, 1) - at(i, j, 1, -1) - at(i, j, -1, 1)
                                           + at(i, j, -1, -1)) / (4 * steps[i] * steps[j])
    # invert minus the Hessian (Gauss-Jordan; k <= 4)
    a = [[-hess[i][j] for j in range(k)] + [1.0 if i == j else 0.0 for j in range(k)] for i in range(k)]
    for c in range(k):
        piv = max(range(c, k), key=lambda r: abs(a[r][c]))
        a[c], a[piv] = a[piv], a[c]
        d = a[c][c]
        a[c] = [v / d for v in a[c]]
        for r in range(k):
            if r != c:
                fac = a[r][c]
                a[r] = [vr - fac * vc for vr, vc in zip(a[r], a[c])]
    return [math.sqrt(a[i][k + i]) for i in range(k)]


def main():
    cdnow = read_cdnow()
    counts = Counter((x, tx, T) for x, tx, T, _ in cdnow)
    spend = Counter((x, z) for x, _, _, z in cdnow if x > 0)
    with open('test/data/donations/donations.csv') as f:
        donations = Counter()
        for r in csv.DictReader(f):
            donations[(int(r['frequency']), int(r['recency']), int(r['periods']))] += int(r['weights'])
    active = [1000, 631, 468, 382, 326, 289, 262, 241]
    sbg = Counter()
    for t in range(1, 8):
        sbg[(t, True)] += active[t - 1] - active[t]
    sbg[(7, False)] += active[7]
    cases = [
        ('bgnbd', ['r', 'alpha', 'a', 'b'], lambda p: bg_ll(p, counts, 0),
         [0.24259291117358622, 4.413531881797348, 0.7928860923248999, 2.4257532211229704]),
        ('mbgnbd', ['r', 'alpha', 'a', 'b'], lambda p: bg_ll(p, counts, 1),
         [0.5248351467761068, 6.182972191540207, 0.8913620475665033, 1.6140212138636694]),
        ('paretonbd', ['r', 'alpha', 's', 'beta'], lambda p: pnbd_ll(p, counts),
         [0.553275519754943, 10.577612384714742, 0.6062135092244042, 11.667909240985892]),
        ('gammagamma', ['p', 'q', 'v'], lambda p: gg_ll(p, spend), GG_FIT),
        ('bgbb', ['alpha', 'beta', 'gamma', 'delta'], lambda p: bgbb_ll(p, donations), BGBB_FIT),
        ('sbg', ['alpha', 'beta'], lambda p: sbg_ll(p, sbg), SBG_FIT),
    ]
    for model, names, f, p in cases:
        for name, se in zip(names, std_errors(f, p)):
            print(f'{model} {name} {se:.6g}')


# engage's fits of the same data (sql/parameters.sql prints them)
GG_FIT = [6.24880262475669, 3.7445884556041884, 15.447747640994232]
BGBB_FIT = [1.2035223974124034, 0.7497163492948928, 0.6567181347633904, 2.7834416275745637]
SBG_FIT = [0.704077309923561, 1.1820430073192467]

if __name__ == '__main__':
    main()

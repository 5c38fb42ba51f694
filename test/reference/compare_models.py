#!/usr/bin/env python3
"""Reference values for sql/compare_models.sql: BG/NBD, MBG/NBD and Pareto/NBD fitted to the
CDNOW sample's calibration weeks and scored against its holdout weeks, independently of
engage's C code; they share only the order file.

  summaries  from test/data/cdnow/cdnow_sample.csv: purchase days per customer; calibration
             up to 1997-09-30, holdout 1997-10-01 .. 1998-06-30 (39 weeks); frequency = purchase
             days after the first, recency and age in weeks from the first purchase day to the
             last one and to 1997-09-30; holdout purchases = purchase days in the holdout
  fits       the log-likelihoods of model_se.py (written out from the papers: Fader, Hardie &
             Lee 2005 eq. 6, Batislam et al. 2007, Fader & Hardie's 2005 note eqs. 2-4),
             maximised by scipy (Nelder-Mead on log-parameters from (1, 1, 1, 1), then BFGS)
  criteria   AIC = 2 k - 2 LL, BIC = k ln(2357) - 2 LL, k = 4
  holdout    E[X(T, T + 39) | x, t_x, T]: BG/NBD FHL 2005 eq. (10); MBG/NBD the same for its
             likelihood (lifetimes' ModifiedBetaGeoFitter); Pareto/NBD Fader & Hardie's note
             eq. (20) with P(alive) the share of the likelihood's 'alive at T' term; 2F1 by
             mpmath.  Per customer: |holdout - E|, (holdout - E)^2, summed over customers.

Run: /usr/bin/python3 test/reference/compare_models.py   (from the project root; Debian's
python3-scipy and python3-mpmath; prints one line per model; about 3 CPU minutes, most of
them in the Pareto/NBD fit with mpmath's 2F1)
"""
import csv
import datetime
import math
import os
import sys
from collections import Counter, defaultdict

from mpmath import hyp2f1, mpf
from scipy.optimize import minimize

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model_se import bg_ll, pnbd_ll  # noqa: E402

CAL_END = datetime.date(1997, 9, 30)
HOLDOUT_END = datetime.date(1998, 6, 30)
DURATION = (HOLDOUT_END - CAL_END).days / 7.0


def summaries():
    """(x, t_x, T) -> [customers, holdout purchases of each]."""
    days = defaultdict(set)
    with open('test/data/cdnow/cdnow_sample.csv') as f:
        for r in csv.DictReader(f):
            days[r['customer_id']].add(datetime.date.fromisoformat(r['purchased_on']))
    out = defaultdict(list)
    for d in days.values():
        cal = sorted(x for x in d if x <= CAL_END)
        if not cal:
            continue
        holdout = sum(1 for x in d if CAL_END < x <= HOLDOUT_END)
        key = (len(cal) - 1, (cal[-1] - cal[0]).days / 7.0, (CAL_END - cal[0]).days / 7.0)
        out[key].append(holdout)
    return out


def fit(ll):
    f = lambda lp: -ll([math.exp(v) for v in lp])
    res = minimize(f, [0.0] * 4, method='Nelder-Mead',
                   options={'xatol': 1e-10, 'fatol': 1e-10, 'maxiter': 20000, 'maxfev': 20000})
    res = minimize(f, res.x, method='BFGS', options={'gtol': 1e-7})
    return [math.exp(v) for v in res.x], -res.fun


def bg_expected(p, m, x, tx, T, t):
    r, alpha, a, b = map(mpf, p)
    c = b + x + m                     # the dropout chance after purchase x+m-1 of the paper
    head = (a + c - 1) / (a - 1) * (1 - ((alpha + T) / (alpha + T + t)) ** (r + x)
                                    * hyp2f1(r + x, c, a + c - 1, t / (alpha + T + t)))
    if x == 0 and m == 0:
        return float(head)
    return float(head / (1 + a / (c - 1) * ((alpha + T) / (alpha + tx)) ** (r + x)))


def pnbd_alive(p, x, tx, T):
    r, alpha, s, beta = map(mpf, p)
    a0, rsx = max(alpha, beta), r + s + x
    if alpha >= beta:
        f = lambda t: hyp2f1(rsx, s + 1, rsx + 1, (alpha - beta) / (alpha + t))
    else:
        f = lambda t: hyp2f1(rsx, r + x, rsx + 1, (beta - alpha) / (beta + t))
    alive_term = 1 / ((alpha + T) ** (r + x) * (beta + T) ** s)
    dead_term = s / rsx * (f(tx) / (a0 + tx) ** rsx - f(T) / (a0 + T) ** rsx)
    return alive_term / (alive_term + dead_term)


def pnbd_expected(p, x, tx, T, t):
    r, alpha, s, beta = map(mpf, p)
    alive = pnbd_alive(p, x, tx, T)
    return float((r + x) * (beta + T) / ((alpha + T) * (s - 1))
                 * (1 - ((beta + T) / (beta + T + t)) ** (s - 1)) * alive)


def main():
    data = summaries()
    counts = Counter({k: len(v) for k, v in data.items()})
    n = sum(counts.values())
    print(f'customers {n} repeat {sum(k[0] * w for k, w in counts.items())} '
          f'holdout {sum(sum(v) for v in data.values())}')
    cases = [('bgnbd', lambda p: bg_ll(p, counts, 0), lambda p, x, tx, T: bg_expected(p, 0, x, tx, T, DURATION)),
             ('mbgnbd', lambda p: bg_ll(p, counts, 1), lambda p, x, tx, T: bg_expected(p, 1, x, tx, T, DURATION)),
             ('paretonbd', lambda p: pnbd_ll(p, counts), lambda p, x, tx, T: pnbd_expected(p, x, tx, T, DURATION))]
    for name, ll, expected in cases:
        p, loglik = fit(ll)
        observed = predicted = abs_err = sq_err = 0.0
        for (x, tx, T), holdouts in data.items():
            e = expected(p, x, tx, T)
            for h in holdouts:
                observed += h
                predicted += e
                abs_err += abs(h - e)
                sq_err += (h - e) ** 2
        print(f"{name} params {' '.join(f'{v:.10g}' for v in p)} loglik {loglik:.10f} "
              f"aic {8 - 2 * loglik:.10f} bic {4 * math.log(n) - 2 * loglik:.10f} "
              f"observed {observed:.0f} expected {predicted:.10f} total_error {predicted - observed:.10f} "
              f"relative {(predicted - observed) / observed:.10f} mae {abs_err / n:.10f} "
              f"rmse {math.sqrt(sq_err / n):.10f}")


if __name__ == '__main__':
    main()

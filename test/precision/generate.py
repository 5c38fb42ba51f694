#!/usr/bin/env python3
"""Reference values of engage's scoring and likelihood functions at extreme arguments.

Writes test/data/precision/reference.csv (id, expression, reference, tolerance kind), read by
sql/btyd_precision.sql.  Every reference is computed with mpmath at 1200 bits from the
published closed forms (the papers cited in src/models/*.c), with the float8 arguments taken as the
exact binary values PostgreSQL parses: sums such as alpha + T with alpha = 1e308 and T = 2,
or 1e-300 + 1e308, are exact at that precision.  A reference above DBL_MAX is written as
'overflow' (the function must raise 22003), one that does not exist (an infinite mean) as
'error' (22003 or 22023).  A case whose reference takes mpmath longer than CASE_SECONDS is
left out (printed on stderr).

    python3 test/precision/generate.py      (needs python3-mpmath; about 30 minutes on 2 cores)
    python3 test/precision/generate.py --refresh ID,ID,...     (recomputes those rows only)
"""
import csv
import multiprocessing
import os
import random
import signal
import sys

import mpmath as mp
from mpmath import mpf

mp.mp.prec = 1200
CASE_SECONDS = 3
DBL_MAX = mpf(sys.float_info.max)

# parameter scales: tiny, small, moderate, one (removable singularities), large, huge
SCALES = [1e-300, 1e-8, 0.25, 1.0, 3.7, 1e8, 1e15, 1e308]
EXTREMES = [1e-300, 1e-8, 1e8, 1e15, 1e308]


class Undefined(Exception):
    """The quantity does not exist (e.g. an infinite mean): an error is expected."""


class Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise Timeout()


M = mpf
lg = mp.loggamma


def hyp2f1(a, b, c, z):
    """2F1 at full precision where z is small (1 - its value may be all that counts), else at
    250 bits (a relative error of 1e-75, far below what the tests resolve): mpmath is slow
    at full precision near z = 1 with large parameters."""
    if z < mpf('1e-3'):
        return mp.hyp2f1(a, b, c, z)
    with mp.workprec(250):
        return +mp.hyp2f1(a, b, c, z)


def lbeta(a, b):
    return lg(a) + lg(b) - lg(a + b)


def param_sets(base, rng, nrandom):
    """All parameters at one scale, the base set with one parameter pushed to each
    extreme, and random draws from the scales."""
    sets = [tuple([v] * len(base)) for v in SCALES]
    sets.append(tuple(base))
    for i in range(len(base)):
        for v in EXTREMES:
            p = list(base)
            p[i] = v
            sets.append(tuple(p))
    for _ in range(nrandom):
        sets.append(tuple(rng.choice(SCALES) for _ in base))
    seen = []
    for p in sets:
        if p not in seen:
            seen.append(p)
    return seen


# (frequency, recency, age) of the continuous-time models: none, recency = age, tiny and
# huge times, huge frequencies
SUMMARIES = [(0, 0, 0), (0, 0, 1), (1, 1, 2), (2, 0.5, 3), (3, 3, 3), (10, 20, 39),
             (1, 1e-300, 1), (5, 3, 1e8), (2, 1, 1e308), (1e308, 1, 2),
             (1e308, 1e308, 1e308), (0, 0, 1e308), (1e6, 5e7, 1e8), (7, 1e15, 1e15 + 2)]
HORIZONS = [1.0, 39.0, 1e308]


# --- BG/NBD (m = 0) and MBG/NBD (m = 1): FHL 2005 eq. 6-10, Batislam et al. 2007 -------------

def bg_log_ratio(p, m, x, tx, T):
    r, al, a, b = map(M, p)
    if x + m == 0:
        return None
    return mp.log(a / (b + x + m - 1)) + (r + x) * mp.log((al + T) / (al + tx))


def bg_loglik(p, m, x, tx, T):
    r, al, a, b = map(M, p)
    x, tx, T = M(x), M(tx), M(T)
    ll = (lg(r + x) - lg(r) + r * mp.log(al) - (r + x) * mp.log(al + T)
          + lbeta(a, b + x + m) - lbeta(a, b))
    lr = bg_log_ratio(p, m, x, tx, T)
    if lr is not None:
        ll += mp.log1p(mp.exp(lr))
    return ll


def bg_p_alive(p, m, x, tx, T):
    lr = bg_log_ratio(p, m, M(x), M(tx), M(T))
    return M(1) if lr is None else 1 / (1 + mp.exp(lr))


RP_LINEAR = mpf('1e-60')     # below it the bracket of bg_bracket is linear in rp to 1e-60
BP_GAMMA_LIMIT = mpf('1e100')  # above it p ~ Beta(a, b') is y / b', y ~ Gamma(a), to 1e-100


def bg_alive_gamma_limit(a, bp, rp, u):
    """E_p[(1 - (1 + p u)^-rp) / p], p ~ Beta(a, bp), the expectation alive of FHL's derivation,
    for bp > BP_GAMMA_LIMIT: then p = y / bp with y ~ Gamma(a, 1) to a relative O(1/bp), and
    the expectation is a quadrature over y (where the closed form's 2F1 has parameters near
    1e308 and z near 1), of the integrand less its value rp u at y = 0, so that the weight
    y^(a-1) that small a piles up at 0 meets a factor O(y).  For a below 1e-30 all but a
    fraction a of y's mass is at 0."""
    g0 = rp * u
    if a < mpf('1e-30'):
        return g0
    with mp.workprec(300):
        def g(y):
            return ((-mp.expm1(-rp * mp.log1p(y * u / bp)) * bp / y - g0)
                    * mp.exp((a - 1) * mp.log(y) - y))
        return g0 + mp.quad(g, [0, mpf('1e-3'), 1, 10, 100, mp.inf]) / mp.gamma(a)


def bg_bracket(a, cma, rp, z, full=False):
    """[1 - (1-z)^rp 2F1(rp, cma+1; a+cma; z)] / (a-1), continuous at a = 1.  By Pfaff's
    transformation the product is 2F1(rp, a-1; a+cma; w), w = z/(z-1) = -t/(alpha+T), so the
    bracket is -sum_{n>=1} (rp)_n (a)_(n-1) / (a+cma)_n w^n / n!: a sum free of the
    subtraction and of the singularity at a = 1, summed at 3000 bits where its terms shrink
    at least twofold (|w| max(1, rp) <= 1/2).  Elsewhere the closed form: its two terms agree
    to about log2(rp z) bits beyond the value's own, and (1-z)^rp against the 2F1 to
    log2(cma) bits, and 1 - 2F1 is of the size of rp: with rp ~ 1e308 and z ~ 1e-308 or b ~
    1e308 that is over 1023 bits, so small z and large rp or cma are evaluated at 3000 bits,
    small rp (at least RP_LINEAR) at 700 plus what z near 1 needs; at a = 1 the 2F1 is taken at the full precision, which the
    difference quotient across 2h needs."""
    if z == 0:
        return M(0)
    if rp < RP_LINEAR:
        # analytic in rp and 0 at rp = 0: bracket / rp is constant to a relative O(rp)
        return bg_bracket(a, cma, RP_LINEAR, z, full) * (rp / RP_LINEAR)
    with mp.workprec(3000):
        w = z / (z - 1)
        if abs(w) * max(1, rp) <= mpf('0.5'):
            c = a + cma
            term = rp / c * w
            total = M(0)
            n = 1
            while abs(term) > abs(total) * mpf(2) ** -2900:
                total += term
                term = term * (rp + n) * (a + n - 1) / ((c + n) * (n + 1)) * w
                n += 1
            return -total
    if cma > BP_GAMMA_LIMIT:
        return bg_alive_gamma_limit(a, cma + 1, rp, -w) / (a + cma)
    if a == 1:
        # removable singularity: the mean of both sides at a distance far below the precision
        h = mpf(2) ** -300
        return (bg_bracket(a - h, cma, rp, z, True) + bg_bracket(a + h, cma, rp, z, True)) / 2
    if z < mpf('1e-3') or max(rp, cma) > 1e6 or rp < mpf('1e-3'):
        # z near 1 (t = 1e308 against alpha + T = 4.4) costs log2(1/(1-z)) more bits
        bits = 700 + max(0, int(-mp.log(1 - z, 2)))
        with mp.workprec(3000 if z < mpf('1e-3') or max(rp, cma) > 1e6 else bits):
            f = mp.hyp2f1(rp, cma + 1, a + cma, z)
            return +(-mp.expm1(rp * mp.log1p(-z) + mp.log(f)) / (a - 1))
    f = mp.hyp2f1(rp, cma + 1, a + cma, z) if full else hyp2f1(rp, cma + 1, a + cma, z)
    return -mp.expm1(rp * mp.log1p(-z) + mp.log(f)) / (a - 1)


def bg_expected(p, m, t, x, tx, T):
    r, al, a, b = map(M, p)
    t, x, tx, T = M(t), M(x), M(tx), M(T)
    cma = b + x + m - 1
    z = t / (al + T + t)
    return (a + cma) * bg_bracket(a, cma, r + x, z) * bg_p_alive(p, m, x, tx, T)


def bg_expected_new(p, m, t):
    r, al, a, b = map(M, p)
    t = M(t)
    cma = b + m - 1
    k = a + b - 1 if m == 0 else b
    return k * bg_bracket(a, cma, r, t / (al + t))


def bg_prob(p, m, n, t):
    """P(X(t) = n) of a new customer, FHL eq. 8 and its MBG/NBD analogue."""
    r, al, a, b = map(M, p)
    t = M(t)

    def nb(j):
        if t == 0:
            return M(1) if j == 0 else M(0)
        return mp.exp(lg(r + j) - lg(r) - lg(j + 1) + r * mp.log(al / (al + t)) + j * mp.log(t / (al + t)))
    res = mp.exp(lbeta(a, b + n + m) - lbeta(a, b)) * nb(n)
    if n + m > 0:
        res += mp.exp(lbeta(a + 1, b + n + m - 1) - lbeta(a, b)) * (1 - mp.fsum(nb(j) for j in range(n)))
    return res


# --- Pareto/NBD: FH 2005 eq. 19-22 -----------------------------------------------------------

def pnbd_log_ratio(p, x, tx, T):
    """ln R, P(alive) = 1/(1+R), R = s/(r+s+x) (alpha+T)^(r+x) (beta+T)^s A0; None at t_x = T."""
    r, al, s, be = map(M, p)
    x, tx, T = M(x), M(tx), M(T)
    if tx == T:
        return None
    # A0 = int_{t_x}^{T} (alpha+tau)^-(r+x) (beta+tau)^-(s+1) dtau (r+s+x)/... : use the closed
    # form F(t_x) - F(T) with the larger of alpha, beta first
    def F(y):
        if al >= be:
            return hyp2f1(r + s + x, s + 1, r + s + x + 1, (al - be) / (al + y)) / (al + y) ** (r + s + x)
        return hyp2f1(r + s + x, r + x, r + s + x + 1, (be - al) / (be + y)) / (be + y) ** (r + s + x)
    if max(r + x, s) > 1e100:
        return pnbd_log_ratio_quad(p, x, tx, T)
    a0 = F(tx) - F(T)
    if a0 <= 0:
        return pnbd_log_ratio_quad(p, x, tx, T)
    return mp.log(s / (r + s + x)) + (r + x) * mp.log(al + T) + s * mp.log(be + T) + mp.log(a0)


def pnbd_log_ratio_quad(p, x, tx, T):
    """ln R from the integral over the unobserved end of the lifetime that A0 comes from,
    R = s int_{t_x}^{T} ((alpha+T)/(alpha+tau))^(r+x) ((beta+T)/(beta+tau))^s / (beta+tau)
    dtau, by quadrature at 300 bits on subintervals that shrink geometrically towards t_x:
    where the 2F1 of F(y) cannot resolve its argument's distance from 1 at the precision
    it is taken (r and alpha near 1e308, z = 1 - 1e-308), F(t_x) - F(T) comes out 0 or
    wrong: taken where r + x or s passes 1e100, or A0 is not positive."""
    r, al, s, be = map(M, p)
    x, tx, T = M(x), M(tx), M(T)
    with mp.workprec(300):
        def f(tau):
            return mp.exp((r + x) * mp.log1p((T - tau) / (al + tau))
                          + s * mp.log1p((T - tau) / (be + tau)) - mp.log(be + tau))
        span = T - tx
        pts = [tx] + [tx + span * mpf(10) ** -k for k in range(330, 0, -10)] + [T]
        return mp.log(s * mp.quad(f, pts))


def pnbd_loglik(p, x, tx, T):
    r, al, s, be = map(M, p)
    x, tx, T = M(x), M(tx), M(T)
    ll = lg(r + x) - lg(r) + r * mp.log(al) + s * mp.log(be) - (r + x) * mp.log(al + T) - s * mp.log(be + T)
    lr = pnbd_log_ratio(p, x, tx, T)
    if lr is not None:
        ll += mp.log1p(mp.exp(lr))
    return ll


def pnbd_p_alive(p, x, tx, T):
    lr = pnbd_log_ratio(p, x, tx, T)
    return M(1) if lr is None else 1 / (1 + mp.exp(lr))


def one_minus_pow_over(c, t, e):
    """[1 - (c/(c+t))^e] / e, continuous at e = 0, by log1p: c/(c+t) rounds to 1 when t is
    below c by more than the precision (t = 1e-300 against c = 1e308)."""
    lu = -mp.log1p(t / c)
    return -lu if e == 0 else -mp.expm1(e * lu) / e


def pnbd_expected_alive(p, t, x, T):
    r, al, s, be = map(M, p)
    t, x, T = M(t), M(x), M(T)
    return (r + x) * (be + T) / (al + T) * one_minus_pow_over(be + T, t, s - 1)


def pnbd_expected(p, t, x, tx, T):
    return pnbd_expected_alive(p, t, x, T) * pnbd_p_alive(p, x, tx, T)


def pnbd_expected_new(p, t):
    r, al, s, be = map(M, p)
    t = M(t)
    return r * be / al * one_minus_pow_over(be, t, s - 1)


def pnbd_prob(p, n, t):
    """P(X(t) = n) of a new customer, FH 2006 eq. (with the larger of alpha, beta first)."""
    r, al, s, be = map(M, p)
    t = M(t)
    if t == 0:
        return M(1) if n == 0 else M(0)
    alive = mp.exp(lg(r + n) - lg(r) - lg(n + 1) + r * mp.log(al / (al + t)) + n * mp.log(t / (al + t))
                   + s * mp.log(be / (be + t)))
    big, second = (al, s + 1) if al >= be else (be, r + n)
    diff = abs(al - be)
    b1 = hyp2f1(r + s, second, r + s + n + 1, diff / big) / big ** (r + s)
    b2 = mp.fsum(mp.exp(lg(r + s + i) - lg(r + s) - lg(i + 1)) * t ** i
                 * hyp2f1(r + s + i, second, r + s + n + 1, diff / (big + t)) / (big + t) ** (r + s + i)
                 for i in range(n + 1))
    return alive + al ** r * be ** s * mp.exp(lbeta(r + n, s + 1) - lbeta(r, s)) * (b1 - b2)


# --- BG/BB: FHS 2010 eq. 5, 7, 11, 13 ------------------------------------------------------

def bgbb_terms(p, x, tx, n):
    a, b, g, d = map(M, p)
    alive = lbeta(a + x, b + n - x) - lbeta(a, b) + lbeta(g, d + n) - lbeta(g, d)
    terms = [lbeta(a + x, b + tx - x + i) - lbeta(a, b) + lbeta(g + 1, d + tx + i) - lbeta(g, d)
             for i in range(n - tx)]
    return alive, terms


def bgbb_loglik(p, x, tx, n):
    alive, terms = bgbb_terms(p, x, tx, n)
    return mp.log(mp.fsum(mp.exp(v) for v in [alive] + terms))


def bgbb_p_alive(p, x, tx, n):
    a, b, g, d = map(M, p)
    alive, _ = bgbb_terms(p, x, tx, n)
    return mp.exp(alive - bgbb_loglik(p, x, tx, n)) * (d + n) / (g + d + n)


def bgbb_survival_sum(g, d, m):
    return mp.fsum(mp.exp(lbeta(g, d + k) - lbeta(g, d)) for k in range(1, m + 1))


def bgbb_expected(p, nstar, x, tx, n):
    a, b, g, d = map(M, p)
    alive, _ = bgbb_terms(p, x, tx, n)
    return (mp.exp(lbeta(a + x + 1, b + n - x) - lbeta(a, b) + lbeta(g, d + n) - lbeta(g, d)
                   - bgbb_loglik(p, x, tx, n))
            * mp.fsum(mp.exp(lbeta(g, d + n + k) - lbeta(g, d + n)) for k in range(1, nstar + 1)))


def bgbb_expected_new(p, n):
    a, b, g, d = map(M, p)
    return a / (a + b) * bgbb_survival_sum(g, d, n)


def bgbb_prob(p, x, n):
    a, b, g, d = map(M, p)
    if x > n:
        return M(0)
    total = mp.exp(mp.log(mp.binomial(n, x)) + lbeta(a + x, b + n - x) - lbeta(a, b)
                   + lbeta(g, d + n) - lbeta(g, d))
    total += mp.fsum(mp.exp(mp.log(mp.binomial(i, x)) + lbeta(a + x, b + i - x) - lbeta(a, b)
                            + lbeta(g + 1, d + i) - lbeta(g, d)) for i in range(x, n))
    return total


# --- sBG: FH 2007, FH 2010 ---------------------------------------------------------------

def sbg_survival(p, t):
    a, b = map(M, p)
    return mp.exp(lbeta(a, b + t) - lbeta(a, b))


def sbg_retention(p, t):
    a, b = map(M, p)
    return (b + t - 1) / (a + b + t - 1)


def sbg_derl(p, n, d):
    a, b = map(M, p)
    b = b + n
    d = M(d)
    if d == 0:
        if a <= 1:
            raise Undefined()
        return b / (a - 1)
    return b / (a + b) * hyp2f1(1, b + 1, a + b + 1, 1 / (1 + d))


# --- Gamma-Gamma: FHL 2005 (JMR), Fader & Hardie 2013 --------------------------------------

def gg_spend(p, x, z):
    pp, q, v = map(M, p)
    x, z = M(x), M(z)
    den = pp * x + q - 1
    if den <= 0:
        raise Undefined()
    return (v + x * z) * pp / den


def clv(model, p, gg, x, tx, T, mon, horizon, d, step):
    k = int(mp.floor(M(horizon) / M(step) + mpf('1e-9')))
    if model == 'paretonbd':
        alive = pnbd_p_alive(p, x, tx, T)       # once: its quadrature can take minutes

        def ea(t):
            return pnbd_expected_alive(p, t, x, T) * alive
    else:
        def ea(t):
            return bg_expected(p, 0 if model == 'bgnbd' else 1, t, x, tx, T)
    total = M(0)
    prev = M(0)
    for i in range(1, k + 1):
        e = ea(M(i) * M(step))
        total += (e - prev) / (1 + M(d)) ** i
        prev = e
    return total * gg_spend(gg, x, mon)


# --- the cases ----------------------------------------------------------------------------

def lit(v):
    return repr(float(v))


def constructed(name, p):
    """A hand-built model by its constructor, engage.<name>(parameters)."""
    return f'engage.{name}(' + ', '.join(lit(v) for v in p) + ')'


def cases():
    rng = random.Random(20261129)
    bg_base = (0.243, 4.414, 0.793, 2.426)
    pnbd_base = (0.553, 10.578, 0.606, 11.669)
    bgbb_base = (1.204, 0.750, 0.657, 2.783)
    for model, m in (('bgnbd', 0), ('mbgnbd', 1)):
        for p in param_sets(bg_base, rng, 6):
            mdl = constructed(model, p)
            for x, tx, T in SUMMARIES:
                s = f'{lit(x)}, {lit(tx)}, {lit(T)}'
                yield 'log', f'engage.log_likelihood({mdl}, {s})', lambda p=p, m=m, x=x, tx=tx, T=T: bg_loglik(p, m, x, tx, T)
                yield 'rel', f'engage.p_alive({mdl}, {s})', lambda p=p, m=m, x=x, tx=tx, T=T: bg_p_alive(p, m, x, tx, T)
                yield 'rel', f'engage.churn_probability({mdl}, {s})', lambda p=p, m=m, x=x, tx=tx, T=T: 1 - bg_p_alive(p, m, x, tx, T)
                for t in (1.0, 1e308):
                    yield 'rel', f'engage.expected_purchases({mdl}, {lit(t)}, {s})', lambda p=p, m=m, t=t, x=x, tx=tx, T=T: bg_expected(p, m, t, x, tx, T)
            for t in (0.0, 1.0, 39.0, 1e-300, 1e308):
                yield 'rel', f'engage.expected_purchases({mdl}, {lit(t)})', lambda p=p, m=m, t=t: bg_expected_new(p, m, t)
            for n in (0, 1, 5):
                for t in (0.0, 1.0, 39.0, 1e308):
                    yield 'rel', f'engage.prob_purchases({mdl}, {n}, {lit(t)})', lambda p=p, m=m, n=n, t=t: bg_prob(p, m, n, t)
    for p in param_sets(pnbd_base, rng, 6):
        mdl = constructed('paretonbd', p)
        for x, tx, T in SUMMARIES:
            s = f'{lit(x)}, {lit(tx)}, {lit(T)}'
            yield 'log', f'engage.log_likelihood({mdl}, {s})', lambda p=p, x=x, tx=tx, T=T: pnbd_loglik(p, x, tx, T)
            yield 'rel', f'engage.p_alive({mdl}, {s})', lambda p=p, x=x, tx=tx, T=T: pnbd_p_alive(p, x, tx, T)
            yield 'rel', f'engage.churn_probability({mdl}, {s})', lambda p=p, x=x, tx=tx, T=T: 1 - pnbd_p_alive(p, x, tx, T)
            for t in (1.0, 1e308):
                yield 'rel', f'engage.expected_purchases({mdl}, {lit(t)}, {s})', lambda p=p, t=t, x=x, tx=tx, T=T: pnbd_expected(p, t, x, tx, T)
        for t in (0.0, 1.0, 39.0, 1e-300, 1e308):
            yield 'rel', f'engage.expected_purchases({mdl}, {lit(t)})', lambda p=p, t=t: pnbd_expected_new(p, t)
    for p in param_sets(bgbb_base, rng, 12):
        mdl = constructed('bgbb', p)
        for x, tx, n in ((0, 0, 0), (0, 0, 6), (1, 1, 1), (2, 3, 6), (3, 6, 6), (6, 6, 6), (20, 150, 200)):
            s = f'{x}, {tx}, {n}'
            yield 'rel', f'engage.p_alive({mdl}, {s})', lambda p=p, x=x, tx=tx, n=n: bgbb_p_alive(p, x, tx, n)
            yield 'rel', f'engage.churn_probability({mdl}, {s})', lambda p=p, x=x, tx=tx, n=n: 1 - bgbb_p_alive(p, x, tx, n)
            for nstar in (1, 10):
                yield 'rel', f'engage.expected_purchases({mdl}, {nstar}, {s})', lambda p=p, nstar=nstar, x=x, tx=tx, n=n: bgbb_expected(p, nstar, x, tx, n)
        for n in (0, 1, 6, 1500):
            yield 'rel', f'engage.expected_purchases({mdl}, {n})', lambda p=p, n=n: bgbb_expected_new(p, n)
        for x, n in ((0, 0), (0, 6), (2, 6), (6, 6), (3, 40)):
            yield 'rel', f'engage.prob_purchases({mdl}, {x}, {n})', lambda p=p, x=x, n=n: bgbb_prob(p, x, n)
    for p in param_sets((0.704, 1.182), rng, 8):
        mdl = constructed('sbg', p)
        for t in (0, 1, 2, 12, 1000000, 2147483647):
            yield 'rel', f'engage.survival({mdl}, {t})', lambda p=p, t=t: sbg_survival(p, t)
            if t >= 1:
                yield 'rel', f'engage.retention_rate({mdl}, {t})', lambda p=p, t=t: sbg_retention(p, t)
        for n, d in ((0, 0.1), (4, 0.1), (0, 0.0), (1000000, 1e-8), (3, 1e308)):
            yield 'rel', f'engage.derl({mdl}, {n}, {lit(d)})', lambda p=p, n=n, d=d: sbg_derl(p, n, d)
    for p in param_sets((6.25, 3.74, 15.44), rng, 8):
        mdl = constructed('gammagamma', p)
        for x, z in ((0, 0), (1, 35.5), (10, 1e-300), (1e308, 2.5), (3, 1e308), (1e308, 1e308)):
            yield 'rel', f'engage.expected_spend({mdl}, {lit(x)}, {lit(z)})', lambda p=p, x=x, z=z: gg_spend(p, x, z)
    gg = (6.25, 3.74, 15.44)
    ggrow = 'engage.gammagamma(6.25, 3.74, 15.44)'
    for model, base in (('bgnbd', bg_base), ('mbgnbd', bg_base), ('paretonbd', pnbd_base)):
        for p in param_sets(base, rng, 4):
            mdl = constructed(model, p)
            for x, tx, T, mon in ((0, 0, 39, 0), (2, 30, 39, 20.5), (1e308, 1, 2, 10.0), (3, 3, 1e308, 1e308)):
                for horizon, d, step in ((12.0, 0.01, 1.0), (52.0, 0.0, 4.0), (1e308, 1e308, 1e308)):
                    yield 'rel', (f'engage.clv({mdl}, {ggrow}, {lit(x)}, {lit(tx)}, {lit(T)}, {lit(mon)}, '
                                  f'{lit(horizon)}, {lit(d)}, {lit(step)})'), \
                        lambda model=model, p=p, x=x, tx=tx, T=T, mon=mon, horizon=horizon, d=d, step=step: \
                        clv(model, p, gg, x, tx, T, mon, horizon, d, step)
    # appended last, with their own draws, so that the earlier cases keep their ids
    for p in param_sets(pnbd_base, random.Random(20261130), 4):
        mdl = constructed('paretonbd', p)
        for n in (0, 1, 5):
            for t in (0.0, 1.0, 39.0, 1e308):
                yield 'rel', f'engage.prob_purchases({mdl}, {n}, {lit(t)})', lambda p=p, n=n, t=t: pnbd_prob(p, n, t)


def reference(fn):
    signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(CASE_SECONDS)
    try:
        v = fn()
    except Undefined:
        return 'error'
    except ZeroDivisionError:
        return 'error'
    except (ValueError, mp.libmp.NoConvergence):
        raise Timeout()         # mpmath cannot evaluate it (e.g. a pole at 250 bits): left out
    finally:
        signal.alarm(0)
    if isinstance(v, mp.mpc):
        raise Timeout()         # a branch the closed form does not cover: left out
    if not mp.isfinite(v):
        return 'overflow' if mp.isinf(v) else 'error'
    if abs(v) > DBL_MAX:
        return 'overflow'
    return '%.17e' % float(v)


CASES = []      # filled before the worker processes fork, which inherit it

# Calls that do not finish: the Pareto/NBD quadrature over the unobserved lifetime takes
# panels of at most twice the distance to the pole at -beta, so from t_x = 0 with beta = 1e-300
# or s = 0.25, beta = 1e-8 to an age of 1e308 it needs ~1000 panels per doubling of the
# distance; left out until that loop is bounded.
HANGS = ['engage.log_likelihood(engage.paretonbd(100000000.0, 0.25, 1.0, 1e-300), 0.0, 0.0, 1e+308)',
         'engage.p_alive(engage.paretonbd(100000000.0, 0.25, 1.0, 1e-300), 0.0, 0.0, 1e+308)',
         'engage.churn_probability(engage.paretonbd(100000000.0, 0.25, 1.0, 1e-300), 0.0, 0.0, 1e+308)',
         'engage.expected_purchases(engage.paretonbd(100000000.0, 0.25, 1.0, 1e-300), 1.0, 0.0, 0.0, 1e+308)',
         'engage.expected_purchases(engage.paretonbd(100000000.0, 0.25, 1.0, 1e-300), 1e+308, 0.0, 0.0, 1e+308)',
         'engage.clv(engage.paretonbd(1e+308, 1e+308, 0.25, 1e-08), engage.gammagamma(6.25, 3.74, 15.44), 3.0, 3.0, 1e+308, 1e+308, ']


def hangs(expr):
    return any(expr.startswith(h) for h in HANGS)


def evaluate(i):
    """The reference of case i, None when left out."""
    kind, expr, fn = CASES[i]
    try:
        return kind, expr, reference(fn)
    except Timeout:
        print('left out (no reference in time):', expr, file=sys.stderr)
        return None


def refresh(out, ids):
    """Recomputes the references of the listed ids of an existing reference.csv in place
    (ids and the other rows unchanged), e.g. after a correction of one closed form."""
    with open(out, newline='') as f:
        rows = list(csv.reader(f))
    by_expr = {expr: i for i, (kind, expr, fn) in enumerate(CASES)}
    wanted = [r for r in rows[1:] if int(r[0]) in ids]
    with multiprocessing.get_context('fork').Pool(2) as pool:
        results = pool.map(evaluate, [by_expr[r[2]] for r in wanted])
    for r, res in zip(wanted, results):
        if res is None:
            print('kept (no reference in time):', r[0], r[2], file=sys.stderr)
        elif res[2] != r[3]:
            print(f'{r[0]}: {r[3]} -> {res[2]}', file=sys.stderr)
            r[3] = res[2]
    with open(out, 'w', newline='') as f:
        csv.writer(f, lineterminator='\n').writerows(rows)


def main():
    out = os.path.join(os.path.dirname(__file__), '..', 'data', 'precision', 'reference.csv')
    CASES.extend(cases())
    if len(sys.argv) > 2 and sys.argv[1] == '--refresh':
        global CASE_SECONDS
        CASE_SECONDS = 300
        refresh(out, {int(i) for i in sys.argv[2].split(',')})
        return
    with multiprocessing.get_context('fork').Pool(2) as pool:
        results = pool.map(evaluate, range(len(CASES)), chunksize=20)
    rows = [(i + 1, kind, expr, ref)
            for i, (kind, expr, ref) in enumerate(r for r in results
                                                  if r is not None and not hangs(r[1]))]
    with open(out, 'w', newline='') as f:
        w = csv.writer(f, lineterminator='\n')
        w.writerow(['id', 'kind', 'expression', 'reference'])
        w.writerows(rows)
    print(f'{len(rows)} cases written to {os.path.normpath(out)}', file=sys.stderr)


if __name__ == '__main__':
    main()

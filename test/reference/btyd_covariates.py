#!/usr/bin/env python3
"""Reference log-likelihoods of customers with static covariates for sql/btyd_covariates.sql.

Independent of engage's C code and of the closed forms it uses: each customer's likelihood is
the individual-level likelihood integrated numerically (mpmath.quad, 30 digits) over the
mixing distributions (each rate and probability independent, so one quadrature per factor), with the customer's parameters scaled by the covariates as in Fader &
Hardie (2007), "Incorporating time-invariant covariates into the Pareto/NBD and BG/NBD models":

  Pareto/NBD  alpha_i = alpha exp(-gamma'x_i), beta_i = beta exp(-delta'z_i);
              L(lambda, mu) = lambda^x mu/(lambda+mu) e^-(lambda+mu) t_x
                              + lambda^(x+1)/(lambda+mu) e^-(lambda+mu) T
              over lambda ~ Gamma(r, alpha_i), mu ~ Gamma(s, beta_i)  (FH 2005 note, eq. 3)
  BG/NBD      alpha_i = alpha exp(-gamma'x_i), a_i = a exp(delta'z_i), b_i = b exp(delta'z_i);
              L(lambda, p) = (1-p)^x lambda^x e^-lambda T + [x > 0] p (1-p)^(x-1) lambda^x e^-lambda t_x
              over lambda ~ Gamma(r, alpha_i), p ~ Beta(a_i, b_i)  (FHL 2005, eq. 3)
  MBG/NBD     the same with L = (1-p)^(x+1) lambda^x e^-lambda T + p (1-p)^x lambda^x e^-lambda t_x
              (Batislam, Denizel & Filiztekin 2007)

Run: python3 test/reference/btyd_covariates.py   (prints one line per case: model, case number,
log-likelihood with 15 significant digits)
"""
import mpmath as mp

mp.mp.dps = 30

CASES = [
    # x, t_x, T, purchase covariates, dropout covariates
    (0, 0.0, 38.0, [1.0, 0.0], [0.0, 1.0]),
    (2, 30.43, 38.86, [1.0, 1.0], [1.0, 0.0]),
    (5, 10.0, 40.0, [0.5, -1.2], [2.0, 0.3]),
    (1, 1.0, 2.0, [0.0, 0.0], [0.0, 0.0]),
    (12, 70.5, 104.0, [0.0, 1.0], [1.0, 1.0]),
]
GAMMA = [0.3, -0.2]
DELTA = [0.5, 0.1]


def dot(b, v):
    return sum(mp.mpf(bi) * mp.mpf(vi) for bi, vi in zip(b, v))


def gamma_pdf(v, shape, rate):
    return rate ** shape * v ** (shape - 1) * mp.exp(-rate * v) / mp.gamma(shape)


def beta_pdf(p, a, b):
    return p ** (a - 1) * (1 - p) ** (b - 1) / mp.beta(a, b)


def gamma_moment(x, y, shape, rate):
    """E[v^x e^(-v y)] for v ~ Gamma(shape, rate), by quadrature over the density, in
    u = v^shape (v^(shape-1) dv = du / shape), which removes the density's singularity at 0."""
    def f(u):
        v = u ** (1 / shape)
        return v ** x * mp.exp(-(rate + y) * v)
    scale = (1 / (rate + y)) ** shape
    return rate ** shape / (shape * mp.gamma(shape)) * mp.quad(
        f, [0, scale / 100, scale, 100 * scale, mp.inf])


def beta_moment(f, a, b):
    """E[f(p)] for p ~ Beta(a, b), by quadrature over the density, in u = p^a on (0, 1/2]
    and u = (1-p)^b on [1/2, 1), which removes its singularities at 0 and 1."""
    half = mp.mpf(1) / 2
    low = mp.quad(lambda u: f(u ** (1 / a)) * (1 - u ** (1 / a)) ** (b - 1) / a, [0, half ** a])
    high = mp.quad(lambda u: f(1 - u ** (1 / b)) * (1 - u ** (1 / b)) ** (a - 1) / b, [0, half ** b])
    return (low + high) / mp.beta(a, b)


def pnbd(x, tx, T, xp, xd, r=0.553, alpha=10.578, s=0.606, beta=11.669):
    """The likelihood over the lifetime tau ~ Exp(mu): alive at T, or dying at tau in
    (t_x, T]; lambda and mu independent, so each expectation is a quadrature of its own."""
    ai = alpha * mp.exp(-dot(GAMMA, xp))
    bi = beta * mp.exp(-dot(DELTA, xd))
    tx, T = mp.mpf(tx), mp.mpf(T)
    alive = gamma_moment(x, T, r, ai) * gamma_moment(0, T, s, bi)
    died = mp.quad(lambda tau: gamma_moment(x, tau, r, ai) * gamma_moment(1, tau, s, bi),
                   [tx, T]) if tx < T else 0
    return mp.log(alive + died)


def bg(x, tx, T, xp, xd, modified, r=0.243, alpha=4.414, a=0.793, b=2.426):
    """The likelihood: alive at T, or dropped out right after the last purchase (for
    MBG/NBD also right after the first); lambda and p independent."""
    ai = alpha * mp.exp(-dot(GAMMA, xp))
    fa = mp.exp(dot(DELTA, xd))
    ab, bb = a * fa, b * fa
    tx, T = mp.mpf(tx), mp.mpf(T)
    m = 1 if modified else 0
    ll = gamma_moment(x, T, r, ai) * beta_moment(lambda p: (1 - p) ** (x + m), ab, bb)
    if x + m > 0:
        ll += gamma_moment(x, tx, r, ai) * beta_moment(lambda p: p * (1 - p) ** (x + m - 1), ab, bb)
    return mp.log(ll)


if __name__ == '__main__':
    for i, (x, tx, T, xp, xd) in enumerate(CASES, 1):
        print('paretonbd', i, mp.nstr(pnbd(x, tx, T, xp, xd), 15))
    for i, (x, tx, T, xp, xd) in enumerate(CASES, 1):
        print('bgnbd', i, mp.nstr(bg(x, tx, T, xp, xd, False), 15))
    for i, (x, tx, T, xp, xd) in enumerate(CASES, 1):
        print('mbgnbd', i, mp.nstr(bg(x, tx, T, xp, xd, True), 15))

#!/usr/bin/env python3
"""Reference log-likelihoods of GGompertz/NBD customers with static covariates for
sql/ggomnbd_covariates.sql.

Independent of engage's C code and of the closed forms of the mixing (which
test/reference/ggomnbd.py uses): each customer's individual-level likelihood is integrated
numerically (mpmath.quad, 20 digits) over the gamma mixing distributions of the purchase rate
lambda ~ Gamma(r, alpha_i) and of the Gompertz scale eta ~ Gamma(s, beta_i), with the
customer's parameters scaled by the covariates as in CLVTools' ggomnbd:

  alpha_i = alpha exp(-gamma'x_i),  beta_i = beta exp(-delta'z_i);
  L(lambda, eta) = lambda^x e^(-lambda T) e^(-eta c(T))
                   + int_{t_x}^T lambda^x e^(-lambda tau) eta b e^(b tau) e^(-eta c(tau)) dtau,
  c(tau) = e^(b tau) - 1  (alive at T, or dead at tau in (t_x, T]; Bemmaor & Glady 2012).

lambda and eta are independent, so each expectation is a product of one-dimensional
quadratures over the densities (gamma_moment of test/reference/btyd_covariates.py), and the
time of death a quadrature over them.

Run: python3 test/reference/ggomnbd_covariates.py   (prints one line per case: model, case
number, log-likelihood with 15 significant digits)
"""
import os
import sys

import mpmath as mp

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from btyd_covariates import CASES, DELTA, GAMMA, dot, gamma_moment  # noqa: E402

mp.mp.dps = 20

MODELS = [
    (0.55, 10.6, 0.1, 0.6, 2.0),      # beta > 1
    (0.243, 4.41, 0.02, 1.5, 0.8),    # beta < 1
]


def ggomnbd(model, x, tx, T, xp, xd):
    r, alpha, b, s, beta = (mp.mpf(v) for v in model)
    ai = alpha * mp.exp(-dot(GAMMA, xp))
    bi = beta * mp.exp(-dot(DELTA, xd))
    tx, T = mp.mpf(tx), mp.mpf(T)
    alive = gamma_moment(x, T, r, ai) * gamma_moment(0, mp.expm1(b * T), s, bi)
    died = 0
    if tx < T:
        died = mp.quad(lambda tau: gamma_moment(x, tau, r, ai) * b * mp.exp(b * tau) *
                       gamma_moment(1, mp.expm1(b * tau), s, bi),
                       mp.linspace(tx, T, 5))
    return mp.log(alive + died)


if __name__ == '__main__':
    for m, model in enumerate(MODELS, 1):
        for i, (x, tx, T, xp, xd) in enumerate(CASES, 1):
            print(m, i, mp.nstr(ggomnbd(model, x, tx, T, xp, xd), 15))

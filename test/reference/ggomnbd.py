#!/usr/bin/env python3
"""Reference values of the GGompertz/NBD scores for sql/ggomnbd.sql.

Computed independently of engage's evaluation (offsets, log1p/expm1 forms, panels): the
purchase rate lambda ~ Gamma(r, alpha) and the Gompertz scale eta ~ Gamma(s, beta) are
integrated out analytically inside integrals over the time of death, and those time
integrals are done numerically with mpmath.quad on 70 panels (graded towards the start of
the interval) at 30 digits.  With c(tau) = e^(b tau) - 1:

  A(tau)         = E[lambda^x e^(-lambda tau)]   = Gamma(r+x)/Gamma(r) alpha^r / (alpha+tau)^(r+x)
  S(tau)         = E[e^(-eta c(tau))]            = (beta / (beta + c(tau)))^s
  E[eta e^(-eta c)]                              = s beta^s / (beta + c)^(s+1)
  lifetime density given eta: eta b e^(b tau) e^(-eta c(tau))

  L          = A(T) S(T) + int_{t_x}^T A(tau) b e^(b tau) E[eta e^(-eta c(tau))] dtau
  P(alive)   = A(T) S(T) / L
  E[X(t) | x, t_x, T] = int_0^t E[lambda 1{alive at T+u} | data] du
                      = (r+x)/(alpha+T) A(T) int_0^t S(T+u) du / L
  E[X(t)]    = r / alpha int_0^t S(u) du

Run: python3 test/reference/ggomnbd.py   (prints the VALUES rows of the test)
"""
from mpmath import mp, mpf, quad, loggamma, exp, log, expm1

mp.dps = 30

MODELS = [
    (0.55, 10.6, 0.1, 0.6, 2.0),        # beta > 1: a hump in the lifetime density
    (0.243, 4.41, 0.02, 1.5, 0.8),      # beta < 1
    (2.0, 3.0, 1.5, 0.3, 50.0),         # a steep Gompertz, late deaths
    (0.55, 10.58, 1e-4, 0.6, 1.2e-3),   # near the Pareto/NBD limit (beta / b = 12)
    (1.0, 0.5, 0.5, 5.0, 0.01),         # early deaths
]
SUMMARIES = [
    (0, 0, 38.86), (2, 30.43, 38.86), (1, 1.71, 38.86), (7, 38.86, 38.86),
    (20, 10, 38.86), (3, 5, 200), (50, 1, 100),
]
T_WINDOW = 39


def panels(a, b):
    """Panel ends on [a, b]: 40 equal panels, the first split geometrically towards a
    (ends at a + span 2^-k / 40, k = 30 .. 1)."""
    span = mpf(b) - a
    if span <= 0:
        return [mpf(a), mpf(b)]
    first = [a + span / 40 * mpf(2) ** -k for k in range(30, 0, -1)]
    return [mpf(a)] + first + [a + span * k / 40 for k in range(1, 41)]


def surv(p, tau):
    r, alpha, b, s, beta = p
    return (beta / (beta + expm1(b * tau))) ** s


def a_term(p, x, tau):
    r, alpha, b, s, beta = p
    return exp(loggamma(r + x) - loggamma(r) + r * log(alpha) - (r + x) * log(alpha + tau))


def likelihood(p, x, tx, T):
    r, alpha, b, s, beta = p
    alive = a_term(p, x, T) * surv(p, T)
    dead = mpf(0)
    if T > tx:
        dead = quad(lambda tau: a_term(p, x, tau) * b * exp(b * tau) * s * beta ** s
                    / (beta + expm1(b * tau)) ** (s + 1), panels(tx, T))
    return alive, alive + dead


def cases():
    for p in MODELS:
        p = tuple(mpf(v) for v in p)
        r, alpha, b, s, beta = p
        for (x, tx, T) in SUMMARIES:
            alive, L = likelihood(p, x, tx, T)
            time_alive = quad(lambda u: surv(p, T + u), panels(0, T_WINDOW))
            cond = (r + x) / (alpha + T) * a_term(p, x, T) * time_alive / L
            yield p, x, tx, T, log(L), alive / L, cond
        for t in (39, 200):
            yield p, None, None, t, None, None, r / alpha * quad(lambda u: surv(p, u), panels(0, t))


def main():
    rows = []
    for p, x, tx, T, ll, pa, e in cases():
        ps = ", ".join(repr(float(v)) for v in p)
        if x is None:
            rows.append("    (%s, NULL, NULL, %s, NULL, NULL, %s)" % (ps, T, mp.nstr(e, 17)))
        else:
            rows.append("    (%s, %s, %s, %s, %s, %s, %s)" % (
                ps, x, tx, T, mp.nstr(ll, 17), mp.nstr(pa, 17), mp.nstr(e, 17)))
    print(",\n".join(rows) + ";")


if __name__ == "__main__":
    main()

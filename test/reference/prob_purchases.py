#!/usr/bin/env python3
"""Reference values of P(X(T, T+t) = n | x, t_x, T) for sql/prob_purchases.sql.

Computed independently of engage's closed forms: the purchase rate lambda and (Pareto/NBD)
the dropout rate mu are integrated out analytically inside integrals over event times,
and those time integrals are done numerically (mpmath.quad on 200 panels, 30 digits):

  E[lambda^k e^(-lambda c)] = Gamma(r+k)/Gamma(r) alpha^r / (alpha+c)^(r+k)   (lambda ~ Gamma(r, alpha))
  E[mu e^(-mu c)]           = s beta^s / (beta+c)^(s+1)                         (mu ~ Gamma(s, beta))
  P(Poisson(lambda t) >= n) = int_0^t lambda^n tau^(n-1) e^(-lambda tau) / (n-1)! dtau
                              (the time of the n-th purchase)

BG/NBD (m = 0), MBG/NBD (m = 1): with p ~ Beta(a, b), E[(1-p)^i p^j] = B(a+j, b+i)/B(a, b)
(the common 1/B(a, b) cancels in P(n));
the customer survived x+m dropout chances if alive at T; after each future purchase drops
out with probability p.
  joint(n) = B(a, b+x+m+n) E[lambda^(x+n) e^(-lambda(T+t))] t^n/n!
           + [n>0] B(a+1, b+x+m+n-1) int_0^t E[lambda^(x+n) e^(-lambda(T+tau))] tau^(n-1)/(n-1)! dtau
           + [n=0][x+m>0] B(a+1, b+x+m-1) E[lambda^x e^(-lambda t_x)]
  P(n) = joint(n) / sum over n of joint (the likelihood of the summary).
Pareto/NBD: lifetime ~ Exp(mu); dead customers died at some tau in (t_x, T].
  joint(n) = E[lambda^(x+n) e^(-lambda(T+t))] t^n/n! E[e^(-mu(T+t))]
           + int_0^t E[lambda^(x+n) e^(-lambda(T+tau))] tau^n/n! E[mu e^(-mu(T+tau))] dtau
           + [n=0] int_{t_x}^T E[lambda^x e^(-lambda tau)] E[mu e^(-mu tau)] dtau
  likelihood = E[lambda^x e^(-lambda T)] E[e^(-mu T)] + int_{t_x}^T E[lambda^x e^(-lambda tau)] E[mu e^(-mu tau)] dtau

Run: python3 test/reference/prob_purchases.py   (prints the VALUES rows of the test)
"""
from mpmath import mp, mpf, quad, linspace, loggamma, exp, log, beta as B, factorial

mp.dps = 30


def integrate(f, a, b):
    """int_a^b f, on 200 panels (the integrands peak sharply for large x and n)."""
    return quad(f, linspace(a, b, 201))


def lam_coef(r, alpha, k):
    """Gamma(r+k)/Gamma(r) alpha^r: E[lambda^k e^(-lambda c)] = lam_coef / (alpha+c)^(r+k)."""
    return exp(loggamma(r + k) - loggamma(r) + r * log(alpha))


def e_lam(r, alpha, k, c):
    """E[lambda^k e^(-lambda c)], lambda ~ Gamma(r, alpha)."""
    return lam_coef(r, alpha, k) / (alpha + c) ** (r + k)


def e_exp_mu(s, beta, c):
    """E[e^(-mu c)], mu ~ Gamma(s, beta)."""
    return (beta / (beta + c)) ** s


def bg_joint(m, r, alpha, a, b, x, tx, T, t, n):
    j = B(a, b + x + m + n) * e_lam(r, alpha, x + n, T + t) * mpf(t) ** n / factorial(n)
    if n > 0:
        # P(the n-th purchase is before t): the integral over its time tau
        c = lam_coef(r, alpha, x + n) / factorial(n - 1)
        j += B(a + 1, b + x + m + n - 1) * integrate(
            lambda tau: c * tau ** (n - 1) / (alpha + T + tau) ** (r + x + n), 0, t)
    if n == 0 and x + m > 0:
        j += B(a + 1, b + x + m - 1) * e_lam(r, alpha, x, tx)
    return j


def bg_lik(m, r, alpha, a, b, x, tx, T):
    lik = B(a, b + x + m) * e_lam(r, alpha, x, T)
    if x + m > 0:
        lik += B(a + 1, b + x + m - 1) * e_lam(r, alpha, x, tx)
    return lik


def pnbd_dead(r, alpha, s, beta, x, tx, T):
    """The customer died at tau in (t_x, T]: E[lambda^x e^(-lambda tau)] E[mu e^(-mu tau)]."""
    if tx >= T:
        return mpf(0)
    c = lam_coef(r, alpha, x) * s * beta ** s
    return integrate(lambda tau: c / ((alpha + tau) ** (r + x) * (beta + tau) ** (s + 1)), tx, T)


def pnbd_joint(r, alpha, s, beta, x, tx, T, t, n):
    j = e_lam(r, alpha, x + n, T + t) * mpf(t) ** n / factorial(n) * e_exp_mu(s, beta, T + t)
    if t > 0:
        # died at T + tau, tau in (0, t], after n purchases in (T, T + tau]
        c = lam_coef(r, alpha, x + n) / factorial(n) * s * beta ** s
        j += integrate(lambda tau: c * tau ** n / ((alpha + T + tau) ** (r + x + n)
                                                  * (beta + T + tau) ** (s + 1)), 0, t)
    if n == 0:
        j += pnbd_dead(r, alpha, s, beta, x, tx, T)
    return j


def pnbd_lik(r, alpha, s, beta, x, tx, T):
    return e_lam(r, alpha, x, T) * e_exp_mu(s, beta, T) + pnbd_dead(r, alpha, s, beta, x, tx, T)


MODELS = {
    # CDNOW fits (weeks): FHL 2005, lifetimes' MBG/NBD, Fader & Hardie's Pareto/NBD
    'bgnbd': (mpf('0.243'), mpf('4.414'), mpf('0.793'), mpf('2.426')),
    'mbgnbd': (mpf('0.525'), mpf('6.183'), mpf('0.891'), mpf('1.614')),
    'paretonbd': (mpf('0.553'), mpf('10.578'), mpf('0.606'), mpf('11.669')),
}

# (x, t_x, T, t, n): CDNOW customers, a new customer, recency = age, large frequencies,
# a short and a very long window, n far in the tail
POINTS = [
    (0, 0, 38.86, 39, 0), (0, 0, 38.86, 39, 1), (0, 0, 38.86, 39, 3),
    (2, 30.43, 38.86, 39, 0), (2, 30.43, 38.86, 39, 1), (2, 30.43, 38.86, 39, 5),
    (1, 1.71, 38.86, 39, 0), (1, 1.71, 38.86, 39, 2),
    (26, 30.86, 31, 52, 0), (26, 30.86, 31, 52, 10), (26, 30.86, 31, 52, 26), (26, 30.86, 31, 52, 60),
    (7, 38.86, 38.86, 0.5, 0), (7, 38.86, 38.86, 0.5, 1),
    (0, 0, 0, 10, 0), (0, 0, 0, 10, 2),
    (300, 195, 200, 1000, 0), (300, 195, 200, 1000, 200), (300, 195, 200, 1000, 1500),
    (3, 5, 200, 10000, 0), (3, 5, 200, 10000, 4),
]


def reference(model, x, tx, T, t, n):
    p1, p2, p3, p4 = MODELS[model]
    x, tx, T, t = mpf(x), mpf(str(tx)), mpf(str(T)), mpf(str(t))
    if model == 'paretonbd':
        return pnbd_joint(p1, p2, p3, p4, x, tx, T, t, n) / pnbd_lik(p1, p2, p3, p4, x, tx, T)
    m = 1 if model == 'mbgnbd' else 0
    return bg_joint(m, p1, p2, p3, p4, x, tx, T, t, n) / bg_lik(m, p1, p2, p3, p4, x, tx, T)


if __name__ == '__main__':
    rows = [(model,) + point for model in MODELS for point in POINTS]
    for i, (model, x, tx, T, t, n) in enumerate(rows):
        v = reference(model, x, tx, T, t, n)
        print("    ('%s', %d, %s, %s, %s, %d, %s)%s" % (model, x, tx, T, t, n,
              mp.nstr(v, 17, min_fixed=-1, max_fixed=-1), ';' if i == len(rows) - 1 else ','),
              flush=True)

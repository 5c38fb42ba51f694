/*-------------------------------------------------------------------------
 *
 * special.h
 *	  Special functions shared by the models: log-beta, digamma, stable
 *	  log-sum-exp / log-diff-exp, and the Gauss hypergeometric function
 *	  2F1(a, b; c; z) for real arguments and z < 1.
 *
 * Everything here is pure arithmetic (no palloc, no ereport), so it can be
 * used from the hot paths of scoring functions and likelihoods.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SPECIAL_H
#define SPECIAL_H

#include <math.h>
#include <stdbool.h>

/* ln B(a, b) = lgamma(a) + lgamma(b) - lgamma(a + b), for a, b > 0. */
extern double log_beta(double a, double b);

/*
 * ln Gamma(y + e) - ln Gamma(y) for y > 0 and y + e > 0, accurate relative
 * to e for small e and large y (where the plain difference cancels).
 */
extern double log_gamma_ratio(double y, double e);

/*
 * The same less e ln y (Stirling's series past its leading term, shifted by
 * the recurrence): finite wherever the result is, even when y + e or
 * e ln y overflow, so that callers can add e ln(y / s) formed accurately.
 */
extern double log_gamma_ratio_excess(double y, double e);

/*
 * ln B(a, b + h) - ln B(a, b) for a, b > 0, h >= 0: the log of
 * Gamma(b+h) Gamma(a+b) / (Gamma(b) Gamma(a+b+h)), without forming a + b
 * or the large ln Gamma that cancel (accurate to a few eps absolute for
 * results of moderate size, e.g. a = b = 1e308 or b = 1e12, h = 1); NaN
 * outside the domain.
 */
extern double log_beta_ratio(double a, double b, double h);

/* ln B(a + i, b + j) - ln B(a, b) for a, b > 0, i, j >= 0, as log_beta_ratio. */
extern double log_beta_shifted(double a, double b, double i, double j);

/* ln(a / b) for a, b > 0, also when a / b overflows or underflows. */
extern double log_quotient(double a, double b);

/* ln(1 + t / a) = ln((a + t) / a) for a > 0, t >= 0, also when t / a overflows. */
extern double log1p_quotient(double t, double a);

/* ln((a + t1) / (a + t0)) for a > 0, t1 >= t0 >= 0, also when the sums overflow. */
extern double log_ratio_of_sums(double a, double t1, double t0);

/* t / (a + b + t) for a > 0, b, t >= 0, also when the sum overflows. */
extern double fraction_of_sum(double t, double a, double b);

/* The digamma function psi(x) = d/dx ln Gamma(x), for x > 0. */
extern double digamma(double x);

/* The trigamma function psi'(x), for x > 0. */
extern double trigamma(double x);

/* ln(e^a + e^b) without overflow; -INFINITY inputs are allowed. */
extern double log_sum_exp(double a, double b);

/* ln(e^a - e^b) for a >= b without cancellation; -INFINITY when a == b. */
extern double log_diff_exp(double a, double b);

/* (1 - u^e) / e for u > 0, with its limit -ln(u) at e = 0 (no cancellation). */
extern double one_minus_pow_over(double u, double e);

/* The same from lu = ln(u): (1 - e^(e lu)) / e, -lu at e = 0. */
extern double one_minus_exp_over(double lu, double e);

/* ln of one_minus_exp_over(lu, e) for lu < 0, also where it overflows. */
extern double log_one_minus_exp_over(double lu, double e);

/* ln(a + b) for a, b >= 0, also when the sum overflows. */
extern double log_of_sum(double a, double b);

/*
 * Gauss hypergeometric function 2F1(a, b; c; z) for real a, b, c and real
 * z < 1 (c not a non-positive integer).  Uses the power series for
 * |z| <= 0.6 (or when it converges fast), the Pfaff transformation for
 * z < 0 and the 1 - z transformation (Abramowitz & Stegun 15.3.6, with
 * cubic interpolation in c when c - a - b is near an integer, and the
 * series again when its terms cancel) for z near 1; for a = 1 the
 * transformation's second series has a closed form.
 * *ok is set to false when a series did not converge or the result is not
 * finite; the return value is then meaningless.
 */
extern double hyp2f1(double a, double b, double c, double z, bool *ok);

/*
 * 2F1(1, b; c; 1 - w) given w rather than z = 1 - w, for w small and known
 * exactly (a rounded z would lose digits of w); as hyp2f1 otherwise.
 */
extern double hyp2f1_a1_given_w(double b, double c, double w, bool *ok);

/*
 * 2F1(a, b; c; z) - 1 by the power series without its leading 1, accurate
 * relative to itself when it is small (small z); for 0 <= z well below the
 * series' radius (callers use it for z < 0.01).  *ok false when the series
 * did not converge.
 */
extern double hyp2f1_minus_one(double a, double b, double c, double z, bool *ok);

/* The largest n of hyp2f1_many (its work arrays are on the stack). */
#define HYP2F1_MANY_MAX 64

/*
 * hyp2f1 at n <= HYP2F1_MANY_MAX arguments z[i] with the same a, b, c, into
 * out[i], each value the same as hyp2f1's, bit for bit; the power series of
 * all z are summed together (one coefficient ratio per term for all of
 * them), and the arguments past z = 0.6 share the gamma functions of the
 * 1 - z transformation and sum its two series together.  *ok as for hyp2f1,
 * false when any of them failed.
 */
extern void hyp2f1_many(double a, double b, double c, const double *z, int n,
						double *out, bool *ok);

/*
 * The regularized incomplete beta function I_x(a, b) for a, b > 0 and
 * 0 <= x <= 1, given x and y = 1 - x each as exactly as the caller has them
 * (e.g. t / (alpha + t) and alpha / (alpha + t)): the continued fraction on
 * the side of the mean where it converges, in O(sqrt(max(a, b))) steps.
 * Accurate relative to the result below the mean, absolutely above it.
 * *ok false when the fraction did not converge; the value is then
 * meaningless.
 */
extern double beta_inc_regularized(double a, double b, double x, double y, bool *ok);

/* The number of nodes of gauss_legendre's rule. */
#define GAUSS_LEGENDRE_N 12

/*
 * The nodes (ascending) and weights of the GAUSS_LEGENDRE_N-point
 * Gauss-Legendre rule on [-1, 1], exact for polynomials of degree < 24.
 */
extern void gauss_legendre(const double **nodes, const double **weights);

/* A concave h(v) with its first two derivatives, for log_concave_integral. */
typedef double (*LogConcaveFn) (const void *arg, double v, double *d1, double *d2);

/*
 * ln int_vmin^vmax e^h(v) dv for a concave h: Gauss-Legendre panels out
 * from the mode on either side, each narrow enough that h falls by about 2
 * at most (2/|h'|) and bends little (2/sqrt|h''|), and at most 2 wide (for
 * integrands such as ln(c + e^v), whose singularities lie pi off the real
 * axis); a side ends at its end of the range or once the rest, which
 * concavity bounds by e^h(v)/|h'(v)|, no longer counts.  NaN when either
 * side needs more than 100000 panels.
 */
extern double log_concave_integral(LogConcaveFn h, const void *arg, double vmin, double vmax);

#endif							/* SPECIAL_H */

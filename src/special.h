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

/* The digamma function psi(x) = d/dx ln Gamma(x), for x > 0. */
extern double digamma(double x);

/* ln(e^a + e^b) without overflow; -INFINITY inputs are allowed. */
extern double log_sum_exp(double a, double b);

/* ln(e^a - e^b) for a >= b without cancellation; -INFINITY when a == b. */
extern double log_diff_exp(double a, double b);

/* (1 - u^e) / e for u > 0, with its limit -ln(u) at e = 0 (no cancellation). */
extern double one_minus_pow_over(double u, double e);

/*
 * The same from lu = ln(u): (1 - e^(e lu)) / e, -lu at e = 0; for callers
 * that have ln(u) more exactly than u itself (e.g. as -log1p(t / b)).
 */
extern double one_minus_exp_over(double lu, double e);

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

#endif							/* SPECIAL_H */

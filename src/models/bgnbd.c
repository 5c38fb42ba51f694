/*-------------------------------------------------------------------------
 *
 * bgnbd.c
 *	  BG/NBD (Fader, Hardie & Lee 2005, "Counting your customers the easy
 *	  way: an alternative to the Pareto/NBD model", Marketing Science 24(2))
 *	  and its modification MBG/NBD (Batislam, Denizel & Filiztekin 2007,
 *	  "Empirical validation and comparison of models for customer base
 *	  analysis", IJRM 24(3)): likelihood, P(alive), expectations, P(X(t) = n),
 *	  fitting and simulation; static covariates as Fader & Hardie (2007),
 *	  alpha_i = alpha exp(-gamma'x_i), a_i = a exp(delta'z_i),
 *	  b_i = b exp(delta'z_i) (the mean dropout probability a/(a+b) stays;
 *	  the covariates move the concentration a_i + b_i).
 *
 * Purchases follow a Poisson process of rate lambda ~ Gamma(r, alpha) while
 * the customer is alive; after each repeat purchase (BG/NBD), or after each
 * purchase including the first (MBG/NBD), the customer drops out with
 * probability p ~ Beta(a, b).  Both share one set of formulas with
 * m = 0 (BG/NBD) or m = 1 (MBG/NBD), x = frequency, t_x = recency, T = age:
 *
 *	 L = Gamma(r+x) alpha^r / Gamma(r) * B(a, b+x+m) / B(a, b) / (alpha+T)^(r+x)
 *		 * [1 + d a / (b+x+m-1) ((alpha+T) / (alpha+t_x))^(r+x)]
 *	 (FHL eq. 6; d = 1 if x + m > 0, else 0)
 *	 P(alive) = 1 / [1 + d a / (b+x+m-1) ((alpha+T) / (alpha+t_x))^(r+x)]
 *	 E[X(t) | x, t_x, T] = (a+b+x+m-1) / (a-1)
 *		 * [1 - ((alpha+T) / (alpha+T+t))^(r+x) 2F1(r+x, b+x+m; a+b+x+m-1; z)]
 *		 * P(alive),  z = t / (alpha+T+t)	 (FHL eq. 10)
 *	 E[X(t)] = K / (a-1) [1 - (alpha/(alpha+t))^r 2F1(r, b+m; a+b+m-1; t/(alpha+t))]
 *		 with K = a+b-1 (BG/NBD, FHL eq. 7) or b (MBG/NBD)
 *	 P(X(t) = x) = B(a, b+x+m)/B(a, b) NB(x; r, alpha, t)
 *		 + d B(a+1, b+x+m-1)/B(a, b) P(NB(r, alpha, t) >= x)	 (FHL eq. 8)
 *
 * The 2F1 terms are evaluated after Euler's transformation
 * (1-z)^(r') 2F1(r', b'; c; z) = (1-z)^(a-1) 2F1(c-r', a-1; c; z), whose
 * series converges fast even for large x; a = 1 is a removable singularity
 * handled by interpolation.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <float.h>

#include "miscadmin.h"

#include "btyd.h"
#include "engage.h"
#include "special.h"

PG_FUNCTION_INFO_V1(bgnbd_fit_final);
PG_FUNCTION_INFO_V1(mbgnbd_fit_final);
PG_FUNCTION_INFO_V1(bgnbd_fit_fitdata);
PG_FUNCTION_INFO_V1(bgnbd_bootstrap);
PG_FUNCTION_INFO_V1(mbgnbd_bootstrap);
PG_FUNCTION_INFO_V1(mbgnbd_fit_fitdata);
PG_FUNCTION_INFO_V1(bgnbd_p_alive_sql);
PG_FUNCTION_INFO_V1(mbgnbd_p_alive_sql);
PG_FUNCTION_INFO_V1(bgnbd_churn_sql);
PG_FUNCTION_INFO_V1(mbgnbd_churn_sql);
PG_FUNCTION_INFO_V1(bgnbd_expected_sql);
PG_FUNCTION_INFO_V1(mbgnbd_expected_sql);
PG_FUNCTION_INFO_V1(bgnbd_expected_new_sql);
PG_FUNCTION_INFO_V1(mbgnbd_expected_new_sql);
PG_FUNCTION_INFO_V1(bgnbd_prob_sql);
PG_FUNCTION_INFO_V1(mbgnbd_prob_sql);
PG_FUNCTION_INFO_V1(bgnbd_loglik_sql);
PG_FUNCTION_INFO_V1(mbgnbd_loglik_sql);
PG_FUNCTION_INFO_V1(bgnbd_simulate);
PG_FUNCTION_INFO_V1(mbgnbd_simulate);

static const char *const bg_names[] = {"r", "alpha", "a", "b"};

/* Fader & Hardie 2007: alpha_i = alpha exp(-gamma'x_i), a_i, b_i = a, b exp(delta'z_i). */
const BtydCovariateMap bgnbd_covariate_map = {1, -1.0, {2, 3}, 1.0, bg_names};

#define A_NEAR_ONE 1e-4			/* |a - 1| below this is interpolated */
#define BRACKET_SMALL_Z 0.01	/* below this, ln 2F1 is taken as ln(1 + (2F1 - 1)) */

/* ln(a / (b+x+m-1)), halves in the sum (it overflows at b, x near 1e308). */
static inline double
bg_log_dropout_weight(const double *p, int m, double x)
{
	return log_quotient(0.5 * p[2], 0.5 * p[3] + 0.5 * (x + m - 1));
}

/*
 * ln of the second likelihood term relative to the first:
 * ln(a / (b+x+m-1)) + (r+x) ln((alpha+T) / (alpha+t_x)); -Inf when d = 0.
 */
static inline double
bg_log_ratio(const double *p, int m, double x, double tx, double T)
{
	double		l;

	if (x + m == 0)
		return -INFINITY;
	l = log_ratio_of_sums(p[1], T, tx);
	/* r + x may overflow where (r + x) l does not; l = 0 at t_x = T */
	return bg_log_dropout_weight(p, m, x) + (l == 0.0 ? 0.0 : p[0] * l + x * l);
}

/* 1 / (1 + e^lr) without overflow. */
static inline double
inv_one_plus_exp(double lr)
{
	double		e;

	if (lr > 0)
	{
		e = exp(-lr);
		return e / (1.0 + e);
	}
	return 1.0 / (1.0 + exp(lr));
}

/* Relative error above which the bracket is refused rather than returned. */
#define BRACKET_MAX_RELERR 1e-10

/*
 * Errors 22003 where the bracket -expm1(lead + ln 2F1) cancels beyond
 * BRACKET_MAX_RELERR: lead and ln 2F1 round by a few ulps of their size
 * (ln 2F1 by a few ulps of 1 where 2F1 is near 1), and -expm1 turns
 * an absolute error d of its argument into d (1 + e) / |e| of its value;
 * and z near 1 rounds as t moved by ulp(t) / (1-z), which moves E by
 * that much times d ln E / d ln t (at most 1, and (1-z)^(a-1) for a > 1,
 * where E converges as t grows).
 * That is where r' = r + x is tiny (the bracket is of its size while both
 * terms are of order 1), and where t dwarfs alpha + T.
 */
static void
bg_ensure_bracket_accurate(double lead, double log_f, double z, double e, double a,
						   double cma, double rp)
{
	double		d = 4.0 * DBL_EPSILON * (fabs(lead) + fabs(log_f) + 1.0);
	double		zerr;

	if (1.0 + e == 0.0)
		return;					/* (1-z)^(a-1) 2F1 vanishes: the bracket is 1/(a-1) */
	/* z's own rounding: t off by ulp(t) / (1-z), against d ln E / d ln t */
	zerr = DBL_EPSILON * z / (1.0 - z) * (a > 1.0 ? pow(1.0 - z, a - 1.0) : 1.0);
	if (!(d * fabs(1.0 + e) + zerr * fabs(e) <= BRACKET_MAX_RELERR * fabs(e)))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("expected purchases cannot be resolved in float8 at these parameters"),
				 errdetail("The closed form of FHL eq. 10 cancels to below 1e-10 at r + frequency = %g, a = %g, b + frequency = %g and t / (alpha + age + t) = %.17g.",
						   rp, a, cma + 1.0, z)));
}

/*
 * [1 - (1-z)^(a-1) 2F1(c - rp, a-1; c; z)] / (a - 1) with c = a + cma, at
 * n <= HYP2F1_MANY_MAX values z[i] (0 at z = 0): the bracket of the
 * expectations after Euler's transformation.  The series of all z are summed
 * together (they share their coefficients).  With check, errors where the
 * result cancels (not for the nodes of the interpolation across a = 1,
 * whose 1/(a-1) magnifies the rounding by design and whose cubic the
 * tests hold to the neighbouring values).
 */
static void
bg_brackets_at(double a, double cma, double rp, const double *z, int n, double *out,
			   bool check)
{
	bool		ok;
	double		c = a + cma;
	double		f[HYP2F1_MANY_MAX];

	hyp2f1_many(c - rp, a - 1.0, c, z, n, f, &ok);
	if (!ok)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("hypergeometric series did not converge"),
				 errdetail("2F1(%g, %g; %g; %g)", c - rp, a - 1.0, c, z[n - 1])));
	for (int i = 0; i < n; i++)
	{
		/* ln 2F1; for small z from 2F1 - 1 summed alone (f rounds to 1 there) */
		double		log_f = log(f[i]);
		double		lead;
		double		e;

		if (z[i] == 0.0)
		{
			out[i] = 0.0;
			continue;
		}
		if (z[i] < BRACKET_SMALL_Z)
			log_f = log1p(hyp2f1_minus_one(c - rp, a - 1.0, c, z[i], &ok));
		lead = (a - 1.0) * log1p(-z[i]);
		e = expm1(lead + log_f);
		out[i] = -e / (a - 1.0);
		if (check)
			bg_ensure_bracket_accurate(lead, log_f, z[i], e, a, cma, rp);
	}
}

/*
 * The same, interpolated in a across the removable singularity at a = 1:
 * the cubic through a = 1 -+ h, 1 -+ 2h (Lagrange weights in u = (a-1)/h),
 * whose error O(h^4) is far below rounding, where the line through 1 -+ h
 * was off by O(h^2) = 1e-8.
 */
static void
bg_brackets(double a, double cma, double rp, const double *z, int n, double *out)
{
	double		h = A_NEAR_ONE;
	double		u = (a - 1.0) / h;
	double		w[4] = {-(u + 1) * (u - 1) * (u - 2) / 12.0,
		(u + 2) * (u - 1) * (u - 2) / 6.0,
		-(u + 2) * (u + 1) * (u - 2) / 6.0,
	(u + 2) * (u + 1) * (u - 1) / 12.0};
	const double node[4] = {-2.0, -1.0, 1.0, 2.0};
	double		at[HYP2F1_MANY_MAX];

	if (fabs(a - 1.0) >= h)
	{
		bg_brackets_at(a, cma, rp, z, n, out, true);
		return;
	}
	for (int i = 0; i < n; i++)
		out[i] = 0.0;
	for (int k = 0; k < 4; k++)
	{
		bg_brackets_at(1.0 + node[k] * h, cma, rp, z, n, at, false);
		for (int i = 0; i < n; i++)
			out[i] += w[k] * at[i];
	}
}

/* The bracket at one z. */
static double
bg_bracket(double a, double cma, double rp, double z)
{
	double		out;

	bg_brackets(a, cma, rp, &z, 1, &out);
	return out;
}

/* t / (alpha + T), also when alpha + T overflows. */
static inline double
bg_window_ratio(double t, double alpha, double T)
{
	return (0.5 * t) / (0.5 * alpha + 0.5 * T);
}

/*
 * k t / (alpha + T), the first term of bg_alive_series, also where
 * t / (alpha + T) is subnormal or underflows (t = 1e-300 against 1e15).
 */
static inline double
bg_first_term(double k, double t, double alpha, double T)
{
	double		u = bg_window_ratio(t, alpha, T);
	double		rate;

	if (u >= DBL_MIN || t == 0.0)
		return k * u;
	rate = (0.5 * k) / (0.5 * alpha + 0.5 * T);
	if (rate >= DBL_MIN && isfinite(rate * t))
		return rate * t;
	return exp(log(k) + log(t) - (log(0.5 * alpha + 0.5 * T) + M_LN2));
}

/* b' / u beyond which the expansion in p is exact (see bg_alive_series). */
#define BG_SERIES_BP_OVER_U 1e6

/*
 * E[X(t) | alive at T] by its power series in u = t / (alpha + T), where it
 * converges at once: with k = r + x and p ~ Beta(a, b'), b' = b + x + m,
 * the expectation E_p[(1 - (1 + p u)^-k) / p] of FHL's derivation is
 *	 sum_{n>=1} (-1)^(n+1) (k)_n / n! (a)_(n-1) / (a+b')_(n-1) u^n,
 * taken where every term up to the last that counts is at most half the
 * one before: then the alternating sum keeps at least half of its first
 * term and is free of the cancellation of the closed form when u is small,
 * a + b' large or r' tiny.  The series converges for u <= 1; beyond, it is
 * the expansion of f(p) = (1 - (1 + p u)^-k) / p about p = 0, exact to its
 * smallest term plus the weight of p > 1/(2u), which is below
 * (2u (a+j) / b')^j for every j and so nil where b' exceeds
 * BG_SERIES_BP_OVER_U u max(1, k) max(1, a).  Returns false (and leaves
 * *out) where neither holds or the terms do not halve, or where b + x
 * overflowed and the second term would count.
 */
static bool
bg_alive_series(double k, double t, double alpha, double T, double a, double bp, double *out)
{
	double		u = bg_window_ratio(t, alpha, T);
	double		term;
	double		sum;

	if (!isfinite(bp))
	{
		/*
		 * b' beyond float8: the second term is below (k+1)/2 u max(a, 1) /
		 * DBL_MAX of the first, which is all that counts where that is
		 * below rounding
		 */
		if (!(0.5 * (k + 1.0) * u * Max(a, 1.0) <= 0.25 * DBL_EPSILON * DBL_MAX))
			return false;
		*out = bg_first_term(k, t, alpha, T);
		return true;
	}
	if (!(u <= 1.0 || bp >= BG_SERIES_BP_OVER_U * u * Max(1.0, k) * Max(1.0, a)))
		return false;
	term = bg_first_term(k, t, alpha, T);
	sum = term;
	for (int n = 1; n < 200 && fabs(term) > DBL_EPSILON * 0.25 * fabs(sum); n++)
	{
		/* (a+n-1)/(a+b'+n-1) as 1/(1 + b'/(a+n-1)): a + b' may overflow */
		double		ratio = (k + n) / (n + 1.0) * u / (1.0 + bp / (a + (n - 1)));

		if (!(ratio <= 0.5))
			return false;
		term *= -ratio;
		sum += term;
	}
	*out = sum;
	return true;
}

static double
bg_p_alive(const double *p, int m, double x, double tx, double T)
{
	if (x + m == 0)
		return 1.0;				/* no purchase to have dropped out after */
	/* 1 / (1 + e^lr), e^lr = a / (b+x+m-1) ((alpha+T) / (alpha+t_x))^(r+x) */
	return inv_one_plus_exp(bg_log_ratio(p, m, x, tx, T));
}

double
bgnbd_p_alive(const double *params, double x, double tx, double T)
{
	return bg_p_alive(params, 0, x, tx, T);
}

double
mbgnbd_p_alive(const double *params, double x, double tx, double T)
{
	return bg_p_alive(params, 1, x, tx, T);
}

/* FHL eq. (10) without its P(alive) factor, for m = 0 or 1. */
static double
bg_expected_alive(const double *p, int m, double t, double x, double T)
{
	double		z = fraction_of_sum(t, p[1], T);
	double		cma = p[3] + x + m - 1.0;	/* c - a */
	double		e;

	if (bg_alive_series(p[0] + x, t, p[1], T, p[2], cma + 1.0, &e))
		return e;
	return (p[2] + cma) * bg_bracket(p[2], cma, p[0] + x, z);
}

StaticAssertDecl(BTYD_STEPS_MAX <= HYP2F1_MANY_MAX, "steps are evaluated in one hyp2f1_many call");

/*
 * The same at t = (first + j) step for j < n (see btyd.h): by the series
 * where it applies, the closed form (summed for all those steps at once)
 * at the others.
 */
static void
bg_expected_alive_steps(const double *p, int m, double x, double T, double step,
						int first, int n, double *out)
{
	double		z[HYP2F1_MANY_MAX];
	double		bracket[HYP2F1_MANY_MAX];
	int			where[HYP2F1_MANY_MAX];
	int			nz = 0;
	double		cma = p[3] + x + m - 1.0;

	for (int j = 0; j < n; j++)
	{
		double		t = (first + j) * step;

		if (!bg_alive_series(p[0] + x, t, p[1], T, p[2], cma + 1.0, &out[j]))
		{
			where[nz] = j;
			z[nz++] = fraction_of_sum(t, p[1], T);
		}
	}
	if (nz == 0)
		return;
	bg_brackets(p[2], cma, p[0] + x, z, nz, bracket);
	for (int i = 0; i < nz; i++)
		out[where[i]] = (p[2] + cma) * bracket[i];
}

void
bgnbd_expected_alive_steps(const double *params, double x, double T, double step,
						   int first, int n, double *out)
{
	bg_expected_alive_steps(params, 0, x, T, step, first, n, out);
}

void
mbgnbd_expected_alive_steps(const double *params, double x, double T, double step,
							int first, int n, double *out)
{
	bg_expected_alive_steps(params, 1, x, T, step, first, n, out);
}

/* FHL eq. (7) and its MBG/NBD analogue: E[X(t)] of a new customer. */
static double
bg_expected_new(const double *p, int m, double t)
{
	double		cma = p[3] + m - 1.0;
	double		k = m == 0 ? p[2] + p[3] - 1.0 : p[3];
	double		e;

	/* k / (a + cma) is 1 (BG/NBD) or b / (a + b) (MBG/NBD) */
	if (bg_alive_series(p[0], t, p[1], 0.0, p[2], cma + 1.0, &e))
		return m == 0 ? e : e / (1.0 + p[2] / p[3]);
	return k * bg_bracket(p[2], cma, p[0], fraction_of_sum(t, p[1], 0.0));
}

/* Terms either sum of nb_tail_by_sums may add before it gives up. */
#define NB_SUM_MAX_TERMS 10000000

/*
 * P(N >= n) as a sum of negative binomial terms: 1 - the lower sum when that
 * is small, else the upper tail from n on; for the parameters where the
 * continued fraction of nb_upper_tail fails (a shape r so large that r + n
 * or the fraction's coefficients overflow).  *ok false when either sum
 * would need more than NB_SUM_MAX_TERMS terms, instead of a partial sum.
 */
static double
nb_tail_by_sums(double r, double alpha, double t, int n, bool *ok)
{
	double		q = fraction_of_sum(t, alpha, 0.0);
	double		lterm0 = -r * log1p_quotient(t, alpha);
	double		term = exp(lterm0);
	double		lower = 0.0;
	double		tail = 0.0;

	*ok = n <= NB_SUM_MAX_TERMS;
	if (!*ok)
		return 0.0;
	for (int j = 0; j < n; j++)
	{
		lower += term;
		term *= (r + j) / (j + 1.0) * q;
		if ((j & 0xffff) == 0)
			CHECK_FOR_INTERRUPTS();
	}
	if (lower < 0.5)
		return 1.0 - lower;
	/* term is now the probability of n: sum the tail from there */
	term = exp(lterm0 + log_gamma_ratio(r, n) - lgamma(n + 1.0) - n * log1p_quotient(alpha, t));
	for (int j = n;; j++)
	{
		if (j - n == NB_SUM_MAX_TERMS)
		{
			*ok = false;
			break;
		}
		tail += term;
		term *= (r + j) / (j + 1.0) * q;
		if (term <= tail * 1e-17 && (r + j + 1) * q < j + 2.0)
			break;
		if ((j & 0xffff) == 0)
			CHECK_FOR_INTERRUPTS();
	}
	return tail;
}

/* Counts up to which nb_tail_from_head is tried. */
#define NB_HEAD_MAX_N 64

/*
 * P(N >= n) = P(N >= 1) - sum_{0<j<n} P(N = j), P(N >= 1) = -expm1(-r
 * ln(1 + t/alpha)) exact however small r is, for n <= NB_HEAD_MAX_N and
 * where the difference keeps at least half of P(N >= 1) (one bit lost at
 * most): where the continued fraction of I_q(n, r) is accurate only
 * absolutely (q at or above the mean n/(n+r), as when r is near 0 and P(N
 * >= n) is of r's size).  False where it does not apply.
 */
static bool
nb_tail_from_head(double r, double alpha, double t, int n, double *tail)
{
	double		q = fraction_of_sum(t, alpha, 0.0);
	double		lterm0 = -r * log1p_quotient(t, alpha);
	double		head = -expm1(lterm0);
	double		term = exp(lterm0);
	double		lower = 0.0;

	if (n > NB_HEAD_MAX_N || !(head > 0.0))
		return false;
	for (int j = 1; j < n; j++)
	{
		term *= (r + (j - 1)) / j * q;
		lower += term;
	}
	if (!(head - lower >= 0.5 * head))
		return false;
	*tail = head - lower;
	return true;
}

/*
 * P(N >= n) for N ~ NB(r, alpha, t) (Poisson-gamma count over t): the
 * regularized incomplete beta I_q(n, r), q = t / (alpha + t) (Johnson, Kemp
 * & Kotz, Univariate Discrete Distributions, eq. 5.31), whose continued
 * fraction takes O(sqrt(n + r)) steps whatever n, and stays exact where the
 * probability of 0 underflows; where it fails, nb_tail_by_sums; first
 * nb_tail_from_head where that applies.  Errors
 * 22003 when neither gives the tail.
 */
static double
nb_upper_tail(double r, double alpha, double t, int n)
{
	bool		ok;
	double		tail;

	if (n <= 0)
		return 1.0;
	if (t == 0.0)
		return 0.0;
	if (nb_tail_from_head(r, alpha, t, n, &tail))
		return tail;
	tail = beta_inc_regularized(n, r, fraction_of_sum(t, alpha, 0.0),
								fraction_of_sum(alpha, t, 0.0), &ok);
	if (!ok)
		tail = nb_tail_by_sums(r, alpha, t, n, &ok);
	if (!ok)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("negative binomial tail did not converge"),
				 errdetail("P(N >= %d) for N ~ NB(%g, %g) over %g.", n, r, alpha, t),
				 errhint("Ask for a smaller number of purchases or a shorter window.")));
	return tail;
}

/*
 * ln(Gamma(r+n) / (Gamma(r) n!)), the lgamma of the smaller of r and n + 1
 * apart: the plain lgamma of the larger would lose about its size times
 * eps (4e-6 at n = 2^31).
 */
static double
nb_log_coefficient(double r, int n)
{
	if (n == 0)
		return 0.0;
	if (n + 1.0 > r)
		return log_gamma_ratio(n + 1.0, r - 1.0) - lgamma(r);
	return log_gamma_ratio(r, n) - lgamma(n + 1.0);
}

/* FHL eq. (8) and its MBG/NBD analogue: P(X(t) = n) of a new customer. */
static double
bg_prob(const double *p, int m, int n, double t)
{
	double		r = p[0],
				alpha = p[1],
				a = p[2],
				b = p[3];
	double		nb;
	double		res;

	if (t == 0.0)
		nb = n == 0 ? 1.0 : 0.0;
	else
		nb = exp(nb_log_coefficient(r, n) - r * log1p_quotient(t, alpha) -
				 (n == 0 ? 0.0 : n * log1p_quotient(alpha, t)));
	res = exp(log_beta_ratio(a, b, n + m)) * nb;
	/* B(a+1, b+n+m-1) / B(a, b) = a/(a+b) B(a+1, b+n+m-1) / B(a+1, b) */
	if (n + m > 0)
		res += exp(-log1p_quotient(b, a) + log_beta_ratio(a + 1, b, n + m - 1)) *
			nb_upper_tail(r, alpha, t, n);
	return res;
}

double
bg_prob_new(const double *params, int m, int n, double t)
{
	return bg_prob(params, m, n, t);
}

/* The terms of the BG/NBD likelihood and gradient that depend on x only. */
typedef struct BgFreqTerms
{
	double		x;				/* the frequency they are for (NaN: none yet) */
	double		lgam;			/* ln Gamma(r+x) - ln Gamma(r) - x ln r
								 * + ln B(a, b+x+m) - ln B(a, b) */
	double		psi_rx;			/* psi(r+x) */
	double		psi_abx;		/* psi(a+b+x+m) */
	double		psi_bx;			/* psi(b+x+m) */
} BgFreqTerms;

static void
bg_freq_terms(BgFreqTerms *ft, const double *p, int m, double x, bool grad)
{
	ft->x = x;
	ft->lgam = log_gamma_ratio_excess(p[0], x) + log_beta_ratio(p[2], p[3], x + m);
	if (grad)
	{
		ft->psi_rx = digamma(p[0] + x);
		ft->psi_abx = digamma(p[2] + p[3] + x + m);
		ft->psi_bx = digamma(p[3] + x + m);
	}
}

/*
 * -r ln(1 + y/alpha) + x ln(r / (alpha+y)) = r ln alpha - (r+x) ln(alpha+y)
 * + x ln r, from lq = ln(1 + y/alpha) and ln(r/alpha): the part of a
 * likelihood term that depends on the time y, without the cancellation of
 * its large logarithms.
 */
static inline double
bg_log_term(double r, double log_r_alpha, double x, double lq)
{
	return -r * lq + (x == 0 ? 0.0 : x * (log_r_alpha - lq));
}

/*
 * The digamma terms of the BG/NBD gradient that depend on the parameters
 * only: psi(r), and psi(a+b) and psi(b) of the (customer's) a and b.
 */
typedef struct BgParamTerms
{
	double		a;				/* the a and b they are for (NaN: none yet) */
	double		b;
	double		psi_ab;
	double		psi_b;
} BgParamTerms;

/*
 * One customer's log-likelihood (FHL eq. 6) at the customer's parameters p
 * and, when g is not NULL, its gradient in (r, alpha, a, b); ft holds the
 * terms of x at p, pt those of a and b, psi_r = psi(r).  Formed from pieces
 * that stay finite and do not cancel for huge or tiny parameters and
 * summaries:
 *	 LL = [ln Gamma(r+x) - ln Gamma(r) - x ln r] + [ln B(a, b+x+m) - ln B(a, b)]
 *		  + ln(e^term(T) + d a/(b+x+m-1) e^term(t_x)),
 *	 term(y) = -r ln(1 + y/alpha) + x ln(r / (alpha+y)),
 * the two terms each formed in logs (their ratio e^lr can overflow, and
 * ln(1 + e^lr) would cancel against term(T) when r is large).
 */
static inline double
bg_customer_ll(const double *p, int m, double x, double tx, double T,
			   const BgFreqTerms *ft, const BgParamTerms *pt, double psi_r, double *g)
{
	double		r = p[0],
				alpha = p[1],
				a = p[2],
				b = p[3];
	double		log_r_alpha = log_quotient(r, alpha);
	/* ln of the two terms of L less ft->lgam: alive at T, dropped out at t_x */
	double		l_alive = bg_log_term(r, log_r_alpha, x, log1p_quotient(T, alpha));

	if (g)
	{
		double		lr = bg_log_ratio(p, m, x, tx, T);
		double		log_at = log(alpha + T);
		double		s = 1.0 - inv_one_plus_exp(lr);	/* weight of term 2 */

		g[0] = ft->psi_rx - psi_r + log(alpha) - (1 - s) * log_at - s * log(alpha + tx);
		g[1] = r / alpha - (r + x) * ((1 - s) / (alpha + T) + s / (alpha + tx));
		g[2] = pt->psi_ab - ft->psi_abx + (s > 0 ? s / a : 0.0);
		g[3] = ft->psi_bx - ft->psi_abx - pt->psi_b + pt->psi_ab -
			(s > 0 ? s / (b + x + m - 1) : 0.0);
	}
	if (x + m == 0)
		return ft->lgam + l_alive;
	return ft->lgam +
		log_sum_exp(l_alive,
					bg_log_dropout_weight(p, m, x) +
					bg_log_term(r, log_r_alpha, x, log1p_quotient(tx, alpha)));
}

/*
 * The terms of a customer's (a, b) and of the frequency at them, for the few
 * (a, b) of covariates that are categories (dummies); a customer of another
 * (a, b) takes the oldest slot.
 */
#define BG_TERMS_SLOTS 8

typedef struct BgTermsSlot
{
	BgParamTerms pt;
	BgFreqTerms ft;
} BgTermsSlot;

/*
 * Weighted log-likelihood of the sample and its gradient in (r, alpha, a, b)
 * and, for a sample with covariates, the coefficients (Fader & Hardie 2007:
 * alpha_i = alpha exp(-gamma'x_i), a_i = a exp(delta'z_i),
 * b_i = b exp(delta'z_i)).  The sample is sorted by frequency, so the gamma
 * and digamma terms of x are computed once per distinct frequency (and
 * customer's a and b, BG_TERMS_SLOTS of them at a time).
 */
static double
bg_loglik(const double *p, int m, const FitData *fd, double *grad)
{
	double		psi_r = grad ? digamma(p[0]) : 0.0;
	double		ll = 0.0;
	BgTermsSlot slots[BG_TERMS_SLOTS];
	int			next_slot = 0;
	BtydCoefficients coef;
	int			npurchase,
				ndropout;

	for (int j = 0; j < BG_TERMS_SLOTS; j++)
		slots[j].pt.a = slots[j].pt.b = NAN;
	btyd_sample_covariates(fd, &npurchase, &ndropout);
	btyd_coefficients_of(p, 4, npurchase, ndropout, &coef);
	if (grad)
		memset(grad, 0, sizeof(double) * (4 + npurchase + ndropout));
	for (int i = 0; i < fd->ntuples; i++)
	{
		const double *v = fitdata_tuple(fd, i);
		double		x = v[0],
					tx = v[1],
					T = v[2];
		double		w = fitdata_weight(fd, i);
		double		p_i[4];
		double		g_i[4];
		BgTermsSlot *slot = NULL;

		btyd_customer_params(&bgnbd_covariate_map, 4, p, &coef, v + 3, v + 3 + npurchase, p_i);
		for (int j = 0; j < BG_TERMS_SLOTS && slot == NULL; j++)
			if (slots[j].pt.a == p_i[2] && slots[j].pt.b == p_i[3])
				slot = &slots[j];
		if (slot == NULL)
		{
			/* a new (a, b): the oldest slot */
			slot = &slots[next_slot];
			next_slot = (next_slot + 1) % BG_TERMS_SLOTS;
			slot->pt.a = p_i[2];
			slot->pt.b = p_i[3];
			if (grad)
			{
				slot->pt.psi_ab = digamma(slot->pt.a + slot->pt.b);
				slot->pt.psi_b = digamma(slot->pt.b);
			}
			slot->ft.x = NAN;	/* the terms of x depend on a and b too */
		}
		if (x != slot->ft.x)
			bg_freq_terms(&slot->ft, p_i, m, x, grad != NULL);
		ll += w * bg_customer_ll(p_i, m, x, tx, T, &slot->ft, &slot->pt, psi_r,
								 grad ? g_i : NULL);
		if (grad)
			btyd_add_customer_gradient(&bgnbd_covariate_map, 4, p, &coef, v + 3,
									   v + 3 + npurchase, p_i, w, g_i, grad);
		if ((i & 0xffff) == 0xffff)
			CHECK_FOR_INTERRUPTS();
	}
	return ll;
}

static double
bgnbd_loglik(const double *p, const FitData *fd, double *grad)
{
	return bg_loglik(p, 0, fd, grad);
}

static double
mbgnbd_loglik(const double *p, const FitData *fd, double *grad)
{
	return bg_loglik(p, 1, fd, grad);
}

const BtydModelSpec bgnbd_spec = {
	"bgnbd", 4, bg_names, bgnbd_loglik, true, NULL, &bgnbd_covariate_map, NULL
};
const BtydModelSpec mbgnbd_spec = {
	"mbgnbd", 4, bg_names, mbgnbd_loglik, true, NULL, &bgnbd_covariate_map, NULL
};

Datum
bgnbd_fit_final(PG_FUNCTION_ARGS)
{
	return btyd_fit_final(fcinfo, &bgnbd_spec);
}

Datum
mbgnbd_fit_final(PG_FUNCTION_ARGS)
{
	return btyd_fit_final(fcinfo, &mbgnbd_spec);
}

Datum
bgnbd_fit_fitdata(PG_FUNCTION_ARGS)
{
	return btyd_fit_stored(fcinfo, &bgnbd_spec);
}

Datum
mbgnbd_fit_fitdata(PG_FUNCTION_ARGS)
{
	return btyd_fit_stored(fcinfo, &mbgnbd_spec);
}

/* engage.bgnbd_bootstrap(sample, replicates, seed [, penalizer]) */
Datum
bgnbd_bootstrap(PG_FUNCTION_ARGS)
{
	return btyd_bootstrap(fcinfo, &bgnbd_spec);
}

/* engage.mbgnbd_bootstrap(sample, replicates, seed [, penalizer]) */
Datum
mbgnbd_bootstrap(PG_FUNCTION_ARGS)
{
	return btyd_bootstrap(fcinfo, &mbgnbd_spec);
}

/* p_alive(model, frequency, recency, age) */
static Datum
p_alive_sql(FunctionCallInfo fcinfo, int m)
{
	double		p[4];
	double		x = PG_GETARG_FLOAT8(1),
				tx = PG_GETARG_FLOAT8(2),
				T = PG_GETARG_FLOAT8(3);

	btyd_getarg_model_for(fcinfo, 0, 4, 4, bg_names, &bgnbd_covariate_map, p);
	btyd_check_summary(x, tx, T);
	PG_RETURN_FLOAT8(finite_result(bg_p_alive(p, m, x, tx, T), "p_alive"));
}

Datum
bgnbd_p_alive_sql(PG_FUNCTION_ARGS)
{
	return p_alive_sql(fcinfo, 0);
}

Datum
mbgnbd_p_alive_sql(PG_FUNCTION_ARGS)
{
	return p_alive_sql(fcinfo, 1);
}

/*
 * churn_probability(model, frequency, recency, age) = 1 - P(alive), as
 * e^lr / (1 + e^lr): accurate also where it is far below 1 - P(alive)'s
 * rounding (P(alive) near 1).
 */
static Datum
churn_sql(FunctionCallInfo fcinfo, int m)
{
	double		p[4];
	double		x = PG_GETARG_FLOAT8(1),
				tx = PG_GETARG_FLOAT8(2),
				T = PG_GETARG_FLOAT8(3);

	btyd_getarg_model_for(fcinfo, 0, 4, 4, bg_names, &bgnbd_covariate_map, p);
	btyd_check_summary(x, tx, T);
	if (x + m == 0)
		PG_RETURN_FLOAT8(0.0);
	PG_RETURN_FLOAT8(finite_result(inv_one_plus_exp(-bg_log_ratio(p, m, x, tx, T)),
								   "churn_probability"));
}

Datum
bgnbd_churn_sql(PG_FUNCTION_ARGS)
{
	return churn_sql(fcinfo, 0);
}

Datum
mbgnbd_churn_sql(PG_FUNCTION_ARGS)
{
	return churn_sql(fcinfo, 1);
}

/* expected_purchases(model, t, frequency, recency, age) */
static Datum
expected_sql(FunctionCallInfo fcinfo, int m)
{
	double		p[4];
	double		t = PG_GETARG_FLOAT8(1),
				x = PG_GETARG_FLOAT8(2),
				tx = PG_GETARG_FLOAT8(3),
				T = PG_GETARG_FLOAT8(4);

	double		bracket;
	bool		hit;
	BtydMemoEntry *slot;

	btyd_getarg_model_for(fcinfo, 0, 5, 4, bg_names, &bgnbd_covariate_map, p);
	ensure_nonnegative(t, "t");
	btyd_check_summary(x, tx, T);
	/* the 2F1 bracket depends on (x, T, t) only: memoise it */
	slot = btyd_memo_slot(fcinfo, p, 4, x, T, t, &bracket, &hit);
	if (!hit)
	{
		bracket = bg_expected_alive(p, m, t, x, T);
		btyd_memo_store(slot, x, T, t, bracket);
	}
	PG_RETURN_FLOAT8(finite_result(bracket * bg_p_alive(p, m, x, tx, T),
								   "expected_purchases"));
}

Datum
bgnbd_expected_sql(PG_FUNCTION_ARGS)
{
	return expected_sql(fcinfo, 0);
}

Datum
mbgnbd_expected_sql(PG_FUNCTION_ARGS)
{
	return expected_sql(fcinfo, 1);
}

/* expected_purchases(model, t) */
static Datum
expected_new_sql(FunctionCallInfo fcinfo, int m)
{
	double		p[4];
	double		t = PG_GETARG_FLOAT8(1);

	btyd_getarg_model_for(fcinfo, 0, 2, 4, bg_names, &bgnbd_covariate_map, p);
	ensure_nonnegative(t, "t");
	PG_RETURN_FLOAT8(finite_result(bg_expected_new(p, m, t), "expected_purchases"));
}

Datum
bgnbd_expected_new_sql(PG_FUNCTION_ARGS)
{
	return expected_new_sql(fcinfo, 0);
}

Datum
mbgnbd_expected_new_sql(PG_FUNCTION_ARGS)
{
	return expected_new_sql(fcinfo, 1);
}

/* prob_purchases(model, n, t) */
static Datum
prob_sql(FunctionCallInfo fcinfo, int m)
{
	double		p[4];
	int32		n = PG_GETARG_INT32(1);
	double		t = PG_GETARG_FLOAT8(2);

	btyd_getarg_model_for(fcinfo, 0, 3, 4, bg_names, &bgnbd_covariate_map, p);
	if (n < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("n must not be negative")));
	ensure_nonnegative(t, "t");
	PG_RETURN_FLOAT8(finite_result(bg_prob(p, m, n, t), "prob_purchases"));
}

Datum
bgnbd_prob_sql(PG_FUNCTION_ARGS)
{
	return prob_sql(fcinfo, 0);
}

Datum
mbgnbd_prob_sql(PG_FUNCTION_ARGS)
{
	return prob_sql(fcinfo, 1);
}

Datum
bgnbd_loglik_sql(PG_FUNCTION_ARGS)
{
	return btyd_loglik_sql(fcinfo, &bgnbd_spec);
}

Datum
mbgnbd_loglik_sql(PG_FUNCTION_ARGS)
{
	return btyd_loglik_sql(fcinfo, &mbgnbd_spec);
}

/*
 * One customer: purchases at Poisson rate lambda until dropout, which
 * happens with probability p after each repeat purchase, and for MBG/NBD
 * (m = 1) also right after the first purchase.  Each pass returns or counts
 * a purchase, of which there are at most BTYD_SIMULATE_MAX_PURCHASES.
 */
static void
bg_draw(const double *p, int m, double T, pg_prng_state *rng, int64 *x, double *tx)
{
	double		lambda = btyd_rgamma(rng, p[0], p[1]);
	double		g = btyd_rgamma(rng, p[2], 1.0);
	double		drop = g / (g + btyd_rgamma(rng, p[3], 1.0));
	double		t = 0.0;

	if (m == 1 && pg_prng_double(rng) < drop)
		return;
	for (;;)
	{
		t += btyd_rexp(rng, lambda);
		if (t > T)
			return;
		btyd_simulated_purchase(x, tx, t);
		if (pg_prng_double(rng) < drop)
			return;
	}
}

static void
bgnbd_draw(const double *p, double T, pg_prng_state *rng, int64 *x, double *tx)
{
	bg_draw(p, 0, T, rng, x, tx);
}

static void
mbgnbd_draw(const double *p, double T, pg_prng_state *rng, int64 *x, double *tx)
{
	bg_draw(p, 1, T, rng, x, tx);
}

Datum
bgnbd_simulate(PG_FUNCTION_ARGS)
{
	return btyd_simulate(fcinfo, 4, bg_names, &bgnbd_covariate_map, bgnbd_draw);
}

Datum
mbgnbd_simulate(PG_FUNCTION_ARGS)
{
	return btyd_simulate(fcinfo, 4, bg_names, &bgnbd_covariate_map, mbgnbd_draw);
}

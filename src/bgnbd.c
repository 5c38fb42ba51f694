/*-------------------------------------------------------------------------
 *
 * bgnbd.c
 *	  BG/NBD (Fader, Hardie & Lee 2005, "Counting your customers the easy
 *	  way: an alternative to the Pareto/NBD model", Marketing Science 24(2))
 *	  and its modification MBG/NBD (Batislam, Denizel & Filiztekin 2007,
 *	  "Empirical validation and comparison of models for customer base
 *	  analysis", IJRM 24(3)): likelihood, P(alive), expectations, P(X(t) = n),
 *	  fitting and simulation.
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

#include "miscadmin.h"

#include "btyd.h"
#include "engage.h"
#include "special.h"

PG_FUNCTION_INFO_V1(bgnbd_fit_final);
PG_FUNCTION_INFO_V1(mbgnbd_fit_final);
PG_FUNCTION_INFO_V1(bgnbd_fit_fitdata);
PG_FUNCTION_INFO_V1(mbgnbd_fit_fitdata);
PG_FUNCTION_INFO_V1(bgnbd_p_alive_sql);
PG_FUNCTION_INFO_V1(mbgnbd_p_alive_sql);
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

#define A_NEAR_ONE 1e-4			/* |a - 1| below this is interpolated */

/*
 * ln of the second likelihood term relative to the first:
 * ln(a / (b+x+m-1)) + (r+x) ln((alpha+T) / (alpha+t_x)); -Inf when d = 0.
 */
static inline double
bg_log_ratio(const double *p, int m, double x, double tx, double T)
{
	if (x + m == 0)
		return -INFINITY;
	return log(p[2] / (p[3] + x + m - 1)) +
		(p[0] + x) * log((p[1] + T) / (p[1] + tx));
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

/*
 * [1 - (1-z)^(a-1) 2F1(c - rp, a-1; c; z)] / (a - 1) with c = a + cma, at
 * n <= HYP2F1_MANY_MAX values z[i] (0 at z = 0): the bracket of the
 * expectations after Euler's transformation.  The series of all z are summed
 * together (they share their coefficients).
 */
static void
bg_brackets_at(double a, double cma, double rp, const double *z, int n, double *out)
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
		out[i] = z[i] == 0.0 ? 0.0 :
			-expm1((a - 1.0) * log1p(-z[i]) + log(f[i])) / (a - 1.0);
}

/* The same, interpolated in a across the removable singularity at a = 1. */
static void
bg_brackets(double a, double cma, double rp, const double *z, int n, double *out)
{
	double		h = A_NEAR_ONE;
	double		lo[HYP2F1_MANY_MAX],
				hi[HYP2F1_MANY_MAX];

	if (fabs(a - 1.0) >= h)
	{
		bg_brackets_at(a, cma, rp, z, n, out);
		return;
	}
	bg_brackets_at(1.0 - h, cma, rp, z, n, lo);
	bg_brackets_at(1.0 + h, cma, rp, z, n, hi);
	for (int i = 0; i < n; i++)
		out[i] = lo[i] + (a - 1.0 + h) / (2.0 * h) * (hi[i] - lo[i]);
}

/* The bracket at one z. */
static double
bg_bracket(double a, double cma, double rp, double z)
{
	double		out;

	bg_brackets(a, cma, rp, &z, 1, &out);
	return out;
}

static double
bg_p_alive(const double *p, int m, double x, double tx, double T)
{
	if (x + m == 0)
		return 1.0;				/* no purchase to have dropped out after */
	/* 1 / (1 + e^lr), e^lr = a / (b+x+m-1) ((alpha+T) / (alpha+t_x))^(r+x) */
	return 1.0 / (1.0 + p[2] / (p[3] + x + m - 1) *
				  pow((p[1] + T) / (p[1] + tx), p[0] + x));
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
	double		z = t / (p[1] + T + t);
	double		cma = p[3] + x + m - 1.0;	/* c - a */

	return (p[2] + cma) * bg_bracket(p[2], cma, p[0] + x, z);
}

StaticAssertDecl(BTYD_STEPS_MAX <= HYP2F1_MANY_MAX, "steps are evaluated in one hyp2f1_many call");

/* The same at t = (first + j) step for j < n (see btyd.h). */
static void
bg_expected_alive_steps(const double *p, int m, double x, double T, double step,
						int first, int n, double *out)
{
	double		z[HYP2F1_MANY_MAX];
	double		cma = p[3] + x + m - 1.0;

	if (n <= 0)
		return;
	for (int j = 0; j < n; j++)
	{
		double		t = (first + j) * step;

		z[j] = t / (p[1] + T + t);
	}
	bg_brackets(p[2], cma, p[0] + x, z, n, out);
	for (int j = 0; j < n; j++)
		out[j] *= p[2] + cma;
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

	return k * bg_bracket(p[2], cma, p[0], t / (p[1] + t));
}

/*
 * P(N >= n) for N ~ NB(r, alpha, t) (Poisson-gamma count over t): the
 * regularized incomplete beta I_q(n, r), q = t / (alpha + t) (Johnson, Kemp
 * & Kotz, Univariate Discrete Distributions, eq. 5.31), whose continued
 * fraction takes O(sqrt(n + r)) steps whatever n, and stays exact where the
 * probability of 0 underflows.  Errors 22003 when it does not converge.
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
	tail = beta_inc_regularized(n, r, t / (alpha + t), alpha / (alpha + t), &ok);
	if (!ok)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("negative binomial tail did not converge"),
				 errdetail("P(N >= %d) for N ~ NB(%g, %g) over %g.", n, r, alpha, t),
				 errhint("Ask for a smaller number of purchases or a shorter window.")));
	return tail;
}

/* FHL eq. (8) and its MBG/NBD analogue: P(X(t) = n) of a new customer. */
static double
bg_prob(const double *p, int m, int n, double t)
{
	double		r = p[0],
				alpha = p[1],
				a = p[2],
				b = p[3];
	double		bn = b + n + m;
	/* ln Gamma(a+b) - ln Gamma(b), the part of ln B(a, b) the ratios share */
	double		lg_ab = log_gamma_ratio(b, a);
	double		nb;
	double		res;

	if (t == 0.0)
		nb = n == 0 ? 1.0 : 0.0;
	else
		nb = exp(log_gamma_ratio(n + 1.0, r - 1.0) - lgamma(r) -
				 r * log1p(t / alpha) - n * log1p(alpha / t));
	/*
	 * B(a, b+n+m) / B(a, b) and B(a+1, b+n+m-1) / B(a, b) by differences of
	 * ln Gamma, without the cancellation of lgamma at large n
	 */
	res = exp(lg_ab - log_gamma_ratio(bn, a)) * nb;
	if (n + m > 0)
		res += exp(log(a) + lg_ab - log_gamma_ratio(bn - 1.0, a + 1.0)) *
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
	double		lgam;			/* lgamma(r+x) + ln B(a, b+x+m) */
	double		psi_rx;			/* psi(r+x) */
	double		psi_abx;		/* psi(a+b+x+m) */
	double		psi_bx;			/* psi(b+x+m) */
} BgFreqTerms;

static void
bg_freq_terms(BgFreqTerms *ft, const double *p, int m, double x, bool grad)
{
	ft->x = x;
	ft->lgam = lgamma(p[0] + x) + log_beta(p[2], p[3] + x + m);
	if (grad)
	{
		ft->psi_rx = digamma(p[0] + x);
		ft->psi_abx = digamma(p[2] + p[3] + x + m);
		ft->psi_bx = digamma(p[3] + x + m);
	}
}

/*
 * Weighted log-likelihood of the sample (FHL eq. 6) and its gradient in
 * (r, alpha, a, b).  The sample is sorted by frequency, so the gamma and
 * digamma terms of x are computed once per distinct frequency.
 */
static double
bg_loglik(const double *p, int m, const FitData *fd, double *grad)
{
	double		r = p[0],
				alpha = p[1],
				a = p[2],
				b = p[3];
	double		base = -lgamma(r) + r * log(alpha) - log_beta(a, b);
	double		psi_r = 0,
				psi_ab = 0,
				psi_b = 0;
	double		ll = 0.0;
	BgFreqTerms ft = {NAN, 0, 0, 0, 0};

	if (grad)
	{
		psi_r = digamma(r);
		psi_ab = digamma(a + b);
		psi_b = digamma(b);
		memset(grad, 0, sizeof(double) * 4);
	}
	for (int i = 0; i < fd->ntuples; i++)
	{
		const double *v = fitdata_tuple(fd, i);
		double		x = v[0],
					tx = v[1],
					T = v[2];
		double		w = fitdata_weight(fd, i);
		double		lr = bg_log_ratio(p, m, x, tx, T);
		double		lalive = lr > 0 ? lr + log1p(exp(-lr)) : log1p(exp(lr));
		double		log_at = log(alpha + T);

		if (x != ft.x)
			bg_freq_terms(&ft, p, m, x, grad != NULL);
		ll += w * (base + ft.lgam - (r + x) * log_at + lalive);
		if ((i & 0xffff) == 0xffff)
			CHECK_FOR_INTERRUPTS();
		if (grad)
		{
			double		s = 1.0 - inv_one_plus_exp(lr);	/* weight of term 2 */

			grad[0] += w * (ft.psi_rx - psi_r + log(alpha) -
							(1 - s) * log_at - s * log(alpha + tx));
			grad[1] += w * (r / alpha - (r + x) * ((1 - s) / (alpha + T) +
												   s / (alpha + tx)));
			grad[2] += w * (psi_ab - ft.psi_abx + (s > 0 ? s / a : 0.0));
			grad[3] += w * (ft.psi_bx - ft.psi_abx - psi_b + psi_ab -
							(s > 0 ? s / (b + x + m - 1) : 0.0));
		}
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

static const BtydModelSpec bgnbd_spec = {"bgnbd", 4, bg_names, bgnbd_loglik, true};
static const BtydModelSpec mbgnbd_spec = {"mbgnbd", 4, bg_names, mbgnbd_loglik, true};

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

/* p_alive(model, frequency, recency, age) */
static Datum
p_alive_sql(FunctionCallInfo fcinfo, int m)
{
	double		p[4];
	double		x = PG_GETARG_FLOAT8(1),
				tx = PG_GETARG_FLOAT8(2),
				T = PG_GETARG_FLOAT8(3);

	BTYD_GETARG_MODEL(0, 4, bg_names, p);
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

	BTYD_GETARG_MODEL(0, 4, bg_names, p);
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

	BTYD_GETARG_MODEL(0, 4, bg_names, p);
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

	BTYD_GETARG_MODEL(0, 4, bg_names, p);
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
	return btyd_simulate(fcinfo, 4, bg_names, bgnbd_draw);
}

Datum
mbgnbd_simulate(PG_FUNCTION_ARGS)
{
	return btyd_simulate(fcinfo, 4, bg_names, mbgnbd_draw);
}

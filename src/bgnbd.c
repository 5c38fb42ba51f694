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

#include "funcapi.h"
#include "common/pg_prng.h"
#include "miscadmin.h"
#include "utils/builtins.h"

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
		(p[0] + x) * (log(p[1] + T) - log(p[1] + tx));
}

/* 1 / (1 + e^lr) without overflow. */
static inline double
inv_one_plus_exp(double lr)
{
	return lr > 0 ? exp(-lr) / (1.0 + exp(-lr)) : 1.0 / (1.0 + exp(lr));
}

/*
 * [1 - (1-z)^(a-1) 2F1(c - rp, a-1; c; z)] / (a - 1) with c = a + cma:
 * the bracket of the expectations after Euler's transformation.
 */
static double
bg_bracket_at(double a, double cma, double rp, double z)
{
	bool		ok;
	double		c = a + cma;
	double		f = hyp2f1(c - rp, a - 1.0, c, z, &ok);

	if (!ok)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("hypergeometric series did not converge"),
				 errdetail("2F1(%g, %g; %g; %g)", c - rp, a - 1.0, c, z)));
	return -expm1((a - 1.0) * log1p(-z) + log(f)) / (a - 1.0);
}

static double
bg_bracket(double a, double cma, double rp, double z)
{
	double		h = A_NEAR_ONE;
	double		lo,
				hi;

	if (z == 0.0)
		return 0.0;
	if (fabs(a - 1.0) >= h)
		return bg_bracket_at(a, cma, rp, z);
	lo = bg_bracket_at(1.0 - h, cma, rp, z);
	hi = bg_bracket_at(1.0 + h, cma, rp, z);
	return lo + (a - 1.0 + h) / (2.0 * h) * (hi - lo);
}

static double
bg_p_alive(const double *p, int m, double x, double tx, double T)
{
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

/* FHL eq. (10), for m = 0 or 1. */
static double
bg_expected_conditional(const double *p, int m, double t, double x, double tx, double T)
{
	double		z = t / (p[1] + T + t);
	double		cma = p[3] + x + m - 1.0;	/* c - a */

	return (p[2] + cma) * bg_bracket(p[2], cma, p[0] + x, z) *
		bg_p_alive(p, m, x, tx, T);
}

double
bgnbd_expected_conditional(const double *params, double t, double x, double tx, double T)
{
	return bg_expected_conditional(params, 0, t, x, tx, T);
}

double
mbgnbd_expected_conditional(const double *params, double t, double x, double tx, double T)
{
	return bg_expected_conditional(params, 1, t, x, tx, T);
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
 * P(N >= n) for N ~ NB(r, alpha, t) (Poisson-gamma count over t):
 * 1 - the lower sum when that is small, else the upper tail summed.
 */
static double
nb_upper_tail(double r, double alpha, double t, int n)
{
	double		q = t / (alpha + t);
	double		lterm0 = r * log(alpha / (alpha + t));
	double		term = exp(lterm0);
	double		lower = 0.0;
	double		tail;

	if (n <= 0)
		return 1.0;
	if (t == 0.0)
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
	term = exp(lterm0 + lgamma(r + n) - lgamma(r) - lgamma(n + 1.0) + n * log(q));
	tail = 0.0;
	for (int j = n; j < n + 10000000; j++)
	{
		tail += term;
		term *= (r + j) / (j + 1.0) * q;
		if (term <= tail * 1e-17 && (r + j + 1) * q < j + 2.0)
			break;
		if ((j & 0xffff) == 0)
			CHECK_FOR_INTERRUPTS();
	}
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
	double		lbeta_ab = log_beta(a, b);
	double		nb;
	double		res;

	if (t == 0.0)
		nb = n == 0 ? 1.0 : 0.0;
	else
		nb = exp(lgamma(r + n) - lgamma(r) - lgamma(n + 1.0) +
				 r * log(alpha / (alpha + t)) + n * log(t / (alpha + t)));
	res = exp(log_beta(a, b + n + m) - lbeta_ab) * nb;
	if (n + m > 0)
		res += exp(log_beta(a + 1, b + n + m - 1) - lbeta_ab) *
			nb_upper_tail(r, alpha, t, n);
	return res;
}

/*
 * Weighted log-likelihood of the sample (FHL eq. 6) and its gradient in
 * (r, alpha, a, b).
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

		ll += w * (base + lgamma(r + x) + log_beta(a, b + x + m) -
				   (r + x) * log(alpha + T) + lalive);
		if (grad)
		{
			double		s = 1.0 - inv_one_plus_exp(lr);	/* weight of term 2 */
			double		psi_abx = digamma(a + b + x + m);

			grad[0] += w * (digamma(r + x) - psi_r + log(alpha) -
							(1 - s) * log(alpha + T) - s * log(alpha + tx));
			grad[1] += w * (r / alpha - (r + x) * ((1 - s) / (alpha + T) +
												   s / (alpha + tx)));
			grad[2] += w * (psi_ab - psi_abx + (s > 0 ? s / a : 0.0));
			grad[3] += w * (digamma(b + x + m) - psi_abx - psi_b + psi_ab -
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

/* Final function of the fit aggregates: the fitted model, NULL when empty. */
static Datum
fit_final(FunctionCallInfo fcinfo, const BtydModelSpec *spec)
{
	FitData    *fd;
	Datum		d;

	aggregate_context(fcinfo, spec->name);
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	fd = (FitData *) PG_GETARG_POINTER(0);
	if (fd->ntuples == 0)
		PG_RETURN_NULL();
	d = btyd_fit_sample(fcinfo, spec, fd, btyd_state_penalizer(fd));
	PG_RETURN_DATUM(d);
}

Datum
bgnbd_fit_final(PG_FUNCTION_ARGS)
{
	return fit_final(fcinfo, &bgnbd_spec);
}

Datum
mbgnbd_fit_final(PG_FUNCTION_ARGS)
{
	return fit_final(fcinfo, &mbgnbd_spec);
}

/* Fit from a stored sample: (engage.fitdata [, penalizer]). */
static Datum
fit_fitdata(FunctionCallInfo fcinfo, const BtydModelSpec *spec)
{
	FitData    *fd = fitdata_from_bytes(CurrentMemoryContext, PG_GETARG_BYTEA_P(0));
	double		pen = PG_NARGS() > 1 ? PG_GETARG_FLOAT8(1) : btyd_state_penalizer(fd);

	if (fd->k != 3)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s needs a sample of (frequency, recency, age)", spec->name)));
	if (fd->ntuples == 0)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(btyd_fit_sample(fcinfo, spec, fd, pen));
}

Datum
bgnbd_fit_fitdata(PG_FUNCTION_ARGS)
{
	return fit_fitdata(fcinfo, &bgnbd_spec);
}

Datum
mbgnbd_fit_fitdata(PG_FUNCTION_ARGS)
{
	return fit_fitdata(fcinfo, &mbgnbd_spec);
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

	BTYD_GETARG_MODEL(0, 4, bg_names, p);
	ensure_nonnegative(t, "t");
	btyd_check_summary(x, tx, T);
	PG_RETURN_FLOAT8(finite_result(bg_expected_conditional(p, m, t, x, tx, T),
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

/* loglik(model, frequency, recency, age): one customer's log-likelihood */
static Datum
loglik_sql(FunctionCallInfo fcinfo, int m)
{
	double		p[4];
	double		v[3] = {PG_GETARG_FLOAT8(1), PG_GETARG_FLOAT8(2), PG_GETARG_FLOAT8(3)};
	double		one = 1.0;
	double		comp = 0.0;
	int32		slot = 0;
	FitData		fd = {3, 0, {0}, 1, 1, v, &one, &comp, &slot, 1, NULL};

	BTYD_GETARG_MODEL(0, 4, bg_names, p);
	btyd_check_summary(v[0], v[1], v[2]);
	PG_RETURN_FLOAT8(bg_loglik(p, m, &fd, NULL));
}

Datum
bgnbd_loglik_sql(PG_FUNCTION_ARGS)
{
	return loglik_sql(fcinfo, 0);
}

Datum
mbgnbd_loglik_sql(PG_FUNCTION_ARGS)
{
	return loglik_sql(fcinfo, 1);
}

/*
 * One customer: purchases at Poisson rate lambda until dropout, which
 * happens with probability p after each repeat purchase, and for MBG/NBD
 * (m = 1) also right after the first purchase.
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
		(*x)++;
		*tx = t;
		if (pg_prng_double(rng) < drop)
			return;
		if ((*x & 0xffff) == 0)
			CHECK_FOR_INTERRUPTS();
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

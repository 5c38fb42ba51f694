/*-------------------------------------------------------------------------
 *
 * clv.c
 *	  Discounted customer lifetime value from a counting model (BG/NBD,
 *	  MBG/NBD, Pareto/NBD, GGompertz/NBD) and the Gamma-Gamma spend model,
 *	  with the convention of the lifetimes package (Fader, Hardie & Lee 2005,
 *	  "RFM and CLV: using iso-value curves", combine the two models the same
 *	  way):
 *
 *	   CLV = sum_{i=1}^{k} (E[X(i s)] - E[X((i-1) s)]) * E[M] / (1 + d)^i
 *
 *	  where E[X(t)] is the counting model's conditional expected number of
 *	  purchases in (T, T + t] of the customer (x, t_x, T), E[M] the
 *	  Gamma-Gamma conditional expected spend per purchase, s the step, d the
 *	  discount rate per step and k = floor(horizon / s), a quotient within
 *	  1e-9 below an integer counting as that integer (so that a horizon of
 *	  52.14 weeks in steps of 4.345 weeks is 12 months despite binary
 *	  rounding).  A last partial step is not counted.
 *
 *	  Computed as P(alive) * E[M] * sum_i (E_a(i s) - E_a((i-1) s)) / (1+d)^i,
 *	  E_a(t) = E[X(t) | alive at T], since E[X(t)] = E_a(t) P(alive): P(alive)
 *	  once per customer, the steps' E_a together (one shared 2F1 series pass
 *	  for BG/NBD), and the discounted sum memoised per (x, T).
 *
 *	  engage.clv_interval: the same with its delta-method prediction
 *	  interval over both models' parameters (see clv_interval below).
 *
 *-------------------------------------------------------------------------
 */
#include "engage.h"

#include <float.h>

#include "btyd.h"
#include "gammagamma.h"
#include "miscadmin.h"
#include "uncertainty.h"

PG_FUNCTION_INFO_V1(clv_bgnbd);
PG_FUNCTION_INFO_V1(clv_mbgnbd);
PG_FUNCTION_INFO_V1(clv_paretonbd);
PG_FUNCTION_INFO_V1(clv_ggomnbd);
PG_FUNCTION_INFO_V1(clv_interval_bgnbd);
PG_FUNCTION_INFO_V1(clv_interval_mbgnbd);
PG_FUNCTION_INFO_V1(clv_interval_paretonbd);
PG_FUNCTION_INFO_V1(clv_interval_ggomnbd);

/* More steps than this per customer are refused (22023). */
#define CLV_MAX_STEPS 100000

/* A counting model as CLV uses it (see btyd.h). */
typedef void (*AliveStepsFn) (const double *params, double x, double T, double step,
							  int first, int n, double *out);
typedef double (*PAliveFn) (FunctionCallInfo fcinfo, const double *consts, int nconsts,
							double x, double tx, double T);

typedef struct ClvModel
{
	int			nparams;
	const char *const *names;	/* parameter names */
	AliveStepsFn alive_steps;	/* E[X(t) | alive at T] at t = step, 2 step, ... */
	PAliveFn	p_alive;		/* P(alive at T | x, t_x, T), params = consts[0..nparams-1] */
	const BtydCovariateMap *covariates; /* how covariates scale the parameters
										 * (NULL: the model takes none) */
} ClvModel;

/* BG/NBD and MBG/NBD P(alive) are cheaper than a memo lookup. */
static double
clv_bgnbd_p_alive(FunctionCallInfo fcinfo, const double *consts, int nconsts,
				  double x, double tx, double T)
{
	return bgnbd_p_alive(consts, x, tx, T);
}

static double
clv_mbgnbd_p_alive(FunctionCallInfo fcinfo, const double *consts, int nconsts,
				   double x, double tx, double T)
{
	return mbgnbd_p_alive(consts, x, tx, T);
}

static const char *const bgnbd_names[] = {"r", "alpha", "a", "b"};
static const char *const paretonbd_names[] = {"r", "alpha", "s", "beta"};
static const char *const ggomnbd_names[] = {"r", "alpha", "b", "s", "beta"};

static const ClvModel clv_bgnbd_model = {
	4, bgnbd_names, bgnbd_expected_alive_steps, clv_bgnbd_p_alive, &bgnbd_covariate_map
};
static const ClvModel clv_mbgnbd_model = {
	4, bgnbd_names, mbgnbd_expected_alive_steps, clv_mbgnbd_p_alive, &bgnbd_covariate_map
};
static const ClvModel clv_paretonbd_model = {
	4, paretonbd_names, paretonbd_expected_alive_steps, paretonbd_p_alive_memo,
	&paretonbd_covariate_map
};
static const ClvModel clv_ggomnbd_model = {
	5, ggomnbd_names, ggomnbd_expected_alive_steps, ggomnbd_p_alive_memo, NULL
};

/*
 * The number of whole steps in the horizon, after checking both and the
 * discount rate: a positive horizon shorter than one step is an error (it
 * would be worth 0, typically horizon and step in different units); a
 * horizon of 0 has no step.
 */
static int
clv_schedule(double horizon, double step, double d)
{
	double		k;

	ensure_finite(d, "discount_rate");
	if (d <= -1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("discount_rate must be greater than -1")));
	ensure_nonnegative(horizon, "horizon");
	ensure_positive(step, "step");
	k = floor(horizon / step + 1e-9);
	if (k < 1 && horizon > 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("horizon %g is shorter than one step of %g", horizon, step),
				 errhint("Give horizon and step in the time unit of the model, e.g. 52.14 and 4.345 for 12 months in a weekly model.")));
	if (k > CLV_MAX_STEPS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("horizon / step must not exceed %d steps", CLV_MAX_STEPS)));
	return (int) k;
}

/*
 * The discounted purchases of a customer alive at T:
 * sum_{i=1}^{k} (E_a(i s) - E_a((i-1) s)) / (1 + d)^i, E_a(t) = E[X(t) | alive at T].
 * The steps' expectations are computed BTYD_STEPS_MAX at a time.
 */
static double
clv_alive_purchases(const ClvModel *model, const double *params, double x, double T,
					double step, double discount, int k)
{
	double		e[BTYD_STEPS_MAX];
	double		factor = 1.0;
	double		previous = 0.0;
	double		purchases = 0.0;

	for (int first = 1; first <= k; first += BTYD_STEPS_MAX)
	{
		int			n = Min(BTYD_STEPS_MAX, k - first + 1);

		model->alive_steps(params, x, T, step, first, n, e);
		for (int j = 0; j < n; j++)
		{
			factor *= discount;
			purchases += (e[j] - previous) * factor;
			previous = e[j];
		}
		CHECK_FOR_INTERRUPTS();
	}
	return purchases;
}

/* A customer and a CLV schedule, as in SQL. */
typedef struct ClvCustomer
{
	double		x,
				tx,
				T,
				monetary;
	double		horizon,
				discount_rate,
				step;
} ClvCustomer;

/*
 * The counting model's argument of CLV with covariates: the customer's
 * purchase and dropout covariate vectors follow step.
 */
#define CLV_ARG_COVARIATES 9

/*
 * a b c for a, b, c >= 0, by logarithms where the product in float8 would
 * underflow or overflow on the way (purchases near 1e-308 of a customer
 * hardly alive, at a spend near 1e308).
 */
static double
positive_product(double a, double b, double c)
{
	double		v = a * b * c;

	if (a > 0 && b > 0 && c > 0 && !(isfinite(v) && v >= DBL_MIN))
		return exp(log(a) + log(b) + log(c));
	return v;
}

/*
 * The discounted CLV of customer c under the counting model's parameters
 * params and the Gamma-Gamma parameters gg (both checked by the caller, as
 * c's summary):
 * CLV = P(alive) * spend * the discounted purchases if alive, the last
 * memoised per (frequency, age) for the call site's model and schedule under
 * the key (x, T, -1) (Pareto/NBD's P(alive) uses the memo too, see btyd.h).
 * The schedule is checked on a miss only: a hit was computed under the same
 * constants, which passed.
 */
static double
clv_value(FunctionCallInfo fcinfo, const ClvModel *model, const double *params,
		  const double *gg, const ClvCustomer *c)
{
	double		consts[BTYD_MEMO_MAX_CONSTS];
	int			np = model->nparams;
	double		spend;
	double		alive_purchases;
	double		p_alive;
	bool		hit;
	BtydMemoEntry *slot;

	/* consts: the model's parameters, then horizon, step, discount_rate */
	memcpy(consts, params, sizeof(double) * np);
	consts[np] = c->horizon;
	consts[np + 1] = c->step;
	consts[np + 2] = c->discount_rate;

	slot = btyd_memo_slot(fcinfo, consts, np + 3, c->x, c->T, -1.0, &alive_purchases, &hit);
	if (!hit)
	{
		int			k = clv_schedule(c->horizon, c->step, c->discount_rate);

		alive_purchases = clv_alive_purchases(model, consts, c->x, c->T, c->step,
											  1.0 / (1.0 + c->discount_rate), k);
		btyd_memo_store(slot, c->x, c->T, -1.0, alive_purchases);
	}
	spend = gammagamma_spend(gg, c->x, c->monetary);
	p_alive = model->p_alive(fcinfo, consts, np + 3, c->x, c->tx, c->T);
	return positive_product(alive_purchases, p_alive, spend);
}

/*
 * The arguments of engage.clv and engage.clv_interval: (model, gg,
 * frequency, recency, age, monetary, horizon, discount_rate, step), read
 * and checked; with_covariates: the customer's purchase and dropout
 * covariate vectors follow, and params are the customer's.  (A spend model
 * with covariates would read the customer's spend covariates with gg.)
 */
static void
clv_args(FunctionCallInfo fcinfo, const ClvModel *model, bool with_covariates,
		 double *params, double *gg, ClvCustomer *c)
{
	if (with_covariates)
		btyd_getarg_customer_model(fcinfo, 0, CLV_ARG_COVARIATES, CLV_ARG_COVARIATES + 1,
								   model->nparams, model->names, model->covariates, params);
	else
	{
		BTYD_GETARG_MODEL(0, model->nparams, model->names, params);
		btyd_reject_coefficients(PG_GETARG_DATUM(0), model->nparams,
								 model->covariates != NULL ? BTYD_COUNTING_COVARIATES_HINT :
								 "engage.clv and engage.clv_interval take counting models without covariates.");
	}
	gammagamma_read_model(PG_GETARG_DATUM(1), gg);
	c->x = PG_GETARG_FLOAT8(2);
	c->tx = PG_GETARG_FLOAT8(3);
	c->T = PG_GETARG_FLOAT8(4);
	c->monetary = PG_GETARG_FLOAT8(5);
	c->horizon = PG_GETARG_FLOAT8(6);
	c->discount_rate = PG_GETARG_FLOAT8(7);
	c->step = PG_GETARG_FLOAT8(8);
	btyd_check_summary(c->x, c->tx, c->T);
	gammagamma_check_summary(c->x, c->monetary);
}

/* The discounted CLV of one customer; arguments as in SQL (see clv_args). */
static double
clv_compute(FunctionCallInfo fcinfo, const ClvModel *model)
{
	double		params[BTYD_MAX_PARAMS];
	double		gg[GG_NPARAMS];
	ClvCustomer c;

	clv_args(fcinfo, model, PG_NARGS() > CLV_ARG_COVARIATES, params, gg, &c);
	return clv_value(fcinfo, model, params, gg, &c);
}

/* engage.clv(engage.bgnbd, engage.gammagamma, ...) */
Datum
clv_bgnbd(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT8(finite_result(clv_compute(fcinfo, &clv_bgnbd_model), "clv"));
}

/* engage.clv(engage.mbgnbd, engage.gammagamma, ...) */
Datum
clv_mbgnbd(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT8(finite_result(clv_compute(fcinfo, &clv_mbgnbd_model), "clv"));
}

/* engage.clv(engage.paretonbd, engage.gammagamma, ...) */
Datum
clv_paretonbd(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT8(finite_result(clv_compute(fcinfo, &clv_paretonbd_model), "clv"));
}

/* engage.clv(engage.ggomnbd, engage.gammagamma, ...) */
Datum
clv_ggomnbd(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT8(finite_result(clv_compute(fcinfo, &clv_ggomnbd_model), "clv"));
}

/*
 * CLV prediction intervals by the delta method: CLV as a function of the
 * parameters (the counting model's, then Gamma-Gamma's p, q, v),
 * whose covariance is block-diagonal, the two models being fitted
 * separately (their estimates independent): Var = g1' Cov1 g1 + g2' Cov2 g2.
 * The interval is built on the log scale (see uncertainty.h).
 */
typedef struct ClvScore
{
	FunctionCallInfo fcinfo;
	const ClvModel *model;
	const ClvCustomer *customer;
} ClvScore;

/* CLV at params = {the counting model's, Gamma-Gamma's 3}. */
static double
clv_score(const double *params, void *arg)
{
	ClvScore   *cs = (ClvScore *) arg;

	return clv_value(cs->fcinfo, cs->model, params, params + cs->model->nparams,
					 cs->customer);
}

/*
 * engage.clv_interval(model, gg, frequency, recency, age, monetary, horizon,
 * discount_rate, step, level): NULL when either model has no covariance.
 */
static Datum
clv_interval(FunctionCallInfo fcinfo, const ClvModel *model)
{
	double		params[BTYD_MAX_PARAMS + GG_NPARAMS];
	double		cov[(BTYD_MAX_PARAMS + GG_NPARAMS) * (BTYD_MAX_PARAMS + GG_NPARAMS)] = {0};
	double		cov_counting[BTYD_MAX_PARAMS * BTYD_MAX_PARAMS];
	double		cov_gg[GG_NPARAMS * GG_NPARAMS];
	double		grad[BTYD_MAX_PARAMS + GG_NPARAMS];
	double		z = interval_z(PG_GETARG_FLOAT8(9));
	int			np = model->nparams;
	int			n = np + GG_NPARAMS;
	ClvCustomer c;
	ClvScore	cs = {fcinfo, model, &c};
	double		est;

	clv_args(fcinfo, model, false, params, params + np, &c);
	/* checked here too, whether or not the models have a covariance */
	clv_schedule(c.horizon, c.step, c.discount_rate);
	if (!model_covariance(PG_GETARG_DATUM(0), np, np, cov_counting) ||
		!model_covariance(PG_GETARG_DATUM(1), GG_NPARAMS, GG_NPARAMS, cov_gg))
		PG_RETURN_NULL();
	for (int i = 0; i < np; i++)
		memcpy(cov + i * n, cov_counting + i * np, sizeof(double) * np);
	for (int i = 0; i < GG_NPARAMS; i++)
		memcpy(cov + (np + i) * n + np, cov_gg + i * GG_NPARAMS, sizeof(double) * GG_NPARAMS);
	est = finite_result(clv_score(params, &cs), "clv");
	delta_gradient(clv_score, &cs, params, n, grad);
	return delta_interval_result(fcinfo, est, grad, cov, n, z, SCALE_LOG);
}

/* engage.clv_interval(engage.bgnbd, engage.gammagamma, ...) */
Datum
clv_interval_bgnbd(PG_FUNCTION_ARGS)
{
	return clv_interval(fcinfo, &clv_bgnbd_model);
}

/* engage.clv_interval(engage.mbgnbd, engage.gammagamma, ...) */
Datum
clv_interval_mbgnbd(PG_FUNCTION_ARGS)
{
	return clv_interval(fcinfo, &clv_mbgnbd_model);
}

/* engage.clv_interval(engage.paretonbd, engage.gammagamma, ...) */
Datum
clv_interval_paretonbd(PG_FUNCTION_ARGS)
{
	return clv_interval(fcinfo, &clv_paretonbd_model);
}

/* engage.clv_interval(engage.ggomnbd, engage.gammagamma, ...) */
Datum
clv_interval_ggomnbd(PG_FUNCTION_ARGS)
{
	return clv_interval(fcinfo, &clv_ggomnbd_model);
}

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
 *	  Covariates (Fader & Hardie 2007 for the counting models, v_i =
 *	  v exp(theta' w_i) for Gamma-Gamma, see gammagamma.c): the customer's
 *	  purchase, dropout and spend covariate vectors follow step, and CLV is
 *	  the one above at the customer's parameters of both models; its
 *	  interval runs over both models' parameters and coefficients.
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

/* What a form without covariate vectors hints for a model with coefficients. */
#define CLV_COVARIATES_HINT "Use engage.clv(model, gg, frequency, recency, age, monetary, horizon, discount_rate, step, purchase_covariates, dropout_covariates, spend_covariates), or engage.clv_interval with the same vectors before level."

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
clv_alive_purchases(const BtydCountingModel *model, const double *params, double x, double T,
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
 * The arguments of CLV after step: the customer's purchase and dropout
 * covariate vectors, then the spend covariate vector.
 */
#define CLV_ARG_COVARIATES 9
#define CLV_ARG_SPEND_COVARIATES 11

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
clv_value(FunctionCallInfo fcinfo, const BtydCountingModel *model, const double *params,
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
 * One call of engage.clv or engage.clv_interval: the customer, and both
 * models as the vector theta of the delta method: the counting model's
 * parameters and coefficients (ncounting), then Gamma-Gamma's p, q, v and
 * spend coefficients (nspend); with the customer's covariate vectors, which
 * map theta to the customer's parameters.
 */
typedef struct ClvCall
{
	FunctionCallInfo fcinfo;
	const BtydCountingModel *model;
	ClvCustomer c;
	BtydCustomerCovariates cc;
	double		w[BTYD_MAX_COVARIATES]; /* spend covariates */
	int			ncounting;
	int			nspend;
	double		theta[DELTA_MAX_PARAMS];
} ClvCall;

/*
 * The arguments of engage.clv and engage.clv_interval, read and checked:
 * (model, gg, frequency, recency, age, monetary, horizon, discount_rate,
 * step), then nvectors covariate vectors (0; 2: purchase and dropout; 3: and
 * spend).  A model with coefficients needs its vectors (22023 with the hint
 * of the form taking them).
 */
static void
clv_args(FunctionCallInfo fcinfo, const BtydCountingModel *model, int nvectors,
		 ClvCall *call)
{
	ClvCustomer *c = &call->c;
	double	   *gg;

	call->fcinfo = fcinfo;
	call->model = model;
	call->ncounting = btyd_counting_getarg(fcinfo, model, 0,
										   nvectors >= 2 ? CLV_ARG_COVARIATES : -1,
										   CLV_COVARIATES_HINT, call->theta, &call->cc);
	gg = call->theta + call->ncounting;
	if (nvectors >= 3)
	{
		int			nw = btyd_covariate_vector(fcinfo, CLV_ARG_SPEND_COVARIATES,
											   "spend_covariates", call->w);

		call->nspend = gammagamma_read_theta(PG_GETARG_DATUM(1), nw, gg);
	}
	else
	{
		gammagamma_read_plain(PG_GETARG_DATUM(1), CLV_COVARIATES_HINT, gg);
		call->nspend = 0;
	}
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

/* CLV at theta (as in ClvCall) of the call's customer. */
static double
clv_score(const double *theta, void *arg)
{
	ClvCall    *call = (ClvCall *) arg;
	double		p_i[BTYD_MAX_PARAMS];
	double		gg[GG_NPARAMS];

	btyd_counting_customer(call->model, theta, &call->cc, p_i);
	gammagamma_customer_params(theta + call->ncounting, call->w, call->nspend, gg);
	return clv_value(call->fcinfo, call->model, p_i, gg, &call->c);
}

/*
 * The discounted CLV of one customer; arguments as in SQL (see clv_args):
 * 9, 11 or 12 of them.
 */
static double
clv_compute(FunctionCallInfo fcinfo, const BtydCountingModel *model)
{
	ClvCall		call;

	clv_args(fcinfo, model, PG_NARGS() - CLV_ARG_COVARIATES, &call);
	return clv_score(call.theta, &call);
}

/* engage.clv(engage.bgnbd, engage.gammagamma, ...) */
Datum
clv_bgnbd(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT8(finite_result(clv_compute(fcinfo, &btyd_counting_bgnbd), "clv"));
}

/* engage.clv(engage.mbgnbd, engage.gammagamma, ...) */
Datum
clv_mbgnbd(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT8(finite_result(clv_compute(fcinfo, &btyd_counting_mbgnbd), "clv"));
}

/* engage.clv(engage.paretonbd, engage.gammagamma, ...) */
Datum
clv_paretonbd(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT8(finite_result(clv_compute(fcinfo, &btyd_counting_paretonbd), "clv"));
}

/* engage.clv(engage.ggomnbd, engage.gammagamma, ...) */
Datum
clv_ggomnbd(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT8(finite_result(clv_compute(fcinfo, &btyd_counting_ggomnbd), "clv"));
}

/*
 * CLV prediction intervals by the delta method: CLV as a function of theta
 * (the counting model's parameters and coefficients, then Gamma-Gamma's
 * p, q, v and spend coefficients), whose covariance is block-diagonal, the
 * two models being fitted separately (their estimates independent):
 * Var = g1' Cov1 g1 + g2' Cov2 g2, each block the model's covariance over
 * its parameters and coefficients.  The gradient takes relative steps in
 * the parameters, absolute ones in the coefficients.  The interval is built
 * on the log scale (see uncertainty.h).
 *
 * engage.clv_interval(model, gg, frequency, recency, age, monetary, horizon,
 * discount_rate, step, [purchase_covariates, dropout_covariates,
 * spend_covariates,] level): NULL when either model has no covariance.
 */
static Datum
clv_interval(FunctionCallInfo fcinfo, const BtydCountingModel *model)
{
	double		cov[DELTA_MAX_PARAMS * DELTA_MAX_PARAMS] = {0};
	double		cov_counting[BTYD_MAX_FIT_PARAMS * BTYD_MAX_FIT_PARAMS];
	double		cov_gg[(GG_NPARAMS + BTYD_MAX_COVARIATES) * (GG_NPARAMS + BTYD_MAX_COVARIATES)];
	double		grad[DELTA_MAX_PARAMS];
	bool		positive[DELTA_MAX_PARAMS];
	double		z = interval_z(PG_GETARG_FLOAT8(PG_NARGS() - 1));
	ClvCall		call;
	int			n1,
				n2,
				n;
	double		est;

	clv_args(fcinfo, model, PG_NARGS() - 1 - CLV_ARG_COVARIATES, &call);
	n1 = call.ncounting;
	n2 = GG_NPARAMS + call.nspend;
	n = n1 + n2;
	/* checked here too, whether or not the models have a covariance */
	clv_schedule(call.c.horizon, call.c.step, call.c.discount_rate);
	if (!model_covariance(PG_GETARG_DATUM(0), model->nparams, n1, cov_counting) ||
		!model_covariance(PG_GETARG_DATUM(1), GG_NPARAMS, n2, cov_gg))
		PG_RETURN_NULL();
	for (int i = 0; i < n1; i++)
	{
		memcpy(cov + i * n, cov_counting + i * n1, sizeof(double) * n1);
		positive[i] = i < model->nparams;
	}
	for (int i = 0; i < n2; i++)
	{
		memcpy(cov + (n1 + i) * n + n1, cov_gg + i * n2, sizeof(double) * n2);
		positive[n1 + i] = i < GG_NPARAMS;
	}
	est = finite_result(clv_score(call.theta, &call), "clv");
	delta_gradient_masked(clv_score, &call, call.theta, n, positive, grad);
	return delta_interval_result(fcinfo, est, grad, cov, n, z, SCALE_LOG);
}

/* engage.clv_interval(engage.bgnbd, engage.gammagamma, ...) */
Datum
clv_interval_bgnbd(PG_FUNCTION_ARGS)
{
	return clv_interval(fcinfo, &btyd_counting_bgnbd);
}

/* engage.clv_interval(engage.mbgnbd, engage.gammagamma, ...) */
Datum
clv_interval_mbgnbd(PG_FUNCTION_ARGS)
{
	return clv_interval(fcinfo, &btyd_counting_mbgnbd);
}

/* engage.clv_interval(engage.paretonbd, engage.gammagamma, ...) */
Datum
clv_interval_paretonbd(PG_FUNCTION_ARGS)
{
	return clv_interval(fcinfo, &btyd_counting_paretonbd);
}

/* engage.clv_interval(engage.ggomnbd, engage.gammagamma, ...) */
Datum
clv_interval_ggomnbd(PG_FUNCTION_ARGS)
{
	return clv_interval(fcinfo, &btyd_counting_ggomnbd);
}

/*-------------------------------------------------------------------------
 *
 * clv.c
 *	  Discounted customer lifetime value from a counting model (BG/NBD,
 *	  MBG/NBD, Pareto/NBD, GGompertz/NBD) and the Gamma-Gamma spend model, with the
 *	  convention of the lifetimes package (Fader, Hardie & Lee 2005, "RFM and
 *	  CLV: using iso-value curves", combine the two models the same way):
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
 *-------------------------------------------------------------------------
 */
#include "engage.h"

#include "btyd.h"
#include "gammagamma.h"
#include "miscadmin.h"

PG_FUNCTION_INFO_V1(clv_bgnbd);
PG_FUNCTION_INFO_V1(clv_mbgnbd);
PG_FUNCTION_INFO_V1(clv_paretonbd);
PG_FUNCTION_INFO_V1(clv_ggomnbd);

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
	4, bgnbd_names, bgnbd_expected_alive_steps, clv_bgnbd_p_alive
};
static const ClvModel clv_mbgnbd_model = {
	4, bgnbd_names, mbgnbd_expected_alive_steps, clv_mbgnbd_p_alive
};
static const ClvModel clv_paretonbd_model = {
	4, paretonbd_names, paretonbd_expected_alive_steps, paretonbd_p_alive_memo
};
static const ClvModel clv_ggomnbd_model = {
	5, ggomnbd_names, ggomnbd_expected_alive_steps, ggomnbd_p_alive_memo
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

/*
 * The discounted CLV of one customer; arguments as in SQL:
 * (model, gg, frequency, recency, age, monetary, horizon, discount_rate, step).
 * CLV = P(alive) * spend * the discounted purchases if alive, the last
 * memoised per (frequency, age) for the call site's model and schedule under
 * the key (x, T, -1) (Pareto/NBD's P(alive) uses the memo too, see btyd.h).
 * The schedule is checked on a miss only: a hit was computed under the same
 * constants, which passed.
 */
static double
clv_compute(FunctionCallInfo fcinfo, const ClvModel *model)
{
	double		consts[BTYD_MEMO_MAX_CONSTS];
	double		gg[GG_NPARAMS];
	double		x = PG_GETARG_FLOAT8(2);
	double		tx = PG_GETARG_FLOAT8(3);
	double		T = PG_GETARG_FLOAT8(4);
	double		monetary = PG_GETARG_FLOAT8(5);
	double		horizon = PG_GETARG_FLOAT8(6);
	double		d = PG_GETARG_FLOAT8(7);
	double		step = PG_GETARG_FLOAT8(8);
	int			np = model->nparams;
	double		spend;
	double		alive_purchases;
	double		p_alive;
	bool		hit;
	BtydMemoEntry *slot;

	/* consts: the model's parameters, then horizon, step, discount_rate */
	BTYD_GETARG_MODEL(0, np, model->names, consts);
	gammagamma_read_model(PG_GETARG_DATUM(1), gg);
	btyd_check_summary(x, tx, T);
	gammagamma_check_summary(x, monetary);
	consts[np] = horizon;
	consts[np + 1] = step;
	consts[np + 2] = d;

	slot = btyd_memo_slot(fcinfo, consts, np + 3, x, T, -1.0, &alive_purchases, &hit);
	if (!hit)
	{
		int			k = clv_schedule(horizon, step, d);

		alive_purchases = clv_alive_purchases(model, consts, x, T, step,
											  1.0 / (1.0 + d), k);
		btyd_memo_store(slot, x, T, -1.0, alive_purchases);
	}
	spend = gammagamma_spend(gg, x, monetary);
	p_alive = model->p_alive(fcinfo, consts, np + 3, x, tx, T);
	return alive_purchases * p_alive * spend;
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

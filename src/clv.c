/*-------------------------------------------------------------------------
 *
 * clv.c
 *	  Discounted customer lifetime value from a counting model (BG/NBD,
 *	  MBG/NBD, Pareto/NBD) and the Gamma-Gamma spend model, with the
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
 *-------------------------------------------------------------------------
 */
#include "engage.h"

#include "btyd.h"
#include "gammagamma.h"
#include "miscadmin.h"

PG_FUNCTION_INFO_V1(clv_bgnbd);
PG_FUNCTION_INFO_V1(clv_mbgnbd);
PG_FUNCTION_INFO_V1(clv_paretonbd);

/* More steps than this per customer are refused (22023). */
#define CLV_MAX_STEPS 100000

/* A counting model's E[X(t) | x, t_x, T] (see btyd.h). */
typedef double (*ExpectedFn) (const double *params, double t,
							  double x, double tx, double T);

static const char *const bgnbd_names[] = {"r", "alpha", "a", "b"};
static const char *const paretonbd_names[] = {"r", "alpha", "s", "beta"};

/* The number of whole steps in the horizon, after checking both. */
static int
clv_steps(double horizon, double step)
{
	double		k;

	ensure_nonnegative(horizon, "horizon");
	ensure_positive(step, "step");
	k = floor(horizon / step + 1e-9);
	if (k > CLV_MAX_STEPS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("horizon / step must not exceed %d steps", CLV_MAX_STEPS)));
	return (int) k;
}

/*
 * The discounted CLV of one customer; arguments as in SQL:
 * (model, gg, frequency, recency, age, monetary, horizon, discount_rate, step).
 */
static double
clv_compute(FunctionCallInfo fcinfo, ExpectedFn expected,
			const char *const *names)
{
	double		params[BTYD_MAX_PARAMS];
	double		gg[GG_NPARAMS];
	double		x = PG_GETARG_FLOAT8(2);
	double		tx = PG_GETARG_FLOAT8(3);
	double		T = PG_GETARG_FLOAT8(4);
	double		monetary = PG_GETARG_FLOAT8(5);
	double		horizon = PG_GETARG_FLOAT8(6);
	double		d = PG_GETARG_FLOAT8(7);
	double		step = PG_GETARG_FLOAT8(8);
	double		spend;
	double		discount;
	double		factor = 1.0;
	double		previous = 0.0;
	double		purchases = 0.0;
	int			k;

	BTYD_GETARG_MODEL(0, 4, names, params);
	gammagamma_read_model(PG_GETARG_DATUM(1), gg);
	btyd_check_summary(x, tx, T);
	gammagamma_check_summary(x, monetary);
	ensure_finite(d, "discount_rate");
	if (d <= -1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("discount_rate must be greater than -1")));
	k = clv_steps(horizon, step);
	spend = gammagamma_spend(gg, x, monetary);
	discount = 1.0 / (1.0 + d);

	for (int i = 1; i <= k; i++)
	{
		double		cumulative = expected(params, i * step, x, tx, T);

		factor *= discount;
		purchases += (cumulative - previous) * factor;
		previous = cumulative;
		if ((i & 0x3FF) == 0)
			CHECK_FOR_INTERRUPTS();
	}
	return purchases * spend;
}

/* engage.clv(engage.bgnbd, engage.gammagamma, ...) */
Datum
clv_bgnbd(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT8(clv_compute(fcinfo, bgnbd_expected_conditional, bgnbd_names));
}

/* engage.clv(engage.mbgnbd, engage.gammagamma, ...) */
Datum
clv_mbgnbd(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT8(clv_compute(fcinfo, mbgnbd_expected_conditional, bgnbd_names));
}

/* engage.clv(engage.paretonbd, engage.gammagamma, ...) */
Datum
clv_paretonbd(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT8(clv_compute(fcinfo, paretonbd_expected_conditional, paretonbd_names));
}

/*-------------------------------------------------------------------------
 *
 * counting.c
 *	  The counting models (BG/NBD, MBG/NBD, Pareto/NBD, GGompertz/NBD) as the
 *	  scores built on them see them (CLV, src/models/clv.c; the delta-method
 *	  intervals, src/models/uncertainty.c): one descriptor per model, and
 *	  reading a model with its covariate coefficients and a customer's
 *	  covariate vectors (Fader & Hardie 2007, "Incorporating time-invariant
 *	  covariates into the Pareto/NBD and BG/NBD models").  The code using
 *	  them depends on the model only through the descriptor.
 *
 *-------------------------------------------------------------------------
 */
#include "engage.h"

#include "btyd.h"

/* BG/NBD and MBG/NBD P(alive) are cheaper than a memo lookup. */
static double
counting_bgnbd_p_alive(FunctionCallInfo fcinfo, const double *consts, int nconsts,
					   double x, double tx, double T)
{
	return bgnbd_p_alive(consts, x, tx, T);
}

static double
counting_mbgnbd_p_alive(FunctionCallInfo fcinfo, const double *consts, int nconsts,
						double x, double tx, double T)
{
	return mbgnbd_p_alive(consts, x, tx, T);
}

const BtydCountingModel btyd_counting_bgnbd = {
	"BG/NBD", 4, bgnbd_expected_alive_steps, counting_bgnbd_p_alive,
	&bgnbd_covariate_map
};
const BtydCountingModel btyd_counting_mbgnbd = {
	"MBG/NBD", 4, mbgnbd_expected_alive_steps, counting_mbgnbd_p_alive,
	&bgnbd_covariate_map
};
const BtydCountingModel btyd_counting_paretonbd = {
	"Pareto/NBD", 4, paretonbd_expected_alive_steps, paretonbd_p_alive_memo,
	&paretonbd_covariate_map
};

const BtydCountingModel btyd_counting_ggomnbd = {
	"GGompertz/NBD", 5, ggomnbd_expected_alive_steps, ggomnbd_p_alive_memo,
	&ggomnbd_covariate_map
};

int
btyd_counting_getarg(FunctionCallInfo fcinfo, const BtydCountingModel *model, int argno,
					 int argp, const char *hint, double *theta, BtydCustomerCovariates *cc)
{
	Datum		d = PG_GETARG_DATUM(argno);
	int			np = model->nparams;
	BtydCoefficients coef;

	btyd_read_model(d, np, model->covariates->names, theta);
	cc->n[0] = cc->n[1] = 0;
	if (argp < 0)
	{
		btyd_reject_coefficients(d, np, hint);
		return np;
	}
	btyd_read_coefficients(d, np, 2, &coef);
	btyd_getarg_covariates(fcinfo, argp, argp + 1, &coef, cc->xp, cc->xd);
	cc->n[0] = coef.n[0];
	cc->n[1] = coef.n[1];
	memcpy(theta + np, coef.coef[0], sizeof(double) * coef.n[0]);
	memcpy(theta + np + coef.n[0], coef.coef[1], sizeof(double) * coef.n[1]);
	return np + coef.n[0] + coef.n[1];
}

void
btyd_counting_customer(const BtydCountingModel *model, const double *theta,
					   const BtydCustomerCovariates *cc, double *p_i)
{
	BtydCoefficients coef;

	if (cc->n[0] + cc->n[1] == 0)
	{
		memcpy(p_i, theta, sizeof(double) * model->nparams);
		return;
	}
	btyd_coefficients_of(theta, model->nparams, cc->n[0], cc->n[1], &coef);
	btyd_customer_params(model->covariates, model->nparams, theta, &coef, cc->xp, cc->xd,
						 p_i);
}

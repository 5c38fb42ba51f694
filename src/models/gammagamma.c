/*-------------------------------------------------------------------------
 *
 * gammagamma.c
 *	  The Gamma-Gamma model of spend per transaction (Fader, Hardie & Lee
 *	  2005, "RFM and CLV: using iso-value curves for customer base analysis",
 *	  Journal of Marketing Research 42(4); Fader & Hardie 2013, "The
 *	  Gamma-Gamma model of monetary value"): fitting and the conditional
 *	  expected average transaction value.
 *
 * A customer's transaction values are i.i.d. Gamma(p, nu), nu ~ Gamma(q, v)
 * across customers.  Of x >= 1 transactions with mean z (the summary's
 * monetary value), z | nu ~ Gamma(p x, nu x), so that
 *
 *	 f(z | p, q, v, x) = Gamma(p x + q) / (Gamma(p x) Gamma(q))
 *		* v^q x^(p x) z^(p x - 1) / (v + x z)^(p x + q)
 *
 * and
 *
 *	 E[M | p, q, v, x, z] = (v + x z) p / (p x + q - 1)
 *		= (q - 1)/(p x + q - 1) * v p/(q - 1) + p x/(p x + q - 1) * z,
 *
 * a weighted mean of the population mean v p / (q - 1) and the customer's
 * own mean z.  Customers without repeat transactions (x = 0) carry no
 * information about spend: the fit skips them, and their expected spend is
 * the population mean.  Nor do customers with repeat transactions but a
 * mean value <= 0 (refunds, orders without amounts, zero-amount orders: the
 * model's values are positive): the fit skips them too, with a NOTICE
 * giving their number, rather than failing for the whole population.
 *
 * Covariates (no published model; the parameterisation of Fader & Hardie
 * 2007 carried over to spend): customer i's scale is
 * v_i = v exp(theta' w_i) for a vector w_i of spend covariates, so that
 * the population mean spend v_i p / (q - 1) of customers like i is
 * exp(theta' w_i) times that of w = 0: a positive theta_k raises the
 * expected spend by the factor exp(theta_k) per unit of w_k.  The
 * likelihood and E[M] are those above with v_i for v.  The fit sample's
 * tuples are (x, z, w_1, ..., w_k).
 *
 *-------------------------------------------------------------------------
 */
#include "engage.h"

#include <float.h>

#include "executor/executor.h"
#include "miscadmin.h"

#include "btyd.h"
#include "fitdata.h"
#include "gammagamma.h"
#include "special.h"

PG_FUNCTION_INFO_V1(gammagamma_fit_accum);
PG_FUNCTION_INFO_V1(gammagamma_fit_accum_rfm);
PG_FUNCTION_INFO_V1(gammagamma_fit_final);
PG_FUNCTION_INFO_V1(gammagamma_expected_spend);
PG_FUNCTION_INFO_V1(gammagamma_fit_accum_covariates);
PG_FUNCTION_INFO_V1(gammagamma_fit_final_covariates);
PG_FUNCTION_INFO_V1(gammagamma_expected_spend_covariates);

static const char *const gg_param_names[GG_NPARAMS] = {"p", "q", "v"};
static const char *const gg_coef_names[1] = {"spend"};

/* The summary columns of a fit tuple; the spend covariates follow. */
#define GG_SUMMARY_COLS 2

void
gammagamma_check_summary(double x, double m)
{
	ensure_nonnegative(x, "frequency");
	ensure_finite(m, "monetary");
	if (m < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("monetary must not be negative"),
				 errdetail("The monetary value is %g.", m)));
	if (x > 0 && m == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("monetary must be positive when frequency is positive"),
				 errdetail("The monetary value is 0 with frequency %g.", x)));
}

/*
 * Checks a customer of the fit sample: errors for a negative or non-finite
 * frequency or a non-finite monetary value.  A customer with repeat
 * transactions but no positive mean value (a refund, orders without
 * amounts, a zero-amount order) is no error: it cannot inform the fit,
 * which skips it with a notice.
 */
static void
gg_fit_check(double x, double m)
{
	if (isnan(x) || isinf(x))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("frequency must be a finite number"),
				 errdetail("The frequency is %g (monetary %g).", x, m)));
	if (x < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("frequency must not be negative"),
				 errdetail("The frequency is %g (monetary %g).", x, m)));
	if (isnan(m) || isinf(m))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("monetary must be a finite number"),
				 errdetail("The monetary value is %g (frequency %g).", m, x)));
}

void
gammagamma_read_plain(Datum d, const char *hint, double *par)
{
	btyd_read_model(d, GG_NPARAMS, gg_param_names, par);
	btyd_reject_coefficients(d, GG_NPARAMS, hint);
}

int
gammagamma_read_theta(Datum d, int nw, double *theta)
{
	BtydCoefficients coefs;

	btyd_read_model(d, GG_NPARAMS, gg_param_names, theta);
	btyd_read_coefficients(d, GG_NPARAMS, 1, &coefs);
	btyd_check_covariates(coefs.n[0], nw, "spend_covariates");
	memcpy(theta + GG_NPARAMS, coefs.coef[0], sizeof(double) * nw);
	return nw;
}

void
gammagamma_customer_params(const double *theta, const double *w, int nw, double *par)
{
	par[0] = theta[0];
	par[1] = theta[1];
	par[2] = nw > 0 ?
		btyd_covariate_scaled(theta[2], btyd_linear_predictor(theta + GG_NPARAMS, w, nw), "v") :
		theta[2];
}

void
gammagamma_read_model_covariates(Datum d, const double *w, int nw, double *par)
{
	double		theta[GG_NPARAMS + BTYD_MAX_COVARIATES];

	gammagamma_read_theta(d, nw, theta);
	gammagamma_customer_params(theta, w, nw, par);
}

/*
 * ln(p x + q - 1) given the sum d formed in floating point: q - 1 is exact
 * for q in [1, 2] and taken with p x - 1 (one rounding, fma) for q < 1, so
 * that a sum far below 1 keeps its digits; where d overflows, from the logs
 * of its terms.
 */
static double
gg_log_denominator(double p, double q, double x, double d)
{
	if (isfinite(d))
		return log(d);
	if (q >= 1.0)
		return log_sum_exp(log(p) + log(x), log(q - 1.0));
	return log(p) + log(x);		/* |q - 1| < 1 is lost against p x > DBL_MAX */
}

double
gammagamma_spend(const double *par, double x, double z)
{
	double		p = par[0],
				q = par[1],
				v = par[2];
	double		px = p * x;
	double		denom = !isfinite(px) ? INFINITY :
		q >= 1.0 ? px + (q - 1.0) : fma(p, x, -1.0) + q;
	double		spend = (v + x * z) * p / denom;

	if (!(denom > 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("expected spend is infinite when p * frequency + q <= 1"),
				 errhint("A model with q <= 1 has no finite mean spend for customers without repeat transactions.")));
	if (isfinite(denom) && isfinite(spend) && spend >= DBL_MIN)
		return spend;

	/*
	 * Where x z, p x or p v overflow (e.g. x = 1e308), the same as the
	 * weighted mean v p / denom + w z, w = p x / denom = 1 / (1 + (q - 1) /
	 * (p x)), in which no product overflows unless the result does.
	 */
	if (isfinite(denom))
	{
		double		w = px > 0 ? 1.0 / (1.0 + (q - 1) / px) : 0.0;

		spend = p / denom * v + (w == 0.0 ? 0.0 : w * z);
		if (isfinite(spend) && spend >= DBL_MIN)
			return spend;
	}

	/*
	 * Where the denominator overflows too, or a term underflows (e.g.
	 * p = q = 1e308): p (v + x z) / (p x + q - 1) from logarithms, whose
	 * rounding (at most 1e-16 of 1500) costs below 1e-12 of the value.
	 */
	return exp(log(p) + log_sum_exp(log(v), log(x) + log(z)) -
			   gg_log_denominator(p, q, x, denom));
}

/*
 * ln f(z | p, q, v, x) at par = {p, q, v}; with grad not NULL also its
 * gradient with respect to par.
 */
static double
gg_loglik(const double *par, double x, double z, double *grad)
{
	double		p = par[0],
				q = par[1],
				v = par[2];
	double		px = p * x;
	double		lvxz = log(v + x * z);

	if (grad)
	{
		double		psi_pxq = digamma(px + q);

		grad[0] = x * (psi_pxq - digamma(px) + log(z) + log(x) - lvxz);
		grad[1] = psi_pxq - digamma(q) + log(v) - lvxz;
		grad[2] = q / v - (px + q) / (v + x * z);
	}
	return lgamma(px + q) - lgamma(px) - lgamma(q) + q * log(v) +
		px * log(x) + (px - 1) * log(z) - (px + q) * lvxz;
}

/*
 * The weighted sum of ln f over the sample at par, gradient when grad is not
 * NULL.  par = {p, q, v, theta_1, ..., theta_k} for a sample of k spend
 * covariates per tuple (k = 0: the model without covariates): each
 * customer's scale is v_i = v exp(theta' w_i), d ln f / d theta_j =
 * d ln f / d v_i * v_i w_ij and d ln f / d v = d ln f / d v_i * v_i / v.
 */
static double
gg_loglik_sample(const double *par, const FitData *fd, double *grad)
{
	int			ncov = fd->k - GG_SUMMARY_COLS;
	double		g[GG_NPARAMS] = {0, 0, 0};
	double		pi[GG_NPARAMS] = {par[0], par[1], par[2]};
	double		total = 0.0;

	if (grad)
		for (int j = 0; j < GG_NPARAMS + ncov; j++)
			grad[j] = 0.0;
	for (int i = 0; i < fd->ntuples; i++)
	{
		const double *t = fitdata_tuple(fd, i);
		double		w = fitdata_weight(fd, i);
		double		factor = ncov > 0 ?
			exp(btyd_linear_predictor(par + GG_NPARAMS, t + GG_SUMMARY_COLS, ncov)) : 1.0;

		pi[2] = par[2] * factor;
		total += w * gg_loglik(pi, t[0], t[1], grad ? g : NULL);
		if (grad)
		{
			grad[0] += w * g[0];
			grad[1] += w * g[1];
			grad[2] += w * (g[2] * factor);
			for (int j = 0; j < ncov; j++)
				grad[GG_NPARAMS + j] += w * (g[2] * pi[2] * t[GG_SUMMARY_COLS + j]);
		}
	}
	return total;
}

static const BtydModelSpec gg_spec = {
	"gammagamma", GG_NPARAMS, gg_param_names, gg_loglik_sample, true, NULL, NULL, NULL
};

/*
 * Adds a customer (frequency, monetary) of weight w to the fit sample:
 * customers with frequency 0 carry no information and are left out;
 * customers with repeat transactions but monetary <= 0 are kept as tuples
 * of their own, so that parallel plans count them too, and the final
 * function skips them with a notice.
 */
static void
gg_fit_add(FitData *fd, double *tuple, double w)
{
	gg_fit_check(tuple[0], tuple[1]);
	if (tuple[0] > 0)
	{
		if (tuple[1] < 0)
			tuple[1] = 0.0;		/* one tuple for all skipped of a frequency */
		fitdata_add(fd, tuple, w);
	}
}

/*
 * Transition of engage.gammagamma_fit(frequency, monetary [, weight]): adds
 * a customer with repeat transactions to the compressed sample.  Customers
 * with frequency 0 are checked and skipped, those with monetary <= 0 kept
 * apart (see gg_fit_add); rows with a NULL argument are skipped.
 */
Datum
gammagamma_fit_accum(PG_FUNCTION_ARGS)
{
	FitData    *fd = fitdata_getarg(fcinfo, 0, 2, "gammagamma_fit_accum");
	double		tuple[2];
	double		w = 1.0;

	for (int i = 1; i < PG_NARGS(); i++)
		if (PG_ARGISNULL(i))
			PG_RETURN_POINTER(fd);
	tuple[0] = PG_GETARG_FLOAT8(1);
	tuple[1] = PG_GETARG_FLOAT8(2);
	if (PG_NARGS() > 3)
	{
		w = PG_GETARG_FLOAT8(3);
		ensure_nonnegative(w, "weight");
	}
	gg_fit_add(fd, tuple, w);
	PG_RETURN_POINTER(fd);
}

/*
 * Transition of engage.gammagamma_fit(engage.rfm [, weight]): the same with
 * the frequency (integer) and monetary of the summary.  NULL summaries, or a
 * NULL field or weight, are skipped.
 */
Datum
gammagamma_fit_accum_rfm(PG_FUNCTION_ARGS)
{
	FitData    *fd = fitdata_getarg(fcinfo, 0, 2, "gammagamma_fit_accum_rfm");
	HeapTupleHeader summary;
	bool		xnull,
				znull;
	Datum		x,
				z;
	double		tuple[2];
	double		w = 1.0;

	for (int i = 1; i < PG_NARGS(); i++)
		if (PG_ARGISNULL(i))
			PG_RETURN_POINTER(fd);
	summary = PG_GETARG_HEAPTUPLEHEADER(1);
	x = GetAttributeByName(summary, "frequency", &xnull);
	z = GetAttributeByName(summary, "monetary", &znull);
	if (xnull || znull)
		PG_RETURN_POINTER(fd);
	tuple[0] = (double) DatumGetInt32(x);
	tuple[1] = DatumGetFloat8(z);
	if (PG_NARGS() > 2)
	{
		w = PG_GETARG_FLOAT8(2);
		ensure_nonnegative(w, "weight");
	}
	gg_fit_add(fd, tuple, w);
	PG_RETURN_POINTER(fd);
}

/*
 * The customers of sample fd with a positive monetary value (all of them,
 * fd itself, when there are no others); a NOTICE gives the number of
 * customers skipped for a monetary value <= 0.
 */
static FitData *
gg_fit_usable_sample(FitData *fd)
{
	FitData    *usable;
	FitData    *skipped;
	int			nskipped = 0;

	for (int i = 0; i < fd->ntuples; i++)
		if (!(fitdata_tuple(fd, i)[1] > 0))
			nskipped++;
	if (nskipped == 0)
		return fd;
	usable = fitdata_create(CurrentMemoryContext, fd->k);
	skipped = fitdata_create(CurrentMemoryContext, fd->k);
	for (int i = 0; i < fd->ntuples; i++)
	{
		const double *t = fitdata_tuple(fd, i);

		CHECK_FOR_INTERRUPTS();
		fitdata_add(t[1] > 0 ? usable : skipped, t, fitdata_weight(fd, i));
	}
	ereport(NOTICE,
			(errmsg("gammagamma_fit skipped %.15g customers with repeat transactions but no positive monetary value",
					fitdata_total_weight(skipped)),
			 errdetail("Their mean transaction value is 0 or negative (refunds, orders without amounts, zero amounts); the fit uses the %.15g others.",
					   fitdata_total_weight(usable))));
	return usable;
}

/*
 * Final function of engage.gammagamma_fit: the maximum-likelihood
 * engage.gammagamma; NULL when no customer had a repeat transaction.
 */
Datum
gammagamma_fit_final(PG_FUNCTION_ARGS)
{
	FitData    *fd = PG_ARGISNULL(0) ? NULL : (FitData *) PG_GETARG_POINTER(0);

	if (fd == NULL)
		PG_RETURN_NULL();
	fd = gg_fit_usable_sample(fd);
	if (fitdata_total_weight(fd) <= 0)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(btyd_fit_sample(fcinfo, &gg_spec, fd, 0.0));
}

/*
 * Transition of engage.gammagamma_fit(frequency, monetary, spend_covariates
 * [, weight [, penalizer]]): as gammagamma_fit_accum, each tuple followed by
 * the customer's covariates.  Every row must have as many covariates (22023
 * naming the row's and the earlier rows' number); rows with a NULL argument
 * (a NULL penalizer counts as 0) are skipped.
 */
Datum
gammagamma_fit_accum_covariates(PG_FUNCTION_ARGS)
{
	double		tuple[GG_SUMMARY_COLS + BTYD_MAX_COVARIATES];
	double		penalizer;
	FitData    *fd;
	double		w;

	if (btyd_covariate_row_skipped(fcinfo, 5))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_POINTER(PG_GETARG_POINTER(0));
	}
	fd = btyd_covariate_sample(fcinfo, 3, "spend_covariates", GG_SUMMARY_COLS, tuple,
							   "gammagamma_fit_accum_covariates");
	tuple[0] = PG_GETARG_FLOAT8(1);
	tuple[1] = PG_GETARG_FLOAT8(2);
	w = btyd_weight_penalizer_args(fcinfo, 4, &penalizer);
	fitdata_set_options(fd, &penalizer, 1, "penalizer");
	gg_fit_add(fd, tuple, w);
	PG_RETURN_POINTER(fd);
}

/*
 * Final function of engage.gammagamma_fit(frequency, monetary,
 * spend_covariates ...): the maximum-likelihood engage.gammagamma with its
 * spend coefficients; NULL when no customer had a repeat transaction.
 */
Datum
gammagamma_fit_final_covariates(PG_FUNCTION_ARGS)
{
	FitData    *fd = PG_ARGISNULL(0) ? NULL : (FitData *) PG_GETARG_POINTER(0);
	int			ncoef[1];

	if (fd == NULL)
		PG_RETURN_NULL();
	fd = gg_fit_usable_sample(fd);
	if (fitdata_total_weight(fd) <= 0)
		PG_RETURN_NULL();
	ncoef[0] = fd->k - GG_SUMMARY_COLS;
	PG_RETURN_DATUM(btyd_fit_covariates(fcinfo, &gg_spec, fd, GG_SUMMARY_COLS, ncoef, ncoef, 1, gg_coef_names,
										btyd_state_penalizer(fd)));
}

/*
 * E[M | p, q, v, x, z]: the expected average transaction value of a
 * customer with x repeat transactions of mean z (z is ignored when x = 0).
 */
Datum
gammagamma_expected_spend(PG_FUNCTION_ARGS)
{
	double		par[GG_NPARAMS];
	double		x = PG_GETARG_FLOAT8(1);
	double		z = PG_GETARG_FLOAT8(2);

	gammagamma_read_plain(PG_GETARG_DATUM(0),
						  "Score it with engage.expected_spend(model, frequency, monetary, spend_covariates).",
						  par);
	gammagamma_check_summary(x, z);
	PG_RETURN_FLOAT8(finite_result(gammagamma_spend(par, x, z), "expected_spend"));
}

/*
 * E[M | p, q, v_i, x, z] of a customer with spend covariates w_i
 * (v_i = v exp(theta' w_i)); a model without covariates takes an empty
 * vector.
 */
Datum
gammagamma_expected_spend_covariates(PG_FUNCTION_ARGS)
{
	double		par[GG_NPARAMS];
	double		w[BTYD_MAX_COVARIATES];
	double		x = PG_GETARG_FLOAT8(1);
	double		z = PG_GETARG_FLOAT8(2);
	int			nw = btyd_covariate_vector(fcinfo, 3, "spend_covariates", w);

	gammagamma_read_model_covariates(PG_GETARG_DATUM(0), w, nw, par);
	gammagamma_check_summary(x, z);
	PG_RETURN_FLOAT8(finite_result(gammagamma_spend(par, x, z), "expected_spend"));
}

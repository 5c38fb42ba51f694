/*-------------------------------------------------------------------------
 *
 * sbg.c
 *	  The shifted Beta-Geometric (sBG) model of contract renewals (Fader &
 *	  Hardie 2007, "How to project customer retention", Journal of
 *	  Interactive Marketing 21(1)), fitted to individual customers, and the
 *	  discounted expected residual lifetime of Fader & Hardie 2010
 *	  ("Customer-base valuation in a contractual setting: the perils of
 *	  ignoring heterogeneity", Marketing Science 29(1)).
 *
 * At the end of each period an active customer cancels with probability
 * theta, theta ~ Beta(alpha, beta).  The lifetime T (periods until and
 * including the one at whose end the customer cancels) has (FH 2007)
 *
 *	 P(T = t) = B(alpha + 1, beta + t - 1) / B(alpha, beta),  t >= 1
 *	 S(t) = P(T > t) = B(alpha, beta + t) / B(alpha, beta)
 *	 r_t = S(t) / S(t - 1) = (beta + t - 1) / (alpha + beta + t - 1)
 *
 * A customer observed for `tenure` periods contributes P(T = tenure) when
 * they cancelled at its end, S(tenure) when still active.  For a customer
 * who has made n - 1 renewals, just before the n-th renewal decision, with
 * discount rate d per period (FH 2010),
 *
 *	 DERL(d | n - 1) = sum_{k>=0} S(n + k) / S(n - 1) / (1 + d)^k
 *		= (beta + n - 1)/(alpha + beta + n - 1)
 *		  * 2F1(1, beta + n; alpha + beta + n; 1/(1 + d)),
 *
 * so that the expected residual value of a customer paying m per period is
 * m * DERL.
 *
 * Covariates, as PyMC-Marketing's ShiftedBetaGeoModel has them: customer i
 * with dropout covariates z_i has
 *
 *	 alpha_i = alpha exp(-gamma_a' z_i),  beta_i = beta exp(-gamma_b' z_i),
 *
 * two coefficient vectors, stored one after the other in the model's
 * dropout_coefficients (gamma_a, then gamma_b).  The mean churn probability
 * alpha_i / (alpha_i + beta_i) falls with gamma_a' z_i and rises with
 * gamma_b' z_i; equal coefficients change only the concentration
 * alpha_i + beta_i.  Every formula above holds with alpha_i, beta_i.  The
 * fit sample's tuples are (tenure, churned, z_1, ..., z_k).
 *
 *-------------------------------------------------------------------------
 */
#include "engage.h"

#include <float.h>

#include "btyd.h"
#include "fitdata.h"
#include "special.h"

PG_FUNCTION_INFO_V1(sbg_fit_accum);
PG_FUNCTION_INFO_V1(sbg_fit_final);
PG_FUNCTION_INFO_V1(sbg_survival);
PG_FUNCTION_INFO_V1(sbg_retention_rate);
PG_FUNCTION_INFO_V1(sbg_derl);

PG_FUNCTION_INFO_V1(sbg_fit_accum_covariates);
PG_FUNCTION_INFO_V1(sbg_fit_final_covariates);

#define SBG_NPARAMS 2
/* The summary columns of a fit tuple; the dropout covariates follow. */
#define SBG_SUMMARY_COLS 2

static const char *const sbg_param_names[SBG_NPARAMS] = {"alpha", "beta"};
static const char *const sbg_coef_names[1] = {"dropout"};

/*
 * ln P(T = t) = ln B(alpha + 1, beta + t - 1) - ln B(alpha, beta) for t >= 1:
 * ln(alpha / (alpha + beta)) + ln S(t - 1) of Beta(alpha + 1, beta), with
 * B(alpha + 1, beta) = B(alpha, beta) alpha / (alpha + beta).
 */
static double
sbg_log_churn_at(double a, double b, double t)
{
	return -log1p_quotient(b, a) + log_beta_ratio(a + 1, b, t - 1);
}

/*
 * ln P(T = t) (churned) or ln S(t) (active) at par = {alpha, beta}; with
 * grad not NULL also the gradient with respect to par.
 */
static double
sbg_loglik(const double *par, double t, bool churned, double *grad)
{
	double		a = par[0],
				b = par[1];

	if (grad)
	{
		double		psi_ab = digamma(a + b);
		double		psi_abt = digamma(a + b + t);

		if (churned)
		{
			grad[0] = digamma(a + 1) - digamma(a) - psi_abt + psi_ab;
			grad[1] = digamma(b + t - 1) - digamma(b) - psi_abt + psi_ab;
		}
		else
		{
			grad[0] = psi_ab - psi_abt;
			grad[1] = digamma(b + t) - digamma(b) - psi_abt + psi_ab;
		}
	}
	return churned ? sbg_log_churn_at(a, b, t) : log_beta_ratio(a, b, t);
}

/*
 * The weighted sum of the log-likelihoods at par, gradient when grad is not
 * NULL.  par = {alpha, beta, gamma_a (k), gamma_b (k)} for a sample of k
 * dropout covariates per tuple (k = 0: the model without covariates); with
 * alpha_i = alpha exp(-gamma_a' z_i), d LL / d gamma_a,j = -d LL / d alpha_i
 * alpha_i z_ij and d LL / d alpha = d LL / d alpha_i alpha_i / alpha (the
 * same for beta).
 */
static double
sbg_loglik_sample(const double *par, const FitData *fd, double *grad)
{
	int			k = fd->k - SBG_SUMMARY_COLS;
	const double *ga = par + SBG_NPARAMS;
	const double *gb = ga + k;
	double		g[SBG_NPARAMS] = {0, 0};
	double		pi[SBG_NPARAMS];
	double		total = 0.0;

	if (grad)
		for (int j = 0; j < SBG_NPARAMS + 2 * k; j++)
			grad[j] = 0.0;
	for (int i = 0; i < fd->ntuples; i++)
	{
		const double *t = fitdata_tuple(fd, i);
		const double *z = t + SBG_SUMMARY_COLS;
		double		w = fitdata_weight(fd, i);
		double		fa = k > 0 ? exp(-btyd_linear_predictor(ga, z, k)) : 1.0;
		double		fb = k > 0 ? exp(-btyd_linear_predictor(gb, z, k)) : 1.0;

		pi[0] = par[0] * fa;
		pi[1] = par[1] * fb;
		total += w * sbg_loglik(pi, t[0], t[1] != 0, grad ? g : NULL);
		if (grad)
		{
			grad[0] += w * (g[0] * fa);
			grad[1] += w * (g[1] * fb);
			for (int j = 0; j < k; j++)
			{
				grad[SBG_NPARAMS + j] -= w * (g[0] * pi[0] * z[j]);
				grad[SBG_NPARAMS + k + j] -= w * (g[1] * pi[1] * z[j]);
			}
		}
	}
	return total;
}

static const BtydModelSpec sbg_spec = {
	"sbg", SBG_NPARAMS, sbg_param_names, sbg_loglik_sample, true, NULL, NULL, NULL
};

/* Checks a customer's tenure and churned flag. */
static void
sbg_check_customer(int32 tenure, bool churned)
{
	if (churned && tenure < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("tenure of a churned customer must be at least 1"),
				 errdetail("Periods start at 1: a customer who cancels at the end of the first period has tenure 1.")));
	if (tenure < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("tenure must not be negative")));
}

/*
 * Transition of engage.sbg_fit(tenure, churned [, weight]): adds the
 * customer to the compressed sample; rows with a NULL argument are skipped.
 * A churned customer needs tenure >= 1, an active one tenure >= 0.
 */
Datum
sbg_fit_accum(PG_FUNCTION_ARGS)
{
	FitData    *fd = fitdata_getarg(fcinfo, 0, 2, "sbg_fit_accum");
	int32		tenure;
	bool		churned;
	double		tuple[2];
	double		w = 1.0;

	for (int i = 1; i < PG_NARGS(); i++)
		if (PG_ARGISNULL(i))
			PG_RETURN_POINTER(fd);
	tenure = PG_GETARG_INT32(1);
	churned = PG_GETARG_BOOL(2);
	sbg_check_customer(tenure, churned);
	if (PG_NARGS() > 3)
	{
		w = PG_GETARG_FLOAT8(3);
		ensure_nonnegative(w, "weight");
	}
	tuple[0] = tenure;
	tuple[1] = churned ? 1.0 : 0.0;
	fitdata_add(fd, tuple, w);
	PG_RETURN_POINTER(fd);
}

/*
 * Transition of engage.sbg_fit(tenure, churned, dropout_covariates
 * [, weight [, penalizer]]): the same, each tuple followed by the customer's
 * covariates.  Every row must have as many covariates (22023 naming the
 * row's and the earlier rows' number); rows with a NULL argument (a NULL
 * penalizer counts as 0) are skipped.
 */
Datum
sbg_fit_accum_covariates(PG_FUNCTION_ARGS)
{
	double		tuple[SBG_SUMMARY_COLS + BTYD_MAX_COVARIATES];
	double		penalizer;
	FitData    *fd;
	int32		tenure;
	bool		churned;
	double		w;

	if (btyd_covariate_row_skipped(fcinfo, 5))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_POINTER(PG_GETARG_POINTER(0));
	}
	fd = btyd_covariate_sample(fcinfo, 3, "dropout_covariates", SBG_SUMMARY_COLS, tuple,
							   "sbg_fit_accum_covariates");
	tenure = PG_GETARG_INT32(1);
	churned = PG_GETARG_BOOL(2);
	sbg_check_customer(tenure, churned);
	w = btyd_weight_penalizer_args(fcinfo, 4, &penalizer);
	fitdata_set_options(fd, &penalizer, 1, "penalizer");
	tuple[0] = tenure;
	tuple[1] = churned ? 1.0 : 0.0;
	fitdata_add(fd, tuple, w);
	PG_RETURN_POINTER(fd);
}

/*
 * Errors unless the sample can be fitted: somebody churned and somebody was
 * observed beyond the first renewal (else the likelihood has no maximum).
 */
static void
sbg_check_sample(const FitData *fd)
{
	double		churned = 0.0;
	double		renewed = 0.0;

	for (int i = 0; i < fd->ntuples; i++)
	{
		const double *t = fitdata_tuple(fd, i);
		double		w = fitdata_weight(fd, i);

		if (t[1] != 0)
			churned += w;
		if (t[0] >= 2)
			renewed += w;
	}
	if (churned <= 0 || renewed <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot fit sbg: %s", churned <= 0 ? "no customer churned" :
						"no customer was observed beyond the first renewal"),
				 errdetail("The likelihood has no maximum when nobody churned, and cannot tell alpha from beta when every tenure is at most 1.")));
}

/*
 * Final function of engage.sbg_fit: the maximum-likelihood engage.sbg; NULL
 * without customers.
 */
Datum
sbg_fit_final(PG_FUNCTION_ARGS)
{
	FitData    *fd = PG_ARGISNULL(0) ? NULL : (FitData *) PG_GETARG_POINTER(0);

	if (fd == NULL || fitdata_total_weight(fd) <= 0)
		PG_RETURN_NULL();
	sbg_check_sample(fd);
	PG_RETURN_DATUM(btyd_fit_sample(fcinfo, &sbg_spec, fd, 0.0));
}

/*
 * Final function of engage.sbg_fit(tenure, churned, dropout_covariates ...):
 * the maximum-likelihood engage.sbg with its dropout coefficients (gamma_a,
 * then gamma_b); NULL without customers.
 */
Datum
sbg_fit_final_covariates(PG_FUNCTION_ARGS)
{
	FitData    *fd = PG_ARGISNULL(0) ? NULL : (FitData *) PG_GETARG_POINTER(0);
	int			ncols[1];
	int			ncoef[1];

	if (fd == NULL || fitdata_total_weight(fd) <= 0)
		PG_RETURN_NULL();
	sbg_check_sample(fd);
	ncols[0] = fd->k - SBG_SUMMARY_COLS;
	ncoef[0] = 2 * ncols[0];
	PG_RETURN_DATUM(btyd_fit_covariates(fcinfo, &sbg_spec, fd, SBG_SUMMARY_COLS, ncols,
										ncoef, 1, sbg_coef_names,
										btyd_state_penalizer(fd)));
}

/*
 * The parameters {alpha_i, beta_i} of the customer scored by the calling
 * function: the model is argument 0; with covargno < PG_NARGS() the
 * customer's dropout covariates are argument covargno (its length half the
 * model's number of coefficients), otherwise the model must have none.
 */
static void
sbg_customer_params(FunctionCallInfo fcinfo, int covargno, double *par)
{
	Datum		model = PG_GETARG_DATUM(0);
	BtydCoefficients coefs;
	double		z[BTYD_MAX_COVARIATES];
	int			k;

	BTYD_GETARG_MODEL(0, SBG_NPARAMS, sbg_param_names, par);
	if (covargno >= PG_NARGS())
	{
		btyd_reject_coefficients(model, SBG_NPARAMS,
								 "Score an sBG model with dropout covariates by the forms of survival, retention_rate and derl that take dropout_covariates.");
		return;
	}
	k = btyd_covariate_vector(fcinfo, covargno, "dropout_covariates", z);
	btyd_read_coefficients(model, SBG_NPARAMS, 1, &coefs);
	if (coefs.n[0] % 2 != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("sbg dropout_coefficients must have an even length"),
				 errdetail("They are gamma_a, then gamma_b, one per covariate each.")));
	btyd_check_covariates(coefs.n[0] / 2, k, "dropout_covariates");
	if (k > 0)
	{
		par[0] = btyd_covariate_scaled(par[0], -btyd_linear_predictor(coefs.coef[0], z, k),
									   "alpha");
		par[1] = btyd_covariate_scaled(par[1], -btyd_linear_predictor(coefs.coef[0] + k, z, k),
									   "beta");
	}
}

/* S(t) = P(T > t), for t >= 0 (of a customer with covariates: argument 2). */
Datum
sbg_survival(PG_FUNCTION_ARGS)
{
	double		par[SBG_NPARAMS];
	int32		t = PG_GETARG_INT32(1);

	sbg_customer_params(fcinfo, 2, par);
	if (t < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("t must not be negative")));
	PG_RETURN_FLOAT8(finite_result(exp(log_beta_ratio(par[0], par[1], t)), "survival"));
}

/*
 * r_t = S(t) / S(t - 1): the renewal rate at the end of period t >= 1 (of a
 * customer with covariates: argument 2).
 */
Datum
sbg_retention_rate(PG_FUNCTION_ARGS)
{
	double		par[SBG_NPARAMS];
	int32		t = PG_GETARG_INT32(1);

	sbg_customer_params(fcinfo, 2, par);
	if (t < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("t must be at least 1"),
				 errdetail("Periods start at 1: r_1 is the renewal rate at the end of the first period.")));
	/* (beta + t - 1) / (alpha + beta + t - 1), without overflow in the sum */
	PG_RETURN_FLOAT8(1.0 / (1.0 + par[0] / (par[1] + (t - 1))));
}

/*
 * Below this w = d / (1 + d) DERL is taken by sbg_derl_quadrature: the
 * 1 - z transformations of 2F1(1, b+1; a+b+1; 1 - w) lose about
 * ulp / w of the result (1e-8 at w = 1e-8 with b = 1e6).
 */
#define SBG_DERL_QUAD_W 1e-4
/* Where the integral in v = ln theta starts. */
#define SBG_DERL_V_MIN (-740.0)

/*
 * Shapes a below this take sbg_derl_quadrature's split form: the direct
 * integrand's tail, e^(a v) as v = ln theta falls, would need 40/a in v.
 */
#define SBG_DERL_SPLIT_A 0.05

/* The theta ~ Beta(a, B), the d and the integrand of sbg_derl_quadrature. */
typedef struct SbgDerl
{
	double		a,
				B,
				d;
	double		split;			/* theta^split / (d + theta) with_d */
	double		with_d;			/* 1, or 0 for the Beta density alone */
} SbgDerl;

/*
 * h(v) = ln of theta^split / (d + theta) (or 1 without d) times
 * theta^(a-1) (1-theta)^(B-1) times theta, theta = e^v, and its
 * derivatives: h' = (a+split) - (B-1) theta/(1-theta) - theta/(d+theta)
 * falls, so h is concave (B >= 1 here: B = beta + renewals + 1).
 */
static double
sbg_derl_h(const void *arg, double v, double *d1, double *d2)
{
	const SbgDerl *q = (const SbgDerl *) arg;
	double		theta = exp(v);
	double		rest = 0.0 - expm1(v);	/* 1 - theta, +0 (not -0) at theta = 1 */
	double		frac = q->with_d * theta / (q->d + theta);

	*d1 = (q->a + q->split) - (q->B - 1.0) * theta / rest - frac;
	*d2 = -(q->B - 1.0) * theta / (rest * rest) - frac * (1.0 - frac);
	return (q->a + q->split) * v + (q->B - 1.0) * log1p(-theta) -
		(q->with_d == 0.0 ? 0.0 : log(q->d + theta));
}

/*
 * 2F1(1, b+1; a+b+1; 1/(1+d)) at small w = d/(1+d) from the expectation
 * it comes from (FH 2010): (1+d) E[1/(d + theta)], theta ~ Beta(a, b+1),
 * by log_concave_integral in v = ln theta, divided by the same integral
 * of the density alone (whose rounding then cancels, where ln B(a, b+1)
 * of shapes near 1e8 would be off by 1e-7); for a near 0, whose weight
 * piles up at theta = 0 (and the density's integral would not end), as
 * (1 - E[theta/(d + theta)]) / w, whose integrand vanishes like
 * theta^(a+1) there, with ln B(a, b+1) from lgamma(a), exact there.  NaN
 * where an integral did not end, or where the logarithm of the integrand
 * is so large at the mean (shapes near 1e8) that its rounding passes
 * 1e-10.
 */
static double
sbg_derl_quadrature(double a, double b, double d, double w)
{
	SbgDerl		q = {a, b + 1.0, d, 0.0, 1.0};
	double		mean = a / (a + b + 1.0);
	double		num;
	double		den;

	if (a < SBG_DERL_SPLIT_A)
	{
		q.split = 1.0;
		num = log_concave_integral(sbg_derl_h, &q, SBG_DERL_V_MIN, 0.0);
		den = lgamma(a) - log_gamma_ratio(b + 1.0, a);
		return -expm1(num - den) / w;
	}
	if (4.0 * DBL_EPSILON * (a * -log(mean) + b * -log1p(-mean)) > 1e-10)
		return NAN;				/* h, near 1e8 at the mode, rounds by 1e-8 */
	num = log_concave_integral(sbg_derl_h, &q, SBG_DERL_V_MIN, 0.0);
	q.with_d = 0.0;
	den = log_concave_integral(sbg_derl_h, &q, SBG_DERL_V_MIN, 0.0);
	return (1.0 + d) * exp(num - den);
}

/*
 * DERL(d | renewals) of FH 2010 for renewals >= 0 and d >= 0; at
 * d = 0 the undiscounted expected residual lifetime (beta + renewals) /
 * (alpha - 1), which is infinite (an error) when alpha <= 1.  A customer's
 * covariates are argument 3.
 */
Datum
sbg_derl(PG_FUNCTION_ARGS)
{
	double		par[SBG_NPARAMS];
	int32		renewals = PG_GETARG_INT32(1);
	double		d = PG_GETARG_FLOAT8(2);
	double		a,
				b;
	double		f;
	double		w;
	bool		ok;

	sbg_customer_params(fcinfo, 3, par);
	if (renewals < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("renewals must not be negative")));
	ensure_nonnegative(d, "discount_rate");
	a = par[0];
	b = par[1] + renewals;		/* the posterior of theta is Beta(alpha, b) */
	if (d == 0)
	{
		if (a <= 1)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("the undiscounted residual lifetime is infinite when alpha <= 1"),
					 errhint("Use a positive discount_rate.")));
		PG_RETURN_FLOAT8(b / (a - 1));
	}
	/* 1 - z = d / (1 + d) exactly: 1 / (1 + d) rounded loses digits of d < 1e-8 */
	w = d / (1.0 + d);
	if (w < SBG_DERL_QUAD_W)
	{
		f = sbg_derl_quadrature(a, b, d, w);
		ok = isfinite(f);
	}
	else
		f = hyp2f1_a1_given_w(b + 1, a + b + 1, w, &ok);
	if (!ok)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("derl could not be computed for alpha = %g, beta = %g, renewals = %d, discount_rate = %g",
						par[0], par[1], renewals, d)));
	PG_RETURN_FLOAT8(finite_result(f / (1.0 + a / b), "derl"));
}

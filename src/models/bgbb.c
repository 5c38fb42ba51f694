/*-------------------------------------------------------------------------
 *
 * bgbb.c
 *	  The BG/BB model of repeat transactions at discrete opportunities
 *	  (Fader, Hardie & Shang 2010, "Customer-base analysis in a discrete-time
 *	  noncontractual setting", Marketing Science 29(6)): fitting by maximum
 *	  likelihood and scoring.
 *
 * While alive, a customer transacts at each opportunity with probability p,
 * p ~ Beta(alpha, beta); before each opportunity an alive customer dies with
 * probability theta, theta ~ Beta(gamma, delta).  A customer is summarised
 * by x transactions in n opportunities, the last one at opportunity t_x
 * (t_x = 0 when x = 0).  With B the beta function:
 *
 *	 likelihood:
 *	 L(x, t_x, n) = B(a+x, b+n-x)/B(a,b) B(g, d+n)/B(g,d)
 *		+ sum_{i=0}^{n-t_x-1} B(a+x, b+t_x-x+i)/B(a,b) B(g+1, d+t_x+i)/B(g,d)
 *	 P(alive at n+1 | x, t_x, n) = B(a+x, b+n-x)/B(a,b) B(g, d+n+1)/B(g,d) / L
 *	 E[X(n, n+n*) | x, t_x, n] (eq. 13) = B(a+x+1, b+n-x)/B(a,b) / L
 *		* sum_{k=1}^{n*} B(g, d+n+k)/B(g,d)
 *	 E[X(n)] = a/(a+b) sum_{k=1}^{n} B(g, d+k)/B(g,d)
 *	 P(X(n) = x) (eq. 7) = C(n,x) B(a+x, b+n-x)/B(a,b) B(g, d+n)/B(g,d)
 *		+ sum_{i=x}^{n-1} C(i,x) B(a+x, b+i-x)/B(a,b) B(g+1, d+i)/B(g,d)
 *
 * (a, b, g, d = alpha, beta, gamma, delta).  The paper writes the sums over
 * k in closed form, d/(g-1) (1 - ratio of gammas), which is exact but loses
 * all precision when g is near 1; bgbb_survival_sum below uses it only for
 * long windows, through an accurate ratio of gamma functions.
 *
 * Covariates (Fader & Hardie 2007's parameterisation carried over to the
 * Beta mixing distributions): customer i with purchase covariates x_i and
 * dropout covariates z_i has
 *
 *	 alpha_i = alpha exp(gamma_p' x_i),  gamma_i = gamma exp(delta_d' z_i)
 *
 * (beta and delta shared), so that the mean transaction probability
 * alpha_i / (alpha_i + beta) rises with gamma_p' x_i and the mean dropout
 * probability gamma_i / (gamma_i + delta) rises with delta_d' z_i.  Every
 * formula above holds with alpha_i, gamma_i.  The fit sample's tuples are
 * (x, t_x, n, x_1..x_kp, z_1..z_kd), kp its option 1.
 *
 *-------------------------------------------------------------------------
 */
#include "engage.h"

#include <float.h>

#include "btyd.h"
#include "fitdata.h"
#include "miscadmin.h"
#include "special.h"

PG_FUNCTION_INFO_V1(bgbb_fit_accum);
PG_FUNCTION_INFO_V1(bgbb_fit_final);
PG_FUNCTION_INFO_V1(bgbb_p_alive);
PG_FUNCTION_INFO_V1(bgbb_churn);
PG_FUNCTION_INFO_V1(bgbb_expected_conditional);
PG_FUNCTION_INFO_V1(bgbb_expected_new);
PG_FUNCTION_INFO_V1(bgbb_prob_purchases);
PG_FUNCTION_INFO_V1(bgbb_fit_accum_covariates);
PG_FUNCTION_INFO_V1(bgbb_fit_final_covariates);

#define BGBB_NPARAMS 4

static const char *const bgbb_param_names[BGBB_NPARAMS] =
{"alpha", "beta", "gamma", "delta"};
static const char *const bgbb_coef_names[2] = {"purchase", "dropout"};

/* The summary columns of a fit tuple; the covariates follow. */
#define BGBB_SUMMARY_COLS 3

/* Windows up to this many opportunities are summed term by term. */
#define BGBB_DIRECT_SUM_MAX 1000

/* Digammas of the parameters, shared by every tuple of a gradient. */
typedef struct BgbbDigammas
{
	double		a,
				b,
				ab,
				g,
				d,
				gd;
} BgbbDigammas;

/* Errors unless (x, t_x, n) is a possible BG/BB summary. */
static void
bgbb_check_summary(int32 x, int32 tx, int32 n)
{
	if (x < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("frequency must not be negative")));
	if (n < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("n_periods must not be negative")));
	if (tx < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("recency must not be negative")));
	if (tx > n)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("recency must not exceed n_periods"),
				 errdetail("Recency %d is greater than n_periods %d.", tx, n)));
	if (x > tx)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("frequency must not exceed recency"),
				 errdetail("Frequency %d is greater than recency %d.", x, tx)));
	if (x == 0 && tx != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("recency must be 0 when frequency is 0")));
}

/*
 * sum_{k=1}^{m} B(g, d+k)/B(g, d): the expected number of the next m
 * opportunities a customer alive now (theta ~ Beta(g, d)) stays alive for.
 * Term by term for short windows; a geometric sum where d is so large
 * that the terms' ratio does not move over the window; otherwise the
 * paper's closed form with ratios of gammas taken by the shared
 * log_gamma_ratio (its limit at g = 1 separately), 22003 where those
 * cancel beyond 1e-10 (g large against d far above the window).
 */
static double
bgbb_survival_sum(double g, double d, int32 m)
{
	double		term = 1.0;
	double		sum = 0.0;
	double		l1,
				l2,
				r;

	if (m <= BGBB_DIRECT_SUM_MAX)
	{
		for (int32 k = 1; k <= m; k++)
		{
			/* (d + k - 1) / (g + d + k - 1), without overflow in the sum */
			term /= 1.0 + g / (d + (k - 1));
			sum += term;
		}
		return sum;
	}
	if ((double) m * m * (g + 1.0) < 1e-16 * d * d)
	{
		/*
		 * d far above m: every factor (d+k-1)/(g+d+k-1) is q = 1/(1 + g/d)
		 * to 1e-16 over the whole window, and the sum is geometric
		 */
		double		lq = -log1p(g / d);

		return exp(lq) * expm1(m * lq) / expm1(lq);
	}
	if (fabs(g - 1.0) < 1e-12)
		return d * (digamma(d + m + 1) - digamma(d + 1));
	l1 = log_gamma_ratio(d + 1, g - 1);
	l2 = log_gamma_ratio(d + m + 1, g - 1);
	r = l1 - l2;
	/* the two ratios round by a few ulps of their size; -expm1 keeps that absolutely */
	if (!(4.0 * DBL_EPSILON * (fabs(l1) + fabs(l2)) * exp(r) <= 1e-10 * fabs(expm1(r))))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("expected survival over %d opportunities cannot be resolved in float8 at these parameters", m),
				 errdetail("The ratios of gamma functions of the closed form cancel to below 1e-10 at gamma = %g, delta = %g.",
						   g, d)));
	return d * -expm1(r) / (g - 1);
}

/*
 * ln L(x, t_x, n) at p = {alpha, beta, gamma, delta}, and in
 * *log_alive_n the log of its first term (alive after opportunity n), in
 * *log_dead (when not NULL) the log of the rest (-Infinity when none).  With
 * grad (and dg) not NULL, also the gradient of ln L with respect to p.  The
 * terms of the sum decrease in i, so the sum is taken relative to its first
 * term and stops once the rest cannot matter.
 */
static double
bgbb_loglik(const double *p, double x, double tx, double n,
			double *log_alive_n, double *log_dead, double *grad, const BgbbDigammas *dg)
{
	double		a = p[0],
				b = p[1],
				g = p[2],
				d = p[3];
	/* ln B(a+x, b+x) - ln B(a, b), the same for every term */
	double		lbx = log_beta_ratio(b, a, x);
	double		alive = lbx + log_beta_ratio(a + x, b, n - x) + log_beta_ratio(g, d, n);
	double		first = 0.0;
	double		sum = 0.0;
	double		dsum[BGBB_NPARAMS] = {0, 0, 0, 0};
	double		dcur[BGBB_NPARAMS] = {0, 0, 0, 0};
	double		ll;
	int64		count = (int64) (n - tx);

	*log_alive_n = alive;
	if (count > 0)
	{
		double		term = 1.0;

		/* B(g+1, d+t_x) / B(g, d) = g/(g+d) B(g+1, d+t_x) / B(g+1, d) */
		first = lbx + log_beta_ratio(a + x, b, tx - x) - log1p_quotient(d, g) +
			log_beta_ratio(g + 1, d, tx);
		for (int64 i = 0; i < count; i++)
		{
			double		y = tx - x + i;
			double		z = tx + i;

			sum += term;
			if (grad)
				for (int j = 0; j < BGBB_NPARAMS; j++)
					dsum[j] += term * dcur[j];
			if (term * (double) (count - i) < 1e-17 * sum)
				break;
			if (grad)
			{
				dcur[0] -= 1.0 / (a + b + z);
				dcur[1] += 1.0 / (b + y) - 1.0 / (a + b + z);
				dcur[2] -= 1.0 / (g + 1 + d + z);
				dcur[3] += 1.0 / (d + z) - 1.0 / (g + 1 + d + z);
			}
			/* (b+y)/(a+b+z) (d+z)/(g+1+d+z), without overflow in the sums */
			term /= (1.0 + (a + x) / (b + y)) * (1.0 + (g + 1) / (d + z));
			if ((i & 0xFFFF) == 0xFFFF)
				CHECK_FOR_INTERRUPTS();
		}
		ll = log_sum_exp(alive, first + log(sum));
		if (log_dead)
			*log_dead = first + log(sum);
	}
	else
	{
		ll = alive;
		if (log_dead)
			*log_dead = -INFINITY;
	}

	if (grad)
	{
		double		w_alive = exp(alive - ll);
		double		w_first = count > 0 ? exp(first - ll) : 0.0;
		double		dalive[BGBB_NPARAMS];
		double		dfirst[BGBB_NPARAMS];

		dalive[0] = digamma(a + x) - digamma(a + b + n) - dg->a + dg->ab;
		dalive[1] = digamma(b + n - x) - digamma(a + b + n) - dg->b + dg->ab;
		dalive[2] = dg->gd - digamma(g + d + n);
		dalive[3] = digamma(d + n) - digamma(g + d + n) - dg->d + dg->gd;
		if (count > 0)
		{
			dfirst[0] = digamma(a + x) - digamma(a + b + tx) - dg->a + dg->ab;
			dfirst[1] = digamma(b + tx - x) - digamma(a + b + tx) - dg->b + dg->ab;
			dfirst[2] = digamma(g + 1) - digamma(g + 1 + d + tx) - dg->g + dg->gd;
			dfirst[3] = digamma(d + tx) - digamma(g + 1 + d + tx) - dg->d + dg->gd;
		}
		for (int j = 0; j < BGBB_NPARAMS; j++)
		{
			grad[j] = w_alive * dalive[j];
			if (count > 0)
				grad[j] += w_first * (sum * dfirst[j] + dsum[j]);
		}
	}
	return ll;
}

/* The digammas of the parameters p. */
static void
bgbb_digammas(const double *p, BgbbDigammas *dg)
{
	dg->a = digamma(p[0]);
	dg->b = digamma(p[1]);
	dg->ab = digamma(p[0] + p[1]);
	dg->g = digamma(p[2]);
	dg->d = digamma(p[3]);
	dg->gd = digamma(p[2] + p[3]);
}

/* The number of purchase covariates of a fit sample (option 1; 0 without). */
static int
bgbb_purchase_covariates(const FitData *fd)
{
	return fd->nopts > 1 ? (int) fd->opts[1] : 0;
}

/*
 * The weighted sum of ln L over the compressed sample at p, with its
 * gradient with respect to p when grad is not NULL (the BtydLogLik of the
 * shared maximum-likelihood drivers).  p = {alpha, beta, gamma, delta,
 * gamma_p (kp), delta_d (kd)} for a sample with covariates: customer i's
 * alpha_i = alpha exp(gamma_p' x_i), d ln L / d gamma_p,j = d ln L / d
 * alpha_i alpha_i x_ij, d ln L / d alpha = d ln L / d alpha_i alpha_i /
 * alpha; the same for gamma_i and delta_d.
 */
static double
bgbb_loglik_sample(const double *p, const FitData *fd, double *grad)
{
	int			kp = bgbb_purchase_covariates(fd);
	int			kd = fd->k - BGBB_SUMMARY_COLS - kp;
	const double *gp = p + BGBB_NPARAMS;
	const double *dd = gp + kp;
	double		total = 0.0;
	double		g[BGBB_NPARAMS] = {0, 0, 0, 0};
	double		pi[BGBB_NPARAMS] = {p[0], p[1], p[2], p[3]};
	BgbbDigammas dg;

	if (grad)
	{
		for (int j = 0; j < BGBB_NPARAMS + kp + kd; j++)
			grad[j] = 0.0;
		bgbb_digammas(p, &dg);
	}
	for (int i = 0; i < fd->ntuples; i++)
	{
		const double *t = fitdata_tuple(fd, i);
		const double *xc = t + BGBB_SUMMARY_COLS;
		double		w = fitdata_weight(fd, i);
		double		fa = kp > 0 ? exp(btyd_linear_predictor(gp, xc, kp)) : 1.0;
		double		fg = kd > 0 ? exp(btyd_linear_predictor(dd, xc + kp, kd)) : 1.0;
		double		alive;

		pi[0] = p[0] * fa;
		pi[2] = p[2] * fg;
		if (grad && kp + kd > 0)
			bgbb_digammas(pi, &dg);	/* each customer's own */
		total += w * bgbb_loglik(pi, t[0], t[1], t[2], &alive, NULL,
								 grad ? g : NULL, &dg);
		if (grad)
		{
			grad[0] += w * (g[0] * fa);
			grad[1] += w * g[1];
			grad[2] += w * (g[2] * fg);
			grad[3] += w * g[3];
			for (int j = 0; j < kp; j++)
				grad[BGBB_NPARAMS + j] += w * (g[0] * pi[0] * xc[j]);
			for (int j = 0; j < kd; j++)
				grad[BGBB_NPARAMS + kp + j] += w * (g[2] * pi[2] * xc[kp + j]);
		}
	}
	return total;
}

static const BtydModelSpec bgbb_spec = {
	"bgbb", BGBB_NPARAMS, bgbb_param_names, bgbb_loglik_sample, true, NULL, NULL, NULL
};

/*
 * Transition of engage.bgbb_fit(frequency, recency, n_periods [, weight]):
 * adds the customer (or weight customers) to the compressed sample; rows
 * with a NULL argument are skipped.
 */
Datum
bgbb_fit_accum(PG_FUNCTION_ARGS)
{
	FitData    *fd = fitdata_getarg(fcinfo, 0, 3, "bgbb_fit_accum");
	double		w = 1.0;
	double		tuple[3];

	for (int i = 1; i < PG_NARGS(); i++)
		if (PG_ARGISNULL(i))
			PG_RETURN_POINTER(fd);
	bgbb_check_summary(PG_GETARG_INT32(1), PG_GETARG_INT32(2), PG_GETARG_INT32(3));
	if (PG_NARGS() > 4)
	{
		w = PG_GETARG_FLOAT8(4);
		ensure_nonnegative(w, "weight");
	}
	tuple[0] = PG_GETARG_INT32(1);
	tuple[1] = PG_GETARG_INT32(2);
	tuple[2] = PG_GETARG_INT32(3);
	fitdata_add(fd, tuple, w);
	PG_RETURN_POINTER(fd);
}

/*
 * Errors when nobody transacted, or everybody transacted at every
 * opportunity (the likelihood then has no maximum).
 */
static void
bgbb_check_sample(const FitData *fd)
{
	bool		sometimes = false;

	/* every stored weight is positive: a test of the tuples, not of rounded sums */
	for (int i = 0; i < fd->ntuples && !sometimes; i++)
		sometimes = fitdata_tuple(fd, i)[0] != fitdata_tuple(fd, i)[2];
	if (!sometimes)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot fit bgbb: every customer transacted at every opportunity"),
				 errdetail("The likelihood has no maximum when frequency = n_periods for everybody.")));
}

/*
 * Final function of engage.bgbb_fit: the maximum-likelihood engage.bgbb,
 * NULL without customers.  Errors when nobody transacted, or everybody
 * transacted at every opportunity (the likelihood then has no maximum).
 */
Datum
bgbb_fit_final(PG_FUNCTION_ARGS)
{
	FitData    *fd = PG_ARGISNULL(0) ? NULL : (FitData *) PG_GETARG_POINTER(0);

	if (fd == NULL || fitdata_total_weight(fd) <= 0)
		PG_RETURN_NULL();
	bgbb_check_sample(fd);
	PG_RETURN_DATUM(btyd_fit_sample(fcinfo, &bgbb_spec, fd, 0.0));
}

/*
 * Transition of engage.bgbb_fit(frequency, recency, n_periods,
 * purchase_covariates, dropout_covariates [, weight [, penalizer]]): as
 * bgbb_fit_accum, each tuple followed by the customer's covariates.  Every
 * row must have as many covariates of each kind (22023 naming the row's and
 * the earlier rows' numbers); rows with a NULL argument (a NULL penalizer
 * counts as 0) are skipped.
 */
Datum
bgbb_fit_accum_covariates(PG_FUNCTION_ARGS)
{
	double		tuple[BGBB_SUMMARY_COLS + 2 * BTYD_MAX_COVARIATES];
	double		opts[2] = {0.0, 0.0};
	FitData    *fd;
	int			kp,
				kd;
	double		w;

	if (btyd_covariate_row_skipped(fcinfo, 7))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_POINTER(PG_GETARG_POINTER(0));
	}
	kp = btyd_covariate_vector(fcinfo, 4, "purchase_covariates", tuple + BGBB_SUMMARY_COLS);
	kd = btyd_covariate_vector(fcinfo, 5, "dropout_covariates", tuple + BGBB_SUMMARY_COLS + kp);
	if (!PG_ARGISNULL(0))
	{
		FitData    *prev = (FitData *) PG_GETARG_POINTER(0);
		int			pkp = bgbb_purchase_covariates(prev);
		int			pkd = prev->k - BGBB_SUMMARY_COLS - pkp;

		if (pkp != kp || pkd != kd)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("purchase_covariates and dropout_covariates must have the same lengths on every row"),
					 errdetail("This row's have lengths %d and %d, earlier rows' %d and %d.",
							   kp, kd, pkp, pkd)));
	}
	fd = fitdata_getarg(fcinfo, 0, BGBB_SUMMARY_COLS + kp + kd, "bgbb_fit_accum_covariates");
	bgbb_check_summary(PG_GETARG_INT32(1), PG_GETARG_INT32(2), PG_GETARG_INT32(3));
	w = btyd_weight_penalizer_args(fcinfo, 6, &opts[0]);
	opts[1] = kp;
	fitdata_set_options(fd, opts, 2, "penalizer");
	tuple[0] = PG_GETARG_INT32(1);
	tuple[1] = PG_GETARG_INT32(2);
	tuple[2] = PG_GETARG_INT32(3);
	fitdata_add(fd, tuple, w);
	PG_RETURN_POINTER(fd);
}

/*
 * Final function of engage.bgbb_fit(..., purchase_covariates,
 * dropout_covariates ...): the maximum-likelihood engage.bgbb with its
 * coefficients; NULL without customers.
 */
Datum
bgbb_fit_final_covariates(PG_FUNCTION_ARGS)
{
	FitData    *fd = PG_ARGISNULL(0) ? NULL : (FitData *) PG_GETARG_POINTER(0);
	int			ncoef[2];

	if (fd == NULL || fitdata_total_weight(fd) <= 0)
		PG_RETURN_NULL();
	bgbb_check_sample(fd);
	ncoef[0] = bgbb_purchase_covariates(fd);
	ncoef[1] = fd->k - BGBB_SUMMARY_COLS - ncoef[0];
	PG_RETURN_DATUM(btyd_fit_covariates(fcinfo, &bgbb_spec, fd, BGBB_SUMMARY_COLS, ncoef,
										ncoef, 2, bgbb_coef_names,
										btyd_state_penalizer(fd)));
}

/*
 * The parameters {alpha_i, beta, gamma_i, delta} of the customer scored by
 * the calling function: the model is argument 0; with covargno <
 * PG_NARGS() the customer's purchase and dropout covariates are arguments
 * covargno and covargno + 1, otherwise the model must have no coefficients.
 */
static void
bgbb_customer_params(FunctionCallInfo fcinfo, int covargno, double *p)
{
	Datum		model = PG_GETARG_DATUM(0);
	BtydCoefficients coefs;
	double		xc[BTYD_MAX_COVARIATES];
	double		zc[BTYD_MAX_COVARIATES];
	int			kp,
				kd;

	BTYD_GETARG_MODEL(0, BGBB_NPARAMS, bgbb_param_names, p);
	if (covargno >= PG_NARGS())
	{
		btyd_reject_coefficients(model, BGBB_NPARAMS,
								 "Score a BG/BB model with covariates by the forms that take purchase_covariates and dropout_covariates.");
		return;
	}
	kp = btyd_covariate_vector(fcinfo, covargno, "purchase_covariates", xc);
	kd = btyd_covariate_vector(fcinfo, covargno + 1, "dropout_covariates", zc);
	btyd_read_coefficients(model, BGBB_NPARAMS, 2, &coefs);
	btyd_check_covariates(coefs.n[0], kp, "purchase_covariates");
	btyd_check_covariates(coefs.n[1], kd, "dropout_covariates");
	if (kp > 0)
		p[0] = btyd_covariate_scaled(p[0], btyd_linear_predictor(coefs.coef[0], xc, kp),
									 "alpha");
	if (kd > 0)
		p[2] = btyd_covariate_scaled(p[2], btyd_linear_predictor(coefs.coef[1], zc, kd),
									 "gamma");
}

/* P(alive at opportunity n + 1 | x, t_x, n). */
Datum
bgbb_p_alive(PG_FUNCTION_ARGS)
{
	double		p[BGBB_NPARAMS];
	int32		x = PG_GETARG_INT32(1);
	int32		tx = PG_GETARG_INT32(2);
	int32		n = PG_GETARG_INT32(3);
	double		alive;
	double		ll;

	bgbb_customer_params(fcinfo, 4, p);
	bgbb_check_summary(x, tx, n);
	ll = bgbb_loglik(p, x, tx, n, &alive, NULL, NULL, NULL);
	/* (delta + n) / (gamma + delta + n), without overflow in the sum */
	PG_RETURN_FLOAT8(finite_result(exp(alive - ll) / (1.0 + p[2] / (p[3] + n)),
								   "p_alive"));
}

/*
 * 1 - P(alive at opportunity n + 1 | x, t_x, n): died before opportunity n
 * (the likelihood's other terms) or right after it, summed rather than
 * subtracted from 1, so that it is accurate also when small.
 */
Datum
bgbb_churn(PG_FUNCTION_ARGS)
{
	double		p[BGBB_NPARAMS];
	int32		x = PG_GETARG_INT32(1);
	int32		tx = PG_GETARG_INT32(2);
	int32		n = PG_GETARG_INT32(3);
	double		alive;
	double		dead;
	double		ll;

	bgbb_customer_params(fcinfo, 4, p);
	bgbb_check_summary(x, tx, n);
	ll = bgbb_loglik(p, x, tx, n, &alive, &dead, NULL, NULL);
	/* gamma / (gamma + delta + n): dies right after opportunity n */
	PG_RETURN_FLOAT8(finite_result(exp(dead - ll) +
								   exp(alive - ll) / (1.0 + (p[3] + n) / p[2]),
								   "churn_probability"));
}

/* E[X(n, n + n*) | x, t_x, n]: expected transactions in the next n* opportunities, eq. (13). */
Datum
bgbb_expected_conditional(PG_FUNCTION_ARGS)
{
	double		p[BGBB_NPARAMS];
	int32		nstar = PG_GETARG_INT32(1);
	int32		x = PG_GETARG_INT32(2);
	int32		tx = PG_GETARG_INT32(3);
	int32		n = PG_GETARG_INT32(4);
	double		alive;
	double		ll;

	bgbb_customer_params(fcinfo, 5, p);
	if (nstar < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("n_star must not be negative")));
	bgbb_check_summary(x, tx, n);
	ll = bgbb_loglik(p, x, tx, n, &alive, NULL, NULL, NULL);
	/* (alpha + x) / (alpha + beta + n), without overflow in the sum */
	PG_RETURN_FLOAT8(finite_result(exp(alive - ll) / (1.0 + (p[1] + (n - x)) / (p[0] + x)) *
								   bgbb_survival_sum(p[2], p[3] + n, nstar),
								   "expected_purchases"));
}

/* E[X(n)]: expected transactions of a new customer in n opportunities. */
Datum
bgbb_expected_new(PG_FUNCTION_ARGS)
{
	double		p[BGBB_NPARAMS];
	int32		n = PG_GETARG_INT32(1);

	bgbb_customer_params(fcinfo, 2, p);
	if (n < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("n must not be negative")));
	PG_RETURN_FLOAT8(finite_result(bgbb_survival_sum(p[2], p[3], n) / (1.0 + p[1] / p[0]),
								   "expected_purchases"));
}

/*
 * P(X(n) = x) for a new customer, eq. (7); 0 when x > n.  The terms of the
 * sum are accumulated in log space (they first grow with i, then decay).
 */
Datum
bgbb_prob_purchases(PG_FUNCTION_ARGS)
{
	double		p[BGBB_NPARAMS];
	int32		x = PG_GETARG_INT32(1);
	int32		n = PG_GETARG_INT32(2);
	double		a,
				b,
				g,
				d;
	double		total;
	double		lterm;

	bgbb_customer_params(fcinfo, 3, p);
	if (x < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("x must not be negative")));
	if (n < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("n must not be negative")));
	if (x > n)
		PG_RETURN_FLOAT8(0.0);
	a = p[0];
	b = p[1];
	g = p[2];
	d = p[3];
	/* alive after all n opportunities, x transactions among them */
	total = lgamma(n + 1.0) - lgamma(x + 1.0) - lgamma(n - x + 1.0) +
		log_beta_shifted(a, b, x, n - x) + log_beta_ratio(g, d, n);
	/* died after opportunity i (i = x .. n-1), x transactions among the first i */
	lterm = log_beta_ratio(b, a, x) - log1p_quotient(d, g) + log_beta_ratio(g + 1, d, x);
	for (int32 i = x; i < n; i++)
	{
		total = log_sum_exp(total, lterm);
		/* (b+i-x)/(a+b+i) (d+i)/(g+1+d+i), without overflow in the sums */
		lterm += log((i + 1.0) / (i + 1.0 - x)) - log1p_quotient(a + x, b + (i - x)) -
			log1p_quotient(g + 1, d + i);
		if ((i & 0xFFFF) == 0xFFFF)
			CHECK_FOR_INTERRUPTS();
	}
	PG_RETURN_FLOAT8(finite_result(exp(total), "prob_purchases"));
}

/*-------------------------------------------------------------------------
 *
 * uncertainty.c
 *	  What the fitted models say about their own precision: the parameter
 *	  listing engage.parameters(model [, level]) with standard errors and
 *	  Wald intervals from the model's covariance attribute (the inverse of
 *	  the observed information at the optimum, computed by btyd_fit_sample),
 *	  the delta-method prediction intervals of P(alive) and E[X(t) | ...]
 *	  of the counting models and the helpers they share with the CLV
 *	  interval (src/models/clv.c), the standard normal quantile they need,
 *	  and the constructors of hand-built models.
 *
 * Wald interval of level L: estimate -+ z SE, z = Phi^-1((1 + L) / 2)
 * (1.959964 at L = 0.95), as the lifetimes and CLVTools packages report.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/typcache.h"
#include "executor/executor.h"

#include "btyd.h"
#include "engage.h"
#include "uncertainty.h"

PG_FUNCTION_INFO_V1(btyd_parameters);
PG_FUNCTION_INFO_V1(btyd_model_construct);

/*
 * Phi^-1(p) for 0 < p < 1: Acklam's rational approximation (relative error
 * 1.15e-9), refined by one Halley step on erfc, which brings it to about
 * machine precision.
 */
double
normal_quantile(double p)
{
	static const double a[6] = {-3.969683028665376e+01, 2.209460984245205e+02,
		-2.759285104469687e+02, 1.383577518672690e+02,
	-3.066479806614716e+01, 2.506628277459239e+00};
	static const double b[5] = {-5.447609879822406e+01, 1.615858368580409e+02,
		-1.556989798598866e+02, 6.680131188771972e+01,
	-1.328068155288572e+01};
	static const double c[6] = {-7.784894002430293e-03, -3.223964580411365e-01,
		-2.400758277161838e+00, -2.549732539343734e+00,
	4.374664141464968e+00, 2.938163982698783e+00};
	static const double d[4] = {7.784695709041462e-03, 3.224671290700398e-01,
	2.445134137142996e+00, 3.754408661907416e+00};
	const double plow = 0.02425;
	double		x,
				q,
				r,
				e,
				u;

	if (p < plow)
	{
		q = sqrt(-2.0 * log(p));
		x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
			((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
	}
	else if (p <= 1.0 - plow)
	{
		q = p - 0.5;
		r = q * q;
		x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
			(((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0);
	}
	else
	{
		q = sqrt(-2.0 * log1p(-p));
		x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
			((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
	}
	/* Halley: the error of Phi(x) over the density at x */
	e = 0.5 * erfc(-x / M_SQRT2) - p;
	u = e * sqrt(2.0 * M_PI) * exp(x * x / 2.0);
	return x - u / (1.0 + x * u / 2.0);
}

double
interval_z(double level)
{
	ensure_finite(level, "level");
	if (!(level > 0.0 && level < 1.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("level must be between 0 and 1"),
				 errdetail("Level is %g.", level)));
	return normal_quantile(0.5 + level / 2.0);
}

/*
 * The covariance attribute d of a model of n parameters as n * n doubles
 * (row-major) into cov; errors 22023 unless it is an n x n matrix of finite
 * numbers with a non-negative diagonal.
 */
void
read_covariance(Datum d, int n, double *cov)
{
	ArrayType  *arr = DatumGetArrayTypeP(d);
	int			ndim = ARR_NDIM(arr);
	const int  *dims = ARR_DIMS(arr);

	if (ARR_ELEMTYPE(arr) != FLOAT8OID || ARR_HASNULL(arr) || ndim != 2 ||
		dims[0] != n || dims[1] != n)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("model covariance must be a %d x %d matrix without nulls", n, n)));
	memcpy(cov, ARR_DATA_PTR(arr), sizeof(double) * n * n);
	for (int i = 0; i < n * n; i++)
		if (!isfinite(cov[i]) || (i % (n + 1) == 0 && cov[i] < 0))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("model covariance must be finite with a non-negative diagonal")));
}

/*
 * The number of parameters of model type desc: the attributes before
 * loglik.  Errors 42804 unless the model has a covariance attribute.
 */
static int
model_nparams(TupleDesc desc)
{
	int			n = 0;

	while (n < desc->natts && strcmp(NameStr(TupleDescAttr(desc, n)->attname), "loglik") != 0)
		n++;
	if (n < 1 || n > BTYD_MAX_PARAMS || desc->natts < n + BTYD_MODEL_EXTRA_ATTS ||
		TupleDescAttr(desc, n + 3)->atttypid != FLOAT8ARRAYOID)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("the argument is not a model with a covariance")));
	return n;
}

/* Adds one row (parameter, estimate, std_error, lower, upper) to the result. */
static void
put_parameter(ReturnSetInfo *rsinfo, const char *name, double est, bool estnull,
			  const double *cov, int ncov, int i, double z)
{
	Datum		values[5];
	bool		nulls[5] = {false, estnull, cov == NULL, cov == NULL, cov == NULL};

	values[0] = CStringGetTextDatum(name);
	values[1] = Float8GetDatum(est);
	if (cov != NULL)
	{
		double		se = sqrt(cov[i * ncov + i]);

		values[2] = Float8GetDatum(se);
		values[3] = Float8GetDatum(est - z * se);
		values[4] = Float8GetDatum(est + z * se);
		nulls[3] = nulls[4] = estnull;
	}
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
}

/*
 * engage.parameters(model, level): one row (parameter, estimate, std_error,
 * lower, upper) per parameter, in the model's order, named as its
 * attributes, then one per covariate coefficient, named after its attribute
 * (purchase_coefficients: purchase[1], purchase[2], ...).  The parameters
 * are the attributes before loglik; the covariance covers them and then the
 * coefficients.  std_error and the bounds are NULL when the covariance is.
 */
Datum
btyd_parameters(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	HeapTupleHeader model = PG_GETARG_HEAPTUPLEHEADER(0);
	double		z = interval_z(PG_GETARG_FLOAT8(1));
	TupleDesc	desc = lookup_rowtype_tupdesc(HeapTupleHeaderGetTypeId(model),
											  HeapTupleHeaderGetTypMod(model));
	HeapTupleData tuple;
	int			n = model_nparams(desc);
	int			ncoefatts = desc->natts - n - BTYD_MODEL_EXTRA_ATTS;
	BtydCoefficients coefs;
	int			ncov = n;
	double	   *cov = NULL;
	bool		isnull;
	Datum		d;
	int			row = 0;

	btyd_read_coefficients(PG_GETARG_DATUM(0), n, Min(ncoefatts, BTYD_MAX_COEF_ATTS),
						   &coefs);
	for (int a = 0; a < coefs.natts; a++)
		ncov += coefs.n[a];
	tuple.t_len = HeapTupleHeaderGetDatumLength(model);
	tuple.t_data = model;
	ItemPointerSetInvalid(&tuple.t_self);
	tuple.t_tableOid = InvalidOid;
	d = heap_getattr(&tuple, n + 4, desc, &isnull);
	if (!isnull)
	{
		cov = palloc(sizeof(double) * ncov * ncov);
		read_covariance(d, ncov, cov);
	}
	InitMaterializedSRF(fcinfo, 0);
	for (int i = 0; i < n; i++)
	{
		d = heap_getattr(&tuple, i + 1, desc, &isnull);
		put_parameter(rsinfo, NameStr(TupleDescAttr(desc, i)->attname),
					  isnull ? 0.0 : DatumGetFloat8(d), isnull, cov, ncov, row++, z);
	}
	for (int a = 0; a < coefs.natts; a++)
	{
		char	   *prefix = pstrdup(NameStr(TupleDescAttr(desc, n + BTYD_MODEL_EXTRA_ATTS + a)->attname));
		char	   *suffix = strstr(prefix, "_coefficients");

		if (suffix != NULL)
			*suffix = '\0';
		for (int k = 0; k < coefs.n[a]; k++)
			put_parameter(rsinfo, psprintf("%s[%d]", prefix, k + 1), coefs.coef[a][k],
						  false, cov, ncov, row++, z);
	}
	ReleaseTupleDesc(desc);
	return (Datum) 0;
}

/*
 * Coefficient array argument argno of a model constructor (name: the
 * attribute), checked as a customer's covariate vector is
 * (btyd_covariate_vector).
 */
static Datum
coefficient_arg(FunctionCallInfo fcinfo, int argno, const char *name)
{
	double		coef[BTYD_MAX_COVARIATES];

	(void) btyd_covariate_vector(fcinfo, argno, name, coef);
	return PointerGetDatum(PG_GETARG_ARRAYTYPE_P(argno));
}

/*
 * engage.<model>(parameters... [, purchase_coefficients,
 * dropout_coefficients]): a model of the given parameters (and covariate
 * coefficients), in the calling function's result type, not fitted
 * (loglik, customers and covariance NULL, converged true).  Errors 22023
 * naming the first parameter that is not a positive finite number, as
 * scoring would.
 */
Datum
btyd_model_construct(PG_FUNCTION_ARGS)
{
	TupleDesc	desc;
	int			n = PG_NARGS();
	int			ncoefargs = 0;
	Datum		values[BTYD_MAX_PARAMS + BTYD_MODEL_EXTRA_ATTS + BTYD_MAX_COEF_ATTS] = {0};
	bool		nulls[BTYD_MAX_PARAMS + BTYD_MODEL_EXTRA_ATTS + BTYD_MAX_COEF_ATTS];

	/* the coefficient arrays, if any, are the last arguments */
	while (n > 0 && ncoefargs < BTYD_MAX_COEF_ATTS &&
		   get_fn_expr_argtype(fcinfo->flinfo, n - 1) == FLOAT8ARRAYOID)
	{
		n--;
		ncoefargs++;
	}
	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE ||
		n > BTYD_MAX_PARAMS || desc->natts < n + BTYD_MODEL_EXTRA_ATTS ||
		desc->natts > n + BTYD_MODEL_EXTRA_ATTS + BTYD_MAX_COEF_ATTS ||
		(ncoefargs > 0 && desc->natts != n + BTYD_MODEL_EXTRA_ATTS + ncoefargs))
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("the model type does not have %d parameters and %d further attributes",
						n, BTYD_MODEL_EXTRA_ATTS)));
	for (int i = 0; i < n; i++)
	{
		double		p = PG_GETARG_FLOAT8(i);

		if (!(p > 0) || isinf(p))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("model parameter %s must be a positive finite number",
							NameStr(TupleDescAttr(desc, i)->attname))));
		values[i] = Float8GetDatum(p);
	}
	/* loglik, customers, covariance and any coefficients NULL; converged true */
	for (int i = n; i < desc->natts; i++)
		nulls[i] = i != n + 2;
	for (int i = 0; i < n; i++)
		nulls[i] = false;
	values[n + 2] = BoolGetDatum(true);
	for (int a = 0; a < ncoefargs; a++)
	{
		int			at = n + BTYD_MODEL_EXTRA_ATTS + a;

		values[at] = coefficient_arg(fcinfo, n + a, NameStr(TupleDescAttr(desc, at)->attname));
		nulls[at] = false;
	}
	desc = BlessTupleDesc(desc);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
}

/*
 * Delta-method prediction intervals of a customer's score under fitted
 * models: the gradient g of the score with respect to the parameters by
 * central differences (relative steps of 1e-4), Var = g' Cov g.  The
 * interval is built on a scale that keeps the bounds valid and mapped back:
 * logit for P(alive), log for expectations and CLV; std_error is the
 * natural-scale sqrt(g' Cov g).
 */
#define PREDICTION_LOG_STEP 1e-4

bool
model_covariance(Datum model, int nparams, int n, double *cov)
{
	bool		isnull;
	Datum		d = GetAttributeByNum(DatumGetHeapTupleHeader(model),
									  nparams + BTYD_MODEL_EXTRA_ATTS, &isnull);

	if (isnull)
		return false;
	read_covariance(d, n, cov);
	return true;
}

void
delta_gradient_mixed(DeltaScoreFn score, void *arg, const double *params, int n,
					 int npositive, double *grad)
{
	bool		positive[DELTA_MAX_PARAMS];

	Assert(n <= DELTA_MAX_PARAMS);
	for (int i = 0; i < n; i++)
		positive[i] = i < npositive;
	delta_gradient_masked(score, arg, params, n, positive, grad);
}

void
delta_gradient_masked(DeltaScoreFn score, void *arg, const double *params, int n,
					  const bool *positive, double *grad)
{
	double		p[DELTA_MAX_PARAMS];

	Assert(n <= DELTA_MAX_PARAMS);
	memcpy(p, params, sizeof(double) * n);
	for (int i = 0; i < n; i++)
	{
		double		up,
					down,
					width;

		if (positive[i])
		{
			/* a parameter: relative steps */
			p[i] = params[i] * exp(PREDICTION_LOG_STEP);
			up = score(p, arg);
			p[i] = params[i] * exp(-PREDICTION_LOG_STEP);
			width = 2.0 * PREDICTION_LOG_STEP * params[i];
		}
		else
		{
			/* a coefficient: absolute steps */
			p[i] = params[i] + PREDICTION_LOG_STEP;
			up = score(p, arg);
			p[i] = params[i] - PREDICTION_LOG_STEP;
			width = 2.0 * PREDICTION_LOG_STEP;
		}
		down = score(p, arg);
		p[i] = params[i];
		grad[i] = finite_result((up - down) / width, "gradient");
	}
}

/* The scale transform of v, and its derivative. */
static double
scale_of(IntervalScale scale, double v, double *deriv)
{
	if (scale == SCALE_LOGIT)
	{
		*deriv = 1.0 / (v * (1.0 - v));
		return log(v / (1.0 - v));
	}
	*deriv = 1.0 / v;
	return log(v);
}

static double
scale_inverse(IntervalScale scale, double u)
{
	if (scale == SCALE_LOGIT)
		return 1.0 / (1.0 + exp(-u));
	return exp(u);
}

Datum
delta_interval_result(FunctionCallInfo fcinfo, double est, const double *grad,
					  const double *cov, int n, double z, IntervalScale scale)
{
	double		var = 0.0,
				se,
				lower,
				upper;
	TupleDesc	desc;
	Datum		values[4];
	bool		nulls[4] = {false, false, false, false};

	for (int i = 0; i < n; i++)
		for (int j = 0; j < n; j++)
			var += grad[i] * cov[i * n + j] * grad[j];
	se = sqrt(fmax(var, 0.0));
	if (est <= 0.0 || (scale == SCALE_LOGIT && est >= 1.0) || se == 0.0)
	{
		/* on the boundary (e.g. BG/NBD P(alive) = 1 at frequency 0): no spread */
		lower = upper = est;
	}
	else
	{
		double		deriv;
		double		u = scale_of(scale, est, &deriv);
		double		half = z * se * fabs(deriv);

		lower = scale_inverse(scale, u - half);
		upper = scale_inverse(scale, u + half);
	}
	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE || desc->natts != 4)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("function returning engage.prediction_interval called in a context that cannot accept it")));
	values[0] = Float8GetDatum(est);
	values[1] = Float8GetDatum(se);
	values[2] = Float8GetDatum(lower);
	values[3] = Float8GetDatum(upper);
	desc = BlessTupleDesc(desc);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
}

/* A customer's score under a counting model, as delta_gradient_mixed evaluates it. */
typedef struct CountingScore
{
	FunctionCallInfo fcinfo;	/* for the memo of Pareto/NBD and GGompertz/NBD */
	const BtydCountingModel *model;
	double		t;				/* the window of E[X(t)], or -1 for P(alive) */
	double		x,
				tx,
				T;
	BtydCustomerCovariates cc;	/* the customer's covariates (none: n = 0) */
} CountingScore;

/*
 * The customer's score at the model's parameters and coefficients theta:
 * P(alive), or E[X(t)] when t >= 0, at the customer's parameters.
 */
static double
counting_score(const double *theta, void *arg)
{
	CountingScore *cs = (CountingScore *) arg;
	const BtydCountingModel *m = cs->model;
	double		p_i[BTYD_MAX_PARAMS];
	double		e = 1.0;

	btyd_counting_customer(m, theta, &cs->cc, p_i);
	if (cs->t >= 0)
		m->alive_steps(p_i, cs->x, cs->T, cs->t, 1, 1, &e);
	return m->p_alive(cs->fcinfo, p_i, m->nparams, cs->x, cs->tx, cs->T) * e;
}

/*
 * The body of the interval functions: argument 0 the model, then (t,) x,
 * t_x, T, (the purchase and dropout covariate vectors,) and the level.
 * With covariates the gradient also runs over the coefficients (absolute
 * steps of 1e-4), whose covariance with the parameters the model's
 * covariance holds.  NULL when the model has no covariance.
 */
static Datum
counting_interval(FunctionCallInfo fcinfo, const BtydCountingModel *model, bool expected)
{
	int			a = expected ? 2 : 1;
	bool		with_covariates = PG_NARGS() > a + 4;
	CountingScore cs = {.fcinfo = fcinfo, .model = model,
		.t = expected ? PG_GETARG_FLOAT8(1) : -1.0,
		.x = PG_GETARG_FLOAT8(a), .tx = PG_GETARG_FLOAT8(a + 1), .T = PG_GETARG_FLOAT8(a + 2)};
	double		z = interval_z(PG_GETARG_FLOAT8(with_covariates ? a + 5 : a + 3));
	double		theta[BTYD_MAX_FIT_PARAMS];
	double		cov[BTYD_MAX_FIT_PARAMS * BTYD_MAX_FIT_PARAMS];
	double		grad[BTYD_MAX_FIT_PARAMS];
	int			ncov;
	double		est;

	ncov = btyd_counting_getarg(fcinfo, model, 0, with_covariates ? a + 3 : -1,
								BTYD_COUNTING_COVARIATES_HINT, theta, &cs.cc);
	if (expected)
		ensure_nonnegative(cs.t, "t");
	btyd_check_summary(cs.x, cs.tx, cs.T);
	if (!model_covariance(PG_GETARG_DATUM(0), model->nparams, ncov, cov))
		PG_RETURN_NULL();
	est = finite_result(counting_score(theta, &cs), "estimate");
	delta_gradient_mixed(counting_score, &cs, theta, ncov, model->nparams, grad);
	return delta_interval_result(fcinfo, est, grad, cov, ncov, z,
								 expected ? SCALE_LOG : SCALE_LOGIT);
}

PG_FUNCTION_INFO_V1(bgnbd_p_alive_interval);
PG_FUNCTION_INFO_V1(mbgnbd_p_alive_interval);
PG_FUNCTION_INFO_V1(paretonbd_p_alive_interval);
PG_FUNCTION_INFO_V1(bgnbd_expected_interval);
PG_FUNCTION_INFO_V1(mbgnbd_expected_interval);
PG_FUNCTION_INFO_V1(paretonbd_expected_interval);
PG_FUNCTION_INFO_V1(ggomnbd_p_alive_interval);
PG_FUNCTION_INFO_V1(ggomnbd_expected_interval);

Datum
bgnbd_p_alive_interval(PG_FUNCTION_ARGS)
{
	return counting_interval(fcinfo, &btyd_counting_bgnbd, false);
}

Datum
mbgnbd_p_alive_interval(PG_FUNCTION_ARGS)
{
	return counting_interval(fcinfo, &btyd_counting_mbgnbd, false);
}

Datum
paretonbd_p_alive_interval(PG_FUNCTION_ARGS)
{
	return counting_interval(fcinfo, &btyd_counting_paretonbd, false);
}

Datum
bgnbd_expected_interval(PG_FUNCTION_ARGS)
{
	return counting_interval(fcinfo, &btyd_counting_bgnbd, true);
}

Datum
mbgnbd_expected_interval(PG_FUNCTION_ARGS)
{
	return counting_interval(fcinfo, &btyd_counting_mbgnbd, true);
}

Datum
paretonbd_expected_interval(PG_FUNCTION_ARGS)
{
	return counting_interval(fcinfo, &btyd_counting_paretonbd, true);
}

Datum
ggomnbd_p_alive_interval(PG_FUNCTION_ARGS)
{
	return counting_interval(fcinfo, &btyd_counting_ggomnbd, false);
}

Datum
ggomnbd_expected_interval(PG_FUNCTION_ARGS)
{
	return counting_interval(fcinfo, &btyd_counting_ggomnbd, true);
}

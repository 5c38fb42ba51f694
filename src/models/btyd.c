/*-------------------------------------------------------------------------
 *
 * btyd.c
 *	  What the buy-till-you-die models share (see btyd.h): reading a model
 *	  composite, checking a customer summary, building the fitted model, the
 *	  maximum-likelihood driver, and the transition functions of the fit
 *	  aggregates over (frequency, recency, age [, purchase_covariates,
 *	  dropout_covariates] [, weight [, penalizer]]); static covariates
 *	  (Fader & Hardie 2007): the customer's parameters, the chain rule of
 *	  their gradient, the coefficient attributes of a model.
 *
 * Fitting convention (as lifetimes' penalizer_coef): the minimised objective
 * is  -sum_i w_i LL_i / sum_i w_i + penalizer * sum_j theta_j^2  over the
 * natural parameters theta, optimised on log(theta); the reported loglik is
 * the unpenalised sum_i w_i LL_i at the optimum.  With covariates the
 * coefficients are optimised on their own scale, and only they are
 * penalised (as CLVTools' reg.lambdas).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "executor/executor.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/typcache.h"

#include "btyd.h"
#include "engage.h"
#include "optim.h"

PG_FUNCTION_INFO_V1(btyd_fit_accum);
PG_FUNCTION_INFO_V1(btyd_fit_accum_rfm);
PG_FUNCTION_INFO_V1(btyd_fit_accum_cov);

/*
 * |log(parameter)| beyond this (above 3.3e6 or below 3e-7) counts as running
 * off to infinity or 0, far outside what any time unit gives.
 */
#define MAX_ABS_LOG_PARAM 15.0
/* The search itself stops once a log-parameter is this far out. */
#define SEARCH_LOG_PARAM_BOUND (MAX_ABS_LOG_PARAM + 5.0)

/*
 * Step in log-parameter space of the forward-differenced Hessian: relative
 * changes of 1e-5 keep the truncation error (h) near 1e-5 relative and the
 * rounding error of the summed gradients (their relative error / h) well
 * below it, even for gradients accurate to 1e-11 only (series, quadrature).
 */
#define HESSIAN_LOG_STEP 1e-5

/* What a fit's WARNING hints when it did not converge. */
#define NOT_CONVERGED_HINT "Fit more customers or pass a penalizer; scoring functions reject a model that did not converge."

/*
 * Errors 22023 when the model composite of null bitmap bits has a coefficient
 * attribute (any attribute after covariance) that is not NULL: scoring it
 * needs the customer's covariates.
 */
static void
ensure_no_covariates(const bits8 *bits, uint16 infomask, int natts, int nparams)
{
	for (int i = nparams + BTYD_MODEL_EXTRA_ATTS; i < natts; i++)
		if (!((infomask & HEAP_HASNULL) && att_isnull(i, bits)))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("model has covariates"),
					 errhint("Use the form of the function that takes the customer's covariate vectors as its last arguments, e.g. engage.p_alive(model, frequency, recency, age, purchase_covariates, dropout_covariates).")));
}

/*
 * Errors 22023 when the model composite at base (header fields as read by
 * read_params) says its fit did not converge.  Its attributes after the
 * nparams parameters are loglik, customers (double precision, either may be
 * NULL) and converged; a model without converged (hand-built, NULL) passes.
 */
static void
ensure_converged(const char *base, uint16 infomask, int natts, uint8 hoff,
				 int nparams, const char *const *names, const double *params)
{
	const bits8 *bits = (const bits8 *) (base + offsetof(HeapTupleHeaderData, t_bits));
	bool		hasnull = (infomask & HEAP_HASNULL) != 0;
	int			at = nparams + 2;	/* converged */
	size_t		off = hoff + nparams * sizeof(double);
	bool		converged;
	StringInfoData detail;

	if (natts <= at || (hasnull && att_isnull(at, bits)))
		return;
	/* loglik and customers, 8 bytes each when present, come before it */
	for (int i = nparams; i < at; i++)
		if (!(hasnull && att_isnull(i, bits)))
			off += sizeof(double);
	memcpy(&converged, base + off, sizeof(bool));
	if (converged)
		return;
	initStringInfo(&detail);
	for (int i = 0; i < nparams; i++)
		if (fabs(log(params[i])) > MAX_ABS_LOG_PARAM)
			appendStringInfo(&detail, "%sParameter %s ran off to %g.",
							 detail.len > 0 ? " " : "", names[i], params[i]);
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("model did not converge"),
			 detail.len > 0 ? errdetail("%s", detail.data) :
			 errdetail("The fit that made it stopped before the likelihood reached its maximum."),
			 errhint("Fit more customers or pass a penalizer, and check the fit's WARNING: scores of a model that did not converge mean nothing.")));
}

/*
 * Reads the parameters of model composite d (see btyd_read_model), and
 * checks its converged flag when need_converged.
 */
static void
read_params(Datum d, int nparams, const char *const *names, double *params,
			bool need_converged, bool allow_covariates)
{
	struct varlena *v = (struct varlena *) DatumGetPointer(d);
	const char *base;
	const bits8 *bits;
	uint16		infomask,
				infomask2;
	uint8		hoff;

	/*
	 * A model read from a table arrives with a short (1-byte) header and
	 * unaligned: read its fields where they are, with memcpy, rather than
	 * detoasting it into a palloc'd copy on every call.  base is where the
	 * 4-byte header would start.  Toasted, compressed or expanded values
	 * (e.g. a PL/pgSQL record variable) are flattened by detoasting.
	 */
	if (VARATT_IS_SHORT(v) && !VARATT_IS_EXTERNAL(v))
		base = (const char *) v + VARHDRSZ_SHORT - VARHDRSZ;
	else
		base = (const char *) DatumGetHeapTupleHeader(d);
	memcpy(&infomask, base + offsetof(HeapTupleHeaderData, t_infomask), sizeof(uint16));
	memcpy(&infomask2, base + offsetof(HeapTupleHeaderData, t_infomask2), sizeof(uint16));
	memcpy(&hoff, base + offsetof(HeapTupleHeaderData, t_hoff), sizeof(uint8));
	bits = (const bits8 *) (base + offsetof(HeapTupleHeaderData, t_bits));
	if ((infomask2 & HEAP_NATTS_MASK) < nparams)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("model has fewer than %d parameters", nparams)));
	for (int i = 0; i < nparams; i++)
	{
		if ((infomask & HEAP_HASNULL) && att_isnull(i, bits))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("model parameter %s must not be null", names[i])));
		/* float8 attributes before any null lie 8 bytes apart */
		memcpy(&params[i], base + hoff + i * sizeof(double), sizeof(double));
		if (!(params[i] > 0) || isinf(params[i]))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("model parameter %s must be a positive finite number", names[i])));
	}
	if (!allow_covariates)
		ensure_no_covariates(bits, infomask, infomask2 & HEAP_NATTS_MASK, nparams);
	if (need_converged)
		ensure_converged(base, infomask, infomask2 & HEAP_NATTS_MASK, hoff,
						 nparams, names, params);
}

void
btyd_read_model(Datum d, int nparams, const char *const *names, double *params)
{
	read_params(d, nparams, names, params, true, false);
}

void
btyd_read_model_any(Datum d, int nparams, const char *const *names, double *params)
{
	read_params(d, nparams, names, params, false, false);
}

/*
 * The coefficient array d (attribute name) into out, at most
 * BTYD_MAX_COVARIATES finite numbers without NULLs; returns their number.
 */
static int
read_coefficient_array(Datum d, const char *name, double *out)
{
	ArrayType  *arr = DatumGetArrayTypeP(d);
	int			n = ArrayGetNItems(ARR_NDIM(arr), ARR_DIMS(arr));

	if (ARR_ELEMTYPE(arr) != FLOAT8OID || ARR_HASNULL(arr) || ARR_NDIM(arr) > 1 ||
		n > BTYD_MAX_COVARIATES)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("model %s must be a list of at most %d numbers without nulls",
						name, BTYD_MAX_COVARIATES)));
	memcpy(out, ARR_DATA_PTR(arr), sizeof(double) * n);
	for (int i = 0; i < n; i++)
		if (!isfinite(out[i]))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("model %s must be finite", name)));
	return n;
}

void
btyd_read_model_coef(Datum d, int nparams, const char *const *names, double *params,
					 BtydCoefficients *coef, bool need_converged)
{
	HeapTupleHeader tup;
	int			natts;

	read_params(d, nparams, names, params, need_converged, true);
	coef->npurchase = coef->ndropout = 0;
	tup = DatumGetHeapTupleHeader(d);
	natts = HeapTupleHeaderGetNatts(tup);
	if (natts <= nparams + BTYD_MODEL_EXTRA_ATTS)
		return;
	for (int j = 0; j < BTYD_MODEL_COEF_ATTS && nparams + BTYD_MODEL_EXTRA_ATTS + j < natts; j++)
	{
		bool		isnull;
		Datum		a = GetAttributeByNum(tup, nparams + BTYD_MODEL_EXTRA_ATTS + j + 1, &isnull);

		if (isnull)
			continue;
		if (j == 0)
			coef->npurchase = read_coefficient_array(a, "purchase_coefficients", coef->purchase);
		else
			coef->ndropout = read_coefficient_array(a, "dropout_coefficients", coef->dropout);
	}
}

/*
 * One covariate vector argument into out; returns its length, after
 * checking it is expected long (what: "purchase" or "dropout").
 */
static void
getarg_covariate_vector(FunctionCallInfo fcinfo, int argno, int expected,
						const char *what, double *out)
{
	ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(argno);
	int			n = ArrayGetNItems(ARR_NDIM(arr), ARR_DIMS(arr));

	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s_covariates must be one-dimensional", what)));
	if (n != expected)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg_plural("%s_covariates must have %d element, got %d",
							   "%s_covariates must have %d elements, got %d",
							   expected, what, expected, n),
				 errdetail_plural("The model has %d %s coefficient.",
								  "The model has %d %s coefficients.",
								  expected, expected, what)));
	if (ARR_HASNULL(arr))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s_covariates must not contain nulls", what)));
	Assert(ARR_ELEMTYPE(arr) == FLOAT8OID);
	memcpy(out, ARR_DATA_PTR(arr), sizeof(double) * n);
	for (int i = 0; i < n; i++)
		ensure_finite(out[i], what[0] == 'p' ? "purchase covariate" : "dropout covariate");
}

void
btyd_getarg_covariates(FunctionCallInfo fcinfo, int argp, int argd,
					   const BtydCoefficients *coef, BtydCovariates *cv)
{
	getarg_covariate_vector(fcinfo, argp, coef->npurchase, "purchase", cv->purchase);
	getarg_covariate_vector(fcinfo, argd, coef->ndropout, "dropout", cv->dropout);
}

/* exp(sign * b'v) of n values. */
static inline double
covariate_factor(double sign, const double *b, const double *v, int n)
{
	double		eta = 0.0;

	for (int k = 0; k < n; k++)
		eta += b[k] * v[k];
	return exp(sign * eta);
}

/* params[j] * factor, or 22003 when it leaves the positive finite numbers. */
static inline double
scaled_param(double param, double factor)
{
	double		v = param * factor;

	if (!(v > 0) || isinf(v))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("a customer's model parameter is out of range"),
				 errdetail("The covariates scale a parameter of %g by %g.", param, factor)));
	return v;
}

void
btyd_customer_params(const BtydCovariateMap *map, int nparams, const double *params,
					 const BtydCoefficients *coef, const double *xp, const double *xd,
					 double *p_i)
{
	memcpy(p_i, params, sizeof(double) * nparams);
	if (coef->npurchase > 0)
	{
		double		f = covariate_factor(map->purchase_sign, coef->purchase, xp, coef->npurchase);

		p_i[map->purchase_param] = scaled_param(params[map->purchase_param], f);
	}
	if (coef->ndropout > 0)
	{
		double		f = covariate_factor(map->dropout_sign, coef->dropout, xd, coef->ndropout);

		for (int j = 0; j < 2; j++)
			if (map->dropout_params[j] >= 0)
				p_i[map->dropout_params[j]] = scaled_param(params[map->dropout_params[j]], f);
	}
}

void
btyd_getarg_customer_model(FunctionCallInfo fcinfo, int argno, int argp, int argd,
						   int nparams, const char *const *names,
						   const BtydCovariateMap *map, double *p_i)
{
	double		params[BTYD_MAX_PARAMS];
	BtydCoefficients coef;
	BtydCovariates cv;

	btyd_read_model_coef(PG_GETARG_DATUM(argno), nparams, names, params, &coef, true);
	btyd_getarg_covariates(fcinfo, argp, argd, &coef, &cv);
	btyd_customer_params(map, nparams, params, &coef, cv.purchase, cv.dropout, p_i);
}

void
btyd_coefficients_of(const double *params, int nparams, int npurchase, int ndropout,
					 BtydCoefficients *coef)
{
	coef->npurchase = npurchase;
	coef->ndropout = ndropout;
	memcpy(coef->purchase, params + nparams, sizeof(double) * npurchase);
	memcpy(coef->dropout, params + nparams + npurchase, sizeof(double) * ndropout);
}

/*
 * d p_i[j] / d params[j] = p_i[j] / params[j] for a scaled parameter, and
 * d p_i[j] / d b_k = sign p_i[j] v_k for its coefficients b.
 */
void
btyd_add_customer_gradient(const BtydCovariateMap *map, int nparams, const double *params,
						   const BtydCoefficients *coef, const double *xp, const double *xd,
						   const double *p_i, double w, const double *g_i, double *grad)
{
	double	   *gp = grad + nparams;
	double	   *gd = gp + coef->npurchase;
	double		sp = 0.0,
				sd = 0.0;

	for (int j = 0; j < nparams; j++)
		grad[j] += w * (p_i[j] == params[j] ? g_i[j] : g_i[j] * (p_i[j] / params[j]));
	if (coef->npurchase > 0)
		sp = map->purchase_sign * g_i[map->purchase_param] * p_i[map->purchase_param];
	if (coef->ndropout > 0)
		for (int j = 0; j < 2; j++)
			if (map->dropout_params[j] >= 0)
				sd += map->dropout_sign * g_i[map->dropout_params[j]] * p_i[map->dropout_params[j]];
	for (int k = 0; k < coef->npurchase; k++)
		gp[k] += w * sp * xp[k];
	for (int k = 0; k < coef->ndropout; k++)
		gd[k] += w * sd * xd[k];
}

/* Whether v is a whole number of covariates (0 .. BTYD_MAX_COVARIATES). */
static inline bool
is_covariate_count(double v)
{
	return v >= 0 && v <= BTYD_MAX_COVARIATES && v == floor(v);
}

/*
 * Options that are not whole numbers of covariates (a stored sample of
 * another kind, or a corrupt one) give -1, which the callers reject.
 */
void
btyd_sample_covariates(const FitData *fd, int *npurchase, int *ndropout)
{
	*npurchase = *ndropout = 0;
	if (fd->nopts == 3)
	{
		*npurchase = is_covariate_count(fd->opts[1]) ? (int) fd->opts[1] : -1;
		*ndropout = is_covariate_count(fd->opts[2]) ? (int) fd->opts[2] : -1;
	}
}

void
btyd_check_summary(double x, double tx, double T)
{
	ensure_nonnegative(x, "frequency");
	if (x != floor(x))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("frequency must be a whole number")));
	ensure_nonnegative(tx, "recency");
	ensure_nonnegative(T, "age");
	if (tx > T)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("recency must not exceed age"),
				 errdetail("Recency is %g, age is %g.", tx, T)));
}

/*
 * The n x n covariance matrix cov (row-major) as a 2-D double precision
 * array.
 */
static Datum
covariance_array(const double *cov, int n)
{
	Datum		elems[BTYD_MAX_FIT_PARAMS * BTYD_MAX_FIT_PARAMS];
	int			dims[2] = {n, n};
	int			lbs[2] = {1, 1};

	for (int i = 0; i < n * n; i++)
		elems[i] = Float8GetDatum(cov[i]);
	return PointerGetDatum(construct_md_array(elems, NULL, 2, dims, lbs, FLOAT8OID,
											  sizeof(float8), FLOAT8PASSBYVAL,
											  TYPALIGN_DOUBLE));
}

/* n coefficients as a 1-D double precision array (empty when n = 0). */
static Datum
coefficient_array(const double *b, int n)
{
	Datum		elems[BTYD_MAX_COVARIATES];

	for (int i = 0; i < n; i++)
		elems[i] = Float8GetDatum(b[i]);
	return PointerGetDatum(construct_array(elems, n, FLOAT8OID, sizeof(float8),
										   FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

HeapTuple
btyd_model_tuple(TupleDesc desc, const double *params, int nparams, double loglik,
				 double customers, bool converged, const double *cov)
{
	return btyd_model_tuple_coef(desc, params, nparams, 0, 0, loglik, customers,
								 converged, cov);
}

HeapTuple
btyd_model_tuple_coef(TupleDesc desc, const double *params, int nparams,
					  int npurchase, int ndropout, double loglik, double customers,
					  bool converged, const double *cov)
{
	Datum		values[BTYD_MAX_PARAMS + BTYD_MODEL_EXTRA_ATTS + BTYD_MODEL_COEF_ATTS];
	bool		nulls[BTYD_MAX_PARAMS + BTYD_MODEL_EXTRA_ATTS + BTYD_MODEL_COEF_ATTS] = {0};
	bool		has_covariance;
	int			ncoef_atts;
	int			n = nparams + npurchase + ndropout;

	/*
	 * The layout of 0.2.0 ends with covariance and, for models that take
	 * covariates, their coefficient arrays; 0.1.0's (still installed until
	 * ALTER EXTENSION engage UPDATE) has neither.
	 */
	ncoef_atts = desc->natts - nparams - BTYD_MODEL_EXTRA_ATTS;
	has_covariance = ncoef_atts >= 0 && ncoef_atts <= BTYD_MODEL_COEF_ATTS &&
		TupleDescAttr(desc, nparams + 3)->atttypid == FLOAT8ARRAYOID;
	if (!has_covariance && desc->natts != nparams + 3)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("the model type has %d attributes, expected %d",
						desc->natts, nparams + BTYD_MODEL_EXTRA_ATTS),
				 errhint("The extension's SQL objects do not match its library: run ALTER EXTENSION engage UPDATE.")));
	if (npurchase + ndropout > 0 && (!has_covariance || ncoef_atts < 2))
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("the model type has no coefficient attributes"),
				 errhint("The extension's SQL objects do not match its library: run ALTER EXTENSION engage UPDATE.")));
	for (int i = 0; i < nparams; i++)
	{
		nulls[i] = params == NULL;
		values[i] = params == NULL ? (Datum) 0 : Float8GetDatum(params[i]);
	}
	nulls[nparams] = params == NULL;
	values[nparams] = Float8GetDatum(loglik);
	values[nparams + 1] = Float8GetDatum(customers);
	values[nparams + 2] = BoolGetDatum(converged);
	if (has_covariance)
	{
		nulls[nparams + 3] = cov == NULL;
		if (cov != NULL)
			values[nparams + 3] = covariance_array(cov, n);
		for (int j = 0; j < ncoef_atts; j++)
			nulls[nparams + BTYD_MODEL_EXTRA_ATTS + j] = true;
		if (npurchase + ndropout > 0)
		{
			nulls[nparams + 4] = nulls[nparams + 5] = false;
			values[nparams + 4] = coefficient_array(params + nparams, npurchase);
			values[nparams + 5] = coefficient_array(params + nparams + npurchase, ndropout);
		}
	}
	return heap_form_tuple(desc, values, nulls);
}

Datum
btyd_make_model(FunctionCallInfo fcinfo, const double *params, int nparams,
				double loglik, double customers, bool converged, const double *cov)
{
	return btyd_make_model_coef(fcinfo, params, nparams, 0, 0, loglik, customers,
								converged, cov);
}

Datum
btyd_make_model_coef(FunctionCallInfo fcinfo, const double *params, int nparams,
					 int npurchase, int ndropout, double loglik, double customers,
					 bool converged, const double *cov)
{
	TupleDesc	desc;

	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("function returning a model called in a context that cannot accept it")));
	desc = BlessTupleDesc(desc);
	return HeapTupleGetDatum(btyd_model_tuple_coef(desc, params, nparams, npurchase,
												   ndropout, loglik, customers,
												   converged, cov));
}

#define MEMO_MIN_SIZE 4096		/* entries at first, a power of two */
#define MEMO_MAX_SIZE 65536		/* entries at most (2.5 MB) */
#define MEMO_GROWTH 4			/* the table grows by this factor */

/*
 * The memo of a call site: the constants it is valid for, and its entries,
 * valid when their generation is the memo's (0: never).  The table starts
 * small and grows when it has missed a quarter as often as it has entries
 * since it last grew: when a query has more distinct keys than fit, the
 * values recomputed are worth far more than the memory.
 */
typedef struct BtydMemo
{
	int			nconsts;
	double		consts[BTYD_MEMO_MAX_CONSTS];
	uint32		generation;
	uint32		size;			/* entries, a power of two */
	uint64		misses;			/* since the table last grew */
	BtydMemoEntry *entries;
	BtydMemoEntry *previous;	/* the table before the last growth, or NULL */
} BtydMemo;

/* Mixes the bits of three doubles into a table index below size. */
static inline uint32
memo_hash(double k0, double k1, double k2, uint32 size)
{
	uint64		b0,
				b1,
				b2,
				h;

	memcpy(&b0, &k0, sizeof(b0));
	memcpy(&b1, &k1, sizeof(b1));
	memcpy(&b2, &k2, sizeof(b2));
	h = b0 * UINT64CONST(0x9E3779B97F4A7C15) ^ b1 * UINT64CONST(0xC2B2AE3D27D4EB4F) ^
		b2 * UINT64CONST(0x165667B19E3779F9);
	h ^= h >> 29;
	h *= UINT64CONST(0xBF58476D1CE4E5B9);
	h ^= h >> 32;
	return (uint32) h & (size - 1);
}

/* Whether entry e holds key (k0, k1, k2) of the memo's generation. */
static inline bool
memo_entry_is(const BtydMemo *memo, const BtydMemoEntry *e, double k0, double k1, double k2)
{
	return e->generation == memo->generation &&
		e->key[0] == k0 && e->key[1] == k1 && e->key[2] == k2;
}

/*
 * The entry of the two-entry bucket of h (h and h ^ 1) for a new key: the
 * first; a valid key there moves to the second, whose own is lost (the more
 * recently used of the two stays).
 */
static inline BtydMemoEntry *
memo_make_room(BtydMemoEntry *entries, uint32 h, uint32 generation)
{
	if (entries[h].generation == generation)
		entries[h ^ 1] = entries[h];
	return &entries[h];
}

/*
 * Moves the memo to a table MEMO_GROWTH times larger, keeping its valid
 * entries.  The old table is freed only at the next growth, so that a slot
 * handed out just before (not stored yet) can still be written, harmlessly.
 */
static void
memo_grow(FunctionCallInfo fcinfo, BtydMemo *memo)
{
	uint32		size = memo->size * MEMO_GROWTH;
	BtydMemoEntry *entries = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt,
													sizeof(BtydMemoEntry) * size);

	for (uint32 i = 0; i < memo->size; i++)
	{
		BtydMemoEntry *e = &memo->entries[i];

		if (e->generation == memo->generation)
			*memo_make_room(entries, memo_hash(e->key[0], e->key[1], e->key[2], size),
							memo->generation) = *e;
	}
	if (memo->previous)
		pfree(memo->previous);
	memo->previous = memo->entries;
	memo->entries = entries;
	memo->size = size;
	memo->misses = 0;
}

/* Whether the memo's constants are consts[0..nconsts-1], bit for bit. */
static inline bool
memo_consts_are(const BtydMemo *memo, const double *consts, int nconsts)
{
	if (memo->generation == 0 || memo->nconsts != nconsts)
		return false;
	for (int i = 0; i < nconsts; i++)
	{
		uint64		x,
					y;

		memcpy(&x, &memo->consts[i], sizeof(x));
		memcpy(&y, &consts[i], sizeof(y));
		if (x != y)
			return false;
	}
	return true;
}

void
btyd_memo_prefetch(FunctionCallInfo fcinfo, double k0, double k1, double k2)
{
	BtydMemo   *memo = (BtydMemo *) fcinfo->flinfo->fn_extra;

	if (memo != NULL)
	{
		BtydMemoEntry *e = &memo->entries[memo_hash(k0, k1, k2, memo->size) & ~1U];

		/* the bucket's two entries, which may straddle two cache lines */
		__builtin_prefetch(e);
		__builtin_prefetch((const char *) (e + 2) - 1);
	}
}

/*
 * Two-way set-associative: a key lives in the bucket of entries h and h ^ 1,
 * the more recently used first.
 */
BtydMemoEntry *
btyd_memo_slot(FunctionCallInfo fcinfo, const double *consts, int nconsts,
			   double k0, double k1, double k2, double *value, bool *hit)
{
	BtydMemo   *memo = (BtydMemo *) fcinfo->flinfo->fn_extra;
	BtydMemoEntry *e;
	uint32		h;

	Assert(nconsts <= BTYD_MEMO_MAX_CONSTS);
	if (memo == NULL)
	{
		memo = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(BtydMemo));
		memo->size = MEMO_MIN_SIZE;
		memo->entries = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt,
											   sizeof(BtydMemoEntry) * memo->size);
		fcinfo->flinfo->fn_extra = memo;
	}
	if (!memo_consts_are(memo, consts, nconsts))
	{
		/* other constants: forget everything */
		if (++memo->generation == 0)
		{
			memset(memo->entries, 0, sizeof(BtydMemoEntry) * memo->size);
			memo->generation = 1;
		}
		memo->nconsts = nconsts;
		memcpy(memo->consts, consts, sizeof(double) * nconsts);
	}
	h = memo_hash(k0, k1, k2, memo->size);
	e = &memo->entries[h];
	*hit = memo_entry_is(memo, e, k0, k1, k2);
	if (!*hit && memo_entry_is(memo, &memo->entries[h ^ 1], k0, k1, k2))
	{
		/* found second: swap it first */
		BtydMemoEntry tmp = *e;

		*e = memo->entries[h ^ 1];
		memo->entries[h ^ 1] = tmp;
		*hit = true;
	}
	if (*hit)
	{
		*value = e->value;
		return e;
	}
	if (++memo->misses > memo->size / 4 && memo->size < MEMO_MAX_SIZE)
	{
		memo_grow(fcinfo, memo);
		h = memo_hash(k0, k1, k2, memo->size);
	}
	e = memo_make_room(memo->entries, h, memo->generation);
	/* claimed for this generation; matches nothing until stored */
	e->generation = memo->generation;
	e->key[0] = NAN;
	return e;
}

double
btyd_state_penalizer(const FitData *fd)
{
	return fd->nopts > 0 ? fd->opts[0] : 0.0;
}

/*
 * The objective handed to the optimiser: over log-parameters, and over the
 * coefficients themselves (after the nparams parameters) in a fit with
 * covariates.
 */
typedef struct FitProblem
{
	const BtydModelSpec *spec;
	const FitData *fd;
	double		total_weight;
	double		penalizer;
	int			n;				/* parameters and coefficients */
} FitProblem;

/*
 * What is penalised: the coefficients in a fit with covariates (as CLVTools'
 * reg.lambdas), else every parameter (as lifetimes' penalizer_coef).
 */
static inline bool
is_penalised(const FitProblem *fp, int i)
{
	return fp->n == fp->spec->nparams || i >= fp->spec->nparams;
}

/* The natural value of coordinate i of the search. */
static inline double
natural_of(const FitProblem *fp, int i, double u)
{
	return i < fp->spec->nparams ? exp(u) : u;
}

static double
fit_objective(const double *u, double *grad, void *arg)
{
	FitProblem *fp = (FitProblem *) arg;
	int			n = fp->n;
	double		params[BTYD_MAX_FIT_PARAMS] = {0};
	double		g[BTYD_MAX_FIT_PARAMS] = {0};
	double		value;

	for (int i = 0; i < n; i++)
	{
		params[i] = natural_of(fp, i, u[i]);
		if (i < fp->spec->nparams && (!(params[i] > 0) || isinf(params[i])))
			return INFINITY;
	}
	value = -fp->spec->loglik(params, fp->fd, grad ? g : NULL) / fp->total_weight;
	for (int i = 0; i < n; i++)
	{
		double		pen = is_penalised(fp, i) ? fp->penalizer : 0.0;
		double		jac = i < fp->spec->nparams ? params[i] : 1.0;

		value += pen * params[i] * params[i];
		if (grad)
			grad[i] = (-g[i] / fp->total_weight + 2.0 * pen * params[i]) * jac;
	}
	return value;
}

/*
 * The covariance of the fitted parameters and coefficients params into cov
 * (row-major): the inverse of the observed information, the Hessian of the
 * total penalised negative log-likelihood -sum_i w_i LL_i + W penalty
 * (W = sum_i w_i) at the optimum.  It is differenced in the search's
 * coordinates u (log theta for a parameter theta, the coefficient itself),
 * where the objective's Hessian is J H J + diag(theta_j dF/dtheta_j) over
 * the parameters, J = diag(theta, 1): removing the gradient term and
 * inverting gives J^-1 H^-1 J^-1, so Cov = J (J H J)^-1 J.  llgrad is the
 * gradient of sum_i w_i LL_i at params.  Costs n gradient evaluations.
 * Returns -1, or the index of a parameter the data do not determine (the
 * information is not positive definite; cov is then not set), or n when a
 * gradient was not finite.
 */
static int
fit_covariance(FitProblem *fp, const double *u, const double *params,
			   const double *llgrad, double *cov)
{
	int			n = fp->n;
	double		g0[BTYD_MAX_FIT_PARAMS] = {0};
	double		jac[BTYD_MAX_FIT_PARAMS];
	double		info[BTYD_MAX_FIT_PARAMS * BTYD_MAX_FIT_PARAMS];
	double		inv[BTYD_MAX_FIT_PARAMS * BTYD_MAX_FIT_PARAMS];
	int			bad;

	/* the gradient of fit_objective at u */
	for (int i = 0; i < n; i++)
	{
		double		pen = is_penalised(fp, i) ? fp->penalizer : 0.0;

		jac[i] = i < fp->spec->nparams ? params[i] : 1.0;
		g0[i] = (-llgrad[i] / fp->total_weight + 2.0 * pen * params[i]) * jac[i];
	}
	if (!optim_hessian(fit_objective, fp, u, n, HESSIAN_LOG_STEP, g0, info))
		return n;
	for (int i = 0; i < n; i++)
	{
		if (i < fp->spec->nparams)
			info[i * n + i] -= g0[i];
		for (int j = 0; j < n; j++)
			info[i * n + j] *= fp->total_weight;	/* the mean to the total */
	}
	bad = optim_cholesky_inverse(info, n, inv);
	if (bad >= 0)
		return bad;
	for (int i = 0; i < n; i++)
		for (int j = 0; j <= i; j++)
			cov[i * n + j] = cov[j * n + i] = jac[i] * inv[i * n + j] * jac[j];
	return -1;
}

/*
 * The name of coordinate i of a fit with npurchase purchase coefficients
 * (e.g. "alpha", "purchase[2]", "dropout[1]"), in a static buffer.
 */
static const char *
fit_param_name(const BtydModelSpec *spec, int npurchase, int i)
{
	static char buf[32];

	if (i < spec->nparams)
		return spec->names[i];
	if (i < spec->nparams + npurchase)
		snprintf(buf, sizeof(buf), "purchase[%d]", i - spec->nparams + 1);
	else
		snprintf(buf, sizeof(buf), "dropout[%d]", i - spec->nparams - npurchase + 1);
	return buf;
}

/*
 * A coefficient beyond this in size scales a rate by more than e^15, or a
 * parameter whose standard error on the log scale is above this many units
 * (its 95% interval spans a factor beyond e^(2 1.96 MAX_LOG_SE) = 1e5): the
 * data do not determine it, e.g. BG/NBD's a and b running off together.
 */
#define MAX_ABS_COEFFICIENT 15.0
#define MAX_LOG_STD_ERROR 3.0

/* What a covariate fit's WARNING hints when the data do not determine it. */
#define NOT_IDENTIFIED_HINT "Pass a penalizer (it shrinks the coefficients towards 0), fit fewer covariates, or fit a longer calibration period; scoring functions reject a model that did not converge."

/*
 * In a fit with covariates, the parameters the data do not determine:
 * coefficients running off, parameters with huge standard errors (cov,
 * NULL when unknown).  Appends their description to detail; returns whether
 * there is any.
 */
static bool
fit_runs_off(const BtydModelSpec *spec, const BtydFit *fit, const double *cov,
			 StringInfo detail)
{
	int			n = fit->n;

	for (int i = 0; i < n; i++)
	{
		double		se_log = cov == NULL ? 0.0 :
			sqrt(cov[i * n + i]) / (i < spec->nparams ? fit->params[i] : 1.0);

		if ((i >= spec->nparams && fabs(fit->params[i]) > MAX_ABS_COEFFICIENT) ||
			(i < spec->nparams && se_log > MAX_LOG_STD_ERROR))
			appendStringInfo(detail, "%s%s = %g (standard error %g)",
							 detail->len > 0 ? ", " : "",
							 fit_param_name(spec, fit->npurchase, i), fit->params[i],
							 cov == NULL ? NAN : sqrt(cov[i * n + i]));
	}
	return detail->len > 0;
}

/*
 * Samples of more distinct tuples than FIT_THIN_MIN_TUPLES are fitted in
 * two stages: first a canonical subsample of about 1 / FIT_THIN_FACTOR of
 * their tuples (at least FIT_THIN_MIN_TUPLES / 2), to convergence with its
 * covariance, then the whole sample from that optimum, with BFGS starting
 * from the inverse Hessian the subsample's covariance gives: a few Newton
 * steps on the whole sample instead of some fifty BFGS iterations.  The
 * result is the whole sample's optimum to the optimiser's tolerance, as a
 * cold start finds it.
 */
#define FIT_THIN_MIN_TUPLES 16384
#define FIT_THIN_FACTOR 16

/*
 * A deterministic weighted thinning of fd (in value order) to a total
 * weight in about target tuples: systematic sampling in proportion to the
 * weights along the tuples' order, so that a tuple of weight w below the
 * step W / target is kept with weight step with probability w / step,
 * which the accumulated weight decides, and heavier tuples are kept whole.
 * The same for a sample whatever built it (the order is canonical).
 */
static FitData *
fit_thinned_sample(const FitData *fd, double total, int target)
{
	FitData    *out = palloc0(sizeof(FitData));
	double		step = total / target;
	double		acc = 0.0;

	out->k = fd->k;
	out->nopts = fd->nopts;
	memcpy(out->opts, fd->opts, sizeof(fd->opts));
	out->capacity = Max(fd->ntuples, 1);
	out->values = palloc_extended(sizeof(double) * fd->k * out->capacity, MCXT_ALLOC_HUGE);
	out->weights = palloc_extended(sizeof(double) * out->capacity, MCXT_ALLOC_HUGE);
	out->context = CurrentMemoryContext;
	for (int i = 0; i < fd->ntuples; i++)
	{
		double		w = fitdata_weight(fd, i);
		double		keep = 0.0;

		if (w >= step)
			keep = w;
		else
		{
			acc += w;
			if (acc >= step)
			{
				keep = step;
				acc -= step;
			}
		}
		if (keep > 0.0)
		{
			memcpy(out->values + (size_t) out->ntuples * fd->k, fitdata_tuple(fd, i),
				   sizeof(double) * fd->k);
			out->weights[out->ntuples++] = keep;
		}
		if ((i & 0xffff) == 0xffff)
			CHECK_FOR_INTERRUPTS();
	}
	return out;
}

/*
 * fit_run_from's start for a large sample: the optimum of its thinned
 * subsample into u and, from the subsample's covariance, the optimiser's
 * initial inverse Hessian over the search coordinates into hinv (W J^-1
 * Cov J^-1, J = diag(theta) over the parameters, 1 over the coefficients).
 * False (u and hinv unusable) when the subsample's fit did not converge
 * with a covariance.
 */
static bool fit_run_from(const BtydModelSpec *spec, const FitData *fd, double penalizer,
						 const double *u0, const double *hinv, bool want_covariance,
						 BtydFit *fit);

static bool
fit_thinned_start(const BtydModelSpec *spec, const FitData *fd, double penalizer,
				  double *u, double *hinv)
{
	double		total = fitdata_total_weight(fd);
	int			target = Max(fd->ntuples / FIT_THIN_FACTOR, FIT_THIN_MIN_TUPLES / 2);
	FitData    *sub = fit_thinned_sample(fd, total, target);
	BtydFit    *fit = palloc(sizeof(BtydFit));
	bool		ok;
	int			n;

	ok = btyd_has_repeat_buyer(sub) &&
		fit_run_from(spec, sub, penalizer, NULL, NULL, true, fit) &&
		fit->converged && fit->undetermined < 0;
	n = fit->n;
	elog(DEBUG1, "%s fit of a subsample of %d of %d tuples: %s after %d likelihood evaluations, then %d for the covariance",
		 spec->name, sub->ntuples, fd->ntuples, ok ? "converged" : "failed",
		 fit->optim.evaluations, n);
	for (int i = 0; ok && i < n; i++)
	{
		double		ji = i < spec->nparams ? fit->params[i] : 1.0;

		u[i] = i < spec->nparams ? log(fit->params[i]) : fit->params[i];
		for (int j = 0; j < n; j++)
			hinv[i * n + j] = fit->customers * fit->cov[i * n + j] /
				(ji * (j < spec->nparams ? fit->params[j] : 1.0));
	}
	pfree(sub->values);
	pfree(sub->weights);
	pfree(sub);
	pfree(fit);
	return ok;
}

/*
 * btyd_fit_run from the search coordinates u0 (n of them; NULL: parameters
 * 1, coefficients 0) and the initial inverse Hessian hinv over them (NULL:
 * the identity, or for a large sample both from fit_thinned_start).
 * Returns true (for fit_thinned_start's convenience).
 */
static bool
fit_run_from(const BtydModelSpec *spec, const FitData *fd, double penalizer,
			 const double *u0, const double *hinv, bool want_covariance,
			 BtydFit *fit)
{
	FitProblem	fp = {spec, fd, fitdata_total_weight(fd), penalizer, spec->nparams};
	double		u[BTYD_MAX_FIT_PARAMS] = {0};
	double		thin_hinv[BTYD_MAX_FIT_PARAMS * BTYD_MAX_FIT_PARAMS];
	double		llgrad[BTYD_MAX_FIT_PARAMS] = {0};
	int			n;

	btyd_sample_covariates(fd, &fit->npurchase, &fit->ndropout);
	n = fit->n = fp.n = spec->nparams + fit->npurchase + fit->ndropout;
	if (u0 != NULL)
		memcpy(u, u0, sizeof(double) * n);
	else if (hinv == NULL && spec->has_gradient && fd->ntuples > FIT_THIN_MIN_TUPLES &&
			 fit_thinned_start(spec, fd, penalizer, u, thin_hinv))
		hinv = thin_hinv;
	else
		memset(u, 0, sizeof(u));
	fit->optim = optim_minimize_from(fit_objective, spec->has_gradient, &fp, u, n,
									 SEARCH_LOG_PARAM_BOUND, hinv);
	for (int i = 0; i < n; i++)
		fit->params[i] = natural_of(&fp, i, u[i]);
	fit->customers = fp.total_weight;
	if (want_covariance)
	{
		/* the gradient at the optimum starts the Hessian */
		fit->loglik = spec->loglik(fit->params, fd, spec->has_gradient ? llgrad : NULL);
	}
	else
	{
		/* the objective at the optimum, unpenalised and summed */
		double		penalty = 0.0;

		for (int i = 0; i < n; i++)
			if (is_penalised(&fp, i))
				penalty += penalizer * fit->params[i] * fit->params[i];
		fit->loglik = -(fit->optim.value - penalty) * fp.total_weight;
	}
	fit->ran_off = -1;
	for (int i = spec->nparams - 1; i >= 0; i--)
		if (fabs(u[i]) > MAX_ABS_LOG_PARAM)
			fit->ran_off = i;
	fit->converged = fit->optim.converged && isfinite(fit->optim.value) &&
		isfinite(fit->loglik) && fit->ran_off < 0;
	fit->undetermined = n;
	if (fit->converged && want_covariance && spec->has_gradient)
		fit->undetermined = fit_covariance(&fp, u, fit->params, llgrad, fit->cov);
	return true;
}

void
btyd_fit_run(const BtydModelSpec *spec, const FitData *fd, double penalizer,
			 const double *start, const double *hinv, bool want_covariance,
			 BtydFit *fit)
{
	double		u[BTYD_MAX_FIT_PARAMS] = {0};
	int			npurchase,
				ndropout;

	/* the coefficients start at 0; start and hinv cover the parameters */
	btyd_sample_covariates(fd, &npurchase, &ndropout);
	for (int i = 0; start != NULL && i < spec->nparams; i++)
		u[i] = log(start[i]);
	fit_run_from(spec, fd, penalizer, start != NULL ? u : NULL,
				 npurchase + ndropout == 0 ? hinv : NULL, want_covariance, fit);
}

bool
btyd_has_repeat_buyer(const FitData *fd)
{
	for (int i = 0; i < fd->ntuples; i++)
		if (fitdata_tuple(fd, i)[0] > 0 && fitdata_weight(fd, i) > 0)
			return true;
	return false;
}

/* The model of fit, not converged, without covariance. */
static Datum
fit_failed(FunctionCallInfo fcinfo, const BtydModelSpec *spec, const BtydFit *fit,
		   const double *cov)
{
	return btyd_make_model_coef(fcinfo, fit->params, spec->nparams, fit->npurchase,
								fit->ndropout, fit->loglik, fit->customers, false, cov);
}

Datum
btyd_fit_sample(FunctionCallInfo fcinfo, const BtydModelSpec *spec,
				const FitData *fd, double penalizer)
{
	BtydFit		fit;
	const char *name = spec->name;
	int			npurchase,
				ndropout;
	bool		covariates;
	StringInfoData detail;

	ensure_nonnegative(penalizer, "penalizer");
	if (fd == NULL || fd->ntuples == 0)
		return (Datum) 0;
	btyd_sample_covariates(fd, &npurchase, &ndropout);
	if (npurchase < 0 || ndropout < 0 ||
		(npurchase + ndropout > 0 && fd->k != 3 + npurchase + ndropout))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s needs a sample of (frequency, recency, age [, purchase_covariates, dropout_covariates])",
						name)));
	covariates = npurchase + ndropout > 0;
	if (covariates && spec->covariates == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s does not take covariates", name)));
	/* a canonical order makes the result independent of the plan */
	fd = fitdata_sorted_copy(CurrentMemoryContext, fd);
	if (!btyd_has_repeat_buyer(fd))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot fit %s: no customer made a repeat purchase", name),
				 errdetail("The likelihood has no interior maximum when every frequency is 0, penalized or not.")));
	btyd_fit_run(spec, fd, penalizer, NULL, NULL, true, &fit);
	if (!isfinite(fit.loglik))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("cannot fit %s: the log-likelihood is not finite at the optimum", name),
				 errhint("Check the summaries, or pass a smaller penalizer.")));
	initStringInfo(&detail);
	if (fit.ran_off >= 0)
	{
		/* parameters running off to 0 or infinity: the data do not determine them */
		StringInfoData values;
		int			nrunoff = 0;

		initStringInfo(&values);
		for (int i = 0; i < spec->nparams; i++)
		{
			if (!(fabs(log(fit.params[i])) > MAX_ABS_LOG_PARAM))
				continue;
			appendStringInfo(&detail, "%s%s", nrunoff > 0 ? ", " : "", spec->names[i]);
			appendStringInfo(&values, "%s%g", nrunoff > 0 ? ", " : "", fit.params[i]);
			nrunoff++;
		}
		ereport(WARNING,
				(errmsg("%s fit did not converge", name),
				 errdetail_plural("Parameter %s runs off to %s after %d likelihood evaluations: the data do not determine the model.",
								  "Parameters %s run off to %s after %d likelihood evaluations: the data do not determine the model.",
								  nrunoff, detail.data, values.data, fit.optim.evaluations),
				 errhint(covariates ? NOT_IDENTIFIED_HINT : NOT_CONVERGED_HINT)));
		return fit_failed(fcinfo, spec, &fit, NULL);
	}
	if (covariates && fit_runs_off(spec, &fit, NULL, &detail))
	{
		ereport(WARNING,
				(errmsg("%s fit did not converge", name),
				 errdetail("The data do not determine %s.", detail.data),
				 errhint(NOT_IDENTIFIED_HINT)));
		return fit_failed(fcinfo, spec, &fit, NULL);
	}
	if (!fit.converged)
	{
		ereport(WARNING,
				(errmsg("%s fit did not converge", name),
				 errdetail("Stopped after %d iterations and %d likelihood evaluations.",
						   fit.optim.iterations, fit.optim.evaluations),
				 errhint(covariates ? NOT_IDENTIFIED_HINT : NOT_CONVERGED_HINT)));
		return fit_failed(fcinfo, spec, &fit, NULL);
	}
	elog(DEBUG1, "%s fit converged: %d iterations, %d likelihood evaluations, then %d for the covariance",
		 name, fit.optim.iterations, fit.optim.evaluations, fit.n);
	if (covariates && fit.undetermined >= 0 && fit.undetermined < fit.n)
	{
		/* with covariates, a parameter the data do not determine fails the fit */
		ereport(WARNING,
				(errmsg("%s fit did not converge", name),
				 errdetail("The observed information is not positive definite: the data do not determine %s (given those before it).",
						   fit_param_name(spec, fit.npurchase, fit.undetermined)),
				 errhint(NOT_IDENTIFIED_HINT)));
		return fit_failed(fcinfo, spec, &fit, NULL);
	}
	if (covariates && fit.undetermined < 0 && fit_runs_off(spec, &fit, fit.cov, &detail))
	{
		ereport(WARNING,
				(errmsg("%s fit did not converge", name),
				 errdetail("The data do not determine %s.", detail.data),
				 errhint(NOT_IDENTIFIED_HINT)));
		return fit_failed(fcinfo, spec, &fit, fit.cov);
	}
	if (fit.undetermined >= 0)
		ereport(WARNING,
				(errmsg("%s fit: the covariance of the parameters is unknown", name),
				 fit.undetermined < fit.n ?
				 errdetail("The observed information is not positive definite: the data do not determine parameter %s (given those before it).",
						   spec->names[fit.undetermined]) :
				 errdetail("The gradient of the log-likelihood is not finite next to the optimum.")));
	return btyd_make_model_coef(fcinfo, fit.params, spec->nparams, fit.npurchase,
								fit.ndropout, fit.loglik, fit.customers, true,
								fit.undetermined >= 0 ? NULL : fit.cov);
}

Datum
btyd_fit_final(FunctionCallInfo fcinfo, const BtydModelSpec *spec)
{
	FitData    *fd;

	aggregate_context(fcinfo, spec->name);
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	fd = (FitData *) PG_GETARG_POINTER(0);
	if (fd->ntuples == 0)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(btyd_fit_sample(fcinfo, spec, fd, btyd_state_penalizer(fd)));
}

Datum
btyd_fit_stored(FunctionCallInfo fcinfo, const BtydModelSpec *spec)
{
	FitData    *fd = fitdata_from_bytes(CurrentMemoryContext, PG_GETARG_BYTEA_P(0));
	double		pen = PG_NARGS() > 1 ? PG_GETARG_FLOAT8(1) : btyd_state_penalizer(fd);
	int			npurchase,
				ndropout;

	btyd_sample_covariates(fd, &npurchase, &ndropout);
	if (npurchase < 0 || ndropout < 0 || npurchase > BTYD_MAX_COVARIATES ||
		ndropout > BTYD_MAX_COVARIATES || fd->k != 3 + npurchase + ndropout)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s needs a sample of (frequency, recency, age [, purchase_covariates, dropout_covariates])",
						spec->name)));
	if (fd->ntuples == 0)
		PG_RETURN_NULL();
	/* a stored sample was not checked row by row as the aggregate's input is */
	for (int i = 0; i < fd->ntuples; i++)
	{
		const double *v = fitdata_tuple(fd, i);

		CHECK_FOR_INTERRUPTS();
		btyd_check_summary(v[0], v[1], v[2]);
	}
	PG_RETURN_DATUM(btyd_fit_sample(fcinfo, spec, fd, pen));
}

Datum
btyd_loglik_sql(FunctionCallInfo fcinfo, const BtydModelSpec *spec)
{
	double		p[BTYD_MAX_PARAMS];
	double		v[3] = {PG_GETARG_FLOAT8(1), PG_GETARG_FLOAT8(2), PG_GETARG_FLOAT8(3)};
	double		one = 1.0;
	FitData		fd = {.k = 3, .ntuples = 1, .capacity = 1, .values = v, .weights = &one};	/* one customer */

	/* a diagnostic of the fit: allowed for a model that did not converge */
	if (PG_NARGS() > 4)
	{
		/* with covariates: the model of the customer's parameters */
		double		params[BTYD_MAX_PARAMS];
		BtydCoefficients coef;
		BtydCovariates cv;

		btyd_read_model_coef(PG_GETARG_DATUM(0), spec->nparams, spec->names, params,
							 &coef, false);
		btyd_getarg_covariates(fcinfo, 4, 5, &coef, &cv);
		btyd_customer_params(spec->covariates, spec->nparams, params, &coef,
							 cv.purchase, cv.dropout, p);
	}
	else
		btyd_read_model_any(PG_GETARG_DATUM(0), spec->nparams, spec->names, p);
	btyd_check_summary(v[0], v[1], v[2]);
	PG_RETURN_FLOAT8(finite_result(spec->loglik(p, &fd, NULL), "log_likelihood"));
}

/*
 * The length of covariate vector argument argno (what: "purchase" or
 * "dropout"), at most BTYD_MAX_COVARIATES (else 22023); one-dimensional.
 */
static int
covariate_count(FunctionCallInfo fcinfo, int argno, const char *what)
{
	ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(argno);
	int			n = ArrayGetNItems(ARR_NDIM(arr), ARR_DIMS(arr));

	if (ARR_NDIM(arr) > 1 || n > BTYD_MAX_COVARIATES)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s_covariates must be a list of at most %d numbers, got %d",
						what, BTYD_MAX_COVARIATES, n)));
	return n;
}

/* Adds one checked customer summary with its weight and penalizer. */
static void
accum_summary(FunctionCallInfo fcinfo, FitData *fd, double x, double tx, double T,
			  int optarg)
{
	double		v[3] = {x, tx, T};
	double		w = 1.0;

	btyd_check_summary(x, tx, T);
	if (PG_NARGS() > optarg)
	{
		if (PG_ARGISNULL(optarg))
			return;				/* a NULL weight skips the row */
		w = PG_GETARG_FLOAT8(optarg);
		ensure_nonnegative(w, "weight");
	}
	if (PG_NARGS() > optarg + 1)
	{
		double		pen = PG_ARGISNULL(optarg + 1) ? 0.0 : PG_GETARG_FLOAT8(optarg + 1);

		ensure_nonnegative(pen, "penalizer");
		fitdata_set_options(fd, &pen, 1, "penalizer");
	}
	fitdata_add(fd, v, w);
}

/*
 * Transition function of the counting-model fit aggregates with covariates
 * and of engage.fitdata with covariates: (state, frequency, recency, age,
 * purchase_covariates, dropout_covariates [, weight [, penalizer]]).  The
 * tuple is (frequency, recency, age, purchase covariates, dropout
 * covariates) and the options (penalizer, their numbers), equal on every
 * row.  Rows with a NULL argument (but the penalizer) are skipped.
 */
Datum
btyd_fit_accum_cov(PG_FUNCTION_ARGS)
{
	FitData    *fd;
	BtydCoefficients dims;
	BtydCovariates cv;
	double		v[FITDATA_MAX_K];
	double		opts[3] = {0.0, 0.0, 0.0};
	double		w = 1.0;
	int			nargs = PG_NARGS();

	for (int a = 1; a < Min(nargs, 7); a++)
		if (PG_ARGISNULL(a))
		{
			if (PG_ARGISNULL(0))
				PG_RETURN_NULL();
			PG_RETURN_POINTER(PG_GETARG_POINTER(0));
		}
	v[0] = PG_GETARG_FLOAT8(1);
	v[1] = PG_GETARG_FLOAT8(2);
	v[2] = PG_GETARG_FLOAT8(3);
	btyd_check_summary(v[0], v[1], v[2]);
	dims.npurchase = covariate_count(fcinfo, 4, "purchase");
	dims.ndropout = covariate_count(fcinfo, 5, "dropout");
	if (!PG_ARGISNULL(0))
	{
		FitData    *prev = (FitData *) PG_GETARG_POINTER(0);
		int			np,
					nd;

		btyd_sample_covariates(prev, &np, &nd);
		if (prev->nopts == 3 && (np != dims.npurchase || nd != dims.ndropout))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("every row of a fit must have the same numbers of covariates"),
					 errdetail("This row has %d purchase and %d dropout covariates, rows before it %d and %d.",
							   dims.npurchase, dims.ndropout, np, nd)));
	}
	fd = fitdata_getarg(fcinfo, 0, 3 + dims.npurchase + dims.ndropout, "btyd_fit_accum_cov");
	btyd_getarg_covariates(fcinfo, 4, 5, &dims, &cv);
	memcpy(v + 3, cv.purchase, sizeof(double) * dims.npurchase);
	memcpy(v + 3 + dims.npurchase, cv.dropout, sizeof(double) * dims.ndropout);
	if (nargs > 6)
	{
		w = PG_GETARG_FLOAT8(6);
		ensure_nonnegative(w, "weight");
	}
	if (nargs > 7)
	{
		opts[0] = PG_ARGISNULL(7) ? 0.0 : PG_GETARG_FLOAT8(7);
		ensure_nonnegative(opts[0], "penalizer");
	}
	opts[1] = dims.npurchase;
	opts[2] = dims.ndropout;
	fitdata_set_options(fd, opts, 3, "penalizer");
	fitdata_add(fd, v, w);
	PG_RETURN_POINTER(fd);
}

/*
 * Transition function of the counting-model fit aggregates and of
 * engage.fitdata: (state, frequency, recency, age [, weight [, penalizer]]).
 * Rows with a NULL frequency, recency, age or weight are skipped.
 */
Datum
btyd_fit_accum(PG_FUNCTION_ARGS)
{
	FitData    *fd = fitdata_getarg(fcinfo, 0, 3, "btyd_fit_accum");

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3))
		PG_RETURN_POINTER(fd);
	accum_summary(fcinfo, fd, PG_GETARG_FLOAT8(1), PG_GETARG_FLOAT8(2),
				  PG_GETARG_FLOAT8(3), 4);
	PG_RETURN_POINTER(fd);
}

/* Where frequency, recency and age are in a summary type (cached per call site). */
typedef struct RfmLayout
{
	Oid			typid;			/* the composite type described */
	int32		typmod;
	AttrNumber	attnum[3];		/* of frequency, recency, age */
	Oid			atttype[3];
} RfmLayout;

static const char *const rfm_fields[3] = {"frequency", "recency", "age"};

/* The layout of the summary type of tup, looked up once per call site. */
static RfmLayout *
rfm_layout(FunctionCallInfo fcinfo, HeapTupleHeader tup, TupleDesc *descp)
{
	RfmLayout  *layout = (RfmLayout *) fcinfo->flinfo->fn_extra;
	Oid			typid = HeapTupleHeaderGetTypeId(tup);
	int32		typmod = HeapTupleHeaderGetTypMod(tup);
	TupleDesc	desc = lookup_rowtype_tupdesc(typid, typmod);

	*descp = desc;
	if (layout != NULL && layout->typid == typid && layout->typmod == typmod)
		return layout;
	if (layout == NULL)
		layout = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(RfmLayout));
	for (int f = 0; f < 3; f++)
	{
		layout->attnum[f] = InvalidAttrNumber;
		for (int i = 0; i < desc->natts; i++)
		{
			Form_pg_attribute att = TupleDescAttr(desc, i);

			if (!att->attisdropped && strcmp(NameStr(att->attname), rfm_fields[f]) == 0)
			{
				layout->attnum[f] = att->attnum;
				layout->atttype[f] = att->atttypid;
			}
		}
		if (layout->attnum[f] == InvalidAttrNumber ||
			(layout->atttype[f] != INT4OID && layout->atttype[f] != INT8OID &&
			 layout->atttype[f] != FLOAT8OID))
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("the summary has no %s of type integer, bigint or double precision",
							rfm_fields[f])));
	}
	layout->typid = typid;
	layout->typmod = typmod;
	fcinfo->flinfo->fn_extra = layout;
	return layout;
}

/* A numeric attribute of the summary as a double. */
static double
rfm_value(Datum d, Oid type)
{
	if (type == INT4OID)
		return (double) DatumGetInt32(d);
	if (type == INT8OID)
		return (double) DatumGetInt64(d);
	return DatumGetFloat8(d);
}

/*
 * The same over an engage.rfm summary: (state, rfm [, weight [, penalizer]]);
 * its frequency, recency and age attributes are found by name.
 */
Datum
btyd_fit_accum_rfm(PG_FUNCTION_ARGS)
{
	FitData    *fd = fitdata_getarg(fcinfo, 0, 3, "btyd_fit_accum_rfm");
	HeapTupleHeader rfm;
	HeapTupleData tuple;
	TupleDesc	desc;
	RfmLayout  *layout;
	double		v[3];

	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(fd);
	rfm = PG_GETARG_HEAPTUPLEHEADER(1);
	layout = rfm_layout(fcinfo, rfm, &desc);
	tuple.t_len = HeapTupleHeaderGetDatumLength(rfm);
	tuple.t_data = rfm;
	for (int f = 0; f < 3; f++)
	{
		bool		isnull;
		Datum		d = heap_getattr(&tuple, layout->attnum[f], desc, &isnull);

		if (isnull)
		{
			ReleaseTupleDesc(desc);
			PG_RETURN_POINTER(fd);
		}
		v[f] = rfm_value(d, layout->atttype[f]);
	}
	ReleaseTupleDesc(desc);
	accum_summary(fcinfo, fd, v[0], v[1], v[2], 2);
	PG_RETURN_POINTER(fd);
}

double
btyd_rexp(pg_prng_state *rng, double rate)
{
	return -log1p(-pg_prng_double(rng)) / rate;
}

/* A standard normal variate (Box-Muller). */
static double
rnorm(pg_prng_state *rng)
{
	double		u = 1.0 - pg_prng_double(rng);	/* (0, 1] */
	double		v = pg_prng_double(rng);

	return sqrt(-2.0 * log(u)) * cos(2.0 * M_PI * v);
}

/*
 * Marsaglia and Tsang's sampler accepts a candidate with probability above
 * 0.95 for every shape >= 1 in exact arithmetic; this many rejections in a
 * row mean that rounding broke it for the shape (an error, not a hang).
 */
#define RGAMMA_MAX_TRIES 1000

double
btyd_rgamma(pg_prng_state *rng, double shape, double rate)
{
	double		boost = 1.0;
	double		d,
				c;

	if (shape < 1.0)
	{
		/* G(a) = G(a + 1) U^(1/a) */
		boost = pow(1.0 - pg_prng_double(rng), 1.0 / shape);
		shape += 1.0;
	}
	d = shape - 1.0 / 3.0;
	c = 1.0 / sqrt(9.0 * d);
	for (int attempt = 0; attempt < RGAMMA_MAX_TRIES; attempt++)
	{
		double		z = rnorm(rng);
		double		v = 1.0 + c * z;
		double		u;

		if (v <= 0)
			continue;
		v = v * v * v;
		u = 1.0 - pg_prng_double(rng);
		if (log(u) < 0.5 * z * z + d - d * v + d * log(v))
			return boost * d * v / rate;
	}
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("cannot draw from a gamma distribution of shape %g", shape)));
	return 0.0;					/* keep the compiler quiet */
}

void
btyd_simulated_purchase(int64 *x, double *tx, double t)
{
	if (*x >= BTYD_SIMULATE_MAX_PURCHASES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("a simulated customer made more than %d repeat purchases",
						BTYD_SIMULATE_MAX_PURCHASES),
				 errhint("Simulate a shorter age, or a model with a lower purchase rate r / alpha.")));
	(*x)++;
	*tx = t;
	if ((*x & 0xffff) == 0)
		CHECK_FOR_INTERRUPTS();
}

StaticAssertDecl(BTYD_SIMULATE_MAX_PURCHASES <= PG_INT32_MAX,
				 "a simulated frequency fits the integer column");

Datum
btyd_simulate(FunctionCallInfo fcinfo, int nparams, const char *const *names,
			  const BtydCovariateMap *map, BtydDrawFn draw)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	double		params[BTYD_MAX_PARAMS];
	int32		customers = PG_GETARG_INT32(1);
	double		T = PG_GETARG_FLOAT8(2);
	pg_prng_state rng;

	if (PG_NARGS() > 4)
		btyd_getarg_customer_model(fcinfo, 0, 4, 5, nparams, names, map, params);
	else
		BTYD_GETARG_MODEL(0, nparams, names, params);
	if (customers < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("customers must not be negative")));
	ensure_nonnegative(T, "age");
	pg_prng_seed(&rng, (uint64) (int64) PG_GETARG_INT32(3));
	InitMaterializedSRF(fcinfo, 0);
	for (int i = 0; i < customers; i++)
	{
		Datum		values[3];
		bool		nulls[3] = {false, false, false};
		int64		x = 0;
		double		tx = 0.0;

		CHECK_FOR_INTERRUPTS();
		draw(params, T, &rng, &x, &tx);
		values[0] = Int32GetDatum((int32) x);
		values[1] = Float8GetDatum(tx);
		values[2] = Float8GetDatum(T);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

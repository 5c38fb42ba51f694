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
 * Fitting conventions (btyd_fit_run, the one driver of every model's
 * fits): without covariates, as lifetimes' penalizer_coef, the minimised
 * objective is  -sum_i w_i LL_i / sum_i w_i + penalizer * sum_j theta_j^2
 * over the natural parameters theta, optimised on log(theta); with
 * covariates (every model that takes them), as CLVTools' reg.lambdas, it is
 * -sum_i w_i LL_i + penalizer * sum_k coef_k^2, the coefficients optimised on
 * their own scale and alone penalised.  The reported loglik is the
 * unpenalised sum_i w_i LL_i at the optimum.
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
#include "port/pg_bitutils.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/typcache.h"

#include "btyd.h"
#include "engage.h"
#include "optim.h"
#include "special.h"

PG_FUNCTION_INFO_V1(btyd_fit_accum);
PG_FUNCTION_INFO_V1(btyd_fit_accum_rfm);
PG_FUNCTION_INFO_V1(btyd_fit_accum_cov);

static bool has_coefficient_atts(Datum d, int nparams, int *stored);

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
			bool need_converged)
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
	if (need_converged)
		ensure_converged(base, infomask, infomask2 & HEAP_NATTS_MASK, hoff,
						 nparams, names, params);
}

void
btyd_read_model(Datum d, int nparams, const char *const *names, double *params)
{
	read_params(d, nparams, names, params, true);
}

void
btyd_read_model_any(Datum d, int nparams, const char *const *names, double *params)
{
	read_params(d, nparams, names, params, false);
}

void
btyd_getarg_covariates(FunctionCallInfo fcinfo, int argp, int argd,
					   const BtydCoefficients *coef, double *xp, double *xd)
{
	Assert(coef->natts == 2);
	btyd_check_covariates(coef->n[0], btyd_covariate_vector(fcinfo, argp, "purchase_covariates", xp),
						  "purchase_covariates");
	btyd_check_covariates(coef->n[1], btyd_covariate_vector(fcinfo, argd, "dropout_covariates", xd),
						  "dropout_covariates");
}

void
btyd_customer_params(const BtydCovariateMap *map, int nparams, const double *params,
					 const BtydCoefficients *coef, const double *xp, const double *xd,
					 double *p_i)
{
	memcpy(p_i, params, sizeof(double) * nparams);
	if (coef->n[0] > 0)
	{
		int			j = map->purchase_param;

		p_i[j] = btyd_covariate_scaled(params[j], map->purchase_sign *
									   btyd_linear_predictor(coef->coef[0], xp, coef->n[0]),
									   map->names[j]);
	}
	if (coef->n[1] > 0)
	{
		double		lp = map->dropout_sign *
			btyd_linear_predictor(coef->coef[1], xd, coef->n[1]);

		for (int k = 0; k < 2; k++)
		{
			int			j = map->dropout_params[k];

			if (j >= 0)
				p_i[j] = btyd_covariate_scaled(params[j], lp, map->names[j]);
		}
	}
}

void
btyd_getarg_customer_model(FunctionCallInfo fcinfo, int argno, int argp, int argd,
						   int nparams, const char *const *names,
						   const BtydCovariateMap *map, double *p_i)
{
	double		params[BTYD_MAX_PARAMS];
	BtydCoefficients coef;
	double		xp[BTYD_MAX_COVARIATES],
				xd[BTYD_MAX_COVARIATES];

	btyd_read_model(PG_GETARG_DATUM(argno), nparams, names, params);
	btyd_read_coefficients(PG_GETARG_DATUM(argno), nparams, 2, &coef);
	btyd_getarg_covariates(fcinfo, argp, argd, &coef, xp, xd);
	btyd_customer_params(map, nparams, params, &coef, xp, xd, p_i);
}

void
btyd_coefficients_of(const double *params, int nparams, int npurchase, int ndropout,
					 BtydCoefficients *coef)
{
	coef->natts = 2;
	coef->n[0] = npurchase;
	coef->n[1] = ndropout;
	memcpy(coef->coef[0], params + nparams, sizeof(double) * npurchase);
	memcpy(coef->coef[1], params + nparams + npurchase, sizeof(double) * ndropout);
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
	double	   *gd = gp + coef->n[0];
	double		sp = 0.0,
				sd = 0.0;

	for (int j = 0; j < nparams; j++)
		grad[j] += w * (p_i[j] == params[j] ? g_i[j] : g_i[j] * (p_i[j] / params[j]));
	if (coef->n[0] > 0)
		sp = map->purchase_sign * g_i[map->purchase_param] * p_i[map->purchase_param];
	if (coef->n[1] > 0)
		for (int j = 0; j < 2; j++)
			if (map->dropout_params[j] >= 0)
				sd += map->dropout_sign * g_i[map->dropout_params[j]] * p_i[map->dropout_params[j]];
	for (int k = 0; k < coef->n[0]; k++)
		gp[k] += w * sp * xp[k];
	for (int k = 0; k < coef->n[1]; k++)
		gd[k] += w * sd * xd[k];
}

double
btyd_sum_customer_loglik(const BtydCovariateMap *map, int nparams, const double *params,
						 const FitData *fd, double *grad, BtydCustomerLogLik customer_ll,
						 void *arg)
{
	double		r = params[0];
	double		psi_r = grad ? digamma(r) : 0.0;
	double		ll = 0.0,
				ll_err = 0.0;	/* the compensation of ll */
	double		prev_x = NAN,
				lgam_rx = 0.0,
				psi_rx = 0.0;
	BtydCoefficients coef;
	int			npurchase,
				ndropout;

	Assert(nparams <= BTYD_MAX_PARAMS);
	btyd_sample_covariates(fd, &npurchase, &ndropout);
	btyd_coefficients_of(params, nparams, npurchase, ndropout, &coef);
	if (grad)
		memset(grad, 0, sizeof(double) * (nparams + npurchase + ndropout));
	for (int i = 0; i < fd->ntuples; i++)
	{
		const double *v = fitdata_tuple(fd, i);
		double		x = v[0];
		double		w_i = fitdata_weight(fd, i);
		double		p_i[BTYD_MAX_PARAMS];
		double		g_i[BTYD_MAX_PARAMS];

		if (x != prev_x)
		{
			/* the sample is sorted by frequency */
			prev_x = x;
			lgam_rx = log_gamma_ratio_excess(r, x);
			psi_rx = grad ? digamma(r + x) : 0.0;
		}
		btyd_customer_params(map, nparams, params, &coef, v + 3, v + 3 + npurchase, p_i);
		btyd_add_compensated(&ll, &ll_err,
							 w_i * customer_ll(arg, p_i, x, v[1], v[2], lgam_rx,
											   psi_rx - psi_r, grad ? g_i : NULL));
		if (grad)
			btyd_add_customer_gradient(map, nparams, params, &coef, v + 3, v + 3 + npurchase,
									   p_i, w_i, g_i, grad);
		if ((i & 0xff) == 0xff)
			CHECK_FOR_INTERRUPTS();
	}
	return ll + ll_err;
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
btyd_summary_error(double x, double tx, double T)
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
	elog(ERROR, "invalid customer summary (%g, %g, %g)", x, tx, T);
}

/*
 * The n x n covariance matrix cov (row-major) as a 2-D double precision
 * array.
 */
static Datum
covariance_array(const double *cov, int n)
{
	Datum	   *elems = palloc(sizeof(Datum) * n * n);
	int			dims[2] = {n, n};
	int			lbs[2] = {1, 1};

	for (int i = 0; i < n * n; i++)
		elems[i] = Float8GetDatum(cov[i]);
	return PointerGetDatum(construct_md_array(elems, NULL, 2, dims, lbs, FLOAT8OID,
											  sizeof(float8), FLOAT8PASSBYVAL,
											  TYPALIGN_DOUBLE));
}

/* The n coefficients coef as a 1-D double precision array (empty when n = 0). */
static Datum
coefficient_array(const double *coef, int n)
{
	Datum		elems[BTYD_MAX_COVARIATES];

	for (int i = 0; i < n; i++)
		elems[i] = Float8GetDatum(coef[i]);
	return PointerGetDatum(construct_array(elems, n, FLOAT8OID, sizeof(float8),
										   FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

/*
 * The number of coefficient attributes of the model type desc of nparams
 * parameters: the double precision[] attributes after covariance; -1 for
 * 0.1.0's layout (no covariance).  Errors 42804 for any other layout.
 */
static int
model_coefficient_atts(TupleDesc desc, int nparams)
{
	int			extra = desc->natts - nparams - BTYD_MODEL_EXTRA_ATTS;
	bool		ok = extra >= 0 && extra <= BTYD_MAX_COEF_ATTS;

	if (desc->natts == nparams + 3)
		return -1;
	for (int i = nparams + 3; ok && i < desc->natts; i++)
		ok = TupleDescAttr(desc, i)->atttypid == FLOAT8ARRAYOID;
	if (!ok)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("the model type has %d attributes, expected %d",
						desc->natts, nparams + BTYD_MODEL_EXTRA_ATTS),
				 errhint("The extension's SQL objects do not match its library: run ALTER EXTENSION engage UPDATE.")));
	return extra;
}

/*
 * The model tuple of type desc (see btyd_model_tuple); cov covers the
 * parameters and then the coefficients of coefs (NULL: a model without
 * covariates, all coefficient attributes NULL).
 */
static HeapTuple
model_tuple(TupleDesc desc, const double *params, int nparams, double loglik,
			double customers, bool converged, const double *cov,
			const BtydCoefficients *coefs)
{
	Datum		values[BTYD_MAX_PARAMS + BTYD_MODEL_EXTRA_ATTS + BTYD_MAX_COEF_ATTS] = {0};
	bool		nulls[BTYD_MAX_PARAMS + BTYD_MODEL_EXTRA_ATTS + BTYD_MAX_COEF_ATTS] = {0};
	int			ncoefatts;
	int			ncov = nparams;

	/*
	 * The layout of 0.2.0 ends with covariance and the coefficient
	 * attributes; 0.1.0's (still installed until ALTER EXTENSION engage
	 * UPDATE) has neither.
	 */
	ncoefatts = model_coefficient_atts(desc, nparams);
	if (coefs != NULL && ncoefatts != coefs->natts)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("the model type has %d coefficient attributes, expected %d",
						Max(ncoefatts, 0), coefs->natts),
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
	for (int a = 0; a < ncoefatts; a++)
	{
		int			at = nparams + BTYD_MODEL_EXTRA_ATTS + a;

		nulls[at] = coefs == NULL;
		if (coefs != NULL)
		{
			values[at] = coefficient_array(coefs->coef[a], coefs->n[a]);
			ncov += coefs->n[a];
		}
	}
	if (ncoefatts >= 0)
	{
		nulls[nparams + 3] = cov == NULL;
		if (cov != NULL)
			values[nparams + 3] = covariance_array(cov, ncov);
	}
	return heap_form_tuple(desc, values, nulls);
}

HeapTuple
btyd_model_tuple(TupleDesc desc, const double *params, int nparams, double loglik,
				 double customers, bool converged, const double *cov,
				 const BtydCoefficients *coefs)
{
	return model_tuple(desc, params, nparams, loglik, customers, converged, cov, coefs);
}

/* The model composite of the calling function's result type (see model_tuple). */
static Datum
make_model(FunctionCallInfo fcinfo, const double *params, int nparams, double loglik,
		   double customers, bool converged, const double *cov,
		   const BtydCoefficients *coefs)
{
	TupleDesc	desc;

	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("function returning a model called in a context that cannot accept it")));
	desc = BlessTupleDesc(desc);
	return HeapTupleGetDatum(model_tuple(desc, params, nparams, loglik, customers,
										 converged, cov, coefs));
}

Datum
btyd_make_model(FunctionCallInfo fcinfo, const double *params, int nparams,
				double loglik, double customers, bool converged, const double *cov)
{
	return make_model(fcinfo, params, nparams, loglik, customers, converged, cov, NULL);
}

#define MEMO_MIN_SIZE 4096		/* entries at first, a power of two */
#define MEMO_MAX_SIZE 65536		/* entries at most (2.5 MB) */
#define MEMO_GROWTH 4			/* the table grows by this factor */

/*
 * The memo of a call site: the constants it serves now, its entries, valid
 * when their generation is the tag of a set of constants still in sets (0:
 * never), the current constants' being generation.  The table starts small
 * and grows when it has missed a quarter as often as it has entries since
 * it last grew: when a query has more distinct keys than fit, the values
 * recomputed are worth far more than the memory.
 */
typedef struct BtydMemo
{
	BtydScoringMemo scoring;	/* first: btyd.h reads it; the pair memos */
	int			nconsts;
	double		consts[BTYD_MEMO_MAX_CONSTS];
	BtydMemoSets sets;
	uint32		generation;
	uint32		size;			/* entries, a power of two */
	uint64		misses;			/* since the table last grew */
	BtydMemoEntry *entries;		/* NULL until btyd_memo_slot is first used */
	BtydMemoEntry *previous;	/* the table before the last growth, or NULL */
} BtydMemo;

/*
 * The tag of the constants consts[0..nconsts-1] in sets: the tag of the set
 * when it is there, else a new one (the set replacing the oldest).  *wrapped
 * is set when the tags have wrapped around: every set is then forgotten, and
 * the caller must empty its tables.
 */
static uint32
memo_sets_tag(BtydMemoSets *sets, const double *consts, int nconsts, bool *wrapped)
{
	int			i;

	*wrapped = false;
	for (i = 0; i < sets->nsets; i++)
		if (sets->nconsts[i] == nconsts &&
			btyd_bytes_equal((const char *) sets->consts[i], (const char *) consts,
							 sizeof(double) * nconsts))
			return sets->tag[i];
	if (++sets->last_tag == 0)
	{
		sets->nsets = 0;
		sets->next = 0;
		sets->last_tag = 1;
		*wrapped = true;
	}
	if (sets->nsets < BTYD_MEMO_SETS)
		i = sets->nsets++;
	else
	{
		i = sets->next;
		sets->next = (sets->next + 1) % BTYD_MEMO_SETS;
	}
	sets->tag[i] = sets->last_tag;
	sets->nconsts[i] = nconsts;
	memcpy(sets->consts[i], consts, sizeof(double) * nconsts);
	return sets->last_tag;
}

/* Whether tag is that of a set of constants in sets: one of the last nsets. */
static inline bool
memo_sets_live(const BtydMemoSets *sets, uint32 tag)
{
	return tag != 0 && sets->last_tag - tag < (uint32) sets->nsets;
}

/*
 * Mixes the bits of three doubles and a set's tag into a table index below
 * size.
 */
static inline uint32
memo_hash(double k0, double k1, double k2, uint32 tag, uint32 size)
{
	uint64		b0,
				b1,
				b2,
				h;

	memcpy(&b0, &k0, sizeof(b0));
	memcpy(&b1, &k1, sizeof(b1));
	memcpy(&b2, &k2, sizeof(b2));
	h = b0 * UINT64CONST(0x9E3779B97F4A7C15) ^ b1 * UINT64CONST(0xC2B2AE3D27D4EB4F) ^
		b2 * UINT64CONST(0x165667B19E3779F9) ^ (uint64) tag * UINT64CONST(0xD6E8FEB86659FD93);
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
 * first; a key there moves to the second, whose own is lost (the more
 * recently used of the two stays).
 */
static inline BtydMemoEntry *
memo_make_room(BtydMemoEntry *entries, uint32 h)
{
	if (entries[h].generation != 0)
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

		if (e->generation != 0 && memo_sets_live(&memo->sets, e->generation))
			*memo_make_room(entries, memo_hash(e->key[0], e->key[1], e->key[2],
											   e->generation, size)) = *e;
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

/* The memo of the call site, created empty on first use. */
static BtydMemo *
memo_of(FunctionCallInfo fcinfo)
{
	if (fcinfo->flinfo->fn_extra == NULL)
		fcinfo->flinfo->fn_extra = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt,
														  sizeof(BtydMemo));
	return (BtydMemo *) fcinfo->flinfo->fn_extra;
}

void
btyd_memo_prefetch(FunctionCallInfo fcinfo, double k0, double k1, double k2)
{
	BtydMemo   *memo = (BtydMemo *) fcinfo->flinfo->fn_extra;

	if (memo != NULL && memo->entries != NULL)
	{
		BtydMemoEntry *e = &memo->entries[memo_hash(k0, k1, k2, memo->generation,
													 memo->size) & ~1U];

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
	BtydMemo   *memo = memo_of(fcinfo);
	BtydMemoEntry *e;
	uint32		h;

	Assert(nconsts <= BTYD_MEMO_MAX_CONSTS);
	if (memo->entries == NULL)
	{
		memo->size = MEMO_MIN_SIZE;
		memo->entries = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt,
											   sizeof(BtydMemoEntry) * memo->size);
	}
	if (!memo_consts_are(memo, consts, nconsts))
	{
		/* other constants: their entries, if they are still kept */
		bool		wrapped;

		memo->generation = memo_sets_tag(&memo->sets, consts, nconsts, &wrapped);
		if (wrapped)
			memset(memo->entries, 0, sizeof(BtydMemoEntry) * memo->size);
		memo->nconsts = nconsts;
		memcpy(memo->consts, consts, sizeof(double) * nconsts);
	}
	h = memo_hash(k0, k1, k2, memo->generation, memo->size);
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
		h = memo_hash(k0, k1, k2, memo->generation, memo->size);
	}
	e = memo_make_room(memo->entries, h);
	/* claimed for this generation; matches nothing until stored */
	e->generation = memo->generation;
	e->key[0] = NAN;
	return e;
}

#define PAIR_MIN_SIZE 64			/* entries at first, a power of two */

/*
 * Gives the pair memo an empty table of size entries (a power of two, at
 * least 2) in context cxt: every k1 NaN (all bits set).
 */
static void
pair_reset(BtydPairMemo *pair, MemoryContext cxt, uint32 size)
{
	if (pair->entries != NULL && pair->size != size)
	{
		pfree(pair->entries);
		pair->entries = NULL;
	}
	if (pair->entries == NULL)
		pair->entries = MemoryContextAlloc(cxt, sizeof(BtydPairEntry) * size);
	memset(pair->entries, 0xff, sizeof(BtydPairEntry) * size);
	pair->size = size;
	pair->shift = 64 - pg_leftmost_one_pos32(size);
	pair->count = 0;
}

/* The pair memos of memo, valid for consts[0..nconsts-1]. */
static BtydPairMemo *
pair_memos_for(FunctionCallInfo fcinfo, BtydScoringMemo *memo, const double *consts,
			   int nconsts)
{
	Assert(nconsts <= BTYD_MEMO_MAX_CONSTS);
	if (memo->pair[0].size == 0 || memo->nconsts != nconsts ||
		!btyd_bytes_equal((const char *) memo->consts, (const char *) consts,
						  sizeof(double) * nconsts))
	{
		/* other constants: their entries, if they are still kept */
		bool		wrapped;
		uint32		tag = memo_sets_tag(&memo->sets, consts, nconsts, &wrapped);

		for (int i = 0; i < BTYD_PAIR_MEMOS; i++)
		{
			if (memo->pair[i].size == 0 || wrapped)
				pair_reset(&memo->pair[i], fcinfo->flinfo->fn_mcxt, PAIR_MIN_SIZE);
			memo->pair[i].tag = tag;
			memo->pair[i].oldest_live = memo->sets.last_tag - memo->sets.nsets + 1;
		}
		memo->nconsts = nconsts;
		memcpy(memo->consts, consts, sizeof(double) * nconsts);
		memo->key_len = 0;
	}
	return memo->pair;
}

BtydPairMemo *
btyd_pair_memos(FunctionCallInfo fcinfo, const double *consts, int nconsts)
{
	return pair_memos_for(fcinfo, &memo_of(fcinfo)->scoring, consts, nconsts);
}

BtydPairMemo *
btyd_scoring_memos_read(FunctionCallInfo fcinfo, int argno, int nparams,
						const char *const *names, double *consts, int nconsts)
{
	BtydScoringMemo *memo = &memo_of(fcinfo)->scoring;
	BtydPairMemo *pair;
	const char *key;
	int			len;

	BTYD_GETARG_MODEL(argno, nparams, names, consts);
	btyd_reject_coefficients(PG_GETARG_DATUM(argno), nparams, BTYD_COUNTING_COVARIATES_HINT);
	pair = pair_memos_for(fcinfo, memo, consts, nconsts);
	memo->key_len = 0;

	/*
	 * The key bytes end before the coefficient attributes: only a model
	 * whose coefficient attributes are NULL is remembered, so that its null
	 * bitmap tells it from one with coefficients, which must be checked.
	 */
	if (!has_coefficient_atts(PG_GETARG_DATUM(argno), nparams, &len) &&
		btyd_model_key(PG_GETARG_DATUM(argno), nparams, &key, &len) &&
		len <= BTYD_MODEL_KEY_MAX)
	{
		memcpy(memo->key, key, len);
		memo->key_len = len;
		memo->nparams = nparams;
	}
	return pair;
}

/*
 * The entry holding (k0, k1) of the constants of tag, or the empty one where
 * it belongs.
 */
static BtydPairEntry *
pair_find(const BtydPairMemo *pair, double k0, double k1, uint32 tag)
{
	uint32		mask = pair->size - 1;
	uint32		h = btyd_pair_hash_tagged(pair->shift, k0, k1, tag);

	while (!isnan(pair->entries[h].k1) &&
		   !(pair->entries[h].k0 == k0 && pair->entries[h].k1 == k1 &&
			 pair->entries[h].tag == tag))
		h = (h + 1) & mask;
	return &pair->entries[h];
}

/*
 * Rebuilds the pair memo's table at size entries (a power of two) with the
 * entries of live constants only (tags from oldest_live on).
 */
static void
pair_rebuild(BtydPairMemo *pair, uint32 size)
{
	BtydPairMemo old = *pair;

	pair->entries = NULL;
	pair_reset(pair, GetMemoryChunkContext(old.entries), size);
	for (uint32 i = 0; i < old.size; i++)
		if (!isnan(old.entries[i].k1) && old.entries[i].tag >= pair->oldest_live)
		{
			*pair_find(pair, old.entries[i].k0, old.entries[i].k1, old.entries[i].tag) =
				old.entries[i];
			pair->count++;
		}
	pfree(old.entries);
	pair->purged_live = pair->oldest_live;
}

void
btyd_pair_put(BtydPairMemo *pair, double k0, double k1, double value)
{
	BtydPairEntry *e;

	Assert(!isnan(k0) && !isnan(k1));
	if (pair->count + 1 > pair->size / 8 * 7)
	{
		/* first drop the entries of sets given up since the last time */
		if (pair->purged_live != pair->oldest_live)
			pair_rebuild(pair, pair->size);
		if (pair->count + 1 > pair->size / 8 * 7)
		{
			if (pair->size >= BTYD_PAIR_MAX_SIZE)
				return;
			pair_rebuild(pair, pair->size * 2);
		}
	}
	e = pair_find(pair, k0, k1, pair->tag);
	if (isnan(e->k1))
		pair->count++;
	e->k0 = k0;
	e->k1 = k1;
	e->tag = pair->tag;
	e->value = value;
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
 * The weight of coordinate i's square in the objective (see btyd_fit_run):
 * a fit with covariates penalises the coefficients only, on the scale of the
 * total log-likelihood (CLVTools' reg.lambdas; the objective is that total
 * divided by W); a fit without covariates every parameter, on the scale of
 * the mean (lifetimes' penalizer_coef).
 */
static inline double
penalty_weight(const FitProblem *fp, int i)
{
	if (fp->n == fp->spec->nparams)
		return fp->penalizer;
	return i >= fp->spec->nparams ? fp->penalizer / fp->total_weight : 0.0;
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
		double		pen = penalty_weight(fp, i);
		double		jac = i < fp->spec->nparams ? params[i] : 1.0;

		value += pen * params[i] * params[i];
		if (grad)
			grad[i] = (-g[i] / fp->total_weight + 2.0 * pen * params[i]) * jac;
	}
	return value;
}

/*
 * The objective's Hessian at params in the search's coordinates u (hess,
 * n x n) for a counting model with covariates whose customers fall into
 * groups of equal covariates (spec->group_hessians): a customer's
 * log-parameters ln p_i = A_i u are linear in u (ln r = u_0, ln alpha_i =
 * u_1 - gamma'x_i, ...: btyd_customer_params), so the Hessian of
 * sum_i w_i LL_i is sum_g A_g' H_g A_g, H_g the Hessian in ln p of group g's
 * sum, which the model computes in one pass whatever the number of
 * coefficients, instead of the n evaluations of differences.  False (hess
 * unset) when the model has no groups for this sample or an entry is not
 * finite.
 */
static bool
fit_group_hessian(FitProblem *fp, const double *params, double *hess)
{
	const BtydModelSpec *spec = fp->spec;
	const BtydCovariateMap *map = spec->covariates;
	int			n = fp->n;
	int			np = spec->nparams;
	int			npurchase,
				ndropout;
	BtydGroupHessians base;

	if (spec->group_hessians == NULL || map == NULL || n == np)
		return false;
	btyd_sample_covariates(fp->fd, &npurchase, &ndropout);
	if (np + npurchase + ndropout != n ||
		!spec->group_hessians(params, fp->fd, &base))
		return false;
	memset(hess, 0, sizeof(double) * n * n);
	for (int g = 0; g < base.ngroups; g++)
	{
		double		hg[BTYD_MAX_PARAMS][BTYD_MAX_PARAMS];
		double		a[BTYD_MAX_PARAMS][BTYD_MAX_FIT_PARAMS] = {{0}};	/* d ln p_j / du */
		const double *xp = base.cov[g];
		const double *xd = xp + npurchase;

		for (int j = 0; j < np; j++)
			for (int k = 0; k < np; k++)
				hg[j][k] = base.hess[(g * np + j) * np + k];
		for (int j = 0; j < np; j++)
			for (int k = 0; k < j; k++)
				hg[j][k] = hg[k][j] = 0.5 * (hg[j][k] + hg[k][j]);
		for (int j = 0; j < np; j++)
			a[j][j] = 1.0;
		for (int k = 0; k < npurchase; k++)
			a[map->purchase_param][np + k] = map->purchase_sign * xp[k];
		for (int d = 0; d < 2; d++)
			for (int k = 0; map->dropout_params[d] >= 0 && k < ndropout; k++)
				a[map->dropout_params[d]][np + npurchase + k] = map->dropout_sign * xd[k];
		for (int i = 0; i < n; i++)
			for (int l = 0; l < n; l++)
			{
				double		sum = 0.0;

				for (int j = 0; j < np; j++)
					for (int k = 0; k < np; k++)
						sum += a[j][i] * hg[j][k] * a[k][l];
				hess[i * n + l] += sum;
			}
	}
	/* of -sum_i w_i LL_i / W plus the penalty on the coefficients */
	for (int i = 0; i < n; i++)
		for (int l = 0; l < n; l++)
		{
			hess[i * n + l] = -hess[i * n + l] / fp->total_weight +
				(i == l ? 2.0 * penalty_weight(fp, i) : 0.0);
			if (!isfinite(hess[i * n + l]))
				return false;
		}
	return true;
}

/*
 * The covariance of the fitted parameters and coefficients params into cov
 * (row-major): the inverse of the observed information, the Hessian of the
 * total penalised negative log-likelihood (W times the objective,
 * W = sum_i w_i) at the optimum.  It is differenced in the search's
 * coordinates u (log theta for a parameter theta, the coefficient itself),
 * where the objective's Hessian is J H J + diag(theta_j dF/dtheta_j) over
 * the parameters, J = diag(theta, 1): removing the gradient term and
 * inverting gives J^-1 H^-1 J^-1, so Cov = J (J H J)^-1 J.  g0 is the
 * objective's gradient at u.  Costs n gradient evaluations, or the one
 * pass of fit_group_hessian: the passes over the sample into *passes.
 * Returns -1, or the index of a parameter the data do not determine (the
 * information is not positive definite; cov is then not set), or n when a
 * gradient was not finite.
 */
static int
fit_covariance(FitProblem *fp, const double *u, const double *params,
			   const double *g0, double *cov, int *passes)
{
	int			n = fp->n;
	double		jac[BTYD_MAX_FIT_PARAMS];
	double	   *info = palloc(sizeof(double) * n * n);
	double	   *inv = palloc(sizeof(double) * n * n);
	int			bad;

	for (int i = 0; i < n; i++)
		jac[i] = i < fp->spec->nparams ? params[i] : 1.0;
	*passes = 1;
	if (!fit_group_hessian(fp, params, info))
	{
		*passes = n;
		if (!optim_hessian(fit_objective, fp, u, n, HESSIAN_LOG_STEP, g0, info))
			return n;
	}
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
 * Samples of more distinct tuples than FIT_THIN_MIN_TUPLES are fitted in
 * two stages: first a canonical subsample of about 1 / FIT_THIN_FACTOR of
 * their tuples (at least FIT_THIN_FLOOR), to convergence with its
 * covariance, then the whole sample from that optimum, with BFGS starting
 * from the inverse Hessian the subsample's covariance gives: a few Newton
 * steps on the whole sample instead of some fifty BFGS iterations.  The
 * result is the whole sample's optimum to the optimiser's tolerance, as a
 * cold start finds it.  A large subsample is fitted the same way, so that
 * the fifty iterations of the cold start fall on a sample of about
 * FIT_THIN_FLOOR tuples (a million customers: 462,033 tuples, then about
 * 22,000, then 2,048).
 */
#define FIT_THIN_MIN_TUPLES 16384
#define FIT_THIN_FACTOR 16
#define FIT_THIN_FLOOR 2048

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
	out->sorted = true;			/* in fd's value order; read only (no hash table,
								 * no exact sums: nothing is added to it) */
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
static bool fit_run_from(const BtydModelSpec *spec, const FitData *fd, int ncoef,
						 double penalizer, const double *u0, const double *hinv,
						 bool want_covariance, BtydFit *fit);

static bool
fit_thinned_start(const BtydModelSpec *spec, const FitData *fd, int ncoef,
				  double penalizer, double *u, double *hinv)
{
	double		total = fitdata_total_weight(fd);
	int			target = Max(fd->ntuples / FIT_THIN_FACTOR, FIT_THIN_FLOOR);
	FitData    *sub = fit_thinned_sample(fd, total, target);
	BtydFit    *fit = palloc0(sizeof(BtydFit));
	bool		ok;
	int			n;

	ok = btyd_has_repeat_buyer(sub) &&
		fit_run_from(spec, sub, ncoef, penalizer, NULL, NULL, true, fit) &&
		fit->converged && fit->undetermined < 0;
	n = fit->n;
	elog(DEBUG1, "%s fit of a subsample of %d of %d tuples: %s after %d likelihood evaluations, then %d for the covariance",
		 spec->name, sub->ntuples, fd->ntuples, ok ? "converged" : "failed",
		 fit->optim.evaluations, fit->cov_passes);
	for (int i = 0; ok && i < n; i++)
	{
		double		ji = i < spec->nparams ? fit->params[i] : 1.0;

		u[i] = i < spec->nparams ? log(fit->params[i]) : fit->params[i];
		for (int j = 0; j < n; j++)
			hinv[i * n + j] = fit->customers * fit->cov[i * n + j] /
				(ji * (j < spec->nparams ? fit->params[j] : 1.0));
	}
	fitdata_forget_index(sub);	/* a model's, built on the subsample */
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
fit_run_from(const BtydModelSpec *spec, const FitData *fd, int ncoef, double penalizer,
			 const double *u0, const double *hinv, bool want_covariance,
			 BtydFit *fit)
{
	FitProblem	fp = {.spec = spec, .fd = fd, .total_weight = fitdata_total_weight(fd),
	.penalizer = penalizer, .n = spec->nparams + ncoef};
	double		u[BTYD_MAX_FIT_PARAMS] = {0};
	double		thin_hinv[BTYD_MAX_FIT_PARAMS * BTYD_MAX_FIT_PARAMS];
	double		llgrad[BTYD_MAX_FIT_PARAMS] = {0};
	double		g0[BTYD_MAX_FIT_PARAMS] = {0};
	int			n = fp.n;

	Assert(n <= BTYD_MAX_FIT_PARAMS && n <= OPTIM_MAX_DIM);
	fit->n = n;
	if (u0 != NULL)
		memcpy(u, u0, sizeof(double) * n);
	else if (hinv == NULL && spec->has_gradient && fd->ntuples > FIT_THIN_MIN_TUPLES &&
			 fit_thinned_start(spec, fd, ncoef, penalizer, u, thin_hinv))
		hinv = thin_hinv;
	else
		memset(u, 0, sizeof(u));
	fit->optim = optim_minimize_from(fit_objective, spec->has_gradient, &fp, u, n,
									 SEARCH_LOG_PARAM_BOUND, hinv);
	for (int i = 0; i < n; i++)
		fit->params[i] = natural_of(&fp, i, u[i]);
	fit->customers = fp.total_weight;
	if (want_covariance && !fit->optim.has_gradient)
	{
		/* the gradient at the optimum starts the Hessian */
		fit->loglik = spec->loglik(fit->params, fd, spec->has_gradient ? llgrad : NULL);
		for (int i = 0; i < n; i++)
			g0[i] = (-llgrad[i] / fp.total_weight +
					 2.0 * penalty_weight(&fp, i) * fit->params[i]) *
				(i < spec->nparams ? fit->params[i] : 1.0);
	}
	else
	{
		/*
		 * the objective at the optimum, unpenalised and summed; and the
		 * optimiser's gradient there (its last evaluation) starts the Hessian
		 */
		double		penalty = 0.0;

		for (int i = 0; i < n; i++)
			penalty += penalty_weight(&fp, i) * fit->params[i] * fit->params[i];
		fit->loglik = -(fit->optim.value - penalty) * fp.total_weight;
		if (fit->optim.has_gradient)
			memcpy(g0, fit->optim.gradient, sizeof(double) * n);
	}
	fit->ran_off = -1;
	for (int i = spec->nparams - 1; i >= 0; i--)
		if (fabs(u[i]) > MAX_ABS_LOG_PARAM)
			fit->ran_off = i;
	fit->converged = fit->optim.converged && isfinite(fit->optim.value) &&
		isfinite(fit->loglik) && fit->ran_off < 0;
	fit->undetermined = n;
	fit->cov_passes = 0;
	if (fit->converged && want_covariance && spec->has_gradient)
		fit->undetermined = fit_covariance(&fp, u, fit->params, g0, fit->cov,
										   &fit->cov_passes);
	return true;
}

void
btyd_fit_run(const BtydModelSpec *spec, const FitData *fd, int ncoef, double penalizer,
			 const double *start, const double *hinv, bool want_covariance,
			 BtydFit *fit)
{
	double		u[BTYD_MAX_FIT_PARAMS] = {0};
	int			n = spec->nparams + ncoef;

	/* start: the parameters, then the coefficients */
	for (int i = 0; start != NULL && i < n; i++)
		u[i] = i < spec->nparams ? log(start[i]) : start[i];
	fit_run_from(spec, fd, ncoef, penalizer, start != NULL ? u : NULL, hinv,
				 want_covariance, fit);
}

/* The coefficient attributes of a counting model. */
static const char *const counting_coef_names[] = {"purchase", "dropout"};

bool
btyd_has_repeat_buyer(const FitData *fd)
{
	for (int i = 0; i < fd->ntuples; i++)
		if (fitdata_tuple(fd, i)[0] > 0 && fitdata_weight(fd, i) > 0)
			return true;
	return false;
}

void
btyd_counting_sample_covariates(const BtydModelSpec *spec, const FitData *fd,
								int *npurchase, int *ndropout)
{
	btyd_sample_covariates(fd, npurchase, ndropout);
	if (*npurchase < 0 || *ndropout < 0 || fd->k != 3 + *npurchase + *ndropout)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s needs a sample of (frequency, recency, age [, purchase_covariates, dropout_covariates])",
						spec->name)));
	if (*npurchase + *ndropout > 0 && spec->covariates == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s does not take covariates", spec->name)));
}

void
btyd_check_counting_sample(const BtydModelSpec *spec, const FitData *fd, int *npurchase,
						   int *ndropout)
{
	btyd_counting_sample_covariates(spec, fd, npurchase, ndropout);
	for (int i = 0; i < fd->ntuples; i++)
	{
		const double *v = fitdata_tuple(fd, i);

		CHECK_FOR_INTERRUPTS();
		btyd_check_summary(v[0], v[1], v[2]);
	}
}

/* Errors 22023 unless a tuple of positive weight has a repeat purchase. */
static void
ensure_repeat_buyer(const BtydModelSpec *spec, const FitData *fd)
{
	if (!btyd_has_repeat_buyer(fd))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot fit %s: no customer made a repeat purchase", spec->name),
				 errdetail("The likelihood has no interior maximum when every frequency is 0, penalized or not.")));
}

bool
btyd_fit_reported(const BtydModelSpec *spec, const FitData *fd, double penalizer,
				  BtydFit *fit)
{
	const char *name = spec->name;

	ensure_nonnegative(penalizer, "penalizer");
	if (fd == NULL || fd->ntuples == 0)
		return false;
	/* a canonical order makes the result independent of the plan */
	fd = fitdata_sorted_copy(CurrentMemoryContext, fd);
	ensure_repeat_buyer(spec, fd);
	btyd_fit_run(spec, fd, 0, penalizer, NULL, NULL, true, fit);
	if (!isfinite(fit->loglik))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("cannot fit %s: the log-likelihood is not finite at the optimum", name),
				 errhint("Check the summaries, or pass a smaller penalizer.")));
	if (fit->ran_off >= 0)
	{
		/* a parameter running off to 0 or infinity: the data do not determine it */
		const char *hint = spec->runoff_hint ?
			spec->runoff_hint(fit->params, fit->ran_off) : NULL;
		StringInfoData names;
		StringInfoData values;
		int			nrunoff = 0;

		initStringInfo(&names);
		initStringInfo(&values);
		for (int i = fit->ran_off; i < spec->nparams; i++)
		{
			if (!(fabs(log(fit->params[i])) > MAX_ABS_LOG_PARAM))
				continue;
			appendStringInfo(&names, "%s%s", nrunoff > 0 ? ", " : "", spec->names[i]);
			appendStringInfo(&values, "%s%g", nrunoff > 0 ? ", " : "", fit->params[i]);
			nrunoff++;
		}
		ereport(WARNING,
				(errmsg("%s fit did not converge", name),
				 errdetail_plural("Parameter %s runs off to %s after %d likelihood evaluations: the data do not determine the model.",
								  "Parameters %s run off to %s after %d likelihood evaluations: the data do not determine the model.",
								  nrunoff, names.data, values.data, fit->optim.evaluations),
				 errhint("%s", hint ? hint : NOT_CONVERGED_HINT)));
	}
	else if (!fit->converged)
		ereport(WARNING,
				(errmsg("%s fit did not converge", name),
				 errdetail("Stopped after %d iterations and %d likelihood evaluations.",
						   fit->optim.iterations, fit->optim.evaluations),
				 errhint(NOT_CONVERGED_HINT)));
	if (!fit->converged)
		return true;
	elog(DEBUG1, "%s fit converged: %d iterations, %d likelihood evaluations, then %d for the covariance",
		 name, fit->optim.iterations, fit->optim.evaluations, fit->cov_passes);
	if (fit->undetermined >= 0)
		ereport(WARNING,
				(errmsg("%s fit: the covariance of the parameters is unknown", name),
				 fit->undetermined < spec->nparams ?
				 errdetail("The observed information is not positive definite: the data do not determine parameter %s (given those before it).",
						   spec->names[fit->undetermined]) :
				 errdetail("The gradient of the log-likelihood is not finite next to the optimum.")));
	return true;
}


Datum
btyd_fit_sample(FunctionCallInfo fcinfo, const BtydModelSpec *spec,
				const FitData *fd, double penalizer)
{
	BtydFit		fit;

	if (!btyd_fit_reported(spec, fd, penalizer, &fit))
		return (Datum) 0;
	return btyd_make_model(fcinfo, fit.params, spec->nparams, fit.loglik, fit.customers,
						   fit.converged,
						   fit.converged && fit.undetermined < 0 ? fit.cov : NULL);
}

/*
 * The fit of a counting model's sample (not empty; its covariates checked
 * by btyd_counting_sample_covariates into ncoef): with covariates by
 * btyd_fit_covariates, else btyd_fit_sample.
 */
static Datum
counting_fit_sample(FunctionCallInfo fcinfo, const BtydModelSpec *spec, const FitData *fd,
					const int *ncoef, double penalizer)
{
	if (ncoef[0] + ncoef[1] > 0)
	{
		ensure_repeat_buyer(spec, fd);
		return btyd_fit_covariates(fcinfo, spec, fd, 3, ncoef, ncoef, 2,
								   counting_coef_names, penalizer);
	}
	return btyd_fit_sample(fcinfo, spec, fd, penalizer);
}

Datum
btyd_fit_final(FunctionCallInfo fcinfo, const BtydModelSpec *spec)
{
	FitData    *fd;
	int			ncoef[2];

	aggregate_context(fcinfo, spec->name);
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	fd = (FitData *) PG_GETARG_POINTER(0);
	if (fd->ntuples == 0)
		PG_RETURN_NULL();
	btyd_counting_sample_covariates(spec, fd, &ncoef[0], &ncoef[1]);
	PG_RETURN_DATUM(counting_fit_sample(fcinfo, spec, fd, ncoef, btyd_state_penalizer(fd)));
}

Datum
btyd_fit_stored(FunctionCallInfo fcinfo, const BtydModelSpec *spec)
{
	FitData    *fd = fitdata_from_bytes(CurrentMemoryContext, PG_GETARG_BYTEA_P(0));
	double		pen = PG_NARGS() > 1 ? PG_GETARG_FLOAT8(1) : btyd_state_penalizer(fd);
	int			ncoef[2];

	btyd_check_counting_sample(spec, fd, &ncoef[0], &ncoef[1]);
	if (fd->ntuples == 0)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(counting_fit_sample(fcinfo, spec, fd, ncoef, pen));
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
		double		xp[BTYD_MAX_COVARIATES],
					xd[BTYD_MAX_COVARIATES];

		btyd_read_model_any(PG_GETARG_DATUM(0), spec->nparams, spec->names, params);
		btyd_read_coefficients(PG_GETARG_DATUM(0), spec->nparams, 2, &coef);
		btyd_getarg_covariates(fcinfo, 4, 5, &coef, xp, xd);
		btyd_customer_params(spec->covariates, spec->nparams, params, &coef, xp, xd, p);
	}
	else
	{
		btyd_read_model_any(PG_GETARG_DATUM(0), spec->nparams, spec->names, p);
		btyd_reject_coefficients(PG_GETARG_DATUM(0), spec->nparams,
								 BTYD_COUNTING_COVARIATES_HINT);
	}
	btyd_check_summary(v[0], v[1], v[2]);
	PG_RETURN_FLOAT8(finite_result(spec->loglik(p, &fd, NULL), "log_likelihood"));
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
	double		v[FITDATA_MAX_K];
	double		opts[3];
	double		w;
	int			np,
				nd;

	if (btyd_covariate_row_skipped(fcinfo, 7))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_POINTER(PG_GETARG_POINTER(0));
	}
	v[0] = PG_GETARG_FLOAT8(1);
	v[1] = PG_GETARG_FLOAT8(2);
	v[2] = PG_GETARG_FLOAT8(3);
	btyd_check_summary(v[0], v[1], v[2]);
	np = btyd_covariate_vector(fcinfo, 4, "purchase_covariates", v + 3);
	nd = btyd_covariate_vector(fcinfo, 5, "dropout_covariates", v + 3 + np);
	if (!PG_ARGISNULL(0))
	{
		FitData    *prev = (FitData *) PG_GETARG_POINTER(0);
		int			pp,
					pd;

		btyd_sample_covariates(prev, &pp, &pd);
		if (prev->nopts == 3 && (pp != np || pd != nd))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("every row of a fit must have the same numbers of covariates"),
					 errdetail("This row has %d purchase and %d dropout covariates, rows before it %d and %d.",
							   np, nd, pp, pd)));
	}
	fd = fitdata_getarg(fcinfo, 0, 3 + np + nd, "btyd_fit_accum_cov");
	w = btyd_weight_penalizer_args(fcinfo, 6, &opts[0]);
	opts[1] = np;
	opts[2] = nd;
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

	btyd_getarg_model_for(fcinfo, 0, 4, nparams, names, map, params);
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

/*
 * Covariates --------------------------------------------------------------
 *
 * Reading a customer's covariate vectors and a model's coefficients, and
 * the maximum-likelihood driver of the models with covariates (see btyd.h).
 */

bool
btyd_covariate_row_skipped(FunctionCallInfo fcinfo, int nrowargs)
{
	for (int i = 1; i < Min(PG_NARGS(), nrowargs); i++)
		if (PG_ARGISNULL(i))
			return true;
	return false;
}

FitData *
btyd_covariate_sample(FunctionCallInfo fcinfo, int argno, const char *what,
					  int cols, double *tuple, const char *caller)
{
	int			k = btyd_covariate_vector(fcinfo, argno, what, tuple + cols);

	if (!PG_ARGISNULL(0) && ((FitData *) PG_GETARG_POINTER(0))->k != cols + k)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must have the same length on every row", what),
				 errdetail("This row's %s has length %d, earlier rows' %d.",
						   what, k, ((FitData *) PG_GETARG_POINTER(0))->k - cols)));
	return fitdata_getarg(fcinfo, 0, cols + k, caller);
}

double
btyd_weight_penalizer_args(FunctionCallInfo fcinfo, int argno, double *penalizer)
{
	double		w = 1.0;

	*penalizer = 0.0;
	if (PG_NARGS() > argno)
	{
		w = PG_GETARG_FLOAT8(argno);
		ensure_nonnegative(w, "weight");
	}
	if (PG_NARGS() > argno + 1 && !PG_ARGISNULL(argno + 1))
	{
		*penalizer = PG_GETARG_FLOAT8(argno + 1);
		ensure_nonnegative(*penalizer, "penalizer");
	}
	return w;
}

int
btyd_covariate_vector(FunctionCallInfo fcinfo, int argno, const char *what, double *out)
{
	ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(argno);
	int			n = ArrayGetNItems(ARR_NDIM(arr), ARR_DIMS(arr));
	const double *v = (const double *) ARR_DATA_PTR(arr);

	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a one-dimensional array", what)));
	if (ARR_HASNULL(arr))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not contain nulls", what)));
	if (n > BTYD_MAX_COVARIATES)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s has %d elements, at most %d are supported",
						what, n, BTYD_MAX_COVARIATES)));
	for (int i = 0; i < n; i++)
	{
		if (!isfinite(v[i]))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s must hold finite numbers", what),
					 errdetail("Element %d is %g.", i + 1, v[i])));
		out[i] = v[i] == 0.0 ? 0.0 : v[i];	/* -0 is 0 */
	}
	return n;
}

/* The coefficient array d (an attribute of a model) into coef; returns its length. */
static int
read_coefficient_array(Datum d, double *coef)
{
	ArrayType  *arr = DatumGetArrayTypeP(d);
	int			n = ArrayGetNItems(ARR_NDIM(arr), ARR_DIMS(arr));
	const double *v = (const double *) ARR_DATA_PTR(arr);

	if (ARR_ELEMTYPE(arr) != FLOAT8OID || ARR_NDIM(arr) > 1 || ARR_HASNULL(arr) ||
		n > BTYD_MAX_COVARIATES)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("model coefficients must be a one-dimensional array of at most %d numbers without nulls",
						BTYD_MAX_COVARIATES)));
	for (int i = 0; i < n; i++)
	{
		if (!isfinite(v[i]))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("model coefficients must be finite numbers")));
		coef[i] = v[i];
	}
	return n;
}

void
btyd_read_coefficients(Datum d, int nparams, int natts, BtydCoefficients *coefs)
{
	HeapTupleHeader tup = DatumGetHeapTupleHeader(d);
	int			stored = HeapTupleHeaderGetNatts(tup);

	Assert(natts <= BTYD_MAX_COEF_ATTS);
	coefs->natts = natts;
	for (int a = 0; a < natts; a++)
	{
		int			attnum = nparams + BTYD_MODEL_EXTRA_ATTS + a + 1;
		bool		isnull = true;
		Datum		v = (Datum) 0;

		/* a value stored before the attribute was added has fewer attributes */
		if (attnum <= stored)
			v = GetAttributeByNum(tup, attnum, &isnull);
		coefs->n[a] = isnull ? 0 : read_coefficient_array(v, coefs->coef[a]);
	}
}

void
btyd_check_covariates(int expected, int got, const char *what)
{
	if (expected != got)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s has length %d, expected %d", what, got, expected),
				 errdetail("The model was fitted with %d covariates in %s.", expected, what),
				 errhint("Pass the customer's covariates in the order, and of the number, the model was fitted with.")));
}

/*
 * The number of attributes of model composite d, and whether any of its
 * coefficient attributes (after the nparams parameters and loglik,
 * customers, converged, covariance) is not NULL; read from the header in
 * place, as read_params reads it: scoring reads it per row.
 */
static bool
has_coefficient_atts(Datum d, int nparams, int *stored)
{
	struct varlena *v = (struct varlena *) DatumGetPointer(d);
	const char *base;
	uint16		infomask,
				infomask2;
	bool		any = false;
	const bits8 *bits;

	if (VARATT_IS_SHORT(v) && !VARATT_IS_EXTERNAL(v))
		base = (const char *) v + VARHDRSZ_SHORT - VARHDRSZ;
	else
		base = (const char *) DatumGetHeapTupleHeader(d);
	memcpy(&infomask, base + offsetof(HeapTupleHeaderData, t_infomask), sizeof(uint16));
	memcpy(&infomask2, base + offsetof(HeapTupleHeaderData, t_infomask2), sizeof(uint16));
	bits = (const bits8 *) (base + offsetof(HeapTupleHeaderData, t_bits));
	*stored = infomask2 & HEAP_NATTS_MASK;
	for (int at = nparams + BTYD_MODEL_EXTRA_ATTS; at < *stored && !any; at++)
		any = !((infomask & HEAP_HASNULL) && att_isnull(at, bits));
	return any;
}

void
btyd_reject_coefficients(Datum d, int nparams, const char *hint)
{
	int			stored;

	if (!has_coefficient_atts(d, nparams, &stored))
		return;

	/* a non-null coefficient attribute: only an empty one is no covariate */
	{
		BtydCoefficients coefs;

		btyd_read_coefficients(d, nparams,
							   Min(stored - nparams - BTYD_MODEL_EXTRA_ATTS, BTYD_MAX_COEF_ATTS),
							   &coefs);
		for (int a = 0; a < coefs.natts; a++)
			if (coefs.n[a] > 0)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("the model has covariates: pass the customer's covariate vectors"),
						 errhint("%s", hint)));
	}
}

double
btyd_linear_predictor(const double *coef, const double *x, int n)
{
	double		s = 0.0;

	for (int i = 0; i < n; i++)
		s += coef[i] * x[i];
	return s;
}

double
btyd_covariate_scaled(double base, double lp, const char *name)
{
	double		v = base * exp(lp);

	if (!(v > 0) || !isfinite(v))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("the customer's covariates put %s out of range", name),
				 errdetail("%s = %g times exp(%g) is not a positive finite number.", name, base, lp),
				 errhint("Check the covariates' scale: they should be of the order of those the model was fitted with.")));
	return v;
}

/*
 * The first of the n covariates in columns col.. of the sample's tuples that
 * is constant or a linear combination of those before it and a constant
 * (its coefficient then trades off against a base parameter or the other
 * coefficients, and the data cannot determine it); -1 when there is none.
 * Tested by the Cholesky factorisation of the weighted cross-product matrix
 * of (1, covariates).
 */
static int
collinear_covariate(const FitData *fd, int col, int n)
{
	int			m = n + 1;
	double	   *xtx = palloc0(sizeof(double) * m * m);
	double	   *inv = palloc(sizeof(double) * m * m);
	int			bad;

	for (int i = 0; i < fd->ntuples; i++)
	{
		const double *t = fitdata_tuple(fd, i);
		double		w = fitdata_weight(fd, i);

		for (int j = 0; j < m; j++)
			for (int k = 0; k <= j; k++)
				xtx[j * m + k] += w * (j == 0 ? 1.0 : t[col + j - 1]) *
					(k == 0 ? 1.0 : t[col + k - 1]);
		if ((i & 0xffff) == 0xffff)
			CHECK_FOR_INTERRUPTS();
	}
	for (int j = 0; j < m; j++)
		for (int k = 0; k < j; k++)
			xtx[k * m + j] = xtx[j * m + k];
	bad = optim_cholesky_inverse(xtx, m, inv);
	return bad < 0 ? -1 : bad - 1;
}

/* The name of parameter i: a base parameter's, or e.g. "spend[2]". */
static char *
cov_param_name(const BtydModelSpec *spec, const int *ncoef, int natts,
			   const char *const *coefnames, int i)
{
	if (i < spec->nparams)
		return pstrdup(spec->names[i]);
	i -= spec->nparams;
	for (int a = 0; a < natts; a++)
	{
		if (i < ncoef[a])
			return psprintf("%s[%d]", coefnames[a], i + 1);
		i -= ncoef[a];
	}
	return pstrdup("?");
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
#define NOT_IDENTIFIED_HINT "Pass a penalizer (it shrinks the covariate coefficients towards 0), fit fewer covariates, or fit more customers; scoring functions reject a model that did not converge."

/*
 * The parameters of a fit with covariates that the data do not determine:
 * base parameters running off to 0 or infinity or with huge standard errors
 * (cov, NULL when unknown), coefficients running off.  Appends their
 * description to detail; returns whether there is any.  *hint is the
 * model's hint (spec->runoff_hint) for the first such base parameter, else
 * NULL (the caller's general one applies).
 */
static bool
cov_fit_runs_off(const BtydModelSpec *spec, const BtydFit *fit, const double *cov,
				 const int *ncoef, int natts, const char *const *coefnames,
				 StringInfo detail, const char **hint)
{
	int			n = fit->n;

	*hint = NULL;
	for (int i = 0; i < n; i++)
	{
		bool		base = i < spec->nparams;
		double		se = cov == NULL ? NAN : sqrt(cov[i * n + i]);

		if ((base && fabs(log(fit->params[i])) > MAX_ABS_LOG_PARAM) ||
			(base && cov != NULL && se / fit->params[i] > MAX_LOG_STD_ERROR) ||
			(!base && fabs(fit->params[i]) > MAX_ABS_COEFFICIENT))
		{
			appendStringInfo(detail, "%s%s = %g",
							 detail->len > 0 ? ", " : "",
							 cov_param_name(spec, ncoef, natts, coefnames, i),
							 fit->params[i]);
			if (cov != NULL)
				appendStringInfo(detail, " (standard error %g)", se);
			if (*hint == NULL && base && spec->runoff_hint != NULL)
				*hint = spec->runoff_hint(fit->params, i);
		}
	}
	return detail->len > 0;
}

bool
btyd_counting_fit_runs_off(const BtydModelSpec *spec, const BtydFit *fit, const double *cov,
						   int npurchase, int ndropout, StringInfo detail, const char **hint)
{
	int			ncoef[2] = {npurchase, ndropout};
	const char *h;
	bool		runs_off = cov_fit_runs_off(spec, fit, cov, ncoef, 2, counting_coef_names,
											detail, &h);

	if (hint != NULL)
		*hint = h;
	return runs_off;
}

/* The coefficients of fit, natts attributes of ncoef[a] each, into coefs. */
static void
fit_coefficients(const BtydModelSpec *spec, const BtydFit *fit, const int *ncoef,
				 int natts, BtydCoefficients *coefs)
{
	coefs->natts = natts;
	for (int a = 0, at = spec->nparams; a < natts; at += ncoef[a], a++)
	{
		coefs->n[a] = ncoef[a];
		memcpy(coefs->coef[a], fit->params + at, sizeof(double) * ncoef[a]);
	}
}

Datum
btyd_fit_covariates(FunctionCallInfo fcinfo, const BtydModelSpec *spec,
					const FitData *fd, int col, const int *ncols, const int *ncoef,
					int natts, const char *const *coefnames, double penalizer)
{
	BtydFit		fit;
	BtydCoefficients coefs;
	StringInfoData runoff;
	const char *hint;
	int			n = spec->nparams;
	int			collinear = -1;

	Assert(spec->has_gradient && natts <= BTYD_MAX_COEF_ATTS);
	ensure_nonnegative(penalizer, "penalizer");
	for (int a = 0; a < natts; a++)
		n += ncoef[a];
	if (n > OPTIM_MAX_DIM || n > BTYD_MAX_FIT_PARAMS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("cannot fit %s with %d parameters, at most %d are supported",
						spec->name, n, Min(OPTIM_MAX_DIM, BTYD_MAX_FIT_PARAMS))));
	/* a canonical order makes the result independent of the plan */
	fd = fitdata_sorted_copy(CurrentMemoryContext, fd);
	btyd_fit_run(spec, fd, n - spec->nparams, penalizer, NULL, NULL, true, &fit);
	if (!isfinite(fit.loglik))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("cannot fit %s: the log-likelihood is not finite at the optimum",
						spec->name),
				 errhint("Check the sample and the covariates, or pass a penalizer.")));
	fit_coefficients(spec, &fit, ncoef, natts, &coefs);

	/* parameters running off to 0 or infinity: the data do not determine them */
	initStringInfo(&runoff);
	if (cov_fit_runs_off(spec, &fit, NULL, ncoef, natts, coefnames, &runoff, &hint) ||
		!fit.optim.converged || !isfinite(fit.optim.value))
	{
		ereport(WARNING,
				(errmsg("%s fit did not converge", spec->name),
				 runoff.len > 0 ?
				 errdetail("Parameters run off after %d likelihood evaluations: %s; the data do not determine the model.",
						   fit.optim.evaluations, runoff.data) :
				 errdetail("Stopped after %d iterations and %d likelihood evaluations.",
						   fit.optim.iterations, fit.optim.evaluations),
				 errhint("%s", hint ? hint : NOT_IDENTIFIED_HINT)));
		return make_model(fcinfo, fit.params, spec->nparams, fit.loglik, fit.customers,
						  false, NULL, &coefs);
	}
	for (int a = 0, c = col, at = spec->nparams; a < natts && collinear < 0;
		 c += ncols[a], at += ncoef[a], a++)
	{
		int			k = ncols[a] > 0 ? collinear_covariate(fd, c, ncols[a]) : -1;

		if (k >= 0)
			collinear = at + k;
	}
	if (collinear >= 0)
	{
		char	   *name = cov_param_name(spec, ncoef, natts, coefnames, collinear);

		ereport(WARNING,
				(errmsg("%s fit: the covariance of the parameters is unknown", spec->name),
				 errdetail("The covariate of %s is constant, or a linear combination of a constant and the covariates before it: the data do not determine %s.",
						   name, name),
				 errhint("Leave out constant covariates and one dummy of each complete set of dummies.")));
		return make_model(fcinfo, fit.params, spec->nparams, fit.loglik, fit.customers,
						  true, NULL, &coefs);
	}
	if (fit.undetermined < 0 &&
		cov_fit_runs_off(spec, &fit, fit.cov, ncoef, natts, coefnames, &runoff, &hint))
	{
		/* a parameter of huge standard error: e.g. a and b running off together */
		ereport(WARNING,
				(errmsg("%s fit did not converge", spec->name),
				 errdetail("The data do not determine %s.", runoff.data),
				 errhint("%s", hint ? hint : NOT_IDENTIFIED_HINT)));
		return make_model(fcinfo, fit.params, spec->nparams, fit.loglik, fit.customers,
						  false, fit.cov, &coefs);
	}
	if (fit.undetermined >= 0 && fit.undetermined < fit.n)
	{
		/* not a collinear covariate: the data do not determine the model */
		ereport(WARNING,
				(errmsg("%s fit did not converge", spec->name),
				 errdetail("The observed information is not positive definite: the data do not determine %s (given those before it).",
						   cov_param_name(spec, ncoef, natts, coefnames, fit.undetermined)),
				 errhint(NOT_IDENTIFIED_HINT)));
		return make_model(fcinfo, fit.params, spec->nparams, fit.loglik, fit.customers,
						  false, NULL, &coefs);
	}
	if (fit.undetermined >= 0)
		ereport(WARNING,
				(errmsg("%s fit: the covariance of the parameters is unknown", spec->name),
				 errdetail("The gradient of the log-likelihood is not finite next to the optimum.")));
	return make_model(fcinfo, fit.params, spec->nparams, fit.loglik, fit.customers,
					  true, fit.undetermined >= 0 ? NULL : fit.cov, &coefs);
}

/*-------------------------------------------------------------------------
 *
 * btyd.c
 *	  What the buy-till-you-die models share (see btyd.h): reading a model
 *	  composite, checking a customer summary, building the fitted model, the
 *	  maximum-likelihood driver, and the transition functions of the fit
 *	  aggregates over (frequency, recency, age [, weight [, penalizer]]).
 *
 * Fitting convention (as lifetimes' penalizer_coef): the minimised objective
 * is  -sum_i w_i LL_i / sum_i w_i + penalizer * sum_j theta_j^2  over the
 * natural parameters theta, optimised on log(theta); the reported loglik is
 * the unpenalised sum_i w_i LL_i at the optimum.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/typcache.h"

#include "btyd.h"
#include "engage.h"
#include "optim.h"

PG_FUNCTION_INFO_V1(btyd_fit_accum);
PG_FUNCTION_INFO_V1(btyd_fit_accum_rfm);

void
btyd_read_model(Datum d, int nparams, const char *const *names, double *params)
{
	HeapTupleHeader tup = DatumGetHeapTupleHeader(d);
	const char *data = (const char *) tup + tup->t_hoff;

	if (HeapTupleHeaderGetNatts(tup) < nparams)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("model has fewer than %d parameters", nparams)));
	for (int i = 0; i < nparams; i++)
	{
		if ((tup->t_infomask & HEAP_HASNULL) && att_isnull(i, tup->t_bits))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("model parameter %s must not be null", names[i])));
		/* float8 attributes before any null lie 8 bytes apart, aligned */
		memcpy(&params[i], data + i * sizeof(double), sizeof(double));
		if (!(params[i] > 0) || isinf(params[i]))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("model parameter %s must be a positive finite number", names[i])));
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

Datum
btyd_make_model(FunctionCallInfo fcinfo, const double *params, int nparams,
				double loglik, double customers, bool converged)
{
	TupleDesc	desc;
	Datum		values[BTYD_MAX_PARAMS + 3];
	bool		nulls[BTYD_MAX_PARAMS + 3] = {0};

	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE ||
		desc->natts != nparams + 3)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("function returning a model called in a context that cannot accept it")));
	desc = BlessTupleDesc(desc);
	for (int i = 0; i < nparams; i++)
		values[i] = Float8GetDatum(params[i]);
	values[nparams] = Float8GetDatum(loglik);
	values[nparams + 1] = Float8GetDatum(customers);
	values[nparams + 2] = BoolGetDatum(converged);
	return HeapTupleGetDatum(heap_form_tuple(desc, values, nulls));
}

double
btyd_state_penalizer(const FitData *fd)
{
	return fd->nopts > 0 ? fd->opts[0] : 0.0;
}

/* The objective handed to the optimiser, over log-parameters. */
typedef struct FitProblem
{
	const BtydModelSpec *spec;
	const FitData *fd;
	double		total_weight;
	double		penalizer;
} FitProblem;

static double
fit_objective(const double *logp, double *grad, void *arg)
{
	FitProblem *fp = (FitProblem *) arg;
	int			n = fp->spec->nparams;
	double		params[BTYD_MAX_PARAMS] = {0};
	double		g[BTYD_MAX_PARAMS] = {0};
	double		value;

	for (int i = 0; i < n; i++)
	{
		params[i] = exp(logp[i]);
		if (!(params[i] > 0) || isinf(params[i]))
			return INFINITY;
	}
	value = -fp->spec->loglik(params, fp->fd, grad ? g : NULL) / fp->total_weight;
	for (int i = 0; i < n; i++)
	{
		value += fp->penalizer * params[i] * params[i];
		if (grad)
			grad[i] = (-g[i] / fp->total_weight + 2.0 * fp->penalizer * params[i]) * params[i];
	}
	return value;
}

Datum
btyd_fit_sample(FunctionCallInfo fcinfo, const BtydModelSpec *spec,
				const FitData *fd, double penalizer)
{
	FitProblem	fp = {spec, fd, 0.0, penalizer};
	double		logp[BTYD_MAX_PARAMS] = {0};
	double		params[BTYD_MAX_PARAMS] = {0};
	double		loglik;
	bool		repeat = false;
	OptimResult res;

	ensure_nonnegative(penalizer, "penalizer");
	if (fd == NULL || fd->ntuples == 0)
		return (Datum) 0;
	/* a canonical order makes the result independent of the plan */
	fd = fitdata_sorted_copy(CurrentMemoryContext, fd);
	fp.fd = fd;
	fp.total_weight = fitdata_total_weight(fd);
	for (int i = 0; i < fd->ntuples && !repeat; i++)
		repeat = fitdata_tuple(fd, i)[0] > 0;
	if (!repeat && penalizer == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot fit %s: no customer made a repeat purchase", spec->name),
				 errdetail("The likelihood has no maximum when every frequency is 0."),
				 errhint("Add data with repeat purchases, or pass a positive penalizer.")));
	res = optim_minimize(fit_objective, spec->has_gradient, &fp, logp, spec->nparams);
	for (int i = 0; i < spec->nparams; i++)
		params[i] = exp(logp[i]);
	loglik = spec->loglik(params, fd, NULL);
	if (!isfinite(loglik))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("cannot fit %s: the log-likelihood is not finite at the optimum",
						spec->name),
				 errhint("Check the summaries, or pass a smaller penalizer.")));
	if (!isfinite(res.value))
		res.converged = false;
	if (!res.converged)
		ereport(WARNING,
				(errmsg("%s fit did not converge", spec->name),
				 errdetail("Stopped after %d iterations and %d likelihood evaluations.",
						   res.iterations, res.evaluations)));
	else
		elog(DEBUG1, "%s fit converged: %d iterations, %d likelihood evaluations",
			 spec->name, res.iterations, res.evaluations);
	return btyd_make_model(fcinfo, params, spec->nparams, loglik, fp.total_weight,
						   res.converged);
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

/* The same over an engage.rfm summary: (state, rfm [, weight [, penalizer]]). */
Datum
btyd_fit_accum_rfm(PG_FUNCTION_ARGS)
{
	FitData    *fd = fitdata_getarg(fcinfo, 0, 3, "btyd_fit_accum_rfm");
	HeapTupleHeader rfm;
	HeapTupleData tuple;
	TupleDesc	desc;
	bool		isnull[3];
	Datum		v[3];

	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(fd);
	rfm = PG_GETARG_HEAPTUPLEHEADER(1);
	/* engage.rfm starts (frequency integer, recency float8, age float8, ...) */
	desc = lookup_rowtype_tupdesc(HeapTupleHeaderGetTypeId(rfm),
								  HeapTupleHeaderGetTypMod(rfm));
	tuple.t_len = HeapTupleHeaderGetDatumLength(rfm);
	tuple.t_data = rfm;
	for (int i = 0; i < 3; i++)
		v[i] = heap_getattr(&tuple, i + 1, desc, &isnull[i]);
	ReleaseTupleDesc(desc);
	if (isnull[0] || isnull[1] || isnull[2])
		PG_RETURN_POINTER(fd);
	accum_summary(fcinfo, fd, (double) DatumGetInt32(v[0]), DatumGetFloat8(v[1]),
				  DatumGetFloat8(v[2]), 2);
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
	for (;;)
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
}

Datum
btyd_simulate(FunctionCallInfo fcinfo, int nparams, const char *const *names,
			  BtydDrawFn draw)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	double		params[BTYD_MAX_PARAMS];
	int32		customers = PG_GETARG_INT32(1);
	double		T = PG_GETARG_FLOAT8(2);
	pg_prng_state rng;

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
		if (x > PG_INT32_MAX)
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("simulated frequency is out of range for integer")));
		values[0] = Int32GetDatum((int32) x);
		values[1] = Float8GetDatum(tx);
		values[2] = Float8GetDatum(T);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/*-------------------------------------------------------------------------
 *
 * bootstrap.c
 *	  The nonparametric bootstrap of a fit (Efron & Tibshirani 1993, "An
 *	  introduction to the bootstrap", ch. 6), as the CLVTools package does
 *	  it for its models: each replicate draws as many customers as the
 *	  sample holds, uniformly with replacement, and refits the model to
 *	  them.  engage.<model>_bootstrap(sample, replicates, seed [, penalizer])
 *	  returns the replicates; engage.fitdata_resample(sample, seed) one
 *	  resampled sample.
 *
 * A stored sample (engage.fitdata) holds distinct tuples with weights, the
 * weights counting customers: drawing N = sum w_i customers uniformly is
 * drawing the tuples' new weights from Multinomial(N; w_i / N).  Each draw
 * picks a tuple by Walker's alias method (Vose 1991, "A linear algorithm for
 * generating random numbers with a given distribution", IEEE TSE 17(9)) in
 * integer arithmetic, so every customer is drawn with probability exactly
 * 1 / N; the random numbers are PostgreSQL's pg_prng, seeded with the seed,
 * one stream for all replicates (replicate i is the same whatever the
 * number of replicates asked for).  Weights must be whole numbers: a
 * fractional weight counts no definite number of customers.
 *
 * A replicate costs one fit over the distinct tuples it drew (about 63 % of
 * the sample's when most weights are 1), started from the whole sample's
 * estimates and its inverse Hessian (the optimiser's curvature from the
 * fit's covariance), which takes a handful of iterations instead of the
 * twenty-odd of a cold fit; replicates carry no covariance.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"

#include "btyd.h"
#include "engage.h"

PG_FUNCTION_INFO_V1(fitdata_resample);

/* More replicates than this are refused (22023). */
#define BOOTSTRAP_MAX_REPLICATES 100000

/*
 * More customers than this are refused (54000): each replicate draws every
 * one of them (about 10 ns each), and the integer alias table needs
 * N * ntuples < 2^64.
 */
#define BOOTSTRAP_MAX_CUSTOMERS INT64CONST(1000000000)

/* Draws between interrupt checks. */
#define DRAWS_PER_CHECK 65536

/*
 * The alias table of a sample: a draw is one integer k uniform in
 * [0, ntuples * N), i.e. a column j = k / N and an offset u = k % N, both
 * uniform and independent; it is tuple j when u < threshold[j], else tuple
 * alias[j].  One table entry of 8 bytes per tuple, so that a draw touches
 * one cache line of it.
 */
typedef struct AliasColumn
{
	uint32		threshold;		/* <= N <= BOOTSTRAP_MAX_CUSTOMERS < 2^32 */
	int32		alias;
} AliasColumn;

typedef struct Resampler
{
	int			ntuples;
	uint64		customers;		/* N, the sum of the weights */
	AliasColumn *columns;
} Resampler;

StaticAssertDecl(BOOTSTRAP_MAX_CUSTOMERS <= PG_UINT32_MAX,
				 "a threshold fits 32 bits, ntuples * N fits 64");

/*
 * The whole number of customers that weight w stands for; errors 22023 for
 * a fractional weight.
 */
static uint64
customer_count(double w)
{
	if (w != floor(w))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("bootstrap needs whole-number weights"),
				 errdetail("A tuple of the sample has weight %g; each weight counts customers.", w),
				 errhint("Resampling draws customers: round the weights, or scale them to customer counts.")));
	return (uint64) w;
}

/*
 * Vose's construction in integers: column j holds the scaled weight
 * w_j * ntuples out of a capacity of N; a column below capacity is topped up
 * from one above it, which becomes its alias.  Every sum is exact.
 */
static void
resampler_init(Resampler *rs, const FitData *fd)
{
	int			n = fd->ntuples;
	uint64	   *scaled = palloc(sizeof(uint64) * n);
	int32	   *small = palloc(sizeof(int32) * n);
	int32	   *large = palloc(sizeof(int32) * n);
	int			nsmall = 0,
				nlarge = 0;
	double		total = fitdata_total_weight(fd);

	if (total > (double) BOOTSTRAP_MAX_CUSTOMERS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("bootstrap of more than " INT64_FORMAT " customers is not supported",
						BOOTSTRAP_MAX_CUSTOMERS),
				 errdetail("The sample holds %.15g customers; each replicate draws every one.", total)));
	if (!(total >= 1))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot bootstrap a sample without customers")));
	rs->ntuples = n;
	rs->customers = (uint64) total;
	rs->columns = palloc(sizeof(AliasColumn) * n);
	for (int i = 0; i < n; i++)
	{
		CHECK_FOR_INTERRUPTS();
		scaled[i] = customer_count(fitdata_weight(fd, i)) * (uint64) n;
		if (scaled[i] < rs->customers)
			small[nsmall++] = i;
		else
			large[nlarge++] = i;
	}
	/* each pass settles one small column for good: at most n passes */
	while (nsmall > 0 && nlarge > 0)
	{
		int32		s = small[--nsmall];
		int32		l = large[nlarge - 1];

		rs->columns[s].threshold = (uint32) scaled[s];
		rs->columns[s].alias = l;
		scaled[l] -= rs->customers - scaled[s];
		if (scaled[l] < rs->customers)
		{
			nlarge--;
			small[nsmall++] = l;
		}
	}
	/* what is left is full (exactly, as the scaled weights sum to N n) */
	while (nlarge > 0)
	{
		int32		l = large[--nlarge];

		rs->columns[l].threshold = (uint32) rs->customers;
		rs->columns[l].alias = l;
	}
	while (nsmall > 0)
	{
		int32		s = small[--nsmall];

		rs->columns[s].threshold = (uint32) rs->customers;
		rs->columns[s].alias = s;
	}
	pfree(scaled);
	pfree(small);
	pfree(large);
}

/*
 * New weights: N customers drawn uniformly with replacement, counted per
 * tuple into counts.
 */
static void
resample_counts(const Resampler *rs, pg_prng_state *rng, uint32 *counts)
{
	uint64		n = rs->customers;
	uint64		last = (uint64) rs->ntuples * n - 1;

	memset(counts, 0, sizeof(uint32) * rs->ntuples);
	for (uint64 drawn = 0; drawn < n; drawn++)
	{
		uint64		k = pg_prng_uint64_range(rng, 0, last);
		const AliasColumn *c = &rs->columns[k / n];

		counts[k % n < c->threshold ? (int32) (k / n) : c->alias]++;
		if ((drawn & (DRAWS_PER_CHECK - 1)) == DRAWS_PER_CHECK - 1)
			CHECK_FOR_INTERRUPTS();
	}
}

/*
 * The tuples of fd drawn at least once, with their counts as weights, into
 * the arrays of out (room for all of fd's tuples), in fd's order.
 */
static void
resampled_sample(const FitData *fd, const uint32 *counts, FitData *out)
{
	int			m = 0;

	for (int i = 0; i < fd->ntuples; i++)
	{
		if (counts[i] == 0)
			continue;
		memcpy(out->values + (size_t) m * fd->k, fitdata_tuple(fd, i), sizeof(double) * fd->k);
		out->weights[m++] = (double) counts[i];
	}
	out->ntuples = m;
}

/* An empty sample of fd's shape with room for all its tuples (weights only). */
static FitData *
resample_space(const FitData *fd)
{
	FitData    *out = palloc0(sizeof(FitData));

	out->k = fd->k;
	out->nopts = fd->nopts;
	memcpy(out->opts, fd->opts, sizeof(fd->opts));
	out->capacity = Max(fd->ntuples, 1);
	out->values = palloc(sizeof(double) * fd->k * out->capacity);
	out->weights = palloc(sizeof(double) * out->capacity);
	out->context = CurrentMemoryContext;
	return out;
}

/*
 * engage.fitdata_resample(sample, seed): the sample's customers drawn with
 * replacement, as many as it holds (a bootstrap sample); the same for the
 * same seed.
 */
Datum
fitdata_resample(PG_FUNCTION_ARGS)
{
	FitData    *fd = fitdata_from_bytes(CurrentMemoryContext, PG_GETARG_BYTEA_P(0));
	FitData    *out;
	FitData    *stored;
	Resampler	rs;
	pg_prng_state rng;
	uint32	   *counts;

	pg_prng_seed(&rng, (uint64) PG_GETARG_INT64(1));
	resampler_init(&rs, fd);
	counts = palloc(sizeof(uint32) * fd->ntuples);
	resample_counts(&rs, &rng, counts);
	out = resample_space(fd);
	resampled_sample(fd, counts, out);
	/* a proper sample (exact sums) for serialisation */
	stored = fitdata_create(CurrentMemoryContext, fd->k);
	if (fd->nopts > 0)
		fitdata_set_options(stored, fd->opts, fd->nopts, "options");
	for (int i = 0; i < out->ntuples; i++)
		fitdata_add(stored, fitdata_tuple(out, i), fitdata_weight(out, i));
	PG_RETURN_BYTEA_P(fitdata_to_bytes(stored));
}

/*
 * The initial inverse Hessian of a refit's objective (the mean penalised
 * negative log-likelihood over log-parameters) from the whole sample's fit:
 * its information over log-parameters is J^-1 Cov^-1 J^-1 summed over the
 * customers (J = diag(theta)), so the inverse of the mean is
 * W J^-1 Cov J^-1.  False when the fit has no covariance.
 */
static bool
refit_inverse_hessian(const BtydFit *fit, int n, double *hinv)
{
	if (fit->undetermined >= 0)
		return false;
	for (int i = 0; i < n; i++)
		for (int j = 0; j < n; j++)
			hinv[i * n + j] = fit->customers * fit->cov[i * n + j] /
				(fit->params[i] * fit->params[j]);
	return true;
}

/* Errors 22023 unless 1 <= replicates <= BOOTSTRAP_MAX_REPLICATES. */
static void
check_replicates(int32 replicates)
{
	if (replicates < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("replicates must be positive")));
	if (replicates > BOOTSTRAP_MAX_REPLICATES)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("replicates must not exceed %d", BOOTSTRAP_MAX_REPLICATES),
				 errhint("Percentile intervals need a few hundred to a few thousand replicates.")));
}

/*
 * The whole sample's fit that every replicate starts from; errors 22023
 * when it did not converge (its replicates would mean nothing).
 */
static void
fit_whole_sample(const BtydModelSpec *spec, const FitData *fd, double penalizer,
				 BtydFit *fit)
{
	if (!btyd_has_repeat_buyer(fd))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot fit %s: no customer made a repeat purchase", spec->name),
				 errdetail("The likelihood has no interior maximum when every frequency is 0, penalized or not.")));
	btyd_fit_run(spec, fd, penalizer, NULL, NULL, true, fit);
	if (!fit->converged)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot bootstrap %s: the fit of the whole sample does not converge", spec->name),
				 errhint("Fit more customers or pass a penalizer.")));
}

Datum
btyd_bootstrap(FunctionCallInfo fcinfo, const BtydModelSpec *spec)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	FitData    *fd = fitdata_from_bytes(CurrentMemoryContext, PG_GETARG_BYTEA_P(0));
	int32		replicates = PG_GETARG_INT32(1);
	double		penalizer = PG_NARGS() > 3 ? PG_GETARG_FLOAT8(3) : btyd_state_penalizer(fd);
	MemoryContext per_replicate;
	MemoryContext outer;
	BtydFit		whole;
	double		hinv[BTYD_MAX_PARAMS * BTYD_MAX_PARAMS];
	bool		has_hinv;
	Resampler	rs;
	pg_prng_state rng;
	uint32	   *counts;
	FitData    *sample;
	int			failed = 0;

	check_replicates(replicates);
	ensure_nonnegative(penalizer, "penalizer");
	if (fd->k != 3)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s needs a sample of (frequency, recency, age)", spec->name)));
	for (int i = 0; i < fd->ntuples; i++)
	{
		const double *v = fitdata_tuple(fd, i);

		CHECK_FOR_INTERRUPTS();
		btyd_check_summary(v[0], v[1], v[2]);
	}
	/* value order, as the fits use it (and the likelihood's per-frequency terms) */
	fd = fitdata_sorted_copy(CurrentMemoryContext, fd);
	resampler_init(&rs, fd);
	fit_whole_sample(spec, fd, penalizer, &whole);
	has_hinv = refit_inverse_hessian(&whole, spec->nparams, hinv);

	pg_prng_seed(&rng, (uint64) PG_GETARG_INT64(2));
	counts = palloc(sizeof(uint32) * fd->ntuples);
	sample = resample_space(fd);
	InitMaterializedSRF(fcinfo, MAT_SRF_BLESS);
	per_replicate = AllocSetContextCreate(CurrentMemoryContext, "bootstrap replicate",
										  ALLOCSET_DEFAULT_SIZES);
	for (int r = 0; r < replicates; r++)
	{
		BtydFit		fit = {0};
		HeapTuple	tuple;

		CHECK_FOR_INTERRUPTS();
		resample_counts(&rs, &rng, counts);
		resampled_sample(fd, counts, sample);
		outer = MemoryContextSwitchTo(per_replicate);
		if (btyd_has_repeat_buyer(sample))
		{
			btyd_fit_run(spec, sample, penalizer, whole.params, has_hinv ? hinv : NULL,
						 false, &fit);
			MemoryContextSwitchTo(outer);
			tuple = btyd_model_tuple(rsinfo->setDesc, fit.params, spec->nparams,
									 fit.loglik, fit.customers, fit.converged, NULL);
		}
		else
		{
			/* no repeat buyer drawn: no maximum to report */
			MemoryContextSwitchTo(outer);
			fit.converged = false;
			tuple = btyd_model_tuple(rsinfo->setDesc, NULL, spec->nparams, 0.0,
									 fitdata_total_weight(sample), false, NULL);
		}
		tuplestore_puttuple(rsinfo->setResult, tuple);
		heap_freetuple(tuple);
		MemoryContextReset(per_replicate);
		if (!fit.converged)
			failed++;
		elog(DEBUG2, "%s bootstrap replicate %d: %d distinct tuples, %d iterations, %d likelihood evaluations",
			 spec->name, r + 1, sample->ntuples, fit.converged ? fit.optim.iterations : 0,
			 fit.converged ? fit.optim.evaluations : 0);
	}
	if (failed > 0)
		ereport(WARNING,
				(errmsg("%d of %d %s bootstrap replicates did not converge", failed,
						replicates, spec->name),
				 errdetail("They are returned with converged = false."),
				 errhint("Leave them out (WHERE converged), and count them: many failures mean the data barely determine the model.")));
	return (Datum) 0;
}

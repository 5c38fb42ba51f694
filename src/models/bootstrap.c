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
 * drawing the tuples' new weights from Multinomial(N; w_i / N), done tuple
 * by tuple as conditional binomials, c_i ~ Binomial(N - c_1 - ... - c_{i-1},
 * w_i / (w_i + ... + w_n)), so that a draw costs per distinct tuple, not
 * per customer.  A binomial variate is drawn by inversion of its
 * distribution function when its mean is small, and otherwise by Knuth's
 * halving (TAOCP vol. 2, 3.4.1 F: the median order statistic of n uniforms is
 * Beta(a, n + 1 - a), which splits the count into two binomials of about
 * n / 2 trials), exact but for floating-point rounding.  The random numbers
 * are PostgreSQL's pg_prng, seeded with the seed, one stream for all
 * replicates (replicate i is the same whatever the number asked for).
 * Weights must be whole numbers: a fractional weight counts no definite
 * number of customers.
 *
 * A replicate costs one fit over the distinct tuples it drew (about 63 % of
 * the sample's when most weights are 1), started from the whole sample's
 * estimates and its inverse Hessian (the optimiser's curvature from the
 * fit's covariance), which takes a handful of iterations instead of the
 * twenty-odd of a cold fit; replicates carry no covariance.
 *
 * A sample with covariates (tuples of summary, purchase and dropout
 * covariates) is resampled the same way, each customer with its covariates,
 * and refitted with the coefficients (started from the whole fit's, the
 * curvature over parameters and coefficients); a replicate whose parameters
 * run off as btyd_fit_covariates judges them has converged = false.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <float.h>
#include <math.h>

#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"

#include "btyd.h"
#include "engage.h"
#include "lib/stringinfo.h"

PG_FUNCTION_INFO_V1(fitdata_resample);

/* More replicates than this are refused (22023). */
#define BOOTSTRAP_MAX_REPLICATES 100000

/*
 * More customers than this are refused (54000): weights and counts are
 * doubles, whole numbers only up to 2^53.
 */
#define BOOTSTRAP_MAX_CUSTOMERS 9007199254740992.0

/* Tuples between interrupt checks. */
#define TUPLES_PER_CHECK 65536

/*
 * A binomial variate is drawn by inversion when n min(p, 1 - p) is below
 * this: about that many steps, and P(0) = (1 - p)^n >= e^-42 cannot
 * underflow.
 */
#define INVERSION_MAX_MEAN 30.0

/* Errors 22023 unless weight w is a whole number of customers. */
static void
ensure_whole_weight(double w)
{
	if (w != floor(w))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("bootstrap needs whole-number weights"),
				 errdetail("A tuple of the sample has weight %g; each weight counts customers.", w),
				 errhint("Resampling draws customers: round the weights, or scale them to customer counts.")));
}

/*
 * The number of customers of sample fd, after checking that every weight
 * is a whole number and their sum neither 0 nor beyond 2^53.
 */
static double
sample_customers(const FitData *fd)
{
	double		total = fitdata_total_weight(fd);

	if (total > BOOTSTRAP_MAX_CUSTOMERS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("bootstrap of more than 2^53 customers is not supported"),
				 errdetail("The sample holds %.15g customers.", total)));
	if (!(total >= 1))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot bootstrap a sample without customers")));
	for (int i = 0; i < fd->ntuples; i++)
	{
		if ((i & (TUPLES_PER_CHECK - 1)) == TUPLES_PER_CHECK - 1)
			CHECK_FOR_INTERRUPTS();
		ensure_whole_weight(fitdata_weight(fd, i));
	}
	return total;
}

/*
 * Binomial(n, p) by inversion, for n p < INVERSION_MAX_MEAN and p <= 1/2:
 * the smallest k with u < P(X <= k), the probabilities by the recurrence
 * P(k + 1) = P(k) (n - k) / (k + 1) p / (1 - p).  Past the mode a term too
 * small to change the sum ends the search (rounding can leave the sum just
 * below u), so it takes about n p + 1 steps and never n.
 */
static double
binomial_inversion(pg_prng_state *rng, double n, double p)
{
	double		ratio = p / (1.0 - p);
	double		term = exp(n * log1p(-p));
	double		cdf = term;
	double		u = pg_prng_double(rng);
	double		k = 0.0;

	while (u >= cdf && k < n)
	{
		term *= (n - k) / (k + 1.0) * ratio;
		if (term <= cdf * DBL_EPSILON)
			break;
		k += 1.0;
		cdf += term;
	}
	return k;
}

/*
 * A Binomial(n, p) variate, n a whole number >= 0, 0 <= p <= 1.  While the
 * mean is large, Knuth's halving: the a-th smallest of n uniforms,
 * a = 1 + floor(n / 2), is X ~ Beta(a, n + 1 - a); if X >= p the count is
 * Binomial(a - 1, p / X), else a + Binomial(n - a, (p - X) / (1 - X)).  Each
 * round halves n, so there are at most 53 of them.
 */
static double
binomial_draw(pg_prng_state *rng, double n, double p)
{
	double		count = 0.0;

	for (;;)
	{
		double		a,
					x,
					g;

		if (n <= 0 || p <= 0)
			return count;
		if (p >= 1)
			return count + n;
		if (n * Min(p, 1.0 - p) < INVERSION_MAX_MEAN)
			return count + (p <= 0.5 ? binomial_inversion(rng, n, p) :
							n - binomial_inversion(rng, n, 1.0 - p));
		a = 1.0 + floor(n / 2.0);
		g = btyd_rgamma(rng, a, 1.0);
		x = g / (g + btyd_rgamma(rng, n + 1.0 - a, 1.0));
		if (x >= p)
		{
			n = a - 1.0;
			p = p / x;
		}
		else
		{
			count += a;
			n = n - a;
			p = (p - x) / (1.0 - x);
		}
	}
}

/*
 * New weights of fd's tuples into counts: a draw of Multinomial(N;
 * w_i / N), N = customers, by conditional binomials in tuple order.  The
 * remaining weight is exact (whole numbers below 2^53), and the last tuple
 * with weight takes the remaining customers, so the counts sum to N.
 */
static void
resample_counts(const FitData *fd, double customers, pg_prng_state *rng, double *counts)
{
	double		left = customers;	/* customers not drawn yet */
	double		weight_left = customers;	/* weight of the tuples from i on */

	for (int i = 0; i < fd->ntuples; i++)
	{
		double		w = fitdata_weight(fd, i);

		if ((i & (TUPLES_PER_CHECK - 1)) == TUPLES_PER_CHECK - 1)
			CHECK_FOR_INTERRUPTS();
		counts[i] = w >= weight_left ? left : binomial_draw(rng, left, w / weight_left);
		left -= counts[i];
		weight_left -= w;
	}
}

/*
 * The tuples of fd drawn at least once, with their counts as weights, into
 * the arrays of out (room for all of fd's tuples), in fd's order.
 */
static void
resampled_sample(const FitData *fd, const double *counts, FitData *out)
{
	int			m = 0;

	fitdata_forget_index(out);
	for (int i = 0; i < fd->ntuples; i++)
	{
		if (counts[i] == 0)
			continue;
		memcpy(out->values + (size_t) m * fd->k, fitdata_tuple(fd, i), sizeof(double) * fd->k);
		out->weights[m++] = counts[i];
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
	pg_prng_state rng;
	double		customers = sample_customers(fd);
	double	   *counts;

	pg_prng_seed(&rng, (uint64) PG_GETARG_INT64(1));
	counts = palloc(sizeof(double) * Max(fd->ntuples, 1));
	resample_counts(fd, customers, &rng, counts);
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
 * negative log-likelihood over the search's coordinates: log-parameters,
 * then the coefficients themselves) from the whole sample's fit: its
 * information over those coordinates is J^-1 Cov^-1 J^-1 summed over the
 * customers (J = diag(theta, 1)), so the inverse of the mean is
 * W J^-1 Cov J^-1.  False when the fit has no covariance.
 */
static bool
refit_inverse_hessian(const BtydFit *fit, int nparams, double *hinv)
{
	int			n = fit->n;

	if (fit->undetermined >= 0)
		return false;
	for (int i = 0; i < n; i++)
		for (int j = 0; j < n; j++)
			hinv[i * n + j] = fit->customers * fit->cov[i * n + j] /
				((i < nparams ? fit->params[i] : 1.0) * (j < nparams ? fit->params[j] : 1.0));
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
 * A sample to bootstrap: (frequency, recency, age) and the purchase and
 * dropout covariates it has (npurchase, ndropout; see
 * btyd_check_counting_sample), every summary checked; in value order
 * as the fits use it.
 */
static FitData *
bootstrap_sample(const BtydModelSpec *spec, FitData *fd, int *npurchase, int *ndropout)
{
	btyd_check_counting_sample(spec, fd, npurchase, ndropout);
	return fitdata_sorted_copy(CurrentMemoryContext, fd);
}

/*
 * Whether a fit with ncoef = npurchase + ndropout coefficients converged
 * with every parameter determined (a fit with covariates as
 * btyd_fit_covariates judges it, by the covariance cov when given); the
 * parameters that are not are appended to detail, and *hint (when hint is
 * not NULL) is the model's own hint for a parameter that runs off (e.g.
 * GGompertz/NBD's b -> 0, its Pareto/NBD limit), else NULL.
 */
static bool
bootstrap_fit_ok(const BtydModelSpec *spec, const BtydFit *fit, const double *cov,
				 int npurchase, int ndropout, StringInfo detail, const char **hint)
{
	bool		runs_off = false;

	if (hint != NULL)
		*hint = NULL;
	if (npurchase + ndropout > 0)
		runs_off = btyd_counting_fit_runs_off(spec, fit, cov, npurchase, ndropout,
											  detail, hint);
	else if (hint != NULL && fit->ran_off >= 0 && spec->runoff_hint != NULL)
		*hint = spec->runoff_hint(fit->params, fit->ran_off);
	return fit->converged && !runs_off;
}

/*
 * The whole sample's fit that every replicate starts from; errors 22023
 * when it did not converge or the data do not determine it (its replicates
 * would mean nothing).
 */
static void
fit_whole_sample(const BtydModelSpec *spec, const FitData *fd, int npurchase, int ndropout,
				 double penalizer, BtydFit *fit)
{
	StringInfoData detail;
	const char *hint;

	if (!btyd_has_repeat_buyer(fd))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot fit %s: no customer made a repeat purchase", spec->name),
				 errdetail("The likelihood has no interior maximum when every frequency is 0, penalized or not.")));
	btyd_fit_run(spec, fd, npurchase + ndropout, penalizer, NULL, NULL, true, fit);
	initStringInfo(&detail);
	if (!bootstrap_fit_ok(spec, fit, fit->undetermined < 0 ? fit->cov : NULL,
						  npurchase, ndropout, &detail, &hint))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot bootstrap %s: the fit of the whole sample does not converge", spec->name),
				 detail.len > 0 ? errdetail("The data do not determine %s.", detail.data) : 0,
				 errhint("%s", hint != NULL ? hint :
						 npurchase + ndropout > 0 ?
						 "Fit more customers, fewer covariates, or pass a penalizer." :
						 "Fit more customers or pass a penalizer.")));
}

/*
 * One replicate's fit of sample as a row of the result type desc: from the
 * whole sample's estimates whole (and the inverse Hessian hinv, or NULL),
 * with the coefficients of a sample with covariates; converged = false when
 * the fit did not converge, runs off, or has no repeat buyer to fit (then
 * its parameters are NULL).
 */
static HeapTuple
bootstrap_replicate(const BtydModelSpec *spec, TupleDesc desc, const FitData *sample,
					int npurchase, int ndropout, double penalizer, const BtydFit *whole,
					const double *hinv, MemoryContext per_replicate, bool *converged)
{
	MemoryContext outer = MemoryContextSwitchTo(per_replicate);
	BtydFit		fit = {0};
	BtydCoefficients coefs;
	StringInfoData detail;
	HeapTuple	tuple;

	if (!btyd_has_repeat_buyer(sample))
	{
		/* no repeat buyer drawn: no maximum to report */
		MemoryContextSwitchTo(outer);
		*converged = false;
		return btyd_model_tuple(desc, NULL, spec->nparams, 0.0, fitdata_total_weight(sample),
								false, NULL, NULL);
	}
	btyd_fit_run(spec, sample, npurchase + ndropout, penalizer, whole->params, hinv, false, &fit);
	initStringInfo(&detail);
	*converged = bootstrap_fit_ok(spec, &fit, NULL, npurchase, ndropout, &detail, NULL);
	btyd_coefficients_of(fit.params, spec->nparams, npurchase, ndropout, &coefs);
	MemoryContextSwitchTo(outer);
	tuple = btyd_model_tuple(desc, fit.params, spec->nparams, fit.loglik, fit.customers,
							 *converged, NULL, npurchase + ndropout > 0 ? &coefs : NULL);
	elog(DEBUG2, "%s bootstrap replicate: %d distinct tuples, %d iterations, %d likelihood evaluations",
		 spec->name, sample->ntuples, fit.optim.iterations, fit.optim.evaluations);
	return tuple;
}

Datum
btyd_bootstrap(FunctionCallInfo fcinfo, const BtydModelSpec *spec)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	FitData    *fd = fitdata_from_bytes(CurrentMemoryContext, PG_GETARG_BYTEA_P(0));
	int32		replicates = PG_GETARG_INT32(1);
	double		penalizer = PG_NARGS() > 3 ? PG_GETARG_FLOAT8(3) : btyd_state_penalizer(fd);
	MemoryContext per_replicate;
	BtydFit		whole;
	double		hinv[BTYD_MAX_FIT_PARAMS * BTYD_MAX_FIT_PARAMS];
	bool		has_hinv;
	double		customers;
	pg_prng_state rng;
	double	   *counts;
	FitData    *sample;
	int			npurchase,
				ndropout;
	int			failed = 0;

	check_replicates(replicates);
	ensure_nonnegative(penalizer, "penalizer");
	fd = bootstrap_sample(spec, fd, &npurchase, &ndropout);
	customers = sample_customers(fd);
	fit_whole_sample(spec, fd, npurchase, ndropout, penalizer, &whole);
	has_hinv = refit_inverse_hessian(&whole, spec->nparams, hinv);

	pg_prng_seed(&rng, (uint64) PG_GETARG_INT64(2));
	counts = palloc(sizeof(double) * fd->ntuples);
	sample = resample_space(fd);
	InitMaterializedSRF(fcinfo, MAT_SRF_BLESS);
	per_replicate = AllocSetContextCreate(CurrentMemoryContext, "bootstrap replicate",
										  ALLOCSET_DEFAULT_SIZES);
	for (int r = 0; r < replicates; r++)
	{
		HeapTuple	tuple;
		bool		converged;

		CHECK_FOR_INTERRUPTS();
		resample_counts(fd, customers, &rng, counts);
		resampled_sample(fd, counts, sample);
		tuple = bootstrap_replicate(spec, rsinfo->setDesc, sample, npurchase, ndropout,
									penalizer, &whole, has_hinv ? hinv : NULL,
									per_replicate, &converged);
		tuplestore_puttuple(rsinfo->setResult, tuple);
		heap_freetuple(tuple);
		MemoryContextReset(per_replicate);
		if (!converged)
			failed++;
	}
	if (failed > 0)
		ereport(WARNING,
				(errmsg("%d of %d %s bootstrap replicates did not converge", failed,
						replicates, spec->name),
				 errdetail("They are returned with converged = false."),
				 errhint("Leave them out (WHERE converged), and count them: many failures mean the data barely determine the model.")));
	return (Datum) 0;
}

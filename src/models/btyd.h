/*-------------------------------------------------------------------------
 *
 * btyd.h
 *	  Shared interface of the buy-till-you-die models (BG/NBD, MBG/NBD,
 *	  Pareto/NBD, and the models built on them, e.g. CLV): reading a model
 *	  composite into a parameter array, and the conditional expected number
 *	  of purchases E[X(t) | x, t_x, T] of each counting model.
 *
 * A model composite (engage.bgnbd, engage.mbgnbd, engage.paretonbd, ...)
 * starts with its parameters as double precision attributes, followed by
 * loglik, customers, converged and covariance (the parameters' covariance
 * matrix, double precision[], NULL when unknown; models stored by 0.1.0 have
 * no such attribute).  Time is in the units of the summary the
 * model was fitted on (e.g. weeks): x = frequency (repeat purchases),
 * t_x = recency (time of the last purchase since the first), T = age (time
 * since the first purchase), t = length of the prediction window.
 *
 *-------------------------------------------------------------------------
 */
#ifndef BTYD_H
#define BTYD_H

#include "postgres.h"

#include <float.h>

#include "fmgr.h"

#include "access/htup.h"
#include "access/htup_details.h"
#include "access/tupdesc.h"
#include "common/pg_prng.h"
#include "fitdata.h"
#include "lib/stringinfo.h"
#include "optim.h"
#include "pg_compat.h"

/* The largest number of parameters of a model composite. */
#define BTYD_MAX_PARAMS 5

/* The attributes of a model composite after its parameters. */
#define BTYD_MODEL_EXTRA_ATTS 4

/*
 * Covariates (Fader & Hardie 2007, "Incorporating time-invariant covariates
 * into the Pareto/NBD and BG/NBD models"): a model composite ends, after
 * covariance, with one double precision[] attribute of coefficients per
 * process that takes covariates (e.g. spend_coefficients), NULL in a model
 * without covariates.  A customer's covariate vectors are float8[] of at
 * most BTYD_MAX_COVARIATES elements; the covariance matrix of a fit covers
 * the base parameters, then the coefficients in attribute order.
 */
#define BTYD_MAX_COVARIATES 8
#define BTYD_MAX_COEF_ATTS 2

/* The coefficients of a model, per coefficient attribute (n[i] = 0: none). */
typedef struct BtydCoefficients
{
	int			natts;			/* coefficient attributes of the model */
	int			n[BTYD_MAX_COEF_ATTS];	/* coefficients in each */
	double		coef[BTYD_MAX_COEF_ATTS][BTYD_MAX_COVARIATES];
} BtydCoefficients;

/* Parameters and coefficients of a fit, at most. */
#define BTYD_MAX_FIT_PARAMS (BTYD_MAX_PARAMS + BTYD_MAX_COEF_ATTS * BTYD_MAX_COVARIATES)

/*
 * The counting models' covariates (Pareto/NBD, GGompertz/NBD, BG/NBD,
 * MBG/NBD): purchase covariates x_i and dropout covariates z_i scale the
 * model's parameters, e.g. Pareto/NBD alpha_i = alpha exp(-gamma'x_i),
 * beta_i = beta exp(-delta'z_i); gamma is stored in purchase_coefficients
 * and delta in dropout_coefficients (coefficient attributes 0 and 1).
 * Which parameters the covariates scale: params[purchase_param] by
 * exp(purchase_sign gamma'x_i), and params[dropout_params[j]] (j < 2, -1
 * unused) by exp(dropout_sign delta'z_i).
 */
typedef struct BtydCovariateMap
{
	int			purchase_param;
	double		purchase_sign;
	int			dropout_params[2];
	double		dropout_sign;
	const char *const *names;	/* the parameters' names, for messages */
} BtydCovariateMap;


/*
 * Reads the first nparams attributes of the model composite d (all double
 * precision) into params.  Errors 22023 naming the attribute (names[i]) when
 * one is NULL, NaN, infinite or not positive, and 22023 "model did not
 * converge" when its converged attribute is false: every scoring function
 * reads its model here.  Reads the tuple in place, no allocation beyond
 * detoasting (composites of this size are never toasted).
 */
extern void btyd_read_model(Datum d, int nparams, const char *const *names,
							double *params);

/*
 * The same without the convergence check, for diagnostics of the fit itself
 * (engage.log_likelihood).
 */
extern void btyd_read_model_any(Datum d, int nparams, const char *const *names,
								double *params);

/*
 * The customer's parameters p_i (nparams) from the model's params and
 * coefficients (attributes 0 and 1) and the customer's covariate vectors;
 * p_i = params exactly when every covariate is 0.  Errors 22003 when a
 * scaled parameter is not a positive finite number.
 */
extern void btyd_customer_params(const BtydCovariateMap *map, int nparams,
								 const double *params, const BtydCoefficients *coef,
								 const double *xp, const double *xd, double *p_i);

/*
 * Reads the customer's covariate vectors of arguments argp (purchase) and
 * argd (dropout) of the calling function into xp and xd
 * (btyd_covariate_vector), checking their lengths against the model's
 * coefficients (btyd_check_covariates).
 */
extern void btyd_getarg_covariates(FunctionCallInfo fcinfo, int argp, int argd,
								   const BtydCoefficients *coef, double *xp, double *xd);

/* What a counting model with covariates scored without them hints. */
#define BTYD_COUNTING_COVARIATES_HINT "Use the form of the function that takes the customer's covariate vectors as its last arguments, e.g. engage.p_alive(model, frequency, recency, age, purchase_covariates, dropout_covariates)."

/*
 * The model of argument argno (btyd_read_model, btyd_read_coefficients),
 * then the customer's parameters from the covariate vectors of arguments
 * argp and argd into p_i.
 */
extern void btyd_getarg_customer_model(FunctionCallInfo fcinfo, int argno, int argp,
									   int argd, int nparams, const char *const *names,
									   const BtydCovariateMap *map, double *p_i);

/* The same for argument argno of the calling SQL function. */
#define BTYD_GETARG_MODEL(argno, nparams, names, params) \
	btyd_read_model(PG_GETARG_DATUM(argno), (nparams), (names), (params))

/* Errors 22023 naming what is wrong with a summary btyd_check_summary rejects. */
extern void btyd_summary_error(double x, double tx, double T);

/*
 * Checks a customer summary (x >= 0 a whole number, 0 <= t_x <= T, all
 * finite); errors 22023 naming frequency, recency or age otherwise.  The
 * test is inline: a double of 2^52 or more is a whole number, one below it
 * is when it survives the round trip through int64.
 */
static inline void
btyd_check_summary(double x, double tx, double T)
{
	if (x >= 0.0 && x <= DBL_MAX &&
		(x >= 4503599627370496.0 || (double) (int64) x == x) &&
		tx >= 0.0 && tx <= T && T <= DBL_MAX)
		return;
	btyd_summary_error(x, tx, T);
}

/*
 * Each counting model's conditional expected number of purchases in
 * (T, T + t] of a customer with summary (x, t_x, T) factors into
 * E[X(t) | alive at T] * P(alive at T | x, t_x, T):
 *	 params = {r, alpha, a, b}: BG/NBD, Fader, Hardie & Lee 2005 eq. (10);
 *	 params = {r, alpha, a, b}: MBG/NBD, Batislam, Denizel & Filiztekin 2007;
 *	 params = {r, alpha, s, beta}: Pareto/NBD, Schmittlein, Morrison &
 *	 Colombo 1987, as in Fader & Hardie's 2005 note (eq. 20 there);
 *	 params = {r, alpha, b, s, beta}: GGompertz/NBD, Bemmaor & Glady 2012.
 * The *_expected_alive_steps functions set out[j] = E[X(t) | alive at T] at
 * t = (first + j) * step for j < n <= BTYD_STEPS_MAX (the hypergeometric
 * series of BG/NBD are summed for all t together).  Arguments are not
 * checked (callers check them with btyd_check_summary / btyd_read_model);
 * each result is finite.  Errors 22003 in the rare case a hypergeometric
 * series does not converge.
 */
#define BTYD_STEPS_MAX 64

extern void bgnbd_expected_alive_steps(const double *params, double x, double T,
									   double step, int first, int n, double *out);
extern void mbgnbd_expected_alive_steps(const double *params, double x, double T,
										double step, int first, int n, double *out);
extern void paretonbd_expected_alive_steps(const double *params, double x, double T,
										   double step, int first, int n, double *out);
extern void ggomnbd_expected_alive_steps(const double *params, double x, double T,
										 double step, int first, int n, double *out);

/*
 * How the covariates scale each counting model's parameters (Fader & Hardie
 * 2007): Pareto/NBD alpha_i = alpha exp(-gamma'x_i), beta_i =
 * beta exp(-delta'z_i); BG/NBD and MBG/NBD alpha_i = alpha exp(-gamma'x_i),
 * a_i = a exp(delta'z_i), b_i = b exp(delta'z_i).
 */
extern const BtydCovariateMap paretonbd_covariate_map;
extern const BtydCovariateMap bgnbd_covariate_map;

/*
 * GGompertz/NBD as CLVTools' ggomnbd with static covariates: alpha_i =
 * alpha exp(-gamma'x_i), beta_i = beta exp(-delta'z_i) (the Gompertz shape
 * b and the shapes r, s are shared).
 */
extern const BtydCovariateMap ggomnbd_covariate_map;

/* The matching probabilities that the customer is still alive at T. */
extern double bgnbd_p_alive(const double *params, double x, double tx, double T);
extern double mbgnbd_p_alive(const double *params, double x, double tx, double T);

/*
 * P(X(t) = n) of a new customer: BG/NBD with m = 0 (FHL 2005 eq. 8), its
 * MBG/NBD analogue with m = 1, Pareto/NBD (Fader & Hardie 2006).  Arguments
 * are not checked (n >= 0, t >= 0).
 */
extern double bg_prob_new(const double *params, int m, int n, double t);
extern double paretonbd_prob_new(const double *params, int n, double t);

/*
 * Pareto/NBD P(alive) through the call site's pair memo (btyd_pair_memo)
 * valid for consts[0..nconsts-1], the first four the model's parameters.
 * Uses its keys (x, t_x) and (x, T) (the terms G(t_x) and G(T) of P(alive))
 * and (-1, T) (P(alive) of a one-time buyer of age T).
 */
extern double paretonbd_p_alive_memo(FunctionCallInfo fcinfo, const double *consts,
									 int nconsts, double x, double tx, double T);

/*
 * GGompertz/NBD P(alive) through the call site's memo valid for
 * consts[0..nconsts-1], the first five the model's parameters {r, alpha, b,
 * s, beta}; uses the key (x, t_x, T).
 */
extern double ggomnbd_p_alive_memo(FunctionCallInfo fcinfo, const double *consts,
								   int nconsts, double x, double tx, double T);

/*
 * Builds the model composite of the calling function's result type from
 * nparams parameters, loglik, customers, converged and the covariance matrix
 * cov (nparams x nparams, row-major; NULL: unknown).  Errors 42804 when the
 * result type is not a model of nparams parameters (0.1.0's layout without
 * covariance is accepted, and gets none).  Coefficient attributes after
 * covariance (see below) are NULL.
 */
extern Datum btyd_make_model(FunctionCallInfo fcinfo, const double *params,
							 int nparams, double loglik, double customers,
							 bool converged, const double *cov);

/*
 * The same as a tuple of the model type desc (blessed); params NULL gives a
 * model whose parameters and loglik are NULL (a bootstrap replicate that
 * could not be fitted), with the coefficients coefs (NULL: none; cov then
 * covers the parameters and the coefficients).
 */
extern HeapTuple btyd_model_tuple(TupleDesc desc, const double *params, int nparams,
								  double loglik, double customers, bool converged,
								  const double *cov, const BtydCoefficients *coefs);

/*
 * Maximum-likelihood fitting shared by the models.  loglik returns the
 * weighted sum of the log-likelihoods of the sample's tuples at params and,
 * when grad is not NULL, its gradient with respect to params (the model sets
 * has_gradient when it provides one).  For a sample with covariates
 * (btyd_sample_covariates) params and grad also hold the coefficients after
 * the nparams parameters.
 */
typedef double (*BtydLogLik) (const double *params, const FitData *fd, double *grad);

/*
 * The observed information of a counting-model sample by group of customers
 * with the same covariates: ngroups groups, group g with covariates cov[g]
 * (npurchase then ndropout values) and hess[g * nparams^2 + j * nparams + k]
 * = sum_i w_i d2 LL_i / d ln p_ij d ln p_ik over its customers i (p_i the
 * customer's parameters).  A model's group_hessians fills it (palloc'd
 * arrays) at params and returns true, or false (ngroups -1) when its
 * customers do not fall into few groups (continuous covariates).
 */
typedef struct BtydGroupHessians
{
	int			ngroups;
	const double **cov;
	double	   *hess;
} BtydGroupHessians;

typedef bool (*BtydGroupHessiansFn) (const double *params, const FitData *fd,
									 BtydGroupHessians *out);

typedef struct BtydModelSpec
{
	const char *name;			/* e.g. "bgnbd", for messages */
	int			nparams;
	const char *const *names;	/* parameter names */
	BtydLogLik	loglik;
	bool		has_gradient;

	/*
	 * The hint of the WARNING when parameter i of params runs off, or NULL
	 * for the general one (and when the model sets no function).
	 */
	const char *(*runoff_hint) (const double *params, int i);
	const BtydCovariateMap *covariates; /* counting models: how covariates
										 * scale the parameters (NULL: none) */

	/*
	 * A counting model's Hessians by group (NULL: none), from which a fit
	 * with covariates takes its observed information in one pass whatever
	 * the number of coefficients.
	 */
	BtydGroupHessiansFn group_hessians;
} BtydModelSpec;

/*
 * A counting-model sample with covariates has tuples (frequency, recency,
 * age, npurchase purchase covariates, ndropout dropout covariates) and the
 * options (penalizer, npurchase, ndropout); others have none.  Sets the two
 * numbers (0 without covariates).
 */
extern void btyd_sample_covariates(const FitData *fd, int *npurchase, int *ndropout);

/*
 * Adds w times the gradient g_i of a customer's log-likelihood with respect
 * to the customer's parameters p_i (nparams) to grad, as the gradient with
 * respect to the model's parameters and coefficients (chain rule through
 * btyd_customer_params).
 */
extern void btyd_add_customer_gradient(const BtydCovariateMap *map, int nparams,
									   const double *params, const BtydCoefficients *coef,
									   const double *xp, const double *xd,
									   const double *p_i, double w, const double *g_i,
									   double *grad);

/*
 * One customer's log-likelihood under a model whose purchase rate is
 * Gamma(r, alpha) mixed, r = p_i[0] never scaled by covariates (Pareto/NBD,
 * GGompertz/NBD), at the customer's parameters p_i and, when g_i is not
 * NULL, its gradient in them.  lgam_rx = ln Gamma(r+x) - ln Gamma(r) - x ln r
 * and dpsi = digamma(r+x) - digamma(r) (0 without the gradient) depend on r
 * and x only; arg is the model's (e.g. a memo).
 */
typedef double (*BtydCustomerLogLik) (void *arg, const double *p_i, double x, double tx,
									  double T, double lgam_rx, double dpsi, double *g_i);

/*
 * *sum += v with Neumaier's compensated summation (the rounding error of
 * each addition, exactsum_two_sum's, kept in *err; the sum is *sum + *err):
 * the log-likelihood of a million customers summed to a few ulps rather
 * than sqrt(n) of them, so that the optimiser's line search near the
 * optimum compares values, not rounding noise.
 */
static inline void
btyd_add_compensated(double *sum, double *err, double v)
{
	double		e;

	*sum = exactsum_two_sum(*sum, v, &e);
	*err += e;
}

/*
 * The weighted log-likelihood of a sample sorted by frequency, with or
 * without covariates (btyd_sample_covariates), summed (compensated) over its
 * customers' customer_ll at their parameters (btyd_customer_params, map), and when grad
 * is not NULL its gradient in the nparams parameters and the coefficients
 * (btyd_add_customer_gradient).  lgam_rx and dpsi are computed once per
 * frequency.
 */
extern double btyd_sum_customer_loglik(const BtydCovariateMap *map, int nparams,
									   const double *params, const FitData *fd, double *grad,
									   BtydCustomerLogLik customer_ll, void *arg);

/* The coefficients held in params after nparams parameters. */
extern void btyd_coefficients_of(const double *params, int nparams, int npurchase,
								 int ndropout, BtydCoefficients *coef);

/*
 * Fits spec to the sample (btyd_fit_run's objective; a counting-model sample
 * with covariates through btyd_fit_covariates), and returns the model
 * composite (the result type of the calling function); NULL when the sample
 * is empty.  Errors 22023 when nobody made a repeat purchase (values[0] > 0);
 * warns and sets converged = false when the optimiser did not converge or a
 * parameter runs off to 0 or infinity.
 */
extern Datum btyd_fit_sample(FunctionCallInfo fcinfo, const BtydModelSpec *spec,
							 const FitData *fd, double penalizer);

/*
 * One fit, as btyd_fit_sample makes it, without messages: what it found.
 */
typedef struct BtydFit
{
	int			n;				/* parameters and coefficients */
	double		params[BTYD_MAX_FIT_PARAMS];	/* where the search ended, then the
												 * coefficients */
	double		loglik;			/* sum_i w_i LL_i there (may be non-finite) */
	double		customers;		/* sum_i w_i */
	bool		converged;		/* optimiser converged, loglik finite, nothing ran off */
	int			ran_off;		/* the first parameter that ran off to 0 or infinity, or -1 */
	int			undetermined;	/* -1: cov is set; else as fit_covariance (n when
								 * not computed) */
	int			cov_passes;		/* passes over the sample the covariance took */
	OptimResult optim;
	double		cov[BTYD_MAX_FIT_PARAMS * BTYD_MAX_FIT_PARAMS]; /* natural scale, row-major,
																 * n x n */
} BtydFit;

/*
 * Fits spec to fd (in value order, with a repeat buyer: callers check both)
 * from start, the parameters then the ncoef coefficients (NULL: parameters
 * all 1, coefficients 0), and the optimiser's initial inverse Hessian over
 * the search's coordinates (log-parameters, then the coefficients) hinv
 * (NULL: the identity), into *fit; the covariance only
 * when want_covariance and the fit converged.  ncoef > 0: spec's loglik takes
 * ncoef coefficients after the parameters (a fit with covariates), and the
 * objective is -sum_i w_i LL_i + penalizer * sum(coef^2) (CLVTools'
 * reg.lambdas); ncoef = 0: -sum_i w_i LL_i / sum_i w_i + penalizer *
 * sum(params^2) (lifetimes' penalizer_coef).  Raises no message about the
 * fit itself.
 */
extern void btyd_fit_run(const BtydModelSpec *spec, const FitData *fd, int ncoef,
						 double penalizer, const double *start, const double *hinv,
						 bool want_covariance, BtydFit *fit);

/*
 * The fit of btyd_fit_sample of a sample without covariates, with its errors
 * and warnings, into *fit; false (nothing fitted) when the sample is empty.
 */
extern bool btyd_fit_reported(const BtydModelSpec *spec, const FitData *fd,
							  double penalizer, BtydFit *fit);

/* The counting models' specifications (src/models/bgnbd.c, paretonbd.c). */
extern const BtydModelSpec bgnbd_spec;
extern const BtydModelSpec mbgnbd_spec;
extern const BtydModelSpec pnbd_spec;

/* Whether a tuple of positive weight has a repeat purchase (frequency > 0). */
extern bool btyd_has_repeat_buyer(const FitData *fd);

/*
 * The final function of a counting-model fit aggregate (argument 0: the
 * state; NULL when empty), and the fit of a stored engage.fitdata sample of
 * (frequency, recency, age) (argument 0, optional penalizer argument 1).
 */
extern Datum btyd_fit_final(FunctionCallInfo fcinfo, const BtydModelSpec *spec);
extern Datum btyd_fit_stored(FunctionCallInfo fcinfo, const BtydModelSpec *spec);

/*
 * engage.<model>_bootstrap(sample, replicates, seed [, penalizer]): the
 * set-returning body, one refit per replicate (src/models/bootstrap.c).
 */
extern Datum btyd_bootstrap(FunctionCallInfo fcinfo, const BtydModelSpec *spec);

/* engage.log_likelihood(model, frequency, recency, age): one customer's LL. */
extern Datum btyd_loglik_sql(FunctionCallInfo fcinfo, const BtydModelSpec *spec);

/* The penalizer of a fit state (option 0, 0 when unset). */
extern double btyd_state_penalizer(const FitData *fd);

/*
 * A per-call-site memo for scoring functions: results keyed by three doubles
 * (e.g. frequency, age and t), valid for one set of up to BTYD_MEMO_MAX_CONSTS
 * constants (the model's parameters, and e.g. the CLV schedule).  Real
 * summaries repeat (whole days, whole counts), so expensive terms such as
 * 2F1 series are computed once per distinct key.  Two-way set-associative
 * entries in flinfo->fn_mcxt: 4096 (160 kB) at first, growing fourfold up to
 * 65536 (2.5 MB) each time the table has missed a quarter as often as it has
 * entries, i.e. only when many distinct keys are scored.  The table is
 * shared by the last BTYD_MEMO_SETS sets of constants (customers with
 * covariates take a few sets of parameters, row after row): each entry
 * carries the tag of its set, and a set seen before finds its entries
 * again.  A slot stays writable (harmlessly) after later calls, until it is
 * stored.
 * Returns true and sets *value on a hit; otherwise the caller computes the
 * value and stores it with btyd_memo_store(slot).
 */
#define BTYD_MEMO_MAX_CONSTS 8
#define BTYD_MEMO_SETS 32

/*
 * The sets of constants a memo serves, the last BTYD_MEMO_SETS of them, each
 * with the tag (nonzero) that its entries carry.  Tags are handed out in
 * increasing order and the oldest set gives way to a new one, so the live
 * tags are the nsets up to last_tag; older sets' entries match nothing.
 */
typedef struct BtydMemoSets
{
	int			nsets;
	int			next;			/* the set to replace when a new one comes */
	uint32		last_tag;
	uint32		tag[BTYD_MEMO_SETS];
	int			nconsts[BTYD_MEMO_SETS];
	double		consts[BTYD_MEMO_SETS][BTYD_MEMO_MAX_CONSTS];
} BtydMemoSets;

typedef struct BtydMemoEntry
{
	double		key[3];
	double		value;
	uint32		generation;		/* valid when the memo's generation */
} BtydMemoEntry;

extern BtydMemoEntry *btyd_memo_slot(FunctionCallInfo fcinfo, const double *consts,
									 int nconsts, double k0, double k1, double k2,
									 double *value, bool *hit);

/*
 * Starts loading the bucket of key (k0, k1, k2) into the cache, so that a
 * lookup of it after other work does not wait for memory.  Changes nothing;
 * the memo may not exist yet, or belong to other constants.
 */
extern void btyd_memo_prefetch(FunctionCallInfo fcinfo, double k0, double k1, double k2);

static inline void
btyd_memo_store(BtydMemoEntry *slot, double k0, double k1, double k2, double value)
{
	slot->key[0] = k0;
	slot->key[1] = k1;
	slot->key[2] = k2;
	slot->value = value;
}

/*
 * Compact per-call-site memos of values keyed by two doubles (e.g. the
 * Pareto/NBD term G of a frequency and a time), BTYD_PAIR_MEMOS of them (so
 * that a few hot keys can live apart from many colder ones), all valid for
 * one set of up to BTYD_MEMO_MAX_CONSTS constants, kept beside the memo of
 * btyd_memo_slot in flinfo->fn_extra.  Entries are 32 bytes in an
 * open-addressing table (linear probing, at most 7/8 full, growing from 64
 * entries up to BTYD_PAIR_MAX_SIZE), so that the few thousand distinct keys
 * of a real scoring query stay in the processor's caches.  As that memo's,
 * the tables serve the last BTYD_MEMO_SETS sets of constants, each entry
 * tagged with its set's.  Keys must not be NaN; -0 and +0 are one key.  Once
 * a table is 7/8 full, the entries of sets no longer kept are dropped; when
 * it is still that full at its largest, new keys are not stored (their
 * values are recomputed).
 */
#define BTYD_PAIR_MEMOS 2
#define BTYD_PAIR_MAX_SIZE (1 << 17)	/* entries at most (4 MB) */

typedef struct BtydPairEntry
{
	double		k0;
	double		k1;				/* NaN in an empty entry */
	double		value;
	uint32		tag;			/* of the constants it belongs to */
} BtydPairEntry;

typedef struct BtydPairMemo
{
	uint32		size;			/* entries, a power of two */
	int			shift;			/* 64 - log2(size), for btyd_pair_hash */
	uint32		count;			/* entries in use (of any set of constants) */
	uint32		tag;			/* the tag of the current constants */
	uint32		oldest_live;	/* entries of smaller tags are dead */
	uint32		purged_live;	/* oldest_live when dead entries were last dropped */
	BtydPairEntry *entries;
} BtydPairMemo;

/*
 * The BTYD_PAIR_MEMOS pair memos of the calling site, created or emptied as
 * needed so that they are valid for consts[0..nconsts-1] (compared bit for
 * bit).
 */
extern BtydPairMemo *btyd_pair_memos(FunctionCallInfo fcinfo, const double *consts,
									 int nconsts);

/*
 * The bytes of a model composite that btyd_scoring_memos compares: its tuple
 * header from the number of attributes on (with the null bitmap), then its
 * data up to the converged attribute (at most nparams + 2 doubles and a
 * bool).
 */
#define BTYD_MODEL_KEY_MAX 128

/*
 * The start of a call site's memo (flinfo->fn_extra), which
 * btyd_scoring_memos reads inline: the pair memos, the constants they are
 * valid for, and the key bytes of the model whose parameters those
 * constants start with (key_len 0: none).
 */
typedef struct BtydScoringMemo
{
	int			nconsts;		/* the current constants */
	double		consts[BTYD_MEMO_MAX_CONSTS];
	BtydMemoSets sets;
	BtydPairMemo pair[BTYD_PAIR_MEMOS];	/* size 0 until first used */
	int			key_len;
	int			nparams;
	char		key[BTYD_MODEL_KEY_MAX];
} BtydScoringMemo;

/* The bits in which the 8 bytes at a and at b differ. */
static inline uint64
btyd_word_diff(const char *a, const char *b)
{
	uint64		u,
				v;

	memcpy(&u, a, sizeof(u));
	memcpy(&v, b, sizeof(v));
	return u ^ v;
}

/*
 * Whether a[0..len-1] and b[0..len-1] are equal: memcmp inline, 8 bytes at a
 * time (the last 8 overlapping the word before) without a branch per word,
 * for the short keys of the memos, which are nearly always equal and where a
 * call of memcmp costs more than the comparison.
 */
static inline bool
btyd_bytes_equal(const char *a, const char *b, int len)
{
	uint64		diff = 0;

	if (len < 8)
	{
		for (int i = 0; i < len; i++)
			diff |= a[i] ^ b[i];
		return diff == 0;
	}
	for (int i = 0; i + 8 < len; i += 8)
		diff |= btyd_word_diff(a + i, b + i);
	return (diff | btyd_word_diff(a + len - 8, b + len - 8)) == 0;
}

/*
 * Sets *key and *len to the bytes of model composite d that identify it (see
 * BTYD_MODEL_KEY_MAX); false when d is not a plain tuple in memory (toasted,
 * compressed, expanded) or too short to have a header.  base is where the
 * 4-byte header would start, as in btyd_read_model.
 */
static inline bool
btyd_model_key(Datum d, int nparams, const char **key, int *len)
{
	struct varlena *v = (struct varlena *) DatumGetPointer(d);
	const int	from = offsetof(HeapTupleHeaderData, t_infomask2);
	const char *base;
	uint8		hoff;

	if (VARATT_IS_EXTENDED(v) && !(VARATT_IS_SHORT(v) && !VARATT_IS_EXTERNAL(v)))
		return false;
	base = VARDATA_ANY(v) - VARHDRSZ;
	*len = VARSIZE_ANY_EXHDR(v) + VARHDRSZ - from;
	if (*len <= (int) offsetof(HeapTupleHeaderData, t_hoff) - from)
		return false;
	memcpy(&hoff, base + offsetof(HeapTupleHeaderData, t_hoff), sizeof(uint8));
	*key = base + from;
	*len = Min(*len, hoff - from + (nparams + 2) * (int) sizeof(double) + 1);
	return true;
}

/* btyd_scoring_memos when the model is not the one of the memo's key. */
extern BtydPairMemo *btyd_scoring_memos_read(FunctionCallInfo fcinfo, int argno,
											 int nparams, const char *const *names,
											 double *consts, int nconsts);

/*
 * btyd_pair_memos for a scoring function: reads the model of argument argno
 * into consts[0..nparams-1] as btyd_read_model does, then returns the pair
 * memos valid for consts[0..nconsts-1] (the caller has set those after the
 * parameters).  Inline, while the model's key bytes are those of the model
 * the call site read last, and the other constants are the same: its
 * checked parameters are reused.
 */
static inline BtydPairMemo *
btyd_scoring_memos(FunctionCallInfo fcinfo, int argno, int nparams,
				   const char *const *names, double *consts, int nconsts)
{
	BtydScoringMemo *memo = (BtydScoringMemo *) fcinfo->flinfo->fn_extra;
	const char *key;
	int			len;

	if (memo != NULL && memo->key_len > 0 && memo->nparams == nparams &&
		memo->nconsts == nconsts &&
		btyd_model_key(PG_GETARG_DATUM(argno), nparams, &key, &len) &&
		len == memo->key_len && btyd_bytes_equal(key, memo->key, len) &&
		btyd_bytes_equal((const char *) (consts + nparams),
						 (const char *) (memo->consts + nparams),
						 sizeof(double) * (nconsts - nparams)))
	{
		memcpy(consts, memo->consts, sizeof(double) * nparams);
		return memo->pair;
	}
	return btyd_scoring_memos_read(fcinfo, argno, nparams, names, consts, nconsts);
}

/* Stores value under (k0, k1) when there is room (see above). */
extern void btyd_pair_put(BtydPairMemo *memo, double k0, double k1, double value);

/*
 * The first entry to probe for (k0, k1) of the constants of tag: the top
 * bits (shift = 64 - log2 of the table's size) of a multiplicative hash of
 * the keys' bits, -0 read as +0, and the tag.
 */
static inline uint32
btyd_pair_hash_tagged(int shift, double k0, double k1, uint32 tag)
{
	uint64		b0,
				b1;

	k0 += 0.0;
	k1 += 0.0;
	memcpy(&b0, &k0, sizeof(b0));
	memcpy(&b1, &k1, sizeof(b1));
	return (uint32) (((b0 * UINT64CONST(0x9E3779B97F4A7C15)) ^ b1 ^
					  (uint64) tag * UINT64CONST(0x165667B19E3779F9)) *
					 UINT64CONST(0xC2B2AE3D27D4EB4F) >> shift);
}

/* The first entry to probe for (k0, k1) of the memo's current constants. */
static inline uint32
btyd_pair_hash(const BtydPairMemo *memo, double k0, double k1)
{
	return btyd_pair_hash_tagged(memo->shift, k0, k1, memo->tag);
}

/*
 * Sets *value and returns true when (k0, k1) is stored.  The probe ends at
 * the key or at an empty entry, of which the table always has an eighth.
 */
static inline bool
btyd_pair_get(const BtydPairMemo *memo, double k0, double k1, double *value)
{
	uint32		mask = memo->size - 1;

	for (uint32 h = btyd_pair_hash(memo, k0, k1);; h = (h + 1) & mask)
	{
		const BtydPairEntry *e = &memo->entries[h];

		if (e->k1 == k1 && e->k0 == k0 && e->tag == memo->tag)
		{
			*value = e->value;
			return true;
		}
		if (isnan(e->k1))
			return false;
	}
}

/*
 * Starts loading the first entry of (k0, k1) into the cache (both lines when
 * it straddles two).  A macro: GCC finds a function that only prefetches
 * free of side effects and drops the calls to it.
 */
#define btyd_pair_prefetch(memo, k0, k1) \
	do { \
		const BtydPairEntry *e_ = &(memo)->entries[btyd_pair_hash((memo), (k0), (k1))]; \
		__builtin_prefetch(e_); \
		__builtin_prefetch((const char *) (e_ + 1) - 1); \
	} while (0)

/*
 * Simulation: draw one customer observed for T after the first purchase,
 * setting the number of repeat purchases *x and the time of the last *tx.
 */
typedef void (*BtydDrawFn) (const double *params, double T, pg_prng_state *rng,
							int64 *x, double *tx);

/*
 * A simulated customer makes at most this many repeat purchases, which bounds
 * the draw loops whatever the parameters (a purchase rate so high that time
 * no longer advances, a dropout probability that rounds to 0).
 */
#define BTYD_SIMULATE_MAX_PURCHASES 10000000

/*
 * Counts a simulated repeat purchase at time t into *x and *tx; errors 54000
 * when the customer would exceed BTYD_SIMULATE_MAX_PURCHASES.  Checks for
 * interrupts now and then.
 */
extern void btyd_simulated_purchase(int64 *x, double *tx, double t);

/*
 * The set-returning body of engage.<model>_simulate(model, customers, age,
 * seed [, purchase_covariates, dropout_covariates]): customers rows
 * (frequency, recency, age), deterministic per seed; with covariate vectors
 * every customer has them (map: how they scale the parameters).
 */
extern Datum btyd_simulate(FunctionCallInfo fcinfo, int nparams,
						   const char *const *names, const BtydCovariateMap *map,
						   BtydDrawFn draw);

/*
 * Random variates: Gamma(shape, rate) (Marsaglia & Tsang 2000; errors 22003
 * should rounding make it reject 1000 candidates in a row), Exp(rate).
 */
extern double btyd_rgamma(pg_prng_state *rng, double shape, double rate);
extern double btyd_rexp(pg_prng_state *rng, double rate);


/*
 * The float8[] argument argno of the calling function as a covariate vector
 * into out (at most BTYD_MAX_COVARIATES); returns its length.  Errors 22004
 * for a NULL element, 22023 for a multi-dimensional or too long array or a
 * value that is not finite; what names the argument in messages.
 */
extern int	btyd_covariate_vector(FunctionCallInfo fcinfo, int argno, const char *what,
								  double *out);

/*
 * Whether a covariate fit transition skips its row: a NULL among its
 * arguments 1 .. nrowargs - 1 (the summary, the covariate vectors, the
 * weight; a NULL penalizer counts as 0).
 */
extern bool btyd_covariate_row_skipped(FunctionCallInfo fcinfo, int nrowargs);

/*
 * The fit sample (argument 0) of a covariate fit transition with one
 * covariate vector, argument argno (what), read into tuple[cols ...] after
 * the cols summary columns: 22023 unless the earlier rows had as many
 * covariates.  caller names the transition for fitdata_getarg.
 */
extern FitData *btyd_covariate_sample(FunctionCallInfo fcinfo, int argno, const char *what,
									  int cols, double *tuple, const char *caller);

/*
 * The optional weight (argument argno, default 1) and penalizer (argno + 1,
 * default 0, also when NULL) of a fit transition, checked non-negative;
 * returns the weight.
 */
extern double btyd_weight_penalizer_args(FunctionCallInfo fcinfo, int argno,
										 double *penalizer);

/*
 * Reads the natts coefficient attributes of model composite d of nparams
 * parameters into coefs (n = 0 for a NULL attribute, or a model stored
 * before the attribute existed).  Errors 22023 when one holds a NULL or
 * non-finite element or more than BTYD_MAX_COVARIATES.
 */
extern void btyd_read_coefficients(Datum d, int nparams, int natts,
								   BtydCoefficients *coefs);

/*
 * Errors 22023 naming both unless a customer's covariate vector what has
 * the expected length (0 for a model without those coefficients).
 */
extern void btyd_check_covariates(int expected, int got, const char *what);

/*
 * Errors 22023 with hint when model composite d of nparams parameters has
 * coefficients (a form of a scoring function without covariates).
 */
extern void btyd_reject_coefficients(Datum d, int nparams, const char *hint);

/* coef' x over n elements: the log of a covariate factor exp(coef' x). */
extern double btyd_linear_predictor(const double *coef, const double *x, int n);

/*
 * A customer's parameter base * exp(lp) for scoring; errors 22003 naming it
 * when that is not a positive finite number.
 */
extern double btyd_covariate_scaled(double base, double lp, const char *name);

/*
 * The purchase and dropout covariate counts of a counting-model sample
 * (btyd_sample_covariates), checked: 22023 unless its tuples are
 * (frequency, recency, age, the covariates), 0A000 when spec takes no
 * covariates and the sample has some.
 */
extern void btyd_counting_sample_covariates(const BtydModelSpec *spec, const FitData *fd,
											int *npurchase, int *ndropout);

/*
 * The same for a stored sample, whose summaries were not checked row by row
 * as an aggregate's input is: each checked too (btyd_check_summary).
 */
extern void btyd_check_counting_sample(const BtydModelSpec *spec, const FitData *fd,
									   int *npurchase, int *ndropout);

/*
 * Whether a counting-model fit with npurchase and ndropout coefficients has
 * parameters the data do not determine, as btyd_fit_covariates judges them
 * (a base parameter running off to 0 or infinity or, given its covariance
 * cov, with a standard error above 3 on the log scale; a coefficient above
 * 15 in size); appends their description to detail.  *hint (if hint is
 * not NULL) is the model's own hint for the first such base parameter
 * (spec->runoff_hint), else NULL.
 */
extern bool btyd_counting_fit_runs_off(const BtydModelSpec *spec, const BtydFit *fit,
									   const double *cov, int npurchase, int ndropout,
									   StringInfo detail, const char **hint);

/*
 * Fits a model with covariates by btyd_fit_run: spec's loglik takes the base
 * parameters (natural scale) followed by the coefficients of each attribute,
 * and returns the gradient in the same order; the objective is
 * -sum_i w_i LL_i + penalizer * sum_j coef_j^2 (the penalty on the
 * coefficients only, as CLVTools' reg.lambdas), over the log base parameters
 * and the coefficients; the covariance covers all of them.  The sample's
 * tuples hold the ncols[a] covariates of attribute a after those of
 * attribute a - 1 from column col on; attribute a has ncoef[a] coefficients
 * (a multiple of ncols[a] when several parameters take the same covariates,
 * in blocks of ncols[a]), named coefnames[a][k] in messages.  Returns the
 * model composite with the coefficient attributes set from the counts in
 * ncoef (empty arrays where 0).  converged = false with a WARNING naming
 * the parameters the data do not determine: a base parameter running off
 * to 0 or infinity or with a standard error above 3 on the log scale, a
 * coefficient above 15 in size, an observed information that is not
 * positive definite (the hint is spec->runoff_hint's for the first such
 * base parameter when it has one, e.g. GGompertz/NBD's b -> 0, else a
 * penalizer or fewer covariates).  The covariance NULL with a WARNING
 * (converged true) when a covariate is constant or collinear with others
 * (its coefficient is not determined, the other parameters are).
 */
extern Datum btyd_fit_covariates(FunctionCallInfo fcinfo, const BtydModelSpec *spec,
								 const FitData *fd, int col, const int *ncols,
								 const int *ncoef, int natts,
								 const char *const *coefnames, double penalizer);

/*
 * The parameters of the model of argument argno: of the customer whose
 * covariate vectors are arguments argcov and argcov + 1 when the calling
 * function has them (map: how the model's covariates scale them), else of
 * the model, which must have no covariates (btyd_reject_coefficients).
 */
static inline void
btyd_getarg_model_for(FunctionCallInfo fcinfo, int argno, int argcov, int nparams,
					  const char *const *names, const BtydCovariateMap *map, double *p)
{
	if (PG_NARGS() > argcov)
		btyd_getarg_customer_model(fcinfo, argno, argcov, argcov + 1, nparams, names, map, p);
	else
	{
		btyd_read_model(PG_GETARG_DATUM(argno), nparams, names, p);
		btyd_reject_coefficients(PG_GETARG_DATUM(argno), nparams,
								 BTYD_COUNTING_COVARIATES_HINT);
	}
}

/*
 * A counting model as the scores built on it see it (CLV, the delta-method
 * intervals): its parameters, E[X(t) | alive at T] at whole steps, P(alive)
 * (params = consts[0..nparams-1], through the call site's memo where the
 * model has one) and how covariates scale its parameters (all a model
 * needs for its CLV, intervals and bootstrap with covariates).  One per
 * model, in counting.c.
 */
typedef void (*BtydAliveStepsFn) (const double *params, double x, double T, double step,
								  int first, int n, double *out);
typedef double (*BtydPAliveFn) (FunctionCallInfo fcinfo, const double *consts, int nconsts,
								double x, double tx, double T);

typedef struct BtydCountingModel
{
	const char *name;			/* for messages, e.g. "BG/NBD" */
	int			nparams;
	BtydAliveStepsFn alive_steps;
	BtydPAliveFn p_alive;
	const BtydCovariateMap *covariates; /* also the parameters' names */
} BtydCountingModel;

extern const BtydCountingModel btyd_counting_bgnbd;
extern const BtydCountingModel btyd_counting_mbgnbd;
extern const BtydCountingModel btyd_counting_paretonbd;
extern const BtydCountingModel btyd_counting_ggomnbd;

/*
 * A customer's covariate vectors as a score with covariates reads them, and
 * the numbers of the model's purchase and dropout coefficients (their
 * lengths).
 */
typedef struct BtydCustomerCovariates
{
	int			n[2];
	double		xp[BTYD_MAX_COVARIATES];
	double		xd[BTYD_MAX_COVARIATES];
} BtydCustomerCovariates;

/*
 * Reads the counting model of argument argno into theta: its parameters,
 * then its purchase and dropout coefficients; returns their number.  With
 * argp >= 0 the customer's purchase and dropout covariate vectors are
 * arguments argp and argp + 1 (read into cc, lengths checked against the
 * coefficients); with argp < 0 the model must have no coefficients (22023
 * with hint otherwise) and cc has none.
 */
extern int	btyd_counting_getarg(FunctionCallInfo fcinfo, const BtydCountingModel *model,
								 int argno, int argp, const char *hint, double *theta,
								 BtydCustomerCovariates *cc);

/*
 * The customer's parameters p_i from theta as btyd_counting_getarg reads it
 * (the parameters and cc->n coefficients) and cc's covariate vectors.
 */
extern void btyd_counting_customer(const BtydCountingModel *model, const double *theta,
								   const BtydCustomerCovariates *cc, double *p_i);

#endif							/* BTYD_H */

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

#include "fmgr.h"

#include "access/htup.h"
#include "access/tupdesc.h"
#include "common/pg_prng.h"
#include "fitdata.h"
#include "optim.h"

/* The largest number of parameters of a model composite. */
#define BTYD_MAX_PARAMS 5

/* The attributes of a model composite after its parameters. */
#define BTYD_MODEL_EXTRA_ATTS 4

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

/* The same for argument argno of the calling SQL function. */
#define BTYD_GETARG_MODEL(argno, nparams, names, params) \
	btyd_read_model(PG_GETARG_DATUM(argno), (nparams), (names), (params))

/*
 * Checks a customer summary (x >= 0, 0 <= t_x <= T, all finite); errors 22023
 * naming frequency, recency or age otherwise.
 */
extern void btyd_check_summary(double x, double tx, double T);

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
 * Pareto/NBD P(alive) through the call site's memo (btyd_memo_slot) valid for
 * consts[0..nconsts-1], the first four the model's parameters.  Uses the keys
 * (x, t_x, -2) and (x, T, -2) (the terms G(t_x) and G(T) of P(alive)).
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
 * could not be fitted).
 */
extern HeapTuple btyd_model_tuple(TupleDesc desc, const double *params, int nparams,
								  double loglik, double customers, bool converged,
								  const double *cov);

/*
 * Maximum-likelihood fitting shared by the models.  loglik returns the
 * weighted sum of the log-likelihoods of the sample's tuples at params and,
 * when grad is not NULL, its gradient with respect to params (the model sets
 * has_gradient when it provides one).
 */
typedef double (*BtydLogLik) (const double *params, const FitData *fd, double *grad);

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
} BtydModelSpec;

/*
 * Fits spec to the sample by minimising the negative mean log-likelihood
 * plus penalizer * sum(params^2) over log-parameters, and returns the model
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
	double		params[BTYD_MAX_PARAMS];	/* where the search ended */
	double		loglik;			/* sum_i w_i LL_i there (may be non-finite) */
	double		customers;		/* sum_i w_i */
	bool		converged;		/* optimiser converged, loglik finite, nothing ran off */
	int			ran_off;		/* the first parameter that ran off to 0 or infinity, or -1 */
	int			undetermined;	/* -1: cov is set; else as fit_covariance (nparams when
								 * not computed) */
	OptimResult optim;
	double		cov[BTYD_MAX_PARAMS * BTYD_MAX_PARAMS]; /* natural scale, row-major */
} BtydFit;

/*
 * Fits spec to fd (in value order, with a repeat buyer: callers check both)
 * from the parameters start (NULL: all 1) and the optimiser's initial inverse
 * Hessian over log-parameters hinv (NULL: the identity), into *fit; the
 * covariance only when want_covariance and the fit converged.  Raises no
 * message about the fit itself.
 */
extern void btyd_fit_run(const BtydModelSpec *spec, const FitData *fd, double penalizer,
						 const double *start, const double *hinv, bool want_covariance,
						 BtydFit *fit);

/*
 * The fit of btyd_fit_sample, with its errors and warnings, into *fit; false
 * (nothing fitted) when the sample is empty.
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
 * entries, i.e. only when many distinct keys are scored; other constants
 * invalidate all entries in O(1).  A slot stays writable (harmlessly) after
 * later calls, until it is stored.
 * Returns true and sets *value on a hit; otherwise the caller computes the
 * value and stores it with btyd_memo_store(slot).
 */
#define BTYD_MEMO_MAX_CONSTS 8

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
 * seed): customers rows (frequency, recency, age), deterministic per seed.
 */
extern Datum btyd_simulate(FunctionCallInfo fcinfo, int nparams,
						   const char *const *names, BtydDrawFn draw);

/*
 * Random variates: Gamma(shape, rate) (Marsaglia & Tsang 2000; errors 22003
 * should rounding make it reject 1000 candidates in a row), Exp(rate).
 */
extern double btyd_rgamma(pg_prng_state *rng, double shape, double rate);
extern double btyd_rexp(pg_prng_state *rng, double rate);

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

/*
 * The float8[] argument argno of the calling function as a covariate vector
 * into out (at most BTYD_MAX_COVARIATES); returns its length.  Errors 22004
 * for a NULL element, 22023 for a multi-dimensional or too long array or a
 * value that is not finite; what names the argument in messages.
 */
extern int	btyd_covariate_vector(FunctionCallInfo fcinfo, int argno, const char *what,
								  double *out);

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
 * Fits a model with covariates: spec's loglik takes the base parameters
 * (natural scale) followed by the coefficients of each attribute, and
 * returns the gradient in the same order.  The objective is
 * -sum_i w_i LL_i + penalizer * sum_j coef_j^2 (the penalty on the
 * coefficients only, as CLVTools' reg.lambdas), over the log base
 * parameters and the coefficients; the covariance covers all of them.
 * The sample's tuples hold the ncols[a] covariates of attribute a after
 * those of attribute a - 1 from column col on; attribute a has ncoef[a]
 * coefficients (a multiple of ncols[a] when several parameters take the
 * same covariates, in blocks of ncols[a]).  Returns the model composite with
 * the coefficient attributes set from the counts in ncoef (empty arrays
 * where 0); converged = false with a WARNING naming every parameter that runs
 * off; the covariance NULL with a WARNING when a covariate is constant or
 * collinear with others (its coefficient is not determined), or the
 * information is not positive definite.
 */
extern Datum btyd_fit_covariates(FunctionCallInfo fcinfo, const BtydModelSpec *spec,
								 const FitData *fd, int col, const int *ncols,
								 const int *ncoef, int natts,
								 const char *const *coefnames, double penalizer);

#endif							/* BTYD_H */

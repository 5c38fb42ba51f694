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
#define BTYD_MAX_PARAMS 4

/*
 * The attributes of a model composite after its parameters: loglik,
 * customers, converged, covariance; models with covariates have their
 * coefficient arrays after these (BTYD_MODEL_COEF_ATTS at most).
 */
#define BTYD_MODEL_EXTRA_ATTS 4
#define BTYD_MODEL_COEF_ATTS 2

/*
 * Static covariates (Fader & Hardie 2007, "Incorporating time-invariant
 * covariates into the Pareto/NBD and BG/NBD models"): a customer with
 * purchase covariates x_i and dropout covariates z_i has the model's
 * parameters with some of them scaled, e.g. for Pareto/NBD
 * alpha_i = alpha exp(-gamma'x_i), beta_i = beta exp(-delta'z_i).  A model
 * with covariates stores gamma in purchase_coefficients and delta in
 * dropout_coefficients (both NULL without covariates).
 */
#define BTYD_MAX_COVARIATES 8

/* Parameters and coefficients of a fit, at most. */
#define BTYD_MAX_FIT_PARAMS (BTYD_MAX_PARAMS + 2 * BTYD_MAX_COVARIATES)

/*
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
} BtydCovariateMap;

/*
 * The coefficients of a model (npurchase = ndropout = 0 without
 * covariates) and a customer's covariate vectors, of the same lengths.
 */
typedef struct BtydCoefficients
{
	int			npurchase;
	int			ndropout;
	double		purchase[BTYD_MAX_COVARIATES];
	double		dropout[BTYD_MAX_COVARIATES];
} BtydCoefficients;

typedef struct BtydCovariates
{
	double		purchase[BTYD_MAX_COVARIATES];
	double		dropout[BTYD_MAX_COVARIATES];
} BtydCovariates;

/*
 * The customer's parameters p_i (nparams) from the model's params and
 * coefficients and the customer's covariate vectors; p_i = params exactly
 * when every covariate is 0.  Errors 22003 when a scaled parameter
 * overflows or underflows.
 */
extern void btyd_customer_params(const BtydCovariateMap *map, int nparams,
								 const double *params, const BtydCoefficients *coef,
								 const double *xp, const double *xd, double *p_i);

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
 * The same for a model that may have covariates: also reads its
 * coefficients into *coef (npurchase = ndropout = 0 when it has none).
 * btyd_read_model and btyd_read_model_any error 22023 (with a hint naming
 * the form with covariate vectors) when the model has covariates.
 */
extern void btyd_read_model_coef(Datum d, int nparams, const char *const *names,
								 double *params, BtydCoefficients *coef, bool need_converged);

/*
 * Reads the customer's covariate vectors of arguments argp (purchase) and
 * argd (dropout) of the calling function into cv; errors 22023 naming the
 * expected and the given length when they differ from the model's, 22004
 * when an element is NULL, 22023 when one is not finite.
 */
extern void btyd_getarg_covariates(FunctionCallInfo fcinfo, int argp, int argd,
								   const BtydCoefficients *coef, BtydCovariates *cv);

/*
 * btyd_read_model_coef of argument argno, then the customer's parameters
 * from the covariate vectors of arguments argp and argd into p_i.
 */
extern void btyd_getarg_customer_model(FunctionCallInfo fcinfo, int argno, int argp,
									   int argd, int nparams, const char *const *names,
									   const BtydCovariateMap *map, double *p_i);

/*
 * The parameters of the model of argument argno: of the customer whose
 * covariate vectors are arguments argcov and argcov + 1 when the calling
 * function has them (map: how the model's covariates scale them), else of
 * the model, which must have no covariates.
 */
static inline void
btyd_getarg_model_for(FunctionCallInfo fcinfo, int argno, int argcov, int nparams,
					  const char *const *names, const BtydCovariateMap *map, double *p)
{
	if (PG_NARGS() > argcov)
		btyd_getarg_customer_model(fcinfo, argno, argcov, argcov + 1, nparams, names, map, p);
	else
		btyd_read_model(PG_GETARG_DATUM(argno), nparams, names, p);
}

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
 *	 Colombo 1987, as in Fader & Hardie's 2005 note (eq. 20 there).
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

/*
 * How the covariates scale each counting model's parameters (Fader & Hardie
 * 2007): Pareto/NBD alpha_i = alpha exp(-gamma'x_i), beta_i =
 * beta exp(-delta'z_i); BG/NBD and MBG/NBD alpha_i = alpha exp(-gamma'x_i),
 * a_i = a exp(delta'z_i), b_i = b exp(delta'z_i).
 */
extern const BtydCovariateMap paretonbd_covariate_map;
extern const BtydCovariateMap bgnbd_covariate_map;

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
 * Builds the model composite of the calling function's result type from
 * nparams parameters, loglik, customers, converged and the covariance matrix
 * cov (nparams x nparams, row-major; NULL: unknown).  Errors 42804 when the
 * result type is not a model of nparams parameters (0.1.0's layout without
 * covariance is accepted, and gets none).
 */
extern Datum btyd_make_model(FunctionCallInfo fcinfo, const double *params,
							 int nparams, double loglik, double customers,
							 bool converged, const double *cov);

/*
 * The same for a model with covariates: params holds the nparams
 * parameters, then npurchase purchase and ndropout dropout coefficients,
 * stored in purchase_coefficients and dropout_coefficients (NULL when
 * npurchase + ndropout = 0); cov covers all of them, in that order.
 */
extern Datum btyd_make_model_coef(FunctionCallInfo fcinfo, const double *params,
								  int nparams, int npurchase, int ndropout,
								  double loglik, double customers,
								  bool converged, const double *cov);

/*
 * The same as a tuple of the model type desc (blessed); params NULL gives a
 * model whose parameters and loglik are NULL (a bootstrap replicate that
 * could not be fitted).
 */
extern HeapTuple btyd_model_tuple(TupleDesc desc, const double *params, int nparams,
								  double loglik, double customers, bool converged,
								  const double *cov);
extern HeapTuple btyd_model_tuple_coef(TupleDesc desc, const double *params, int nparams,
									   int npurchase, int ndropout, double loglik,
									   double customers, bool converged,
									   const double *cov);

/*
 * Maximum-likelihood fitting shared by the models.  loglik returns the
 * weighted sum of the log-likelihoods of the sample's tuples at params and,
 * when grad is not NULL, its gradient with respect to params (the model sets
 * has_gradient when it provides one).  For a sample with covariates
 * (btyd_sample_covariates) params and grad also hold the coefficients after
 * the nparams parameters.
 */
typedef double (*BtydLogLik) (const double *params, const FitData *fd, double *grad);

typedef struct BtydModelSpec
{
	const char *name;			/* e.g. "bgnbd", for messages */
	int			nparams;
	const char *const *names;	/* parameter names */
	BtydLogLik	loglik;
	bool		has_gradient;
	const BtydCovariateMap *covariates; /* NULL: the model takes none */
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

/* The coefficients held in params after nparams parameters. */
extern void btyd_coefficients_of(const double *params, int nparams, int npurchase,
								 int ndropout, BtydCoefficients *coef);

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
	int			n;				/* parameters and coefficients */
	int			npurchase;		/* coefficients (0 without covariates) */
	int			ndropout;
	double		params[BTYD_MAX_FIT_PARAMS];	/* where the search ended, then the
												 * coefficients */
	double		loglik;			/* sum_i w_i LL_i there (may be non-finite) */
	double		customers;		/* sum_i w_i */
	bool		converged;		/* optimiser converged, loglik finite, nothing ran off */
	int			ran_off;		/* the first parameter that ran off to 0 or infinity, or -1 */
	int			undetermined;	/* -1: cov is set; else as fit_covariance (n when
								 * not computed) */
	OptimResult optim;
	double		cov[BTYD_MAX_FIT_PARAMS * BTYD_MAX_FIT_PARAMS]; /* natural scale, row-major,
																 * n x n */
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

#endif							/* BTYD_H */

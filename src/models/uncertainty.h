/*-------------------------------------------------------------------------
 *
 * uncertainty.h
 *	  Standard errors and intervals of the fitted models (uncertainty.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef UNCERTAINTY_H
#define UNCERTAINTY_H

#include "postgres.h"

/* Phi^-1(p), the standard normal quantile, for 0 < p < 1. */
extern double normal_quantile(double p);

/*
 * z of a two-sided interval of this level, Phi^-1((1 + level) / 2); errors
 * 22023 unless 0 < level < 1.
 */
extern double interval_z(double level);

/*
 * The covariance attribute of a model of n parameters, checked, as n * n
 * doubles (row-major) into cov.
 */
extern void read_covariance(Datum d, int n, double *cov);

/*
 * The covariance attribute of the model composite d of n parameters into
 * cov (checked as above); false when it is NULL (hand-built, stored by
 * 0.1.0, or not determined by the data).
 */
extern bool model_covariance(Datum d, int nparams, int n, double *cov);

/*
 * The most parameters a delta-method score depends on: CLV with covariates,
 * a counting model's 5 parameters and 2 * 8 coefficients, then Gamma-Gamma's
 * 3 and 8 spend coefficients.
 */
#define DELTA_MAX_PARAMS 32

/* A score as a function of n parameters (with its fixed arguments in arg). */
typedef double (*DeltaScoreFn) (const double *params, void *arg);

/*
 * The gradient of score at params by central differences: relative steps
 * of 1e-4 (in log-parameter space) for the first npositive parameters,
 * absolute steps of 1e-4 for the rest, coefficients of any sign; n * 2
 * evaluations.  Errors 22003 when a component is not finite.
 */
extern void delta_gradient_mixed(DeltaScoreFn score, void *arg, const double *params,
								 int n, int npositive, double *grad);

/*
 * The same where parameter i is positive (relative steps) when positive[i],
 * else a coefficient of any sign (absolute steps of 1e-4).
 */
extern void delta_gradient_masked(DeltaScoreFn score, void *arg, const double *params,
								  int n, const bool *positive, double *grad);

/* The scale an interval is built on: the bounds stay valid there. */
typedef enum IntervalScale
{
	SCALE_LOGIT,				/* a probability in [0, 1] */
	SCALE_LOG					/* an expectation or value >= 0 */
} IntervalScale;

/*
 * The engage.prediction_interval (the calling function's result type) of a
 * score est with gradient grad and parameter covariance cov (n x n):
 * std_error sqrt(g' Cov g), bounds on the given scale at z; both bounds est
 * when est is on the boundary of the scale or the spread is 0.
 */
extern Datum delta_interval_result(FunctionCallInfo fcinfo, double est,
								   const double *grad, const double *cov, int n,
								   double z, IntervalScale scale);

#endif							/* UNCERTAINTY_H */

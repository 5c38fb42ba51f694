/*-------------------------------------------------------------------------
 *
 * optim.h
 *	  Unconstrained minimisation of a smooth objective (the models' penalised
 *	  negative mean log-likelihoods over log-parameters): BFGS with a
 *	  backtracking (Armijo) line search, analytic gradients when the model
 *	  provides them and central differences otherwise; Nelder-Mead from the
 *	  best point found when BFGS fails.  Loops call CHECK_FOR_INTERRUPTS.
 *
 *-------------------------------------------------------------------------
 */
#ifndef OPTIM_H
#define OPTIM_H

#include "postgres.h"

/* Largest dimension optim_minimize accepts. */
#define OPTIM_MAX_DIM 20

/*
 * The objective at x (n doubles).  When grad is not NULL it also stores the
 * gradient there.  Returns +Infinity (or NaN) where the objective is not
 * defined; the minimiser then steps back.
 */
typedef double (*ObjectiveFn) (const double *x, double *grad, void *arg);

typedef struct OptimResult
{
	double		value;			/* objective at the returned x */
	int			iterations;		/* BFGS iterations plus Nelder-Mead iterations */
	int			evaluations;	/* calls of the objective (any kind) */
	bool		converged;		/* gradient or simplex tolerance met */
	bool		has_gradient;	/* gradient holds f's analytic gradient at the
								 * returned x (its last evaluation there) */
	double		gradient[OPTIM_MAX_DIM];
} OptimResult;

/*
 * Minimises f over R^n (1 <= n <= OPTIM_MAX_DIM) from x, leaving the best
 * point found in x.  has_gradient tells whether f fills grad.  Convergence:
 * max |gradient| <= 1e-8 * (1 + |f|), or no further decrease possible with
 * max |gradient| <= 1e-5 * (1 + |f|); Nelder-Mead: simplex spread of f below
 * 1e-12 * (1 + |f|).  The search ends unconverged after 1000 evaluations of
 * f, or as soon as a coordinate of x leaves [-bound, bound] (the minimum is
 * at infinity along it).
 */
extern OptimResult optim_minimize(ObjectiveFn f, bool has_gradient, void *arg,
								  double *x, int n, double bound);

/*
 * The same, with BFGS starting from the inverse Hessian approximation hinv0
 * (n x n, row-major, symmetric positive definite; NULL: the identity), e.g.
 * that of a fit to similar data, so that a warm start from its optimum
 * takes Newton-like steps from the first iteration.
 */
extern OptimResult optim_minimize_from(ObjectiveFn f, bool has_gradient, void *arg,
									   double *x, int n, double bound,
									   const double *hinv0);

/*
 * The Hessian of f at x (n x n, row-major into hess), by forward differences
 * of f's analytic gradient with step h in each coordinate from its gradient
 * g0 at x, symmetrised: n gradient evaluations.  Returns false when a
 * gradient is not finite.
 */
extern bool optim_hessian(ObjectiveFn f, void *arg, const double *x, int n,
						  double h, const double *g0, double *hess);

/*
 * The inverse of the symmetric matrix a (n x n, row-major) by its Cholesky
 * factorisation, into inv.  Returns -1 on success, or the index of the first
 * pivot that is not positive (relative to the diagonal): a is then not
 * positive definite, and the variable of that index is not determined given
 * the ones before it.
 */
extern int	optim_cholesky_inverse(const double *a, int n, double *inv);

#endif							/* OPTIM_H */

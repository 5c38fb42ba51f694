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

#endif							/* UNCERTAINTY_H */

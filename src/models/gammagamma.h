/*-------------------------------------------------------------------------
 *
 * gammagamma.h
 *	  The Gamma-Gamma spend model as other families use it (e.g. CLV):
 *	  reading an engage.gammagamma and the conditional expected average
 *	  transaction value (see gammagamma.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef GAMMAGAMMA_H
#define GAMMAGAMMA_H

#include "postgres.h"

#include "fmgr.h"

#define GG_NPARAMS 3

/*
 * Reads the parameters {p, q, v} of the engage.gammagamma d (22023 when
 * invalid, or when the model has spend coefficients: those need the
 * customer's covariates, which hint tells where to give).
 */
extern void gammagamma_read_plain(Datum d, const char *hint, double *par);

/*
 * Reads {p, q, v, theta_1, ..., theta_k} of the engage.gammagamma d into
 * theta (22023 when invalid), checking a customer's nw spend covariates
 * against its k spend coefficients (22023 naming both when nw differs);
 * returns k.
 */
extern int	gammagamma_read_theta(Datum d, int nw, double *theta);

/*
 * A customer's {p, q, v_i} from theta (as gammagamma_read_theta reads it,
 * nw coefficients) and the customer's spend covariates w:
 * v_i = v exp(theta' w), exactly v when nw = 0 or w = 0; errors 22003 when
 * v_i is not a positive finite number.
 */
extern void gammagamma_customer_params(const double *theta, const double *w, int nw,
									   double *par);

/*
 * The same for a customer with the nw spend covariates w: par = {p, q, v_i},
 * v_i = v exp(theta' w).  Errors 22023 when nw differs from the model's
 * number of spend coefficients (0 for a model without covariates).
 */
extern void gammagamma_read_model_covariates(Datum d, const double *w, int nw,
											 double *par);

/* Errors 22023 unless frequency x and monetary value z are a possible spend summary. */
extern void gammagamma_check_summary(double x, double z);

/*
 * E[M | p, q, v, x, z] = (v + x z) p / (p x + q - 1); errors 22023 when it
 * is infinite (p x + q <= 1).
 */
extern double gammagamma_spend(const double *par, double x, double z);

#endif							/* GAMMAGAMMA_H */

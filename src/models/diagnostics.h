/*-------------------------------------------------------------------------
 *
 * diagnostics.h
 *	  The counting models (BG/NBD, MBG/NBD, Pareto/NBD) behind one switch,
 *	  for the functions that work the same for all three: the conditional
 *	  distribution of future purchases (src/models/btyd_pmf.c) and the model
 *	  diagnostics (src/models/diagnostics.c).
 *
 * Time is in the units of the model's summaries; x = frequency,
 * t_x = recency, T = age.  Arguments are not checked here (callers use
 * btyd_check_summary and btyd_read_model).
 *
 *-------------------------------------------------------------------------
 */
#ifndef DIAGNOSTICS_H
#define DIAGNOSTICS_H

#include "btyd.h"

typedef enum BtydFamily
{
	BTYD_BGNBD,
	BTYD_MBGNBD,
	BTYD_PARETONBD
} BtydFamily;

/* Reads the four parameters of the model in argument argno. */
extern void btyd_family_getarg(FunctionCallInfo fcinfo, BtydFamily f, int argno,
							   double *params);

/*
 * P(alive at T | x, t_x, T).  Pareto/NBD goes through the call site's memo
 * in fcinfo->flinfo->fn_extra, which the caller must leave to it.
 */
extern double btyd_family_p_alive(FunctionCallInfo fcinfo, BtydFamily f,
								  const double *params, double x, double tx,
								  double T);

/*
 * E[X(T, T + t) | x, t_x, T] at t = (first + j) * step for j < n <=
 * BTYD_STEPS_MAX, given the customer's P(alive) (from btyd_family_p_alive).
 * A new customer is the summary (0, 0, 0).
 */
extern void btyd_family_expected_steps(BtydFamily f, const double *params,
									   double alive, double x, double T,
									   double step, int first, int n,
									   double *out);

/*
 * E[X(T, T + t) | x, t_x, T] of one customer: btyd_family_p_alive times
 * E[X(t) | alive at T] (the memo rule of btyd_family_p_alive applies).
 */
extern double btyd_family_expected(FunctionCallInfo fcinfo, BtydFamily f,
								   const double *params, double x, double tx,
								   double T, double t);

/*
 * Whether a stored sample is engage.fitdata over engage.rfm_holdout
 * summaries: tuples (frequency, recency, age, holdout_frequency) and the
 * option duration_holdout (opts[0]).
 */
static inline bool
btyd_is_holdout_sample(const FitData *fd)
{
	return fd->k == 4 && fd->nopts >= 1;
}

/* P(X(t) = n) of a new customer (n >= 0, t >= 0). */
extern double btyd_family_prob_new(BtydFamily f, const double *params, int n,
								   double t);

/*
 * P(X(T, T + t) = n | x, t_x, T) given the customer's P(alive): see
 * src/models/btyd_pmf.c.
 */
extern double btyd_family_prob_given(BtydFamily f, const double *params,
									 double alive, int n, double t, double x,
									 double T);

#endif							/* DIAGNOSTICS_H */

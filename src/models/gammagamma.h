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

/* Reads the parameters {p, q, v} of the engage.gammagamma d (22023 when invalid). */
extern void gammagamma_read_model(Datum d, double *par);

/* Errors 22023 unless frequency x and monetary value z are a possible spend summary. */
extern void gammagamma_check_summary(double x, double z);

/*
 * E[M | p, q, v, x, z] = (v + x z) p / (p x + q - 1); errors 22023 when it
 * is infinite (p x + q <= 1).
 */
extern double gammagamma_spend(const double *par, double x, double z);

#endif							/* GAMMAGAMMA_H */

/*-------------------------------------------------------------------------
 *
 * compare.c
 *	  Model choice among the counting models (BG/NBD, MBG/NBD, Pareto/NBD)
 *	  on one sample of customer summaries: engage.compare_models fits all
 *	  three (or takes fitted ones) and reports per model
 *
 *	 log_likelihood  LL = sum_i w_i log L(x_i, t_x_i, T_i) of the sample;
 *	 aic			 2 k - 2 LL (Akaike 1974), k = 4 parameters;
 *	 bic			 k ln(n) - 2 LL (Schwarz 1978), n = the sample's customers
 *					 (summed weight), as engage.aic and engage.bic compute them;
 *	 bic_rank		 the rank by BIC among the models that converged (a
 *					 model that did not converge is never ranked);
 *	 holdout_*		 when the sample carries each customer's holdout
 *					 purchases (engage.fitdata over engage.rfm_holdout): the
 *					 errors of the forecast E[X(T, T + t*) | x, t_x, T] (FHL
 *					 2005 eq. 10 and its analogues) against them, per customer
 *					 (mean absolute and root mean squared) and for the cohort
 *					 (sum predicted - sum observed, absolute and relative).
 *
 * The fits are those of engage.bgnbd_fit(sample) etc.; the forecasts those of
 * engage.calibration_holdout, customer by customer.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/executor.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "diagnostics.h"
#include "engage.h"

PG_FUNCTION_INFO_V1(compare_models_fit);
PG_FUNCTION_INFO_V1(compare_models_given);

#define NFAMILIES 3
#define NPARAMS 4
#define COMPARE_COLUMNS 17

static const BtydFamily families[NFAMILIES] = {BTYD_BGNBD, BTYD_MBGNBD, BTYD_PARETONBD};
static const char *const family_names[NFAMILIES] = {"bgnbd", "mbgnbd", "paretonbd"};

/* One row of the comparison: a model and how it does on the sample. */
typedef struct ModelScore
{
	bool		present;		/* false: no model given, no row */
	double		params[NPARAMS];
	bool		converged;
	bool		has_loglik;		/* false when LL is not finite */
	double		loglik;
	double		aic;
	double		bic;
	int			bic_rank;		/* 1 = best; 0 = not ranked */
	double		delta_bic;		/* bic - the best bic, when ranked */
	bool		has_holdout;	/* the holdout sums below are set */
	double		observed;		/* sum_i w_i holdout purchases */
	double		expected;		/* sum_i w_i E[X(T_i, T_i + t*)] */
	double		abs_error;		/* sum_i w_i |observed_i - expected_i| */
	double		sq_error;		/* sum_i w_i (observed_i - expected_i)^2 */
} ModelScore;

/* The specification of family f, for its fit and its likelihood. */
static const BtydModelSpec *
family_spec(BtydFamily f)
{
	switch (f)
	{
		case BTYD_BGNBD:
			return &bgnbd_spec;
		case BTYD_MBGNBD:
			return &mbgnbd_spec;
		case BTYD_PARETONBD:
			return &pnbd_spec;
	}
	pg_unreachable();
}

/*
 * The sample of argument argno in a canonical order (so that every sum is
 * independent of how the sample was built), every summary checked: customer
 * summaries (frequency, recency, age), or with their holdout purchases.
 */
static FitData *
comparison_sample(FunctionCallInfo fcinfo, int argno)
{
	FitData    *fd = fitdata_from_bytes(CurrentMemoryContext, PG_GETARG_BYTEA_P(argno));

	if (fd->k != 3 && !btyd_is_holdout_sample(fd))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("sample must be engage.fitdata over customer summaries"),
				 errdetail("The sample has %d columns and %d options.", fd->k, fd->nopts),
				 errhint("Build it with engage.fitdata(frequency, recency, age), engage.fitdata(engage.rfm) or, for the holdout columns, engage.fitdata(engage.rfm_holdout).")));
	if (fd->ntuples == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("sample must not be empty")));
	for (int i = 0; i < fd->ntuples; i++)
	{
		const double *v = fitdata_tuple(fd, i);

		CHECK_FOR_INTERRUPTS();
		btyd_check_summary(v[0], v[1], v[2]);
		if (fd->k == 4)
			ensure_nonnegative(v[3], "holdout_frequency");
	}
	if (btyd_is_holdout_sample(fd))
		ensure_nonnegative(fd->opts[0], "duration_holdout");
	return fitdata_sorted_copy(CurrentMemoryContext, fd);
}

/* Whether the model composite d says it converged (a NULL flag: yes). */
static bool
model_converged(Datum d)
{
	HeapTupleHeader tup = DatumGetHeapTupleHeader(d);
	bool		isnull;
	Datum		flag;

	if (HeapTupleHeaderGetNatts(tup) < NPARAMS + 3)
		return true;
	flag = GetAttributeByNum(tup, NPARAMS + 3, &isnull);
	return isnull || DatumGetBool(flag);
}

/* Sets the log-likelihood of the sample and the criteria computed from it. */
static void
score_likelihood(ModelScore *s, double loglik, double customers)
{
	s->has_loglik = isfinite(loglik);
	if (!s->has_loglik)
		return;
	s->loglik = loglik;
	s->aic = 2.0 * NPARAMS - 2.0 * loglik;
	s->bic = NPARAMS * log(customers) - 2.0 * loglik;
}

/*
 * Sums the holdout forecast errors of a model that converged over a sample
 * with holdout purchases; the observed sum is the same for every model.
 */
static void
score_holdout(FunctionCallInfo fcinfo, BtydFamily f, ModelScore *s, const FitData *fd)
{
	double		duration = fd->opts[0];

	s->has_holdout = true;
	for (int i = 0; i < fd->ntuples; i++)
	{
		const double *v = fitdata_tuple(fd, i);
		double		w = fitdata_weight(fd, i);
		double		e;

		CHECK_FOR_INTERRUPTS();
		e = finite_result(btyd_family_expected(fcinfo, f, s->params, v[0], v[1], v[2],
											   duration), "expected");
		s->observed += w * v[3];
		s->expected += w * e;
		s->abs_error += w * fabs(v[3] - e);
		s->sq_error += w * (v[3] - e) * (v[3] - e);
	}
}

/*
 * Ranks the models that converged with a finite log-likelihood by BIC,
 * ties sharing a rank (SQL's rank()).
 */
static void
rank_by_bic(ModelScore *scores)
{
	double		best = INFINITY;

	for (int i = 0; i < NFAMILIES; i++)
		if (scores[i].present && scores[i].converged && scores[i].has_loglik)
			best = Min(best, scores[i].bic);
	for (int i = 0; i < NFAMILIES; i++)
	{
		ModelScore *s = &scores[i];

		if (!s->present || !s->converged || !s->has_loglik)
			continue;
		s->bic_rank = 1;
		for (int j = 0; j < NFAMILIES; j++)
			if (scores[j].present && scores[j].converged && scores[j].has_loglik &&
				scores[j].bic < s->bic)
				s->bic_rank++;
		s->delta_bic = s->bic - best;
	}
}

/* The estimates as a double precision[]. */
static Datum
estimates_array(const double *params)
{
	Datum		elems[NPARAMS];

	for (int i = 0; i < NPARAMS; i++)
		elems[i] = Float8GetDatum(params[i]);
	return PointerGetDatum(construct_array(elems, NPARAMS, FLOAT8OID, sizeof(float8),
										   FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

/* Emits one row per model present, in the order BG/NBD, MBG/NBD, Pareto/NBD. */
static void
emit_rows(FunctionCallInfo fcinfo, const ModelScore *scores, double customers)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	InitMaterializedSRF(fcinfo, 0);
	for (int i = 0; i < NFAMILIES; i++)
	{
		const ModelScore *s = &scores[i];
		Datum		values[COMPARE_COLUMNS];
		bool		nulls[COMPARE_COLUMNS];
		bool		ranked = s->bic_rank > 0;

		if (!s->present)
			continue;
		memset(nulls, 0, sizeof(nulls));
		values[0] = CStringGetTextDatum(family_names[i]);
		values[1] = Int32GetDatum(NPARAMS);
		values[2] = Float8GetDatum(customers);
		values[3] = Float8GetDatum(s->loglik);
		values[4] = Float8GetDatum(s->aic);
		values[5] = Float8GetDatum(s->bic);
		nulls[3] = nulls[4] = nulls[5] = !s->has_loglik;
		values[6] = BoolGetDatum(s->converged);
		values[7] = Int32GetDatum(s->bic_rank);
		values[8] = Float8GetDatum(s->delta_bic);
		nulls[7] = nulls[8] = !ranked;
		values[9] = BoolGetDatum(s->bic_rank == 1);
		values[10] = Float8GetDatum(s->observed);
		values[11] = Float8GetDatum(s->expected);
		values[12] = Float8GetDatum(s->expected - s->observed);
		values[13] = Float8GetDatum((s->expected - s->observed) / s->observed);
		values[14] = Float8GetDatum(s->abs_error / customers);
		values[15] = Float8GetDatum(sqrt(s->sq_error / customers));
		for (int c = 10; c <= 15; c++)
			nulls[c] = !s->has_holdout;
		nulls[13] |= s->observed == 0.0;	/* no purchase to be relative to */
		values[16] = estimates_array(s->params);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
}

/* Scores every model present on the sample, ranks them, and emits the rows. */
static Datum
compare_scores(FunctionCallInfo fcinfo, ModelScore *scores, const FitData *fd)
{
	double		customers = fitdata_total_weight(fd);

	for (int i = 0; i < NFAMILIES; i++)
		if (scores[i].present && scores[i].converged && btyd_is_holdout_sample(fd))
			score_holdout(fcinfo, families[i], &scores[i], fd);
	rank_by_bic(scores);
	emit_rows(fcinfo, scores, customers);
	return (Datum) 0;
}

/*
 * engage.compare_models(sample): fits the three models to the sample as
 * engage.bgnbd_fit(sample) etc. do (a holdout sample: to its calibration
 * summaries, without a penalizer) and compares them.
 */
Datum
compare_models_fit(PG_FUNCTION_ARGS)
{
	FitData    *fd = comparison_sample(fcinfo, 0);
	double		penalizer = fd->k == 3 ? btyd_state_penalizer(fd) : 0.0;
	ModelScore	scores[NFAMILIES];

	memset(scores, 0, sizeof(scores));
	for (int i = 0; i < NFAMILIES; i++)
	{
		BtydFit		fit;

		(void) btyd_fit_reported(family_spec(families[i]), fd, penalizer, &fit);
		scores[i].present = true;
		scores[i].converged = fit.converged;
		memcpy(scores[i].params, fit.params, sizeof(scores[i].params));
		score_likelihood(&scores[i], fit.loglik, fit.customers);
	}
	return compare_scores(fcinfo, scores, fd);
}

/*
 * engage.compare_models(sample, bgnbd, mbgnbd, paretonbd): compares fitted
 * (or hand-built) models on the sample, whatever sample they were fitted
 * on: the log-likelihood is that of this sample.  NULL models have no row;
 * a NULL sample gives no rows.
 */
Datum
compare_models_given(PG_FUNCTION_ARGS)
{
	FitData    *fd;
	ModelScore	scores[NFAMILIES];
	double		customers;

	if (PG_ARGISNULL(0))
	{
		InitMaterializedSRF(fcinfo, 0);
		return (Datum) 0;
	}
	fd = comparison_sample(fcinfo, 0);
	customers = fitdata_total_weight(fd);
	memset(scores, 0, sizeof(scores));
	for (int i = 0; i < NFAMILIES; i++)
	{
		const BtydModelSpec *spec = family_spec(families[i]);
		ModelScore *s = &scores[i];

		if (PG_ARGISNULL(i + 1))
			continue;
		s->present = true;
		btyd_read_model_any(PG_GETARG_DATUM(i + 1), NPARAMS, spec->names, s->params);
		btyd_reject_coefficients(PG_GETARG_DATUM(i + 1), NPARAMS,
								 "Compare models fitted without covariates on the sample.");
		s->converged = model_converged(PG_GETARG_DATUM(i + 1));
		score_likelihood(s, spec->loglik(s->params, fd, NULL), customers);
	}
	return compare_scores(fcinfo, scores, fd);
}

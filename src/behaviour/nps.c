/*-------------------------------------------------------------------------
 *
 * nps.c
 *	  Net Promoter Score: the percentage of promoters (scores 9-10) minus the
 *	  percentage of detractors (scores 0-6) among 0-10 survey answers
 *	  (Reichheld 2003, "The one number you need to grow").
 *
 * The state is a bigint[3] of counts {detractors, passives, promoters}, so
 * that partial states combine by addition and need no serialisation.
 *
 *-------------------------------------------------------------------------
 */
#include "engage.h"

#include "catalog/pg_type.h"
#include "common/int.h"
#include "utils/array.h"

PG_FUNCTION_INFO_V1(nps_accum);
PG_FUNCTION_INFO_V1(nps_combine);
PG_FUNCTION_INFO_V1(nps_final);

#define NPS_BUCKETS 3

/* The three counts of a state array, after checking its shape. */
static int64 *
nps_counts(ArrayType *state)
{
	if (ARR_NDIM(state) != 1 || ARR_DIMS(state)[0] != NPS_BUCKETS ||
		ARR_HASNULL(state) || ARR_ELEMTYPE(state) != INT8OID)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("nps state must be a bigint array of %d counts", NPS_BUCKETS)));
	for (int i = 0; i < NPS_BUCKETS; i++)
		if (((int64 *) ARR_DATA_PTR(state))[i] < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("nps state counts must not be negative")));
	return (int64 *) ARR_DATA_PTR(state);
}

/* The bucket of one answer: 0 detractor, 1 passive, 2 promoter. */
static int
nps_bucket(int32 score)
{
	if (score < 0 || score > 10)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("nps score must be between 0 and 10"),
				 errdetail("Score %d is outside the 0-10 scale.", score)));
	return score <= 6 ? 0 : (score <= 8 ? 1 : 2);
}

/* Errors 22003 when a count would overflow. */
static void
nps_count_overflow(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("nps answer count is out of range")));
}

/* Transition: counts one answer, updating the state in place. */
Datum
nps_accum(PG_FUNCTION_ARGS)
{
	ArrayType  *state;
	int64	   *count;

	aggregate_context(fcinfo, "nps_accum");
	state = PG_GETARG_ARRAYTYPE_P(0);
	count = &nps_counts(state)[nps_bucket(PG_GETARG_INT32(1))];
	if (pg_add_s64_overflow(*count, 1, count))
		nps_count_overflow();
	PG_RETURN_ARRAYTYPE_P(state);
}

/* Combine: adds the counts of the second state into the first. */
Datum
nps_combine(PG_FUNCTION_ARGS)
{
	ArrayType  *state;
	int64	   *into;
	int64	   *from;

	aggregate_context(fcinfo, "nps_combine");
	state = PG_GETARG_ARRAYTYPE_P(0);
	into = nps_counts(state);
	from = nps_counts(PG_GETARG_ARRAYTYPE_P(1));
	for (int i = 0; i < NPS_BUCKETS; i++)
		if (pg_add_s64_overflow(into[i], from[i], &into[i]))
			nps_count_overflow();
	PG_RETURN_ARRAYTYPE_P(state);
}

/* Final: the score in -100..100, NULL when there were no answers. */
Datum
nps_final(PG_FUNCTION_ARGS)
{
	int64	   *counts = nps_counts(PG_GETARG_ARRAYTYPE_P(0));
	int64		total;

	if (pg_add_s64_overflow(counts[0], counts[1], &total) ||
		pg_add_s64_overflow(total, counts[2], &total))
		nps_count_overflow();
	if (total == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(100.0 * (double) (counts[2] - counts[0]) / (double) total);
}

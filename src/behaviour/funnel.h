/*-------------------------------------------------------------------------
 *
 * funnel.h
 *	  Reading the boolean conditions of the behavioural aggregates
 *	  (window_funnel, retention, sequence_match, sequence_count).
 *
 *-------------------------------------------------------------------------
 */
#ifndef FUNNEL_H
#define FUNNEL_H

#include "engage.h"

/* Most steps or conditions of one call (bits of a uint32). */
#define MAX_STEPS 32

/*
 * The bits of a VARIADIC boolean[] argument (bit i: element i + 1 is true)
 * and its length; errors for NULL, empty or too long arrays, and for NULL
 * elements unless null_is_false.
 */
extern uint32 read_conditions(FunctionCallInfo fcinfo, int argno, const char *what, int *n,
							  bool null_is_false);

/*
 * The bits of the boolean arguments first, first + 1, ... of a fixed-arity
 * form (bit i: argument first + i is true, not NULL) and their number.
 * Inline: it runs for every row; without branches, which the data would
 * mispredict.
 */
static inline uint32
read_condition_args(FunctionCallInfo fcinfo, int first, int *n)
{
	int			count = PG_NARGS() - first;
	uint32		bits = 0;

	Assert(count >= 1 && count <= MAX_STEPS);
	for (int i = 0; i < count; i++)
		bits |= (uint32) (!PG_ARGISNULL(first + i) & PG_GETARG_BOOL(first + i)) << i;
	*n = count;
	return bits;
}

#endif							/* FUNNEL_H */

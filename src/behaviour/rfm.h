/*-------------------------------------------------------------------------
 *
 * rfm.h
 *	  Purchase days and their summary, shared by the RFM aggregates
 *	  (rfm.c) and the incremental purchase summary engage.purchases
 *	  (purchases.c).
 *
 * A day's rows are netted into one RfmDay; a day is a purchase day when a
 * row without an amount fell on it or its amounts net to 0 or more (see
 * rfm.c and the README, "Amounts").
 *
 *-------------------------------------------------------------------------
 */
#ifndef RFM_H
#define RFM_H

#include "engage.h"

#include "access/tupdesc.h"

/*
 * One calendar day of a customer: the net of the amounts of its rows, and
 * whether a row without an amount fell on it.  16 bytes.
 */
typedef struct RfmDay
{
	double		amount;			/* summed (net) amount of the day's rows */
	int32		day;			/* days since 2000-01-01 */
	int32		unpriced;		/* 1 if a row had no amount, else 0 */
} RfmDay;

/*
 * The purchase days of sorted days, counted in two periods: up to
 * split_day (first, last, the number, and the positive net amounts of the
 * first day and of the repeat days with their count) and after it.
 */
typedef struct RfmTotals
{
	int32		ndays;			/* purchase days up to split_day */
	int32		first_day;		/* the first of them */
	int32		last_day;		/* the last of them */
	double		first_amount;	/* net amount of first_day if positive, else 0 */
	double		repeat_amount;	/* summed positive net amounts of the others */
	int32		repeat_valued;	/* how many of the others had one */
	int32		holdout_days;	/* purchase days after split_day */
	double		holdout_amount; /* their summed positive net amounts */
	int32		holdout_valued; /* how many had one */
} RfmTotals;

/* Whether a day is a purchase day (see above). */
static inline bool
rfm_is_purchase_day(const RfmDay *d)
{
	return d->unpriced || d->amount >= 0;
}

/* Adds the rows of day entry from to into (the same day). */
static inline void
rfm_day_merge(RfmDay *into, const RfmDay *from)
{
	into->amount += from->amount;
	into->unpriced |= from->unpriced;
}

/* Sorts n days by day and merges repeated days; returns the new count. */
extern int32 rfm_days_sort_merge(RfmDay *days, int32 n);

/* The index of the first of the n sorted days that is >= day (n if none). */
extern int32 rfm_days_lower_bound(const RfmDay *days, int32 n, int32 day);

/* Counts the purchase days of n sorted distinct days (see RfmTotals). */
extern void rfm_days_totals(const RfmDay *days, int32 n, int32 split_day,
							RfmTotals *t);

/*
 * Fills values[0..3] and nulls[0..3] with the engage.rfm fields of totals t
 * as of split_day (t->ndays > 0), times in units of unit_usecs; monetary is
 * NULL unless priced.
 */
extern void rfm_totals_values(const RfmTotals *t, int32 split_day,
							  int64 unit_usecs, bool priced,
							  Datum *values, bool *nulls);

/* The blessed tuple descriptor of the composite result, cached in fn_extra. */
extern TupleDesc rfm_result_desc(FunctionCallInfo fcinfo);

#endif							/* RFM_H */

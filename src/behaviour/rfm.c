/*-------------------------------------------------------------------------
 *
 * rfm.c
 *	  Customer summaries from transaction logs: the (frequency, recency, age,
 *	  monetary) statistics that buy-till-you-die models take as input, and
 *	  the RFM segment of quintile scores.
 *
 * A customer's transactions are reduced to purchase days (calendar days of
 * the session time zone, or of the zone named by the optional time_zone
 * argument; several transactions on one day count as one, each day's
 * amounts netted), as in Fader, Hardie & Lee (2005), "Counting your
 * customers the easy way: an alternative to the Pareto/NBD model", Marketing
 * Science 24(2), and in the CDNOW summaries that accompany it:
 *	  frequency x  = number of purchase days - 1 (the repeat purchase days)
 *	  recency   t_x = (last purchase day - first purchase day) / unit
 *	  age       T   = (day of as_of - first purchase day) / unit
 *	  monetary  zbar = mean net amount of the repeat purchase days with a
 *					   positive one, 0 if there is none
 * over the days up to and including the day of as_of.  A day is a purchase
 * day when a row without an amount (NULL, or the forms without an amount)
 * fell on it or its amounts net to 0 or more (the CDNOW summaries count $0
 * orders); a day of refunds only is not.  engage.rfm_holdout adds, for a
 * second period (calibration_end day, holdout_end day], the number of
 * purchase days, their mean amount and the period's length;
 * engage.rfm_classic the classic RFM inputs, the first day included.
 *
 * The aggregates share one state (RfmState): the days as an array of
 * (day, net amount, whether a row without an amount fell on it), kept
 * sorted and distinct while that is cheap (days arriving in order are
 * appended or merged into the last, others inserted while the array is
 * small) and otherwise appended to and sorted/merged only when needed.  The
 * final functions count the purchase days in one pass over the sorted days.
 *
 *-------------------------------------------------------------------------
 */
#include "engage.h"

#include "localday.h"
#include "rfm.h"

#include "access/htup_details.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/timestamp.h"
#include "utils/memutils.h"

PG_FUNCTION_INFO_V1(rfm_accum);
PG_FUNCTION_INFO_V1(rfm_holdout_accum);
PG_FUNCTION_INFO_V1(rfm_combine);
PG_FUNCTION_INFO_V1(rfm_serialize);
PG_FUNCTION_INFO_V1(rfm_deserialize);
PG_FUNCTION_INFO_V1(rfm_final);
PG_FUNCTION_INFO_V1(rfm_holdout_final);
PG_FUNCTION_INFO_V1(rfm_segment);
PG_FUNCTION_INFO_V1(rfm_events_accum);
PG_FUNCTION_INFO_V1(rfm_holdout_events_accum);
PG_FUNCTION_INFO_V1(rfm_classic_final);
PG_FUNCTION_INFO_V1(rfm_quintile);

#define RFM_SERIAL_VERSION 2
#define RFM_INITIAL_DAYS 4
#define RFM_INSERT_LIMIT 1024	/* sorted insertion up to this many days */

/*
 * State of engage.rfm, engage.rfm_holdout and engage.rfm_classic for one
 * group: 80 bytes plus 16 bytes per distinct day (the array starts with
 * room for 4 days, in the same allocation: 144 bytes in all; when full, it
 * is sorted and repeated days merged if need be, and it doubles only if
 * still more than half full, so its size stays below four times the number
 * of distinct days).  engage.rfm uses split = horizon = as_of.
 */
typedef struct RfmState
{
	TimestampTz split;			/* as_of, or calibration_end */
	TimestampTz horizon;		/* as_of, or holdout_end */
	int64		unit_usecs;		/* the unit of recency, age and duration */
	int32		split_day;		/* local day of split */
	int32		horizon_day;	/* local day of horizon */
	int32		ndays;			/* used entries of days */
	int32		capacity;		/* allocated entries of days */
	bool		sorted;			/* days ascending without duplicates */
	bool		priced;			/* the aggregate takes an amount argument */
	const pg_tz *zone;			/* zone named by the rows (time_zone), NULL
								 * for the session's; transitions only, not
								 * serialised */
	RfmDay	   *days;			/* the days, maybe unsorted/repeated */
} RfmState;

/* A new empty state in the current memory context. */
static RfmState *
rfm_state_create(TimestampTz split, TimestampTz horizon, int64 unit_usecs,
				 int32 split_day, int32 horizon_day, bool priced,
				 int32 capacity)
{
	RfmState   *state;

	state = palloc0(MAXALIGN(sizeof(RfmState)) + capacity * sizeof(RfmDay));
	state->split = split;
	state->horizon = horizon;
	state->unit_usecs = unit_usecs;
	state->split_day = split_day;
	state->horizon_day = horizon_day;
	state->priced = priced;
	state->capacity = capacity;
	state->sorted = true;
	state->days = (RfmDay *) ((char *) state + MAXALIGN(sizeof(RfmState)));
	return state;
}

/* Makes room for extra more days (in the memory context of the state). */
static void
rfm_state_reserve(RfmState *state, int32 extra)
{
	int64		needed = (int64) state->ndays + extra;
	int64		capacity = state->capacity;
	RfmDay	   *days;

	if (needed <= capacity)
		return;
	while (capacity < needed)
		capacity *= 2;
	if (capacity > (int64) (MaxAllocSize / sizeof(RfmDay)))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many purchase days in one group")));
	days = MemoryContextAlloc(GetMemoryChunkContext(state),
							  capacity * sizeof(RfmDay));
	memcpy(days, state->days, state->ndays * sizeof(RfmDay));
	/* the first array shares the allocation of the state: never freed */
	if (state->days != (RfmDay *) ((char *) state + MAXALIGN(sizeof(RfmState))))
		pfree(state->days);
	state->days = days;
	state->capacity = (int32) capacity;
}

/* sort_days(RfmDay *days, size_t n): a quicksort of days by day number */
#define ST_SORT sort_days
#define ST_ELEMENT_TYPE RfmDay
#define ST_COMPARE(a, b) (((a)->day > (b)->day) - ((a)->day < (b)->day))
#define ST_SCOPE static
#define ST_CHECK_FOR_INTERRUPTS
#define ST_DEFINE
#include "lib/sort_template.h"

int32
rfm_days_sort_merge(RfmDay *days, int32 n)
{
	int32		m = 0;

	if (n <= 16)
	{
		/* insertion sort: faster for the few days of most customers */
		for (int32 i = 1; i < n; i++)
		{
			RfmDay		d = days[i];
			int32		j = i;

			while (j > 0 && days[j - 1].day > d.day)
			{
				days[j] = days[j - 1];
				j--;
			}
			days[j] = d;
		}
	}
	else
		sort_days(days, n);
	for (int32 i = 0; i < n; i++)
	{
		if (m > 0 && days[i].day == days[m - 1].day)
			rfm_day_merge(&days[m - 1], &days[i]);
		else
			days[m++] = days[i];
		if ((i & 0xffff) == 0xffff)
			CHECK_FOR_INTERRUPTS();
	}
	return m;
}

/*
 * Sorts the days and merges repeated days.  This changes the
 * representation only, so final functions may call it.
 */
static void
rfm_state_normalize(RfmState *state)
{
	if (state->sorted)
		return;
	state->ndays = rfm_days_sort_merge(state->days, state->ndays);
	state->sorted = true;
}

int32
rfm_days_lower_bound(const RfmDay *days, int32 n, int32 day)
{
	int32		lo = 0;
	int32		hi = n;

	while (lo < hi)
	{
		int32		mid = lo + (hi - lo) / 2;

		if (days[mid].day < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Records the rows of one day: merged into the last day when it is that
 * day, appended when it is later, inserted in place (or merged) while the
 * array is sorted and small, else appended and the array marked unsorted.
 */
static void
rfm_state_add_day(RfmState *state, const RfmDay *d)
{
	int32		n = state->ndays;
	int32		pos = n;

	if (n > 0 && d->day <= state->days[n - 1].day)
	{
		/* consecutive rows of one day, the common case, add no entry */
		if (d->day == state->days[n - 1].day)
		{
			rfm_day_merge(&state->days[n - 1], d);
			return;
		}
		if (state->sorted && n <= RFM_INSERT_LIMIT)
		{
			pos = rfm_days_lower_bound(state->days, n, d->day);
			if (state->days[pos].day == d->day)
			{
				rfm_day_merge(&state->days[pos], d);
				return;
			}
		}
		else
			state->sorted = false;
	}
	if (n == state->capacity)
	{
		bool		was_sorted = state->sorted;

		/* merge repeated days first; grow only if that frees too little */
		rfm_state_normalize(state);
		if (state->ndays > state->capacity / 2)
			rfm_state_reserve(state, 1);
		if (!was_sorted)
		{
			/* the array was sorted again: place the day afresh (there is room) */
			rfm_state_add_day(state, d);
			return;
		}
	}
	memmove(&state->days[pos + 1], &state->days[pos], (n - pos) * sizeof(RfmDay));
	state->days[pos] = *d;
	state->ndays = n + 1;
}

/* Errors unless a state's per-group constants are split, horizon and unit. */
static void
rfm_state_check_same(const RfmState *state, TimestampTz split,
					 TimestampTz horizon, int64 unit_usecs)
{
	if (state->split != split || state->horizon != horizon)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the end of the observation period must be the same for every row of a group"),
				 errdetail("The as_of (or calibration_end and holdout_end) argument changed within one group.")));
	if (state->unit_usecs != unit_usecs)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unit must be the same for every row of a group")));
}

/*
 * The shared transition step: checks the row, creates the state on the
 * first row, then adds the row to its day if the day is not after the
 * horizon.  The amount is argument amount_arg (a NULL amount makes a row
 * without an amount), or absent when amount_arg < 0.  Days are those of the
 * zone named by argument zone_arg, or of the session's TimeZone when
 * zone_arg < 0.  Rows with another NULL argument are skipped.
 */
static RfmState *
rfm_accum_row(FunctionCallInfo fcinfo, RfmState *state, int amount_arg,
			  int split_arg, int horizon_arg, int unit_arg, int zone_arg)
{
	MemoryContext aggcontext;
	LocalDayCache *cache;
	TimestampTz occurred_at;
	TimestampTz split;
	TimestampTz horizon;
	RfmDay		d;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(split_arg) ||
		PG_ARGISNULL(horizon_arg) || PG_ARGISNULL(unit_arg) ||
		(zone_arg >= 0 && PG_ARGISNULL(zone_arg)))
		return state;
	aggcontext = aggregate_context(fcinfo, "rfm transition");
	cache = local_day_cache(fcinfo->flinfo);
	if (zone_arg >= 0)
		local_day_set_zone(cache, PG_GETARG_TEXT_PP(zone_arg));

	occurred_at = PG_GETARG_TIMESTAMPTZ(1);
	split = PG_GETARG_TIMESTAMPTZ(split_arg);
	horizon = PG_GETARG_TIMESTAMPTZ(horizon_arg);
	ensure_finite_timestamp(occurred_at, "occurred_at");
	d.amount = 0.0;
	d.unpriced = 1;
	if (amount_arg >= 0 && !PG_ARGISNULL(amount_arg))
	{
		d.amount = PG_GETARG_FLOAT8(amount_arg);
		d.unpriced = 0;
		ensure_finite(d.amount, "amount");
	}

	if (state == NULL)
	{
		/* the first row fixes the per-group constants */
		int64		unit_usecs = interval_fixed_usecs(PG_GETARG_INTERVAL_P(unit_arg), "unit");
		MemoryContext old;

		ensure_finite_timestamp(split, split_arg == horizon_arg ? "as_of" : "calibration_end");
		ensure_finite_timestamp(horizon, "holdout_end");
		if (horizon < split)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("holdout_end must not be before calibration_end")));
		old = MemoryContextSwitchTo(aggcontext);
		state = rfm_state_create(split, horizon, unit_usecs,
								 local_day(split, cache),
								 local_day(horizon, cache), amount_arg >= 0,
								 RFM_INITIAL_DAYS);
		state->zone = cache->zone;
		MemoryContextSwitchTo(old);
	}
	else
	{
		rfm_state_check_same(state, split, horizon,
							 interval_fixed_usecs(PG_GETARG_INTERVAL_P(unit_arg), "unit"));
		if (state->zone != cache->zone)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("time_zone must be the same for every row of a group")));
	}

	d.day = local_day(occurred_at, cache);
	if (d.day <= state->horizon_day)
		rfm_state_add_day(state, &d);
	return state;
}

/* The state argument of a transition function, NULL before the first row. */
#define RFM_STATE_ARG() (PG_ARGISNULL(0) ? NULL : (RfmState *) PG_GETARG_POINTER(0))

/* Returns a transition's state, NULL while no row has been added. */
#define RFM_RETURN_STATE(state) \
	do { \
		if ((state) == NULL) \
			PG_RETURN_NULL(); \
		PG_RETURN_POINTER(state); \
	} while (0)

/*
 * Transition of engage.rfm and engage.rfm_classic(occurred_at, amount,
 * as_of, unit [, time_zone]).
 */
Datum
rfm_accum(PG_FUNCTION_ARGS)
{
	RfmState   *state = RFM_STATE_ARG();

	state = rfm_accum_row(fcinfo, state, 2, 3, 3, 4, PG_NARGS() > 5 ? 5 : -1);
	RFM_RETURN_STATE(state);
}

/* Transition of engage.rfm(occurred_at, as_of, unit [, time_zone]). */
Datum
rfm_events_accum(PG_FUNCTION_ARGS)
{
	RfmState   *state = RFM_STATE_ARG();

	state = rfm_accum_row(fcinfo, state, -1, 2, 2, 3, PG_NARGS() > 4 ? 4 : -1);
	RFM_RETURN_STATE(state);
}

/*
 * Transition of engage.rfm_holdout(occurred_at, amount, calibration_end,
 * holdout_end, unit [, time_zone]).
 */
Datum
rfm_holdout_accum(PG_FUNCTION_ARGS)
{
	RfmState   *state = RFM_STATE_ARG();

	state = rfm_accum_row(fcinfo, state, 2, 3, 4, 5, PG_NARGS() > 6 ? 6 : -1);
	RFM_RETURN_STATE(state);
}

/*
 * Transition of engage.rfm_holdout(occurred_at, calibration_end,
 * holdout_end, unit [, time_zone]).
 */
Datum
rfm_holdout_events_accum(PG_FUNCTION_ARGS)
{
	RfmState   *state = RFM_STATE_ARG();

	state = rfm_accum_row(fcinfo, state, -1, 2, 3, 4, PG_NARGS() > 5 ? 5 : -1);
	RFM_RETURN_STATE(state);
}

/* Combine: adds the days of the second state to the first. */
Datum
rfm_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = aggregate_context(fcinfo, "rfm_combine");
	RfmState   *into = PG_ARGISNULL(0) ? NULL : (RfmState *) PG_GETARG_POINTER(0);
	RfmState   *from = PG_ARGISNULL(1) ? NULL : (RfmState *) PG_GETARG_POINTER(1);

	if (from == NULL)
	{
		if (into == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(into);
	}
	if (into == NULL)
	{
		/* copy: the second state may live in a shorter-lived context */
		MemoryContext old = MemoryContextSwitchTo(aggcontext);

		into = rfm_state_create(from->split, from->horizon, from->unit_usecs,
								from->split_day, from->horizon_day,
								from->priced,
								Max(from->ndays, RFM_INITIAL_DAYS));
		MemoryContextSwitchTo(old);
	}
	else
		rfm_state_check_same(into, from->split, from->horizon, from->unit_usecs);

	rfm_state_reserve(into, from->ndays);
	if (!from->sorted ||
		(into->ndays > 0 && from->ndays > 0 &&
		 from->days[0].day <= into->days[into->ndays - 1].day))
		into->sorted = false;
	memcpy(into->days + into->ndays, from->days, from->ndays * sizeof(RfmDay));
	into->ndays += from->ndays;
	PG_RETURN_POINTER(into);
}

/*
 * Serial (version 2): version, constants, whether amounts are taken, then
 * the sorted distinct days (day, unpriced, net amount).
 */
Datum
rfm_serialize(PG_FUNCTION_ARGS)
{
	RfmState   *state = (RfmState *) PG_GETARG_POINTER(0);
	StringInfoData buf;

	aggregate_context(fcinfo, "rfm_serialize");
	rfm_state_normalize(state);
	pq_begintypsend(&buf);
	pq_sendint32(&buf, RFM_SERIAL_VERSION);
	pq_sendint64(&buf, state->split);
	pq_sendint64(&buf, state->horizon);
	pq_sendint64(&buf, state->unit_usecs);
	pq_sendint32(&buf, state->split_day);
	pq_sendint32(&buf, state->horizon_day);
	pq_sendint32(&buf, state->priced ? 1 : 0);
	pq_sendint32(&buf, state->ndays);
	for (int32 i = 0; i < state->ndays; i++)
	{
		pq_sendint32(&buf, state->days[i].day);
		pq_sendint32(&buf, state->days[i].unpriced);
		pq_sendfloat8(&buf, state->days[i].amount);
		if ((i & 0xffff) == 0xffff)
			CHECK_FOR_INTERRUPTS();
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* Deserial: the inverse of rfm_serialize, checking version and length. */
Datum
rfm_deserialize(PG_FUNCTION_ARGS)
{
	bytea	   *bytes = PG_GETARG_BYTEA_PP(0);
	StringInfoData buf;
	TimestampTz split;
	TimestampTz horizon;
	int64		unit_usecs;
	int32		split_day;
	int32		horizon_day;
	bool		priced;
	int32		ndays;
	RfmState   *state;

	aggregate_context(fcinfo, "rfm_deserialize");
	buf.data = VARDATA_ANY(bytes);
	buf.len = VARSIZE_ANY_EXHDR(bytes);
	buf.maxlen = buf.len;
	buf.cursor = 0;

	if (buf.len < (int) sizeof(int32) || pq_getmsgint(&buf, 4) != RFM_SERIAL_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid rfm state: unknown serial version")));
	split = pq_getmsgint64(&buf);
	horizon = pq_getmsgint64(&buf);
	unit_usecs = pq_getmsgint64(&buf);
	split_day = pq_getmsgint(&buf, 4);
	horizon_day = pq_getmsgint(&buf, 4);
	priced = pq_getmsgint(&buf, 4) != 0;
	ndays = pq_getmsgint(&buf, 4);
	if (ndays < 0 || (int64) ndays * 16 != buf.len - buf.cursor)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid rfm state: day count does not match its length")));
	state = rfm_state_create(split, horizon, unit_usecs, split_day,
							 horizon_day, priced, Max(ndays, RFM_INITIAL_DAYS));
	for (int32 i = 0; i < ndays; i++)
	{
		state->days[i].day = pq_getmsgint(&buf, 4);
		state->days[i].unpriced = pq_getmsgint(&buf, 4) != 0;
		state->days[i].amount = pq_getmsgfloat8(&buf);
		if ((i & 0xffff) == 0xffff)
			CHECK_FOR_INTERRUPTS();
	}
	state->ndays = ndays;
	pq_getmsgend(&buf);
	PG_RETURN_POINTER(state);
}

TupleDesc
rfm_result_desc(FunctionCallInfo fcinfo)
{
	TupleDesc	desc;
	MemoryContext old;

	if (fcinfo->flinfo->fn_extra != NULL)
		return (TupleDesc) fcinfo->flinfo->fn_extra;
	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("function returning record called in context that cannot accept type record")));
	old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
	desc = BlessTupleDesc(CreateTupleDescCopy(desc));
	MemoryContextSwitchTo(old);
	fcinfo->flinfo->fn_extra = desc;
	return desc;
}

/*
 * A number of days in units, correctly rounded for spans under 285 years
 * (where days * 1 day in microseconds is exact in a double).
 */
static inline double
days_in_units(int64 days, int64 unit_usecs)
{
	return ((double) days * (double) USECS_PER_DAY) / (double) unit_usecs;
}

void
rfm_days_totals(const RfmDay *days, int32 n, int32 split_day, RfmTotals *t)
{
	memset(t, 0, sizeof(RfmTotals));
	for (int32 i = 0; i < n; i++)
	{
		const RfmDay *d = &days[i];
		bool		valued = d->amount > 0;

		if ((i & 0xffff) == 0xffff)
			CHECK_FOR_INTERRUPTS();
		if (!rfm_is_purchase_day(d))
			continue;
		if (d->day > split_day)
		{
			t->holdout_days++;
			if (valued)
			{
				t->holdout_amount += d->amount;
				t->holdout_valued++;
			}
		}
		else if (t->ndays++ == 0)
		{
			t->first_day = d->day;
			t->last_day = d->day;
			t->first_amount = valued ? d->amount : 0.0;
		}
		else
		{
			t->last_day = d->day;
			if (valued)
			{
				t->repeat_amount += d->amount;
				t->repeat_valued++;
			}
		}
	}
}

/* A mean over count days of amount, 0 when count is 0. */
static inline double
rfm_mean(double amount, int32 count, const char *what)
{
	return count == 0 ? 0.0 : finite_result(amount / count, what);
}

void
rfm_totals_values(const RfmTotals *t, int32 split_day, int64 unit_usecs,
				  bool priced, Datum *values, bool *nulls)
{
	int32		frequency = t->ndays - 1;

	values[0] = Int32GetDatum(frequency);
	values[1] = Float8GetDatum(days_in_units((int64) t->last_day - t->first_day,
											 unit_usecs));
	values[2] = Float8GetDatum(days_in_units((int64) split_day - t->first_day,
											 unit_usecs));
	values[3] = Float8GetDatum(rfm_mean(t->repeat_amount, t->repeat_valued, "monetary"));
	nulls[0] = nulls[1] = nulls[2] = false;
	nulls[3] = !priced;
}

/*
 * Fills values[0..3] (and nulls) with frequency, recency, age and monetary
 * of the purchase days up to split_day, and returns how many those are
 * (0: none); t receives the totals.
 */
static int32
rfm_state_summary(RfmState *state, Datum *values, bool *nulls, RfmTotals *t)
{
	rfm_state_normalize(state);
	rfm_days_totals(state->days, state->ndays, state->split_day, t);
	if (t->ndays == 0)
		return 0;
	rfm_totals_values(t, state->split_day, state->unit_usecs, state->priced,
					  values, nulls);
	return t->ndays;
}

/* Final of engage.rfm: the summary, NULL when no purchase is up to as_of. */
Datum
rfm_final(PG_FUNCTION_ARGS)
{
	RfmState   *state;
	RfmTotals	t;
	Datum		values[4];
	bool		nulls[4] = {false, false, false, false};

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	state = (RfmState *) PG_GETARG_POINTER(0);
	if (rfm_state_summary(state, values, nulls, &t) == 0)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(rfm_result_desc(fcinfo),
													  values, nulls)));
}

/*
 * Final of engage.rfm_holdout: the calibration summary plus holdout
 * purchase days, their mean amount and the holdout length; NULL when the
 * first purchase is after calibration_end.
 */
Datum
rfm_holdout_final(PG_FUNCTION_ARGS)
{
	RfmState   *state;
	RfmTotals	t;
	Datum		values[7];
	bool		nulls[7] = {false, false, false, false, false, false, false};

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	state = (RfmState *) PG_GETARG_POINTER(0);
	if (rfm_state_summary(state, values, nulls, &t) == 0)
		PG_RETURN_NULL();
	values[4] = Int32GetDatum(t.holdout_days);
	values[5] = Float8GetDatum(rfm_mean(t.holdout_amount, t.holdout_valued,
										"holdout_monetary"));
	nulls[5] = !state->priced;
	values[6] = Float8GetDatum(days_in_units((int64) state->horizon_day - state->split_day,
											 state->unit_usecs));
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(rfm_result_desc(fcinfo),
													  values, nulls)));
}

/*
 * Final of engage.rfm_classic: first and last purchase day, the number of
 * purchase days, total spend (the positive net amounts of all of them, the
 * first included), mean spend per purchase day with an amount, and the time
 * from the last purchase day to as_of; NULL when no purchase is up to as_of.
 */
Datum
rfm_classic_final(PG_FUNCTION_ARGS)
{
	RfmState   *state;
	RfmTotals	t;
	Datum		values[6];
	bool		nulls[6] = {false, false, false, false, false, false};
	double		total;
	int32		valued;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	state = (RfmState *) PG_GETARG_POINTER(0);
	rfm_state_normalize(state);
	rfm_days_totals(state->days, state->ndays, state->split_day, &t);
	if (t.ndays == 0)
		PG_RETURN_NULL();
	total = t.first_amount + t.repeat_amount;
	valued = t.repeat_valued + (t.first_amount > 0 ? 1 : 0);
	values[0] = DateADTGetDatum(t.first_day);
	values[1] = DateADTGetDatum(t.last_day);
	values[2] = Int32GetDatum(t.ndays);
	values[3] = Float8GetDatum(finite_result(total, "total_spend"));
	values[4] = Float8GetDatum(rfm_mean(total, valued, "mean_spend"));
	values[5] = Float8GetDatum(days_in_units((int64) state->split_day - t.last_day,
											 state->unit_usecs));
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(rfm_result_desc(fcinfo),
													  values, nulls)));
}

/* Errors unless score is a quintile score 1-5. */
static void
ensure_quintile(int32 score, const char *argname)
{
	if (score < 1 || score > 5)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a quintile score between 1 and 5", argname),
				 errdetail("The score is %d.", score)));
}

/*
 * RFM segment of quintile scores r, f, m: the cell of the recency score and
 * the combined frequency-monetary score fm = ceil((f + m) / 2) in the grid
 * below (rows r = 5..1, columns fm = 1..5), documented in the README.
 */
Datum
rfm_segment(PG_FUNCTION_ARGS)
{
	static const char *const grid[5][5] = {
		/* r = 1 */
		{"Lost", "Hibernating", "At Risk", "At Risk", "Cannot Lose Them"},
		/* r = 2 */
		{"Hibernating", "Hibernating", "At Risk", "At Risk", "Cannot Lose Them"},
		/* r = 3 */
		{"About To Sleep", "About To Sleep", "Need Attention", "Loyal Customers", "Loyal Customers"},
		/* r = 4 */
		{"Promising", "Potential Loyalists", "Potential Loyalists", "Loyal Customers", "Loyal Customers"},
		/* r = 5 */
		{"New Customers", "Potential Loyalists", "Potential Loyalists", "Champions", "Champions"},
	};
	int32		r = PG_GETARG_INT32(0);
	int32		f = PG_GETARG_INT32(1);
	int32		m = PG_GETARG_INT32(2);

	ensure_quintile(r, "r");
	ensure_quintile(f, "f");
	ensure_quintile(m, "m");
	PG_RETURN_TEXT_P(cstring_to_text(grid[r - 1][(f + m + 1) / 2 - 1]));
}

/*
 * Tie-safe quintile score of rank among total rows: 1 + floor(5 (rank - 1)
 * / total).  With rank() as the rank, equal values share the lowest rank of
 * their group and so one score; without ties and with total a multiple of
 * 5 the scores are those of ntile(5).
 */
Datum
rfm_quintile(PG_FUNCTION_ARGS)
{
	int64		rank = PG_GETARG_INT64(0);
	int64		total = PG_GETARG_INT64(1);

	if (total < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("total must be positive"),
				 errdetail("The total is " INT64_FORMAT ".", total)));
	if (rank < 1 || rank > total)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("rank must be between 1 and total"),
				 errdetail("The rank is " INT64_FORMAT " of " INT64_FORMAT ".", rank, total)));
	/*
	 * 5 (rank - 1) >= k total, with total = 5 a + b, is rank - 1 >= k a +
	 * ceil(k b / 5): no product overflows
	 */
	{
		int64		a = total / 5;
		int64		b = total % 5;
		int32		score = 1;

		for (int k = 1; k <= 4; k++)
			if (rank - 1 >= k * a + (k * b + 4) / 5)
				score = k + 1;
		PG_RETURN_INT32(score);
	}
}

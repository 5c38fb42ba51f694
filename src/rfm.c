/*-------------------------------------------------------------------------
 *
 * rfm.c
 *	  Customer summaries from transaction logs: the (frequency, recency, age,
 *	  monetary) statistics that buy-till-you-die models take as input, and
 *	  the RFM segment of quintile scores.
 *
 * A customer's transactions are reduced to purchase days (calendar days of
 * the session time zone, or of the zone named by the optional time_zone
 * argument; several transactions on one day count as one, each
 * day's amounts summed), as in Fader, Hardie & Lee (2005), "Counting your
 * customers the easy way: an alternative to the Pareto/NBD model", Marketing
 * Science 24(2), and in the CDNOW summaries that accompany it:
 *	  frequency x  = number of purchase days - 1 (the repeat purchase days)
 *	  recency   t_x = (last purchase day - first purchase day) / unit
 *	  age       T   = (day of as_of - first purchase day) / unit
 *	  monetary  zbar = mean summed amount of the repeat purchase days, 0 if x = 0
 * over the days up to and including the day of as_of.  engage.rfm_holdout
 * adds, for a second period (calibration_end day, holdout_end day], the
 * number of purchase days, their mean amount and the period's length.
 *
 * Both aggregates share one state (RfmState): the first purchase day and its
 * amount, the summed amounts of the two periods, and the purchase days as an
 * int32 array, kept sorted and distinct while that is cheap (days arriving
 * in order are appended, others inserted while the array is small) and
 * otherwise appended to and sorted/deduplicated only when needed.
 * Per-day sums are not needed: the amount of the earliest calibration day
 * seen so far is kept apart from the amount of all later calibration days
 * (the repeat days), and moves over when an earlier day turns up, so that
 * monetary = repeat amount / x is a sum of additions only.
 *
 *-------------------------------------------------------------------------
 */
#include "engage.h"

#include "localday.h"

#include "access/htup_details.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "utils/builtins.h"
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

#define RFM_SERIAL_VERSION 1
#define RFM_INITIAL_DAYS 10
#define RFM_INSERT_LIMIT 1024	/* sorted insertion up to this many days */
#define NO_DAY PG_INT32_MAX

/*
 * State of engage.rfm and engage.rfm_holdout for one group: 88 bytes plus
 * 4 bytes per purchase day (the array starts with room for 10 days, in the
 * same allocation: 128 bytes in all; when full, it is sorted and repeated
 * days dropped if need be, and it doubles only if still more than half
 * full, so its size stays below four times the number of distinct days).  engage.rfm
 * uses split = horizon = as_of.
 */
typedef struct RfmState
{
	TimestampTz split;			/* as_of, or calibration_end */
	TimestampTz horizon;		/* as_of, or holdout_end */
	int64		unit_usecs;		/* the unit of recency, age and duration */
	int32		split_day;		/* local day of split */
	int32		horizon_day;	/* local day of horizon */
	int32		first_day;		/* earliest day <= split_day, NO_DAY if none */
	int32		ndays;			/* used entries of days */
	int32		capacity;		/* allocated entries of days */
	bool		sorted;			/* days ascending without duplicates */
	double		first_day_amount;	/* summed amount of first_day */
	double		repeat_amount;	/* summed amount of (first_day, split_day] */
	double		holdout_amount; /* summed amount of (split_day, horizon_day] */
	const pg_tz *zone;			/* zone named by the rows (time_zone), NULL
								 * for the session's; transitions only, not
								 * serialised */
	int32	   *days;			/* purchase days, maybe unsorted/repeated */
} RfmState;

/* A new empty state in the current memory context. */
static RfmState *
rfm_state_create(TimestampTz split, TimestampTz horizon, int64 unit_usecs,
				 int32 split_day, int32 horizon_day, int32 capacity)
{
	RfmState   *state;

	state = palloc0(MAXALIGN(sizeof(RfmState)) + capacity * sizeof(int32));
	state->split = split;
	state->horizon = horizon;
	state->unit_usecs = unit_usecs;
	state->split_day = split_day;
	state->horizon_day = horizon_day;
	state->first_day = NO_DAY;
	state->capacity = capacity;
	state->sorted = true;
	state->days = (int32 *) ((char *) state + MAXALIGN(sizeof(RfmState)));
	return state;
}

/* Makes room for extra more days (in the memory context of the state). */
static void
rfm_state_reserve(RfmState *state, int32 extra)
{
	int64		needed = (int64) state->ndays + extra;
	int64		capacity = state->capacity;
	int32	   *days;

	if (needed <= capacity)
		return;
	while (capacity < needed)
		capacity *= 2;
	if (capacity > (int64) (MaxAllocSize / sizeof(int32)))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many purchase days in one group")));
	days = MemoryContextAlloc(GetMemoryChunkContext(state),
							  capacity * sizeof(int32));
	memcpy(days, state->days, state->ndays * sizeof(int32));
	/* the first array shares the allocation of the state: never freed */
	if (state->days != (int32 *) ((char *) state + MAXALIGN(sizeof(RfmState))))
		pfree(state->days);
	state->days = days;
	state->capacity = (int32) capacity;
}

/* sort_days(int32 *days, size_t n): a quicksort specialised for day numbers */
#define ST_SORT sort_days
#define ST_ELEMENT_TYPE int32
#define ST_COMPARE(a, b) ((*(a) > *(b)) - (*(a) < *(b)))
#define ST_SCOPE static
#define ST_CHECK_FOR_INTERRUPTS
#define ST_DEFINE
#include "lib/sort_template.h"

/*
 * Sorts the purchase days and removes repeated days.  This changes the
 * representation only, so final functions may call it.
 */
static void
rfm_state_normalize(RfmState *state)
{
	int32		n = 0;

	if (state->sorted)
		return;
	if (state->ndays <= 16)
	{
		/* insertion sort: faster for the few days of most customers */
		for (int32 i = 1; i < state->ndays; i++)
		{
			int32		day = state->days[i];
			int32		j = i;

			while (j > 0 && state->days[j - 1] > day)
			{
				state->days[j] = state->days[j - 1];
				j--;
			}
			state->days[j] = day;
		}
	}
	else
		sort_days(state->days, state->ndays);
	for (int32 i = 0; i < state->ndays; i++)
	{
		if (n == 0 || state->days[i] != state->days[n - 1])
			state->days[n++] = state->days[i];
		if ((i & 0xffff) == 0xffff)
			CHECK_FOR_INTERRUPTS();
	}
	state->ndays = n;
	state->sorted = true;
}

/* The index of the first of the n sorted days that is >= day (n if none). */
static inline int32
days_lower_bound(const int32 *days, int32 n, int32 day)
{
	int32		lo = 0;
	int32		hi = n;

	while (lo < hi)
	{
		int32		mid = lo + (hi - lo) / 2;

		if (days[mid] < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Records a purchase day: appended when it is later than the last day,
 * inserted in place while the array is sorted and small, else appended and
 * the array marked unsorted.
 */
static void
rfm_state_add_day(RfmState *state, int32 day)
{
	int32		n = state->ndays;
	int32		pos = n;

	if (n > 0 && day <= state->days[n - 1])
	{
		/* consecutive rows of one day, the common case, add no entry */
		if (day == state->days[n - 1])
			return;
		if (state->sorted && n <= RFM_INSERT_LIMIT)
		{
			pos = days_lower_bound(state->days, n, day);
			if (state->days[pos] == day)
				return;
		}
		else
			state->sorted = false;
	}
	if (n == state->capacity)
	{
		bool		was_sorted = state->sorted;

		/* drop repeated days first; grow only if that frees too little */
		rfm_state_normalize(state);
		if (state->ndays > state->capacity / 2)
			rfm_state_reserve(state, 1);
		if (!was_sorted)
		{
			/* the array was sorted again: place the day afresh (there is room) */
			rfm_state_add_day(state, day);
			return;
		}
	}
	memmove(&state->days[pos + 1], &state->days[pos], (n - pos) * sizeof(int32));
	state->days[pos] = day;
	state->ndays = n + 1;
}

/* Adds one purchase of amount on day (already filtered to day <= horizon). */
static inline void
rfm_state_add(RfmState *state, int32 day, double amount)
{
	if (day > state->split_day)
		state->holdout_amount += amount;
	else if (day < state->first_day)
	{
		/* the former first day, if any, becomes a repeat day */
		if (state->first_day != NO_DAY)
			state->repeat_amount += state->first_day_amount;
		state->first_day = day;
		state->first_day_amount = amount;
	}
	else if (day == state->first_day)
		state->first_day_amount += amount;
	else
		state->repeat_amount += amount;
	rfm_state_add_day(state, day);
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
 * first row, then adds the purchase if its day is not after the horizon.
 * Days are those of the zone named by argument zone_arg, or of the session's
 * TimeZone when zone_arg < 0.  Rows with a NULL argument are skipped.
 */
static RfmState *
rfm_accum_row(FunctionCallInfo fcinfo, RfmState *state, int split_arg,
			  int horizon_arg, int unit_arg, int zone_arg)
{
	MemoryContext aggcontext;
	LocalDayCache *cache;
	TimestampTz occurred_at;
	TimestampTz split;
	TimestampTz horizon;
	double		amount;
	int32		day;

	/* first, as most rows of an interaction log are not purchases */
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(split_arg) ||
		PG_ARGISNULL(horizon_arg) || PG_ARGISNULL(unit_arg) ||
		(zone_arg >= 0 && PG_ARGISNULL(zone_arg)))
		return state;
	aggcontext = aggregate_context(fcinfo, "rfm transition");
	cache = local_day_cache(fcinfo->flinfo);
	if (zone_arg >= 0)
		local_day_set_zone(cache, PG_GETARG_TEXT_PP(zone_arg));

	occurred_at = PG_GETARG_TIMESTAMPTZ(1);
	amount = PG_GETARG_FLOAT8(2);
	split = PG_GETARG_TIMESTAMPTZ(split_arg);
	horizon = PG_GETARG_TIMESTAMPTZ(horizon_arg);
	ensure_finite_timestamp(occurred_at, "occurred_at");
	ensure_finite(amount, "amount");

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
								 local_day(horizon, cache), RFM_INITIAL_DAYS);
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

	day = local_day(occurred_at, cache);
	if (day <= state->horizon_day)
		rfm_state_add(state, day, amount);
	return state;
}

/* Transition of engage.rfm(occurred_at, amount, as_of, unit [, time_zone]). */
Datum
rfm_accum(PG_FUNCTION_ARGS)
{
	RfmState   *state = PG_ARGISNULL(0) ? NULL : (RfmState *) PG_GETARG_POINTER(0);

	state = rfm_accum_row(fcinfo, state, 3, 3, 4, PG_NARGS() > 5 ? 5 : -1);
	if (state == NULL)
		PG_RETURN_NULL();
	PG_RETURN_POINTER(state);
}

/*
 * Transition of engage.rfm_holdout(occurred_at, amount, calibration_end,
 * holdout_end, unit [, time_zone]).
 */
Datum
rfm_holdout_accum(PG_FUNCTION_ARGS)
{
	RfmState   *state = PG_ARGISNULL(0) ? NULL : (RfmState *) PG_GETARG_POINTER(0);

	state = rfm_accum_row(fcinfo, state, 3, 4, 5, PG_NARGS() > 6 ? 6 : -1);
	if (state == NULL)
		PG_RETURN_NULL();
	PG_RETURN_POINTER(state);
}

/* Combine: adds the purchases of the second state to the first. */
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
								Max(from->ndays, RFM_INITIAL_DAYS));
		MemoryContextSwitchTo(old);
	}
	else
		rfm_state_check_same(into, from->split, from->horizon, from->unit_usecs);

	into->repeat_amount += from->repeat_amount;
	into->holdout_amount += from->holdout_amount;
	if (from->first_day < into->first_day)
	{
		/* the first day of into, if any, becomes a repeat day */
		if (into->first_day != NO_DAY)
			into->repeat_amount += into->first_day_amount;
		into->first_day = from->first_day;
		into->first_day_amount = from->first_day_amount;
	}
	else if (from->first_day == into->first_day)
		into->first_day_amount += from->first_day_amount;
	else if (from->first_day != NO_DAY)
		into->repeat_amount += from->first_day_amount;

	rfm_state_reserve(into, from->ndays);
	if (!from->sorted ||
		(into->ndays > 0 && from->ndays > 0 &&
		 from->days[0] <= into->days[into->ndays - 1]))
		into->sorted = false;
	memcpy(into->days + into->ndays, from->days, from->ndays * sizeof(int32));
	into->ndays += from->ndays;
	PG_RETURN_POINTER(into);
}

/* Serial: version, constants, amounts, then the sorted distinct days. */
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
	pq_sendint32(&buf, state->first_day);
	pq_sendfloat8(&buf, state->first_day_amount);
	pq_sendfloat8(&buf, state->repeat_amount);
	pq_sendfloat8(&buf, state->holdout_amount);
	pq_sendint32(&buf, state->ndays);
	for (int32 i = 0; i < state->ndays; i++)
	{
		pq_sendint32(&buf, state->days[i]);
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
	/* the remaining fixed part is 4 + 3 * 8 + 4 bytes */
	ndays = (buf.len - buf.cursor - 32) / (int) sizeof(int32);
	if (ndays < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid rfm state: too short")));
	state = rfm_state_create(split, horizon, unit_usecs, split_day,
							 horizon_day, Max(ndays, RFM_INITIAL_DAYS));
	state->first_day = pq_getmsgint(&buf, 4);
	state->first_day_amount = pq_getmsgfloat8(&buf);
	state->repeat_amount = pq_getmsgfloat8(&buf);
	state->holdout_amount = pq_getmsgfloat8(&buf);
	if (pq_getmsgint(&buf, 4) != ndays)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid rfm state: day count does not match its length")));
	for (int32 i = 0; i < ndays; i++)
	{
		state->days[i] = pq_getmsgint(&buf, 4);
		if ((i & 0xffff) == 0xffff)
			CHECK_FOR_INTERRUPTS();
	}
	state->ndays = ndays;
	pq_getmsgend(&buf);
	PG_RETURN_POINTER(state);
}

/* The tuple descriptor of the final function's composite result, cached. */
static TupleDesc
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

/*
 * Fills values[0..3] with frequency, recency, age and monetary of the days
 * up to split_day, and returns how many purchase days those are (0: none).
 */
static int32
rfm_state_summary(RfmState *state, Datum *values)
{
	int32		ncal;
	int32		frequency;

	rfm_state_normalize(state);
	ncal = days_lower_bound(state->days, state->ndays, state->split_day + 1);
	if (ncal == 0)
		return 0;
	frequency = ncal - 1;
	values[0] = Int32GetDatum(frequency);
	values[1] = Float8GetDatum(days_in_units((int64) state->days[ncal - 1] - state->days[0],
											 state->unit_usecs));
	values[2] = Float8GetDatum(days_in_units((int64) state->split_day - state->days[0],
											 state->unit_usecs));
	values[3] = Float8GetDatum(frequency == 0 ? 0.0 :
							   finite_result(state->repeat_amount / frequency, "monetary"));
	return ncal;
}

/* Final of engage.rfm: the summary, NULL when no purchase is up to as_of. */
Datum
rfm_final(PG_FUNCTION_ARGS)
{
	RfmState   *state;
	Datum		values[4];
	bool		nulls[4] = {false, false, false, false};

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	state = (RfmState *) PG_GETARG_POINTER(0);
	if (rfm_state_summary(state, values) == 0)
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
	Datum		values[7];
	bool		nulls[7] = {false, false, false, false, false, false, false};
	int32		ncal;
	int32		nholdout;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	state = (RfmState *) PG_GETARG_POINTER(0);
	ncal = rfm_state_summary(state, values);
	if (ncal == 0)
		PG_RETURN_NULL();
	nholdout = state->ndays - ncal;
	values[4] = Int32GetDatum(nholdout);
	values[5] = Float8GetDatum(nholdout == 0 ? 0.0 :
							   finite_result(state->holdout_amount / nholdout,
											 "holdout_monetary"));
	values[6] = Float8GetDatum(days_in_units((int64) state->horizon_day - state->split_day,
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

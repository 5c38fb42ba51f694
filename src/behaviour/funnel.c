/*-------------------------------------------------------------------------
 *
 * funnel.c
 *	  Behavioural aggregates over one customer's events, with the semantics
 *	  of ClickHouse's windowFunnel and retention.
 *
 * engage.window_funnel(window, occurred_at, VARIADIC steps) is the length k
 * of the longest chain of events e1, ..., ek such that ei satisfies step i,
 * t(e1) <= t(e2) <= ... <= t(ek) <= t(e1) + window.  Events are taken in
 * time order, and at equal times in step order, so one row (or several rows
 * at the same instant) can advance a chain through several steps, as in
 * ClickHouse.  One pass suffices: for each step i, keep the latest start
 * time of a chain that has reached step i; a later start can only leave more
 * room for the next steps.  The optional mode adds ClickHouse's strict
 * options (strict_order, strict_deduplication, strict_increase; see
 * longest_chain).  Calls with 2 to 8 steps written out resolve to
 * fixed-arity forms taking one boolean argument per step, which spare
 * PostgreSQL building an array for every row; they share everything else.
 * A NULL step is a step that did not happen (amount > 50 on a NULL amount).
 *
 * engage.window_funnel_times(...) takes the same arguments and state and
 * returns the times of the steps of that chain (PostHog's time to convert).
 *
 * engage.retention(VARIADIC conditions) is an integer array r with r[1] = 1
 * when condition 1 held on some row and r[i] = 1 (i > 1) when condition 1
 * and condition i each held on some row (not necessarily the same one).
 *
 *-------------------------------------------------------------------------
 */
#include "engage.h"
#include "funnel.h"
#include "timebuf.h"

#include "catalog/pg_type.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "port/pg_bitutils.h"
#include "utils/array.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(window_funnel_accum);
PG_FUNCTION_INFO_V1(window_funnel_steps_accum);
PG_FUNCTION_INFO_V1(window_funnel_mode_steps_accum);
PG_FUNCTION_INFO_V1(window_funnel_combine);
PG_FUNCTION_INFO_V1(window_funnel_serialize);
PG_FUNCTION_INFO_V1(window_funnel_deserialize);
PG_FUNCTION_INFO_V1(window_funnel_final);
PG_FUNCTION_INFO_V1(window_funnel_times_final);
PG_FUNCTION_INFO_V1(retention_accum);
PG_FUNCTION_INFO_V1(retention_combine);
PG_FUNCTION_INFO_V1(retention_final);


#define FUNNEL_SERIAL_VERSION 1

/* Options of window_funnel's mode argument (ClickHouse's strict modes). */
#define FUNNEL_STRICT_ORDER 0x01
#define FUNNEL_STRICT_DEDUPLICATION 0x02
#define FUNNEL_STRICT_INCREASE 0x04

/* An instant at which some step held (or, in strict_order, none did): 16 bytes. */
typedef struct FunnelEvent
{
	TimestampTz time;
	uint32		steps;			/* bit i: step i + 1 held at this time */
	uint32		other;			/* 1: a row at this time satisfied no step */
} FunnelEvent;

/*
 * Instants kept in the allocation of the state itself: 58% of the customers
 * of the benchmark data need no more.
 */
#define FUNNEL_INLINE_EVENTS 4

/*
 * State of engage.window_funnel: the window, the number of steps, the mode
 * and the instants at which any step held (rows where no step holds are not
 * kept, except in strict_order mode).  64 bytes plus room for 4 instants in
 * one 128-byte allocation; beyond that the instants move to an allocation
 * of their own, 16 bytes per distinct instant, at most four (typically two)
 * times that allocated, or 64 instants.
 */
typedef struct FunnelState
{
	int64		window;			/* microseconds */
	int32		nsteps;
	int32		mode;			/* FUNNEL_STRICT_* bits */
	TimeBuf		events;			/* FunnelEvent records */
	FunnelEvent first_events[FUNNEL_INLINE_EVENTS]; /* the first records */
} FunnelState;

StaticAssertDecl(sizeof(FunnelState) <= 128, "a funnel state with its first instants fits a 128-byte chunk");

/* Errors for a NULL step or condition. */
static void
ensure_condition_not_null(bool isnull, const char *what)
{
	if (isnull)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be null", what),
				 errhint("Use coalesce(condition, false).")));
}

/*
 * The bits of a VARIADIC boolean[] argument (bit i: element i + 1 is true)
 * and its length; errors for NULL, empty or too long arrays, and for NULL
 * elements unless null_is_false.  Reads the array in place: no allocation
 * per row.
 */
uint32
read_conditions(FunctionCallInfo fcinfo, int argno, const char *what, int *n,
				bool null_is_false)
{
	ArrayType  *a;
	bool	   *values;
	bits8	   *nulls;
	uint32		bits = 0;

	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be null", what)));
	a = PG_GETARG_ARRAYTYPE_P(argno);
	*n = ArrayGetNItems(ARR_NDIM(a), ARR_DIMS(a));
	if (ARR_ELEMTYPE(a) != BOOLOID || ARR_NDIM(a) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a one-dimensional boolean array", what)));
	if (*n < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("at least one of the %s must be given", what)));
	if (*n > MAX_STEPS)
		ereport(ERROR,
				(errcode(ERRCODE_TOO_MANY_ARGUMENTS),
				 errmsg("at most %d %s are supported", MAX_STEPS, what),
				 errdetail("%d were given.", *n)));
	if (!null_is_false)
		ensure_condition_not_null(ARR_HASNULL(a), what);
	values = (bool *) ARR_DATA_PTR(a);
	nulls = ARR_NULLBITMAP(a);
	if (nulls == NULL)
	{
		for (int i = 0; i < *n; i++)
			if (values[i])
				bits |= (uint32) 1 << i;
		return bits;
	}
	/* only the non-NULL elements are stored, in order */
	for (int i = 0, k = 0; i < *n; i++)
		if (nulls[i / 8] & (1 << (i % 8)))
		{
			if (values[k++])
				bits |= (uint32) 1 << i;
		}
	return bits;
}

/*
 * The bits of the boolean arguments first, first + 1, ... of a fixed-arity
 * form (bit i: argument first + i is true, not NULL) and their number.
 */
uint32
read_condition_args(FunctionCallInfo fcinfo, int first, int *n)
{
	uint32		bits = 0;

	*n = PG_NARGS() - first;
	Assert(*n >= 1 && *n <= MAX_STEPS);
	for (int i = 0; i < *n; i++)
		if (!PG_ARGISNULL(first + i) && PG_GETARG_BOOL(first + i))
			bits |= (uint32) 1 << i;
	return bits;
}

/* Does the len bytes at word equal the option name? */
static bool
is_option(const char *word, int len, const char *name)
{
	return len == (int) strlen(name) && strncmp(word, name, len) == 0;
}

/*
 * The FUNNEL_STRICT_* bits of a mode: a comma-separated list of
 * strict_order, strict_deduplication and strict_increase ('' for none).
 * Parses the text in place: no allocation per row.
 */
static int32
parse_mode(text *mode)
{
	const char *p = VARDATA_ANY(mode);
	const char *end = p + VARSIZE_ANY_EXHDR(mode);
	int32		bits = 0;

	while (p < end)
	{
		const char *word;
		int			len;

		while (p < end && (*p == ',' || *p == ' '))
			p++;
		word = p;
		while (p < end && *p != ',' && *p != ' ')
			p++;
		len = (int) (p - word);
		if (len == 0)
			break;
		if (is_option(word, len, "strict_order"))
			bits |= FUNNEL_STRICT_ORDER;
		else if (is_option(word, len, "strict_deduplication"))
			bits |= FUNNEL_STRICT_DEDUPLICATION;
		else if (is_option(word, len, "strict_increase"))
			bits |= FUNNEL_STRICT_INCREASE;
		else
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unknown window_funnel mode \"%.*s\"", len, word),
					 errhint("Use strict_order, strict_deduplication or strict_increase, separated by commas.")));
	}
	return bits;
}

/* Folds one funnel event into another at the same time. */
static void
funnel_event_merge(void *into, const void *from)
{
	((FunnelEvent *) into)->steps |= ((const FunnelEvent *) from)->steps;
	((FunnelEvent *) into)->other |= ((const FunnelEvent *) from)->other;
}

/* A new, empty funnel state in the aggregate context. */
static FunnelState *
funnel_new(MemoryContext aggcontext, int64 window, int32 nsteps, int32 mode)
{
	FunnelState *state = MemoryContextAlloc(aggcontext, sizeof(FunnelState));

	state->window = window;
	state->nsteps = nsteps;
	state->mode = mode;
	timebuf_init_inline(&state->events, aggcontext, sizeof(FunnelEvent), funnel_event_merge,
						state->first_events, FUNNEL_INLINE_EVENTS);
	return state;
}

/* Errors unless two states (or a state and a row) agree on window, steps and mode. */
static void
funnel_ensure_same(const FunnelState *state, int64 window, int32 nsteps, int32 mode)
{
	if (state->window != window || state->nsteps != nsteps || state->mode != mode)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("window, mode and the number of steps must be the same for every row of a group")));
}

/* Adds an instant to the state, sharing the record of an equal last instant. */
static void
funnel_add(FunnelState *state, TimestampTz t, uint32 steps, uint32 other)
{
	FunnelEvent *e = state->events.count > 0 ?
		timebuf_at(&state->events, state->events.count - 1) : NULL;

	if (e == NULL || e->time != t)
	{
		e = timebuf_append(&state->events);
		e->time = t;
		e->steps = 0;
		e->other = 0;
	}
	e->steps |= steps;
	e->other |= other;
}

/*
 * The shared transition step: records the instant when any step holds (rows
 * with a NULL time are skipped).  The arguments are (window, [mode,]
 * occurred_at, steps...), the steps one VARIADIC boolean[] or, in the
 * fixed-arity forms, one boolean argument each (no array built per row).
 */
static FunnelState *
funnel_accum_row(FunctionCallInfo fcinfo, bool has_mode, bool variadic)
{
	MemoryContext aggcontext = aggregate_context(fcinfo, "window_funnel_accum");
	FunnelState *state = PG_ARGISNULL(0) ? NULL : (FunnelState *) PG_GETARG_POINTER(0);
	int			timearg = has_mode ? 3 : 2;
	int32		mode = 0;
	int64		window;
	int			nsteps;
	uint32		steps;
	TimestampTz t;

	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("window must not be null")));
	window = interval_fixed_usecs(PG_GETARG_INTERVAL_P(1), "window");
	if (has_mode)
	{
		if (PG_ARGISNULL(2))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("mode must not be null")));
		mode = parse_mode(PG_GETARG_TEXT_PP(2));
	}
	if (variadic)
		steps = read_conditions(fcinfo, timearg + 1, "steps", &nsteps, true);
	else
		steps = read_condition_args(fcinfo, timearg + 1, &nsteps);
	if (state == NULL)
		state = funnel_new(aggcontext, window, nsteps, mode);
	else
		funnel_ensure_same(state, window, nsteps, mode);
	if (PG_ARGISNULL(timearg) || (steps == 0 && !(mode & FUNNEL_STRICT_ORDER)))
		return state;
	t = PG_GETARG_TIMESTAMPTZ(timearg);
	ensure_finite_timestamp(t, "occurred_at");
	funnel_add(state, t, steps, steps == 0 ? 1 : 0);
	return state;
}

/*
 * Transition of window_funnel(window, occurred_at, VARIADIC steps) and
 * window_funnel(window, mode, occurred_at, VARIADIC steps).
 */
Datum
window_funnel_accum(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(funnel_accum_row(fcinfo, PG_NARGS() == 5, true));
}

/* Transition of window_funnel(window, occurred_at, step1, ..., stepN), N = 2..8. */
Datum
window_funnel_steps_accum(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(funnel_accum_row(fcinfo, false, false));
}

/* Transition of window_funnel(window, mode, occurred_at, step1, ..., stepN), N = 2..8. */
Datum
window_funnel_mode_steps_accum(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(funnel_accum_row(fcinfo, true, false));
}

/* Combine: appends the events of the second state to the first. */
Datum
window_funnel_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = aggregate_context(fcinfo, "window_funnel_combine");
	FunnelState *a = PG_ARGISNULL(0) ? NULL : (FunnelState *) PG_GETARG_POINTER(0);
	FunnelState *b = PG_ARGISNULL(1) ? NULL : (FunnelState *) PG_GETARG_POINTER(1);

	if (b == NULL)
		PG_RETURN_POINTER(a);
	if (a == NULL)
		a = funnel_new(aggcontext, b->window, b->nsteps, b->mode);
	else
		funnel_ensure_same(a, b->window, b->nsteps, b->mode);
	timebuf_append_all(&a->events, &b->events);
	PG_RETURN_POINTER(a);
}

/* Serialise: version, window, steps, mode, count, then (time, steps, other). */
Datum
window_funnel_serialize(PG_FUNCTION_ARGS)
{
	FunnelState *state = (FunnelState *) PG_GETARG_POINTER(0);
	StringInfoData buf;

	timebuf_compact(&state->events);
	pq_begintypsend(&buf);
	pq_sendbyte(&buf, FUNNEL_SERIAL_VERSION);
	pq_sendint64(&buf, state->window);
	pq_sendint32(&buf, state->nsteps);
	pq_sendint32(&buf, state->mode);
	pq_sendint64(&buf, state->events.count);
	for (int64 i = 0; i < state->events.count; i++)
	{
		FunnelEvent *e = timebuf_at(&state->events, i);

		pq_sendint64(&buf, e->time);
		pq_sendint32(&buf, e->steps);
		pq_sendbyte(&buf, e->other);
		if ((i & 0xffff) == 0xffff)
			CHECK_FOR_INTERRUPTS();
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* Deserialise: the inverse of window_funnel_serialize, length-checked. */
Datum
window_funnel_deserialize(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = aggregate_context(fcinfo, "window_funnel_deserialize");
	bytea	   *b = PG_GETARG_BYTEA_PP(0);
	StringInfoData buf;
	FunnelState *state;
	int64		window;
	int32		nsteps;
	int32		mode;
	int64		n;

	initStringInfo(&buf);
	appendBinaryStringInfo(&buf, VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b));
	if (pq_getmsgbyte(&buf) != FUNNEL_SERIAL_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("unsupported window_funnel state version")));
	window = pq_getmsgint64(&buf);
	nsteps = pq_getmsgint(&buf, 4);
	mode = pq_getmsgint(&buf, 4);
	n = pq_getmsgint64(&buf);
	if (n < 0 || n > (buf.len - buf.cursor) / 13 || nsteps < 1 || nsteps > MAX_STEPS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid window_funnel state")));
	state = funnel_new(aggcontext, window, nsteps, mode);
	for (int64 i = 0; i < n; i++)
	{
		TimestampTz t = pq_getmsgint64(&buf);
		uint32		steps = pq_getmsgint(&buf, 4);

		funnel_add(state, t, steps, pq_getmsgbyte(&buf));
		if ((i & 0xffff) == 0xffff)
			CHECK_FOR_INTERRUPTS();
	}
	pq_getmsgend(&buf);
	PG_RETURN_POINTER(state);
}

/*
 * The longest chain of the events of a state (see the file header), with
 * ClickHouse's strict modes: after the first step-1 event, strict_order
 * stops at a row satisfying no step or at a step whose previous step was
 * not reached; strict_deduplication stops at a step already reached;
 * strict_increase extends a chain only at a later time than its last step.
 * At one instant, rows satisfying no step come before the steps.
 *
 * With best_times, also writes there the times of the chain that first
 * reached the deepest step: the latest step-1 event from which that step
 * was then reachable, and each next step at the first time it extended
 * that chain.
 */
static int32
longest_chain(FunnelState *state, TimestampTz *best_times)
{
	TimestampTz start[MAX_STEPS];	/* latest start of a chain reaching step i + 1 */
	TimestampTz last[MAX_STEPS];	/* time of step i + 1 in that chain */
	TimestampTz chain[MAX_STEPS][MAX_STEPS];	/* with best_times: the step
												 * times of that chain */
	bool		reached[MAX_STEPS] = {false};
	bool		strict_order = (state->mode & FUNNEL_STRICT_ORDER) != 0;
	bool		dedup = (state->mode & FUNNEL_STRICT_DEDUPLICATION) != 0;
	bool		increase = (state->mode & FUNNEL_STRICT_INCREASE) != 0;
	int32		best = 0;

	timebuf_compact(&state->events);
	for (int64 i = 0; i < state->events.count; i++)
	{
		FunnelEvent *e = timebuf_at(&state->events, i);

		CHECK_FOR_INTERRUPTS();
		if (strict_order && e->other && reached[0])
			return best;
		/* the steps that held at this instant, in step order */
		for (uint32 pending = e->steps; pending != 0; pending &= pending - 1)
		{
			int			step = pg_rightmost_one_pos32(pending);

			if (step == 0)
			{
				start[0] = last[0] = e->time;
				reached[0] = true;
				chain[0][0] = e->time;
			}
			else if (dedup && reached[step])
				return best;
			else if (strict_order && reached[0] && !reached[step - 1])
				return best;
			else if (reached[step - 1] && time_sub(e->time, start[step - 1]) <= state->window &&
					 (!increase || last[step - 1] < e->time))
			{
				/* a chain's step keeps the first time it was reached */
				if (best_times != NULL && (!reached[step] || start[step] != start[step - 1]))
				{
					memcpy(chain[step], chain[step - 1], sizeof(TimestampTz) * step);
					chain[step][step] = e->time;
				}
				start[step] = start[step - 1];
				last[step] = e->time;
				reached[step] = true;
			}
			else
				continue;
			if (step + 1 > best)
			{
				best = step + 1;
				if (best_times != NULL)
					memcpy(best_times, chain[step], sizeof(TimestampTz) * best);
			}
			if (best == state->nsteps)
				return best;
		}
	}
	return best;
}

/* Final: the longest chain, 0 when no event satisfied step 1 (or no rows). */
Datum
window_funnel_final(PG_FUNCTION_ARGS)
{
	FunnelState *state = PG_ARGISNULL(0) ? NULL : (FunnelState *) PG_GETARG_POINTER(0);

	if (state == NULL)
		PG_RETURN_INT32(0);
	PG_RETURN_INT32(longest_chain(state, NULL));
}

/*
 * Final of window_funnel_times: the times at which the steps of the longest
 * chain were reached, one per step reached (an empty array when step 1 never
 * held, or no rows).
 */
Datum
window_funnel_times_final(PG_FUNCTION_ARGS)
{
	FunnelState *state = PG_ARGISNULL(0) ? NULL : (FunnelState *) PG_GETARG_POINTER(0);
	TimestampTz times[MAX_STEPS];
	Datum		values[MAX_STEPS];
	int32		n = 0;

	if (state != NULL)
		n = longest_chain(state, times);
	for (int i = 0; i < n; i++)
		values[i] = TimestampTzGetDatum(times[i]);
	PG_RETURN_ARRAYTYPE_P(construct_array(values, n, TIMESTAMPTZOID, sizeof(TimestampTz),
										  FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

/*
 * The retention state is a bigint: bits 0-31 say which conditions held on
 * some row, bits 32-39 hold the number of conditions (0: no row yet).
 */
#define RETENTION_COUNT_SHIFT 32

/* The number of conditions recorded in a retention state, after checking it. */
static int
retention_count(int64 state)
{
	uint64		n = (uint64) state >> RETENTION_COUNT_SHIFT;

	if (n > MAX_STEPS || (n < MAX_STEPS && ((uint64) state & PG_UINT32_MAX) >> n != 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid retention state")));
	return (int) n;
}

/* Errors unless two non-empty states have the same number of conditions. */
static int64
retention_merge(int64 a, int64 b)
{
	if (retention_count(a) != 0 && retention_count(b) != 0 &&
		retention_count(a) != retention_count(b))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the number of conditions must be the same for every row of a group")));
	return a | b;
}

/*
 * Transition: ORs the conditions of one row into the state (a NULL state,
 * possible in a direct call of this non-strict function, is the empty one).
 */
Datum
retention_accum(PG_FUNCTION_ARGS)
{
	int			n;
	uint32		bits = read_conditions(fcinfo, 1, "conditions", &n, false);

	PG_RETURN_INT64(retention_merge(PG_ARGISNULL(0) ? 0 : PG_GETARG_INT64(0),
									((int64) n << RETENTION_COUNT_SHIFT) | bits));
}

/* Combine: ORs two states. */
Datum
retention_combine(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(retention_merge(PG_GETARG_INT64(0), PG_GETARG_INT64(1)));
}

/* Final: r[1] = condition 1 held, r[i] = conditions 1 and i held; NULL for no rows. */
Datum
retention_final(PG_FUNCTION_ARGS)
{
	int64		state = PG_GETARG_INT64(0);
	int			n = retention_count(state);
	Datum		r[MAX_STEPS];
	bool		first = (state & 1) != 0;

	if (n == 0)
		PG_RETURN_NULL();
	for (int i = 0; i < n; i++)
		r[i] = Int32GetDatum(first && (state & ((int64) 1 << i)) ? 1 : 0);
	PG_RETURN_ARRAYTYPE_P(construct_array(r, n, INT4OID, sizeof(int32), true, TYPALIGN_INT));
}

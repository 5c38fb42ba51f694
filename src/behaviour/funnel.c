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
 * The event form window_funnel(window, [mode,] occurred_at, event, VARIADIC
 * steps text[]) is the boolean form with steps event = steps[i]: it reads
 * the (constant) steps array once per query and matches each row's event
 * by its bytes, sparing PostgreSQL one texteq call per step and row.
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

#include "access/tupmacs.h"
#include "catalog/pg_type.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "nodes/primnodes.h"
#include "port/pg_bitutils.h"
#include "utils/array.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(window_funnel_accum);
PG_FUNCTION_INFO_V1(window_funnel_steps_accum);
PG_FUNCTION_INFO_V1(window_funnel_mode_steps_accum);
PG_FUNCTION_INFO_V1(window_funnel_event_accum);
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
#define FUNNEL_STRICT_ALL (FUNNEL_STRICT_ORDER | FUNNEL_STRICT_DEDUPLICATION | FUNNEL_STRICT_INCREASE)

/* How a transition function's row gives its steps. */
typedef enum FunnelStepForm
{
	FUNNEL_STEP_ARRAY,			/* VARIADIC boolean[] */
	FUNNEL_STEP_ARGS,			/* one boolean argument per step */
	FUNNEL_STEP_EVENT			/* an event text and VARIADIC text[] of step values */
} FunnelStepForm;

/*
 * An instant at which some step held (or, in strict_order, none did), wide:
 * 16 bytes.
 */
typedef struct FunnelEvent
{
	TimestampTz time;
	uint32		steps;			/* bit i: step i + 1 held at this time */
	uint32		other;			/* 1: a row at this time satisfied no step */
} FunnelEvent;

/*
 * The same instant packed in 8 bytes: the time shifted left by nsteps + 1
 * bits, then the "other" bit, then one bit per step, so that packed
 * instants sort by time and two of the same time merge by OR.  A state
 * packs its instants while it has at most FUNNEL_PACKED_MAX_STEPS steps and
 * every time fits the remaining bits: |t| < 2^(62 - nsteps) microseconds
 * from 2000-01-01, the years 1429 to 2570 with 8 steps, any time before
 * 20267 with 3; otherwise (rarely) it turns wide.
 */
#define FUNNEL_PACKED_MAX_STEPS 8

/*
 * State of engage.window_funnel: a 24-byte header and the instants at which
 * any step held (rows where no step holds are not kept, except in
 * strict_order mode), in one allocation that grows (and moves) with them.
 * It starts at 64 bytes, room for 5 packed instants (64% of the customers
 * of the benchmark data need no more), and doubles when full.
 *
 * While it holds fewer than FUNNEL_INSERT_MAX instants, a state keeps them
 * in time order with distinct times (see funnel_add), so that the final
 * function reads them as they are.  A larger state takes an early instant
 * at its end and turns unsorted: funnel_compact then sorts it and merges
 * equal times, which also happens before an unsorted state of 64 instants
 * or more grows, so that it holds at most four (typically two) instants
 * per distinct time.
 */
typedef struct FunnelState
{
	int64		window;			/* microseconds */
	int32		count;			/* instants in use */
	int32		capacity;		/* instants that fit the allocation */
	uint8		nsteps;
	uint8		mode;			/* FUNNEL_STRICT_* bits */
	uint8		shift;			/* packed: nsteps + 1 bits below the time; wide: 0 */
	bool		unsorted;		/* false: in time order, each time once */
	int64		instants[FLEXIBLE_ARRAY_MEMBER];	/* packed, or FunnelEvent records */
} FunnelState;

#define FUNNEL_HEADER_SIZE offsetof(FunnelState, instants)
#define FUNNEL_INITIAL_SIZE 64

/*
 * A state below this many instants inserts an early instant in its place
 * (a binary search and a move of the later instants, in a state that the
 * rows of its group keep in the cache) rather than sorting at the end.
 */
#define FUNNEL_INSERT_MAX 256

/*
 * Below this many, packed instants are inserted by moving the later ones
 * as the search goes, without a binary search (funnel_insert_few).
 */
#define FUNNEL_SHIFT_MAX 16

/* An unsorted state of this many instants is compacted before it grows. */
#define FUNNEL_COMPACT_MIN 64

/*
 * Windows of up to this many days are compared with the state's without
 * converting them again (their microseconds cannot overflow).
 */
#define FUNNEL_FAST_WINDOW_DAYS 1000000

StaticAssertDecl(FUNNEL_HEADER_SIZE == 24, "a funnel state's header takes 24 bytes");

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
 * Errors unless the array a of n steps (what: their name) is one-dimensional
 * of elemtype (typname) and holds 1 to MAX_STEPS elements.
 */
static void
ensure_steps_array(ArrayType *a, int n, Oid elemtype, const char *typname, const char *what)
{
	if (ARR_ELEMTYPE(a) != elemtype || ARR_NDIM(a) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a one-dimensional %s array", what, typname)));
	if (n < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("at least one of the %s must be given", what)));
	if (n > MAX_STEPS)
		ereport(ERROR,
				(errcode(ERRCODE_TOO_MANY_ARGUMENTS),
				 errmsg("at most %d %s are supported", MAX_STEPS, what),
				 errdetail("%d were given.", n)));
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
	ensure_steps_array(a, *n, BOOLOID, "boolean", what);
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

/* The last mode text parsed by a transition function, with its bits. */
typedef struct FunnelModeCache
{
	int32		bits;			/* FUNNEL_STRICT_* */
	int32		len;			/* bytes of text */
	char		text[FLEXIBLE_ARRAY_MEMBER];
} FunnelModeCache;

/*
 * The steps of the event form, window_funnel(window, [mode,] occurred_at,
 * event, VARIADIC steps text[]): the steps array as given (the key that a
 * row's array is compared with) and each step's value, pointing into it.
 */
typedef struct FunnelEventSteps
{
	bool		constant;		/* the call's steps are a constant: the same datum on every row */
	const char *datum;			/* the array datum of the row that built these */
	int32		nsteps;
	int32		keylen;			/* bytes of the array */
	char	   *key;			/* a copy of the array */
	int32		len[MAX_STEPS]; /* bytes of step i + 1's value */
	const char *value[MAX_STEPS];	/* its value, in key */
} FunnelEventSteps;

/*
 * What a transition function keeps in fn_extra, which lives as long as the
 * query: the last mode and the last steps array read, each NULL until a
 * row needs it.
 */
typedef struct FunnelCallCache
{
	FunnelModeCache *mode;
	FunnelEventSteps *steps;
} FunnelCallCache;

/* The call's cache in fn_extra, created empty by its first row. */
static inline FunnelCallCache *
funnel_call_cache(FunctionCallInfo fcinfo)
{
	if (fcinfo->flinfo->fn_extra == NULL)
		fcinfo->flinfo->fn_extra = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt,
														  sizeof(FunnelCallCache));
	return (FunnelCallCache *) fcinfo->flinfo->fn_extra;
}

/*
 * The FUNNEL_STRICT_* bits of a row's mode: parsed once for each text that
 * differs from the previous row's (once per query, typically).
 */
static int32
funnel_row_mode(FunctionCallInfo fcinfo, text *mode)
{
	FunnelCallCache *call = funnel_call_cache(fcinfo);
	FunnelModeCache *cache = call->mode;
	const char *p = VARDATA_ANY(mode);
	int32		len = VARSIZE_ANY_EXHDR(mode);
	int32		bits;

	if (cache != NULL && cache->len == len && memcmp(cache->text, p, len) == 0)
		return cache->bits;
	bits = parse_mode(mode);
	if (cache != NULL)
		pfree(cache);
	cache = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, offsetof(FunnelModeCache, text) + len);
	cache->bits = bits;
	cache->len = len;
	memcpy(cache->text, p, len);
	call->mode = cache;
	return bits;
}

/*
 * Errors unless the call compares events by bytes as texteq does: under a
 * deterministic collation (or none, as a non-text event column has).
 * Nondeterministic collations equate different bytes and are not supported.
 */
static void
ensure_deterministic_collation(Oid collation)
{
	if (OidIsValid(collation) && !get_collation_isdeterministic(collation))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("window_funnel with event values does not support nondeterministic collations"),
				 errhint("Use the boolean form, event = step, or COLLATE \"C\".")));
}

/* Errors unless an event form's steps array is one-dimensional text of 1 to 32 elements. */
static void
ensure_event_steps_shape(ArrayType *a, int n)
{
	ensure_steps_array(a, n, TEXTOID, "text", "steps");
	if (ARR_HASNULL(a))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("steps must not contain null"),
				 errhint("Remove the null step: a row whose event is null satisfies no step.")));
}

/* Errors if step i + 1 repeats an earlier step's value. */
static void
ensure_event_step_unique(const FunnelEventSteps *s, int i)
{
	for (int j = 0; j < i; j++)
		if (s->len[j] == s->len[i] && memcmp(s->value[j], s->value[i], s->len[i]) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("step \"%.*s\" is given twice", s->len[i], s->value[i]),
					 errdetail("Steps %d and %d are the same value.", j + 1, i + 1)));
}

/*
 * Is the aggregate's argument argno (of the transition function, counting
 * the state) a constant of the query?  Not known outside an aggregate call
 * (a window aggregate, say): then no.
 */
static bool
funnel_arg_is_const(FunctionCallInfo fcinfo, int argno)
{
	Aggref	   *aggref = AggGetAggref(fcinfo);
	TargetEntry *tle;

	if (aggref == NULL || list_length(aggref->args) < argno)
		return false;
	tle = list_nth_node(TargetEntry, aggref->args, argno - 1);
	return IsA(tle->expr, Const);
}

/*
 * The steps of an event form read from the array a, checked, in fn_mcxt
 * (the elements of a text array are stored untoasted).
 */
static FunnelEventSteps *
funnel_read_event_steps(FunctionCallInfo fcinfo, ArrayType *a, int argno)
{
	FunnelEventSteps *s;
	int			n = ArrayGetNItems(ARR_NDIM(a), ARR_DIMS(a));
	const char *p;

	ensure_event_steps_shape(a, n);
	ensure_deterministic_collation(PG_GET_COLLATION());
	s = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(FunnelEventSteps));
	s->constant = funnel_arg_is_const(fcinfo, argno);
	s->nsteps = n;
	s->keylen = VARSIZE(a);
	s->key = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, s->keylen);
	memcpy(s->key, a, s->keylen);
	p = ARR_DATA_PTR((ArrayType *) s->key);
	for (int i = 0; i < n; i++)
	{
		p = (const char *) att_align_pointer(p, TYPALIGN_INT, -1, p);
		s->len[i] = VARSIZE_ANY_EXHDR(p);
		s->value[i] = VARDATA_ANY(p);
		ensure_event_step_unique(s, i);
		p = att_addlength_pointer(p, -1, p);
	}
	return s;
}

/*
 * The steps of a row of an event form, its steps array being argument
 * argno: read once per query (PostgreSQL folds VARIADIC constants into one
 * constant array, passed as the same datum on every row), else again for
 * each array whose bytes differ from the previous row's.
 */
static const FunnelEventSteps *
funnel_row_event_steps(FunctionCallInfo fcinfo, int argno)
{
	FunnelCallCache *call = funnel_call_cache(fcinfo);
	FunnelEventSteps *s = call->steps;
	ArrayType  *a;

	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("steps must not be null")));
	if (s != NULL && s->constant && DatumGetPointer(PG_GETARG_DATUM(argno)) == s->datum)
		return s;
	a = PG_GETARG_ARRAYTYPE_P(argno);
	if (s != NULL && s->keylen == (int32) VARSIZE(a) && memcmp(s->key, a, s->keylen) == 0)
		return s;
	if (s != NULL)
	{
		pfree(s->key);
		pfree(s);
	}
	s = funnel_read_event_steps(fcinfo, a, argno);
	s->datum = DatumGetPointer(PG_GETARG_DATUM(argno));
	call->steps = s;
	return s;
}

/*
 * The step bit of a row's event (0 for none): the step whose value has the
 * event's bytes, found by length and then memcmp (steps are distinct, so
 * at most one matches).
 */
static inline uint32
funnel_event_match(const FunnelEventSteps *s, const text *event)
{
	const char *p = VARDATA_ANY(event);
	int32		len = VARSIZE_ANY_EXHDR(event);

	for (int i = 0; i < s->nsteps; i++)
		if (s->len[i] == len && memcmp(s->value[i], p, len) == 0)
			return (uint32) 1 << i;
	return 0;
}

/*
 * The step bits of a row of an event form (argument argno the event, the
 * next one the steps) and the number of steps; a NULL event satisfies no
 * step.
 */
static inline uint32
read_event_step(FunctionCallInfo fcinfo, int argno, int *nsteps)
{
	const FunnelEventSteps *s = funnel_row_event_steps(fcinfo, argno + 1);

	*nsteps = s->nsteps;
	if (PG_ARGISNULL(argno))
		return 0;
	return funnel_event_match(s, PG_GETARG_TEXT_PP(argno));
}

/* Folds one wide funnel instant into another at the same time. */
static void
funnel_event_merge(void *into, const void *from)
{
	((FunnelEvent *) into)->steps |= ((const FunnelEvent *) from)->steps;
	((FunnelEvent *) into)->other |= ((const FunnelEvent *) from)->other;
}

/* Folds one packed funnel instant into another at the same time. */
static void
funnel_packed_merge(void *into, const void *from)
{
	*(int64 *) into |= *(const int64 *) from;
}

/* Bytes per instant of a state. */
static inline Size
funnel_width(const FunnelState *state)
{
	return state->shift != 0 ? sizeof(int64) : sizeof(FunnelEvent);
}

/* The wide instants of a state. */
static inline FunnelEvent *
funnel_events(FunnelState *state)
{
	Assert(state->shift == 0);
	return (FunnelEvent *) state->instants;
}

/* Does the time t fit a packed instant with shift bits below it? */
static inline bool
funnel_fits(TimestampTz t, int shift)
{
	int64		limit = (int64) 1 << (63 - shift);

	return t >= -limit && t < limit;
}

/* The packed instant of a time that fits it (see FunnelEvent). */
static inline int64
funnel_pack(TimestampTz t, uint32 steps, bool other, int nsteps)
{
	return (int64) (((uint64) t << (nsteps + 1)) | ((uint64) other << nsteps) | steps);
}

/* The time of the i-th instant of a state, and its steps and other flag. */
static inline TimestampTz
funnel_instant(const FunnelState *state, int32 i, uint32 *steps, bool *other)
{
	if (state->shift != 0)
	{
		int64		packed = state->instants[i];
		uint64		low = (uint64) packed & (((uint64) 1 << state->shift) - 1);

		*steps = (uint32) (low & (((uint64) 1 << state->nsteps) - 1));
		*other = (low >> state->nsteps) != 0;
		return packed >> state->shift;
	}
	else
	{
		const FunnelEvent *e = (const FunnelEvent *) state->instants + i;

		*steps = e->steps;
		*other = e->other != 0;
		return e->time;
	}
}

/* The time of the i-th instant of a state. */
static inline TimestampTz
funnel_time(const FunnelState *state, int32 i)
{
	if (state->shift != 0)
		return state->instants[i] >> state->shift;
	return ((const FunnelEvent *) state->instants)[i].time;
}

/* Writes the i-th instant of a state (whose time fits it when packed). */
static inline void
funnel_set(FunnelState *state, int32 i, TimestampTz t, uint32 steps, bool other)
{
	if (state->shift != 0)
		state->instants[i] = funnel_pack(t, steps, other, state->nsteps);
	else
	{
		FunnelEvent *e = funnel_events(state) + i;

		e->time = t;
		e->steps = steps;
		e->other = other;
	}
}

/* Adds steps (and other) to the i-th instant of a state. */
static inline void
funnel_merge_at(FunnelState *state, int32 i, uint32 steps, bool other)
{
	if (state->shift != 0)
		state->instants[i] |= (int64) (((uint64) other << state->nsteps) | steps);
	else
	{
		funnel_events(state)[i].steps |= steps;
		funnel_events(state)[i].other |= other;
	}
}

/*
 * Sorts the instants of an unsorted state by time and merges those of equal
 * times; a sorted state is left as it is.
 */
static void
funnel_compact(FunnelState *state)
{
	TimeBuf		view;

	if (!state->unsorted)
		return;
	timebuf_init_view(&view, state->instants, state->count, state->capacity, funnel_width(state),
					  state->shift, state->shift != 0 ? funnel_packed_merge : funnel_event_merge);
	timebuf_compact(&view);
	state->count = (int32) view.count;
	state->unsorted = false;
}

/*
 * Sets the capacity of a state from the size of its allocation, rounded up
 * to the power of two the allocator gives anyway.
 */
static Size
funnel_set_capacity(FunnelState *state, int64 capacity)
{
	Size		size = pg_nextpower2_64(FUNNEL_HEADER_SIZE + capacity * funnel_width(state));

	state->capacity = (int32) Min((size - FUNNEL_HEADER_SIZE) / funnel_width(state), PG_INT32_MAX);
	return size;
}

/* A new, empty funnel state in the aggregate context. */
static FunnelState *
funnel_new(MemoryContext aggcontext, int64 window, int32 nsteps, int32 mode)
{
	FunnelState *state = MemoryContextAlloc(aggcontext, FUNNEL_INITIAL_SIZE);

	state->window = window;
	state->count = 0;
	state->nsteps = (uint8) nsteps;
	state->mode = (uint8) mode;
	state->shift = nsteps <= FUNNEL_PACKED_MAX_STEPS ? (uint8) (nsteps + 1) : 0;
	state->unsorted = false;
	state->capacity = (int32) ((FUNNEL_INITIAL_SIZE - FUNNEL_HEADER_SIZE) / funnel_width(state));
	return state;
}

/*
 * The state with room for extra more instants: an unsorted state of
 * FUNNEL_COMPACT_MIN instants or more is compacted first; the allocation
 * doubles until the instants fill at most half of it and the extra ones fit
 * (then moves), so that each compaction is paid for by at least half a
 * buffer of appends (as timebuf_room does).
 */
static FunnelState *
funnel_reserve(FunnelState *state, int64 extra)
{
	int64		capacity;

	if (state->count + extra <= state->capacity)
		return state;
	if (state->unsorted && state->capacity >= FUNNEL_COMPACT_MIN)
		funnel_compact(state);
	capacity = state->capacity;
	while (state->count > capacity / 2 || state->count + extra > capacity)
		capacity *= 2;
	if (capacity <= state->capacity)
		return state;
	if (capacity > PG_INT32_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many distinct times in one group")));
	return repalloc_huge(state, funnel_set_capacity(state, capacity));
}

/*
 * The state with its instants unpacked to wide ones (for a time that does
 * not fit a packed instant), in a new allocation; frees the old one.
 */
static FunnelState *
funnel_widen(FunnelState *state)
{
	FunnelState header = *state;
	FunnelState *wide;
	Size		size;

	header.shift = 0;
	size = funnel_set_capacity(&header, (int64) state->count + 1);
	wide = MemoryContextAllocHuge(GetMemoryChunkContext(state), size);
	*wide = header;
	for (int32 i = 0; i < state->count; i++)
	{
		FunnelEvent *e = funnel_events(wide) + i;
		bool		other;

		e->time = funnel_instant(state, i, &e->steps, &other);
		e->other = other;
		if ((i & 0xffff) == 0xffff)
			CHECK_FOR_INTERRUPTS();
	}
	pfree(state);
	return wide;
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

/*
 * The index of the first instant of a sorted, non-empty state whose time is
 * not before t (count if none): a binary search whose steps depend on the
 * count alone, the comparisons becoming conditional moves rather than
 * branches, which rows in random time order would mispredict.  The answer
 * lies in [base, base + n] throughout.
 */
static inline int32
funnel_lower_bound(const FunnelState *state, TimestampTz t)
{
	int32		base = 0;
	int32		n = state->count;

	Assert(n >= 1);
	while (n > 1)
	{
		int32		half = n / 2;

		base = funnel_time(state, base + half - 1) < t ? base + half : base;
		n -= half;
	}
	return base + (funnel_time(state, base) < t);
}

/*
 * funnel_insert in a packed state of fewer than FUNNEL_SHIFT_MAX instants:
 * the later instants move up one place each, from the last one, until t's
 * place is found (the search and the move in one loop, as in an insertion
 * sort); an instant of time t found there takes t's steps, the moved ones
 * then moving back (rare: equal times out of order).
 */
static FunnelState *
funnel_insert_few(FunnelState *state, TimestampTz t, uint32 steps, bool other)
{
	int64		packed = funnel_pack(t, steps, other, state->nsteps);
	int			shift = state->shift;
	int64	   *instants;
	int32		j;

	if (state->count == state->capacity)
		state = funnel_reserve(state, 1);
	instants = state->instants;
	j = state->count;
	while (j > 0 && instants[j - 1] >> shift > t)
	{
		instants[j] = instants[j - 1];
		j--;
	}
	if (j > 0 && instants[j - 1] >> shift == t)
	{
		instants[j - 1] |= packed;
		for (; j < state->count; j++)
			instants[j] = instants[j + 1];
		return state;
	}
	instants[j] = packed;
	state->count++;
	return state;
}

/*
 * Inserts an instant that comes before the last one of a sorted state of
 * fewer than FUNNEL_INSERT_MAX instants in its place, or merges it into the
 * instant of its time; returns the state, which may have moved.
 */
static FunnelState *
funnel_insert(FunnelState *state, TimestampTz t, uint32 steps, bool other)
{
	Size		width = funnel_width(state);
	int32		lo;

	if (state->shift != 0 && state->count < FUNNEL_SHIFT_MAX)
		return funnel_insert_few(state, t, steps, other);
	lo = funnel_lower_bound(state, t);
	Assert(!state->unsorted && state->count < FUNNEL_INSERT_MAX && lo < state->count);
	if (funnel_time(state, lo) == t)
	{
		funnel_merge_at(state, lo, steps, other);
		return state;
	}
	state = funnel_reserve(state, 1);
	memmove((char *) state->instants + (lo + 1) * width, (char *) state->instants + lo * width,
			(state->count - lo) * width);
	funnel_set(state, lo, t, steps, other);
	state->count++;
	return state;
}

/*
 * Adds an instant to the state; returns the state, which may have moved.
 * An instant after the last one is appended, one at the time of the last
 * one merged into it; an earlier one is inserted in its place while the
 * state is sorted and small (funnel_insert), else appended, leaving the
 * state unsorted.  (The last instant of an unsorted state need not be the
 * latest; once funnel_reserve has compacted it, it is.)
 */
static FunnelState *
funnel_add_any(FunnelState *state, TimestampTz t, uint32 steps, bool other)
{
	if (state->shift != 0 && !funnel_fits(t, state->shift))
		state = funnel_widen(state);
	if (state->count > 0)
	{
		TimestampTz last = funnel_time(state, state->count - 1);

		if (t == last)
		{
			funnel_merge_at(state, state->count - 1, steps, other);
			return state;
		}
		if (t < last && !state->unsorted && state->count < FUNNEL_INSERT_MAX)
			return funnel_insert(state, t, steps, other);
	}
	if (state->count == state->capacity)
		state = funnel_reserve(state, 1);
	/* appended at or before the last instant (after a compaction: the latest) */
	if (state->count > 0 && t <= funnel_time(state, state->count - 1))
		state->unsorted = true;
	funnel_set(state, state->count++, t, steps, other);
	return state;
}

/*
 * funnel_add_any, with its common cases inline (it runs for most rows): a
 * packed instant merged into the last one or appended after it with room
 * to spare.
 */
static inline FunnelState *
funnel_add(FunnelState *state, TimestampTz t, uint32 steps, bool other)
{
	int32		n = state->count;

	if (state->shift != 0 && funnel_fits(t, state->shift) && n > 0 && n < state->capacity)
	{
		TimestampTz last = state->instants[n - 1] >> state->shift;
		int64		packed = funnel_pack(t, steps, other, state->nsteps);

		if (t == last)
		{
			state->instants[n - 1] |= packed;
			return state;
		}
		if (t > last)
		{
			state->instants[n] = packed;
			state->count = n + 1;
			return state;
		}
	}
	return funnel_add_any(state, t, steps, other);
}

/*
 * Appends every instant of b to a, which may move: copies them as they are
 * when both states have the same format.
 */
static FunnelState *
funnel_append_all(FunnelState *a, FunnelState *b)
{
	if (a->shift == b->shift)
	{
		/* sorted if both are and b's instants all come after a's */
		bool		unsorted = a->unsorted || b->unsorted ||
			(a->count > 0 && b->count > 0 &&
			 funnel_time(b, 0) <= funnel_time(a, a->count - 1));

		a = funnel_reserve(a, b->count);
		memcpy((char *) a->instants + a->count * funnel_width(a), b->instants,
			   b->count * funnel_width(b));
		a->count += b->count;
		a->unsorted = a->unsorted || unsorted;
		return a;
	}
	for (int32 i = 0; i < b->count; i++)
	{
		uint32		steps;
		bool		other;
		TimestampTz t = funnel_instant(b, i, &steps, &other);

		a = funnel_add(a, t, steps, other);
		if ((i & 0xffff) == 0xffff)
			CHECK_FOR_INTERRUPTS();
	}
	return a;
}

/*
 * The window of a row in microseconds: the state's when the row's interval
 * has its length (the usual case, without a call), else the interval's
 * length, checked by interval_fixed_usecs.
 */
static inline int64
funnel_row_window(const Interval *iv, const FunnelState *state)
{
	int64		usecs;

	if (state != NULL && iv->month == 0 && iv->day >= 0 && iv->day <= FUNNEL_FAST_WINDOW_DAYS &&
		!pg_add_s64_overflow(iv->day * USECS_PER_DAY, iv->time, &usecs) && usecs == state->window)
		return usecs;
	return interval_fixed_usecs(iv, "window");
}

/*
 * The shared transition step: records the instant when any step holds (rows
 * with a NULL time are skipped).  The arguments are (window, [mode,]
 * occurred_at, steps...), the steps one VARIADIC boolean[], or in the
 * fixed-arity forms one boolean argument each (no array built per row), or
 * in the event form an event and a text[] of the steps' values.
 * Only the first row of a group needs the aggregate context: a state exists
 * only inside an aggregate, and it grows in its own memory context.
 */
static pg_attribute_always_inline FunnelState *
funnel_accum_row(FunctionCallInfo fcinfo, bool has_mode, FunnelStepForm form)
{
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
	window = funnel_row_window(PG_GETARG_INTERVAL_P(1), state);
	if (has_mode)
	{
		if (PG_ARGISNULL(2))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("mode must not be null")));
		mode = funnel_row_mode(fcinfo, PG_GETARG_TEXT_PP(2));
	}
	if (form == FUNNEL_STEP_ARRAY)
		steps = read_conditions(fcinfo, timearg + 1, "steps", &nsteps, true);
	else if (form == FUNNEL_STEP_ARGS)
		steps = read_condition_args(fcinfo, timearg + 1, &nsteps);
	else
		steps = read_event_step(fcinfo, timearg + 1, &nsteps);
	if (state == NULL)
		state = funnel_new(aggregate_context(fcinfo, "window_funnel_accum"), window, nsteps, mode);
	else
		funnel_ensure_same(state, window, nsteps, mode);
	if (PG_ARGISNULL(timearg) || (steps == 0 && !(mode & FUNNEL_STRICT_ORDER)))
		return state;
	t = PG_GETARG_TIMESTAMPTZ(timearg);
	ensure_finite_timestamp(t, "occurred_at");
	return funnel_add(state, t, steps, steps == 0);
}

/*
 * Transition of window_funnel(window, occurred_at, VARIADIC steps) and
 * window_funnel(window, mode, occurred_at, VARIADIC steps).
 */
Datum
window_funnel_accum(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(funnel_accum_row(fcinfo, PG_NARGS() == 5, FUNNEL_STEP_ARRAY));
}

/* Transition of window_funnel(window, occurred_at, step1, ..., stepN), N = 2..8. */
Datum
window_funnel_steps_accum(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(funnel_accum_row(fcinfo, false, FUNNEL_STEP_ARGS));
}

/* Transition of window_funnel(window, mode, occurred_at, step1, ..., stepN), N = 2..8. */
Datum
window_funnel_mode_steps_accum(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(funnel_accum_row(fcinfo, true, FUNNEL_STEP_ARGS));
}

/*
 * Transition of window_funnel(window, occurred_at, event, VARIADIC steps
 * text[]) and window_funnel(window, mode, occurred_at, event, VARIADIC
 * steps text[]).
 */
Datum
window_funnel_event_accum(PG_FUNCTION_ARGS)
{
	if (PG_NARGS() == 6)
		PG_RETURN_POINTER(funnel_accum_row(fcinfo, true, FUNNEL_STEP_EVENT));
	PG_RETURN_POINTER(funnel_accum_row(fcinfo, false, FUNNEL_STEP_EVENT));
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
	PG_RETURN_POINTER(funnel_append_all(a, b));
}

/* Serialise: version, window, steps, mode, count, then (time, steps, other). */
Datum
window_funnel_serialize(PG_FUNCTION_ARGS)
{
	FunnelState *state = (FunnelState *) PG_GETARG_POINTER(0);
	StringInfoData buf;

	funnel_compact(state);
	pq_begintypsend(&buf);
	pq_sendbyte(&buf, FUNNEL_SERIAL_VERSION);
	pq_sendint64(&buf, state->window);
	pq_sendint32(&buf, state->nsteps);
	pq_sendint32(&buf, state->mode);
	pq_sendint64(&buf, state->count);
	for (int32 i = 0; i < state->count; i++)
	{
		uint32		steps;
		bool		other;
		TimestampTz t = funnel_instant(state, i, &steps, &other);

		pq_sendint64(&buf, t);
		pq_sendint32(&buf, steps);
		pq_sendbyte(&buf, other);
		if ((i & 0xffff) == 0xffff)
			CHECK_FOR_INTERRUPTS();
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/*
 * Deserialise: the inverse of window_funnel_serialize, length-checked, with
 * no step or option beyond those of the state.
 */
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
	if (n < 0 || n > (buf.len - buf.cursor) / 13 || nsteps < 1 || nsteps > MAX_STEPS ||
		(mode & ~FUNNEL_STRICT_ALL) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid window_funnel state")));
	state = funnel_new(aggcontext, window, nsteps, mode);
	for (int64 i = 0; i < n; i++)
	{
		TimestampTz t = pq_getmsgint64(&buf);
		uint32		steps = pq_getmsgint(&buf, 4);
		int			other = pq_getmsgbyte(&buf);

		if ((nsteps < MAX_STEPS && steps >> nsteps != 0) || other > 1)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("invalid window_funnel state")));
		state = funnel_add(state, t, steps, other);
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

	funnel_compact(state);
	for (int32 i = 0; i < state->count; i++)
	{
		uint32		steps;
		bool		other;
		TimestampTz time = funnel_instant(state, i, &steps, &other);

		CHECK_FOR_INTERRUPTS();
		if (strict_order && other && reached[0])
			return best;
		/* the steps that held at this instant, in step order */
		for (uint32 pending = steps; pending != 0; pending &= pending - 1)
		{
			int			step = pg_rightmost_one_pos32(pending);

			if (step == 0)
			{
				start[0] = last[0] = time;
				reached[0] = true;
				chain[0][0] = time;
			}
			else if (dedup && reached[step])
				return best;
			else if (strict_order && reached[0] && !reached[step - 1])
				return best;
			else if (reached[step - 1] && time_sub(time, start[step - 1]) <= state->window &&
					 (!increase || last[step - 1] < time))
			{
				/* a chain's step keeps the first time it was reached */
				if (best_times != NULL && (!reached[step] || start[step] != start[step - 1]))
				{
					memcpy(chain[step], chain[step - 1], sizeof(TimestampTz) * step);
					chain[step][step] = time;
				}
				start[step] = start[step - 1];
				last[step] = time;
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

/*
 * longest_chain of a packed state in the default mode, without the times:
 * one pass over the sorted instants with the steps reached as bits.  Packed
 * times lie within 2^62 microseconds of 2000-01-01, so their differences
 * need no saturation.
 */
static int32
default_mode_level(FunnelState *state)
{
	TimestampTz start[MAX_STEPS];	/* latest start of a chain reaching step i + 1 */
	uint32		reached = 0;	/* bit i: step i + 1 reached */
	uint32		last_step = (uint32) 1 << (state->nsteps - 1);
	uint64		step_bits = ((uint64) 1 << state->nsteps) - 1;
	int			shift = state->shift;
	int64		window = state->window;

	Assert(state->shift != 0 && state->mode == 0);
	funnel_compact(state);
	for (int32 i = 0; i < state->count; i++)
	{
		int64		packed = state->instants[i];
		TimestampTz time = packed >> shift;
		uint32		steps = (uint32) ((uint64) packed & step_bits);

		if ((i & 0xffff) == 0xffff)
			CHECK_FOR_INTERRUPTS();
		if (steps & 1)
		{
			start[0] = time;
			reached |= 1;
		}
		/* the later steps that held at this instant, in step order */
		for (uint32 pending = steps & ~(uint32) 1; pending != 0; pending &= pending - 1)
		{
			int			step = pg_rightmost_one_pos32(pending);

			if ((reached >> (step - 1)) & 1 && time - start[step - 1] <= window)
			{
				start[step] = start[step - 1];
				reached |= (uint32) 1 << step;
			}
		}
		if (reached & last_step)
			break;
	}
	return reached == 0 ? 0 : pg_leftmost_one_pos32(reached) + 1;
}

/* Final: the longest chain, 0 when no event satisfied step 1 (or no rows). */
Datum
window_funnel_final(PG_FUNCTION_ARGS)
{
	FunnelState *state = PG_ARGISNULL(0) ? NULL : (FunnelState *) PG_GETARG_POINTER(0);

	if (state == NULL)
		PG_RETURN_INT32(0);
	if (state->shift != 0 && state->mode == 0)
		PG_RETURN_INT32(default_mode_level(state));
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

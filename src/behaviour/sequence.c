/*-------------------------------------------------------------------------
 *
 * sequence.c
 *	  Pattern matching over one customer's events, with the pattern syntax
 *	  of ClickHouse's sequenceMatch and sequenceCount:
 *	  engage.sequence_match(pattern, occurred_at, VARIADIC conditions) and
 *	  engage.sequence_count(...).
 *
 * The events are the rows where some condition holds (other rows are
 * ignored), in time order; at equal times, in order of the lowest-numbered
 * condition they satisfy, then of their condition bits, so that the answer
 * does not depend on the order rows arrive in.  A pattern is a sequence of
 *	  (?N)		  one event satisfying condition N (1-based);
 *	  .*		  any number of events;
 *	  (?t op s)	  op one of <=, >=, <, >, ==, s whole seconds: the time from the
 *				  event of the (?N) before to the event of the (?N) after
 *				  satisfies "t op s", and any events may lie between them.
 * Two (?N) written next to each other match consecutive events.  A match
 * may start at any event (the pattern is not anchored) and ends at the
 * event of its last (?N).  sequence_count counts non-overlapping matches:
 * it takes the match that ends first, then searches again after its last
 * event, and so on (which gives the largest number of disjoint matches).
 *
 * Matching is a dynamic programme, not a backtracking search: for the k-th
 * (?N) of the pattern, the events that can end a match of the pattern's
 * first k items are found from those of item k - 1, in one pass over the
 * events with a binary search per event and item, so the work is
 * O(events x items x log events) whatever the pattern.  Memory: the first
 * and last such event per item, and the list of them only for an item
 * followed by a time range bounded on both sides.
 *
 *-------------------------------------------------------------------------
 */
#include "engage.h"
#include "funnel.h"
#include "timebuf.h"

#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "port/pg_bitutils.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(sequence_accum);
PG_FUNCTION_INFO_V1(sequence_args_accum);
PG_FUNCTION_INFO_V1(sequence_combine);
PG_FUNCTION_INFO_V1(sequence_serialize);
PG_FUNCTION_INFO_V1(sequence_deserialize);
PG_FUNCTION_INFO_V1(sequence_match_final);
PG_FUNCTION_INFO_V1(sequence_count_final);

#define SEQUENCE_SERIAL_VERSION 1

/* Most (?N) items of a pattern, and its longest text. */
#define SEQUENCE_MAX_ITEMS 64
#define SEQUENCE_MAX_PATTERN 4096

/* Largest number of seconds of a time condition (about 31,700 years). */
#define SEQUENCE_MAX_SECONDS INT64CONST(1000000000000)

/* An event: a time at which some condition held. 16 bytes. */
typedef struct SeqEvent
{
	TimestampTz time;
	uint32		conditions;		/* bit i: condition i + 1 held */
	uint32		unused;
} SeqEvent;

/*
 * One (?N) of a pattern with what comes before it: whether other events
 * may lie between the previous item's event and this one (a .* or a time
 * condition in between, always for the first item) and the bounds, in
 * microseconds, of the time from the previous item's event.
 */
typedef struct SeqItem
{
	int			condition;		/* 0-based */
	bool		gap;
	int64		min_usecs;
	int64		max_usecs;
} SeqItem;

typedef struct SeqPattern
{
	int			nitems;
	SeqItem		items[SEQUENCE_MAX_ITEMS];
} SeqPattern;

/*
 * State of sequence_match and sequence_count: the pattern text and the
 * number of conditions (the same on every row), and the events, 16 bytes
 * each, in a buffer that doubles.
 */
typedef struct SeqState
{
	char	   *pattern;		/* not NUL-terminated */
	int32		pattern_len;
	int32		nconditions;
	int64		count;
	int64		capacity;
	SeqEvent   *events;
} SeqState;

/* Errors for a pattern that cannot be read, at 1-based position pos. */
static void
pattern_error(const char *pattern, int len, int pos, const char *expected)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid sequence pattern \"%.*s\" at position %d", len, pattern, pos),
			 errdetail("Expected %s.", expected)));
}

/* Reads an unsigned decimal number at *p (at most max), advancing *p. */
static int64
read_number(const char *pattern, int len, const char **p, const char *end, int64 max)
{
	int64		v = 0;
	const char *start = *p;

	while (*p < end && **p >= '0' && **p <= '9')
	{
		v = v * 10 + (**p - '0');
		if (v > max)
			pattern_error(pattern, len, (int) (start - pattern) + 1, "a smaller number");
		(*p)++;
	}
	if (*p == start)
		pattern_error(pattern, len, (int) (start - pattern) + 1, "a number");
	return v;
}

/* Does the text at p (before end) start with word? */
static bool
starts_with(const char *p, const char *end, const char *word)
{
	size_t		n = strlen(word);

	return (size_t) (end - p) >= n && memcmp(p, word, n) == 0;
}

/*
 * Narrows [*lo, *hi] (microseconds) by the time condition "t op seconds".
 * Times are whole microseconds, so t > s is t >= s + 1 us.
 */
static void
apply_time_condition(const char *op, int64 seconds, int64 *lo, int64 *hi)
{
	int64		usecs = seconds * USECS_PER_SEC;

	if (strcmp(op, "<=") == 0)
		*hi = Min(*hi, usecs);
	else if (strcmp(op, "<") == 0)
		*hi = Min(*hi, usecs - 1);
	else if (strcmp(op, ">=") == 0)
		*lo = Max(*lo, usecs);
	else if (strcmp(op, ">") == 0)
		*lo = Max(*lo, usecs + 1);
	else
	{
		*lo = Max(*lo, usecs);
		*hi = Min(*hi, usecs);
	}
}

/*
 * Parses a pattern (see the file header) for nconditions conditions; errors
 * 22023 with the position of the first character that cannot be read.
 * Linear in the length of the text.
 */
static void
parse_pattern(const char *pattern, int len, int nconditions, SeqPattern *out)
{
	static const char *const ops[] = {"<=", ">=", "==", "<", ">"};
	const char *p = pattern;
	const char *end = pattern + len;
	bool		gap = true;		/* the pattern is not anchored */
	bool		timed = false;	/* a time condition since the last (?N) */
	int64		lo = PG_INT64_MIN;
	int64		hi = PG_INT64_MAX;

	if (len > SEQUENCE_MAX_PATTERN)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("sequence pattern is longer than %d bytes", SEQUENCE_MAX_PATTERN)));
	out->nitems = 0;
	while (p < end)
	{
		int			pos = (int) (p - pattern) + 1;

		CHECK_FOR_INTERRUPTS();
		if (starts_with(p, end, ".*"))
		{
			p += 2;
			gap = true;
		}
		else if (starts_with(p, end, "(?t"))
		{
			const char *op = NULL;
			int64		seconds;

			if (out->nitems == 0)
				pattern_error(pattern, len, pos, "(?N) before a time condition");
			p += 3;
			for (int i = 0; i < lengthof(ops) && op == NULL; i++)
				if (starts_with(p, end, ops[i]))
					op = ops[i];
			if (op == NULL)
				pattern_error(pattern, len, (int) (p - pattern) + 1, "<=, >=, ==, < or >");
			p += strlen(op);
			seconds = read_number(pattern, len, &p, end, SEQUENCE_MAX_SECONDS);
			if (p >= end || *p != ')')
				pattern_error(pattern, len, (int) (p - pattern) + 1, "\")\"");
			p++;
			apply_time_condition(op, seconds, &lo, &hi);
			gap = timed = true;
		}
		else if (starts_with(p, end, "(?"))
		{
			int64		n;
			SeqItem    *item;

			p += 2;
			n = read_number(pattern, len, &p, end, MAX_STEPS);
			if (n < 1 || n > nconditions)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("sequence pattern refers to condition %d at position %d, but %d conditions are given",
								(int) n, pos, nconditions)));
			if (p >= end || *p != ')')
				pattern_error(pattern, len, (int) (p - pattern) + 1, "\")\"");
			p++;
			if (out->nitems == SEQUENCE_MAX_ITEMS)
				ereport(ERROR,
						(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
						 errmsg("sequence pattern has more than %d events (?N)", SEQUENCE_MAX_ITEMS)));
			item = &out->items[out->nitems++];
			item->condition = (int) n - 1;
			item->gap = gap;
			item->min_usecs = timed ? lo : PG_INT64_MIN;
			item->max_usecs = timed ? hi : PG_INT64_MAX;
			gap = timed = false;
			lo = PG_INT64_MIN;
			hi = PG_INT64_MAX;
		}
		else
			pattern_error(pattern, len, pos, "(?N), .* or (?t op seconds)");
	}
	if (out->nitems == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("sequence pattern must contain an event (?N)")));
}

/* A new, empty state in the aggregate context. */
static SeqState *
sequence_new(MemoryContext cxt, const char *pattern, int32 len, int32 nconditions)
{
	SeqState   *state = MemoryContextAllocZero(cxt, sizeof(SeqState));

	state->pattern = MemoryContextAlloc(cxt, Max(len, 1));
	memcpy(state->pattern, pattern, len);
	state->pattern_len = len;
	state->nconditions = nconditions;
	return state;
}

/* Errors unless a state and a row (or two states) have the same pattern and conditions. */
static void
sequence_ensure_same(const SeqState *state, const char *pattern, int32 len, int32 nconditions)
{
	if (state->pattern_len != len || memcmp(state->pattern, pattern, len) != 0 ||
		state->nconditions != nconditions)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("pattern and the number of conditions must be the same for every row of a group")));
}

/* Appends an event, doubling the buffer when full. */
static void
sequence_add(SeqState *state, MemoryContext cxt, TimestampTz t, uint32 conditions)
{
	if (state->count == state->capacity)
	{
		int64		capacity = Max(8, 2 * state->capacity);

		if ((Size) capacity * sizeof(SeqEvent) > MaxAllocHugeSize)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("too many events in one sequence group")));
		state->events = state->events == NULL ?
			MemoryContextAllocHuge(cxt, capacity * sizeof(SeqEvent)) :
			repalloc_huge(state->events, capacity * sizeof(SeqEvent));
		state->capacity = capacity;
	}
	state->events[state->count].time = t;
	state->events[state->count].conditions = conditions;
	state->events[state->count].unused = 0;
	state->count++;
}

/*
 * The shared transition: (pattern, occurred_at, conditions...), the
 * conditions one VARIADIC boolean[] or one argument each.  NULL conditions
 * are false; rows with a NULL time or no condition are not kept.
 */
static SeqState *
sequence_accum_row(FunctionCallInfo fcinfo, bool variadic)
{
	MemoryContext cxt = aggregate_context(fcinfo, "sequence_accum");
	SeqState   *state = PG_ARGISNULL(0) ? NULL : (SeqState *) PG_GETARG_POINTER(0);
	text	   *pattern;
	int			nconditions;
	uint32		conditions;
	TimestampTz t;

	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("pattern must not be null")));
	pattern = PG_GETARG_TEXT_PP(1);
	if (variadic)
		conditions = read_conditions(fcinfo, 3, "conditions", &nconditions, true);
	else
		conditions = read_condition_args(fcinfo, 3, &nconditions);
	if (state == NULL)
	{
		SeqPattern	parsed;

		/* check the pattern once per group, at its first row */
		parse_pattern(VARDATA_ANY(pattern), VARSIZE_ANY_EXHDR(pattern), nconditions, &parsed);
		state = sequence_new(cxt, VARDATA_ANY(pattern), VARSIZE_ANY_EXHDR(pattern), nconditions);
	}
	else
		sequence_ensure_same(state, VARDATA_ANY(pattern), VARSIZE_ANY_EXHDR(pattern), nconditions);
	if (PG_ARGISNULL(2) || conditions == 0)
		return state;
	t = PG_GETARG_TIMESTAMPTZ(2);
	ensure_finite_timestamp(t, "occurred_at");
	sequence_add(state, cxt, t, conditions);
	return state;
}

/* Transition of sequence_match / sequence_count (pattern, occurred_at, VARIADIC conditions). */
Datum
sequence_accum(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(sequence_accum_row(fcinfo, true));
}

/* Transition of the forms with 2 to 8 condition arguments. */
Datum
sequence_args_accum(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(sequence_accum_row(fcinfo, false));
}

/* Combine: appends the events of the second state to the first. */
Datum
sequence_combine(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = aggregate_context(fcinfo, "sequence_combine");
	SeqState   *a = PG_ARGISNULL(0) ? NULL : (SeqState *) PG_GETARG_POINTER(0);
	SeqState   *b = PG_ARGISNULL(1) ? NULL : (SeqState *) PG_GETARG_POINTER(1);

	if (b == NULL)
		PG_RETURN_POINTER(a);
	if (a == NULL)
		a = sequence_new(cxt, b->pattern, b->pattern_len, b->nconditions);
	else
		sequence_ensure_same(a, b->pattern, b->pattern_len, b->nconditions);
	for (int64 i = 0; i < b->count; i++)
	{
		sequence_add(a, cxt, b->events[i].time, b->events[i].conditions);
		if ((i & 0xffff) == 0xffff)
			CHECK_FOR_INTERRUPTS();
	}
	PG_RETURN_POINTER(a);
}

/* Serialise: version, conditions, pattern length and text, count, (time, conditions). */
Datum
sequence_serialize(PG_FUNCTION_ARGS)
{
	SeqState   *state = (SeqState *) PG_GETARG_POINTER(0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, SEQUENCE_SERIAL_VERSION);
	pq_sendint32(&buf, state->nconditions);
	pq_sendint32(&buf, state->pattern_len);
	pq_sendbytes(&buf, state->pattern, state->pattern_len);
	pq_sendint64(&buf, state->count);
	for (int64 i = 0; i < state->count; i++)
	{
		pq_sendint64(&buf, state->events[i].time);
		pq_sendint32(&buf, state->events[i].conditions);
		if ((i & 0xffff) == 0xffff)
			CHECK_FOR_INTERRUPTS();
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* Deserialise: the inverse of sequence_serialize, length-checked. */
Datum
sequence_deserialize(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = aggregate_context(fcinfo, "sequence_deserialize");
	bytea	   *b = PG_GETARG_BYTEA_PP(0);
	StringInfoData buf;
	SeqState   *state;
	int32		nconditions;
	int32		len;
	const char *pattern;
	int64		n;

	initStringInfo(&buf);
	appendBinaryStringInfo(&buf, VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b));
	if (pq_getmsgbyte(&buf) != SEQUENCE_SERIAL_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("unsupported sequence state version")));
	nconditions = pq_getmsgint(&buf, 4);
	len = pq_getmsgint(&buf, 4);
	if (nconditions < 1 || nconditions > MAX_STEPS || len < 0 || len > buf.len - buf.cursor)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid sequence state")));
	pattern = pq_getmsgbytes(&buf, len);
	n = pq_getmsgint64(&buf);
	if (n < 0 || n > (buf.len - buf.cursor) / 12)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid sequence state")));
	state = sequence_new(cxt, pattern, len, nconditions);
	for (int64 i = 0; i < n; i++)
	{
		TimestampTz t = pq_getmsgint64(&buf);

		sequence_add(state, cxt, t, pq_getmsgint(&buf, 4));
		if ((i & 0xffff) == 0xffff)
			CHECK_FOR_INTERRUPTS();
	}
	pq_getmsgend(&buf);
	PG_RETURN_POINTER(state);
}

/*
 * The order of events: by time, then by lowest-numbered condition, then by
 * condition bits (a total order on what is stored, so the answer does not
 * depend on the order of the rows).
 */
static int
cmp_events(const void *pa, const void *pb)
{
	const SeqEvent *a = pa;
	const SeqEvent *b = pb;

	if (a->time != b->time)
		return a->time < b->time ? -1 : 1;
	if (a->conditions != b->conditions)
	{
		int			la = pg_rightmost_one_pos32(a->conditions);
		int			lb = pg_rightmost_one_pos32(b->conditions);

		if (la != lb)
			return la < lb ? -1 : 1;
		return a->conditions < b->conditions ? -1 : 1;
	}
	return 0;
}

/* The first index in [from, to) whose event time is >= t (to when none). */
static int64
first_at_or_after(const SeqEvent *events, int64 from, int64 to, TimestampTz t)
{
	while (from < to)
	{
		int64		mid = from + (to - from) / 2;

		if (events[mid].time < t)
			from = mid + 1;
		else
			to = mid;
	}
	return from;
}

/*
 * The events that end a match of the pattern's items 0..k, for each k: how
 * many, the first and the last, and the list of all of them only when item
 * k + 1 bounds its time from both sides (a range query); otherwise the
 * first or the last decides.
 */
typedef struct SeqHits
{
	int64		count;
	int64		first;
	int64		last;
	int64	   *list;			/* NULL unless needed */
	int64		capacity;
} SeqHits;

/* Records event j as the end of a match of items 0..k. */
static void
add_hit(SeqHits *h, int64 j)
{
	if (h->count == 0)
		h->first = j;
	h->last = j;
	if (h->list != NULL)
	{
		if (h->count == h->capacity)
		{
			h->capacity *= 2;
			h->list = repalloc_huge(h->list, sizeof(int64) * h->capacity);
		}
		h->list[h->count] = j;
	}
	h->count++;
}

/* Is some element of the ascending list hits[0..n) within [lo, hi]? */
static bool
any_hit_between(const int64 *hits, int64 n, int64 lo, int64 hi)
{
	int64		from = 0;
	int64		to = n;

	if (lo > hi || n == 0)
		return false;
	while (from < to)
	{
		int64		mid = from + (to - from) / 2;

		if (hits[mid] < lo)
			from = mid + 1;
		else
			to = mid;
	}
	return from < n && hits[from] <= hi;
}

/*
 * Can event j end a match of items 0..k (given the matches of items 0..k-1
 * among events from..j-1)?
 */
static bool
ends_match(const SeqState *state, const SeqPattern *pattern, const SeqHits *hits,
		   int k, int64 from, int64 j)
{
	const SeqItem *item = &pattern->items[k];
	const SeqEvent *events = state->events;
	const SeqHits *before;
	int64		lo;
	int64		hi;

	if (!(events[j].conditions & ((uint32) 1 << item->condition)))
		return false;
	if (k == 0)
		return true;
	before = &hits[k - 1];
	if (before->count == 0)
		return false;
	if (!item->gap)
		return before->last == j - 1;
	/* some earlier end i < j of items 0..k-1 with time(j) - time(i) in [min, max] */
	lo = item->max_usecs == PG_INT64_MAX ? from :
		first_at_or_after(events, from, j, time_sub(events[j].time, item->max_usecs));
	hi = item->min_usecs == PG_INT64_MIN ? j - 1 :
		first_at_or_after(events, from, j, time_sub(events[j].time, item->min_usecs) + 1) - 1;
	if (before->list != NULL)
		return any_hit_between(before->list, before->count, lo, hi);
	return before->first <= hi && before->last >= lo;	/* one bound at most: lo or hi is open */
}

/*
 * The index of the event that ends the first match (in order of its last
 * event) among the events from..count-1, or -1 when there is none.
 */
static int64
first_match_end(const SeqState *state, const SeqPattern *pattern, SeqHits *hits, int64 from)
{
	int			last = pattern->nitems - 1;

	for (int k = 0; k < pattern->nitems; k++)
		hits[k].count = 0;
	for (int64 j = from; j < state->count; j++)
	{
		CHECK_FOR_INTERRUPTS();
		/* from the last item down: item k at j uses item k - 1 at events before j only */
		for (int k = last; k >= 0; k--)
		{
			if (!ends_match(state, pattern, hits, k, from, j))
				continue;
			if (k == last)
				return j;
			add_hit(&hits[k], j);
		}
	}
	return -1;
}

/* Sorts the events and prepares the pattern and the index lists for matching. */
static void
sequence_prepare(SeqState *state, SeqPattern *pattern, SeqHits *hits)
{
	parse_pattern(state->pattern, state->pattern_len, state->nconditions, pattern);
	if (state->count > 1)
		qsort(state->events, state->count, sizeof(SeqEvent), cmp_events);
	for (int k = 0; k < pattern->nitems; k++)
	{
		const SeqItem *next = k + 1 < pattern->nitems ? &pattern->items[k + 1] : NULL;

		hits[k].list = NULL;
		hits[k].capacity = 0;
		if (next != NULL && next->min_usecs != PG_INT64_MIN && next->max_usecs != PG_INT64_MAX)
		{
			hits[k].capacity = 64;
			hits[k].list = palloc(sizeof(int64) * hits[k].capacity);
		}
	}
}

/* Final of sequence_match: does the pattern match (false for no rows)? */
Datum
sequence_match_final(PG_FUNCTION_ARGS)
{
	SeqState   *state = PG_ARGISNULL(0) ? NULL : (SeqState *) PG_GETARG_POINTER(0);
	SeqPattern	pattern;
	SeqHits		hits[SEQUENCE_MAX_ITEMS];

	if (state == NULL || state->count == 0)
		PG_RETURN_BOOL(false);
	sequence_prepare(state, &pattern, hits);
	PG_RETURN_BOOL(first_match_end(state, &pattern, hits, 0) >= 0);
}

/*
 * Final of sequence_count: the number of non-overlapping matches, each
 * search starting after the last event of the previous match (0 for no rows).
 */
Datum
sequence_count_final(PG_FUNCTION_ARGS)
{
	SeqState   *state = PG_ARGISNULL(0) ? NULL : (SeqState *) PG_GETARG_POINTER(0);
	SeqPattern	pattern;
	SeqHits		hits[SEQUENCE_MAX_ITEMS];
	int64		matches = 0;
	int64		from = 0;

	if (state == NULL || state->count == 0)
		PG_RETURN_INT64(0);
	sequence_prepare(state, &pattern, hits);
	while (from < state->count)
	{
		int64		end = first_match_end(state, &pattern, hits, from);

		if (end < 0)
			break;
		matches++;
		from = end + 1;
	}
	PG_RETURN_INT64(matches);
}

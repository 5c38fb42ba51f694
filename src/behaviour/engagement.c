/*-------------------------------------------------------------------------
 *
 * engagement.c
 *	  Engagement scores: interactions weighted by an exponential decay with
 *	  a half-life h,
 *		  score(as_of) = sum over events t <= as_of of  w * 2^(-(as_of - t) / h),
 *	  and the storable, mergeable state engage.engagement behind incremental
 *	  scores.
 *
 * Exponential decay factors out: score(s) = score(r) * 2^(-(s - r) / h) for
 * s >= r >= the latest event, so a customer's whole history is summarised
 * exactly by the score at one reference time.  engage.engagement keeps it at
 * the latest event time r (never later, so that nothing decays away before
 * it is read).  An event at t adds w * 2^(-(r - t) / h) if t <= r, else the
 * state moves to t: score = score * 2^(-(t - r) / h) + w.  Two states merge
 * the same way, so states built from disjoint sets of events add up to the
 * state of their union, up to floating-point rounding.
 *
 *-------------------------------------------------------------------------
 */
#include "engage.h"

#include "common/int.h"
#include "common/shortest_dec.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/float.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(engagement_score_accum);
PG_FUNCTION_INFO_V1(engagement_in);
PG_FUNCTION_INFO_V1(engagement_out);
PG_FUNCTION_INFO_V1(engagement_recv);
PG_FUNCTION_INFO_V1(engagement_send);
PG_FUNCTION_INFO_V1(engagement_event);
PG_FUNCTION_INFO_V1(engagement_add);
PG_FUNCTION_INFO_V1(engagement_merge);
PG_FUNCTION_INFO_V1(engagement_state_accum);
PG_FUNCTION_INFO_V1(engagement_state_score);
PG_FUNCTION_INFO_V1(engagement_last_event);
PG_FUNCTION_INFO_V1(engagement_events);
PG_FUNCTION_INFO_V1(engagement_half_life);

/* engage.engagement: a fixed-size (32 bytes) value, passed by reference. */
typedef struct Engagement
{
	double		score;			/* the decayed score at last_event */
	TimestampTz last_event;		/* the reference time: the latest event */
	int64		half_life;		/* microseconds */
	int64		events;			/* number of events absorbed, >= 1 */
} Engagement;

#define DatumGetEngagementP(X)	((Engagement *) DatumGetPointer(X))
#define PG_GETARG_ENGAGEMENT_P(n) DatumGetEngagementP(PG_GETARG_DATUM(n))

/*
 * 2^(-(later - earlier) / half_life): 1 at no elapsed time, underflowing to
 * 0.  The difference is taken exactly in microseconds unless it overflows.
 */
static inline double
decay(TimestampTz later, TimestampTz earlier, int64 half_life)
{
	int64		elapsed;

	if (pg_sub_s64_overflow(later, earlier, &elapsed))
		return exp2(-((double) later - (double) earlier) / (double) half_life);
	return exp2(-(double) elapsed / (double) half_life);
}

/* The half-life as an interval of days and time (no month part). */
static void
half_life_interval(int64 half_life, Interval *iv)
{
	iv->month = 0;
	iv->day = (int32) (half_life / USECS_PER_DAY);
	iv->time = half_life % USECS_PER_DAY;
}

/* Errors when a score has overflowed. */
static inline void
ensure_score_in_range(double score)
{
	if (isinf(score))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("engagement score is out of range")));
}

/*
 * Transition of engage.engagement_score(occurred_at, weight, as_of,
 * half_life): adds the decayed weight of one event not after as_of.  The
 * state is checked too: the function can be called directly, and a NaN or
 * infinite sum is not one the aggregate produces.
 */
Datum
engagement_score_accum(PG_FUNCTION_ARGS)
{
	double		sum = PG_GETARG_FLOAT8(0);
	TimestampTz occurred_at = PG_GETARG_TIMESTAMPTZ(1);
	double		weight = PG_GETARG_FLOAT8(2);
	TimestampTz as_of = PG_GETARG_TIMESTAMPTZ(3);
	int64		half_life = interval_fixed_usecs(PG_GETARG_INTERVAL_P(4), "half_life");

	ensure_finite(sum, "engagement_score state");
	ensure_finite_timestamp(occurred_at, "occurred_at");
	ensure_finite_timestamp(as_of, "as_of");
	ensure_finite(weight, "weight");
	if (occurred_at <= as_of)
	{
		sum += weight * decay(as_of, occurred_at, half_life);
		ensure_score_in_range(sum);
	}
	PG_RETURN_FLOAT8(sum);
}

/* Errors unless the fields make a valid engage.engagement value. */
static void
engagement_check(const Engagement *e)
{
	ensure_finite(e->score, "engagement score");
	ensure_finite_timestamp(e->last_event, "engagement last_event");
	if (!IS_VALID_TIMESTAMP(e->last_event))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("engagement last_event is out of range")));
	if (e->half_life <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("engagement half_life must be positive")));
	if (e->events < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("engagement events must be positive")));
}

/* Errors unless both states decay with the same half-life. */
static void
ensure_same_half_life(int64 a, int64 b)
{
	if (a != b)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("engagement states with different half-lives cannot be combined")));
}

/*
 * Adds events with summed score `score` at reference time `at` (and count
 * `events`) to e, keeping e's reference at the later of the two times.
 */
static void
engagement_absorb(Engagement *e, double score, TimestampTz at, int64 events)
{
	if (at > e->last_event)
	{
		e->score = e->score * decay(at, e->last_event, e->half_life) + score;
		e->last_event = at;
	}
	else
		e->score += score * decay(e->last_event, at, e->half_life);
	ensure_score_in_range(e->score);
	if (pg_add_s64_overflow(e->events, events, &e->events))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("engagement event count is out of range")));
}

/* Checks one event's arguments and fills e with the state of that event alone. */
static void
engagement_init(Engagement *e, TimestampTz occurred_at, double weight, int64 half_life)
{
	ensure_finite_timestamp(occurred_at, "occurred_at");
	ensure_finite(weight, "weight");
	e->score = weight;
	e->last_event = occurred_at;
	e->half_life = half_life;
	e->events = 1;
}

/* Skips the blanks at *p. */
static char *
skip_blanks(char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

/*
 * Parses "name=value" at *p up to the next comma (or the closing
 * parenthesis for the last field); returns the value, NUL-terminated and
 * without trailing blanks.
 */
static char *
engagement_field(char **p, const char *name, bool last, const char *input)
{
	char	   *start = skip_blanks(*p);
	size_t		len = strlen(name);
	char	   *end;

	if (strncmp(start, name, len) != 0 || start[len] != '=')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type engagement: \"%s\"", input),
				 errdetail("Expected \"%s=\".", name)));
	start += len + 1;
	end = strchr(start, last ? ')' : ',');
	if (end == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type engagement: \"%s\"", input),
				 errdetail("Expected \"%c\" after %s.", last ? ')' : ',', name)));
	*p = end + 1;
	while (end > start && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n' || end[-1] == '\r'))
		end--;
	*end = '\0';
	return start;
}

/*
 * Text input: "(score=S, last_event=T, half_life=H, events=N)", S a float8,
 * T a timestamptz, H an interval, N a positive bigint.
 */
Datum
engagement_in(PG_FUNCTION_ARGS)
{
	char	   *input = PG_GETARG_CSTRING(0);
	char	   *copy = pstrdup(input);
	char	   *p = skip_blanks(copy);
	char	   *value;
	char	   *endptr;
	Engagement *e = palloc(sizeof(Engagement));

	if (*p != '(')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type engagement: \"%s\"", input),
				 errdetail("Expected \"(\".")));
	p++;
	value = engagement_field(&p, "score", false, input);
	e->score = engage_float8in(value, &endptr, "engagement", input);
	if (*skip_blanks(endptr) != '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type engagement: \"%s\"", input)));
	value = engagement_field(&p, "last_event", false, input);
	e->last_event = DatumGetTimestampTz(DirectFunctionCall3(timestamptz_in,
															CStringGetDatum(value),
															ObjectIdGetDatum(InvalidOid),
															Int32GetDatum(-1)));
	value = engagement_field(&p, "half_life", false, input);
	e->half_life = interval_fixed_usecs(DatumGetIntervalP(DirectFunctionCall3(interval_in,
																			  CStringGetDatum(value),
																			  ObjectIdGetDatum(InvalidOid),
																			  Int32GetDatum(-1))),
										"engagement half_life");
	value = engagement_field(&p, "events", true, input);
	e->events = pg_strtoint64(value);
	if (*skip_blanks(p) != '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type engagement: \"%s\"", input),
				 errdetail("Unexpected text after \")\".")));
	engagement_check(e);
	PG_RETURN_POINTER(e);
}

/*
 * Text output, independent of DateStyle, IntervalStyle, TimeZone and
 * extra_float_digits: the score in the shortest form that reads back
 * exactly, the time in ISO 8601 UTC, the half-life as days and hh:mm:ss.
 */
Datum
engagement_out(PG_FUNCTION_ARGS)
{
	Engagement *e = PG_GETARG_ENGAGEMENT_P(0);
	char		score[DOUBLE_SHORTEST_DECIMAL_LEN];
	char		at[MAXDATELEN + 1];
	char		half_life[MAXDATELEN + 1];
	struct pg_tm tm;
	fsec_t		fsec;
	struct pg_itm itm;
	Interval	iv;

	double_to_shortest_decimal_buf(e->score, score);
	if (timestamp2tm(e->last_event, NULL, &tm, &fsec, NULL, NULL) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range")));
	tm.tm_isdst = 0;			/* UTC: print the "+00" offset */
	EncodeDateTime(&tm, fsec, true, 0, NULL, USE_ISO_DATES, at);
	half_life_interval(e->half_life, &iv);
	interval2itm(iv, &itm);
	EncodeInterval(&itm, INTSTYLE_POSTGRES, half_life);
	PG_RETURN_CSTRING(psprintf("(score=%s, last_event=%s, half_life=%s, events=" INT64_FORMAT ")",
							   score, at, half_life, e->events));
}

/* Binary input: float8 score, then int64 last_event, half_life, events. */
Datum
engagement_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	Engagement *e = palloc(sizeof(Engagement));

	e->score = pq_getmsgfloat8(buf);
	e->last_event = pq_getmsgint64(buf);
	e->half_life = pq_getmsgint64(buf);
	e->events = pq_getmsgint64(buf);
	engagement_check(e);
	PG_RETURN_POINTER(e);
}

/* Binary output, the layout engagement_recv reads. */
Datum
engagement_send(PG_FUNCTION_ARGS)
{
	Engagement *e = PG_GETARG_ENGAGEMENT_P(0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendfloat8(&buf, e->score);
	pq_sendint64(&buf, e->last_event);
	pq_sendint64(&buf, e->half_life);
	pq_sendint64(&buf, e->events);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* engage.engagement(occurred_at, weight, half_life): the state of one event. */
Datum
engagement_event(PG_FUNCTION_ARGS)
{
	Engagement *e = palloc(sizeof(Engagement));

	engagement_init(e, PG_GETARG_TIMESTAMPTZ(0), PG_GETARG_FLOAT8(1),
					interval_fixed_usecs(PG_GETARG_INTERVAL_P(2), "half_life"));
	PG_RETURN_POINTER(e);
}

/* engage.engagement_add(state, occurred_at, weight): the state plus one event. */
Datum
engagement_add(PG_FUNCTION_ARGS)
{
	Engagement *e = palloc(sizeof(Engagement));
	Engagement	event;

	*e = *PG_GETARG_ENGAGEMENT_P(0);
	engagement_init(&event, PG_GETARG_TIMESTAMPTZ(1), PG_GETARG_FLOAT8(2), e->half_life);
	engagement_absorb(e, event.score, event.last_event, event.events);
	PG_RETURN_POINTER(e);
}

/* The + operator, and the combine function of engage.engagement_state. */
Datum
engagement_merge(PG_FUNCTION_ARGS)
{
	Engagement *a = PG_GETARG_ENGAGEMENT_P(0);
	Engagement *b = PG_GETARG_ENGAGEMENT_P(1);
	Engagement *e = palloc(sizeof(Engagement));

	ensure_same_half_life(a->half_life, b->half_life);
	*e = *a;
	engagement_absorb(e, b->score, b->last_event, b->events);
	PG_RETURN_POINTER(e);
}

/*
 * Transition of engage.engagement_state(occurred_at, weight, half_life):
 * absorbs one event, updating the state in place; rows with a NULL are
 * skipped.
 */
Datum
engagement_state_accum(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = aggregate_context(fcinfo, "engagement_state_accum");
	Engagement *e = PG_ARGISNULL(0) ? NULL : PG_GETARG_ENGAGEMENT_P(0);
	Engagement	event;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3))
	{
		if (e == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(e);
	}
	engagement_init(&event, PG_GETARG_TIMESTAMPTZ(1), PG_GETARG_FLOAT8(2),
					interval_fixed_usecs(PG_GETARG_INTERVAL_P(3), "half_life"));
	if (e == NULL)
	{
		e = MemoryContextAlloc(aggcontext, sizeof(Engagement));
		*e = event;
	}
	else
	{
		ensure_same_half_life(e->half_life, event.half_life);
		engagement_absorb(e, event.score, event.last_event, event.events);
	}
	PG_RETURN_POINTER(e);
}

/*
 * engage.engagement_score(state, as_of): the score decayed to as_of, which
 * must not be before the state's last event (the state cannot tell which
 * of its events came after an earlier time).
 */
Datum
engagement_state_score(PG_FUNCTION_ARGS)
{
	Engagement *e = PG_GETARG_ENGAGEMENT_P(0);
	TimestampTz as_of = PG_GETARG_TIMESTAMPTZ(1);

	ensure_finite_timestamp(as_of, "as_of");
	if (as_of < e->last_event)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("as_of must not be before the last event of the engagement state"),
				 errdetail("The state includes an event at %s.",
						   timestamptz_to_str(e->last_event)),
				 errhint("Use the aggregate engage.engagement_score to score an earlier time from the events.")));
	PG_RETURN_FLOAT8(e->score * decay(as_of, e->last_event, e->half_life));
}

/* The time of the latest event of a state. */
Datum
engagement_last_event(PG_FUNCTION_ARGS)
{
	PG_RETURN_TIMESTAMPTZ(PG_GETARG_ENGAGEMENT_P(0)->last_event);
}

/* The number of events of a state. */
Datum
engagement_events(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(PG_GETARG_ENGAGEMENT_P(0)->events);
}

/* The half-life of a state, as an interval of days and time. */
Datum
engagement_half_life(PG_FUNCTION_ARGS)
{
	Interval   *iv = palloc(sizeof(Interval));

	half_life_interval(PG_GETARG_ENGAGEMENT_P(0)->half_life, iv);
	PG_RETURN_INTERVAL_P(iv);
}

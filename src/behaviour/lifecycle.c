/*-------------------------------------------------------------------------
 *
 * lifecycle.c
 *	  Lifecycle stage of one customer at a reference time as_of, from the
 *	  times of its interactions: engage.lifecycle_stage (fixed thresholds)
 *	  and engage.lifecycle_stage_personal (thresholds scaled to the
 *	  customer's own median gap between interaction days).
 *
 * With r = as_of - last interaction and thresholds a <= d <= c
 * (the arguments active_within, dormant_after, churn_after), the stage is
 *	  new			first interaction >= as_of - a;
 *	  reactivated	r <= a, and the most recent run of activity (interactions
 *					separated by gaps of at most c) follows a silence longer
 *					than c and starts at or after as_of - a;
 *	  active		r <= a otherwise;
 *	  at_risk		a < r <= d;  lapsed  d < r <= c;  churned  r > c.
 * Interactions after as_of are ignored.
 *
 * The fixed-threshold state is exact in O(1) memory: the window
 * [as_of - a, as_of] is no longer than c, so a gap longer than c can end
 * inside the window only when it starts before it; the reactivation rule
 * therefore needs only the latest interaction before the window and the
 * earliest one inside it.  Together with the first and last interaction
 * these are minima and maxima, so states combine exactly in any row order.
 *
 * The personalised aggregate keeps the distinct interaction times (8 bytes
 * each), because the median gap needs all of them; see personal_thresholds.
 *
 *-------------------------------------------------------------------------
 */
#include "engage.h"
#include "timebuf.h"

#include "catalog/pg_enum.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(lifecycle_stage_accum);
PG_FUNCTION_INFO_V1(lifecycle_stage_combine);
PG_FUNCTION_INFO_V1(lifecycle_stage_serialize);
PG_FUNCTION_INFO_V1(lifecycle_stage_deserialize);
PG_FUNCTION_INFO_V1(lifecycle_stage_final);
PG_FUNCTION_INFO_V1(lifecycle_personal_accum);
PG_FUNCTION_INFO_V1(lifecycle_personal_combine);
PG_FUNCTION_INFO_V1(lifecycle_personal_serialize);
PG_FUNCTION_INFO_V1(lifecycle_personal_deserialize);
PG_FUNCTION_INFO_V1(lifecycle_personal_final);

/* Values of engage.stage, in declaration order. */
typedef enum Stage
{
	STAGE_NEW,
	STAGE_ACTIVE,
	STAGE_REACTIVATED,
	STAGE_AT_RISK,
	STAGE_LAPSED,
	STAGE_CHURNED,
	STAGE_COUNT
} Stage;

static const char *const stage_labels[STAGE_COUNT] = {
	"new", "active", "reactivated", "at_risk", "lapsed", "churned"
};

/*
 * The label engage 0.1.0 gave STAGE_LAPSED ("dormant", renamed so as not to
 * clash with the dormant status of the lifecycle report): a database still
 * on the 0.1.0 SQL keeps working with this library.
 */
#define STAGE_LAPSED_LABEL_0_1 "dormant"

/* Version byte leading every serialised state of this file. */
#define LIFECYCLE_SERIAL_VERSION 1

/*
 * Personalised thresholds: by default at_risk after 2, lapsed after 4,
 * churned after 8 median gaps, once the customer has at least 3 gaps
 * between distinct days.
 */
#define PERSONAL_MIN_GAPS 3
#define PERSONAL_AT_RISK_GAPS 2.0
#define PERSONAL_LAPSED_GAPS 4.0
#define PERSONAL_CHURN_GAPS 8.0

/* The reference time and thresholds (microseconds) of one aggregate call. */
typedef struct StageParams
{
	TimestampTz as_of;
	int64		active_within;
	int64		dormant_after;
	int64		churn_after;
} StageParams;

/*
 * What the stage rules need to know of the interactions at or before as_of,
 * for the window [as_of - active_within, as_of].
 */
typedef struct StageSummary
{
	int64		count;			/* interactions seen (0: the rest is unset) */
	TimestampTz first;			/* earliest interaction */
	TimestampTz last;			/* latest interaction */
	bool		has_before;		/* any interaction before the window? */
	TimestampTz last_before;	/* latest interaction before the window */
	bool		has_within;		/* any interaction inside the window? */
	TimestampTz first_within;	/* earliest interaction inside the window */
} StageSummary;

/* State of engage.lifecycle_stage: 88 bytes per group, whatever the number of rows. */
typedef struct StageState
{
	StageParams params;
	StageSummary summary;
} StageState;

/*
 * State of engage.lifecycle_stage_personal: the parameters and the
 * interaction times at or before as_of, deduplicated when the buffer fills
 * (8 bytes per distinct time, at most four times that allocated, or 64
 * times).
 */
typedef struct PersonalState
{
	StageParams params;
	double		multiples[3];	/* at_risk, lapsed, churn thresholds in median gaps */
	TimeBuf		times;			/* TimestampTz records, unsorted until compacted */
} PersonalState;

/*
 * Reads and checks as_of and the three thresholds: transition-function
 * arguments 2-5 (argument 0 is the state, 1 the interaction time).
 */
static StageParams
read_stage_params(FunctionCallInfo fcinfo)
{
	static const char *const names[] = {"as_of", "active_within", "dormant_after", "churn_after"};
	StageParams p;

	for (int i = 0; i < 4; i++)
		if (PG_ARGISNULL(i + 2))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s must not be null", names[i])));
	p.as_of = PG_GETARG_TIMESTAMPTZ(2);
	ensure_finite_timestamp(p.as_of, "as_of");
	p.active_within = interval_fixed_usecs(PG_GETARG_INTERVAL_P(3), "active_within");
	p.dormant_after = interval_fixed_usecs(PG_GETARG_INTERVAL_P(4), "dormant_after");
	p.churn_after = interval_fixed_usecs(PG_GETARG_INTERVAL_P(5), "churn_after");
	if (p.active_within > p.dormant_after || p.dormant_after > p.churn_after)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("thresholds must satisfy active_within <= dormant_after <= churn_after")));
	return p;
}

/* Errors unless every row of a group gives the same reference and thresholds. */
static void
ensure_same_params(const StageParams *a, const StageParams *b)
{
	if (a->as_of != b->as_of || a->active_within != b->active_within ||
		a->dormant_after != b->dormant_after || a->churn_after != b->churn_after)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("as_of and the thresholds must be the same for every row of a group")));
}

/* Start of the activity window [as_of - active_within, as_of]. */
static TimestampTz
window_start(const StageParams *p)
{
	return time_sub(p->as_of, p->active_within);
}

/* Adds one interaction (at or before as_of) to a summary. */
static void
summary_add(StageSummary *s, const StageParams *p, TimestampTz t)
{
	bool		within = t >= window_start(p);

	if (s->count == 0)
	{
		s->first = s->last = t;
		s->has_before = s->has_within = false;
	}
	else
	{
		s->first = Min(s->first, t);
		s->last = Max(s->last, t);
	}
	s->count++;
	if (within && (!s->has_within || t < s->first_within))
	{
		s->first_within = t;
		s->has_within = true;
	}
	if (!within && (!s->has_before || t > s->last_before))
	{
		s->last_before = t;
		s->has_before = true;
	}
}

/* Merges summary b into a (both for the same parameters). */
static void
summary_merge(StageSummary *a, const StageSummary *b)
{
	if (b->count == 0)
		return;
	if (a->count == 0)
	{
		*a = *b;
		return;
	}
	if (pg_add_s64_overflow(a->count, b->count, &a->count))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("lifecycle interaction count is out of range")));
	a->first = Min(a->first, b->first);
	a->last = Max(a->last, b->last);
	if (b->has_within && (!a->has_within || b->first_within < a->first_within))
		a->first_within = b->first_within;
	a->has_within |= b->has_within;
	if (b->has_before && (!a->has_before || b->last_before > a->last_before))
		a->last_before = b->last_before;
	a->has_before |= b->has_before;
}

/* The stage of a non-empty summary of a customer that is not new. */
static Stage
classify_returning(const StageSummary *s, const StageParams *p)
{
	int64		r = time_sub(p->as_of, s->last);

	if (r <= p->active_within)
	{
		if (s->has_before && time_sub(s->first_within, s->last_before) > p->churn_after)
			return STAGE_REACTIVATED;
		return STAGE_ACTIVE;
	}
	if (r <= p->dormant_after)
		return STAGE_AT_RISK;
	if (r <= p->churn_after)
		return STAGE_LAPSED;
	return STAGE_CHURNED;
}

/* The stage of a non-empty summary under the rules in the file header. */
static Stage
classify(const StageSummary *s, const StageParams *p)
{
	if (s->first >= window_start(p))
		return STAGE_NEW;
	return classify_returning(s, p);
}

/* The engage.stage value (enum OID) of a stage, for the function's result type. */
static Datum
stage_datum(FunctionCallInfo fcinfo, Stage stage)
{
	Oid		   *oids = (Oid *) fcinfo->flinfo->fn_extra;

	if (oids == NULL)
	{
		Oid			typoid = get_fn_expr_rettype(fcinfo->flinfo);

		if (!OidIsValid(typoid) || !type_is_enum(typoid))
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("stage function must return the engage.stage enum")));
		oids = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, sizeof(Oid) * STAGE_COUNT);
		for (int i = 0; i < STAGE_COUNT; i++)
		{
			oids[i] = GetSysCacheOid2(ENUMTYPOIDNAME, Anum_pg_enum_oid,
									  ObjectIdGetDatum(typoid),
									  CStringGetDatum(stage_labels[i]));
			if (!OidIsValid(oids[i]) && i == STAGE_LAPSED)
				oids[i] = GetSysCacheOid2(ENUMTYPOIDNAME, Anum_pg_enum_oid,
										  ObjectIdGetDatum(typoid),
										  CStringGetDatum(STAGE_LAPSED_LABEL_0_1));
			if (!OidIsValid(oids[i]))
				ereport(ERROR,
						(errcode(ERRCODE_UNDEFINED_OBJECT),
						 errmsg("engage.stage has no label \"%s\"", stage_labels[i])));
		}
		fcinfo->flinfo->fn_extra = oids;
	}
	return ObjectIdGetDatum(oids[stage]);
}

/* Reads a row's interaction time: false for NULL or a time after as_of. */
static bool
read_interaction(FunctionCallInfo fcinfo, const StageParams *p, TimestampTz *t)
{
	if (PG_ARGISNULL(1))
		return false;
	*t = PG_GETARG_TIMESTAMPTZ(1);
	ensure_finite_timestamp(*t, "occurred_at");
	return *t <= p->as_of;
}

/* Writes the parameters into a serialised state. */
static void
send_params(StringInfo buf, const StageParams *p)
{
	pq_sendbyte(buf, LIFECYCLE_SERIAL_VERSION);
	pq_sendint64(buf, p->as_of);
	pq_sendint64(buf, p->active_within);
	pq_sendint64(buf, p->dormant_after);
	pq_sendint64(buf, p->churn_after);
}

/* Reads the parameters of a serialised state, checking its version. */
static StageParams
recv_params(StringInfo buf)
{
	StageParams p;

	if (pq_getmsgbyte(buf) != LIFECYCLE_SERIAL_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("unsupported lifecycle state version")));
	p.as_of = pq_getmsgint64(buf);
	p.active_within = pq_getmsgint64(buf);
	p.dormant_after = pq_getmsgint64(buf);
	p.churn_after = pq_getmsgint64(buf);
	return p;
}

/* ---- engage.lifecycle_stage ---- */

/* Transition: folds one interaction into the O(1) summary. */
Datum
lifecycle_stage_accum(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = aggregate_context(fcinfo, "lifecycle_stage_accum");
	StageState *state = PG_ARGISNULL(0) ? NULL : (StageState *) PG_GETARG_POINTER(0);
	StageParams p = read_stage_params(fcinfo);
	TimestampTz t;

	if (state == NULL)
	{
		state = MemoryContextAllocZero(aggcontext, sizeof(StageState));
		state->params = p;
	}
	else
		ensure_same_params(&state->params, &p);
	if (read_interaction(fcinfo, &state->params, &t))
		summary_add(&state->summary, &state->params, t);
	PG_RETURN_POINTER(state);
}

/* Combine: merges two summaries computed with the same parameters. */
Datum
lifecycle_stage_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = aggregate_context(fcinfo, "lifecycle_stage_combine");
	StageState *a = PG_ARGISNULL(0) ? NULL : (StageState *) PG_GETARG_POINTER(0);
	StageState *b = PG_ARGISNULL(1) ? NULL : (StageState *) PG_GETARG_POINTER(1);

	if (b == NULL)
		PG_RETURN_POINTER(a);
	if (a == NULL)
	{
		a = MemoryContextAlloc(aggcontext, sizeof(StageState));
		*a = *b;
		PG_RETURN_POINTER(a);
	}
	ensure_same_params(&a->params, &b->params);
	summary_merge(&a->summary, &b->summary);
	PG_RETURN_POINTER(a);
}

/* Serialise: version, parameters, then the summary fields. */
Datum
lifecycle_stage_serialize(PG_FUNCTION_ARGS)
{
	StageState *state = (StageState *) PG_GETARG_POINTER(0);
	const StageSummary *s = &state->summary;
	StringInfoData buf;

	pq_begintypsend(&buf);
	send_params(&buf, &state->params);
	pq_sendint64(&buf, s->count);
	pq_sendint64(&buf, s->first);
	pq_sendint64(&buf, s->last);
	pq_sendbyte(&buf, s->has_before);
	pq_sendint64(&buf, s->last_before);
	pq_sendbyte(&buf, s->has_within);
	pq_sendint64(&buf, s->first_within);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* Deserialise: the inverse of lifecycle_stage_serialize, length-checked. */
Datum
lifecycle_stage_deserialize(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = aggregate_context(fcinfo, "lifecycle_stage_deserialize");
	bytea	   *b = PG_GETARG_BYTEA_PP(0);
	StringInfoData buf;
	StageState *state = MemoryContextAlloc(aggcontext, sizeof(StageState));
	StageSummary *s = &state->summary;

	initStringInfo(&buf);
	appendBinaryStringInfo(&buf, VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b));
	state->params = recv_params(&buf);
	s->count = pq_getmsgint64(&buf);
	s->first = pq_getmsgint64(&buf);
	s->last = pq_getmsgint64(&buf);
	s->has_before = pq_getmsgbyte(&buf) != 0;
	s->last_before = pq_getmsgint64(&buf);
	s->has_within = pq_getmsgbyte(&buf) != 0;
	s->first_within = pq_getmsgint64(&buf);
	pq_getmsgend(&buf);
	if (s->count < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid lifecycle state count")));
	PG_RETURN_POINTER(state);
}

/* Final: the stage, NULL when no interaction lies at or before as_of. */
Datum
lifecycle_stage_final(PG_FUNCTION_ARGS)
{
	StageState *state = PG_ARGISNULL(0) ? NULL : (StageState *) PG_GETARG_POINTER(0);

	if (state == NULL || state->summary.count == 0)
		PG_RETURN_NULL();
	return stage_datum(fcinfo, classify(&state->summary, &state->params));
}

/* ---- engage.lifecycle_stage_personal ---- */

/* A new, empty personalised state in the aggregate context. */
static PersonalState *
personal_new(MemoryContext aggcontext, const StageParams *p, const double *multiples)
{
	PersonalState *state = MemoryContextAlloc(aggcontext, sizeof(PersonalState));

	state->params = *p;
	memcpy(state->multiples, multiples, sizeof(state->multiples));
	timebuf_init(&state->times, aggcontext, sizeof(TimestampTz), NULL);
	return state;
}

/*
 * Reads the multiples of the median gap (transition-function arguments 6-8
 * when given, else the defaults) and checks that they are positive and
 * ordered.
 */
static void
read_multiples(FunctionCallInfo fcinfo, double *m)
{
	static const char *const names[] = {"at_risk_gaps", "dormant_gaps", "churn_gaps"};

	m[0] = PERSONAL_AT_RISK_GAPS;
	m[1] = PERSONAL_LAPSED_GAPS;
	m[2] = PERSONAL_CHURN_GAPS;
	if (PG_NARGS() < 9)
		return;
	for (int i = 0; i < 3; i++)
	{
		if (PG_ARGISNULL(i + 6))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s must not be null", names[i])));
		m[i] = PG_GETARG_FLOAT8(i + 6);
		ensure_positive(m[i], names[i]);
	}
	if (m[0] > m[1] || m[1] > m[2])
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("multiples must satisfy at_risk_gaps <= dormant_gaps <= churn_gaps")));
}

/* Errors unless two personalised states use the same parameters and multiples. */
static void
ensure_same_personal(const PersonalState *state, const StageParams *p, const double *m)
{
	ensure_same_params(&state->params, p);
	if (memcmp(state->multiples, m, sizeof(state->multiples)) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the multiples must be the same for every row of a group")));
}

/*
 * Transition of both forms of lifecycle_stage_personal: appends one
 * interaction time (cheap; sorted once at the end).
 */
Datum
lifecycle_personal_accum(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = aggregate_context(fcinfo, "lifecycle_personal_accum");
	PersonalState *state = PG_ARGISNULL(0) ? NULL : (PersonalState *) PG_GETARG_POINTER(0);
	StageParams p = read_stage_params(fcinfo);
	double		m[3];
	TimestampTz t;

	read_multiples(fcinfo, m);
	if (state == NULL)
		state = personal_new(aggcontext, &p, m);
	else
		ensure_same_personal(state, &p, m);
	if (read_interaction(fcinfo, &state->params, &t) &&
		(state->times.count == 0 ||
		 timebuf_time(&state->times, state->times.count - 1) != t))
		*(TimestampTz *) timebuf_append(&state->times) = t;
	PG_RETURN_POINTER(state);
}

/* Combine: appends the times of the second state to the first. */
Datum
lifecycle_personal_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = aggregate_context(fcinfo, "lifecycle_personal_combine");
	PersonalState *a = PG_ARGISNULL(0) ? NULL : (PersonalState *) PG_GETARG_POINTER(0);
	PersonalState *b = PG_ARGISNULL(1) ? NULL : (PersonalState *) PG_GETARG_POINTER(1);

	if (b == NULL)
		PG_RETURN_POINTER(a);
	if (a == NULL)
		a = personal_new(aggcontext, &b->params, b->multiples);
	else
		ensure_same_personal(a, &b->params, b->multiples);
	timebuf_append_all(&a->times, &b->times);
	PG_RETURN_POINTER(a);
}

/* Serialise: version, parameters, multiples, count, then the sorted distinct times. */
Datum
lifecycle_personal_serialize(PG_FUNCTION_ARGS)
{
	PersonalState *state = (PersonalState *) PG_GETARG_POINTER(0);
	StringInfoData buf;

	timebuf_compact(&state->times);
	pq_begintypsend(&buf);
	send_params(&buf, &state->params);
	for (int i = 0; i < 3; i++)
		pq_sendfloat8(&buf, state->multiples[i]);
	pq_sendint64(&buf, state->times.count);
	for (int64 i = 0; i < state->times.count; i++)
	{
		pq_sendint64(&buf, timebuf_time(&state->times, i));
		if ((i & 0xffff) == 0xffff)
			CHECK_FOR_INTERRUPTS();
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* Deserialise: the inverse of lifecycle_personal_serialize, length-checked. */
Datum
lifecycle_personal_deserialize(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = aggregate_context(fcinfo, "lifecycle_personal_deserialize");
	bytea	   *b = PG_GETARG_BYTEA_PP(0);
	StringInfoData buf;
	StageParams p;
	double		m[3];
	PersonalState *state;
	int64		n;

	initStringInfo(&buf);
	appendBinaryStringInfo(&buf, VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b));
	p = recv_params(&buf);
	for (int i = 0; i < 3; i++)
		m[i] = pq_getmsgfloat8(&buf);
	n = pq_getmsgint64(&buf);
	if (n < 0 || n > (buf.len - buf.cursor) / (int64) sizeof(int64))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid lifecycle state length")));
	state = personal_new(aggcontext, &p, m);
	for (int64 i = 0; i < n; i++)
	{
		*(TimestampTz *) timebuf_append(&state->times) = pq_getmsgint64(&buf);
		if ((i & 0xffff) == 0xffff)
			CHECK_FOR_INTERRUPTS();
	}
	pq_getmsgend(&buf);
	PG_RETURN_POINTER(state);
}

/* A number of days in microseconds, saturated to the int64 range. */
static int64
days_to_usecs(double days)
{
	double		usecs = days * USECS_PER_DAY;

	return usecs >= (double) PG_INT64_MAX ? PG_INT64_MAX : (int64) usecs;
}

/*
 * The personalised thresholds of sorted distinct times: the state's
 * multiples of the median gap between distinct UTC days when there are at
 * least PERSONAL_MIN_GAPS gaps, else the fixed ones.
 */
static StageParams
personal_thresholds(const PersonalState *state)
{
	StageParams p = state->params;
	const TimeBuf *times = &state->times;
	int64	   *gaps = MemoryContextAllocHuge(CurrentMemoryContext,
											  Max(times->count, 1) * sizeof(int64));
	int64		ngaps = 0;
	int64		prev_day = 0;
	double		median;

	for (int64 i = 0; i < times->count; i++)
	{
		TimestampTz t = timebuf_time(times, i);
		int64		day = t / USECS_PER_DAY - (t % USECS_PER_DAY < 0 ? 1 : 0);

		if (i > 0 && day != prev_day)
			gaps[ngaps++] = day - prev_day;
		prev_day = day;
		if ((i & 0xffff) == 0xffff)
			CHECK_FOR_INTERRUPTS();
	}
	if (ngaps >= PERSONAL_MIN_GAPS)
	{
		qsort_interruptible(gaps, ngaps, sizeof(int64), cmp_leading_int64, NULL);
		median = ngaps % 2 ? (double) gaps[ngaps / 2] :
			(gaps[ngaps / 2 - 1] + gaps[ngaps / 2]) / 2.0;
		p.active_within = days_to_usecs(state->multiples[0] * median);
		p.dormant_after = days_to_usecs(state->multiples[1] * median);
		p.churn_after = days_to_usecs(state->multiples[2] * median);
	}
	pfree(gaps);
	return p;
}

/*
 * Final: the stage under the personalised thresholds; the new rule keeps
 * the fixed active_within.  NULL when no interaction lies at or before as_of.
 */
Datum
lifecycle_personal_final(PG_FUNCTION_ARGS)
{
	PersonalState *state = PG_ARGISNULL(0) ? NULL : (PersonalState *) PG_GETARG_POINTER(0);
	StageParams p;
	StageSummary s = {0};

	if (state == NULL || state->times.count == 0)
		PG_RETURN_NULL();
	timebuf_compact(&state->times);
	if (timebuf_time(&state->times, 0) >= window_start(&state->params))
		return stage_datum(fcinfo, STAGE_NEW);
	p = personal_thresholds(state);
	for (int64 i = 0; i < state->times.count; i++)
	{
		summary_add(&s, &p, timebuf_time(&state->times, i));
		if ((i & 0xffff) == 0xffff)
			CHECK_FOR_INTERRUPTS();
	}
	return stage_datum(fcinfo, classify_returning(&s, &p));
}

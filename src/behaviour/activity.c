/*-------------------------------------------------------------------------
 *
 * activity.c
 *	  The engage.activity type: the set of periods in which a customer was
 *	  active, as a bitmap.  Built by the aggregate engage.activity_periods
 *	  (period index floor((occurred_at - origin) / period)), read by the
 *	  per-period lifecycle report engage.lifecycle (PostHog's definitions:
 *	  new, returning, resurrecting, dormant) and by stickiness functions
 *	  (active periods among the last n, current and longest streak).
 *
 * Periods are of fixed length (floor((occurred_at - origin) / period)) or
 * calendar months: with a period of n months ('1 month', '3 months' for
 * quarters, '1 year'), the index is floor(m / n) where m counts calendar
 * months from the month of origin to the month of occurred_at, both read in
 * a time zone (the session's TimeZone, or one the query names), so that
 * period 0 is the whole calendar month (quarter, year) that holds origin.
 *
 * Storage: a varlena holding the index of the first period covered (a
 * multiple of 8) and one bit per period from there, so that two values OR
 * together byte by byte.  The value is canonical: its first and last bytes
 * are non-zero (the empty set has no bytes and base 0).  A value spans at
 * most about ACTIVITY_MAX_SPAN periods (125 kB), which bounds the memory of
 * the aggregate per group.  Periods before origin have negative indexes.
 *
 *-------------------------------------------------------------------------
 */
#include "engage.h"
#include "localday.h"

#include <ctype.h>
#include <limits.h>

#include "common/int.h"
/* funcapi.h pulls in PostgreSQL 15 headers that trip -Wunused-parameter. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "funcapi.h"
#pragma GCC diagnostic pop
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "common/hashfn.h"
#include "port/pg_bitutils.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(activity_in);
PG_FUNCTION_INFO_V1(activity_out);
PG_FUNCTION_INFO_V1(activity_recv);
PG_FUNCTION_INFO_V1(activity_send);
PG_FUNCTION_INFO_V1(activity_periods_accum);
PG_FUNCTION_INFO_V1(activity_periods_combine);
PG_FUNCTION_INFO_V1(activity_periods_serialize);
PG_FUNCTION_INFO_V1(activity_periods_deserialize);
PG_FUNCTION_INFO_V1(activity_periods_final);
PG_FUNCTION_INFO_V1(activity_eq);
PG_FUNCTION_INFO_V1(activity_ne);
PG_FUNCTION_INFO_V1(activity_hash);
PG_FUNCTION_INFO_V1(activity_union);
PG_FUNCTION_INFO_V1(activity_period_of);
PG_FUNCTION_INFO_V1(activity_period_of_zone);
PG_FUNCTION_INFO_V1(activity_is_active);
PG_FUNCTION_INFO_V1(activity_count);
PG_FUNCTION_INFO_V1(activity_first_period);
PG_FUNCTION_INFO_V1(activity_last_period);
PG_FUNCTION_INFO_V1(activity_active_in_last);
PG_FUNCTION_INFO_V1(activity_current_streak);
PG_FUNCTION_INFO_V1(activity_longest_streak);
PG_FUNCTION_INFO_V1(activity_lifecycle);

/*
 * Every span (first to last active period) up to ACTIVITY_MAX_SPAN periods
 * fits in ACTIVITY_MAX_BYTES bitmap bytes, whatever its alignment; spans of
 * up to 7 more periods may fit as well.
 */
#define ACTIVITY_MAX_SPAN 1000000
#define ACTIVITY_MAX_BYTES (ACTIVITY_MAX_SPAN / 8 + 1)

#define ACTIVITY_SERIAL_VERSION 1

/* The stored value: 8 bytes of header, then the bitmap. */
typedef struct Activity
{
	int32		vl_len_;		/* varlena header */
	int32		base;			/* period of bit 0 of bits[0]; a multiple of 8 */
	uint8		bits[FLEXIBLE_ARRAY_MEMBER];	/* bit j of bits[i]: period base + 8i + j */
} Activity;

#define ACTIVITY_HDRSZ offsetof(Activity, bits)
#define PG_GETARG_ACTIVITY_P(n) ((Activity *) PG_DETOAST_DATUM(PG_GETARG_DATUM(n)))

/*
 * State of engage.activity_periods: the bitmap bytes [base_byte,
 * base_byte + capacity), with active bytes lo_byte..hi_byte; at most
 * ACTIVITY_MAX_BYTES + 56 bytes per group.
 */
typedef struct ActivityState
{
	TimestampTz origin;
	int64		period;			/* microseconds, or minus the number of
								 * months of a calendar period */
	bool		any;			/* any period set? (else the rest is unset) */
	int32		base_byte;		/* byte index (period / 8) of bits[0] */
	int32		capacity;		/* allocated bytes */
	int32		lo_byte;		/* first byte with an active period */
	int32		hi_byte;		/* last byte with an active period */
	uint8	   *bits;
} ActivityState;

/* floor(p / 8): the byte index holding period p. */
static inline int32
byte_of(int32 p)
{
	return p >= 0 ? p / 8 : -((-(int64) p + 7) / 8);
}

/* The bit of period p within its byte. */
static inline int
bit_of(int32 p)
{
	return (int) ((int64) p - (int64) byte_of(p) * 8);
}

static inline int32
activity_nbytes(const Activity *a)
{
	return VARSIZE(a) - ACTIVITY_HDRSZ;
}

/* Is period p in the set? */
static bool
activity_has(const Activity *a, int64 p)
{
	int64		i;

	if (p < INT_MIN || p > INT_MAX)
		return false;
	i = byte_of((int32) p) - byte_of(a->base);
	if (i < 0 || i >= activity_nbytes(a))
		return false;
	return (a->bits[i] >> bit_of((int32) p)) & 1;
}

/* First active period of a non-empty value. */
static int32
activity_first(const Activity *a)
{
	return a->base + pg_rightmost_one_pos32(a->bits[0]);
}

/* Last active period of a non-empty value. */
static int32
activity_last(const Activity *a)
{
	int32		n = activity_nbytes(a);

	return a->base + 8 * (n - 1) + pg_leftmost_one_pos32(a->bits[n - 1]);
}

/* Errors when the byte range lo..hi spans more than ACTIVITY_MAX_SPAN periods. */
static void
ensure_span(int64 lo_byte, int64 hi_byte)
{
	if (hi_byte - lo_byte + 1 > ACTIVITY_MAX_BYTES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("activity spans more than %d periods", ACTIVITY_MAX_SPAN),
				 errhint("Use a longer period or a later origin.")));
}

/* A zeroed value covering the bytes lo_byte..hi_byte (empty when hi < lo). */
static Activity *
activity_alloc(int32 lo_byte, int32 hi_byte)
{
	int32		n = hi_byte >= lo_byte ? hi_byte - lo_byte + 1 : 0;
	Activity   *a;

	ensure_span(lo_byte, hi_byte);
	a = palloc0(ACTIVITY_HDRSZ + n);
	SET_VARSIZE(a, ACTIVITY_HDRSZ + n);
	a->base = n > 0 ? lo_byte * 8 : 0;
	return a;
}

/* ---- text and binary I/O ---- */

/* Errors for text that is not an activity literal. */
static void
syntax_error(const char *str)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type activity: \"%s\"", str),
			 errdetail("Expected active periods and ranges in braces, e.g. {0-3,5,-2}.")));
}

/* Reads a signed 32-bit integer at *p, advancing *p. */
static int32
parse_period(const char **p, const char *str)
{
	char	   *end;
	long		v;

	while (isspace((unsigned char) **p))
		(*p)++;
	errno = 0;
	v = strtol(*p, &end, 10);
	if (end == *p)
		syntax_error(str);
	if (errno == ERANGE || v < INT_MIN || v > INT_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("period %s is out of range for type integer", pnstrdup(*p, end - *p))));
	*p = end;
	while (isspace((unsigned char) **p))
		(*p)++;
	return (int32) v;
}

/*
 * Reads the item at *p of a literal (a period, or an inclusive range
 * "from-to" with from <= to) and the separator after it, advancing *p past
 * both.  Returns true when a comma followed (another item comes), false at
 * the closing brace, after which only blanks may follow.
 */
static bool
literal_item(const char **p, const char *str, int32 *from, int32 *to)
{
	*from = *to = parse_period(p, str);
	if (**p == '-')
	{
		(*p)++;
		*to = parse_period(p, str);
		if (*to < *from)
			syntax_error(str);
	}
	if (**p == ',')
	{
		(*p)++;
		return true;
	}
	if (**p != '}')
		syntax_error(str);
	for ((*p)++; isspace((unsigned char) **p); (*p)++)
		;
	if (**p != '\0')
		syntax_error(str);
	return false;
}

/*
 * Input: "{a,b-c,...}", periods and inclusive ranges in any order, possibly
 * overlapping.  Linear in the length of the text plus the span: a first
 * pass checks the syntax and finds the span (rejecting one that is too wide
 * as soon as it is seen), a second counts the ranges open at each period
 * (+1 where one starts, -1 after it ends) and a sweep sets the periods
 * where that count is positive.  Both passes check for interrupts.
 */
Datum
activity_in(PG_FUNCTION_ARGS)
{
	const char *str = PG_GETARG_CSTRING(0);
	const char *items = str;
	const char *p;
	int32		from;
	int32		to;
	int32		lo = INT_MAX;
	int32		hi = INT_MIN;
	bool		more;
	int64		nperiods;
	int32	   *opened;
	int32		open = 0;
	Activity   *a;

	while (isspace((unsigned char) *items))
		items++;
	if (*items++ != '{')
		syntax_error(str);
	while (isspace((unsigned char) *items))
		items++;
	if (*items == '}')
	{
		for (p = items + 1; isspace((unsigned char) *p); p++)
			;
		if (*p != '\0')
			syntax_error(str);
		PG_RETURN_POINTER(activity_alloc(0, -1));
	}

	p = items;
	do
	{
		CHECK_FOR_INTERRUPTS();
		more = literal_item(&p, str, &from, &to);
		lo = Min(lo, from);
		hi = Max(hi, to);
		ensure_span(byte_of(lo), byte_of(hi));
	} while (more);

	a = activity_alloc(byte_of(lo), byte_of(hi));
	nperiods = 8 * (int64) activity_nbytes(a);
	opened = palloc0((nperiods + 1) * sizeof(int32));
	p = items;
	do
	{
		CHECK_FOR_INTERRUPTS();
		more = literal_item(&p, str, &from, &to);
		/* at most strlen(str) / 2 < 2^31 ranges: the counts cannot overflow */
		opened[from - (int64) a->base]++;
		opened[to - (int64) a->base + 1]--;
	} while (more);
	for (int64 i = 0; i < nperiods; i++)
	{
		open += opened[i];
		if (open > 0)
			a->bits[i / 8] |= 1 << (i % 8);
	}
	pfree(opened);
	PG_RETURN_POINTER(a);
}

/* Output: the active periods in increasing order, runs written as ranges. */
Datum
activity_out(PG_FUNCTION_ARGS)
{
	Activity   *a = PG_GETARG_ACTIVITY_P(0);
	StringInfoData buf;
	int64		end;
	bool		first = true;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	end = (int64) a->base + 8 * (int64) activity_nbytes(a);
	for (int64 p = a->base; p < end; p++)
	{
		int64		q = p;

		if (!activity_has(a, p))
			continue;
		while (q + 1 < end && activity_has(a, q + 1))
			q++;
		appendStringInfo(&buf, first ? "%lld" : ",%lld", (long long) p);
		if (q > p)
			appendStringInfo(&buf, "-%lld", (long long) q);
		first = false;
		p = q;
	}
	appendStringInfoChar(&buf, '}');
	PG_RETURN_CSTRING(buf.data);
}

/* Binary output: base, byte count, bitmap bytes. */
Datum
activity_send(PG_FUNCTION_ARGS)
{
	Activity   *a = PG_GETARG_ACTIVITY_P(0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendint32(&buf, a->base);
	pq_sendint32(&buf, activity_nbytes(a));
	pq_sendbytes(&buf, (char *) a->bits, activity_nbytes(a));
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* Binary input: the inverse of activity_send; rejects non-canonical values. */
Datum
activity_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int32		base = pq_getmsgint(buf, 4);
	int32		n = pq_getmsgint(buf, 4);
	Activity   *a;

	if (n < 0 || n > ACTIVITY_MAX_BYTES || n > buf->len - buf->cursor ||
		base % 8 != 0 || (n == 0 && base != 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid external activity value")));
	if ((int64) base + 8 * (int64) n - 1 > PG_INT32_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid external activity value"),
				 errdetail("The bitmap extends past period %d.", PG_INT32_MAX)));
	a = activity_alloc(base / 8, base / 8 + n - 1);
	pq_copymsgbytes(buf, (char *) a->bits, n);
	if (n > 0 && (a->bits[0] == 0 || a->bits[n - 1] == 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid external activity value"),
				 errdetail("The first and last bytes of the bitmap must not be zero.")));
	PG_RETURN_POINTER(a);
}

/* ---- equality and hashing (values are canonical: equal sets, equal bytes) ---- */

static bool
activity_equal(const Activity *a, const Activity *b)
{
	return VARSIZE(a) == VARSIZE(b) &&
		memcmp(VARDATA(a), VARDATA(b), VARSIZE(a) - VARHDRSZ) == 0;
}

Datum
activity_eq(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(activity_equal(PG_GETARG_ACTIVITY_P(0), PG_GETARG_ACTIVITY_P(1)));
}

Datum
activity_ne(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(!activity_equal(PG_GETARG_ACTIVITY_P(0), PG_GETARG_ACTIVITY_P(1)));
}

/* Hash of the base and bitmap, for hash joins, hash aggregation and DISTINCT. */
Datum
activity_hash(PG_FUNCTION_ARGS)
{
	Activity   *a = PG_GETARG_ACTIVITY_P(0);

	return hash_any((const unsigned char *) VARDATA(a), VARSIZE(a) - VARHDRSZ);
}

/* ---- engage.activity_periods ---- */

/*
 * What the period-index functions keep in fn_extra: the day cache of the
 * time zone and the calendar month of the last origin seen.
 */
typedef struct PeriodCache
{
	LocalDayCache days;
	bool		have_origin;
	TimestampTz origin;
	int64		origin_month;
} PeriodCache;

static PeriodCache *
period_cache(FmgrInfo *flinfo)
{
	if (flinfo->fn_extra == NULL)
		flinfo->fn_extra = MemoryContextAllocZero(flinfo->fn_mcxt, sizeof(PeriodCache));
	return (PeriodCache *) flinfo->fn_extra;
}

/*
 * The period of an interval: its length in microseconds when it has no
 * month part, else minus its number of months (a calendar period); errors
 * 22023 for an interval mixing months with days or time, or not positive.
 */
static int64
read_period(const Interval *iv)
{
	if (iv->month == 0)
		return interval_fixed_usecs(iv, "period");
	if (iv->day != 0 || iv->time != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("period must not mix months with days or time"),
				 errhint("Use whole months ('1 month', '3 months', '1 year') or a fixed length ('30 days').")));
	if (iv->month < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("period must be positive")));
	return -(int64) iv->month;
}

/* The calendar month of t in the cache's zone, as months since January of year 0. */
static int64
local_month(TimestampTz t, PeriodCache *cache)
{
	int			year;
	int			month;
	int			day;

	j2date(local_day(t, &cache->days) + POSTGRES_EPOCH_JDATE, &year, &month, &day);
	return (int64) year * 12 + month - 1;
}

/*
 * The index of the calendar period of t: floor(m / months), m the calendar
 * months from origin's month to t's.
 */
static int32
calendar_period_index(TimestampTz t, TimestampTz origin, int64 months, PeriodCache *cache)
{
	int64		m;
	int64		q;

	ensure_finite_timestamp(t, "occurred_at");
	if (!cache->have_origin || cache->origin != origin)
	{
		cache->origin_month = local_month(origin, cache);
		cache->origin = origin;
		cache->have_origin = true;
	}
	m = local_month(t, cache) - cache->origin_month;
	q = m / months;
	if (m % months < 0)
		q--;
	return (int32) q;			/* |m| < 12 * 300000: no overflow */
}

/*
 * The zone of the period-index functions: the one named by argument
 * zone_arg when there is one, else the session's TimeZone.
 */
static PeriodCache *
period_cache_for_call(FunctionCallInfo fcinfo, int zone_arg)
{
	PeriodCache *cache = period_cache(fcinfo->flinfo);

	if (zone_arg >= 0)
	{
		if (PG_ARGISNULL(zone_arg))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("time_zone must not be null")));
		local_day_set_zone(&cache->days, PG_GETARG_TEXT_PP(zone_arg));
	}
	else
		cache->days.zone = NULL;
	if (cache->days.tz != (cache->days.zone ? cache->days.zone : session_timezone))
		cache->have_origin = false; /* the zone changed: origin's month too */
	return cache;
}

/* The index of the period holding t: floor((t - origin) / period). */
static int32
period_index(TimestampTz t, TimestampTz origin, int64 period)
{
	int64		diff;
	int64		q;

	ensure_finite_timestamp(t, "occurred_at");
	if (pg_sub_s64_overflow(t, origin, &diff))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("occurred_at is too far from origin")));
	q = diff / period;
	if (diff % period < 0)
		q--;
	if (q < INT_MIN || q > INT_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("period index %lld is out of range for type integer", (long long) q)));
	return (int32) q;
}

/* The index of t's period, fixed-length (period > 0) or calendar (period < 0). */
static int32
any_period_index(TimestampTz t, TimestampTz origin, int64 period, PeriodCache *cache)
{
	if (period > 0)
		return period_index(t, origin, period);
	return calendar_period_index(t, origin, -period, cache);
}

/*
 * Makes the state's buffer cover the bytes lo..hi (which include the active
 * bytes), doubling it and leaving the slack on the side it grew towards.
 */
static void
state_cover(ActivityState *s, MemoryContext cxt, int32 lo, int32 hi)
{
	int64		need;
	int64		cap;
	int32		base;
	uint8	   *bits;

	if (s->bits != NULL && lo >= s->base_byte && (int64) hi < (int64) s->base_byte + s->capacity)
		return;
	ensure_span(lo, hi);
	need = (int64) hi - lo + 1;
	cap = Min(Max(need, 2 * (int64) s->capacity), ACTIVITY_MAX_BYTES);
	cap = Max(cap, 8);
	base = (s->bits != NULL && lo < s->base_byte) ? (int32) (hi - cap + 1) : lo;
	bits = MemoryContextAllocZero(cxt, cap);
	if (s->any)
		memcpy(bits + (s->lo_byte - base), s->bits + (s->lo_byte - s->base_byte),
			   s->hi_byte - s->lo_byte + 1);
	if (s->bits)
		pfree(s->bits);
	s->bits = bits;
	s->base_byte = base;
	s->capacity = (int32) cap;
}

/* Sets the bits of byte index b (an OR mask) in the state. */
static void
state_or_byte(ActivityState *s, MemoryContext cxt, int32 b, uint8 mask)
{
	int32		lo = s->any ? Min(s->lo_byte, b) : b;
	int32		hi = s->any ? Max(s->hi_byte, b) : b;

	state_cover(s, cxt, lo, hi);
	s->bits[b - s->base_byte] |= mask;
	s->lo_byte = lo;
	s->hi_byte = hi;
	s->any = true;
}

/* A new, empty state in the aggregate context. */
static ActivityState *
state_new(MemoryContext cxt, TimestampTz origin, int64 period)
{
	ActivityState *s = MemoryContextAllocZero(cxt, sizeof(ActivityState));

	s->origin = origin;
	s->period = period;
	return s;
}

/* Errors unless every row of a group gives the same origin and period. */
static void
ensure_same_grid(const ActivityState *s, TimestampTz origin, int64 period)
{
	if (s->origin != origin || s->period != period)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("origin and period must be the same for every row of a group")));
}

/* Reads and checks origin and period (arguments argno, argno + 1). */
static void
read_grid(FunctionCallInfo fcinfo, int argno, TimestampTz *origin, int64 *period)
{
	if (PG_ARGISNULL(argno) || PG_ARGISNULL(argno + 1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be null", PG_ARGISNULL(argno) ? "origin" : "period")));
	*origin = PG_GETARG_TIMESTAMPTZ(argno);
	ensure_finite_timestamp(*origin, "origin");
	*period = read_period(PG_GETARG_INTERVAL_P(argno + 1));
}

/*
 * Transition of activity_periods(occurred_at, origin, period [, time_zone]):
 * marks the period of one interaction (NULL times are skipped).
 */
Datum
activity_periods_accum(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = aggregate_context(fcinfo, "activity_periods_accum");
	ActivityState *s = PG_ARGISNULL(0) ? NULL : (ActivityState *) PG_GETARG_POINTER(0);
	TimestampTz origin;
	int64		period;
	int32		p;

	read_grid(fcinfo, 2, &origin, &period);
	if (PG_NARGS() > 4 && PG_ARGISNULL(4))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("time_zone must not be null")));
	if (s == NULL)
		s = state_new(cxt, origin, period);
	else
		ensure_same_grid(s, origin, period);
	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(s);
	if (period > 0)
		p = period_index(PG_GETARG_TIMESTAMPTZ(1), origin, period);
	else
		p = calendar_period_index(PG_GETARG_TIMESTAMPTZ(1), origin, -period,
								  period_cache_for_call(fcinfo, PG_NARGS() > 4 ? 4 : -1));
	if (s->any && byte_of(p) >= s->lo_byte && byte_of(p) <= s->hi_byte)
		s->bits[byte_of(p) - s->base_byte] |= 1 << bit_of(p);
	else
		state_or_byte(s, cxt, byte_of(p), 1 << bit_of(p));
	PG_RETURN_POINTER(s);
}

/* ORs the active bytes first..first + n - 1 (byte indexes) into a state. */
static void
state_or_bytes(ActivityState *s, MemoryContext cxt, int32 first, const uint8 *bytes, int32 n)
{
	if (n == 0)
		return;
	state_or_byte(s, cxt, first, bytes[0]);
	state_or_byte(s, cxt, first + n - 1, bytes[n - 1]);
	for (int32 i = 1; i < n - 1; i++)
		s->bits[first + i - s->base_byte] |= bytes[i];
}

/* Combine: ORs the second state's bitmap into the first. */
Datum
activity_periods_combine(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = aggregate_context(fcinfo, "activity_periods_combine");
	ActivityState *a = PG_ARGISNULL(0) ? NULL : (ActivityState *) PG_GETARG_POINTER(0);
	ActivityState *b = PG_ARGISNULL(1) ? NULL : (ActivityState *) PG_GETARG_POINTER(1);

	if (b == NULL)
		PG_RETURN_POINTER(a);
	if (a == NULL)
		a = state_new(cxt, b->origin, b->period);
	else
		ensure_same_grid(a, b->origin, b->period);
	if (b->any)
		state_or_bytes(a, cxt, b->lo_byte, b->bits + (b->lo_byte - b->base_byte),
					   b->hi_byte - b->lo_byte + 1);
	PG_RETURN_POINTER(a);
}

/* Serialise: version, origin, period, first active byte, count, bytes. */
Datum
activity_periods_serialize(PG_FUNCTION_ARGS)
{
	ActivityState *s = (ActivityState *) PG_GETARG_POINTER(0);
	int32		n = s->any ? s->hi_byte - s->lo_byte + 1 : 0;
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, ACTIVITY_SERIAL_VERSION);
	pq_sendint64(&buf, s->origin);
	pq_sendint64(&buf, s->period);
	pq_sendint32(&buf, s->any ? s->lo_byte : 0);
	pq_sendint32(&buf, n);
	if (n > 0)
		pq_sendbytes(&buf, (char *) s->bits + (s->lo_byte - s->base_byte), n);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* Deserialise: the inverse of activity_periods_serialize, length-checked. */
Datum
activity_periods_deserialize(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = aggregate_context(fcinfo, "activity_periods_deserialize");
	bytea	   *b = PG_GETARG_BYTEA_PP(0);
	StringInfoData buf;
	ActivityState *s;
	TimestampTz origin;
	int64		period;
	int32		first;
	int32		n;

	initStringInfo(&buf);
	appendBinaryStringInfo(&buf, VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b));
	if (pq_getmsgbyte(&buf) != ACTIVITY_SERIAL_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("unsupported activity state version")));
	origin = pq_getmsgint64(&buf);
	period = pq_getmsgint64(&buf);
	first = pq_getmsgint(&buf, 4);
	n = pq_getmsgint(&buf, 4);
	if (n < 0 || n > ACTIVITY_MAX_BYTES || n != buf.len - buf.cursor)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid activity state length")));
	if (n > 0 && (buf.data[buf.cursor] == 0 || buf.data[buf.len - 1] == 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid activity state bitmap")));
	s = state_new(cxt, origin, period);
	state_or_bytes(s, cxt, first, (const uint8 *) buf.data + buf.cursor, n);
	PG_RETURN_POINTER(s);
}

/* Final: the canonical value, NULL when no row had a time. */
Datum
activity_periods_final(PG_FUNCTION_ARGS)
{
	ActivityState *s = PG_ARGISNULL(0) ? NULL : (ActivityState *) PG_GETARG_POINTER(0);
	Activity   *a;

	if (s == NULL || !s->any)
		PG_RETURN_NULL();
	a = activity_alloc(s->lo_byte, s->hi_byte);
	memcpy(a->bits, s->bits + (s->lo_byte - s->base_byte), s->hi_byte - s->lo_byte + 1);
	PG_RETURN_POINTER(a);
}

/* The union of two values (the transition and combine of engage.activity_union). */
Datum
activity_union(PG_FUNCTION_ARGS)
{
	Activity   *a = PG_GETARG_ACTIVITY_P(0);
	Activity   *b = PG_GETARG_ACTIVITY_P(1);
	Activity   *r;
	int32		lo;
	int32		hi;

	if (activity_nbytes(b) == 0)
		PG_RETURN_POINTER(a);
	if (activity_nbytes(a) == 0)
		PG_RETURN_POINTER(b);
	lo = Min(byte_of(a->base), byte_of(b->base));
	hi = Max(byte_of(a->base) + activity_nbytes(a), byte_of(b->base) + activity_nbytes(b)) - 1;
	r = activity_alloc(lo, hi);
	for (int32 i = 0; i < activity_nbytes(a); i++)
		r->bits[byte_of(a->base) - lo + i] |= a->bits[i];
	for (int32 i = 0; i < activity_nbytes(b); i++)
		r->bits[byte_of(b->base) - lo + i] |= b->bits[i];
	PG_RETURN_POINTER(r);
}

/* The period index of a time (arguments t, origin, period [, time_zone]). */
static int32
period_of_call(FunctionCallInfo fcinfo, int zone_arg)
{
	TimestampTz origin = PG_GETARG_TIMESTAMPTZ(1);
	int64		period = read_period(PG_GETARG_INTERVAL_P(2));

	ensure_finite_timestamp(origin, "origin");
	if (period > 0)
		return period_index(PG_GETARG_TIMESTAMPTZ(0), origin, period);
	return any_period_index(PG_GETARG_TIMESTAMPTZ(0), origin, period,
							period_cache_for_call(fcinfo, zone_arg));
}

/* engage.period_of(t, origin, period): calendar periods in the session's TimeZone. */
Datum
activity_period_of(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(period_of_call(fcinfo, -1));
}

/* engage.period_of(t, origin, period, time_zone). */
Datum
activity_period_of_zone(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(period_of_call(fcinfo, 3));
}

/* ---- reading a value ---- */

Datum
activity_is_active(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(activity_has(PG_GETARG_ACTIVITY_P(0), PG_GETARG_INT32(1)));
}

/* The number of active periods. */
Datum
activity_count(PG_FUNCTION_ARGS)
{
	Activity   *a = PG_GETARG_ACTIVITY_P(0);

	PG_RETURN_INT32((int32) pg_popcount((const char *) a->bits, activity_nbytes(a)));
}

/* The first active period, NULL for the empty set. */
Datum
activity_first_period(PG_FUNCTION_ARGS)
{
	Activity   *a = PG_GETARG_ACTIVITY_P(0);

	if (activity_nbytes(a) == 0)
		PG_RETURN_NULL();
	PG_RETURN_INT32(activity_first(a));
}

/* The last active period, NULL for the empty set. */
Datum
activity_last_period(PG_FUNCTION_ARGS)
{
	Activity   *a = PG_GETARG_ACTIVITY_P(0);

	if (activity_nbytes(a) == 0)
		PG_RETURN_NULL();
	PG_RETURN_INT32(activity_last(a));
}

/* The number of active periods among the n periods ending at period at. */
Datum
activity_active_in_last(PG_FUNCTION_ARGS)
{
	Activity   *a = PG_GETARG_ACTIVITY_P(0);
	int64		at = PG_GETARG_INT32(1);
	int32		n = PG_GETARG_INT32(2);
	int64		from;
	int32		count = 0;

	if (n <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("n must be positive")));
	if (activity_nbytes(a) == 0)
		PG_RETURN_INT32(0);
	from = Max(at - n + 1, (int64) activity_first(a));
	at = Min(at, (int64) activity_last(a));
	for (int64 p = from; p <= at; p++)
		count += activity_has(a, p);
	PG_RETURN_INT32(count);
}

/* Consecutive active periods ending at period at (0 when at is inactive). */
Datum
activity_current_streak(PG_FUNCTION_ARGS)
{
	Activity   *a = PG_GETARG_ACTIVITY_P(0);
	int64		p = PG_GETARG_INT32(1);
	int32		streak = 0;

	while (activity_has(a, p - streak))
		streak++;
	PG_RETURN_INT32(streak);
}

/* The longest run of consecutive active periods (0 for the empty set). */
Datum
activity_longest_streak(PG_FUNCTION_ARGS)
{
	Activity   *a = PG_GETARG_ACTIVITY_P(0);
	int32		best = 0;
	int32		run = 0;

	if (activity_nbytes(a) == 0)
		PG_RETURN_INT32(0);
	for (int64 p = activity_first(a); p <= activity_last(a); p++)
	{
		run = activity_has(a, p) ? run + 1 : 0;
		best = Max(best, run);
	}
	PG_RETURN_INT32(best);
}

/*
 * The status of period p (PostHog's lifecycle): new (first active period),
 * returning (active now and in p - 1), resurrecting (active now, not in
 * p - 1, active before), dormant (active in p - 1, not now); NULL otherwise.
 */
static const char *
period_status(const Activity *a, int64 p, int32 first)
{
	bool		now = activity_has(a, p);
	bool		before = activity_has(a, p - 1);

	if (now)
		return p == first ? "new" : before ? "returning" : "resurrecting";
	return before ? "dormant" : NULL;
}

/* engage.lifecycle(a, first_period, last_period): (period, status) rows. */
Datum
activity_lifecycle(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Activity   *a = PG_GETARG_ACTIVITY_P(0);
	int64		from = PG_GETARG_INT32(1);
	int64		to = PG_GETARG_INT32(2);
	int32		first;

	if (from > to)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("first_period %lld is after last_period %lld", (long long) from, (long long) to),
				 errhint("Give the range in increasing order.")));
	InitMaterializedSRF(fcinfo, 0);
	if (activity_nbytes(a) == 0)
		return (Datum) 0;
	first = activity_first(a);
	from = Max(from, (int64) first);
	to = Min(to, (int64) activity_last(a) + 1);
	for (int64 p = from; p <= to; p++)
	{
		const char *status = period_status(a, p, first);
		Datum		values[2];
		bool		nulls[2] = {false, false};

		CHECK_FOR_INTERRUPTS();
		if (status == NULL)
			continue;
		values[0] = Int32GetDatum((int32) p);
		values[1] = CStringGetTextDatum(status);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

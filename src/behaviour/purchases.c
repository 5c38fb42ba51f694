/*-------------------------------------------------------------------------
 *
 * purchases.c
 *	  engage.purchases: a customer's purchase days kept up to date one order
 *	  at a time (by a trigger), from which the engage.rfm summary as of any
 *	  time is read without rescanning the order history.
 *
 * A value holds the time zone whose calendar days it counts and the
 * customer's distinct days in ascending order, each with its net amount and
 * whether a row without an amount fell on it (RfmDay, rfm.h): the same
 * days engage.rfm(occurred_at, amount, as_of, unit, time_zone) builds, so
 * engage.rfm(purchases, as_of, unit) equals that aggregate over the same
 * rows at every as_of, whatever order the rows were added in.
 *
 * Varlena layout (ALIGNMENT double):
 *	 int32 vl_len_, int32 version (1), int32 ndays, int32 zone_len,
 *	 RfmDay days[ndays], char zone[zone_len + 1] (NUL-terminated).
 * Text form: the zone, a space, then {day:amount,...} with days as
 * YYYY-MM-DD (astronomical years, so year 0 is 1 BC) and a '?' after the
 * amount of a day on which a row without an amount fell:
 *	 UTC {2024-01-01:10,2024-01-10:0?,2024-01-20:30}
 * Binary form: int32 version, int32 zone length, the zone's bytes, int32
 * ndays, then per day int32 day, int32 unpriced (0/1), float8 amount.
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
#include "utils/datetime.h"
#include "utils/float.h"
#include "utils/memutils.h"

PG_FUNCTION_INFO_V1(purchases_in);
PG_FUNCTION_INFO_V1(purchases_out);
PG_FUNCTION_INFO_V1(purchases_recv);
PG_FUNCTION_INFO_V1(purchases_send);
PG_FUNCTION_INFO_V1(purchases_add);
PG_FUNCTION_INFO_V1(purchases_rfm);
PG_FUNCTION_INFO_V1(purchases_accum);
PG_FUNCTION_INFO_V1(purchases_combine);
PG_FUNCTION_INFO_V1(purchases_serialize);
PG_FUNCTION_INFO_V1(purchases_deserialize);
PG_FUNCTION_INFO_V1(purchases_final);

#define PURCHASES_VERSION 1
/*
 * The earliest day: the day before Julian day 0, the local day of the first
 * timestamptz in a zone west of Greenwich (local mean time before 1901).
 */
#define PURCHASES_FIRST_DAY (-POSTGRES_EPOCH_JDATE - 1)
#define PURCHASES_MAX_DAYS ((int32) ((MaxAllocSize - 1024) / sizeof(RfmDay)))

typedef struct Purchases
{
	int32		vl_len_;		/* varlena header */
	int32		version;		/* PURCHASES_VERSION */
	int32		ndays;			/* entries of days */
	int32		zone_len;		/* length of the zone name after the days */
	RfmDay		days[FLEXIBLE_ARRAY_MEMBER];	/* ascending, distinct */
} Purchases;

#define PURCHASES_ZONE(p) ((char *) &(p)->days[(p)->ndays])
#define DatumGetPurchasesP(d) ((Purchases *) PG_DETOAST_DATUM(d))
#define PG_GETARG_PURCHASES_P(n) DatumGetPurchasesP(PG_GETARG_DATUM(n))

/* Errors unless the value's header matches its length. */
static void
purchases_check_header(const Purchases *p)
{
	if (p->version != PURCHASES_VERSION || p->ndays < 0 || p->zone_len < 0 ||
		p->ndays > PURCHASES_MAX_DAYS || p->zone_len > TZ_STRLEN_MAX ||
		VARSIZE(p) != offsetof(Purchases, days) + p->ndays * sizeof(RfmDay) + p->zone_len + 1)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("invalid engage.purchases value")));
}

/* A new value of zone (length zone_len) and the n sorted distinct days. */
static Purchases *
purchases_make(const char *zone, int zone_len, const RfmDay *days, int32 n)
{
	Size		size;
	Purchases  *p;

	if (n > PURCHASES_MAX_DAYS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many purchase days in one engage.purchases value")));
	size = offsetof(Purchases, days) + n * sizeof(RfmDay) + zone_len + 1;
	p = palloc0(size);
	SET_VARSIZE(p, size);
	p->version = PURCHASES_VERSION;
	p->ndays = n;
	p->zone_len = zone_len;
	if (n > 0)
		memcpy(p->days, days, n * sizeof(RfmDay));
	memcpy(PURCHASES_ZONE(p), zone, zone_len);
	return p;
}

/* Errors unless name is a time zone; returns the cache set to it. */
static LocalDayCache *
purchases_zone_cache(FunctionCallInfo fcinfo, const char *name, int len)
{
	LocalDayCache *cache = local_day_cache(fcinfo->flinfo);
	text	   *t = cstring_to_text_with_len(name, len);

	if (len == 0 || memchr(name, '\0', len) != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("time zone \"%.*s\" not recognized", len, name)));
	local_day_set_zone(cache, t);
	pfree(t);
	return cache;
}

/* Errors unless days[0..n) ascend strictly, with finite amounts. */
static void
purchases_check_days(const RfmDay *days, int32 n)
{
	for (int32 i = 0; i < n; i++)
	{
		if ((i & 0xffff) == 0xffff)
			CHECK_FOR_INTERRUPTS();
		if (isnan(days[i].amount) || isinf(days[i].amount))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("amount must be a finite number")));
		if (days[i].day < PURCHASES_FIRST_DAY ||
			days[i].day >= DATE_END_JULIAN - POSTGRES_EPOCH_JDATE)
			ereport(ERROR,
					(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
					 errmsg("day out of range in engage.purchases"),
					 errdetail("The day is %d days from 2000-01-01.", days[i].day)));
		if (days[i].unpriced != 0 && days[i].unpriced != 1)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("invalid engage.purchases value: bad day flag")));
		if (i > 0 && days[i].day <= days[i - 1].day)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("the days of an engage.purchases value must ascend without repeats")));
	}
}

/* Parses a day YYYY-MM-DD (year optionally signed) at *s, advancing *s. */
static int32
purchases_parse_day(char **s)
{
	char	   *p = *s;
	char	   *end;
	long		y,
				m,
				d;
	int			jd;
	int			yy,
				mm,
				dd;

	errno = 0;
	y = strtol(p, &end, 10);
	if (end == p || *end != '-' || errno != 0)
		goto bad;
	p = end + 1;
	m = strtol(p, &end, 10);
	if (end == p || *end != '-' || errno != 0)
		goto bad;
	p = end + 1;
	d = strtol(p, &end, 10);
	if (end == p || errno != 0 || y < -4713 || y > 5874897 || m < 1 || m > 12 || d < 1 || d > 31)
		goto bad;
	jd = date2j((int) y, (int) m, (int) d);
	if (jd - POSTGRES_EPOCH_JDATE < PURCHASES_FIRST_DAY || jd >= DATE_END_JULIAN)
		goto bad;
	j2date(jd, &yy, &mm, &dd);
	if (yy != y || mm != m || dd != d)
		goto bad;
	*s = end;
	return jd - POSTGRES_EPOCH_JDATE;
bad:
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid day in engage.purchases: \"%s\"", *s)));
	return 0;					/* not reached */
}

/* Text input: "zone {YYYY-MM-DD:amount[?],...}". */
Datum
purchases_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	char	   *brace = strchr(str, '{');
	char	   *s;
	int			zone_len;
	int32		n = 0;
	int32		capacity = 8;
	RfmDay	   *days = palloc(capacity * sizeof(RfmDay));

	if (brace == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type engage.purchases: \"%s\"", str),
				 errdetail("Expected a time zone, a space and {day:amount,...}.")));
	zone_len = brace - str;
	while (zone_len > 0 && str[zone_len - 1] == ' ')
		zone_len--;
	purchases_zone_cache(fcinfo, str, zone_len);
	s = brace + 1;
	if (*s == '}')
		s++;
	else
	{
		for (;;)
		{
			char	   *end;
			RfmDay		d;

			CHECK_FOR_INTERRUPTS();
			d.day = purchases_parse_day(&s);
			if (*s != ':')
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
						 errmsg("invalid input syntax for type engage.purchases: \"%s\"", str),
						 errdetail("Expected ':' after a day.")));
			s++;
			d.amount = engage_float8in(s, &end, "engage.purchases", str);
			s = end;
			d.unpriced = 0;
			if (*s == '?')
			{
				d.unpriced = 1;
				s++;
			}
			if (n == capacity)
			{
				if (capacity >= PURCHASES_MAX_DAYS / 2)
					ereport(ERROR,
							(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
							 errmsg("too many purchase days in one engage.purchases value")));
				capacity *= 2;
				days = repalloc(days, capacity * sizeof(RfmDay));
			}
			days[n++] = d;
			if (*s == ',')
			{
				s++;
				continue;
			}
			if (*s == '}')
			{
				s++;
				break;
			}
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("invalid input syntax for type engage.purchases: \"%s\"", str),
					 errdetail("Expected ',' or '}' after an amount.")));
		}
	}
	while (*s == ' ')
		s++;
	if (*s != '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type engage.purchases: \"%s\"", str),
				 errdetail("Junk after the closing brace.")));
	purchases_check_days(days, n);
	PG_RETURN_POINTER(purchases_make(str, zone_len, days, n));
}

/* Text output, the form purchases_in reads. */
Datum
purchases_out(PG_FUNCTION_ARGS)
{
	Purchases  *p = PG_GETARG_PURCHASES_P(0);
	StringInfoData buf;

	purchases_check_header(p);
	initStringInfo(&buf);
	appendBinaryStringInfo(&buf, PURCHASES_ZONE(p), p->zone_len);
	appendStringInfoString(&buf, " {");
	for (int32 i = 0; i < p->ndays; i++)
	{
		int			y,
					m,
					d;
		char	   *amount;

		if ((i & 0xffff) == 0xffff)
			CHECK_FOR_INTERRUPTS();
		j2date(p->days[i].day + POSTGRES_EPOCH_JDATE, &y, &m, &d);
		amount = float8out_internal(p->days[i].amount);
		appendStringInfo(&buf, "%s%s%04d-%02d-%02d:%s%s", i > 0 ? "," : "",
						 y < 0 ? "-" : "", abs(y), m, d, amount,
						 p->days[i].unpriced ? "?" : "");
		pfree(amount);
	}
	appendStringInfoChar(&buf, '}');
	PG_RETURN_CSTRING(buf.data);
}

/* Binary input (the layout of purchases_send), checked like text input. */
Datum
purchases_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int32		zone_len;
	const char *zone;
	int32		n;
	RfmDay	   *days;

	if (pq_getmsgint(buf, 4) != PURCHASES_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid engage.purchases value: unknown version")));
	zone_len = pq_getmsgint(buf, 4);
	if (zone_len < 0 || zone_len > TZ_STRLEN_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid engage.purchases value: bad time zone length")));
	zone = pq_getmsgbytes(buf, zone_len);
	purchases_zone_cache(fcinfo, zone, zone_len);
	n = pq_getmsgint(buf, 4);
	if (n < 0 || (int64) n * 16 != buf->len - buf->cursor)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid engage.purchases value: day count does not match its length")));
	days = palloc(Max(n, 1) * sizeof(RfmDay));
	for (int32 i = 0; i < n; i++)
	{
		if ((i & 0xffff) == 0xffff)
			CHECK_FOR_INTERRUPTS();
		days[i].day = pq_getmsgint(buf, 4);
		days[i].unpriced = pq_getmsgint(buf, 4);
		days[i].amount = pq_getmsgfloat8(buf);
	}
	purchases_check_days(days, n);
	PG_RETURN_POINTER(purchases_make(zone, zone_len, days, n));
}

/* Binary output. */
Datum
purchases_send(PG_FUNCTION_ARGS)
{
	Purchases  *p = PG_GETARG_PURCHASES_P(0);
	StringInfoData buf;

	purchases_check_header(p);
	pq_begintypsend(&buf);
	pq_sendint32(&buf, PURCHASES_VERSION);
	pq_sendint32(&buf, p->zone_len);
	pq_sendbytes(&buf, PURCHASES_ZONE(p), p->zone_len);
	pq_sendint32(&buf, p->ndays);
	for (int32 i = 0; i < p->ndays; i++)
	{
		if ((i & 0xffff) == 0xffff)
			CHECK_FOR_INTERRUPTS();
		pq_sendint32(&buf, p->days[i].day);
		pq_sendint32(&buf, p->days[i].unpriced);
		pq_sendfloat8(&buf, p->days[i].amount);
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/*
 * The day of one row (occurred_at argument 1, amount argument 2, NULL for
 * a row without an amount) in the zone of cache.
 */
static RfmDay
purchases_row_day(FunctionCallInfo fcinfo, LocalDayCache *cache)
{
	RfmDay		d;
	TimestampTz occurred_at = PG_GETARG_TIMESTAMPTZ(1);

	ensure_finite_timestamp(occurred_at, "occurred_at");
	d.amount = 0.0;
	d.unpriced = 1;
	if (!PG_ARGISNULL(2))
	{
		d.amount = PG_GETARG_FLOAT8(2);
		ensure_finite(d.amount, "amount");
		d.unpriced = 0;
	}
	d.day = local_day(occurred_at, cache);
	return d;
}

/*
 * engage.purchases_add(state, occurred_at, amount, time_zone): state with
 * one more order (a new state when state is NULL); a NULL amount is an
 * order without an amount; a NULL occurred_at or time_zone leaves the state
 * unchanged.  The zone must be the state's.
 */
Datum
purchases_add(PG_FUNCTION_ARGS)
{
	Purchases  *p = PG_ARGISNULL(0) ? NULL : PG_GETARG_PURCHASES_P(0);
	text	   *zone;
	LocalDayCache *cache;
	RfmDay		d;
	Purchases  *result;
	int32		pos;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(3))
	{
		if (p == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(p);
	}
	zone = PG_GETARG_TEXT_PP(3);
	if (p != NULL)
	{
		purchases_check_header(p);
		if (VARSIZE_ANY_EXHDR(zone) != p->zone_len ||
			memcmp(VARDATA_ANY(zone), PURCHASES_ZONE(p), p->zone_len) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("time_zone must be the time zone of the engage.purchases value"),
					 errdetail("The value counts the days of \"%s\", the row names \"%s\".",
							   PURCHASES_ZONE(p), text_to_cstring(zone))));
	}
	cache = purchases_zone_cache(fcinfo, VARDATA_ANY(zone), VARSIZE_ANY_EXHDR(zone));
	d = purchases_row_day(fcinfo, cache);
	if (p == NULL)
		PG_RETURN_POINTER(purchases_make(VARDATA_ANY(zone), VARSIZE_ANY_EXHDR(zone), &d, 1));

	pos = rfm_days_lower_bound(p->days, p->ndays, d.day);
	if (pos < p->ndays && p->days[pos].day == d.day)
	{
		/* another order of a known day: merged into it */
		result = (Purchases *) palloc(VARSIZE(p));
		memcpy(result, p, VARSIZE(p));
		rfm_day_merge(&result->days[pos], &d);
		(void) finite_result(result->days[pos].amount, "the net amount of a day");
		PG_RETURN_POINTER(result);
	}
	else
	{
		/* a new day, in order or not: inserted at its place */
		RfmDay	   *days = palloc((p->ndays + 1) * sizeof(RfmDay));

		memcpy(days, p->days, pos * sizeof(RfmDay));
		days[pos] = d;
		memcpy(days + pos + 1, p->days + pos, (p->ndays - pos) * sizeof(RfmDay));
		result = purchases_make(PURCHASES_ZONE(p), p->zone_len, days, p->ndays + 1);
		pfree(days);
		PG_RETURN_POINTER(result);
	}
}

/*
 * engage.rfm(state, as_of, unit): the engage.rfm summary of the state's
 * days up to the day of as_of in the state's zone, as the aggregate
 * engage.rfm(occurred_at, amount, as_of, unit, time_zone) gives it over the
 * same rows; NULL when no purchase day is up to as_of.
 */
Datum
purchases_rfm(PG_FUNCTION_ARGS)
{
	Purchases  *p = PG_GETARG_PURCHASES_P(0);
	TimestampTz as_of = PG_GETARG_TIMESTAMPTZ(1);
	int64		unit_usecs = interval_fixed_usecs(PG_GETARG_INTERVAL_P(2), "unit");
	LocalDayCache *cache;
	int32		as_of_day;
	RfmTotals	t;
	Datum		values[4];
	bool		nulls[4];
	TupleDesc	desc;

	purchases_check_header(p);
	ensure_finite_timestamp(as_of, "as_of");
	cache = purchases_zone_cache(fcinfo, PURCHASES_ZONE(p), p->zone_len);
	as_of_day = local_day(as_of, cache);
	rfm_days_totals(p->days, p->ndays, as_of_day, &t);
	if (t.ndays == 0)
		PG_RETURN_NULL();
	rfm_totals_values(&t, as_of_day, unit_usecs, true, values, nulls);
	/* fn_extra holds the day cache: the (named) result type is looked up */
	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("function returning record called in context that cannot accept type record")));
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(desc),
													  values, nulls)));
}

/*
 * State of the aggregate engage.purchases(occurred_at, amount, time_zone):
 * the zone and the days, appended (rows of the last day merged into it)
 * and sorted/merged when the array fills and at the end.
 */
typedef struct PurchasesBuild
{
	char		zone[TZ_STRLEN_MAX + 1];	/* the zone named by the rows */
	int32		ndays;			/* used entries of days */
	int32		capacity;		/* allocated entries of days */
	bool		sorted;			/* days ascending without duplicates */
	RfmDay	   *days;			/* in the aggregate context */
} PurchasesBuild;

/* A new empty state in the current memory context. */
static PurchasesBuild *
purchases_build_create(const char *zone, int zone_len, int32 capacity)
{
	PurchasesBuild *b = palloc0(sizeof(PurchasesBuild));

	memcpy(b->zone, zone, zone_len);
	b->capacity = Max(capacity, 4);
	b->sorted = true;
	b->days = palloc(b->capacity * sizeof(RfmDay));
	return b;
}

/* Sorts and merges the state's days. */
static void
purchases_build_normalize(PurchasesBuild *b)
{
	if (!b->sorted)
		b->ndays = rfm_days_sort_merge(b->days, b->ndays);
	b->sorted = true;
}

/* Makes room for extra more days (in the memory context of the days). */
static void
purchases_build_reserve(PurchasesBuild *b, int32 extra)
{
	int64		needed = (int64) b->ndays + extra;

	if (needed <= b->capacity)
		return;
	/* merge repeated days first; grow only if that frees too little */
	purchases_build_normalize(b);
	if ((int64) b->ndays + extra <= b->capacity && b->ndays <= b->capacity / 2)
		return;
	while (b->capacity < (int64) b->ndays + extra)
	{
		if (b->capacity > PURCHASES_MAX_DAYS / 2)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("too many purchase days in one group")));
		b->capacity *= 2;
	}
	b->days = repalloc(b->days, b->capacity * sizeof(RfmDay));
}

/* Transition of engage.purchases(occurred_at, amount, time_zone). */
Datum
purchases_accum(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = aggregate_context(fcinfo, "purchases_accum");
	PurchasesBuild *b = PG_ARGISNULL(0) ? NULL : (PurchasesBuild *) PG_GETARG_POINTER(0);
	text	   *zone;
	int			zone_len;
	LocalDayCache *cache;
	RfmDay		d;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(3))
	{
		if (b == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(b);
	}
	zone = PG_GETARG_TEXT_PP(3);
	zone_len = VARSIZE_ANY_EXHDR(zone);
	cache = purchases_zone_cache(fcinfo, VARDATA_ANY(zone), zone_len);
	d = purchases_row_day(fcinfo, cache);
	if (b == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(aggcontext);

		b = purchases_build_create(VARDATA_ANY(zone), zone_len, 4);
		MemoryContextSwitchTo(old);
	}
	else if (strlen(b->zone) != (size_t) zone_len ||
			 memcmp(b->zone, VARDATA_ANY(zone), zone_len) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("time_zone must be the same for every row of a group")));
	if (b->ndays > 0 && b->days[b->ndays - 1].day == d.day)
		rfm_day_merge(&b->days[b->ndays - 1], &d);
	else
	{
		purchases_build_reserve(b, 1);
		/* the array may have been sorted and merged: compare afresh */
		if (b->ndays > 0 && b->days[b->ndays - 1].day == d.day)
			rfm_day_merge(&b->days[b->ndays - 1], &d);
		else
		{
			if (b->ndays > 0 && d.day < b->days[b->ndays - 1].day)
				b->sorted = false;
			b->days[b->ndays++] = d;
		}
	}
	PG_RETURN_POINTER(b);
}

/* Combine: adds the days of the second state to the first. */
Datum
purchases_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = aggregate_context(fcinfo, "purchases_combine");
	PurchasesBuild *into = PG_ARGISNULL(0) ? NULL : (PurchasesBuild *) PG_GETARG_POINTER(0);
	PurchasesBuild *from = PG_ARGISNULL(1) ? NULL : (PurchasesBuild *) PG_GETARG_POINTER(1);

	if (from == NULL)
	{
		if (into == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(into);
	}
	if (into == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(aggcontext);

		into = purchases_build_create(from->zone, strlen(from->zone), from->ndays);
		MemoryContextSwitchTo(old);
	}
	else if (strcmp(into->zone, from->zone) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("time_zone must be the same for every row of a group")));
	purchases_build_reserve(into, from->ndays);
	if (!from->sorted ||
		(into->ndays > 0 && from->ndays > 0 &&
		 from->days[0].day <= into->days[into->ndays - 1].day))
		into->sorted = false;
	memcpy(into->days + into->ndays, from->days, from->ndays * sizeof(RfmDay));
	into->ndays += from->ndays;
	PG_RETURN_POINTER(into);
}

/* Serial: the engage.purchases binary form of the sorted, merged days. */
Datum
purchases_serialize(PG_FUNCTION_ARGS)
{
	PurchasesBuild *b = (PurchasesBuild *) PG_GETARG_POINTER(0);
	Purchases  *p;

	aggregate_context(fcinfo, "purchases_serialize");
	purchases_build_normalize(b);
	p = purchases_make(b->zone, strlen(b->zone), b->days, b->ndays);
	PG_RETURN_BYTEA_P((bytea *) p);
}

/* Deserial: the inverse of purchases_serialize, checked. */
Datum
purchases_deserialize(PG_FUNCTION_ARGS)
{
	Purchases  *p = (Purchases *) PG_DETOAST_DATUM(PG_GETARG_DATUM(0));
	PurchasesBuild *b;

	aggregate_context(fcinfo, "purchases_deserialize");
	purchases_check_header(p);
	purchases_check_days(p->days, p->ndays);
	b = purchases_build_create(PURCHASES_ZONE(p), p->zone_len, p->ndays);
	memcpy(b->days, p->days, p->ndays * sizeof(RfmDay));
	b->ndays = p->ndays;
	PG_RETURN_POINTER(b);
}

/* Final of engage.purchases: the value; NULL when no row was added. */
Datum
purchases_final(PG_FUNCTION_ARGS)
{
	PurchasesBuild *b;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	b = (PurchasesBuild *) PG_GETARG_POINTER(0);
	purchases_build_normalize(b);
	for (int32 i = 0; i < b->ndays; i++)
		(void) finite_result(b->days[i].amount, "the net amount of a day");
	PG_RETURN_POINTER(purchases_make(b->zone, strlen(b->zone), b->days, b->ndays));
}

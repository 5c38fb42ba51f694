/*-------------------------------------------------------------------------
 *
 * tracking.c
 *	  Tracking a cohort's repeat purchases over calendar time against a
 *	  counting model (Fader, Hardie & Lee 2005, figures 2 and 3: weekly and
 *	  cumulative repeat transactions of the CDNOW cohort, actual against
 *	  the model's).
 *
 * engage.tracking_sample(customer_id, occurred_at, origin, unit) reduces an
 * order table to the distinct (customer, purchase day) pairs and returns,
 * as an engage.fitdata of k = 2, the number of purchase days at each
 * (first purchase day, purchase day), both in days since the day of origin,
 * with the options {unit in days, day of origin}.  A customer's first
 * purchase day counts the customer; the later ones are the repeat purchases.
 *
 * engage.tracking(model, sample [, periods]) then gives per period
 * k = 1, 2, ... (the days [origin + (k-1) u, origin + k u)) the observed
 * repeat purchases and the expected ones: by the end of period k, a
 * customer whose first purchase was on day f has age a_k = (k u - 1 - f)/u
 * (the age of engage.rfm on that day) and is expected to have made E[X(a_k)]
 * repeat purchases (FHL 2005 eq. 7 and its analogues); the cumulative
 * expectation sums these over the cohort, the per-period one differences it.
 *
 * The aggregate's state is an array of (customer, day) pairs, sorted and
 * deduplicated whenever it fills (it stays below twice the distinct pairs)
 * and before it is serialised.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "funcapi.h"
#include "lib/qunique.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/timestamp.h"

#include "diagnostics.h"
#include "engage.h"
#include "localday.h"

PG_FUNCTION_INFO_V1(tracking_sample_accum);
PG_FUNCTION_INFO_V1(tracking_sample_combine);
PG_FUNCTION_INFO_V1(tracking_sample_serialize);
PG_FUNCTION_INFO_V1(tracking_sample_deserialize);
PG_FUNCTION_INFO_V1(tracking_sample_final);
PG_FUNCTION_INFO_V1(bgnbd_tracking);
PG_FUNCTION_INFO_V1(mbgnbd_tracking);
PG_FUNCTION_INFO_V1(paretonbd_tracking);

#define TRACKING_MAGIC 0x54524B01	/* "TRK" + format version 1 */
#define TRACKING_MIN_CAPACITY 64
#define MAX_PERIODS 100000
#define MAX_SPAN_DAYS 366000	/* about 1,000 years */

typedef struct TrackPair
{
	int64		customer;
	int32		day;			/* days since 2000-01-01 (local) */
} TrackPair;

typedef struct TrackState
{
	bool		have_consts;	/* origin_day and unit_days are set */
	int32		origin_day;		/* local day of origin */
	int32		unit_days;		/* the period, in whole days */
	int32		n;				/* pairs used */
	int32		capacity;		/* pairs allocated */
	int32		compact;		/* pairs[0 .. compact-1] are sorted, distinct */
	TrackPair  *pairs;
	MemoryContext context;
} TrackState;

static int
pair_cmp(const void *a, const void *b)
{
	const TrackPair *x = (const TrackPair *) a;
	const TrackPair *y = (const TrackPair *) b;

	if (x->customer != y->customer)
		return x->customer < y->customer ? -1 : 1;
	return x->day < y->day ? -1 : (x->day > y->day ? 1 : 0);
}

static TrackState *
track_create(MemoryContext context, int capacity)
{
	TrackState *st = MemoryContextAllocZero(context, sizeof(TrackState));

	st->context = context;
	st->capacity = Max(capacity, TRACKING_MIN_CAPACITY);
	st->pairs = MemoryContextAllocHuge(context, sizeof(TrackPair) * st->capacity);
	return st;
}

/* Sorts and deduplicates the pairs. */
static void
track_compact(TrackState *st)
{
	if (st->compact == st->n)
		return;
	qsort(st->pairs, st->n, sizeof(TrackPair), pair_cmp);
	st->n = st->compact = qunique(st->pairs, st->n, sizeof(TrackPair), pair_cmp);
}

/* Room for one more pair: compaction first, growth when that frees little. */
static void
track_reserve(TrackState *st, int more)
{
	if (st->n + more <= st->capacity)
		return;
	track_compact(st);
	while (st->n + more > st->capacity / 2)
	{
		if (st->capacity > PG_INT32_MAX / 2)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("too many distinct purchase days for tracking_sample")));
		st->capacity *= 2;
	}
	st->pairs = repalloc_huge(st->pairs, sizeof(TrackPair) * st->capacity);
}

/* Records origin and unit, or errors when they differ from those recorded. */
static void
track_set_consts(TrackState *st, int32 origin_day, int32 unit_days)
{
	if (!st->have_consts)
	{
		st->have_consts = true;
		st->origin_day = origin_day;
		st->unit_days = unit_days;
		return;
	}
	if (st->origin_day != origin_day)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("origin must be the same on every row")));
	if (st->unit_days != unit_days)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unit must be the same on every row")));
}

/* A unit of whole days, in days. */
static int32
unit_whole_days(const Interval *unit)
{
	int64		usecs = interval_fixed_usecs(unit, "unit");

	if (usecs % USECS_PER_DAY != 0 || usecs / USECS_PER_DAY > PG_INT32_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unit must be a whole number of days"),
				 errhint("Purchases are tracked by calendar day, e.g. '7 days'.")));
	return (int32) (usecs / USECS_PER_DAY);
}

/*
 * Transition function of engage.tracking_sample(customer_id, occurred_at,
 * origin, unit): records the (customer, calendar day) of one order.  Rows
 * with a NULL customer_id or occurred_at are skipped.
 */
Datum
tracking_sample_accum(PG_FUNCTION_ARGS)
{
	MemoryContext agg = aggregate_context(fcinfo, "tracking_sample_accum");
	TrackState *st = PG_ARGISNULL(0) ? NULL : (TrackState *) PG_GETARG_POINTER(0);
	LocalDayCache *cache;
	TimestampTz ts;
	int32		day;
	int32		origin_day;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
	{
		if (st == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(st);
	}
	if (PG_ARGISNULL(3) || PG_ARGISNULL(4))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("origin and unit must not be null")));
	if (st == NULL)
		st = track_create(agg, 0);
	cache = local_day_cache(fcinfo->flinfo);
	ts = PG_GETARG_TIMESTAMPTZ(2);
	ensure_finite_timestamp(ts, "occurred_at");
	ensure_finite_timestamp(PG_GETARG_TIMESTAMPTZ(3), "origin");
	origin_day = local_day(PG_GETARG_TIMESTAMPTZ(3), cache);
	track_set_consts(st, origin_day, unit_whole_days(PG_GETARG_INTERVAL_P(4)));
	day = local_day(ts, cache);
	if (day < origin_day)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("occurred_at must not be before the day of origin"),
				 errhint("Track a cohort: the customers whose first purchase is on or after origin, with all their orders.")));
	track_reserve(st, 1);
	st->pairs[st->n].customer = PG_GETARG_INT64(1);
	st->pairs[st->n].day = day;
	st->n++;
	PG_RETURN_POINTER(st);
}

Datum
tracking_sample_combine(PG_FUNCTION_ARGS)
{
	MemoryContext agg = aggregate_context(fcinfo, "tracking_sample_combine");
	TrackState *into;
	TrackState *from;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_POINTER(PG_GETARG_POINTER(0));
	}
	from = (TrackState *) PG_GETARG_POINTER(1);
	into = PG_ARGISNULL(0) ? track_create(agg, from->n) : (TrackState *) PG_GETARG_POINTER(0);
	if (from->have_consts)
		track_set_consts(into, from->origin_day, from->unit_days);
	track_reserve(into, from->n);
	memcpy(into->pairs + into->n, from->pairs, sizeof(TrackPair) * from->n);
	into->n += from->n;
	PG_RETURN_POINTER(into);
}

/*
 * Serial form: magic, have_consts, origin_day, unit_days, n, then n
 * (customer int64, day int32) in sorted order (network byte order).
 */
Datum
tracking_sample_serialize(PG_FUNCTION_ARGS)
{
	TrackState *st;
	StringInfoData buf;

	aggregate_context(fcinfo, "tracking_sample_serialize");
	st = (TrackState *) PG_GETARG_POINTER(0);
	track_compact(st);
	pq_begintypsend(&buf);
	pq_sendint32(&buf, TRACKING_MAGIC);
	pq_sendint32(&buf, st->have_consts ? 1 : 0);
	pq_sendint32(&buf, st->origin_day);
	pq_sendint32(&buf, st->unit_days);
	pq_sendint32(&buf, st->n);
	for (int i = 0; i < st->n; i++)
	{
		pq_sendint64(&buf, st->pairs[i].customer);
		pq_sendint32(&buf, st->pairs[i].day);
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

Datum
tracking_sample_deserialize(PG_FUNCTION_ARGS)
{
	bytea	   *b;
	StringInfoData buf;
	TrackState *st;
	int32		n;

	aggregate_context(fcinfo, "tracking_sample_deserialize");
	b = PG_GETARG_BYTEA_PP(0);
	buf.data = VARDATA_ANY(b);
	buf.len = VARSIZE_ANY_EXHDR(b);
	buf.maxlen = buf.len;
	buf.cursor = 0;
	if (buf.len < 20 || pq_getmsgint(&buf, 4) != TRACKING_MAGIC)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid tracking_sample state")));
	st = track_create(CurrentMemoryContext, 0);
	st->have_consts = pq_getmsgint(&buf, 4) != 0;
	st->origin_day = pq_getmsgint(&buf, 4);
	st->unit_days = pq_getmsgint(&buf, 4);
	n = pq_getmsgint(&buf, 4);
	if (n < 0 || (int64) buf.len - buf.cursor != (int64) n * 12)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid tracking_sample state"),
				 errdetail("The length does not match %d pairs.", n)));
	track_reserve(st, n);
	for (int i = 0; i < n; i++)
	{
		st->pairs[i].customer = pq_getmsgint64(&buf);
		st->pairs[i].day = pq_getmsgint(&buf, 4);
	}
	st->n = n;
	PG_RETURN_POINTER(st);
}

/*
 * Final function: the engage.fitdata of (first purchase day, purchase day)
 * counts described at the top of the file; NULL without orders.
 */
Datum
tracking_sample_final(PG_FUNCTION_ARGS)
{
	TrackState *st;
	FitData    *fd;
	double		opts[2];

	aggregate_context(fcinfo, "tracking_sample_final");
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	st = (TrackState *) PG_GETARG_POINTER(0);
	if (st->n == 0)
		PG_RETURN_NULL();
	track_compact(st);
	fd = fitdata_create(CurrentMemoryContext, 2);
	opts[0] = st->unit_days;
	opts[1] = st->origin_day;
	fitdata_set_options(fd, opts, 2, "tracking options");
	for (int i = 0; i < st->n;)
	{
		int64		customer = st->pairs[i].customer;
		double		v[2];

		v[0] = (double) st->pairs[i].day - st->origin_day;
		for (; i < st->n && st->pairs[i].customer == customer; i++)
		{
			v[1] = (double) st->pairs[i].day - st->origin_day;
			fitdata_add(fd, v, 1.0);
		}
		CHECK_FOR_INTERRUPTS();
	}
	PG_RETURN_BYTEA_P(fitdata_to_bytes(fd));
}

/* Reads the tracking sample of argument argno: its unit and origin. */
static FitData *
tracking_sample_getarg(FunctionCallInfo fcinfo, int argno, int32 *unit_days,
					   int32 *origin_day)
{
	FitData    *fd = fitdata_from_bytes(CurrentMemoryContext, PG_GETARG_BYTEA_P(argno));

	if (fd->k != 2 || fd->nopts != 2 || !(fd->opts[0] >= 1) ||
		fd->opts[0] != rint(fd->opts[0]) || fd->opts[0] > PG_INT32_MAX ||
		fd->opts[1] != rint(fd->opts[1]) || fabs(fd->opts[1]) > PG_INT32_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("sample must be the result of engage.tracking_sample")));
	*unit_days = (int32) fd->opts[0];
	*origin_day = (int32) fd->opts[1];
	for (int i = 0; i < fd->ntuples; i++)
	{
		const double *v = fitdata_tuple(fd, i);

		if (!(v[0] >= 0 && v[1] >= v[0] && v[1] <= PG_INT32_MAX) ||
			v[0] != rint(v[0]) || v[1] != rint(v[1]))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("sample must be the result of engage.tracking_sample"),
					 errdetail("It has the pair (%g, %g).", v[0], v[1])));
	}
	return fd;
}

/*
 * tracking(model, sample [, periods]): rows (period, period_start,
 * observed, expected, cumulative_observed, cumulative_expected) for periods
 * 1 .. periods (default: through the last purchase of the sample).
 */
static Datum
tracking(FunctionCallInfo fcinfo, BtydFamily f)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	double		p[4];
	int32		u;
	int32		origin_day;
	FitData    *fd;
	int32		periods = 0;
	double	   *observed;
	double	   *cum_expected;
	double	   *firsts;			/* (first day, customers) pairs */
	int			nfirsts = 0;
	double		alive0;
	double	   *e_new;			/* E[X(a / u)] of a new customer, a in days */
	int64		span;
	double		cum_observed = 0.0;

	btyd_family_getarg(fcinfo, f, 0, p);
	fd = tracking_sample_getarg(fcinfo, 1, &u, &origin_day);
	if (PG_NARGS() > 2)
	{
		periods = PG_GETARG_INT32(2);
		if (periods < 1 || periods > MAX_PERIODS)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("periods must be between 1 and %d", MAX_PERIODS)));
	}
	else
	{
		double		last = 0.0;

		for (int i = 0; i < fd->ntuples; i++)
			last = Max(last, fitdata_tuple(fd, i)[1]);
		periods = (int32) Min(floor(last / u) + 1.0, (double) MAX_PERIODS);
	}
	observed = palloc0(sizeof(double) * (periods + 1));
	cum_expected = palloc0(sizeof(double) * (periods + 1));
	firsts = palloc(sizeof(double) * 2 * Max(fd->ntuples, 1));
	for (int i = 0; i < fd->ntuples; i++)
	{
		const double *v = fitdata_tuple(fd, i);
		double		w = fitdata_weight(fd, i);

		if (v[1] == v[0])
		{
			/* the tuples are in value order: the first days come sorted */
			firsts[2 * nfirsts] = v[0];
			firsts[2 * nfirsts + 1] = w;
			nfirsts++;
		}
		else if (floor(v[1] / u) < periods)
			observed[(int) floor(v[1] / u) + 1] += w;
	}
	/*
	 * E[X(a / u)] of a new customer (the summary (0, 0, 0)) at every age of
	 * a = 0 .. periods u - 1 days, BTYD_STEPS_MAX at a time; then each
	 * cohort of first day f adds E at age k u - 1 - f to period k.
	 */
	span = (int64) periods * u;
	if (span > MAX_SPAN_DAYS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the tracked span must not exceed %d days", MAX_SPAN_DAYS),
				 errhint("Use fewer periods.")));
	e_new = palloc(sizeof(double) * span);
	alive0 = btyd_family_p_alive(fcinfo, f, p, 0, 0, 0);
	for (int64 a = 0; a < span; a += BTYD_STEPS_MAX)
	{
		CHECK_FOR_INTERRUPTS();
		btyd_family_expected_steps(f, p, alive0, 0, 0, 1.0 / u, (int) a,
								   (int) Min(span - a, BTYD_STEPS_MAX), e_new + a);
	}
	for (int i = 0; i < nfirsts; i++)
	{
		int64		first = (int64) firsts[2 * i];
		double		w = firsts[2 * i + 1];

		CHECK_FOR_INTERRUPTS();
		for (int k = (int) (first / u) + 1; k <= periods; k++)
			cum_expected[k] += w * e_new[(int64) k * u - 1 - first];
	}
	InitMaterializedSRF(fcinfo, 0);
	for (int k = 1; k <= periods; k++)
	{
		Datum		values[6];
		bool		nulls[6] = {false, false, false, false, false, false};
		int64		start = (int64) origin_day + (int64) (k - 1) * u;

		cum_observed += observed[k];
		values[0] = Int32GetDatum(k);
		if (IS_VALID_DATE(start))
			values[1] = DateADTGetDatum((DateADT) start);
		else
			nulls[1] = true;
		values[2] = Float8GetDatum(observed[k]);
		values[3] = Float8GetDatum(finite_result(cum_expected[k] - cum_expected[k - 1],
												 "expected"));
		values[4] = Float8GetDatum(cum_observed);
		values[5] = Float8GetDatum(finite_result(cum_expected[k], "expected"));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

Datum
bgnbd_tracking(PG_FUNCTION_ARGS)
{
	return tracking(fcinfo, BTYD_BGNBD);
}

Datum
mbgnbd_tracking(PG_FUNCTION_ARGS)
{
	return tracking(fcinfo, BTYD_MBGNBD);
}

Datum
paretonbd_tracking(PG_FUNCTION_ARGS)
{
	return tracking(fcinfo, BTYD_PARETONBD);
}

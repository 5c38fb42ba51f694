/*-------------------------------------------------------------------------
 *
 * diagnostics.c
 *	  The data behind the usual checks of a fitted counting model (BG/NBD,
 *	  MBG/NBD, Pareto/NBD), as set-returning functions whose rows a chart
 *	  reads directly (the plots of lifetimes' plotting module and CLVTools):
 *
 *	 frequency_recency_matrix  P(alive) and E[X(t)] over a (frequency,
 *							   recency) grid at one age;
 *	 period_transactions	   customers with 0, 1, 2, ... repeat purchases
 *							   in calibration, observed against
 *							   sum_i P(X(T_i) = n) (FHL 2005 eq. 8 and its
 *							   analogues at each customer's age);
 *	 calibration_holdout	   mean holdout purchases by calibration
 *							   frequency, observed against the mean
 *							   conditional expectation (FHL 2005 eq. 10,
 *							   their figure 5);
 *	 tracking				   repeat purchases of a cohort per period and
 *							   cumulated, observed against sum_i E[X(t - f_i)]
 *							   over the customers' first purchase days f_i
 *							   (FHL 2005 eq. 7, their figures 2 and 3);
 *	 p_alive_path			   one customer's P(alive) day by day.
 *
 * Their inputs are samples built by aggregates (engage.fitdata over
 * summaries, engage.fitdata over engage.rfm_holdout, engage.tracking_sample
 * over orders) or one customer's purchase times, so that each diagnostic
 * is one query over an order table or a summary table.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "lib/qunique.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/typcache.h"
#include "utils/timestamp.h"

#include "diagnostics.h"
#include "engage.h"
#include "localday.h"

PG_FUNCTION_INFO_V1(bgnbd_fr_matrix);
PG_FUNCTION_INFO_V1(mbgnbd_fr_matrix);
PG_FUNCTION_INFO_V1(paretonbd_fr_matrix);
PG_FUNCTION_INFO_V1(bgnbd_period_transactions);
PG_FUNCTION_INFO_V1(mbgnbd_period_transactions);
PG_FUNCTION_INFO_V1(paretonbd_period_transactions);
PG_FUNCTION_INFO_V1(holdout_fitdata_accum);
PG_FUNCTION_INFO_V1(bgnbd_calibration_holdout);
PG_FUNCTION_INFO_V1(mbgnbd_calibration_holdout);
PG_FUNCTION_INFO_V1(paretonbd_calibration_holdout);
PG_FUNCTION_INFO_V1(bgnbd_p_alive_path);
PG_FUNCTION_INFO_V1(mbgnbd_p_alive_path);
PG_FUNCTION_INFO_V1(paretonbd_p_alive_path);

/* The largest grid of frequency_recency_matrix, and the largest bin. */
#define MAX_GRID_CELLS 1000000
#define MAX_BINS 1000
/* The longest P(alive) path, in days (about 270 years). */
#define MAX_PATH_DAYS 100000

/* Errors unless lo <= v <= hi. */
static inline void
ensure_int_range(int32 v, int32 lo, int32 hi, const char *argname)
{
	if (v < lo || v > hi)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be between %d and %d", argname, lo, hi)));
}

/* A stored sample (argument argno) with at least k columns. */
static FitData *
sample_getarg(FunctionCallInfo fcinfo, int argno, int k, const char *what)
{
	FitData    *fd = fitdata_from_bytes(CurrentMemoryContext, PG_GETARG_BYTEA_P(argno));

	if (fd->k < k)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("sample must be %s", what),
				 errdetail("The sample has %d columns.", fd->k)));
	return fd;
}

/* The label of bin n of 0 .. max: "3", or "7+" for the last. */
static Datum
bin_label(int n, int max)
{
	char		buf[16];

	snprintf(buf, sizeof(buf), n == max ? "%d+" : "%d", n);
	return CStringGetTextDatum(buf);
}

/*
 * frequency_recency_matrix(model, max_frequency, age, t, recency_step):
 * rows (frequency, recency, p_alive, expected_purchases) for frequency
 * 0 .. max_frequency and recency 0, step, 2 step, ... up to age (and age
 * itself); the impossible cells (frequency 0, recency > 0) have NULLs.
 */
static Datum
fr_matrix(FunctionCallInfo fcinfo, BtydFamily f)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	double		p[4];
	int32		max_x = PG_GETARG_INT32(1);
	double		T = PG_GETARG_FLOAT8(2);
	double		t = PG_GETARG_FLOAT8(3);
	double		step = PG_GETARG_FLOAT8(4);
	double		kmax;
	int			npoints;

	btyd_family_getarg(fcinfo, f, 0, p);
	ensure_int_range(max_x, 0, MAX_GRID_CELLS - 1, "max_frequency");
	ensure_nonnegative(T, "age");
	ensure_nonnegative(t, "t");
	ensure_positive(step, "recency_step");
	/* recency k * step for k <= kmax, then age when it is not on the grid */
	kmax = floor(T / step * (1.0 + 1e-12));
	if ((kmax + 2.0) * (max_x + 1.0) > MAX_GRID_CELLS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the grid must not have more than %d cells", MAX_GRID_CELLS),
				 errhint("Use a larger recency_step or a smaller max_frequency.")));
	npoints = (int) kmax + 1 + (kmax * step < T * (1.0 - 1e-12) ? 1 : 0);
	InitMaterializedSRF(fcinfo, 0);
	for (int x = 0; x <= max_x; x++)
	{
		double		e_alive;

		/* E[X(t) | alive at T] depends on the frequency only */
		btyd_family_expected_steps(f, p, 1.0, x, T, t, 1, 1, &e_alive);
		for (int k = 0; k < npoints; k++)
		{
			double		tx = Min(k * step, T);
			Datum		values[4];
			bool		nulls[4] = {false, false, false, false};

			CHECK_FOR_INTERRUPTS();
			values[0] = Int32GetDatum(x);
			values[1] = Float8GetDatum(tx);
			if (x == 0 && tx > 0)
				nulls[2] = nulls[3] = true;
			else
			{
				double		alive = btyd_family_p_alive(fcinfo, f, p, x, tx, T);

				values[2] = Float8GetDatum(finite_result(alive, "p_alive"));
				values[3] = Float8GetDatum(finite_result(alive * e_alive,
														 "expected_purchases"));
			}
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		}
	}
	return (Datum) 0;
}

Datum
bgnbd_fr_matrix(PG_FUNCTION_ARGS)
{
	return fr_matrix(fcinfo, BTYD_BGNBD);
}

Datum
mbgnbd_fr_matrix(PG_FUNCTION_ARGS)
{
	return fr_matrix(fcinfo, BTYD_MBGNBD);
}

Datum
paretonbd_fr_matrix(PG_FUNCTION_ARGS)
{
	return fr_matrix(fcinfo, BTYD_PARETONBD);
}

/* Orders doubles ascending. */
static int
double_cmp(const void *a, const void *b)
{
	double		x = *(const double *) a;
	double		y = *(const double *) b;

	return x < y ? -1 : (x > y ? 1 : 0);
}

/*
 * period_transactions(model, sample, max_frequency): rows (frequency,
 * label, observed, expected) for n = 0 .. max_frequency, the last bin
 * counting max_frequency or more repeat purchases.  observed sums the
 * weights of the summaries with frequency n; expected sums
 * w_i P(X(T_i) = n) over the summaries, computed once per distinct age T.
 */
static Datum
period_transactions(FunctionCallInfo fcinfo, BtydFamily f)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	double		p[4];
	FitData    *fd;
	int32		max_x = PG_GETARG_INT32(2);
	double	   *observed;
	double	   *expected;
	double	   *ages;			/* (T, weight) pairs, sorted by T */
	double	   *pmf;

	btyd_family_getarg(fcinfo, f, 0, p);
	fd = sample_getarg(fcinfo, 1, 3, "of summaries (frequency, recency, age)");
	ensure_int_range(max_x, 1, MAX_BINS, "max_frequency");
	observed = palloc0(sizeof(double) * (max_x + 1));
	expected = palloc0(sizeof(double) * (max_x + 1));
	pmf = palloc(sizeof(double) * max_x);
	ages = palloc(sizeof(double) * 2 * Max(fd->ntuples, 1));
	for (int i = 0; i < fd->ntuples; i++)
	{
		const double *v = fitdata_tuple(fd, i);
		double		w = fitdata_weight(fd, i);

		CHECK_FOR_INTERRUPTS();
		btyd_check_summary(v[0], v[1], v[2]);
		observed[(int) Min(v[0], (double) max_x)] += w;
		ages[2 * i] = v[2];
		ages[2 * i + 1] = w;
	}
	qsort(ages, fd->ntuples, 2 * sizeof(double), double_cmp);
	for (int i = 0; i < fd->ntuples;)
	{
		double		T = ages[2 * i];
		double		w = 0.0;
		double		below = 0.0;

		for (; i < fd->ntuples && ages[2 * i] == T; i++)
			w += ages[2 * i + 1];
		for (int n = 0; n < max_x; n++)
		{
			CHECK_FOR_INTERRUPTS();
			pmf[n] = btyd_family_prob_new(f, p, n, T);
			below += pmf[n];
			expected[n] += w * pmf[n];
		}
		/* P(X(T) >= max), clamped at 0 against rounding */
		expected[max_x] += w * Max(1.0 - below, 0.0);
	}
	InitMaterializedSRF(fcinfo, 0);
	for (int n = 0; n <= max_x; n++)
	{
		Datum		values[4];
		bool		nulls[4] = {false, false, false, false};

		values[0] = Int32GetDatum(n);
		values[1] = bin_label(n, max_x);
		values[2] = Float8GetDatum(observed[n]);
		values[3] = Float8GetDatum(finite_result(expected[n], "expected"));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

Datum
bgnbd_period_transactions(PG_FUNCTION_ARGS)
{
	return period_transactions(fcinfo, BTYD_BGNBD);
}

Datum
mbgnbd_period_transactions(PG_FUNCTION_ARGS)
{
	return period_transactions(fcinfo, BTYD_MBGNBD);
}

Datum
paretonbd_period_transactions(PG_FUNCTION_ARGS)
{
	return period_transactions(fcinfo, BTYD_PARETONBD);
}

/* The five fields of engage.rfm_holdout that calibration_holdout reads. */
#define HOLDOUT_FIELDS 5
static const char *const holdout_fields[HOLDOUT_FIELDS] = {
	"frequency", "recency", "age", "holdout_frequency", "duration_holdout"
};

/* Where those fields are in a summary type (cached per call site). */
typedef struct HoldoutLayout
{
	Oid			typid;
	int32		typmod;
	AttrNumber	attnum[HOLDOUT_FIELDS];
	Oid			atttype[HOLDOUT_FIELDS];
} HoldoutLayout;

/* The layout of the summary type of tup, looked up by name once per call site. */
static HoldoutLayout *
holdout_layout(FunctionCallInfo fcinfo, HeapTupleHeader tup, TupleDesc desc)
{
	HoldoutLayout *layout = (HoldoutLayout *) fcinfo->flinfo->fn_extra;

	if (layout != NULL && layout->typid == HeapTupleHeaderGetTypeId(tup) &&
		layout->typmod == HeapTupleHeaderGetTypMod(tup))
		return layout;
	if (layout == NULL)
		layout = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(HoldoutLayout));
	for (int f = 0; f < HOLDOUT_FIELDS; f++)
	{
		layout->attnum[f] = InvalidAttrNumber;
		for (int i = 0; i < desc->natts; i++)
		{
			Form_pg_attribute att = TupleDescAttr(desc, i);

			if (!att->attisdropped && strcmp(NameStr(att->attname), holdout_fields[f]) == 0)
			{
				layout->attnum[f] = att->attnum;
				layout->atttype[f] = att->atttypid;
			}
		}
		if (layout->attnum[f] == InvalidAttrNumber ||
			(layout->atttype[f] != INT4OID && layout->atttype[f] != INT8OID &&
			 layout->atttype[f] != FLOAT8OID))
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("the summary has no %s of type integer, bigint or double precision",
							holdout_fields[f])));
	}
	layout->typid = HeapTupleHeaderGetTypeId(tup);
	layout->typmod = HeapTupleHeaderGetTypMod(tup);
	fcinfo->flinfo->fn_extra = layout;
	return layout;
}

/* Reads the fields into v; false when one is NULL. */
static bool
holdout_values(FunctionCallInfo fcinfo, HeapTupleHeader tup, double *v)
{
	TupleDesc	desc = lookup_rowtype_tupdesc(HeapTupleHeaderGetTypeId(tup),
											  HeapTupleHeaderGetTypMod(tup));
	HoldoutLayout *layout = holdout_layout(fcinfo, tup, desc);
	HeapTupleData tuple;
	bool		complete = true;

	tuple.t_len = HeapTupleHeaderGetDatumLength(tup);
	tuple.t_data = tup;
	for (int f = 0; f < HOLDOUT_FIELDS && complete; f++)
	{
		bool		isnull;
		Datum		d = heap_getattr(&tuple, layout->attnum[f], desc, &isnull);

		if (isnull)
			complete = false;
		else if (layout->atttype[f] == INT4OID)
			v[f] = DatumGetInt32(d);
		else if (layout->atttype[f] == INT8OID)
			v[f] = (double) DatumGetInt64(d);
		else
			v[f] = DatumGetFloat8(d);
	}
	ReleaseTupleDesc(desc);
	return complete;
}

/*
 * Transition function of engage.fitdata(engage.rfm_holdout): adds the
 * tuple (frequency, recency, age, holdout_frequency) of one summary; its
 * duration_holdout is the sample's option, the same on every row.  NULL
 * summaries, and summaries with a NULL field, are skipped.
 */
Datum
holdout_fitdata_accum(PG_FUNCTION_ARGS)
{
	FitData    *fd = fitdata_getarg(fcinfo, 0, 4, "holdout_fitdata_accum");
	double		v[HOLDOUT_FIELDS];

	if (PG_ARGISNULL(1) || !holdout_values(fcinfo, PG_GETARG_HEAPTUPLEHEADER(1), v))
		PG_RETURN_POINTER(fd);
	btyd_check_summary(v[0], v[1], v[2]);
	ensure_nonnegative(v[3], "holdout_frequency");
	ensure_nonnegative(v[4], "duration_holdout");
	fitdata_set_options(fd, &v[4], 1, "duration_holdout");
	fitdata_add(fd, v, 1.0);
	PG_RETURN_POINTER(fd);
}

/*
 * calibration_holdout(model, sample, max_frequency): rows (frequency,
 * label, customers, observed, expected) by calibration frequency 0 ..
 * max_frequency (the last bin: that many or more), observed the mean
 * number of holdout purchases and expected the mean of
 * E[X(T, T + duration) | x, t_x, T] (FHL 2005 eq. 10 and its analogues).
 */
static Datum
calibration_holdout(FunctionCallInfo fcinfo, BtydFamily f)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	double		p[4];
	FitData    *fd;
	int32		max_x = PG_GETARG_INT32(2);
	double		duration;
	double	   *customers;
	double	   *observed;
	double	   *expected;

	btyd_family_getarg(fcinfo, f, 0, p);
	fd = sample_getarg(fcinfo, 1, 4, "engage.fitdata over engage.rfm_holdout summaries");
	if (!btyd_is_holdout_sample(fd))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("sample must be engage.fitdata over engage.rfm_holdout summaries"),
				 errdetail("The sample has %d columns and %d options.", fd->k, fd->nopts)));
	duration = fd->opts[0];
	ensure_nonnegative(duration, "duration_holdout");
	ensure_int_range(max_x, 1, MAX_BINS, "max_frequency");
	customers = palloc0(sizeof(double) * (max_x + 1));
	observed = palloc0(sizeof(double) * (max_x + 1));
	expected = palloc0(sizeof(double) * (max_x + 1));
	for (int i = 0; i < fd->ntuples; i++)
	{
		const double *v = fitdata_tuple(fd, i);
		double		w = fitdata_weight(fd, i);
		int			bin = (int) Min(v[0], (double) max_x);
		double		e;

		CHECK_FOR_INTERRUPTS();
		btyd_check_summary(v[0], v[1], v[2]);
		ensure_nonnegative(v[3], "holdout_frequency");
		e = btyd_family_expected(fcinfo, f, p, v[0], v[1], v[2], duration);
		customers[bin] += w;
		observed[bin] += w * v[3];
		expected[bin] += w * e;
	}
	InitMaterializedSRF(fcinfo, 0);
	for (int n = 0; n <= max_x; n++)
	{
		Datum		values[5];
		bool		nulls[5] = {false, false, false, false, false};

		if (customers[n] == 0.0)
			continue;			/* no customer: no mean */
		values[0] = Int32GetDatum(n);
		values[1] = bin_label(n, max_x);
		values[2] = Float8GetDatum(customers[n]);
		values[3] = Float8GetDatum(observed[n] / customers[n]);
		values[4] = Float8GetDatum(finite_result(expected[n] / customers[n], "expected"));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

Datum
bgnbd_calibration_holdout(PG_FUNCTION_ARGS)
{
	return calibration_holdout(fcinfo, BTYD_BGNBD);
}

Datum
mbgnbd_calibration_holdout(PG_FUNCTION_ARGS)
{
	return calibration_holdout(fcinfo, BTYD_MBGNBD);
}

Datum
paretonbd_calibration_holdout(PG_FUNCTION_ARGS)
{
	return calibration_holdout(fcinfo, BTYD_PARETONBD);
}

/* Orders int32 ascending. */
static int
int32_cmp(const void *a, const void *b)
{
	int32		x = *(const int32 *) a;
	int32		y = *(const int32 *) b;

	return x < y ? -1 : (x > y ? 1 : 0);
}

/*
 * p_alive_path(model, purchases, as_of, unit): one row per calendar day
 * (session TimeZone) from the first purchase day to the day of as_of,
 * (day, age, frequency, recency, p_alive) with the summary as it stood at
 * the end of that day, times in units.  Purchases after the day of as_of
 * and NULL elements are ignored; no purchase up to as_of gives no rows.
 */
static Datum
p_alive_path(FunctionCallInfo fcinfo, BtydFamily f)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	double		p[4];
	ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(1);
	TimestampTz as_of = PG_GETARG_TIMESTAMPTZ(2);
	double		unit_days = (double) interval_fixed_usecs(PG_GETARG_INTERVAL_P(3), "unit") /
		(double) USECS_PER_DAY;
	FmgrInfo	dayinfo;
	LocalDayCache *cache;
	Datum	   *elems;
	bool	   *elem_nulls;
	int			nelems;
	int32	   *days;
	int			ndays = 0;
	int32		last_day;

	btyd_family_getarg(fcinfo, f, 0, p);
	ensure_finite_timestamp(as_of, "as_of");
	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("purchases must be a one-dimensional array")));
	/* a private day cache: fn_extra belongs to the Pareto/NBD memo */
	memset(&dayinfo, 0, sizeof(dayinfo));
	dayinfo.fn_mcxt = CurrentMemoryContext;
	cache = local_day_cache(&dayinfo);
	last_day = local_day(as_of, cache);
	deconstruct_array(arr, TIMESTAMPTZOID, sizeof(TimestampTz), true, TYPALIGN_DOUBLE,
					  &elems, &elem_nulls, &nelems);
	days = palloc(sizeof(int32) * Max(nelems, 1));
	for (int i = 0; i < nelems; i++)
	{
		TimestampTz ts;
		int32		d;

		if (elem_nulls[i])
			continue;
		ts = DatumGetTimestampTz(elems[i]);
		ensure_finite_timestamp(ts, "purchase time");
		d = local_day(ts, cache);
		if (d <= last_day)
			days[ndays++] = d;
	}
	InitMaterializedSRF(fcinfo, 0);
	if (ndays == 0)
		return (Datum) 0;
	qsort(days, ndays, sizeof(int32), int32_cmp);
	if ((int64) last_day - days[0] >= MAX_PATH_DAYS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the path must not be longer than %d days", MAX_PATH_DAYS),
				 errhint("Use an as_of closer to the first purchase.")));
	ndays = qunique(days, ndays, sizeof(int32), int32_cmp);
	for (int32 d = days[0], next = 0; d <= last_day; d++)
	{
		Datum		values[5];
		bool		nulls[5] = {false, false, false, false, false};
		double		T = (d - days[0]) / unit_days;
		double		tx;

		CHECK_FOR_INTERRUPTS();
		while (next < ndays && days[next] <= d)
			next++;
		/* days[next - 1] is the last purchase day up to d */
		tx = (days[next - 1] - days[0]) / unit_days;
		values[0] = DateADTGetDatum((DateADT) d);
		values[1] = Float8GetDatum(T);
		values[2] = Int32GetDatum(next - 1);
		values[3] = Float8GetDatum(tx);
		values[4] = Float8GetDatum(finite_result(btyd_family_p_alive(fcinfo, f, p, next - 1,
																	 tx, T), "p_alive"));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		if (d == PG_INT32_MAX)
			break;
	}
	return (Datum) 0;
}

Datum
bgnbd_p_alive_path(PG_FUNCTION_ARGS)
{
	return p_alive_path(fcinfo, BTYD_BGNBD);
}

Datum
mbgnbd_p_alive_path(PG_FUNCTION_ARGS)
{
	return p_alive_path(fcinfo, BTYD_MBGNBD);
}

Datum
paretonbd_p_alive_path(PG_FUNCTION_ARGS)
{
	return p_alive_path(fcinfo, BTYD_PARETONBD);
}

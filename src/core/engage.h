/*-------------------------------------------------------------------------
 *
 * engage.h
 *	  Declarations shared by every family of engage functions: argument
 *	  checks (one condition, one SQLSTATE each) and time conversions.
 *
 * Conventions: a bad argument value raises 22023 (invalid_parameter_value),
 * an infinite timestamp 22008 (datetime_field_overflow); messages name the
 * argument, in lower case, without a trailing period.
 *
 *-------------------------------------------------------------------------
 */
#ifndef ENGAGE_H
#define ENGAGE_H

#include "postgres.h"

#include <math.h>

#include "datatype/timestamp.h"
#include "fmgr.h"
#include "pg_compat.h"

/* Errors unless v is a finite number (not NaN, not +-Infinity). */
static inline void
ensure_finite(double v, const char *argname)
{
	if (isnan(v) || isinf(v))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a finite number", argname)));
}

/* Errors unless v is finite and > 0. */
static inline void
ensure_positive(double v, const char *argname)
{
	ensure_finite(v, argname);
	if (v <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be positive", argname)));
}

/* Errors unless v is finite and >= 0. */
static inline void
ensure_nonnegative(double v, const char *argname)
{
	ensure_finite(v, argname);
	if (v < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not be negative", argname)));
}

/* Returns the computed value v, or errors when it is NaN or infinite. */
static inline double
finite_result(double v, const char *what)
{
	if (isnan(v) || isinf(v))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s is out of range for these arguments", what)));
	return v;
}

/* Errors when ts is -infinity or infinity. */
static inline void
ensure_finite_timestamp(TimestampTz ts, const char *argname)
{
	if (TIMESTAMP_NOT_FINITE(ts))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("%s must be a finite timestamp", argname)));
}

/*
 * The length of a fixed-length interval in microseconds (a day counts as
 * 24 hours); errors when it has a month part or is not positive.
 */
extern int64 interval_fixed_usecs(const Interval *iv, const char *argname);

/*
 * The memory context of the aggregate being computed; errors when fname is
 * called outside an aggregate.
 */
extern MemoryContext aggregate_context(FunctionCallInfo fcinfo, const char *fname);

#endif							/* ENGAGE_H */

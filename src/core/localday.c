/*-------------------------------------------------------------------------
 *
 * localday.c
 *	  Calendar days of timestamps in the session time zone, or in a zone named
 *	  by the query (see localday.h).
 *
 * A timestamptz is microseconds since 2000-01-01 00:00 UTC; its local day is
 * floor((ts + offset) / 1 day), where offset is the zone's UTC offset at ts.
 * The offset is constant between two daylight-saving (or other) transitions,
 * so a handful of cached segments answers almost every lookup of a query.
 *
 *-------------------------------------------------------------------------
 */
#include "localday.h"

#include "utils/memutils.h"

/* Seconds from the Unix epoch to the PostgreSQL epoch. */
#define EPOCH_SHIFT_SECS \
	((int64) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * SECS_PER_DAY)

LocalDayCache *
local_day_cache(FmgrInfo *flinfo)
{
	if (flinfo->fn_extra == NULL)
		flinfo->fn_extra = MemoryContextAllocZero(flinfo->fn_mcxt,
												  sizeof(LocalDayCache));
	return (LocalDayCache *) flinfo->fn_extra;
}

void
local_day_set_zone(LocalDayCache *cache, const text *name)
{
	int			len = VARSIZE_ANY_EXHDR(name);
	pg_tz	   *zone;

	if (cache->zone != NULL && len == (int) strlen(cache->zone_name) &&
		memcmp(VARDATA_ANY(name), cache->zone_name, len) == 0)
		return;
	if (len > TZ_STRLEN_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("time zone name too long")));
	memcpy(cache->zone_name, VARDATA_ANY(name), len);
	cache->zone_name[len] = '\0';
	zone = pg_tzset(cache->zone_name);
	if (zone == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("time zone \"%s\" not recognized", cache->zone_name)));
	cache->zone = zone;
}

/* Floor division of a by b (b > 0). */
static inline int64
floor_div(int64 a, int64 b)
{
	int64		q = a / b;

	return (a % b < 0) ? q - 1 : q;
}

/*
 * Finds the offset at t by a zone lookup and remembers the segment it holds
 * in, merging it with a cached segment that ends at the same transition.
 */
static int64
local_offset_lookup(pg_time_t t, LocalDayCache *cache)
{
	long		before_gmtoff;
	long		after_gmtoff;
	int			before_isdst;
	int			after_isdst;
	pg_time_t	boundary = 0;
	int			found;
	LocalDaySegment *seg;

	found = pg_next_dst_boundary(&t, &before_gmtoff, &before_isdst,
								 &boundary, &after_gmtoff, &after_isdst,
								 cache->tz);
	if (found < 0 || (found == 1 && boundary <= t))
	{
		/* no usable segment: ask for the local time of this instant only */
		struct pg_tm *tm = pg_localtime(&t, cache->tz);

		if (tm == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
					 errmsg("timestamp out of range")));
		return (int64) tm->tm_gmtoff * USECS_PER_SEC;
	}
	if (found == 0)
		boundary = PG_INT64_MAX;	/* no transition after t */

	/* [t, boundary) has one offset: widen a segment ending there, if any */
	for (int i = 0; i < cache->nsegments; i++)
	{
		seg = &cache->segments[i];
		if (seg->hi == boundary && seg->lo > t)
		{
			seg->lo = t;
			return seg->offset_usecs;
		}
	}
	if (cache->nsegments < LOCAL_DAY_SEGMENTS)
		seg = &cache->segments[cache->nsegments++];
	else
	{
		seg = &cache->segments[cache->replace];
		cache->replace = (cache->replace + 1) % LOCAL_DAY_SEGMENTS;
	}
	seg->lo = t;
	seg->hi = boundary;
	seg->offset_usecs = (int64) before_gmtoff * USECS_PER_SEC;
	return seg->offset_usecs;
}

int32
local_day(TimestampTz ts, LocalDayCache *cache)
{
	pg_time_t	t = floor_div(ts, USECS_PER_SEC) + EPOCH_SHIFT_SECS;
	int64		offset = 0;
	bool		cached = false;
	int64		day;
	int64		usecs_in_day;
	pg_tz	   *zone = cache->zone ? cache->zone : session_timezone;

	if (cache->tz != zone)
	{
		/* first call, or the zone was changed since */
		cache->tz = zone;
		cache->nsegments = 0;
		cache->replace = 0;
	}
	for (int i = 0; i < cache->nsegments; i++)
	{
		if (cache->segments[i].lo <= t && t < cache->segments[i].hi)
		{
			offset = cache->segments[i].offset_usecs;
			cached = true;
			break;
		}
	}
	if (!cached)
		offset = local_offset_lookup(t, cache);

	/* split first so that adding the offset cannot overflow */
	day = floor_div(ts, USECS_PER_DAY);
	usecs_in_day = ts - day * USECS_PER_DAY + offset;
	if (usecs_in_day < 0)
		day--;
	else if (usecs_in_day >= USECS_PER_DAY)
		day++;
	return (int32) day;
}

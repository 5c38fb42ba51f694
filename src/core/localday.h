/*-------------------------------------------------------------------------
 *
 * localday.h
 *	  Calendar days of timestamps in the session time zone, computed by
 *	  arithmetic on a small cache of UTC-offset segments.
 *
 * Converting a timestamptz to a local date costs a time zone lookup and a
 * calendar decomposition per value.  Aggregates that only need the day
 * number call local_day() instead: it looks the UTC offset up in a cache of
 * segments (UTC ranges within which the zone's offset does not change, found
 * with pg_next_dst_boundary) and then needs only an addition and a division.
 * The cache lives in fn_extra, so it is shared by every group of a query.
 * Days follow the session's TimeZone unless a query names its zone
 * (local_day_set_zone), which makes them independent of session settings,
 * as a query shipped to another server (postgres_fdw, Citus) needs.
 *
 *-------------------------------------------------------------------------
 */
#ifndef LOCALDAY_H
#define LOCALDAY_H

#include "engage.h"

#include "pgtime.h"

#define LOCAL_DAY_SEGMENTS 8

/* One UTC range [lo, hi) (seconds since 1970) with a constant UTC offset. */
typedef struct LocalDaySegment
{
	pg_time_t	lo;
	pg_time_t	hi;
	int64		offset_usecs;	/* local time minus UTC */
} LocalDaySegment;

typedef struct LocalDayCache
{
	pg_tz	   *zone;			/* the zone named by the query, or NULL for
								 * the session's TimeZone */
	char		zone_name[TZ_STRLEN_MAX + 1];	/* its name, as given */
	pg_tz	   *tz;				/* the zone the segments belong to */
	int			nsegments;		/* used entries of segments */
	int			replace;		/* next entry to overwrite when full */
	LocalDaySegment segments[LOCAL_DAY_SEGMENTS];
} LocalDayCache;

/* The cache kept in flinfo->fn_extra, created on first use. */
extern LocalDayCache *local_day_cache(FmgrInfo *flinfo);

/*
 * Makes the days of this cache those of the time zone called name (a name
 * SET TimeZone accepts); errors 22023 for an unknown zone.  Cheap when the
 * name is the one set before.
 */
extern void local_day_set_zone(LocalDayCache *cache, const text *name);

/*
 * The calendar day of ts in the cache's zone (by default the session's), as days since
 * 2000-01-01 (the same number as ts::date - date '2000-01-01').
 */
extern int32 local_day(TimestampTz ts, LocalDayCache *cache);

#endif							/* LOCALDAY_H */

/*-------------------------------------------------------------------------
 *
 * timebuf.h
 *	  A growable buffer of fixed-size records keyed by a leading int64 time,
 *	  for aggregates that must see their rows in time order but receive them
 *	  in any order: append in the transition function, sort once at the end.
 *	  Records with equal times are merged (or dropped) when the buffer is
 *	  compacted, which happens before a buffer of 64 records or more grows,
 *	  so that it never allocates more than four records per distinct time
 *	  (typically two), or 64 records.  The first records may live in the caller's own
 *	  allocation (timebuf_init_inline), saving an allocation per group.  A
 *	  caller that keeps its records in an allocation of its own (one that
 *	  may move as it grows) sorts and compacts them, and sizes their growth,
 *	  through a view (timebuf_init_view, timebuf_room).  A record's time may
 *	  be its leading int64 shifted right (packed records, whose low bits hold
 *	  data of their own and sort below the time).
 *
 *-------------------------------------------------------------------------
 */
#ifndef TIMEBUF_H
#define TIMEBUF_H

#include "postgres.h"

#include "common/int.h"

/* Folds record from into record into (both with the same time). */
typedef void (*timebuf_merge_fn) (void *into, const void *from);

/* 48 bytes. */
typedef struct TimeBuf
{
	int64		count;			/* records in use */
	int64		capacity;		/* records allocated */
	char	   *records;		/* in cxt, or in the caller's allocation */
	MemoryContext cxt;			/* the aggregate context: grown records go here */
	timebuf_merge_fn merge;		/* NULL: equal times are simply deduplicated */
	uint32		width;			/* bytes per record; the first 8 hold the time */
	uint8		time_shift;		/* time = leading int64 >> time_shift */
	bool		records_inline; /* records are the caller's: never freed */
} TimeBuf;

extern void timebuf_init(TimeBuf *buf, MemoryContext cxt, Size width, timebuf_merge_fn merge);
extern void timebuf_init_inline(TimeBuf *buf, MemoryContext cxt, Size width, timebuf_merge_fn merge,
								void *storage, int64 capacity);
extern void timebuf_init_view(TimeBuf *buf, void *records, int64 count, int64 capacity,
							  Size width, int time_shift, timebuf_merge_fn merge);
extern int64 timebuf_room(TimeBuf *buf, int64 extra);
extern void *timebuf_append(TimeBuf *buf);
extern void timebuf_append_all(TimeBuf *buf, const TimeBuf *from);
extern void timebuf_compact(TimeBuf *buf);
extern int	cmp_leading_int64(const void *a, const void *b, void *arg);

/* The i-th record. */
static inline void *
timebuf_at(const TimeBuf *buf, int64 i)
{
	return buf->records + i * buf->width;
}

/* The time of the i-th record. */
static inline int64
timebuf_time(const TimeBuf *buf, int64 i)
{
	return *(const int64 *) timebuf_at(buf, i) >> buf->time_shift;
}

/*
 * a - b for two times (or a time and a duration) in microseconds, saturated
 * to the int64 range: timestamps span more than half of it.
 */
static inline int64
time_sub(int64 a, int64 b)
{
	int64		r;

	if (pg_sub_s64_overflow(a, b, &r))
		return b < 0 ? PG_INT64_MAX : PG_INT64_MIN;
	return r;
}

#endif							/* TIMEBUF_H */

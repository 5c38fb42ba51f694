/*-------------------------------------------------------------------------
 *
 * timebuf.c
 *	  Growable, time-keyed record buffers for order-insensitive aggregates
 *	  (see timebuf.h).
 *
 *-------------------------------------------------------------------------
 */
#include "timebuf.h"

#include "miscadmin.h"
#include "utils/memutils.h"

#define TIMEBUF_INITIAL 16

/* An empty buffer of records of width bytes, allocated in cxt. */
void
timebuf_init(TimeBuf *buf, MemoryContext cxt, Size width, timebuf_merge_fn merge)
{
	Assert(width >= sizeof(int64) && width % sizeof(int64) == 0);
	buf->count = 0;
	buf->capacity = TIMEBUF_INITIAL;
	buf->width = width;
	buf->merge = merge;
	buf->records = MemoryContextAlloc(cxt, TIMEBUF_INITIAL * width);
}

/* qsort comparator of records (or plain int64 values) by their leading int64. */
int
cmp_leading_int64(const void *a, const void *b, void *arg)
{
	int64		x = *(const int64 *) a;
	int64		y = *(const int64 *) b;

	return (x > y) - (x < y);
}

/* Sorts the records by time and folds records with equal times together. */
void
timebuf_compact(TimeBuf *buf)
{
	int64		kept = 0;

	if (buf->count < 2)
		return;
	qsort_interruptible(buf->records, buf->count, buf->width, cmp_leading_int64, NULL);
	for (int64 i = 0; i < buf->count; i++)
	{
		CHECK_FOR_INTERRUPTS();
		if (kept > 0 && timebuf_time(buf, kept - 1) == timebuf_time(buf, i))
		{
			if (buf->merge)
				buf->merge(timebuf_at(buf, kept - 1), timebuf_at(buf, i));
			continue;
		}
		if (kept != i)
			memcpy(timebuf_at(buf, kept), timebuf_at(buf, i), buf->width);
		kept++;
	}
	buf->count = kept;
}

/*
 * Makes room for extra more records: compacts first, and grows only when
 * the buffer would still be more than half full, so that memory stays
 * within four records per distinct time (and at least 16 records).
 */
static void
timebuf_reserve(TimeBuf *buf, int64 extra)
{
	int64		capacity = buf->capacity;

	if (buf->count + extra <= buf->capacity)
		return;
	timebuf_compact(buf);
	while (buf->count + extra > capacity / 2)
		capacity *= 2;
	if ((Size) capacity > MaxAllocHugeSize / buf->width)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many distinct times in one group")));
	if (capacity != buf->capacity)
	{
		buf->records = repalloc_huge(buf->records, capacity * buf->width);
		buf->capacity = capacity;
	}
}

/* A new record at the end of the buffer, for the caller to fill in. */
void *
timebuf_append(TimeBuf *buf)
{
	if (buf->count == buf->capacity)
		timebuf_reserve(buf, 1);
	return timebuf_at(buf, buf->count++);
}

/* Appends every record of from (of the same width). */
void
timebuf_append_all(TimeBuf *buf, const TimeBuf *from)
{
	Assert(buf->width == from->width);
	timebuf_reserve(buf, from->count);
	memcpy(timebuf_at(buf, buf->count), from->records, from->count * from->width);
	buf->count += from->count;
}

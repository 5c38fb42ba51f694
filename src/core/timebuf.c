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

#define TIMEBUF_INITIAL 8

/*
 * Buffers below this many records grow without being compacted first:
 * sorting them at every doubling would cost more than the memory it might
 * save (the records are sorted once at the end anyway).
 */
#define TIMEBUF_COMPACT_MIN 64

/*
 * Up to this many records are sorted by insertion (no comparator calls: a
 * customer's few rows sort several times faster than with qsort); wider
 * records than TIMEBUF_MAX_WIDTH bytes are not supported.
 */
#define TIMEBUF_INSERTION_SORT 32
#define TIMEBUF_MAX_WIDTH 32

/*
 * An empty buffer of records of width bytes whose first capacity records
 * are the caller's storage (part of the caller's allocation in cxt, never
 * freed here); records beyond it are allocated in cxt.
 */
void
timebuf_init_inline(TimeBuf *buf, MemoryContext cxt, Size width, timebuf_merge_fn merge,
					void *storage, int64 capacity)
{
	Assert(width >= sizeof(int64) && width % sizeof(int64) == 0 && width <= TIMEBUF_MAX_WIDTH);
	Assert(capacity >= 1);
	buf->count = 0;
	buf->capacity = capacity;
	buf->records = storage;
	buf->cxt = cxt;
	buf->merge = merge;
	buf->width = (uint32) width;
	buf->time_shift = 0;
	buf->records_inline = true;
}

/*
 * A view of count records of width bytes at records, with room for
 * capacity, whose times are their leading int64 >> time_shift: for
 * timebuf_compact and timebuf_room on records that the caller allocates
 * (and grows) itself, then reads back count.  Never appended to.
 */
void
timebuf_init_view(TimeBuf *buf, void *records, int64 count, int64 capacity, Size width,
				  int time_shift, timebuf_merge_fn merge)
{
	Assert(count <= capacity && time_shift >= 0 && time_shift < 64);
	timebuf_init_inline(buf, NULL, width, merge, records, Max(capacity, 1));
	buf->count = count;
	buf->time_shift = (uint8) time_shift;
}

/* An empty buffer of records of width bytes, allocated in cxt. */
void
timebuf_init(TimeBuf *buf, MemoryContext cxt, Size width, timebuf_merge_fn merge)
{
	timebuf_init_inline(buf, cxt, width, merge,
						MemoryContextAlloc(cxt, TIMEBUF_INITIAL * width), TIMEBUF_INITIAL);
	buf->records_inline = false;
}

/* qsort comparator of records (or plain int64 values) by their leading int64. */
int
cmp_leading_int64(const void *a, const void *b, void *arg)
{
	int64		x = *(const int64 *) a;
	int64		y = *(const int64 *) b;

	return (x > y) - (x < y);
}

/* sort_times(int64 *records, size_t n): records of 8 bytes (a time alone) */
#define ST_SORT sort_times
#define ST_ELEMENT_TYPE int64
#define ST_COMPARE(a, b) ((*(a) > *(b)) - (*(a) < *(b)))
#define ST_SCOPE static
#define ST_CHECK_FOR_INTERRUPTS
#define ST_DEFINE
#include "lib/sort_template.h"

/* A record of 16 bytes: a time and 8 bytes that go with it. */
typedef struct TimeRecord16
{
	int64		time;
	int64		rest;
} TimeRecord16;

/* sort_records16(TimeRecord16 *records, size_t n) */
#define ST_SORT sort_records16
#define ST_ELEMENT_TYPE TimeRecord16
#define ST_COMPARE(a, b) (((a)->time > (b)->time) - ((a)->time < (b)->time))
#define ST_SCOPE static
#define ST_CHECK_FOR_INTERRUPTS
#define ST_DEFINE
#include "lib/sort_template.h"

/*
 * Sorts many records by time: with a quicksort specialised for the record
 * width when there is one (no comparator call per comparison).
 */
static void
sort_many(TimeBuf *buf)
{
	if (buf->width == sizeof(int64))
		sort_times((int64 *) buf->records, buf->count);
	else if (buf->width == sizeof(TimeRecord16))
		sort_records16((TimeRecord16 *) buf->records, buf->count);
	else
		qsort_interruptible(buf->records, buf->count, buf->width, cmp_leading_int64, NULL);
}

/* Sorts a few 8-byte records by their value (their time first), by insertion. */
static void
sort_few_int64(int64 *records, int64 n)
{
	for (int64 i = 1; i < n; i++)
	{
		int64		moved = records[i];
		int64		j = i;

		for (; j > 0 && records[j - 1] > moved; j--)
			records[j] = records[j - 1];
		records[j] = moved;
	}
}

/* Sorts a few 16-byte records by time, by insertion. */
static void
sort_few_records16(TimeRecord16 *records, int64 n)
{
	for (int64 i = 1; i < n; i++)
	{
		TimeRecord16 moved = records[i];
		int64		j = i;

		for (; j > 0 && records[j - 1].time > moved.time; j--)
			records[j] = records[j - 1];
		records[j] = moved;
	}
}

/*
 * Sorts a few records by time, by insertion: moving whole records of the
 * common widths, else with memmove.
 */
static void
sort_few(TimeBuf *buf)
{
	char		moved[TIMEBUF_MAX_WIDTH];

	if (buf->width == sizeof(int64))
	{
		sort_few_int64((int64 *) buf->records, buf->count);
		return;
	}
	if (buf->width == sizeof(TimeRecord16))
	{
		sort_few_records16((TimeRecord16 *) buf->records, buf->count);
		return;
	}
	for (int64 i = 1; i < buf->count; i++)
	{
		int64		t = timebuf_time(buf, i);
		int64		j = i;

		while (j > 0 && timebuf_time(buf, j - 1) > t)
			j--;
		if (j == i)
			continue;
		memcpy(moved, timebuf_at(buf, i), buf->width);
		memmove(timebuf_at(buf, j + 1), timebuf_at(buf, j), (i - j) * buf->width);
		memcpy(timebuf_at(buf, j), moved, buf->width);
	}
}

/* Sorts the records by time and folds records with equal times together. */
void
timebuf_compact(TimeBuf *buf)
{
	int64		kept = 0;

	if (buf->count < 2)
		return;
	if (buf->count <= TIMEBUF_INSERTION_SORT)
		sort_few(buf);
	else
		sort_many(buf);
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
 * The capacity that makes room for extra more records: compacts first (once
 * the buffer holds TIMEBUF_COMPACT_MIN records; smaller ones simply grow),
 * and doubles only when the compacted records still fill more than half of
 * the buffer (or the extra records do not fit), so that each compaction is
 * paid for by at least half a buffer of appends while memory stays below
 * four (typically two) records per distinct time, or TIMEBUF_COMPACT_MIN
 * records.  The caller reallocates when it exceeds buf->capacity.
 */
int64
timebuf_room(TimeBuf *buf, int64 extra)
{
	int64		capacity = buf->capacity;

	if (buf->count + extra <= buf->capacity)
		return capacity;
	if (buf->capacity >= TIMEBUF_COMPACT_MIN)
		timebuf_compact(buf);
	while (buf->count > capacity / 2 || buf->count + extra > capacity)
		capacity *= 2;
	if ((Size) capacity > MaxAllocHugeSize / buf->width)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many distinct times in one group")));
	return capacity;
}

/* Makes room for extra more records (see timebuf_room). */
static void
timebuf_reserve(TimeBuf *buf, int64 extra)
{
	int64		capacity = timebuf_room(buf, extra);

	if (capacity == buf->capacity)
		return;
	Assert(buf->cxt != NULL);
	if (buf->records_inline)
	{
		char	   *records = MemoryContextAllocHuge(buf->cxt, capacity * buf->width);

		memcpy(records, buf->records, buf->count * buf->width);
		buf->records = records;
		buf->records_inline = false;
	}
	else
		buf->records = repalloc_huge(buf->records, capacity * buf->width);
	buf->capacity = capacity;
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

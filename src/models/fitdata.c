/*-------------------------------------------------------------------------
 *
 * fitdata.c
 *	  The compressed sample of the model-fitting aggregates (see fitdata.h):
 *	  an open-addressing hash of distinct tuples with exact weight sums,
 *	  its serial form, and the SQL-level functions shared by every fit
 *	  aggregate (combine, serialize, deserialize) and by the storable type
 *	  engage.fitdata (in, out, send, recv, the merge aggregate).
 *
 * The serial form lists the tuples in value order, so that equal samples have
 * equal bytes whatever the order rows arrived in.
 *
 * Text form of engage.fitdata (lossless; values printed shortest-exact):
 *	 k=3 tuples=2 weight=3 options={} data={(0,0,38.86,1),(2,30.43,38.86,2)}
 * where each parenthesised group is a tuple followed by its weight.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "common/shortest_dec.h"
#include "lib/stringinfo.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "engage.h"
#include "fitdata.h"

PG_FUNCTION_INFO_V1(fitdata_combine);
PG_FUNCTION_INFO_V1(fitdata_serialize);
PG_FUNCTION_INFO_V1(fitdata_deserialize);
PG_FUNCTION_INFO_V1(fitdata_final);
PG_FUNCTION_INFO_V1(fitdata_merge_accum);
PG_FUNCTION_INFO_V1(fitdata_in);
PG_FUNCTION_INFO_V1(fitdata_out);
PG_FUNCTION_INFO_V1(fitdata_recv);
PG_FUNCTION_INFO_V1(fitdata_send);

#define FITDATA_MAGIC 0x46445401	/* "FDT" + format version 1: engage.fitdata */
#define FITDATA_MAGIC_EXACT 0x46445402	/* version 2: internal state, exact sums */
#define FITDATA_SLOT_EMPTY 0	/* an empty hash slot (indexes are stored + 1) */

static const char *const sum_what = "summed weight of a fit sample tuple";

/* Header of the serial form; doubles follow (read with memcpy). */
typedef struct FitDataHeader
{
	int32		vl_len_;
	uint32		magic;
	int32		k;
	int32		nopts;
	int32		ntuples;
	int32		pad;			/* keeps the doubles 8-aligned */
} FitDataHeader;

FitData *
fitdata_create(MemoryContext context, int k)
{
	FitData    *fd = MemoryContextAllocZero(context, sizeof(FitData));

	Assert(k >= 1 && k <= FITDATA_MAX_K);
	fd->k = k;
	fd->context = context;
	fd->sorted = true;			/* no tuples yet */
	fd->capacity = 16;
	fd->values = MemoryContextAlloc(context, sizeof(double) * k * fd->capacity);
	fd->weights = MemoryContextAlloc(context, sizeof(double) * fd->capacity);
	fd->sums = MemoryContextAlloc(context, sizeof(ExactSum) * fd->capacity);
	fd->nslots = 32;
	fd->slots = MemoryContextAllocZero(context, sizeof(uint64) * fd->nslots);
	return fd;
}

/* The hash of tuple v of k doubles (finite, -0 folded to 0): the high half. */
static inline uint32
fitdata_hash(const double *v, int k)
{
	return (uint32) (fitdata_hash_doubles(v, k) >> 32);
}

/* Whether tuples u and v of k doubles are the same bits (memcmp, inline). */
static inline bool
fitdata_same_tuple(const double *u, const double *v, int k)
{
	for (int j = 0; j < k; j++)
	{
		uint64		a,
					b;

		memcpy(&a, &u[j], sizeof(double));
		memcpy(&b, &v[j], sizeof(double));
		if (a != b)
			return false;
	}
	return true;
}

/* A hash slot: the tuple's hash in the high half, its index + 1 in the low. */
static inline uint64
fitdata_slot_make(uint32 hash, int32 idx)
{
	return ((uint64) hash << 32) | (uint32) (idx + 1);
}

/*
 * Hash slot where tuple v of the given hash is, or the empty slot where it
 * belongs (linear probing from the slot of the hash's low bits).  A slot of
 * another hash is passed over without reading the tuples.
 */
static inline uint32
fitdata_find_slot(const FitData *fd, const double *v, uint32 hash)
{
	uint32		mask = fd->nslots - 1;

	for (uint32 s = hash & mask;; s = (s + 1) & mask)
	{
		uint64		slot = fd->slots[s];

		if (slot == FITDATA_SLOT_EMPTY ||
			((uint32) (slot >> 32) == hash &&
			 fitdata_same_tuple(fitdata_tuple(fd, (int32) (uint32) slot - 1), v, fd->k)))
			return s;
	}
}

/*
 * (Re)builds the hash table of the tuples, 2 slots per tuple of capacity.
 * The hashes of the tuples already in the table are taken from its slots,
 * so that growing the table does not read the tuples.
 */
static void
fitdata_rehash(FitData *fd)
{
	uint64	   *old = fd->slots;
	uint32		nold = fd->nslots;
	uint32		mask;

	fd->nslots = 2 * (uint32) fd->capacity;
	fd->slots = MemoryContextAllocHuge(fd->context, sizeof(uint64) * fd->nslots);
	memset(fd->slots, 0, sizeof(uint64) * fd->nslots);
	mask = fd->nslots - 1;
	if (old != NULL)
	{
		/* distinct tuples: each goes into the first empty slot from its own */
		for (uint32 i = 0; i < nold; i++)
		{
			uint32		s;

			if (old[i] == FITDATA_SLOT_EMPTY)
				continue;
			for (s = (uint32) (old[i] >> 32) & mask; fd->slots[s] != FITDATA_SLOT_EMPTY;
				 s = (s + 1) & mask)
				;
			fd->slots[s] = old[i];
			if ((i & 0xffff) == 0xffff)
				CHECK_FOR_INTERRUPTS();
		}
		pfree(old);
		return;
	}
	for (int i = 0; i < fd->ntuples; i++)
	{
		uint32		hash = fitdata_hash(fitdata_tuple(fd, i), fd->k);

		fd->slots[fitdata_find_slot(fd, fitdata_tuple(fd, i), hash)] =
			fitdata_slot_make(hash, i);
		if ((i & 0xffff) == 0xffff)
			CHECK_FOR_INTERRUPTS();
	}
}

/*
 * Sets the capacity to cap tuples (a power of two, >= ntuples); the hash
 * table is left to fitdata_rehash.
 */
static void
fitdata_resize(FitData *fd, int cap)
{
	fd->values = repalloc_huge(fd->values, sizeof(double) * fd->k * cap);
	fd->weights = repalloc_huge(fd->weights, sizeof(double) * cap);
	fd->sums = repalloc_huge(fd->sums, sizeof(ExactSum) * cap);
	fd->capacity = cap;
}

/* Doubles the capacity and rebuilds the hash table. */
static void
fitdata_grow(FitData *fd)
{
	if (fd->capacity > PG_INT32_MAX / 4)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many distinct tuples in a fit sample")));
	fitdata_resize(fd, fd->capacity * 2);
	fitdata_rehash(fd);
}

/* Value order of tuples u and v of k values: -1, 0 or 1. */
static inline int
fitdata_tuple_cmp(const double *u, const double *v, int k)
{
	for (int j = 0; j < k; j++)
		if (u[j] != v[j])
			return u[j] < v[j] ? -1 : 1;
	return 0;
}

/*
 * Makes room for n tuples (n >= ntuples; capacity a power of two) and drops
 * the hash table: for appending tuples in value order, which
 * fitdata_append_sorted does without hashing them.
 */
static void
fitdata_reserve_sorted(FitData *fd, int n)
{
	int			cap = fd->capacity;

	while (cap < n)
	{
		if (cap > PG_INT32_MAX / 4)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("too many distinct tuples in a fit sample")));
		cap *= 2;
	}
	if (cap > fd->capacity)
		fitdata_resize(fd, cap);
	if (fd->slots != NULL)
		pfree(fd->slots);
	fd->slots = NULL;
	fd->nslots = 0;
}

/*
 * Appends tuple v with the exact weight sum (copied into fd's context; NULL:
 * the weight w) to fd, reserved by fitdata_reserve_sorted, v after every
 * tuple of fd.
 */
static void
fitdata_append_sorted(FitData *fd, const double *v, const ExactSum *sum, double w)
{
	int			idx = fd->ntuples++;

	Assert(idx < fd->capacity && fd->slots == NULL);
	memcpy(fd->values + (size_t) idx * fd->k, v, sizeof(double) * fd->k);
	exactsum_init(&fd->sums[idx]);
	if (sum)
		exactsum_add_sum(&fd->sums[idx], sum, fd->context, sum_what);
	else
		exactsum_add(&fd->sums[idx], w, fd->context, sum_what);
	fd->weights[idx] = exactsum_value(&fd->sums[idx]);
}

/* The index of tuple v (already normalised), added with weight 0 if new. */
static int32
fitdata_tuple_index(FitData *fd, const double *v)
{
	uint32		hash = fitdata_hash(v, fd->k);
	uint32		s;
	int32		idx;

	if (fd->slots == NULL)
		fitdata_rehash(fd);		/* a sorted copy's first addition */
	s = fitdata_find_slot(fd, v, hash);
	if (fd->slots[s] != FITDATA_SLOT_EMPTY)
		return (int32) (uint32) fd->slots[s] - 1;
	if (fd->ntuples == fd->capacity)
	{
		fitdata_grow(fd);
		s = fitdata_find_slot(fd, v, hash);
	}
	idx = fd->ntuples++;
	fd->sorted = false;
	memcpy(fd->values + (size_t) idx * fd->k, v, sizeof(double) * fd->k);
	fd->weights[idx] = 0.0;
	exactsum_init(&fd->sums[idx]);
	fd->slots[s] = fitdata_slot_make(hash, idx);
	return idx;
}

/* Adds w exactly to tuple v (already normalised). */
static void
fitdata_add_normalised(FitData *fd, const double *v, double w)
{
	int32		idx = fitdata_tuple_index(fd, v);

	exactsum_add(&fd->sums[idx], w, fd->context, sum_what);
	fd->weights[idx] = exactsum_value(&fd->sums[idx]);
}

void
fitdata_add(FitData *fd, const double *values, double w)
{
	double		v[FITDATA_MAX_K];

	ensure_nonnegative(w, "weight");
	if (w == 0.0)
		return;
	for (int i = 0; i < fd->k; i++)
	{
		ensure_finite(values[i], "fit input");
		v[i] = values[i] == 0.0 ? 0.0 : values[i];	/* -0 is 0 */
	}
	fitdata_add_normalised(fd, v, w);
}

void
fitdata_set_options(FitData *fd, const double *opts, int nopts, const char *what)
{
	Assert(nopts <= FITDATA_MAX_OPTS);
	if (fd->nopts == 0)
	{
		fd->nopts = nopts;
		memcpy(fd->opts, opts, sizeof(double) * nopts);
		return;
	}
	if (nopts == 0)
		return;
	if (fd->nopts != nopts || memcmp(fd->opts, opts, sizeof(double) * nopts) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be the same on every row", what)));
}

/*
 * Merges src into dst when both are in value order (e.g. the serialised
 * partial states of a parallel aggregate): one pass over both, no hashing;
 * the result is in value order, each tuple's exact sum that of both.
 */
static void
fitdata_merge_sorted(FitData *dst, const FitData *src)
{
	FitData		old = *dst;
	int			i = 0,
				j = 0;

	dst->values = MemoryContextAllocHuge(dst->context, sizeof(double) * dst->k * old.capacity);
	dst->weights = MemoryContextAllocHuge(dst->context, sizeof(double) * old.capacity);
	dst->sums = MemoryContextAllocHuge(dst->context, sizeof(ExactSum) * old.capacity);
	dst->ntuples = 0;
	dst->slots = NULL;
	fitdata_reserve_sorted(dst, old.ntuples + src->ntuples);
	while (i < old.ntuples || j < src->ntuples)
	{
		int			c = i == old.ntuples ? 1 : j == src->ntuples ? -1 :
			fitdata_tuple_cmp(fitdata_tuple(&old, i), fitdata_tuple(src, j), dst->k);

		if (c <= 0)
		{
			/* dst's tuple, its sum moved (same context), plus src's if equal */
			int			idx = dst->ntuples++;

			memcpy(dst->values + (size_t) idx * dst->k, fitdata_tuple(&old, i),
				   sizeof(double) * dst->k);
			dst->sums[idx] = old.sums[i++];
			if (c == 0)
				exactsum_add_sum(&dst->sums[idx], &src->sums[j++], dst->context, sum_what);
			dst->weights[idx] = exactsum_value(&dst->sums[idx]);
		}
		else
		{
			fitdata_append_sorted(dst, fitdata_tuple(src, j), &src->sums[j], 0.0);
			j++;
		}
		if (((i + j) & 0xffff) == 0xffff)
			CHECK_FOR_INTERRUPTS();
	}
	pfree(old.values);
	pfree(old.weights);
	pfree(old.sums);
	if (old.slots != NULL)
		pfree(old.slots);
}

void
fitdata_merge_into(FitData *dst, const FitData *src, const char *what)
{
	if (dst->k != src->k)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot merge fit samples of %d and %d columns", dst->k, src->k)));
	fitdata_set_options(dst, src->opts, src->nopts, what);
	if (dst->sorted && src->sorted && src->sums != NULL)
	{
		fitdata_merge_sorted(dst, src);
		return;
	}
	for (int i = 0; i < src->ntuples; i++)
	{
		int32		idx = fitdata_tuple_index(dst, fitdata_tuple(src, i));

		exactsum_add_sum(&dst->sums[idx], &src->sums[i], dst->context, sum_what);
		dst->weights[idx] = exactsum_value(&dst->sums[idx]);
		if ((i & 0xffff) == 0xffff)
			CHECK_FOR_INTERRUPTS();
	}
}

double
fitdata_total_weight(const FitData *fd)
{
	ExactSum	total;
	double		w;

	exactsum_init(&total);
	for (int i = 0; i < fd->ntuples; i++)
	{
		exactsum_add(&total, fitdata_weight(fd, i), CurrentMemoryContext,
					 "total weight of a fit sample");
		if ((i & 0xffff) == 0xffff)
			CHECK_FOR_INTERRUPTS();
	}
	w = exactsum_value(&total);
	exactsum_reset(&total);
	return w;
}

/*
 * A tuple's place in the sort: two of its values (columns col and col + 1
 * while the tuples are equal before col) as unsigned integers in the same
 * order (double_order_bits), and its index.
 */
typedef struct SortKey
{
	uint64		r0;
	uint64		r1;				/* 0 past the last column */
	int			idx;
} SortKey;

/*
 * Runs of tuples equal before a column shorter than this are sorted on the
 * next two columns by insertion, longer ones by radix.
 */
#define SORT_RADIX_MIN 64

/* d (not NaN) as an unsigned integer of the same order; -0 as 0. */
static inline uint64
double_order_bits(double d)
{
	uint64		b;

	if (d == 0.0)
		d = 0.0;
	memcpy(&b, &d, sizeof(double));
	return (b >> 63) ? ~b : b | (UINT64CONST(1) << 63);
}

/* Whether sort key a goes after b: (r0, r1) greater. */
static inline bool
sort_key_after(const SortKey *a, const SortKey *b)
{
	return a->r0 != b->r0 ? a->r0 > b->r0 : a->r1 > b->r1;
}

/* Sorts the few keys (n < SORT_RADIX_MIN) by (r0, r1), by insertion. */
static void
insertion_sort_keys(SortKey *keys, int n)
{
	for (int i = 1; i < n; i++)
	{
		SortKey		key = keys[i];
		int			j = i;

		for (; j > 0 && sort_key_after(&keys[j - 1], &key); j--)
			keys[j] = keys[j - 1];
		keys[j] = key;
	}
}

/* Byte d (0 = least significant) of key k's sort integers, r1 first. */
static inline int
sort_key_digit(const SortKey *k, int d)
{
	return (int) (((d < 8 ? k->r1 : k->r0) >> (8 * (d & 7))) & 0xff);
}

/*
 * Sorts keys (n) by (r0, r1): least significant byte first, a stable
 * counting pass per byte through the scratch array tmp, skipping the bytes
 * that every key has alike.  The counts of all 16 bytes are taken in one
 * pass over the keys; the passes alternate between keys and tmp, and the
 * result is copied back into keys if it ends in tmp.
 */
static void
radix_sort_keys(SortKey *keys, SortKey *tmp, int n)
{
	int			count[16][257];
	SortKey    *from = keys;
	SortKey    *to = tmp;

	memset(count, 0, sizeof(count));
	for (int i = 0; i < n; i++)
		for (int d = 0; d < 16; d++)
			count[d][sort_key_digit(&keys[i], d) + 1]++;
	for (int d = 0; d < 16; d++)
	{
		int		   *c = count[d];
		SortKey    *swap;

		if (c[sort_key_digit(&keys[0], d) + 1] == n)
			continue;
		CHECK_FOR_INTERRUPTS();
		for (int b = 0; b < 256; b++)
			c[b + 1] += c[b];
		for (int i = 0; i < n; i++)
			to[c[sort_key_digit(&from[i], d)]++] = from[i];
		swap = from;
		from = to;
		to = swap;
	}
	if (from != keys)
		memcpy(keys, from, sizeof(SortKey) * n);
}

/*
 * Orders keys (n, their idx set) of tuples of fd equal before column col by
 * their values from col on: a sort on columns col and col + 1, then the
 * same from col + 2 within each run that ties on both (samples share many
 * first values, e.g. one-time buyers' frequency and recency 0, and
 * covariates take few values).  tmp: scratch of n keys.  Recurses at most
 * k / 2 deep.
 */
static void
sort_keys_from(const FitData *fd, SortKey *keys, SortKey *tmp, int n, int col)
{
	for (int i = 0; i < n; i++)
	{
		const double *v = fitdata_tuple(fd, keys[i].idx);

		keys[i].r0 = double_order_bits(v[col]);
		keys[i].r1 = col + 1 < fd->k ? double_order_bits(v[col + 1]) : 0;
	}
	if (n < SORT_RADIX_MIN)
		insertion_sort_keys(keys, n);
	else
		radix_sort_keys(keys, tmp, n);
	if (col + 2 >= fd->k)
		return;
	for (int i = 0; i < n;)
	{
		int			run = 1;

		while (i + run < n && keys[i + run].r0 == keys[i].r0 && keys[i + run].r1 == keys[i].r1)
			run++;
		if (run > 1)
			sort_keys_from(fd, keys + i, tmp, run, col + 2);
		i += run;
	}
}

/* The tuple indexes of fd in value order (palloc'd). */
static int *
sorted_order(const FitData *fd)
{
	int			n = fd->ntuples;
	int		   *order = palloc_extended(sizeof(int) * Max(n, 1), MCXT_ALLOC_HUGE);
	SortKey    *keys = palloc_extended(sizeof(SortKey) * Max(n, 1), MCXT_ALLOC_HUGE);
	SortKey    *tmp = palloc_extended(sizeof(SortKey) * Max(n, 1), MCXT_ALLOC_HUGE);

	for (int i = 0; i < n; i++)
		keys[i].idx = i;
	sort_keys_from(fd, keys, tmp, n, 0);
	for (int i = 0; i < n; i++)
		order[i] = keys[i].idx;
	pfree(tmp);
	pfree(keys);
	return order;
}

FitData *
fitdata_sorted_copy(MemoryContext context, const FitData *fd)
{
	FitData    *copy = fitdata_create(context, fd->k);
	int		   *order = fd->sorted ? NULL : sorted_order(fd);

	copy->nopts = fd->nopts;
	memcpy(copy->opts, fd->opts, sizeof(fd->opts));
	/* distinct tuples in value order: appended without hashing them */
	fitdata_reserve_sorted(copy, fd->ntuples);
	for (int i = 0; i < fd->ntuples; i++)
	{
		int			j = order ? order[i] : i;

		fitdata_append_sorted(copy, fitdata_tuple(fd, j), fd->sums ? &fd->sums[j] : NULL,
							  fitdata_weight(fd, j));
		if ((i & 0xffff) == 0xffff)
			CHECK_FOR_INTERRUPTS();
	}
	if (order)
		pfree(order);
	return copy;
}

/*
 * A serial form of len bytes with the header filled in (its pad zeroed) and
 * the options written; *p is set to where the tuples go, every byte of
 * which the caller writes.
 */
static FitDataHeader *
serial_start(const FitData *fd, Size len, uint32 magic, char **p)
{
	FitDataHeader *h;

	if (len > MaxAllocSize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("fit sample of %d distinct tuples is too large to serialize",
						fd->ntuples)));
	h = palloc_extended(len, MCXT_ALLOC_HUGE);
	memset(h, 0, sizeof(FitDataHeader));
	SET_VARSIZE(h, len);
	h->magic = magic;
	h->k = fd->k;
	h->nopts = fd->nopts;
	h->ntuples = fd->ntuples;
	*p = (char *) h + sizeof(FitDataHeader);
	memcpy(*p, fd->opts, sizeof(double) * fd->nopts);
	*p += sizeof(double) * fd->nopts;
	return h;
}

bytea *
fitdata_to_bytes(const FitData *fd)
{
	Size		len = sizeof(FitDataHeader) +
		sizeof(double) * (fd->nopts + (Size) fd->ntuples * (fd->k + 1));
	FitDataHeader *h;
	char	   *p;
	int		   *order;

	/* every stored value has a finite total weight */
	(void) fitdata_total_weight(fd);
	h = serial_start(fd, len, FITDATA_MAGIC, &p);
	order = fd->sorted ? NULL : sorted_order(fd);
	for (int i = 0; i < fd->ntuples; i++)
	{
		double		w = fitdata_weight(fd, order ? order[i] : i);

		memcpy(p, fitdata_tuple(fd, order ? order[i] : i), sizeof(double) * fd->k);
		p += sizeof(double) * fd->k;
		memcpy(p, &w, sizeof(double));
		p += sizeof(double);
		if ((i & 0xffff) == 0xffff)
			CHECK_FOR_INTERRUPTS();
	}
	if (order)
		pfree(order);
	return (bytea *) h;
}

/* The serial form version 2 of fd (exact sums), for the internal state. */
static bytea *
fitdata_to_bytes_exact(const FitData *fd)
{
	Size		len = sizeof(FitDataHeader) +
		sizeof(double) * (fd->nopts + (Size) fd->ntuples * (fd->k + 1));
	FitDataHeader *h;
	char	   *p;
	int		   *order;

	for (int i = 0; i < fd->ntuples; i++)
		len += sizeof(double) * fd->sums[i].n;
	h = serial_start(fd, len, FITDATA_MAGIC_EXACT, &p);
	order = fd->sorted ? NULL : sorted_order(fd);
	for (int i = 0; i < fd->ntuples; i++)
	{
		const ExactSum *sum = &fd->sums[order ? order[i] : i];
		int32		n_pad[2] = {sum->n, 0};	/* the count and a zero pad */

		memcpy(p, fitdata_tuple(fd, order ? order[i] : i), sizeof(double) * fd->k);
		p += sizeof(double) * fd->k;
		memcpy(p, n_pad, sizeof(n_pad));
		p += sizeof(n_pad);
		memcpy(p, exactsum_parts(sum), sizeof(double) * sum->n);
		p += sizeof(double) * sum->n;
		if ((i & 0xffff) == 0xffff)
			CHECK_FOR_INTERRUPTS();
	}
	Assert(p == (char *) h + len);
	if (order)
		pfree(order);
	return (bytea *) h;
}

/* Errors 22P03 about a corrupt serial form. */
static void
fitdata_corrupt(const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("invalid fit sample"),
			 errdetail("%s", detail)));
}

/*
 * The index of tuple v (normalised) read from a serial form, whose tuples
 * are written in value order (fd reserved by fitdata_reserve_sorted):
 * appended without hashing while they come in order and nothing has been
 * hashed, else by fitdata_tuple_index (from the first out of order or
 * repeated on, every tuple, so that the hash table holds them all).
 */
static int32
fitdata_read_tuple_index(FitData *fd, const double *v)
{
	int32		idx;

	if (fd->slots != NULL || !fd->sorted ||
		(fd->ntuples > 0 &&
		 fitdata_tuple_cmp(fitdata_tuple(fd, fd->ntuples - 1), v, fd->k) >= 0))
		return fitdata_tuple_index(fd, v);
	idx = fd->ntuples++;
	memcpy(fd->values + (size_t) idx * fd->k, v, sizeof(double) * fd->k);
	exactsum_init(&fd->sums[idx]);
	return idx;
}

/*
 * Reads the ntuples tuples of serial form version 2 at p (end: the end of
 * the value) into fd.
 */
static void
read_exact_tuples(FitData *fd, int ntuples, const char *p, const char *end)
{
	/* each tuple takes its values, a count and at least one component */
	if (ntuples > (end - p) / (ptrdiff_t) (sizeof(double) * (fd->k + 2)))
		fitdata_corrupt("The length does not match the header.");
	fitdata_reserve_sorted(fd, ntuples);
	for (int i = 0; i < ntuples; i++)
	{
		double		v[FITDATA_MAX_K];
		int32		n;
		int32		idx;

		if (end - p < (ptrdiff_t) (sizeof(double) * (fd->k + 1)))
			fitdata_corrupt("The length does not match the header.");
		memcpy(v, p, sizeof(double) * fd->k);
		p += sizeof(double) * fd->k;
		memcpy(&n, p, sizeof(int32));
		p += sizeof(double);
		if (n < 1 || end - p < (ptrdiff_t) (sizeof(double) * n))
			fitdata_corrupt("A weight has a wrong number of components.");
		for (int j = 0; j < fd->k; j++)
		{
			if (!isfinite(v[j]))
				fitdata_corrupt("A value is not finite.");
			v[j] = v[j] == 0.0 ? 0.0 : v[j];	/* -0 is 0 */
		}
		idx = fitdata_read_tuple_index(fd, v);
		for (int j = 0; j < n; j++)
		{
			double		c;

			memcpy(&c, p, sizeof(double));
			p += sizeof(double);
			if (!isfinite(c))
				fitdata_corrupt("A weight is not finite.");
			exactsum_add(&fd->sums[idx], c, fd->context, sum_what);
		}
		fd->weights[idx] = exactsum_value(&fd->sums[idx]);
		if (!(fd->weights[idx] > 0))
			fitdata_corrupt("A weight is not positive.");
		if ((i & 0xffff) == 0xffff)
			CHECK_FOR_INTERRUPTS();
	}
	if (p != end)
		fitdata_corrupt("The length does not match the header.");
}

FitData *
fitdata_from_bytes(MemoryContext context, const bytea *b)
{
	FitDataHeader h;
	Size		len = VARSIZE_ANY(b);
	const char *p;
	FitData    *fd;

	if (VARATT_IS_EXTENDED(b) || len < sizeof(FitDataHeader))
		fitdata_corrupt("The value is too short.");
	memcpy(&h, b, sizeof(FitDataHeader));
	if (h.magic != FITDATA_MAGIC && h.magic != FITDATA_MAGIC_EXACT)
		fitdata_corrupt("Unknown format version.");
	if (h.k < 1 || h.k > FITDATA_MAX_K || h.nopts < 0 ||
		h.nopts > FITDATA_MAX_OPTS || h.ntuples < 0)
		fitdata_corrupt("The header is out of range.");
	if (h.magic == FITDATA_MAGIC ?
		len != sizeof(FitDataHeader) +
		sizeof(double) * (h.nopts + (Size) h.ntuples * (h.k + 1)) :
		len < sizeof(FitDataHeader) + sizeof(double) * h.nopts)
		fitdata_corrupt("The length does not match the header.");
	fd = fitdata_create(context, h.k);
	p = (const char *) b + sizeof(FitDataHeader);
	fd->nopts = h.nopts;
	memcpy(fd->opts, p, sizeof(double) * h.nopts);
	p += sizeof(double) * h.nopts;
	if (h.magic == FITDATA_MAGIC_EXACT)
	{
		read_exact_tuples(fd, h.ntuples, p, (const char *) b + len);
		return fd;
	}
	fitdata_reserve_sorted(fd, h.ntuples);
	for (int i = 0; i < h.ntuples; i++)
	{
		double		v[FITDATA_MAX_K + 1];
		int32		idx;

		memcpy(v, p, sizeof(double) * (h.k + 1));
		p += sizeof(double) * (h.k + 1);
		for (int j = 0; j <= h.k; j++)
		{
			if (!isfinite(v[j]) || (j == h.k && v[j] <= 0))
				fitdata_corrupt("A value is not finite or a weight not positive.");
			v[j] = v[j] == 0.0 ? 0.0 : v[j];	/* -0 is 0 */
		}
		idx = fitdata_read_tuple_index(fd, v);
		exactsum_add(&fd->sums[idx], v[h.k], fd->context, sum_what);
		fd->weights[idx] = exactsum_value(&fd->sums[idx]);
		if ((i & 0xffff) == 0xffff)
			CHECK_FOR_INTERRUPTS();
	}
	return fd;
}

FitData *
fitdata_getarg(FunctionCallInfo fcinfo, int argno, int k, const char *fname)
{
	MemoryContext agg = aggregate_context(fcinfo, fname);
	FitData    *fd;

	if (PG_ARGISNULL(argno))
		return fitdata_create(agg, k);
	fd = (FitData *) PG_GETARG_POINTER(argno);
	if (fd->k != k)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s got a state of %d columns, expected %d", fname, fd->k, k)));
	return fd;
}

/* Combine function of every fit aggregate: merges the second state into the first. */
Datum
fitdata_combine(PG_FUNCTION_ARGS)
{
	MemoryContext agg = aggregate_context(fcinfo, "fitdata_combine");
	FitData    *into;
	FitData    *from;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_POINTER(PG_GETARG_POINTER(0));
	}
	from = (FitData *) PG_GETARG_POINTER(1);
	if (PG_ARGISNULL(0))
		into = fitdata_create(agg, from->k);
	else
		into = (FitData *) PG_GETARG_POINTER(0);
	fitdata_merge_into(into, from, "fit options");
	PG_RETURN_POINTER(into);
}

/* Serial function of every fit aggregate. */
Datum
fitdata_serialize(PG_FUNCTION_ARGS)
{
	aggregate_context(fcinfo, "fitdata_serialize");
	PG_RETURN_BYTEA_P(fitdata_to_bytes_exact((FitData *) PG_GETARG_POINTER(0)));
}

/* Deserial function of every fit aggregate (state in the current context). */
Datum
fitdata_deserialize(PG_FUNCTION_ARGS)
{
	aggregate_context(fcinfo, "fitdata_deserialize");
	PG_RETURN_POINTER(fitdata_from_bytes(CurrentMemoryContext, PG_GETARG_BYTEA_P(0)));
}

/* Final function of engage.fitdata(...) and engage.fitdata_merge: the value. */
Datum
fitdata_final(PG_FUNCTION_ARGS)
{
	aggregate_context(fcinfo, "fitdata_final");
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	PG_RETURN_BYTEA_P(fitdata_to_bytes((FitData *) PG_GETARG_POINTER(0)));
}

/* Transition function of engage.fitdata_merge: adds one stored sample. */
Datum
fitdata_merge_accum(PG_FUNCTION_ARGS)
{
	MemoryContext agg = aggregate_context(fcinfo, "fitdata_merge_accum");
	FitData    *from;
	FitData    *into;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_POINTER(PG_GETARG_POINTER(0));
	}
	from = fitdata_from_bytes(CurrentMemoryContext, PG_GETARG_BYTEA_P(1));
	into = PG_ARGISNULL(0) ? fitdata_create(agg, from->k) : (FitData *) PG_GETARG_POINTER(0);
	fitdata_merge_into(into, from, "fit options");
	PG_RETURN_POINTER(into);
}

/* Appends a double, shortest exact. */
static void
append_double(StringInfo buf, double v)
{
	char		tmp[DOUBLE_SHORTEST_DECIMAL_LEN];

	double_to_shortest_decimal_buf(v, tmp);
	appendStringInfoString(buf, tmp);
}

Datum
fitdata_out(PG_FUNCTION_ARGS)
{
	FitData    *fd = fitdata_from_bytes(CurrentMemoryContext, PG_GETARG_BYTEA_P(0));
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfo(&buf, "k=%d tuples=%d weight=", fd->k, fd->ntuples);
	append_double(&buf, fitdata_total_weight(fd));
	appendStringInfoString(&buf, " options={");
	for (int i = 0; i < fd->nopts; i++)
	{
		if (i > 0)
			appendStringInfoChar(&buf, ',');
		append_double(&buf, fd->opts[i]);
	}
	appendStringInfoString(&buf, "} data={");
	for (int i = 0; i < fd->ntuples; i++)
	{
		appendStringInfoString(&buf, i > 0 ? ",(" : "(");
		for (int j = 0; j < fd->k; j++)
		{
			append_double(&buf, fitdata_tuple(fd, i)[j]);
			appendStringInfoChar(&buf, ',');
		}
		append_double(&buf, fitdata_weight(fd, i));
		appendStringInfoChar(&buf, ')');
		if ((i & 0xffff) == 0xffff)
			CHECK_FOR_INTERRUPTS();
	}
	appendStringInfoChar(&buf, '}');
	PG_RETURN_CSTRING(buf.data);
}

/* Errors 22P02 about malformed text input. */
static void
fitdata_syntax(const char *input)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type fitdata: \"%s\"", input)));
}

/* Skips literal lit at *p (after spaces), or errors. */
static void
expect(const char **p, const char *lit, const char *input)
{
	while (**p == ' ')
		(*p)++;
	if (strncmp(*p, lit, strlen(lit)) != 0)
		fitdata_syntax(input);
	*p += strlen(lit);
}

/* Reads a double at *p, or errors. */
static double
read_double(const char **p, const char *input)
{
	char	   *end;
	double		v = strtod(*p, &end);

	if (end == *p)
		fitdata_syntax(input);
	*p = end;
	return v;
}

Datum
fitdata_in(PG_FUNCTION_ARGS)
{
	const char *input = PG_GETARG_CSTRING(0);
	const char *p = input;
	double		k,
				ntuples;
	FitData    *fd;
	double		opts[FITDATA_MAX_OPTS];
	int			nopts = 0;

	expect(&p, "k=", input);
	k = read_double(&p, input);
	if (k != rint(k) || k < 1 || k > FITDATA_MAX_K)
		fitdata_syntax(input);
	fd = fitdata_create(CurrentMemoryContext, (int) k);
	expect(&p, "tuples=", input);
	ntuples = read_double(&p, input);
	expect(&p, "weight=", input);
	(void) read_double(&p, input);
	expect(&p, "options={", input);
	while (*p != '}')
	{
		if (nopts == FITDATA_MAX_OPTS)
			fitdata_syntax(input);
		if (nopts > 0)
			expect(&p, ",", input);
		opts[nopts] = read_double(&p, input);
		ensure_finite(opts[nopts++], "fitdata option");
	}
	fitdata_set_options(fd, opts, nopts, "options");
	expect(&p, "}", input);
	expect(&p, "data={", input);
	while (*p != '}')
	{
		double		v[FITDATA_MAX_K + 1];

		CHECK_FOR_INTERRUPTS();
		if (fd->ntuples > 0)
			expect(&p, ",", input);
		expect(&p, "(", input);
		for (int j = 0; j <= fd->k; j++)
		{
			if (j > 0)
				expect(&p, ",", input);
			v[j] = read_double(&p, input);
		}
		expect(&p, ")", input);
		if (v[fd->k] <= 0)
			fitdata_syntax(input);
		fitdata_add(fd, v, v[fd->k]);
	}
	expect(&p, "}", input);
	while (*p == ' ')
		p++;
	if (*p != '\0' || ntuples != fd->ntuples)
		fitdata_syntax(input);
	PG_RETURN_BYTEA_P(fitdata_to_bytes(fd));
}

/* Binary input: k, nopts, ntuples, options, then tuples with weights (network order). */
Datum
fitdata_recv(PG_FUNCTION_ARGS)
{
	StringInfo	msg = (StringInfo) PG_GETARG_POINTER(0);
	int			k = pq_getmsgint(msg, 4);
	int			nopts = pq_getmsgint(msg, 4);
	int			ntuples = pq_getmsgint(msg, 4);
	double		opts[FITDATA_MAX_OPTS];
	FitData    *fd;

	if (k < 1 || k > FITDATA_MAX_K || nopts < 0 || nopts > FITDATA_MAX_OPTS ||
		ntuples < 0 || (Size) ntuples * (k + 1) * 8 > (Size) (msg->len - msg->cursor))
		fitdata_corrupt("The header is out of range.");
	fd = fitdata_create(CurrentMemoryContext, k);
	for (int i = 0; i < nopts; i++)
	{
		opts[i] = pq_getmsgfloat8(msg);
		if (isnan(opts[i]) || isinf(opts[i]))
			fitdata_corrupt("An option is not a finite number.");
	}
	fitdata_set_options(fd, opts, nopts, "options");
	for (int i = 0; i < ntuples; i++)
	{
		double		v[FITDATA_MAX_K + 1];

		CHECK_FOR_INTERRUPTS();
		for (int j = 0; j <= k; j++)
			v[j] = pq_getmsgfloat8(msg);
		if (!(v[k] > 0))
			fitdata_corrupt("A weight is not positive.");
		fitdata_add(fd, v, v[k]);
		if ((i & 0xffff) == 0xffff)
			CHECK_FOR_INTERRUPTS();
	}
	pq_getmsgend(msg);
	PG_RETURN_BYTEA_P(fitdata_to_bytes(fd));
}

/* Binary output, the layout read by fitdata_recv. */
Datum
fitdata_send(PG_FUNCTION_ARGS)
{
	FitData    *fd = fitdata_from_bytes(CurrentMemoryContext, PG_GETARG_BYTEA_P(0));
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendint32(&buf, fd->k);
	pq_sendint32(&buf, fd->nopts);
	pq_sendint32(&buf, fd->ntuples);
	for (int i = 0; i < fd->nopts; i++)
		pq_sendfloat8(&buf, fd->opts[i]);
	for (int i = 0; i < fd->ntuples; i++)
	{
		for (int j = 0; j < fd->k; j++)
			pq_sendfloat8(&buf, fitdata_tuple(fd, i)[j]);
		pq_sendfloat8(&buf, fitdata_weight(fd, i));
		if ((i & 0xffff) == 0xffff)
			CHECK_FOR_INTERRUPTS();
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

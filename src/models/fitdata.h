/*-------------------------------------------------------------------------
 *
 * fitdata.h
 *	  The state of every model-fitting aggregate: the sample compressed to
 *	  its distinct tuples of k doubles (k <= FITDATA_MAX_K) with the summed
 *	  weight (number of customers) of each, plus up to FITDATA_MAX_OPTS
 *	  per-group options (e.g. the penalizer) that must be equal on every row.
 *
 * The counting models' samples with static covariates have tuples
 * (frequency, recency, age, purchase covariates, dropout covariates) and the
 * options (penalizer, number of purchase covariates, number of dropout
 * covariates), so that identical customers with identical covariates merge.
 *
 * Memory: (k + 4) * 8 bytes per distinct tuple (its values, weight and
 * exact sum) plus two 8-byte hash slots (the table is at most half full;
 * each slot holds the tuple's hash beside its index, so that a probe reads
 * the tuple only when the hashes match), i.e. 72 bytes per distinct
 * (x, t_x, T) for the counting models and 104 with four covariates, up to
 * twice that right after the arrays double (per allocated tuple); the CDNOW
 * sample (2,357 customers, 1,016 distinct) takes 72 kB for 1,024 tuples.
 *
 * Weights are summed exactly (src/core/exactsum.h) and each tuple's sum is
 * rounded once, so the weights, and everything computed from them in value
 * order (the total, the fits), do not depend on the order of the rows or on
 * the plan, to the last bit.  Every weight and the total are finite: an
 * aggregate or input function errors 22003 when a sum would overflow.
 *
 * Serial forms (varlena; deserialisation checks the version and the exact
 * length, 22P03 otherwise), tuples in value order after
 *	 uint32 magic+version, int32 k, int32 nopts, int32 ntuples, int32 pad,
 *	 double opts[nopts]:
 *	 version 1, the engage.fitdata type (stored since 0.1.0):
 *	   ntuples * (k doubles, the rounded weight);
 *	 version 2, the aggregates' serialised internal state (exact sums, so
 *	 that partial states of a parallel plan combine exactly):
 *	   ntuples * (k doubles, int32 ncomponents, int32 pad, the components).
 *
 * SQL level (src/models/fitdata.c): fitdata_combine(internal, internal),
 * fitdata_serialize(internal), fitdata_deserialize(bytea, internal), shared
 * by every fit aggregate; the type engage.fitdata with in/out/send/recv; the
 * aggregates engage.fitdata(...) and engage.fitdata_merge(engage.fitdata).
 *
 *-------------------------------------------------------------------------
 */
#ifndef FITDATA_H
#define FITDATA_H

#include "postgres.h"

#include "fmgr.h"

#include "exactsum.h"

/*
 * Doubles per tuple: the counting models' (frequency, recency, age) and up to
 * 8 purchase and 8 dropout covariates (BTYD_MAX_COVARIATES in btyd.h) with
 * room for one more column.
 */
#define FITDATA_MAX_K 20
/* Options: e.g. the penalizer, and the numbers of purchase and dropout covariates. */
#define FITDATA_MAX_OPTS 3

typedef struct FitData
{
	int			k;				/* doubles per tuple */
	int			nopts;			/* options set (0 until the first row sets them) */
	double		opts[FITDATA_MAX_OPTS]; /* per-group options, equal on all rows */
	int			ntuples;		/* distinct tuples stored */
	int			capacity;		/* allocated tuples */
	double	   *values;			/* ntuples * k doubles */
	double	   *weights;		/* weight of each tuple: sums[i] rounded */
	ExactSum   *sums;			/* exact summed weight of each tuple */
	uint64	   *slots;			/* hash table: each slot 0 (empty) or a
								 * tuple's 32-bit hash << 32 | its index + 1;
								 * NULL in a sorted copy until it is added to */
	uint32		nslots;			/* power of two, 2 * capacity */
	MemoryContext context;		/* where the arrays live */
	bool		sorted;			/* the tuples are in value order (the order
								 * of fitdata_sorted_copy); adding a tuple
								 * clears it */

	/*
	 * A model's index of the tuples for its likelihood evaluations (e.g.
	 * paretonbd.c's), built by the first and kept for the next ones; NULL
	 * until then.  index_owner tells whose it is; the owner checks that the
	 * tuples are still those it was built for.
	 */
	const void *index_owner;
	void	   *index;
} FitData;

/*
 * Drops fd's model index (FitData.index, one allocation): for code that
 * changes the tuples of a sample in place.
 */
static inline void
fitdata_forget_index(FitData *fd)
{
	if (fd->index != NULL)
		pfree(fd->index);
	fd->index = NULL;
	fd->index_owner = NULL;
}

/*
 * A hash of n doubles' bits: a multiply-xorshift step per double, then
 * MurmurHash3's 64-bit finaliser, so that every bit of every double (small
 * integers and 0/1 covariates differ only in their high bits) reaches the
 * low bits as well as the high ones.
 */
static inline uint64
fitdata_hash_doubles(const double *v, int n)
{
	uint64		h = UINT64CONST(0x9E3779B97F4A7C15);

	for (int j = 0; j < n; j++)
	{
		uint64		b;

		memcpy(&b, &v[j], sizeof(double));
		h = (h ^ b) * UINT64CONST(0xBF58476D1CE4E5B9);
		h ^= h >> 31;
	}
	h ^= h >> 33;
	h *= UINT64CONST(0xFF51AFD7ED558CCD);
	h ^= h >> 33;
	h *= UINT64CONST(0xC4CEB9FE1A85EC53);
	h ^= h >> 33;
	return h;
}

/* A new empty state for tuples of k doubles, allocated in context. */
extern FitData *fitdata_create(MemoryContext context, int k);

/*
 * Adds weight w (finite, >= 0; 0 adds nothing) to the tuple values[0..k-1].
 * -0.0 and 0.0 are the same tuple.  Errors 22003 when the tuple's summed
 * weight overflows.
 */
extern void fitdata_add(FitData *fd, const double *values, double w);

/*
 * Records the per-group options; errors 22023 ("<what> must be the same on
 * every row") when different options were recorded before.
 */
extern void fitdata_set_options(FitData *fd, const double *opts, int nopts,
								const char *what);

/* Adds every tuple and the options of src to dst (same k, else 22023). */
extern void fitdata_merge_into(FitData *dst, const FitData *src, const char *what);

/*
 * The summed weight of all tuples: the exact sum of their (rounded) weights,
 * rounded once.  Errors 22003 when it overflows.
 */
extern double fitdata_total_weight(const FitData *fd);

/* The weight of tuple i (its exact sum, correctly rounded). */
static inline double
fitdata_weight(const FitData *fd, int i)
{
	return fd->weights[i];
}

/* The k values of tuple i. */
static inline const double *
fitdata_tuple(const FitData *fd, int i)
{
	return fd->values + (size_t) i * fd->k;
}

/*
 * A copy of fd in context with its tuples in value order and each weight
 * the rounded weight of fd: fitting the copy gives bit-identical results
 * whatever order (or parallel plan) built fd, and the same results as
 * fitting fd stored as engage.fitdata.
 */
extern FitData *fitdata_sorted_copy(MemoryContext context, const FitData *fd);

/*
 * The engage.fitdata value of fd (serial form version 1, see above; a
 * palloc'd varlena).  Errors 22003 when the total weight overflows.
 */
extern bytea *fitdata_to_bytes(const FitData *fd);

/*
 * A state in context from either serial form (checked, 22P03 when corrupt;
 * 22003 when a weight overflows).
 */
extern FitData *fitdata_from_bytes(MemoryContext context, const bytea *b);

/*
 * The state argument argno of a transition function: created for tuples of
 * k doubles in the aggregate context when NULL (errors outside an aggregate).
 */
extern FitData *fitdata_getarg(FunctionCallInfo fcinfo, int argno, int k,
							   const char *fname);

#endif							/* FITDATA_H */

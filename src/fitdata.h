/*-------------------------------------------------------------------------
 *
 * fitdata.h
 *	  The state of every model-fitting aggregate: the sample compressed to
 *	  its distinct tuples of k doubles (k <= FITDATA_MAX_K) with the summed
 *	  weight (number of customers) of each, plus up to FITDATA_MAX_OPTS
 *	  per-group options (e.g. the penalizer) that must be equal on every row.
 *
 * Memory: (k + 2) * 8 bytes per distinct tuple plus two 4-byte hash slots
 * (the table is at most half full), i.e. 48 bytes per distinct (x, t_x, T)
 * for the counting models, up to twice that right after the arrays double;
 * the CDNOW sample (2,357 customers) takes ~100 kB.
 * Weights are summed with Neumaier compensation: exact for integer counts
 * up to 2^53.
 *
 * Serial format (the engage.fitdata type and the aggregates' serialised
 * internal state are the same bytes, a varlena):
 *	 uint32 magic+version, int32 k, int32 nopts, int32 ntuples,
 *	 double opts[nopts], then ntuples * (k doubles, weight) in value order.
 * Deserialisation checks the version and the exact length (22P03 otherwise).
 *
 * SQL level (src/fitdata.c): fitdata_combine(internal, internal),
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

#define FITDATA_MAX_K 4
#define FITDATA_MAX_OPTS 2

typedef struct FitData
{
	int			k;				/* doubles per tuple */
	int			nopts;			/* options set (0 until the first row sets them) */
	double		opts[FITDATA_MAX_OPTS]; /* per-group options, equal on all rows */
	int			ntuples;		/* distinct tuples stored */
	int			capacity;		/* allocated tuples */
	double	   *values;			/* ntuples * k doubles */
	double	   *weights;		/* summed weight of each tuple */
	double	   *comp;			/* Neumaier compensation of each sum */
	int32	   *slots;			/* hash table of tuple indexes, -1 empty */
	int			nslots;			/* power of two, >= 2 * capacity */
	MemoryContext context;		/* where the arrays live */
} FitData;

/* A new empty state for tuples of k doubles, allocated in context. */
extern FitData *fitdata_create(MemoryContext context, int k);

/*
 * Adds weight w (finite, >= 0; 0 adds nothing) to the tuple values[0..k-1].
 * -0.0 and 0.0 are the same tuple.
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

/* The summed weight of all tuples. */
extern double fitdata_total_weight(const FitData *fd);

/* The weight of tuple i (the compensated sum). */
static inline double
fitdata_weight(const FitData *fd, int i)
{
	return fd->weights[i] + fd->comp[i];
}

/* The k values of tuple i. */
static inline const double *
fitdata_tuple(const FitData *fd, int i)
{
	return fd->values + (size_t) i * fd->k;
}

/*
 * A copy of fd in context with its tuples in value order: fitting the copy
 * gives bit-identical results whatever order (or parallel plan) built fd.
 */
extern FitData *fitdata_sorted_copy(MemoryContext context, const FitData *fd);

/* The serial form (a palloc'd varlena, tuples in value order, see above). */
extern bytea *fitdata_to_bytes(const FitData *fd);

/* A state in context from its serial form (checked, 22P03 when corrupt). */
extern FitData *fitdata_from_bytes(MemoryContext context, const bytea *b);

/*
 * The state argument argno of a transition function: created for tuples of
 * k doubles in the aggregate context when NULL (errors outside an aggregate).
 */
extern FitData *fitdata_getarg(FunctionCallInfo fcinfo, int argno, int k,
							   const char *fname);

#endif							/* FITDATA_H */

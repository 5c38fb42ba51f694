/*-------------------------------------------------------------------------
 *
 * exactsum.h
 *	  Exact sums of doubles, independent of the order of the terms: the sum
 *	  is kept as a non-overlapping expansion (components of increasing
 *	  magnitude whose exact sum is the exact sum of the terms; Shewchuk
 *	  1997, "Adaptive precision floating-point arithmetic and fast robust
 *	  geometric predicates", Discrete Comput. Geom. 18, GROW-EXPANSION with
 *	  zero elimination, as Python's math.fsum), and rounded once, correctly,
 *	  when read.  Adding the same terms in any order, or adding partial sums
 *	  together, gives the same rounded value to the last bit.
 *
 * Cost: one TwoSum per component per term; sums of integers, or of terms
 * of similar magnitude, stay at one or two components (inline, no
 * allocation).  Terms must be finite; a sum whose running value leaves the
 * double range errors 22003 (for terms of one sign this happens exactly
 * when the final sum does, whatever the order).
 *
 *-------------------------------------------------------------------------
 */
#ifndef EXACTSUM_H
#define EXACTSUM_H

#include "postgres.h"

#define EXACTSUM_INLINE 2

typedef struct ExactSum
{
	int32		n;				/* components in use (0: the sum is 0) */
	int32		cap;			/* allocated components of heap, 0 while inline */
	union
	{
		double		inl[EXACTSUM_INLINE];	/* the components while n <= 2 */
		double	   *heap;		/* the components once more were needed */
	}			u;
} ExactSum;

/* An empty sum (0). */
static inline void
exactsum_init(ExactSum *s)
{
	s->n = 0;
	s->cap = 0;
}

/* The components of s, increasing in magnitude. */
static inline const double *
exactsum_parts(const ExactSum *s)
{
	return s->cap > 0 ? s->u.heap : s->u.inl;
}

/*
 * Adds the finite term x to s; components beyond the inline ones are
 * allocated in context.  Errors 22003 naming what when the sum overflows.
 */
extern void exactsum_add(ExactSum *s, double x, MemoryContext context, const char *what);

/* Adds every component of src to s (the exact sum of both). */
extern void exactsum_add_sum(ExactSum *s, const ExactSum *src, MemoryContext context,
							 const char *what);

/* The sum, correctly rounded to a double (round half to even). */
extern double exactsum_value(const ExactSum *s);

/* Frees the components allocated for s, if any, and empties it. */
extern void exactsum_reset(ExactSum *s);

#endif							/* EXACTSUM_H */

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

#include <math.h>

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

extern void exactsum_add_general(ExactSum *s, double x, MemoryContext context,
								 const char *what);

/* a + b rounded; *err = the exact error (a + b - the result), TwoSum. */
static inline double
exactsum_two_sum(double a, double b, double *err)
{
	double		hi = a + b;

	*err = fabs(a) >= fabs(b) ? b - (hi - a) : a - (hi - b);
	return hi;
}

/*
 * Adds the finite term x to s; components beyond the inline ones are
 * allocated in context.  Errors 22003 naming what when the sum overflows.
 * Inline: the common cases, sums of one or two components, take no call.
 */
static inline void
exactsum_add(ExactSum *s, double x, MemoryContext context, const char *what)
{
	if (s->n == 0 && x != 0.0)
	{
		s->u.inl[0] = x;
		s->n = 1;
		return;
	}
	if (s->cap == 0 && s->n > 0)
	{
		double		lo1 = 0.0;
		double		lo2;
		double		hi;

		/* GROW-EXPANSION over the one or two inline components */
		hi = exactsum_two_sum(x, s->u.inl[0], &lo2);
		if (s->n == 2)
		{
			lo1 = lo2;
			hi = exactsum_two_sum(hi, s->u.inl[1], &lo2);
		}
		/* done unless it needs three components, overflows or cancels out */
		if ((lo1 == 0.0 || lo2 == 0.0) && hi != 0.0 && isfinite(hi))
		{
			double		lo = lo1 + lo2; /* exact: one of them is 0 */

			s->n = lo == 0.0 ? 1 : 2;
			s->u.inl[s->n - 1] = hi;
			if (lo != 0.0)
				s->u.inl[0] = lo;
			return;
		}
	}
	exactsum_add_general(s, x, context, what);
}

/* Adds every component of src to s (the exact sum of both). */
extern void exactsum_add_sum(ExactSum *s, const ExactSum *src, MemoryContext context,
							 const char *what);

extern double exactsum_value_general(const ExactSum *s);

/* The sum, correctly rounded to a double (round half to even). */
static inline double
exactsum_value(const ExactSum *s)
{
	if (s->n == 1)
		return exactsum_parts(s)[0];
	if (s->n == 2)
		return exactsum_parts(s)[1] + exactsum_parts(s)[0];	/* nothing below to break a tie */
	return exactsum_value_general(s);
}

/* Frees the components allocated for s, if any, and empties it. */
extern void exactsum_reset(ExactSum *s);

#endif							/* EXACTSUM_H */

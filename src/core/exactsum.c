/*-------------------------------------------------------------------------
 *
 * exactsum.c
 *	  Exact, order-independent sums of doubles (see exactsum.h): Shewchuk's
 *	  GROW-EXPANSION with zero elimination to add a term, and the correctly
 *	  rounded value of an expansion as in Python's math.fsum (CPython's
 *	  Modules/mathmodule.c, after Shewchuk 1997, section 2).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "utils/memutils.h"

#include "exactsum.h"

/* Room for components beyond the inline ones, first allocation. */
#define EXACTSUM_FIRST_HEAP 8

/* Errors 22003: the sum left the range of double precision. */
static void
exactsum_overflow(const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("%s is out of range", what),
			 errdetail("The sum exceeds the range of type double precision.")));
}

/*
 * Adds x to the n components p[0..n-1] in place (p has room for n + 1);
 * returns the new number of components.  Each step is an exact TwoSum: hi
 * is the rounded sum of the carry and a component, lo its exact error, kept
 * when not zero; the last carry is the new largest component.
 */
static int
grow_expansion(double *p, int n, double x)
{
	int			i = 0;

	for (int j = 0; j < n; j++)
	{
		double		y = p[j];
		double		hi;
		double		lo;

		if (fabs(x) < fabs(y))
		{
			double		t = x;

			x = y;
			y = t;
		}
		hi = x + y;
		lo = y - (hi - x);
		if (lo != 0.0)
			p[i++] = lo;
		x = hi;
	}
	if (x != 0.0)
		p[i++] = x;
	return i;
}

/* exactsum_add beyond its inline cases. */
void
exactsum_add_general(ExactSum *s, double x, MemoryContext context, const char *what)
{
	double		tmp[EXACTSUM_INLINE + 1];
	int			n;

	Assert(isfinite(x));
	if (x == 0.0)
		return;
	if (s->cap == 0)
	{
		/* inline: add into a copy with room for one more component */
		memcpy(tmp, s->u.inl, sizeof(double) * s->n);
		n = grow_expansion(tmp, s->n, x);
		if (n > 0 && !isfinite(tmp[n - 1]))
			exactsum_overflow(what);
		if (n <= EXACTSUM_INLINE)
			memcpy(s->u.inl, tmp, sizeof(double) * n);
		else
		{
			s->u.heap = MemoryContextAlloc(context, sizeof(double) * EXACTSUM_FIRST_HEAP);
			memcpy(s->u.heap, tmp, sizeof(double) * n);
			s->cap = EXACTSUM_FIRST_HEAP;
		}
		s->n = n;
		return;
	}
	if (s->n == s->cap)
	{
		/* at most ~40 components cover the whole double range: never huge */
		s->u.heap = repalloc(s->u.heap, sizeof(double) * s->cap * 2);
		s->cap *= 2;
	}
	n = grow_expansion(s->u.heap, s->n, x);
	if (n > 0 && !isfinite(s->u.heap[n - 1]))
		exactsum_overflow(what);
	s->n = n;
}

void
exactsum_add_sum(ExactSum *s, const ExactSum *src, MemoryContext context,
				 const char *what)
{
	const double *p = exactsum_parts(src);
	int			n = src->n;

	Assert(s != src);
	for (int i = 0; i < n; i++)
		exactsum_add(s, p[i], context, what);
}

/* exactsum_value beyond one component. */
double
exactsum_value_general(const ExactSum *s)
{
	const double *p = exactsum_parts(s);
	int			n = s->n;
	double		hi;
	double		lo = 0.0;

	if (n == 0)
		return 0.0;
	/* add from the top while that is exact */
	hi = p[--n];
	while (n > 0)
	{
		double		x = hi;
		double		y = p[--n];

		hi = x + y;
		lo = y - (hi - x);
		if (lo != 0.0)
			break;
	}

	/*
	 * hi + lo is exact; the components below lo only decide a tie: when lo
	 * is half an ulp of hi and the rest has lo's sign, the sum is past the
	 * halfway point and rounds away from hi.
	 */
	if (n > 0 && ((lo < 0.0 && p[n - 1] < 0.0) || (lo > 0.0 && p[n - 1] > 0.0)))
	{
		double		y = lo * 2.0;
		double		x = hi + y;

		if (y == x - hi)
			hi = x;
	}
	return hi;
}

void
exactsum_reset(ExactSum *s)
{
	if (s->cap > 0)
		pfree(s->u.heap);
	exactsum_init(s);
}

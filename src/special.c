/*-------------------------------------------------------------------------
 *
 * special.c
 *	  Special functions of the models (see special.h): log-beta, digamma,
 *	  log-sum-exp, and the Gauss hypergeometric function 2F1 (Abramowitz &
 *	  Stegun 15.1.1 series, 15.3.5 Pfaff and 15.3.6 1 - z transformations).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <float.h>

#include "miscadmin.h"
#include "special.h"

/* Series terms beyond this count are "not converged". */
#define HYP2F1_MAX_TERMS 200000
/* c - a - b closer than this to an integer is interpolated around it. */
#define HYP2F1_INT_GUARD 3e-4

double
log_beta(double a, double b)
{
	return lgamma(a) + lgamma(b) - lgamma(a + b);
}

/*
 * psi(x) for x > 0: recurrence up to x >= 10, then the asymptotic series.
 * NaN outside the domain (or for a NaN x), where the recurrence would not end.
 */
double
digamma(double x)
{
	double		acc = 0.0;
	double		inv2;

	if (!(x > 0.0))
		return NAN;
	while (x < 10.0)
	{
		acc -= 1.0 / x;
		x += 1.0;
	}
	inv2 = 1.0 / (x * x);
	return acc + log(x) - 0.5 / x -
		inv2 * (1.0 / 12 - inv2 * (1.0 / 120 - inv2 * (1.0 / 252 -
														inv2 * (1.0 / 240 - inv2 * (1.0 / 132)))));
}

double
log_sum_exp(double a, double b)
{
	double		m = Max(a, b);

	if (m == -INFINITY)
		return -INFINITY;
	return m + log1p(exp(Min(a, b) - m));
}

double
log_diff_exp(double a, double b)
{
	if (b == -INFINITY)
		return a;
	if (a <= b)
		return -INFINITY;
	return a + log(-expm1(b - a));
}

double
one_minus_pow_over(double u, double e)
{
	double		lu = log(u);

	if (lu == 0.0)
		return 0.0;
	if (e == 0.0)
		return -lu;
	return -expm1(e * lu) / e;
}

/* Power series of 2F1 (A&S 15.1.1); *ok false when it did not converge. */
static double
hyp2f1_series(double a, double b, double c, double z, bool *ok)
{
	double		term = 1.0;
	double		sum = 1.0;

	for (int n = 0; n < HYP2F1_MAX_TERMS; n++)
	{
		double		ratio = (a + n) * (b + n) / ((c + n) * (n + 1.0)) * z;

		term *= ratio;
		sum += term;
		if ((n & 0xfff) == 0)
			CHECK_FOR_INTERRUPTS();
		if (term == 0.0)
			return sum;
		/* small, and the following terms shrink */
		if (fabs(term) <= DBL_EPSILON * 0.5 * fabs(sum) &&
			fabs((a + n + 1) * (b + n + 1) * z) < fabs((c + n + 1) * (n + 2.0)))
			return sum;
	}
	*ok = false;
	return sum;
}

/* ln|Gamma(x)| and the sign of Gamma(x); sign 0 at the poles. */
static double
lgamma_sign(double x, int *sign)
{
	if (x > 0)
		*sign = 1;
	else if (x == floor(x))
	{
		*sign = 0;
		return 0.0;
	}
	else
		*sign = (((long long) floor(x)) % 2 != 0) ? -1 : 1;
	return lgamma(x);
}

/* Gamma(n1) Gamma(n2) / (Gamma(d1) Gamma(d2)) * w^p, in logs with signs. */
static double
gamma_ratio(double n1, double n2, double d1, double d2, double w, double p)
{
	int			s1,
				s2,
				s3,
				s4;
	double		l = lgamma_sign(n1, &s1) + lgamma_sign(n2, &s2) -
		lgamma_sign(d1, &s3) - lgamma_sign(d2, &s4);

	if (s3 == 0 || s4 == 0)
		return 0.0;				/* 1 / Gamma at a pole */
	return s1 * s2 * s3 * s4 * exp(l + p * log(w));
}

/*
 * The 1 - z transformation (A&S 15.3.6), c - a - b not an integer.  Sets
 * *cancelled when its two terms cancel to less than 1e-6 of their size
 * (large a, b or c), where the result would be meaningless.
 */
static double
hyp2f1_reflect(double a, double b, double c, double z, bool *ok, bool *cancelled)
{
	double		w = 1.0 - z;
	double		d = c - a - b;
	double		t1 = gamma_ratio(c, d, c - a, c - b, w, 0.0);
	double		t2 = gamma_ratio(c, -d, a, b, w, d);
	double		s1 = t1 == 0.0 ? 0.0 : hyp2f1_series(a, b, 1.0 - d, w, ok);
	double		s2 = t2 == 0.0 ? 0.0 : hyp2f1_series(c - a, c - b, 1.0 + d, w, ok);
	double		result = t1 * s1 + t2 * s2;

	if (!(fabs(result) >= 1e-6 * (fabs(t1 * s1) + fabs(t2 * s2))))
		*cancelled = true;
	return result;
}

double
hyp2f1(double a, double b, double c, double z, bool *ok)
{
	double		d = c - a - b;
	double		m = rint(d);
	bool		cancelled = false;
	double		result;

	*ok = true;
	if (z < 0.0)
	{
		/* Pfaff (A&S 15.3.5): z / (z - 1) lies in (0, 1) */
		result = pow(1.0 - z, -a) * hyp2f1(a, c - b, c, z / (z - 1.0), ok);
	}
	else if (z <= 0.6 || d >= 8.0)
		result = hyp2f1_series(a, b, c, z, ok);
	else
	{
		if (fabs(d - m) >= HYP2F1_INT_GUARD)
			result = hyp2f1_reflect(a, b, c, z, ok, &cancelled);
		else
		{
			/*
			 * Cubic interpolation in c through c - a - b = m -2h, -h, +h,
			 * +2h: error O(h^4), cancellation noise O(eps / h).
			 */
			double		h = HYP2F1_INT_GUARD;
			double		t = (d - m) / h;
			double		nodes[4] = {-2, -1, 1, 2};

			result = 0.0;
			for (int i = 0; i < 4; i++)
			{
				double		weight = 1.0;

				for (int j = 0; j < 4; j++)
					if (j != i)
						weight *= (t - nodes[j]) / (nodes[i] - nodes[j]);
				result += weight * hyp2f1_reflect(a, b, a + b + m + nodes[i] * h, z,
												  ok, &cancelled);
			}
		}
		if (cancelled || !*ok)
		{
			/* fall back on the (slower) power series */
			*ok = true;
			result = hyp2f1_series(a, b, c, z, ok);
		}
	}
	if (!isfinite(result))
		*ok = false;
	return result;
}

/*
 * 2F1(a, b; c; z[i]) for n arguments at once.  Where hyp2f1 would sum the
 * power series (0 <= z <= 0.6, or c - a - b >= 8), the series of all those
 * arguments are summed together, sharing each coefficient ratio; each stops
 * at the same term, with the same result, as hyp2f1's.  Other arguments go
 * through hyp2f1.
 */
void
hyp2f1_many(double a, double b, double c, const double *z, int n, double *out,
			bool *ok)
{
	bool		series_at_any_z = c - a - b >= 8.0;
	double		term[HYP2F1_MANY_MAX];
	bool		active[HYP2F1_MANY_MAX];
	int			nactive = 0;

	Assert(n <= HYP2F1_MANY_MAX);
	*ok = true;
	for (int i = 0; i < n; i++)
	{
		active[i] = z[i] >= 0.0 && (z[i] <= 0.6 || series_at_any_z);
		if (active[i])
		{
			term[i] = 1.0;
			out[i] = 1.0;
			nactive++;
		}
		else
		{
			bool		ok_i;

			out[i] = hyp2f1(a, b, c, z[i], &ok_i);
			*ok = *ok && ok_i;
		}
	}
	for (int k = 0; nactive > 0; k++)
	{
		/* the shared parts of hyp2f1_series' ratio and of its stopping test */
		double		ratio = (a + k) * (b + k) / ((c + k) * (k + 1.0));
		double		next_num = (a + k + 1) * (b + k + 1);
		double		next_den = fabs((c + k + 1) * (k + 2.0));

		if (k == HYP2F1_MAX_TERMS)
		{
			*ok = false;
			break;
		}
		for (int i = 0; i < n; i++)
		{
			if (!active[i])
				continue;
			term[i] *= ratio * z[i];
			out[i] += term[i];
			if (term[i] == 0.0 ||
				(fabs(term[i]) <= DBL_EPSILON * 0.5 * fabs(out[i]) &&
				 fabs(next_num * z[i]) < next_den))
			{
				active[i] = false;
				nactive--;
			}
		}
	}
	for (int i = 0; i < n; i++)
		if (!isfinite(out[i]))
			*ok = false;
}

/*
 * ln Gamma(y + e) - ln Gamma(y) for y > 0, y + e > 0, accurate relative to e
 * even when e is small and y large: the recurrence shifts y to >= 16
 * (log1p terms), then Stirling's series is differenced term by term.
 */
double
log_gamma_ratio(double y, double e)
{
	static const double c[] = {1.0 / 12, -1.0 / 360, 1.0 / 1260, -1.0 / 1680};
	double		acc = 0.0;
	double		ye;

	if (e == 0.0)
		return 0.0;
	if (y + e <= 0 || y <= 0)
		return lgamma(y + e) - lgamma(y);
	while (y < 16.0 || y + e < 16.0)
	{
		/* ln Gamma(y+e) - ln Gamma(y) = [same at y+1] - ln((y+e)/y) */
		acc -= log1p(e / y);
		y += 1.0;
	}
	ye = y + e;
	acc += (y - 0.5) * log1p(e / y) + e * log(ye) - e;
	for (int k = 0; k < 4; k++)
	{
		int			p = 2 * k + 1;

		acc += c[k] * (pow(ye, -p) - pow(y, -p));
	}
	return acc;
}

/*
 * Nodes and weights of the GAUSS_LEGENDRE_N-point Gauss-Legendre rule on
 * [-1, 1], computed once per process by Newton's method on the Legendre
 * polynomial (Press et al., Numerical Recipes, section 4.6).
 */
void
gauss_legendre(const double **nodes, const double **weights)
{
	static double x[GAUSS_LEGENDRE_N];
	static double w[GAUSS_LEGENDRE_N];
	static bool computed = false;
	const int	n = GAUSS_LEGENDRE_N;

	if (!computed)
	{
		for (int i = 0; i < (n + 1) / 2; i++)
		{
			double		root = cos(M_PI * (i + 0.75) / (n + 0.5));
			double		deriv = 1.0;

			for (int iter = 0; iter < 100; iter++)
			{
				double		p0 = 1.0,
							p1 = 0.0,
							step;

				/* P_n(root) by the three-term recurrence, then P_n' */
				for (int k = 1; k <= n; k++)
				{
					double		p2 = p1;

					p1 = p0;
					p0 = ((2.0 * k - 1.0) * root * p1 - (k - 1.0) * p2) / k;
				}
				deriv = n * (root * p0 - p1) / (root * root - 1.0);
				step = p0 / deriv;
				root -= step;
				if (fabs(step) <= 1e-16)
					break;
			}
			x[i] = -root;
			x[n - 1 - i] = root;
			w[i] = w[n - 1 - i] = 2.0 / ((1.0 - root * root) * deriv * deriv);
		}
		computed = true;
	}
	*nodes = x;
	*weights = w;
}

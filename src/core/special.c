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

/*
 * psi'(x) for x > 0: recurrence up to x >= 20, then the asymptotic series
 * 1/x + 1/(2x^2) + sum_k B_2k / x^(2k+1) (Abramowitz & Stegun 6.4.12) to
 * B_12 (the next term below 4e-20 relative there).  NaN outside the
 * domain, as digamma.
 */
double
trigamma(double x)
{
	double		acc = 0.0;
	double		inv,
				inv2;

	if (!(x > 0.0))
		return NAN;
	while (x < 20.0)
	{
		acc += 1.0 / (x * x);
		x += 1.0;
	}
	inv = 1.0 / x;
	inv2 = inv * inv;
	return acc + inv + 0.5 * inv2 +
		inv * inv2 * (1.0 / 6 - inv2 * (1.0 / 30 - inv2 * (1.0 / 42 - inv2 * (1.0 / 30 -
																			   inv2 * (5.0 / 66 - inv2 * (691.0 / 2730))))));
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
	return one_minus_exp_over(log(u), e);
}

double
one_minus_exp_over(double lu, double e)
{
	if (lu == 0.0)
		return 0.0;
	if (e == 0.0)
		return -lu;
	return -expm1(e * lu) / e;
}

/*
 * ln((1 - e^y) / e), y = e lu < 0 < -lu: by expm1 where it neither
 * overflows nor underflows, as y + ln(1 - e^-y) past e^30, and by the
 * series (1 - e^y) / e = -lu (1 + y/2 + y^2/6) where |y| is so small that
 * y itself may have underflowed to 0.
 */
double
log_one_minus_exp_over(double lu, double e)
{
	double		y = e * lu;

	if (fabs(y) < 1e-5)
		return log(-lu) + log1p(y / 2.0 + y * y / 6.0);
	if (y > 30.0)
		return y + log1p(-exp(-y)) - log(-e);
	if (y > 0.0)
		return log(expm1(y)) - log(-e);
	return log(-expm1(y)) - log(e);
}

double
log_of_sum(double a, double b)
{
	double		s = a + b;

	if (isfinite(s))
		return log(s);
	return log(0.5 * a + 0.5 * b) + M_LN2;
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

double
hyp2f1_minus_one(double a, double b, double c, double z, bool *ok)
{
	double		term = 1.0;
	double		sum = 0.0;

	*ok = true;
	for (int n = 0; n < HYP2F1_MAX_TERMS; n++)
	{
		term *= (a + n) * (b + n) / ((c + n) * (n + 1.0)) * z;
		sum += term;
		if ((n & 0xfff) == 0xfff)
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

/*
 * The power series of 2F1(a, b; c; z[i]) for n <= HYP2F1_MANY_MAX arguments
 * at once, into out[i]: term k of every running series in one pass, sharing
 * the coefficient ratio.  Each series stops where hyp2f1_series' would, so
 * out[i] is hyp2f1_series' sum bit for bit.  converged[i] is false when the
 * series of z[i] had not stopped after HYP2F1_MAX_TERMS terms.
 */
static void
hyp2f1_series_many(double a, double b, double c, const double *z, int n,
				   double *out, bool *converged)
{
	double		term[HYP2F1_MANY_MAX];
	int			running[HYP2F1_MANY_MAX];	/* indexes of the running series */
	int			nrunning = n;

	Assert(n <= HYP2F1_MANY_MAX);
	for (int i = 0; i < n; i++)
	{
		term[i] = 1.0;
		out[i] = 1.0;
		running[i] = i;
		converged[i] = true;
	}
	for (int k = 0; nrunning > 0; k++)
	{
		/* the shared parts of hyp2f1_series' ratio and of its stopping test */
		double		ratio = (a + k) * (b + k) / ((c + k) * (k + 1.0));
		double		next_num = (a + k + 1) * (b + k + 1);
		double		next_den = fabs((c + k + 1) * (k + 2.0));

		if (k == HYP2F1_MAX_TERMS)
		{
			for (int j = 0; j < nrunning; j++)
				converged[running[j]] = false;
			break;
		}
		if ((k & 0xfff) == 0xfff)
			CHECK_FOR_INTERRUPTS();
		for (int j = 0; j < nrunning; j++)
		{
			int			i = running[j];

			term[i] *= ratio * z[i];
			out[i] += term[i];
			if (term[i] == 0.0 ||
				(fabs(term[i]) <= DBL_EPSILON * 0.5 * fabs(out[i]) &&
				 fabs(next_num * z[i]) < next_den))
			{
				/* stopped: the last running series takes its place */
				running[j--] = running[--nrunning];
			}
		}
	}
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

/*
 * Gamma(n1) Gamma(n2) / (Gamma(d1) Gamma(d2)) as sign * e^l, sign 0 when it
 * is 0 because a denominator is at a pole of Gamma.
 */
typedef struct GammaRatio
{
	double		l;				/* ln of its absolute value */
	int			sign;			/* the product of the four signs */
	bool		zero;			/* 1 / Gamma(d1) or 1 / Gamma(d2) is 0 */
} GammaRatio;

static GammaRatio
gamma_ratio(double n1, double n2, double d1, double d2)
{
	GammaRatio	g;
	int			s1,
				s2,
				s3,
				s4;

	g.l = lgamma_sign(n1, &s1) + lgamma_sign(n2, &s2) -
		lgamma_sign(d1, &s3) - lgamma_sign(d2, &s4);
	g.sign = s1 * s2 * s3 * s4;
	g.zero = s3 == 0 || s4 == 0;
	return g;
}

/* The gamma ratio g times w^p. */
static inline double
gamma_ratio_times_pow(const GammaRatio *g, double w, double p)
{
	if (g->zero)
		return 0.0;
	return g->sign * exp(g->l + p * log(w));
}

/*
 * The 1 - z transformation (A&S 15.3.6) of 2F1(a, b; c; z[i]), c - a - b
 * not an integer, for n arguments: the gamma ratios once, the two series at
 * w = 1 - z[i] summed together; out[i] is the same as the transformation at
 * z[i] alone.  Sets failed[i] (never clears it) when a series of z[i] did
 * not converge or its two terms cancel to less than 1e-6 of their size
 * (large a, b or c), where out[i] would be meaningless.
 */
static void
hyp2f1_reflect_many(double a, double b, double c, const double *z, int n,
					double *out, bool *failed)
{
	double		d = c - a - b;
	GammaRatio	g1 = gamma_ratio(c, d, c - a, c - b);
	GammaRatio	g2 = gamma_ratio(c, -d, a, b);
	double		g1_w_positive = gamma_ratio_times_pow(&g1, 1.0, 0.0);
	double		t1[HYP2F1_MANY_MAX],
				t2[HYP2F1_MANY_MAX];
	double		w1[HYP2F1_MANY_MAX],
				w2[HYP2F1_MANY_MAX];
	double		s1[HYP2F1_MANY_MAX],
				s2[HYP2F1_MANY_MAX];
	bool		ok1[HYP2F1_MANY_MAX],
				ok2[HYP2F1_MANY_MAX];

	if (n <= 0)
		return;
	for (int i = 0; i < n; i++)
	{
		double		w = 1.0 - z[i];

		/* w^0 is 1 for w > 0; w <= 0 (z >= 1) is left to the formula */
		t1[i] = w > 0.0 ? g1_w_positive : gamma_ratio_times_pow(&g1, w, 0.0);
		t2[i] = gamma_ratio_times_pow(&g2, w, d);
		/* the series of a term whose factor is 0 is not needed: z = 0 stops at once */
		w1[i] = t1[i] == 0.0 ? 0.0 : w;
		w2[i] = t2[i] == 0.0 ? 0.0 : w;
	}
	hyp2f1_series_many(a, b, 1.0 - d, w1, n, s1, ok1);
	hyp2f1_series_many(c - a, c - b, 1.0 + d, w2, n, s2, ok2);
	for (int i = 0; i < n; i++)
	{
		double		p1 = t1[i] == 0.0 ? 0.0 : t1[i] * s1[i];
		double		p2 = t2[i] == 0.0 ? 0.0 : t2[i] * s2[i];

		out[i] = p1 + p2;
		if (!ok1[i] || !ok2[i] ||
			!(fabs(out[i]) >= 1e-6 * (fabs(p1) + fabs(p2))))
			failed[i] = true;
	}
}

/*
 * 2F1(a, b; c; z[i]) for n arguments z[i] > 0.6 (where hyp2f1 does not sum
 * the power series at once): the 1 - z transformation, with cubic
 * interpolation in c when c - a - b is near an integer, and the power series
 * where the transformation fails.  ok[i] is false when that series did not
 * converge either.
 */
static void
hyp2f1_near_one(double a, double b, double c, const double *z, int n,
				double *out, bool *ok)
{
	double		d = c - a - b;
	double		m = rint(d);
	bool		failed[HYP2F1_MANY_MAX];
	double		zf[HYP2F1_MANY_MAX],
				sf[HYP2F1_MANY_MAX];
	bool		okf[HYP2F1_MANY_MAX];
	int			nf = 0;

	for (int i = 0; i < n; i++)
		failed[i] = false;
	if (fabs(d - m) >= HYP2F1_INT_GUARD)
		hyp2f1_reflect_many(a, b, c, z, n, out, failed);
	else
	{
		/*
		 * Cubic interpolation in c through c - a - b = m -2h, -h, +h, +2h:
		 * error O(h^4), cancellation noise O(eps / h).
		 */
		double		h = HYP2F1_INT_GUARD;
		double		t = (d - m) / h;
		double		nodes[4] = {-2, -1, 1, 2};
		double		part[HYP2F1_MANY_MAX];

		for (int i = 0; i < n; i++)
			out[i] = 0.0;
		for (int k = 0; k < 4; k++)
		{
			double		weight = 1.0;

			for (int j = 0; j < 4; j++)
				if (j != k)
					weight *= (t - nodes[j]) / (nodes[k] - nodes[j]);
			hyp2f1_reflect_many(a, b, a + b + m + nodes[k] * h, z, n, part, failed);
			for (int i = 0; i < n; i++)
				out[i] += weight * part[i];
		}
	}
	/* fall back on the (slower) power series where it failed */
	for (int i = 0; i < n; i++)
		if (failed[i])
			zf[nf++] = z[i];
	if (nf > 0)
		hyp2f1_series_many(a, b, c, zf, nf, sf, okf);
	nf = 0;
	for (int i = 0; i < n; i++)
	{
		ok[i] = true;
		if (failed[i])
		{
			out[i] = sf[nf];
			ok[i] = okf[nf++];
		}
	}
}

/*
 * 2F1(1, b; c; z) by the 1 - z transformation, which simplifies for a = 1:
 * with d = c - 1 - b (not an integer) and w = 1 - z, the first gamma ratio
 * Gamma(c) Gamma(d) / (Gamma(c-1) Gamma(d+1)) is (c-1)/d and the second
 * series 2F1(c-1, d+1; d+1; w) is (1-w)^(1-c), so
 *	 2F1(1, b; c; z) = (c-1)/d 2F1(1, b; 1-d; w)
 *					 + Gamma(c) Gamma(-d) / Gamma(b) w^d z^(1-c):
 * one series and three gamma functions instead of two and eight.  Sets
 * *failed when the series did not converge or the two terms cancel to less
 * than 1e-6 of their size, as hyp2f1_reflect_many does.  Takes w = 1 - z
 * and lz = ln z, which a caller may know to more digits than 1 - z gives.
 */
static double
hyp2f1_a1_near_one(double b, double c, double w, double lz, bool *failed)
{
	double		d = c - 1.0 - b;
	int			sc = 1,
				sd,
				sb = 1;
	/*
	 * Gamma(c) Gamma(-d) / Gamma(b) as sign * e^l (the Gamma(1) of A&S is
	 * 1); for b, c > 0 with ln Gamma(c) - ln Gamma(b) in one piece, which
	 * does not cancel when b and c are large and close.
	 */
	double		l = b > 0.0 && c > 0.0 ?
		log_gamma_ratio(b, c - b) + lgamma_sign(-d, &sd) :
		lgamma_sign(c, &sc) + lgamma_sign(-d, &sd) - lgamma_sign(b, &sb);
	bool		ok = true;
	double		p1 = (c - 1.0) / d * hyp2f1_series(1.0, b, 1.0 - d, w, &ok);
	double		p2 = sb == 0 ? 0.0 : sc * sd * sb * exp(l + d * log(w) + (1.0 - c) * lz);
	double		result = p1 + p2;

	if (!ok || !(fabs(result) >= 1e-6 * (fabs(p1) + fabs(p2))))
		*failed = true;
	return result;
}

double
hyp2f1(double a, double b, double c, double z, bool *ok)
{
	double		d = c - a - b;
	double		result;

	*ok = true;
	if (z < 0.0)
	{
		/* Pfaff (A&S 15.3.5): z / (z - 1) lies in (0, 1) */
		result = pow(1.0 - z, -a) * hyp2f1(a, c - b, c, z / (z - 1.0), ok);
	}
	else if (z <= 0.6 || d >= 8.0)
		result = hyp2f1_series(a, b, c, z, ok);
	else if (a == 1.0 && fabs(d - rint(d)) >= HYP2F1_INT_GUARD)
	{
		bool		failed = false;

		result = hyp2f1_a1_near_one(b, c, 1.0 - z, log(z), &failed);
		if (failed)
			hyp2f1_near_one(a, b, c, &z, 1, &result, ok);
	}
	else
		hyp2f1_near_one(a, b, c, &z, 1, &result, ok);
	if (!isfinite(result))
		*ok = false;
	return result;
}

double
hyp2f1_a1_given_w(double b, double c, double w, bool *ok)
{
	double		z = 1.0 - w;
	double		d = c - 1.0 - b;
	bool		failed = false;
	double		result;

	if (z <= 0.6 || d >= 8.0 || fabs(d - rint(d)) < HYP2F1_INT_GUARD)
		return hyp2f1(1.0, b, c, z, ok);
	*ok = true;
	/* z^(1-c) from ln(1 - w): exact where z is only w's rounded complement */
	result = hyp2f1_a1_near_one(b, c, w, log1p(-w), &failed);
	if (failed || !isfinite(result))
		return hyp2f1(1.0, b, c, z, ok);
	return result;
}

/*
 * 2F1(a, b; c; z[i]) for n arguments at once, each the same as hyp2f1's:
 * the arguments hyp2f1 would sum the power series for (0 <= z <= 0.6, or
 * c - a - b >= 8) are summed together, sharing each coefficient ratio, and
 * so are those it would transform (z > 0.6), sharing the gamma functions of
 * the transformation; z < 0 goes through hyp2f1.
 */
/*
 * Whether hyp2f1_many passes z to hyp2f1 on its own: the Pfaff
 * transformation (z < 0), or hyp2f1's a = 1 form of the 1 - z one.
 */
static inline bool
hyp2f1_many_alone(double a, double z, bool series_at_any_z)
{
	return z < 0.0 || (a == 1.0 && z > 0.6 && !series_at_any_z);
}

void
hyp2f1_many(double a, double b, double c, const double *z, int n, double *out,
			bool *ok)
{
	bool		series_at_any_z = c - a - b >= 8.0;
	double		zs[HYP2F1_MANY_MAX],
				zt[HYP2F1_MANY_MAX];
	double		vs[HYP2F1_MANY_MAX],
				vt[HYP2F1_MANY_MAX];
	bool		oks[HYP2F1_MANY_MAX],
				okt[HYP2F1_MANY_MAX];
	int			ns = 0,
				nt = 0;

	Assert(n <= HYP2F1_MANY_MAX);
	*ok = true;
	for (int i = 0; i < n; i++)
	{
		if (hyp2f1_many_alone(a, z[i], series_at_any_z))
		{
			bool		ok_i;

			out[i] = hyp2f1(a, b, c, z[i], &ok_i);
			*ok = *ok && ok_i;
		}
		else if (z[i] <= 0.6 || series_at_any_z)
			zs[ns++] = z[i];
		else
			zt[nt++] = z[i];
	}
	if (ns > 0)
		hyp2f1_series_many(a, b, c, zs, ns, vs, oks);
	if (nt > 0)
		hyp2f1_near_one(a, b, c, zt, nt, vt, okt);
	ns = nt = 0;
	for (int i = 0; i < n; i++)
	{
		if (hyp2f1_many_alone(a, z[i], series_at_any_z))
			continue;
		else if (z[i] <= 0.6 || series_at_any_z)
		{
			out[i] = vs[ns];
			*ok = *ok && oks[ns++];
		}
		else
		{
			out[i] = vt[nt];
			*ok = *ok && okt[nt++];
		}
		if (!isfinite(out[i]))
			*ok = false;
	}
}

/* Below this, ln Gamma is shifted up by its recurrence before Stirling's series. */
#define STIRLING_MIN 16.0

/*
 * Stirling's series of ln Gamma(z) past its leading terms,
 * sum_k B_2k / (2k (2k-1) z^(2k-1)), for z >= STIRLING_MIN (error below
 * 1e-16 there); 0 at z = Infinity.
 */
static double
stirling_tail(double z)
{
	static const double c[] = {1.0 / 12, -1.0 / 360, 1.0 / 1260, -1.0 / 1680, 1.0 / 1188};
	double		inv = 1.0 / z;
	double		inv2 = inv * inv;
	double		sum = 0.0;

	for (int k = 4; k >= 0; k--)
		sum = sum * inv2 + c[k];
	return sum * inv;
}

/* (ln(1 + u) - u) / u for |u| < 0.1, by its power series (no cancellation). */
static double
log1p_minus_u_over_u(double u)
{
	double		sum = 0.0;

	/* -u/2 + u^2/3 - u^3/4 + ...: 15 terms reach 0.1^15 / 17 */
	for (int k = 17; k >= 2; k--)
		sum = -u * (1.0 / k + sum);
	return sum;
}

/*
 * phi(z, h) = (z + h - 1/2) ln(1 + h/z) - h, the difference of the leading
 * Stirling terms, ln Gamma(z + h) - ln Gamma(z) - h ln z less the series
 * tails, for z >= STIRLING_MIN and z + h > 0.  Small h/z by the series of
 * ln(1 + u) - u, so that phi ~ h (h - 1) / (2 z) keeps its digits; the
 * products are formed so that none overflows unless phi does (z may be
 * Infinity, phi is then 0).
 */
static double
stirling_phi(double z, double h)
{
	double		u = h / z;

	if (fabs(u) < 0.1)
		return (h - 0.5) * u + h * log1p_minus_u_over_u(u) * (1.0 + (h - 0.5) / z);
	return z * log1p(u) * (1.0 + (h - 0.5) / z) - h;
}

/* phi(y + e, h), also when y + e overflows (through (y + e) / 2). */
static double
stirling_phi_at_sum(double y, double e, double h)
{
	double		half;
	double		u;

	if (isfinite(y + e))
		return stirling_phi(y + e, h);
	half = 0.5 * y + 0.5 * e;
	u = 0.5 * (h / half);
	if (fabs(u) < 0.1)
		return (h - 0.5) * u +
			h * log1p_minus_u_over_u(u) * (1.0 + 0.5 * ((h - 0.5) / half));
	return 2.0 * (half * log1p(u) * (1.0 + 0.5 * ((h - 0.5) / half))) - h;
}

double
log_gamma_ratio_excess(double y, double e)
{
	double		y0 = y;
	double		acc = 0.0;

	if (e == 0.0)
		return 0.0;
	if (!(y > 0) || !(y + e > 0))
		return NAN;

	/*
	 * One of y, y + e below STIRLING_MIN, the other beyond 1e15 (where y += 1
	 * comes close to not changing y): too far apart for the difference to
	 * cancel, and the recurrence below would not end.  Otherwise it takes at
	 * most STIRLING_MIN steps.
	 */
	if (Min(y, y + e) < STIRLING_MIN && Max(y, y + e) > 1e15)
		return lgamma(y + e) - lgamma(y) - e * log(y);
	while (y < STIRLING_MIN || y + e < STIRLING_MIN)
	{
		/* ln Gamma(y+e) - ln Gamma(y) = [same at y+1] - ln((y+e)/y) */
		acc -= e >= 0 ? log1p_quotient(e, y) : log1p(e / y);
		y += 1.0;
	}
	if (y != y0)
		acc += e * log(y / y0);
	return acc + stirling_phi(y, e) + (stirling_tail(y + e) - stirling_tail(y));
}

/*
 * ln Gamma(y + e) - ln Gamma(y) for y > 0, y + e > 0, accurate relative to e
 * even when e is small and y large: e ln y plus the excess.
 */
double
log_gamma_ratio(double y, double e)
{
	double		result;

	if (e == 0.0)
		return 0.0;
	result = e * log(y) + log_gamma_ratio_excess(y, e);
	/* both terms overflow (y tiny, e huge): the result does too */
	if (isnan(result))
		return lgamma(y + e) - lgamma(y);
	return result;
}

/*
 * D(y, e, h) = ln Gamma(y+e+h) - ln Gamma(y+e) - ln Gamma(y+h) + ln Gamma(y)
 * for y > 0, e, h >= 0 (symmetric in e and h).  The recurrence shifts y to
 * STIRLING_MIN, each step adding -ln(1 - e h / ((y+e)(y+h))); then with
 * phi as above, for h <= e,
 *	 h < y/2:  D = h ln(1 + e/y) + phi(y+e, h) - phi(y, h) + tails,
 *	 else:	   D = h ln(1 + (e-h)/(y+h)) - [(y - 1/2) ln(1 + h/y) - h]
 *				   + phi(y+e, h) + tails,
 * neither of which cancels beyond a few units of eps * max(D, h) nor forms
 * y + e + h (which may overflow when D does not).
 */
static double
log_gamma_second_difference(double y, double e, double h)
{
	double		acc = 0.0;
	double		d;

	if (h > e)
	{
		double		tmp = h;

		h = e;
		e = tmp;
	}
	if (h == 0.0)
		return 0.0;
	while (y < STIRLING_MIN)
	{
		double		q = (e / (y + e)) * (h / (y + h));

		acc -= q < 0.5 ? log1p(-q) : log_quotient(y, y + e) + log1p_quotient(e, y + h);
		y += 1.0;
	}
	if (h < 0.5 * y)
		d = h * log1p_quotient(e, y) + stirling_phi_at_sum(y, e, h) - stirling_phi(y, h);
	else
		d = h * log1p_quotient(e - h, y + h) - ((y - 0.5) * log1p(h / y) - h) +
			stirling_phi_at_sum(y, e, h);
	d += (stirling_tail(y + e + h) - stirling_tail(y + e)) -
		(stirling_tail(y + h) - stirling_tail(y));
	return acc + d;
}

double
log_beta_ratio(double a, double b, double h)
{
	if (!(a > 0) || !(b > 0) || !(h >= 0))
		return NAN;
	return -log_gamma_second_difference(b, a, h);
}

double
log_beta_shifted(double a, double b, double i, double j)
{
	return log_beta_ratio(a + i, b, j) + log_beta_ratio(b, a, i);
}

double
log_quotient(double a, double b)
{
	double		q = a / b;

	if (q > 0 && isfinite(q) && q >= DBL_MIN)
		return log(q);
	return log(a) - log(b);
}

double
log1p_quotient(double t, double a)
{
	double		q = t / a;

	if (isfinite(q))
		return log1p(q);
	return log(t) - log(a) + log1p(a / t);
}

/*
 * ln B(a, b) without the cancellation of lgamma(a) - lgamma(a + b) when one
 * argument is far larger than the other (e.g. a count of 1e9 against a
 * shape of 0.5): the smaller one's lgamma minus log_gamma_ratio.
 */
static double
log_beta_lopsided(double a, double b)
{
	if (a < b)
		return log_beta_lopsided(b, a);
	return lgamma(b) - log_gamma_ratio(a, b);
}

/*
 * The continued fraction of I_x(a, b) (Numerical Recipes, section 6.4,
 * eq. 6.4.5) by the modified Lentz method; it converges in
 * O(sqrt(max(a, b))) steps for x < (a + 1) / (a + b + 2).  *ok false when
 * it had not converged after BETA_CF_MAX_STEPS plus that many (at most
 * BETA_CF_STEP_CAP), or a coefficient is not finite.
 */
#define BETA_CF_MAX_STEPS 1000
#define BETA_CF_TINY 1e-300
/* Steps at most whatever a and b (about 0.02 s): 20 sqrt(2^31) is 1e6. */
#define BETA_CF_STEP_CAP 2e6

static double
beta_cf(double a, double b, double x, bool *ok)
{
	double		c = 1.0;
	double		d = 1.0 - (a + b) * x / (a + 1.0);
	double		f;
	double		max_steps = Min(BETA_CF_MAX_STEPS + 20.0 * sqrt(Max(a, b)), BETA_CF_STEP_CAP);

	if (!isfinite(d))
	{
		*ok = false;
		return d;
	}
	if (fabs(d) < BETA_CF_TINY)
		d = BETA_CF_TINY;
	d = 1.0 / d;
	f = d;
	for (double m = 1.0; m <= max_steps; m += 1.0)
	{
		double		m2 = 2.0 * m;
		double		coef[2];

		/* the even step d_2m, then the odd d_2m+1 */
		coef[0] = m * (b - m) * x / ((a + m2 - 1.0) * (a + m2));
		coef[1] = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1.0));
		for (int k = 0; k < 2; k++)
		{
			double		delta;

			if (!isfinite(coef[k]))
			{
				/* a + b or a coefficient overflowed: no fraction here */
				*ok = false;
				return f;
			}
			d = 1.0 + coef[k] * d;
			if (fabs(d) < BETA_CF_TINY)
				d = BETA_CF_TINY;
			c = 1.0 + coef[k] / c;
			if (fabs(c) < BETA_CF_TINY)
				c = BETA_CF_TINY;
			d = 1.0 / d;
			delta = c * d;
			f *= delta;
			if (k == 1 && fabs(delta - 1.0) <= 2.0 * DBL_EPSILON)
				return f;
		}
		if (((int64) m & 0xfff) == 0)
			CHECK_FOR_INTERRUPTS();
	}
	*ok = false;
	return f;
}

/* x^a y^b / (a B(a, b)) times the continued fraction: I_x(a, b) unswitched. */
static double
beta_inc_direct(double a, double b, double x, double y, bool *ok)
{
	double		lfront = a * (x < 0.5 ? log(x) : log1p(-y)) +
		b * (y < 0.5 ? log(y) : log1p(-x)) - log(a) - log_beta_lopsided(a, b);
	double		result = exp(lfront) * beta_cf(a, b, x, ok);

	if (!(result >= 0.0 && result <= 1.0))
		*ok = false;
	return result;
}

double
beta_inc_regularized(double a, double b, double x, double y, bool *ok)
{
	bool		flip;
	double		lfront;
	double		cf;
	double		result;

	*ok = true;
	if (x <= 0.0)
		return 0.0;
	if (y <= 0.0)
		return 1.0;
	/* the fraction converges fast below the mean; above it, I_x = 1 - I_y(b, a) */
	flip = x * (a + b + 2.0) > a + 1.0;
	if (flip)
	{
		double		t;

		t = a, a = b, b = t;
		t = x, x = y, y = t;
	}
	/* x^a y^b / (a B(a, b)), logs of x and y from the smaller of the two */
	lfront = a * (x < 0.5 ? log(x) : log1p(-y)) + b * (y < 0.5 ? log(y) : log1p(-x)) -
		log(a) - log_beta_lopsided(a, b);
	cf = beta_cf(a, b, x, ok);
	result = flip ? 1.0 - exp(lfront) * cf : exp(lfront) * cf;
	if (flip && *ok && result < 0.125)
	{
		/*
		 * 1 - I_y(b, a) lost its digits (b tiny: the mass sits near 1, past
		 * the switch point): the fraction of I_x(a, b) itself, slower there
		 * but still convergent
		 */
		bool		direct_ok = true;
		double		direct = beta_inc_direct(b, a, y, x, &direct_ok);

		if (direct_ok)
			return direct;
	}
	if (!(result >= 0.0 && result <= 1.0))
		*ok = false;
	return result;
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

double
log_ratio_of_sums(double a, double t1, double t0)
{
	/* halves: a + t0 may overflow where the ratio does not */
	double		q = (0.5 * t1 - 0.5 * t0) / (0.5 * a + 0.5 * t0);

	if (t1 == t0)
		return 0.0;
	if (q <= 1.0)
		return log1p(q);
	return log(0.5 * a + 0.5 * t1) - log(0.5 * a + 0.5 * t0);
}

double
fraction_of_sum(double t, double a, double b)
{
	return t == 0.0 ? 0.0 : (0.25 * t) / (0.25 * a + 0.25 * b + 0.25 * t);
}

/* Panels of log_concave_integral: each side stops long before this. */
#define LOG_CONCAVE_MAX_PANELS 100000

/*
 * The maximum of a concave h on [vmin, vmax], by bisection on h' (which
 * falls): an end where h' keeps its sign.
 */
static double
log_concave_mode(LogConcaveFn h, const void *arg, double vmin, double vmax)
{
	double		lo = vmin,
				hi = vmax,
				d1,
				d2;

	h(arg, vmax, &d1, &d2);
	if (d1 >= 0.0)
		return vmax;
	h(arg, vmin, &d1, &d2);
	if (d1 <= 0.0)
		return vmin;
	for (int i = 0; i < 120 && hi - lo > 1e-12; i++)
	{
		double		mid = 0.5 * (lo + hi);

		h(arg, mid, &d1, &d2);
		if (d1 > 0.0)
			lo = mid;
		else
			hi = mid;
	}
	return 0.5 * (lo + hi);
}

double
log_concave_integral(LogConcaveFn h, const void *arg, double vmin, double vmax)
{
	const double *node;
	const double *weight;
	double		vmode = log_concave_mode(h, arg, vmin, vmax);
	double		d1,
				d2;
	double		hmode = h(arg, vmode, &d1, &d2);
	double		sum = 0.0;
	int			panels = 0;

	gauss_legendre(&node, &weight);
	for (int dir = 1; dir >= -1; dir -= 2)
	{
		double		v = vmode;

		for (;;)
		{
			double		hv = h(arg, v, &d1, &d2);
			double		room = dir > 0 ? vmax - v : v - vmin;
			double		width = Min(Min(2.0, room), Min(2.0 / sqrt(fabs(d2)), 2.0 / fabs(d1)));
			double		half = 0.5 * width;
			double		mid = v + dir * half;

			if (v != vmode && exp(hv - hmode) <= 1e-17 * sum * fabs(d1))
				break;			/* the rest is below rounding */
			if (!(width > 0.0))
				break;			/* the end of the range */
			if (++panels > LOG_CONCAVE_MAX_PANELS)
				return NAN;
			for (int k = 0; k < GAUSS_LEGENDRE_N; k++)
				sum += weight[k] * half * exp(h(arg, mid + half * node[k], &d1, &d2) - hmode);
			v += dir * width;
			if ((panels & 63) == 0)
				CHECK_FOR_INTERRUPTS();
		}
	}
	return hmode + log(sum);
}

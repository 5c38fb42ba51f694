/*-------------------------------------------------------------------------
 *
 * paretonbd.c
 *	  Pareto/NBD (Schmittlein, Morrison & Colombo 1987, "Counting your
 *	  customers: who are they and what will they do next?", Management
 *	  Science 33(1)), computed with the expressions of Fader & Hardie (2005),
 *	  "A note on deriving the Pareto/NBD model and related expressions", and
 *	  Fader & Hardie (2006), "Deriving an expression for P(X(t) = x) under
 *	  the Pareto/NBD model".
 *
 * While alive a customer buys at Poisson rate lambda ~ Gamma(r, alpha); the
 * lifetime is exponential with rate mu ~ Gamma(s, beta).  With x = frequency,
 * t_x = recency, T = age (FH 2005 eq. 19-22):
 *
 *	 L = Gamma(r+x) alpha^r beta^s / Gamma(r)
 *		 * [1 / ((alpha+T)^(r+x) (beta+T)^s) + s / (r+s+x) A0]
 *	 A0 = F(t_x) - F(T),  F(y) = 2F1(r+s+x, s+1; r+s+x+1; (alpha-beta)/(alpha+y))
 *								 / (alpha+y)^(r+s+x)	   if alpha >= beta,
 *	 F(y) = 2F1(r+s+x, r+x; r+s+x+1; (beta-alpha)/(beta+y)) / (beta+y)^(r+s+x)
 *																otherwise;
 *	 P(alive) = 1 / [1 + s / (r+s+x) (alpha+T)^(r+x) (beta+T)^s A0]
 *	 E[X(t) | x, t_x, T] = (r+x)(beta+T) / ((alpha+T)(s-1))
 *		 * [1 - ((beta+T)/(beta+T+t))^(s-1)] * P(alive)
 *	 E[X(t)] = r beta / (alpha (s-1)) [1 - (beta/(beta+t))^(s-1)]
 *	 P(X(t) = x) = Gamma(r+x)/(Gamma(r) x!) (alpha/(alpha+t))^r
 *		 (t/(alpha+t))^x (beta/(beta+t))^s
 *		 + alpha^r beta^s B(r+x, s+1)/B(r, s)
 *		 * [B1 - sum_{i=0..x} Gamma(r+s+i)/(Gamma(r+s) i!) t^i B2(i)]   (FH 2006)
 *
 * Static covariates (Fader & Hardie 2007, "Incorporating time-invariant
 * covariates into the Pareto/NBD and BG/NBD models"): a customer with
 * purchase covariates x_i and dropout covariates z_i has alpha_i =
 * alpha exp(-gamma'x_i) and beta_i = beta exp(-delta'z_i), and every
 * expression above holds at those parameters.
 *
 * All of it is evaluated in logs; the s = 1 singularity of the expectations
 * is removable and handled by one_minus_exp_over(), and every ratio of
 * the form (c + T) / (c + t_x) is taken in logs by log1p of the difference.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <float.h>

#include "miscadmin.h"

#include "btyd.h"
#include "engage.h"
#include "special.h"

PG_FUNCTION_INFO_V1(paretonbd_fit_final);
PG_FUNCTION_INFO_V1(paretonbd_fit_fitdata);
PG_FUNCTION_INFO_V1(paretonbd_bootstrap);
PG_FUNCTION_INFO_V1(paretonbd_p_alive_sql);
PG_FUNCTION_INFO_V1(paretonbd_churn_sql);
PG_FUNCTION_INFO_V1(paretonbd_expected_sql);
PG_FUNCTION_INFO_V1(paretonbd_expected_new_sql);
PG_FUNCTION_INFO_V1(paretonbd_prob_sql);
PG_FUNCTION_INFO_V1(paretonbd_loglik_sql);
PG_FUNCTION_INFO_V1(paretonbd_simulate);

static const char *const pnbd_names[] = {"r", "alpha", "s", "beta"};

/* 2F1 or an error 22003 when its series did not converge. */
static double
hyp2f1_checked(double a, double b, double c, double z)
{
	bool		ok;
	double		f = hyp2f1(a, b, c, z, &ok);

	if (!ok || !(f > 0))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("hypergeometric series did not converge"),
				 errdetail("2F1(%g, %g; %g; %g)", a, b, c, z)));
	return f;
}

/*
 * The Euler-transformed series behind F(y) (FH 2005 eq. 20-21), free of
 * large powers: 2F1(a, b; a+1; z) = (1-z)^(1-b) 2F1(1, a+1-b; a+1; z), so
 * with H = 2F1(1, e; c; z), c = r+s+x+1, whose terms decrease geometrically
 * (no overflow for large frequencies):
 *	 alpha >= beta: e = r+x, z = (alpha-beta)/(alpha+y),
 *		 F(y) = (alpha+y)^-(r+x) (beta+y)^-s H;
 *	 alpha < beta:	e = s+1, z = (beta-alpha)/(beta+y),
 *		 F(y) = (alpha+y)^(1-r-x) (beta+y)^-(s+1) H.
 */
typedef struct PnbdSeries
{
	bool		alpha_big;		/* alpha >= beta */
	double		e;
	double		c;
	double		z;
} PnbdSeries;

static PnbdSeries
pnbd_series_at(const double *p, double x, double y)
{
	PnbdSeries	h;

	h.alpha_big = p[1] >= p[3];
	h.e = h.alpha_big ? p[0] + x : p[2] + 1;
	h.c = p[0] + p[2] + x + 1;
	h.z = h.alpha_big ? (p[1] - p[3]) / (p[1] + y) : (p[3] - p[1]) / (p[3] + y);
	return h;
}

/*
 * Whether H at y needs more than about 2000 terms: after n terms they have
 * shrunk by z^n prod_k (e+k)/(c+k) ~ z^n ((c+n)/c)^(e-c), which is slow when
 * z is near 1 and c - e is small (as when s and beta grow large together,
 * the limit of a lifetime that is the same for everybody).
 */
static bool
pnbd_series_slow(const double *p, double x, double y)
{
	PnbdSeries	h = pnbd_series_at(p, x, y);
	const double n = 2000.0;

	if (h.z <= 0.9)
		return false;
	return -n * log(h.z) + (h.c - h.e) * log1p(n / h.c) < 40.0;
}

/* G(y) = (alpha+y)^(r+x) (beta+y)^s F(y). */
static double
pnbd_g(const double *p, double x, double y)
{
	PnbdSeries	h = pnbd_series_at(p, x, y);
	double		f = hyp2f1_checked(1.0, h.e, h.c, h.z);

	return h.alpha_big ? f : (p[1] + y) / (p[3] + y) * f;
}

/*
 * The coefficients of the series H of one frequency and one branch of
 * pnbd_series_at (alpha >= beta or not), which depend on r, s and x only,
 * each premultiplied as the sums of pnbd_series_sums use it: P_n, P_n
 * d ln P_n / dr, P_n d ln P_n / ds and n P_n for n = 1 .. len (at index
 * n - 1), extended on demand, so that the series at many y and alpha, beta
 * of one frequency cost four multiplications and additions a term and no
 * division.
 */
typedef struct PnbdSeriesTerms
{
	double		e;				/* of pnbd_series_at */
	double		c;
	bool		alpha_big;
	int			len;			/* terms computed */
	int			cap;			/* allocated */
	double		last_pn;		/* P_len, d ln P_len / dr and / ds */
	double		last_dlr;
	double		last_dls;
	double	   *pn;				/* P_n */
	double	   *pdr;			/* P_n d ln P_n / dr */
	double	   *pds;			/* P_n d ln P_n / ds */
	double	   *npn;			/* n P_n */
} PnbdSeriesTerms;

/* Computes the terms of t up to n (t->len < n). */
static void
pnbd_series_terms_extend(PnbdSeriesTerms *t, int n)
{
	double		pn = t->len > 0 ? t->last_pn : 1.0;
	double		dlr = t->len > 0 ? t->last_dlr : 0.0;
	double		dls = t->len > 0 ? t->last_dls : 0.0;
	double		e = t->e,
				c = t->c;

	if (n > t->cap)
	{
		int			cap = Max(n, 2 * t->cap);
		double	   *buf = palloc(sizeof(double) * 4 * cap);

		/* one allocation holding the four arrays */
		if (t->len > 0)
		{
			memcpy(buf, t->pn, sizeof(double) * t->len);
			memcpy(buf + cap, t->pdr, sizeof(double) * t->len);
			memcpy(buf + 2 * cap, t->pds, sizeof(double) * t->len);
			memcpy(buf + 3 * cap, t->npn, sizeof(double) * t->len);
		}
		if (t->cap > 0)
			pfree(t->pn);
		t->pn = buf;
		t->pdr = buf + cap;
		t->pds = buf + 2 * cap;
		t->npn = buf + 3 * cap;
		t->cap = cap;
	}
	for (int k = t->len + 1; k <= n; k++)
	{
		/* as pnbd_series_sums computes them, operation for operation */
		pn *= (e + k - 1) / (c + k - 1);
		dlr += (t->alpha_big ? 1.0 / (e + k - 1) : 0.0) - 1.0 / (c + k - 1);
		dls += (t->alpha_big ? 0.0 : 1.0 / (e + k - 1)) - 1.0 / (c + k - 1);
		t->pn[k - 1] = pn;
		t->pdr[k - 1] = pn * dlr;
		t->pds[k - 1] = pn * dls;
		t->npn[k - 1] = k * pn;
	}
	t->last_pn = pn;
	t->last_dlr = dlr;
	t->last_dls = dls;
	t->len = n;
}

/*
 * Whether the series of pnbd_log_f_grad may stop after term n: the term
 * (P_n z^n) and the next term of its z-derivative sum (n P_n z^n, zn =
 * z^n) are below a quarter ulp of their sums.
 */
static inline bool
pnbd_series_done(double term, double n_pn_zn, double h, double hz)
{
	return term <= DBL_EPSILON * 0.25 * h && n_pn_zn <= DBL_EPSILON * 0.25 * (hz + 1.0);
}

/*
 * The sums of the series of pnbd_log_f_grad: sums = {H, sum_n P_n z^n
 * d ln P_n / dr, the same / ds, sum_n n P_n z^(n-1) = dH/dz}, P_n from
 * e and c as the series goes.
 */
static void
pnbd_series_sums(double e, double c, bool a_big, double z, double *sums)
{
	double		pn = 1.0;		/* P_n */
	double		zn1 = 1.0;		/* z^(n-1) */
	double		dlr = 0.0,		/* d ln P_n / dr, / ds */
				dls = 0.0;
	double		h = 1.0,
				hr = 0.0,
				hs = 0.0,
				hz = 0.0;

	for (int n = 1; n < 1000000; n++)
	{
		double		term;

		/* P_n from P_(n-1): factor (e+n-1)/(c+n-1) */
		pn *= (e + n - 1) / (c + n - 1);
		dlr += (a_big ? 1.0 / (e + n - 1) : 0.0) - 1.0 / (c + n - 1);
		dls += (a_big ? 0.0 : 1.0 / (e + n - 1)) - 1.0 / (c + n - 1);
		term = pn * zn1 * z;
		h += term;
		hr += term * dlr;
		hs += term * dls;
		hz += n * pn * zn1;		/* d(P_n z^n)/dz */
		zn1 *= z;
		if (pnbd_series_done(term, n * pn * zn1, h, hz))
			break;
		if ((n & 0xffff) == 0)
			CHECK_FOR_INTERRUPTS();
	}
	sums[0] = h;
	sums[1] = hr;
	sums[2] = hs;
	sums[3] = hz;
}

/*
 * The same from the shared coefficients of terms, two terms at a time into
 * two sets of sums (the chains of additions, not the arithmetic, bound the
 * loop), stopping after the first pair whose second term passes
 * pnbd_series_done: at most one term more than pnbd_series_sums, and the
 * same sums to rounding (the products are associated differently).  The terms are summed in chunks of
 * PNBD_SERIES_CHUNK, the coefficients extended and interrupts checked
 * between chunks: the inner loop calls no function, so that the sums stay
 * in registers.
 */
#define PNBD_SERIES_CHUNK 256	/* even */

static void
pnbd_series_sums_shared(PnbdSeriesTerms *t, double z, double *sums)
{
	double		z2 = z * z;
	double		zn1 = 1.0;		/* z^(n-1) for the odd n of the pair */
	double		h0 = 1.0,
				hr0 = 0.0,
				hs0 = 0.0,
				hz0 = 0.0;
	double		h1 = 0.0,
				hr1 = 0.0,
				hs1 = 0.0,
				hz1 = 0.0;
	bool		done = false;

	for (int n = 1; !done && n < 1000000;)
	{
		int			end = n + PNBD_SERIES_CHUNK;	/* n of the chunk's pairs < end */
		const double *pn,
				   *pdr,
				   *pds,
				   *npn;

		if (end > t->len)
			pnbd_series_terms_extend(t, end + 64);
		pn = t->pn;
		pdr = t->pdr;
		pds = t->pds;
		npn = t->npn;
		for (; n < end; n += 2)
		{
			double		zn = zn1 * z,	/* z^n, z^(n+1) */
						zn2 = zn1 * z2;

			/* P_n z^n and its products, n P_n z^(n-1); the same for n + 1 */
			h0 += pn[n - 1] * zn;
			hr0 += pdr[n - 1] * zn;
			hs0 += pds[n - 1] * zn;
			hz0 += npn[n - 1] * zn1;
			h1 += pn[n] * zn2;
			hr1 += pdr[n] * zn2;
			hs1 += pds[n] * zn2;
			hz1 += npn[n] * zn;
			zn1 = zn2;
			if (pnbd_series_done(pn[n] * zn2, npn[n] * zn2, h0 + h1, hz0 + hz1))
			{
				done = true;
				break;
			}
		}
		CHECK_FOR_INTERRUPTS();
	}
	sums[0] = h0 + h1;
	sums[1] = hr0 + hr1;
	sums[2] = hs0 + hs1;
	sums[3] = hz0 + hz1;
}

/*
 * ln F(y) and its gradient in (r, alpha, s, beta), for the likelihood's
 * gradient, by the series H = sum_n P_n z^n, P_n = prod_{k<n} (e+k)/(c+k)
 * of pnbd_series_at: d ln H = sum_n P_n z^n d ln(P_n z^n) / H, summed along
 * the series (callers use it where it converges fast).  The coefficients
 * come from terms when not NULL (of this frequency and branch; the sums
 * then agree with those computed here to rounding); la = ln(alpha+y) and
 * lb = ln(beta+y), which callers share with their other terms at y.
 */
static double
pnbd_log_f_grad_terms(const double *p, double x, double y, double la, double lb,
					  PnbdSeriesTerms *terms, double *g)
{
	double		r = p[0],
				alpha = p[1],
				s = p[2],
				beta = p[3];
	PnbdSeries	ser = pnbd_series_at(p, x, y);
	bool		a_big = ser.alpha_big;
	double		e = ser.e;
	double		c = ser.c;
	double		z = ser.z;
	double		dz_alpha = a_big ? (beta + y) / ((alpha + y) * (alpha + y)) : -1.0 / (beta + y);
	double		dz_beta = a_big ? -1.0 / (alpha + y) : (alpha + y) / ((beta + y) * (beta + y));
	double		sums[4];		/* H and its sums for the derivatives */
	double		h,
				hr,
				hs,
				hz;
	double		lf;

	if (terms)
		pnbd_series_sums_shared(terms, z, sums);
	else
		pnbd_series_sums(e, c, a_big, z, sums);
	h = sums[0];
	hr = sums[1];
	hs = sums[2];
	hz = sums[3];
	lf = log(h);
	if (a_big)
	{
		lf += -s * lb - (r + x) * la;
		g[0] = -la + hr / h;
		g[1] = -(r + x) / (alpha + y) + hz * dz_alpha / h;
		g[2] = -lb + hs / h;
		g[3] = -s / (beta + y) + hz * dz_beta / h;
	}
	else
	{
		lf += (1 - r - x) * la - (s + 1) * lb;
		g[0] = -la + hr / h;
		g[1] = (1 - r - x) / (alpha + y) + hz * dz_alpha / h;
		g[2] = -lb + hs / h;
		g[3] = -(s + 1) / (beta + y) + hz * dz_beta / h;
	}
	return lf;
}

static double
pnbd_log_f_grad(const double *p, double x, double y, double *g)
{
	return pnbd_log_f_grad_terms(p, x, y, log(p[1] + y), log(p[3] + y), NULL, g);
}

/*
 * ln(1 + d / c) = ln(cd / c) for d >= 0, cd = c + d: log1p where d / c is
 * small, and the (faster) log of the quotient where its rounding costs at
 * most 1e-15 of the result; by logarithms where the quotient overflows.
 */
static inline double
log_one_plus_ratio(double d, double c, double cd)
{
	double		u = d / c;
	double		q;

	if (u < 0.25)
		return log1p(u);
	q = cd / c;
	return isfinite(q) ? log(q) : log1p_quotient(d, c);
}

/*
 * L = (r+x) ln((alpha+T)/(alpha+t_x)) + s ln((beta+T)/(beta+t_x)), by log1p
 * of (T - t_x) / (alpha + t_x): exact also when T - t_x is far below t_x,
 * where the quotient (alpha+T)/(alpha+t_x) would round to a few ulps of 1.
 */
static inline double
pnbd_log_growth(const double *p, double x, double tx, double T)
{
	double		la;

	if (isfinite(p[1] + T) && isfinite(p[3] + T) && isfinite(p[0] + x))
		return (p[0] + x) * log_one_plus_ratio(T - tx, p[1] + tx, p[1] + T) +
			p[2] * log_one_plus_ratio(T - tx, p[3] + tx, p[3] + T);
	/* sums that overflow: (r + x) la without forming r + x */
	la = log_ratio_of_sums(p[1], T, tx);
	return (la == 0.0 ? 0.0 : p[0] * la + x * la) + p[2] * log_ratio_of_sums(p[3], T, tx);
}

/*
 * The log of the ratio of the two likelihood terms, R = s/(r+s+x)
 * (alpha+T)^(r+x) (beta+T)^s A0 (0 when t_x = T), P(alive) = 1 / (1 + R),
 * from G(t_x), G(T) and L of pnbd_log_growth:
 * (alpha+T)^(r+x) (beta+T)^s A0 = G(t_x) e^L - G(T)
 *								  = G(t_x) expm1(L) + (G(t_x) - G(T)).
 */
static double
pnbd_log_ratio_of(const double *p, double x, double gx, double gT, double L)
{
	double		lk = log_quotient(p[2], p[0] + p[2] + x);

	if (L > 30.0)
		return lk + L + log(gx) + log1p(-gT / gx * exp(-L));
	return lk + log(gx * expm1(L) + (gx - gT));
}

/*
 * phi(t_x) = (r+x) ln((alpha+T)/(alpha+t_x)) + s ln((beta+T)/(beta+t_x))
 * - ln(beta+t_x), the log of the integrand of pnbd_log_ratio_quad at its
 * start, by log1p: exact also when T - t_x is far below t_x.
 */
static double
pnbd_phi_start(const double *p, double x, double tx, double T)
{
	return pnbd_log_growth(p, x, tx, T) - log(p[3] + tx);
}

/*
 * phi(t_x + u) - phi(t_x) for u >= 0, by log1p so that it stays exact when
 * u is far below t_x; and when dphi is not NULL the gradient of phi at
 * t_x + u in (r, alpha, s, beta).
 */
static double
pnbd_phi_step(const double *p, double x, double tx, double T, double u, double *dphi)
{
	double		ca = p[1] + tx + u; /* alpha + tau */
	double		cb = p[3] + tx + u; /* beta + tau */
	double		left = (T - tx) - u;	/* T - tau */

	if (dphi)
	{
		dphi[0] = log1p(left / ca);
		dphi[1] = -(p[0] + x) * left / ((p[1] + T) * ca);
		dphi[2] = log1p(left / cb);
		dphi[3] = p[2] / (p[3] + T) - (p[2] + 1.0) / cb;
	}
	return -(p[0] + x) * log1p(u / (p[1] + tx)) - (p[2] + 1.0) * log1p(u / (p[3] + tx));
}

/*
 * Panels of pnbd_log_ratio_quad: far more than it ever needs.  Each panel
 * lowers phi by at least 4/3, or is limited by the distance to a pole, which
 * then grows by half; either way a few thousand panels take phi below any
 * remainder that could count, even across the whole double range.
 */
#define PNBD_QUAD_MAX_PANELS 100000

/*
 * ln int_0^{T-t_x} e^(phi(t_x+u) - phi(t_x)) du by the panels that
 * pnbd_log_ratio_quad describes, and when dlr is not NULL the weighted mean
 * of phi's gradient.
 */
static double
pnbd_quad_log_sum(const double *p, double x, double tx, double T, double *dlr)
{
	const double *node;
	const double *weight;
	double		span = T - tx;
	double		sum = 0.0;
	double		dsum[4] = {0};
	double		u = 0.0;

	gauss_legendre(&node, &weight);
	for (int panel = 0;; panel++)
	{
		double		slope = (p[0] + x) / (p[1] + tx + u) + (p[2] + 1.0) / (p[3] + tx + u);
		double		width = Min(Min(span - u, 2.0 / slope),
								0.5 * Min(p[1] + tx + u, p[3] + tx + u));
		double		half = 0.5 * width;

		if (panel == PNBD_QUAD_MAX_PANELS || !(width > 0.0))
			return NAN;
		for (int k = 0; k < GAUSS_LEGENDRE_N; k++)
		{
			double		dphi[4];
			double		f = weight[k] * half *
				exp(pnbd_phi_step(p, x, tx, T, u + half * (1.0 + node[k]), dlr ? dphi : NULL));

			sum += f;
			if (dlr)
				for (int j = 0; j < 4; j++)
					dsum[j] += f * dphi[j];
		}
		u = width < span - u ? u + width : span;
		if (u >= span ||
			exp(pnbd_phi_step(p, x, tx, T, u, NULL)) * (span - u) <= 1e-17 * sum)
			break;
		if ((panel & 63) == 63)
			CHECK_FOR_INTERRUPTS();
	}
	if (dlr)
		for (int j = 0; j < 4; j++)
			dlr[j] = dsum[j] / sum;
	return log(sum);
}

/*
 * ln R as the integral over the unobserved end of the lifetime that A0
 * comes from (FH 2005, the step before eq. 19):
 *	 s/(r+s+x) A0 = s int_{t_x}^{T} (alpha+tau)^-(r+x) (beta+tau)^-(s+1) dtau,
 * so R = s int_{t_x}^{T} e^phi(tau) dtau.  The integrand decreases and is
 * log-convex; Gauss-Legendre panels from t_x, each short enough that phi
 * falls by at most 2 and that the poles at -alpha and -beta are at least
 * two panel widths away, resolve it to rounding, and the panels stop once
 * what is left (at most e^phi(a) (T - a)) no longer counts.  The panels are
 * laid out in the offset u = tau - t_x, which cannot stop moving the way
 * t_x + u does once a panel is below the rounding of t_x: apart from the
 * last, no panel is narrower than the one before, so after k panels the
 * next adds at least u / k.  NaN when the panels do not end (beyond
 * PNBD_QUAD_MAX_PANELS) or a width is not positive.  Used where the series
 * of H converges slowly; dlr as for pnbd_log_ratio.
 */
static double
pnbd_log_ratio_quad(const double *p, double x, double tx, double T, double *dlr)
{
	double		lsum = pnbd_quad_log_sum(p, x, tx, T, dlr);

	if (dlr)
		dlr[2] += 1.0 / p[2];
	return log(p[2]) + pnbd_phi_start(p, x, tx, T) + lsum;
}

/*
 * A memo of the terms of one value-only likelihood evaluation that depend
 * on the frequency, one time and the customer's alpha and beta only: G(y).
 * A sample's summaries share few distinct (frequency, recency) and
 * (frequency, age) pairs (whole days and counts), so most of the series
 * behind them are summed once per evaluation rather than twice per
 * summary.  Direct-mapped, a power of two of entries from four per tuple up
 * to PNBD_LL_MEMO_SIZE (5 MB), allocated per evaluation; the values are
 * those computed without it, bit for bit.  (The
 * fits' evaluations with gradient share their terms by pnbd_loglik_shared.)
 */
#define PNBD_LL_MEMO_SIZE (1 << 17)

typedef struct PnbdLLMemoEntry
{
	double		key[4];			/* x, y, alpha, beta; NaN: empty */
	double		value;			/* G(y) */
} PnbdLLMemoEntry;

typedef struct PnbdLLMemo
{
	PnbdLLMemoEntry *entries;
	uint32		mask;			/* entries - 1 */
} PnbdLLMemo;

/* The entry of key (k0, y, alpha, beta) in memo: a hit when its key matches. */
static inline PnbdLLMemoEntry *
pnbd_ll_memo_entry(PnbdLLMemo *memo, double k0, double y, double alpha, double beta,
				   bool *hit)
{
	uint64		b[4];
	uint64		h;
	PnbdLLMemoEntry *e;

	memcpy(&b[0], &k0, sizeof(double));
	memcpy(&b[1], &y, sizeof(double));
	memcpy(&b[2], &alpha, sizeof(double));
	memcpy(&b[3], &beta, sizeof(double));
	h = b[0] * UINT64CONST(0x9E3779B97F4A7C15) ^ b[1] * UINT64CONST(0xC2B2AE3D27D4EB4F) ^
		b[2] * UINT64CONST(0x165667B19E3779F9) ^ b[3] * UINT64CONST(0xD6E8FEB86659FD93);
	h ^= h >> 29;
	h *= UINT64CONST(0xBF58476D1CE4E5B9);
	h ^= h >> 32;
	e = &memo->entries[h & memo->mask];
	*hit = e->key[0] == k0 && e->key[1] == y && e->key[2] == alpha && e->key[3] == beta;
	if (!*hit)
	{
		e->key[0] = k0;
		e->key[1] = y;
		e->key[2] = alpha;
		e->key[3] = beta;
	}
	return e;
}

/* G(y) (pnbd_g), through memo when not NULL. */
static double
pnbd_g_ll_memo(PnbdLLMemo *memo, const double *p, double x, double y)
{
	bool		hit;
	PnbdLLMemoEntry *e;

	if (memo == NULL)
		return pnbd_g(p, x, y);
	e = pnbd_ll_memo_entry(memo, x, y, p[1], p[3], &hit);
	if (!hit)
		e->value = pnbd_g(p, x, y);
	return e->value;
}

/*
 * ln R and, when dlr is not NULL, its gradient in (r, alpha, s, beta) from
 * the series of H: ln R = ln K + (r+x) ln(alpha+T) + s ln(beta+T) + ln A0,
 * K = s/(r+s+x), d ln A0 = (d ln F(t_x) - q d ln F(T)) / (1 - q),
 * q = F(T) / F(t_x).
 */
static double
pnbd_log_ratio_series_grad(const double *p, double x, double tx, double T, double *dlr)
{
	double		r = p[0],
				alpha = p[1],
				s = p[2],
				beta = p[3];
	double		gx[4],
				gT[4];
	double		lfx = pnbd_log_f_grad(p, x, tx, gx);
	double		lfT = pnbd_log_f_grad(p, x, T, gT);
	double		q = exp(lfT - lfx);
	double		inv_rsx = 1.0 / (r + s + x);

	if (!(q < 1.0))
	{
		/* F(t_x) = F(T) to rounding: R = 0 and no gradient */
		memset(dlr, 0, sizeof(double) * 4);
		return -INFINITY;
	}
	for (int j = 0; j < 4; j++)
		dlr[j] = (gx[j] - q * gT[j]) / (1.0 - q);
	dlr[0] += log(alpha + T) - inv_rsx;
	dlr[1] += (r + x) / (alpha + T);
	dlr[2] += log(beta + T) + 1.0 / s - inv_rsx;
	dlr[3] += s / (beta + T);
	return log(s * inv_rsx) + (r + x) * log(alpha + T) + s * log(beta + T) +
		log_diff_exp(lfx, lfT);
}

/*
 * Errors 22003 when r + s + x + 1, the third parameter of H, overflows: the
 * series and the quadrature of R are written in it (all four parameters near
 * 1e308 is the limit of a rate and a lifetime that are the same for
 * everybody, which the mixture cannot resolve in float8).
 */
static void
pnbd_check_shape_sum(const double *p, double x)
{
	if (!isfinite(p[0] + p[2] + x + 1.0))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("r + s + frequency is out of range"),
				 errdetail("r = %g, s = %g and frequency = %g add up beyond the float8 range, in which P(alive) is computed.",
						   p[0], p[2], x)));
}

/*
 * Whether T - t_x is so short against the distance t_x + min(alpha, beta)
 * to the poles of the integrand that G(t_x) - G(T) cancels to a few
 * digits: the quadrature over that short span (a panel or two) keeps them.
 */
static inline bool
pnbd_span_short(const double *p, double tx, double T)
{
	return T - tx < 1e-4 * (tx + Min(p[1], p[3]));
}

/*
 * ln R (-Infinity when t_x = T) and, when dlr is not NULL, its gradient:
 * the closed form, or with gradient the summed series, or the quadrature
 * where the series is slow; G of the closed form through memo when not NULL.
 */
static double
pnbd_log_ratio_memo(PnbdLLMemo *memo, const double *p, double x, double tx, double T,
					double *dlr)
{
	double		gx,
				L;

	if (tx >= T)
	{
		if (dlr)
			memset(dlr, 0, sizeof(double) * 4);
		return -INFINITY;
	}
	pnbd_check_shape_sum(p, x);
	if (pnbd_series_slow(p, x, tx) || pnbd_span_short(p, tx, T))
		return pnbd_log_ratio_quad(p, x, tx, T, dlr);
	if (dlr)
		return pnbd_log_ratio_series_grad(p, x, tx, T, dlr);
	gx = pnbd_g_ll_memo(memo, p, x, tx);
	L = pnbd_log_growth(p, x, tx, T);
	return pnbd_log_ratio_of(p, x, gx, pnbd_g_ll_memo(memo, p, x, T), L);
}

static double
pnbd_log_ratio(const double *p, double x, double tx, double T, double *dlr)
{
	return pnbd_log_ratio_memo(NULL, p, x, tx, T, dlr);
}

/* 1 / (1 + e^lr) without overflow. */
static inline double
pnbd_alive_of(double lr)
{
	return lr > 0 ? exp(-lr) / (1.0 + exp(-lr)) : 1.0 / (1.0 + exp(lr));
}

/*
 * e^L - 1 for L <= 30: by exp where e^L >= 2, which the subtraction then
 * rounds by at most half an ulp (and exp costs less than expm1), by expm1
 * below, where it would cancel.
 */
static inline double
exp_minus_one(double L)
{
	return L >= M_LN2 ? exp(L) - 1.0 : expm1(L);
}

/*
 * P(alive) = 1 / (1 + ratio) given L, G(t_x) and G(T), t_x < T; without
 * logarithms while the ratio cannot overflow (L <= 30).
 */
static double
pnbd_alive_given(const double *p, double x, double L, double gx, double gT)
{
	double		k = p[2] / (p[0] + p[2] + x);

	if (L > 30.0 || !(k >= DBL_MIN))
		return pnbd_alive_of(pnbd_log_ratio_of(p, x, gx, gT, L));
	return 1.0 / (1.0 + k * (gx * exp_minus_one(L) + (gx - gT)));
}

/*
 * The memos of a scoring call site (btyd_pair_memo): G(y) of frequency x
 * under the key (x, y) in one, and values of one age T, which the many
 * customers of that age share, in the other (small and hot, it stays in the
 * processor's nearest caches) under the keys:
 */
#define PNBD_KEY_ONE_TIME (-1.0)	/* (-1, T): P(alive) at x = t_x = 0 */
#define PNBD_KEY_ALIVE_RATE (-2.0)	/* (-2, T): pnbd_alive_rate at T */
#define PNBD_KEY_ONE_TIME_EXPECTED (-3.0)	/* (-3, T): E[X(t)] at x = t_x = 0 */

typedef struct PnbdMemo
{
	BtydPairMemo *g;			/* G(y) by (x, y) */
	BtydPairMemo *age;			/* values of one age */
} PnbdMemo;

/* The memos of a call site from its pair memos. */
static inline PnbdMemo
pnbd_memo_of(BtydPairMemo *memos)
{
	PnbdMemo	m = {&memos[0], &memos[1]};

	return m;
}

/* Marks a memoised G(y) whose series is slow (G itself is positive). */
#define PNBD_G_SLOW (-1.0)

/*
 * G(y) through the pair memo: G depends on the frequency and one time only,
 * so the few distinct (x, t_x) and (x, T) of real summaries (whole days,
 * whole counts) serve every customer.  PNBD_G_SLOW where the series at y is
 * slow (pnbd_series_slow).
 */
static inline double
pnbd_g_cached(BtydPairMemo *memo, const double *p, double x, double y)
{
	double		g;

	if (!btyd_pair_get(memo, x, y, &g))
	{
		g = pnbd_series_slow(p, x, y) ? PNBD_G_SLOW : pnbd_g(p, x, y);
		btyd_pair_put(memo, x, y, g);
	}
	return g;
}

/*
 * P(alive), t_x < T, from G(t_x) and G(T) of the pair memo and L (two
 * logarithms and an exp, which cost less than looking the whole summary up
 * when most summaries are distinct).  Both entries are prefetched first, so
 * that computing L hides the wait for them.  Where the series at t_x is slow
 * (and only there: z, and with it the series' length, falls as y grows), or
 * T - t_x so short that G(t_x) - G(T) cancels, the quadrature of
 * pnbd_log_ratio.
 */
static double
pnbd_alive_from_g(BtydPairMemo *memo, const double *p, double x, double tx, double T)
{
	double		L,
				gx;

	pnbd_check_shape_sum(p, x);
	if (pnbd_span_short(p, tx, T))
		return pnbd_alive_of(pnbd_log_ratio(p, x, tx, T, NULL));
	btyd_pair_prefetch(memo, x, tx);
	btyd_pair_prefetch(memo, x, T);
	L = pnbd_log_growth(p, x, tx, T);
	gx = pnbd_g_cached(memo, p, x, tx);
	if (gx == PNBD_G_SLOW)
		return pnbd_alive_of(pnbd_log_ratio(p, x, tx, T, NULL));
	return pnbd_alive_given(p, x, L, gx, pnbd_g_cached(memo, p, x, T));
}

/*
 * P(alive), t_x < T, through the pair memo.  One-time buyers (x = t_x = 0),
 * the majority of most customer bases, have a P(alive) that depends on the
 * age alone, so theirs is memoised whole, per age.
 */
static inline double
pnbd_alive_cached(PnbdMemo memo, const double *p, double x, double tx, double T)
{
	double		alive;

	if (x != 0.0 || tx != 0.0)
		return pnbd_alive_from_g(memo.g, p, x, tx, T);
	if (!btyd_pair_get(memo.age, PNBD_KEY_ONE_TIME, T, &alive))
	{
		alive = pnbd_alive_from_g(memo.g, p, x, tx, T);
		btyd_pair_put(memo.age, PNBD_KEY_ONE_TIME, T, alive);
	}
	return alive;
}

/*
 * P(alive) through the call site's pair memo, valid for consts (whose first
 * four are the model's parameters).
 */
double
paretonbd_p_alive_memo(FunctionCallInfo fcinfo, const double *consts, int nconsts,
					   double x, double tx, double T)
{
	if (tx >= T)
		return 1.0;
	return pnbd_alive_cached(pnbd_memo_of(btyd_pair_memos(fcinfo, consts, nconsts)),
							 consts, x, tx, T);
}

/*
 * ln of the factor of E[X(t) | alive at T] below: -ln(1 + t/(beta+T)) by
 * log1p (its ratio rounds to 1 when t is far below beta+T while s is large),
 * halved where beta+T overflows.
 */
static inline double
pnbd_log_u(double beta, double t, double T)
{
	return -(isfinite(beta + T) ? log1p_quotient(t, beta + T)
			 : log1p_quotient(0.5 * t, 0.5 * beta + 0.5 * T));
}

/*
 * Whether 1 - ((beta+T)/(beta+t+T))^(s-1) = 1 - e^(lu (s-1)) is -lu (s-1) to
 * rounding (lu may be subnormal), where the expectation is (r+x) t / (alpha+T).
 */
static inline bool
pnbd_bracket_is_lu(double lu, double s)
{
	return fabs(lu) * Max(1.0, fabs(s - 1.0)) < 0.5 * DBL_EPSILON;
}

/*
 * (r+x)(beta+T) / ((alpha+T)(s-1)) [1 - ((beta+T)/(beta+t+T))^(s-1)] in logs:
 * the power by log1p of t/(beta+T) (its ratio rounds to 1 when t is far
 * below beta+T while s is large), the product of the factors directly where
 * no sum or product overflows or underflows, else as a sum of logarithms, which neither overflows nor underflows where the value does
 * not (the 1e-16 relative rounding of a logarithm of at most 710 in size
 * costs below 1e-13).
 */
static double
pnbd_expected_of(double r, double x, double alpha, double s, double beta, double t, double T)
{
	double		lu;
	double		direct;

	if (t == 0.0)
		return 0.0;
	lu = pnbd_log_u(beta, t, T);
	if (pnbd_bracket_is_lu(lu, s))
	{
		/* the bracket is -lu to rounding (lu may be subnormal): (r+x) t / (alpha+T) */
		double		rate = (r + x) / (alpha + T);

		direct = rate * t;
		if (isfinite(rate) && rate >= DBL_MIN && isfinite(direct) && direct >= DBL_MIN)
			return direct;
		return exp(log_of_sum(r, x) + log(t) - log_of_sum(alpha, T));
	}
	direct = (r + x) * ((beta + T) / (alpha + T)) * one_minus_exp_over(lu, s - 1.0);
	if (isfinite(direct) && direct >= DBL_MIN && direct <= 1e300)
		return direct;
	return exp(log_of_sum(r, x) + log_of_sum(beta, T) - log_of_sum(alpha, T) +
			   log_one_minus_exp_over(lu, s - 1.0));
}

/* The conditional expectation of a customer known to be alive at T. */
static double
pnbd_expected_alive(const double *p, double t, double x, double T)
{
	return pnbd_expected_of(p[0], x, p[1], p[2], p[3], t, T);
}

/*
 * E[X(t) | alive at T] = (r+x) C(T): C(T) = (beta+T) / ((alpha+T)(s-1))
 * [1 - ((beta+T)/(beta+t+T))^(s-1)] does not depend on the frequency.  NaN
 * where a factor or C itself is not a normal finite number (the products
 * would lose precision) or the bracket is -lu to rounding, which leaves such
 * T to pnbd_expected_of.
 */
static double
pnbd_alive_rate(const double *p, double t, double T)
{
	double		lu = pnbd_log_u(p[3], t, T);
	double		q = (p[3] + T) / (p[1] + T);
	double		o = one_minus_exp_over(lu, p[2] - 1.0);
	double		c = q * o;

	if (pnbd_bracket_is_lu(lu, p[2]) || !(q >= DBL_MIN && q <= DBL_MAX && o >= DBL_MIN && o <= DBL_MAX &&
		  c >= DBL_MIN && c <= DBL_MAX))
		return NAN;
	return c;
}

/*
 * E[X(t) | alive at T] through the pair memo valid for the model and t:
 * (r+x) C(T) of the memoised C(T) where that product is of the size
 * pnbd_expected_of computes directly, pnbd_expected_of itself elsewhere.
 */
static inline double
pnbd_expected_alive_cached(PnbdMemo memo, const double *p, double t, double x, double T)
{
	double		c;
	double		e;

	if (!btyd_pair_get(memo.age, PNBD_KEY_ALIVE_RATE, T, &c))
	{
		c = pnbd_alive_rate(p, t, T);
		btyd_pair_put(memo.age, PNBD_KEY_ALIVE_RATE, T, c);
	}
	e = (p[0] + x) * c;
	if (e >= DBL_MIN && e <= 1e300)
		return e;
	return pnbd_expected_alive(p, t, x, T);
}

/* E[X(t) | alive at T] P(alive) from the call site's memos. */
static inline double
pnbd_expected_product(PnbdMemo memo, const double *p, double t, double x, double tx, double T)
{
	double		alive = tx >= T ? 1.0 : pnbd_alive_from_g(memo.g, p, x, tx, T);

	return pnbd_expected_alive_cached(memo, p, t, x, T) * alive;
}

/*
 * E[X(t) | x, t_x, T] through the call site's memos (valid for the model and
 * t); that of one-time buyers, which depends on the age alone, memoised whole.
 */
static double
pnbd_expected_cached(PnbdMemo memo, const double *p, double t, double x, double tx, double T)
{
	double		e;

	if (x != 0.0 || tx != 0.0)
		return pnbd_expected_product(memo, p, t, x, tx, T);
	if (!btyd_pair_get(memo.age, PNBD_KEY_ONE_TIME_EXPECTED, T, &e))
	{
		e = pnbd_expected_product(memo, p, t, x, tx, T);
		btyd_pair_put(memo.age, PNBD_KEY_ONE_TIME_EXPECTED, T, e);
	}
	return e;
}

void
paretonbd_expected_alive_steps(const double *params, double x, double T, double step,
							   int first, int n, double *out)
{
	for (int j = 0; j < n; j++)
		out[j] = pnbd_expected_alive(params, (first + j) * step, x, T);
}

static double
pnbd_expected_new(const double *p, double t)
{
	return pnbd_expected_of(p[0], 0.0, p[1], p[2], p[3], t, 0.0);
}

/*
 * P(X(t) = n) of a new customer, from FH 2006's starting point: n purchases
 * while alive through (0, t], or while alive until a death at tau <= t,
 *	 NB(n; t) (beta/(beta+t))^s + int_0^t NB(n; tau) s/beta (beta/(beta+tau))^(s+1) dtau,
 *	 NB(n; tau) = Gamma(r+n)/(Gamma(r) n!) (alpha/(alpha+tau))^r (tau/(alpha+tau))^n,
 * the expectations over lambda ~ Gamma(r, alpha) and mu ~ Gamma(s, beta).
 * Both terms are positive, where FH 2006's closed form subtracts B2 from B1,
 * which agree to all digits once a shape or scale passes ~1e8.  The
 * integral is taken in v = ln tau, where the integrand e^h(v) is
 * log-concave: h'(v) = n alpha/(alpha+tau) - r tau/(alpha+tau)
 * - (s+1) tau/(beta+tau) + 1 falls from n+1.
 */
typedef struct PnbdProb
{
	double		r,
				alpha,
				s,
				beta,
				n;
	double		c;				/* ln of the integrand's constant factor */
} PnbdProb;

/* ln of the NB(n; tau) factor without its constant: r, n and alpha only. */
static inline double
pnbd_prob_log_nb(const PnbdProb *q, double tau)
{
	return -q->r * log1p_quotient(tau, q->alpha) -
		(q->n == 0 ? 0.0 : q->n * log1p_quotient(q->alpha, tau));
}

/* h(v) and its first two derivatives, for log_concave_integral (arg a PnbdProb). */
static double
pnbd_prob_h(const void *arg, double v, double *d1, double *d2)
{
	const PnbdProb *q = (const PnbdProb *) arg;
	double		tau = exp(v);
	double		a = 1.0 / (1.0 + q->alpha / tau);	/* tau / (alpha+tau) */
	double		abar = 1.0 / (1.0 + tau / q->alpha);	/* alpha / (alpha+tau) */
	double		b = 1.0 / (1.0 + q->beta / tau);
	double		bbar = 1.0 / (1.0 + tau / q->beta);

	*d1 = q->n * abar - q->r * a - (q->s + 1.0) * b + 1.0;
	*d2 = -(q->n + q->r) * a * abar - (q->s + 1.0) * b * bbar;
	return q->c + pnbd_prob_log_nb(q, tau) - (q->s + 1.0) * log1p_quotient(tau, q->beta) + v;
}

/* Where the integral in v starts (tau = e^-740 is below every float8 but subnormals). */
#define PNBD_PROB_V_MIN (-740.0)

/* ln 2F1, NaN where its series did not converge. */
static inline double
log_hyp2f1_or_nan(double a, double b, double c, double z)
{
	bool		ok;
	double		f = hyp2f1(a, b, c, z, &ok);

	return ok && f > 0 ? log(f) : NAN;
}

/* Frequencies up to which FH 2006's closed form (n + 2 2F1s) is tried. */
#define PNBD_PROB_CLOSED_MAX_N 1000

/*
 * FH 2006's second term, alpha^r beta^s B(r+n, s+1)/B(r, s) [B1 - B2], and
 * in *relerr a bound on its relative rounding error: the logarithms it sums
 * (of size mag) round by a few ulps each, the 2F1s lose as much as their
 * argument is near 1 (1 - z = min(alpha, beta) / max(alpha, beta)), and
 * B1 - B2 multiplies all that by B1 / (B1 - B2).  NaN where a series did
 * not converge.
 */
static double
pnbd_prob_closed(const PnbdProb *q, int n, double t, double *relerr)
{
	double		r = q->r,
				alpha = q->alpha,
				s = q->s,
				beta = q->beta;
	double		big = Max(alpha, beta);
	double		diff = fabs(alpha - beta);
	double		second_b = alpha >= beta ? s + 1 : r + n;
	double		lb1 = log_hyp2f1_or_nan(r + s, second_b, r + s + n + 1, diff / big) -
		(r + s) * log(big);
	double		lsum = -INFINITY;
	double		mag = fabs(r * log(alpha)) + fabs(s * log(beta)) + fabs(lgamma(r)) +
		fabs(lgamma(s)) + fabs(lgamma(r + n)) + fabs(lgamma(r + s + n + 1.0)) +
		fabs((r + s) * log(big)) + fabs((r + s + n) * log(big + t)) + n * fabs(log(t)) + 1.0;

	for (int i = 0; i <= n; i++)
	{
		double		lb2 = log_hyp2f1_or_nan(r + s + i, second_b, r + s + n + 1, diff / (big + t)) -
			(r + s + i) * log(big + t);

		lsum = log_sum_exp(lsum, lgamma(r + s + i) - lgamma(r + s) - lgamma(i + 1.0) +
						   i * log(t) + lb2);
	}
	*relerr = (8.0 * DBL_EPSILON * mag + 1e-14 * big / Min(alpha, beta)) / -expm1(lsum - lb1);
	return exp(r * log(alpha) + s * log(beta) + log_beta(r + n, s + 1) -
			   log_beta(r, s) + log_diff_exp(lb1, lsum));
}

/*
 * P(X(t) = n): the closed form's second term where its error bound allows
 * 1e-11 of the result (CDNOW-like parameters, at a fraction of the
 * quadrature's cost), else the integral.
 */
static double
pnbd_prob(const double *p, int n, double t)
{
	PnbdProb	q = {p[0], p[1], p[2], p[3], n, 0.0};
	double		lconst;
	double		alive;

	if (t == 0.0)
		return n == 0 ? 1.0 : 0.0;
	/* ln Gamma(r+n)/(Gamma(r) n!), without lgamma(r) */
	lconst = log_gamma_ratio_excess(q.r, n) + (n == 0 ? 0.0 : n * log(q.r)) - lgamma(n + 1.0);
	alive = exp(lconst + pnbd_prob_log_nb(&q, t) - q.s * log1p_quotient(t, q.beta));
	if (n <= PNBD_PROB_CLOSED_MAX_N)
	{
		double		relerr;
		double		second = pnbd_prob_closed(&q, n, t, &relerr);

		if (second >= 0 && isfinite(second) && relerr * second <= 1e-11 * (alive + second))
			return alive + second;
	}
	q.c = lconst + log(q.s) - log(q.beta);
	return alive + exp(log_concave_integral(pnbd_prob_h, &q, PNBD_PROB_V_MIN, log(t)));
}

double
paretonbd_prob_new(const double *params, int n, double t)
{
	return pnbd_prob(params, n, t);
}

/*
 * Where the first likelihood term's logarithm is larger than this while the
 * second term dominates, ln(first) + ln(1 + R) cancels digits that count
 * (1e6 rounds to 1e-10 in float8): the second term is taken by itself.
 */
#define PNBD_LL_CANCEL 1e6

/*
 * ln of the second likelihood term (the customer died unobserved between
 * t_x and T) given ln Gamma(r+x) - ln Gamma(r) - x ln r, by the quadrature:
 * ln of alpha^r beta^s Gamma(r+x)/Gamma(r) s int_{t_x}^{T}
 * (alpha+tau)^-(r+x) (beta+tau)^-(s+1) dtau, each piece of the size of the
 * result instead of the sum of the first term and ln R, which are both
 * huge (shapes near 1e8 and more) and cancel.
 */
static double
pnbd_log_second_term(const double *p, double x, double tx, double T, double log_r_alpha,
					 double lgam_rx)
{
	return -(p[0] + x) * log1p_quotient(tx, p[1]) - p[2] * log1p_quotient(tx, p[3]) +
		(x == 0 ? 0.0 : x * log_r_alpha) + lgam_rx + log(p[2]) - log(p[3] + tx) +
		pnbd_quad_log_sum(p, x, tx, T, NULL);
}

/*
 * One customer's log-likelihood (FH 2005 eq. 19) at the customer's
 * parameters p and, when g is not NULL, its gradient in (r, alpha, s, beta):
 *	 LL = base + lgamma(r+x) + ln E1 + ln(1 + R),
 *	 E1 = (alpha+T)^-(r+x) (beta+T)^-s, R as for pnbd_log_ratio;
 *	 d LL = d base + d lgamma(r+x) + d ln E1 + w d ln R, w = R / (1 + R).
 * lgam_rx = ln Gamma(r+x) - ln Gamma(r) - x ln r (log_gamma_ratio_excess)
 * and, for the gradient, psi_rx - psi_r = digamma(r+x) - digamma(r), which
 * depend on r and x only.
 */
static double
pnbd_customer_ll(void *arg, const double *p, double x, double tx, double T,
				 double lgam_rx, double dpsi, double *g)
{
	PnbdLLMemo *memo = (PnbdLLMemo *) arg;
	double		r = p[0],
				alpha = p[1],
				s = p[2],
				beta = p[3];
	double		dlr[4];
	double		lr = pnbd_log_ratio_memo(memo, p, x, tx, T, g ? dlr : NULL);
	double		log_r_alpha;
	double		first;

	if (g)
	{
		double		w = lr > 0 ? 1.0 / (1.0 + exp(-lr)) : exp(lr) / (1.0 + exp(lr));

		g[0] = dpsi + log(alpha) - log(alpha + T) + w * dlr[0];
		g[1] = r / alpha - (r + x) / (alpha + T) + w * dlr[1];
		g[2] = log(beta) - log(beta + T) + w * dlr[2];
		g[3] = s / beta - s / (beta + T) + w * dlr[3];
	}

	/*
	 * base + ln Gamma(r+x) - (r+x) ln(alpha+T) - s ln(beta+T) in pieces that
	 * stay finite and do not cancel (as for BG/NBD): -r ln(1 + T/alpha) - s
	 * ln(1 + T/beta) + x ln(r/(alpha+T)) + [ln Gamma(r+x) - ln Gamma(r) - x
	 * ln r]
	 */
	log_r_alpha = log_quotient(r, alpha);
	first = -r * log1p_quotient(T, alpha) - s * log1p_quotient(T, beta) +
		(x == 0 ? 0.0 : x * (log_r_alpha - log1p_quotient(T, alpha))) + lgam_rx;
	if (lr > 0 && fabs(first) > PNBD_LL_CANCEL)
		return log_sum_exp(first, pnbd_log_second_term(p, x, tx, T, log_r_alpha, lgam_rx));
	return first + (lr > 0 ? lr + log1p(exp(-lr)) : log1p(exp(lr)));
}

const BtydCovariateMap paretonbd_covariate_map = {1, -1.0, {3, -1}, -1.0, pnbd_names};

/*
 * The likelihood of a sample by shared terms.  Every customer's parameters
 * p_i = (r, alpha_i, s, beta_i) take one of a few values when the
 * covariates do (dummies: a group per combination; no covariates: one), and
 * the series F(y) of FH 2005 eq. 19-22 depends on (x, y, alpha_i, beta_i)
 * only, as do the first likelihood term and the factors of R at y = T.
 * With those terms computed once per evaluation for each distinct
 * (frequency, recency, group) and (frequency, age, group) of the sample
 * (sorted by frequency, recency, age: the recency terms are those of the
 * current run of (x, t_x), the age terms those of a table for the current
 * x), a customer costs an expm1 and a log1p:
 *	 R = K G(T) expm1(ln F(t_x) - ln F(T)),  K G(T) = e^lm,
 *	 lm = ln K + (r+x) ln(alpha+T) + s ln(beta+T) + ln F(T),
 *	 LL = first + ln(1 + R),  d LL = d first + R/(1+R) d ln R,
 *	 d ln R = d(lm - ln F(T)) + ((1 + E) d ln F(t_x) - d ln F(T)) / E,
 * E = expm1(ln F(t_x) - ln F(T)), the same values as pnbd_customer_ll's to
 * rounding.  Customers where that one does more (the quadrature where the
 * series is slow or T - t_x short, the cancellation of a huge first term,
 * R out of range) go through pnbd_customer_ll itself.
 */
#define PNBD_MAX_GROUPS 256
#define PNBD_LONE PNBD_MAX_GROUPS	/* the group of a customer past those */
#define PNBD_GROUP_SLOTS 1024	/* hash slots for the groups, a power of two */
#define PNBD_AGE_SLOTS_MIN 4096 /* age terms' hash slots at first, a power of two */

/* A group of customers with the same covariates, hence parameters. */
typedef struct PnbdGroup
{
	const double *cov;			/* its covariates (those of its first tuple) */
	double		p[4];			/* (r, alpha_i, s, beta_i) */
	double		grad[4];		/* sum of w_i d LL_i / d p over its tuples */
	double		log_r_alpha;	/* ln(r / alpha_i) */
	double		log_alpha;
	double		log_beta;
} PnbdGroup;

/* The terms of F(t_x) of the current (x, t_x) and a group. */
typedef struct PnbdRecencyTerms
{
	uint32		stamp;			/* the (x, t_x) run they belong to */
	bool		slow;			/* the series at t_x is slow: quadrature */
	double		lf;				/* ln F(t_x) */
	double		ef;				/* F(t_x) = e^lf, 0 when that leaves the range */
	double		dlf[4];			/* its gradient */
} PnbdRecencyTerms;

/* The terms of the current x at (T, group). */
typedef struct PnbdAgeTerms
{
	uint32		x_stamp;		/* the frequency they belong to (indexed samples) */
	double		T;
	int32		group;
	bool		has_f;			/* lf, dlf, lm and m are set */
	bool		direct;			/* alpha + T, beta + T finite: the closed path applies */
	double		first;			/* ln of the first likelihood term (as pnbd_customer_ll) */
	double		dfirst[4];
	double		la;				/* ln(alpha+T), ln(beta+T) (when direct) */
	double		lb;
	double		lf;				/* ln F(T) */
	double		ef_inv;			/* 1 / F(T) = e^-lf, 0 when that leaves the range */
	double		dlf[4];
	double		db[4];			/* gradient of ln m - ln F(T) */
	double		m;				/* K G(T) (the factor of R) */
} PnbdAgeTerms;

/* How pnbd_shared_tuple_ll computed a tuple. */
typedef enum PnbdTuplePath
{
	PNBD_PATH_FIRST,			/* LL = the first term (R = 0) */
	PNBD_PATH_R,				/* LL = first + ln(1 + R) from the shared terms */
	PNBD_PATH_CUSTOMER			/* by pnbd_customer_ll */
} PnbdTuplePath;

/* What one evaluation by shared terms keeps. */
typedef struct PnbdShared
{
	const double *p;			/* the model's parameters (and coefficients) */
	int			ncov;			/* covariates per tuple */
	int			ngroups;
	PnbdGroup	groups[PNBD_MAX_GROUPS + 1];	/* and PNBD_LONE */
	int16		group_slots[PNBD_GROUP_SLOTS];	/* group index, -1 empty */
	PnbdRecencyTerms recency[PNBD_MAX_GROUPS + 1];
	PnbdAgeTerms lone_age;		/* PNBD_LONE's age terms, never kept */
	PnbdAgeTerms *ages;			/* the current frequency's, in order of first use */
	uint32		nages;
	uint32		ages_cap;		/* allocated */
	uint64	   *age_slots;		/* open addressing on (T, group): x_stamp << 32
								 * | index into ages, other stamps empty */
	uint32		nage_slots;		/* a power of two */
	PnbdSeriesTerms terms[2];	/* the current frequency's series, alpha < beta or not */
	uint32		x_stamp;
	uint32		tx_stamp;
	double		x;				/* the current frequency and its terms */
	bool		shape_checked;	/* pnbd_check_shape_sum passed for x */
	double		lgam_rx;
	double		dpsi;
	double		inv_rsx;		/* 1 / (r+s+x), ln(s / (r+s+x)), 1 / s */
	double		log_s_rsx;
	double		inv_s;
	/* how pnbd_shared_tuple_ll took the last tuple (for its Hessian) */
	PnbdTuplePath path;
	double		path_e;			/* PNBD_PATH_R: e and w */
	double		path_w;
} PnbdShared;

/* Whether two covariate vectors of n are equal. */
static inline bool
pnbd_same_covariates(const double *a, const double *b, int n)
{
	for (int k = 0; k < n; k++)
		if (a[k] != b[k])
			return false;
	return true;
}

/* Sets group g's parameters from the covariates cov. */
static void
pnbd_group_set(PnbdShared *sh, const BtydCoefficients *coef, const double *cov, int k)
{
	PnbdGroup  *g = &sh->groups[k];

	g->cov = cov;
	btyd_customer_params(&paretonbd_covariate_map, 4, sh->p, coef, cov, cov + coef->n[0], g->p);
	memset(g->grad, 0, sizeof(g->grad));
	g->log_r_alpha = log_quotient(g->p[0], g->p[1]);
	g->log_alpha = log(g->p[1]);
	g->log_beta = log(g->p[3]);
	sh->recency[k].stamp = 0;
}

/*
 * The group of the covariates cov (sh->ncov doubles), made on first sight
 * from the model's parameters and coefficients; when there are
 * PNBD_MAX_GROUPS already (covariates that take many values, e.g.
 * continuous ones), PNBD_LONE set for this customer alone.
 */
static int
pnbd_group_of(PnbdShared *sh, const BtydCoefficients *coef, const double *cov)
{
	uint32		slot;

	if (sh->ncov == 0)
		slot = 0;
	else
		slot = (uint32) fitdata_hash_doubles(cov, sh->ncov) & (PNBD_GROUP_SLOTS - 1);
	for (;;)
	{
		int			idx = sh->group_slots[slot];

		if (idx < 0)
			break;
		if (pnbd_same_covariates(sh->groups[idx].cov, cov, sh->ncov))
			return idx;
		slot = (slot + 1) & (PNBD_GROUP_SLOTS - 1);
	}
	if (sh->ngroups == PNBD_MAX_GROUPS)
	{
		pnbd_group_set(sh, coef, cov, PNBD_LONE);
		return PNBD_LONE;
	}
	pnbd_group_set(sh, coef, cov, sh->ngroups);
	sh->group_slots[slot] = sh->ngroups;
	return sh->ngroups++;
}

static inline uint32
pnbd_age_slot(double T, int group, uint32 mask)
{
	uint64		b;

	memcpy(&b, &T, sizeof(double));
	b = (b ^ (uint64) group) * UINT64CONST(0x9E3779B97F4A7C15);
	b ^= b >> 29;
	b *= UINT64CONST(0xBF58476D1CE4E5B9);
	return (uint32) (b >> 40) & mask;
}

/* The first likelihood term's pieces at (x, T) of group g (as pnbd_customer_ll). */
static void
pnbd_age_first(const PnbdShared *sh, const PnbdGroup *g, double T, PnbdAgeTerms *a)
{
	double		r = g->p[0],
				alpha = g->p[1],
				s = g->p[2],
				beta = g->p[3],
				x = sh->x;
	double		l1a = log1p_quotient(T, alpha);

	a->direct = isfinite(alpha + T) && isfinite(beta + T) && isfinite(r + x);
	a->first = -r * l1a - s * log1p_quotient(T, beta) +
		(x == 0 ? 0.0 : x * (g->log_r_alpha - l1a)) + sh->lgam_rx;
	if (!a->direct)
		return;
	a->la = log(alpha + T);
	a->lb = log(beta + T);
	a->dfirst[0] = sh->dpsi + g->log_alpha - a->la;
	a->dfirst[1] = r / alpha - (r + x) / (alpha + T);
	a->dfirst[2] = g->log_beta - a->lb;
	a->dfirst[3] = s / beta - s / (beta + T);
}

/* The series coefficients of the current frequency for group g. */
static inline PnbdSeriesTerms *
pnbd_terms_of(PnbdShared *sh, const PnbdGroup *g)
{
	return &sh->terms[g->p[1] >= g->p[3] ? 1 : 0];
}

/* e^v, or 0 when e^v or e^-v would leave the normal range of doubles. */
static inline double
pnbd_exp_in_range(double v)
{
	return fabs(v) < 700.0 ? exp(v) : 0.0;
}

/* The factors of R at (x, T) of group g: ln F(T) and lm. */
static void
pnbd_age_f(PnbdShared *sh, const PnbdGroup *g, PnbdAgeTerms *a)
{
	double		r = g->p[0],
				alpha = g->p[1],
				s = g->p[2],
				beta = g->p[3],
				x = sh->x,
				T = a->T;
	double		inv_rsx = sh->inv_rsx;
	double		la = a->la,
				lb = a->lb;

	a->lf = pnbd_log_f_grad_terms(g->p, x, T, la, lb, pnbd_terms_of(sh, g), a->dlf);
	a->db[0] = la - inv_rsx;
	a->db[1] = (r + x) / (alpha + T);
	a->db[2] = lb + sh->inv_s - inv_rsx;
	a->db[3] = s / (beta + T);
	a->m = exp(sh->log_s_rsx + (r + x) * la + s * lb + a->lf);
	a->ef_inv = pnbd_exp_in_range(-a->lf);
	a->has_f = true;
}

/* Whether age slot v is in use by the current frequency. */
static inline bool
pnbd_age_slot_used(const PnbdShared *sh, uint64 v)
{
	return (uint32) (v >> 32) == sh->x_stamp;
}

/* Doubles the age terms' hash slots, keeping the current frequency's entries. */
static void
pnbd_ages_grow(PnbdShared *sh)
{
	uint32		mask;

	pfree(sh->age_slots);
	sh->nage_slots *= 2;
	mask = sh->nage_slots - 1;
	sh->age_slots = palloc0(sizeof(uint64) * sh->nage_slots);
	for (uint32 i = 0; i < sh->nages; i++)
	{
		uint32		slot = pnbd_age_slot(sh->ages[i].T, sh->ages[i].group, mask);

		while (pnbd_age_slot_used(sh, sh->age_slots[slot]))
			slot = (slot + 1) & mask;
		sh->age_slots[slot] = ((uint64) sh->x_stamp << 32) | i;
	}
}

/*
 * The age terms of (current x, T, group), made on first use; valid until
 * the next call.  A lone customer's (PNBD_LONE) are made each time.
 */
static PnbdAgeTerms *
pnbd_age_terms(PnbdShared *sh, double T, int group)
{
	uint32		mask = sh->nage_slots - 1;
	uint32		slot = pnbd_age_slot(T, group, mask);
	PnbdAgeTerms *a;

	if (group == PNBD_LONE)
	{
		a = &sh->lone_age;
		a->T = T;
		a->group = group;
		a->has_f = false;
		pnbd_age_first(sh, &sh->groups[group], T, a);
		return a;
	}
	for (;;)
	{
		uint64		v = sh->age_slots[slot];

		if (!pnbd_age_slot_used(sh, v))
			break;
		a = &sh->ages[(uint32) v];
		if (a->T == T && a->group == group)
			return a;
		slot = (slot + 1) & mask;
	}
	if (2 * (sh->nages + 1) > sh->nage_slots)
	{
		pnbd_ages_grow(sh);
		return pnbd_age_terms(sh, T, group);
	}
	if (sh->nages == sh->ages_cap)
	{
		sh->ages_cap *= 2;
		sh->ages = repalloc_huge(sh->ages, sizeof(PnbdAgeTerms) * sh->ages_cap);
	}
	sh->age_slots[slot] = ((uint64) sh->x_stamp << 32) | sh->nages;
	a = &sh->ages[sh->nages++];
	a->T = T;
	a->group = group;
	a->has_f = false;
	pnbd_age_first(sh, &sh->groups[group], T, a);
	return a;
}

/* Starts the terms of frequency x (the sample is sorted by frequency). */
static void
pnbd_shared_new_x(PnbdShared *sh, double x, double psi_r)
{
	double		r = sh->p[0];

	sh->x = x;
	sh->shape_checked = false;
	sh->lgam_rx = log_gamma_ratio_excess(r, x);
	sh->dpsi = digamma(r + x) - psi_r;
	sh->inv_rsx = 1.0 / (r + sh->p[2] + x);
	sh->log_s_rsx = log(sh->p[2] * sh->inv_rsx);
	sh->inv_s = 1.0 / sh->p[2];
	sh->x_stamp++;
	sh->nages = 0;
	for (int k = 0; k < 2; k++)
	{
		sh->terms[k].alpha_big = k == 1;
		sh->terms[k].e = k == 1 ? r + x : sh->p[2] + 1;
		sh->terms[k].c = r + sh->p[2] + x + 1;
		sh->terms[k].len = 0;
	}
}

/*
 * F(t_x) / F(T) - 1 = expm1(d), d = ln F(t_x) - ln F(T) > 0, from the
 * terms' e^lf and e^-lf where d >= 0.7 (most customers: a multiplication
 * instead of expm1, whose e^d - 1 is then within 3 ulps: d's own error
 * goes into both alike), by expm1 below (where e^d - 1 cancels) or when
 * either is out of range.
 */
static inline double
pnbd_ratio_minus_one(double d, double ef, double ef_inv)
{
	if (d >= 0.7 && ef > 0.0 && ef_inv > 0.0)
		return ef * ef_inv - 1.0;
	return expm1(d);
}

/*
 * Makes a, an entry of the current frequency's age terms table, those of
 * (T, group) unless it already is (it is once this frequency has used it).
 */
static inline void
pnbd_age_terms_at(PnbdShared *sh, PnbdAgeTerms *a, double T, int group)
{
	if (a->x_stamp != sh->x_stamp)
	{
		a->x_stamp = sh->x_stamp;
		a->T = T;
		a->group = group;
		a->has_f = false;
		pnbd_age_first(sh, &sh->groups[group], T, a);
	}
}

/*
 * ln F(t_x) and its gradient for the recency terms rt of group gr: from the
 * age terms at_tx of (x, T = t_x, group) when there are some (an age of
 * another customer of this frequency and group equal to this recency; a
 * third of the series of a large sample), computed there once for both, or
 * directly.  The same arithmetic either way.
 */
static void
pnbd_recency_f(PnbdShared *sh, PnbdGroup *gr, int group, PnbdAgeTerms *at_tx, double tx,
			   PnbdRecencyTerms *rt)
{
	if (at_tx != NULL)
	{
		pnbd_age_terms_at(sh, at_tx, tx, group);
		if (at_tx->direct)
		{
			if (!at_tx->has_f)
				pnbd_age_f(sh, gr, at_tx);
			rt->lf = at_tx->lf;
			memcpy(rt->dlf, at_tx->dlf, sizeof(rt->dlf));
			return;
		}
	}
	rt->lf = pnbd_log_f_grad_terms(gr->p, sh->x, tx, log(gr->p[1] + tx), log(gr->p[3] + tx),
								   pnbd_terms_of(sh, gr), rt->dlf);
}

/*
 * One tuple's log-likelihood and its gradient g in the group's parameters,
 * from the shared terms (see above; a those of its (x, T, group), at_tx
 * NULL or those of (x, t_x, group), which need not be in use yet), or by
 * pnbd_customer_ll.
 */
static pg_attribute_always_inline double
pnbd_shared_tuple_ll(PnbdShared *sh, int group, PnbdAgeTerms *a, PnbdAgeTerms *at_tx,
					 double tx, double T, double *g)
{
	PnbdGroup  *gr = &sh->groups[group];
	PnbdRecencyTerms *rt;
	double		d,
				e,
				rr,
				w;

	sh->path = PNBD_PATH_CUSTOMER;
	if (!a->direct)
		return pnbd_customer_ll(NULL, gr->p, sh->x, tx, T, sh->lgam_rx, sh->dpsi, g);
	if (tx >= T)
	{
		sh->path = PNBD_PATH_FIRST;
		memcpy(g, a->dfirst, sizeof(double) * 4);
		return a->first;
	}
	if (!sh->shape_checked)
	{
		/* as pnbd_log_ratio_memo: R is needed */
		pnbd_check_shape_sum(sh->p, sh->x);
		sh->shape_checked = true;
	}
	rt = &sh->recency[group];
	if (rt->stamp != sh->tx_stamp)
	{
		rt->stamp = sh->tx_stamp;
		rt->slow = pnbd_series_slow(gr->p, sh->x, tx);
		if (!rt->slow)
		{
			pnbd_recency_f(sh, gr, group, at_tx, tx, rt);
			rt->ef = pnbd_exp_in_range(rt->lf);
		}
	}
	if (rt->slow || pnbd_span_short(gr->p, tx, T))
		return pnbd_customer_ll(NULL, gr->p, sh->x, tx, T, sh->lgam_rx, sh->dpsi, g);
	if (!a->has_f)
		pnbd_age_f(sh, gr, a);
	d = rt->lf - a->lf;
	if (!(d > 0))
	{
		/* F(t_x) = F(T) to rounding: R = 0 */
		sh->path = PNBD_PATH_FIRST;
		memcpy(g, a->dfirst, sizeof(double) * 4);
		return a->first;
	}
	e = pnbd_ratio_minus_one(d, rt->ef, a->ef_inv);
	rr = a->m * e;
	if (!(a->m >= DBL_MIN) || !isfinite(rr) ||
		(rr > 1.0 && fabs(a->first) > PNBD_LL_CANCEL))
		return pnbd_customer_ll(NULL, gr->p, sh->x, tx, T, sh->lgam_rx, sh->dpsi, g);
	w = rr / (1.0 + rr);
	sh->path = PNBD_PATH_R;
	sh->path_e = e;
	sh->path_w = w;
	for (int j = 0; j < 4; j++)
		g[j] = a->dfirst[j] + w * (a->db[j] + ((1.0 + e) * rt->dlf[j] - a->dlf[j]) / e);
	/* log(1 + rr): log1p's error to within an ulp of 1, which first's has too */
	return a->first + log(1.0 + rr);
}

/*
 * The index of a sample's tuples for pnbd_loglik_shared, built once per
 * sample (FitData.index) instead of hashing every tuple's covariates and
 * (T, group) at every evaluation: each tuple's group (numbered in order of
 * first appearance, as pnbd_group_of numbers them) and its (x, T, group)'s
 * entry among the age terms of its frequency (numbered in order of first
 * use, so that an evaluation fills them in order and then reads them back
 * from a table the size of one frequency's).  The same terms, the same
 * arithmetic and the same order of summation as without it: the results
 * are the same to the last bit.
 */
typedef struct PnbdIndex
{
	const double *values;		/* the tuples it was built for */
	int			ntuples;
	int			ngroups;		/* -1: more than PNBD_MAX_GROUPS, no index */
	const double *cov[PNBD_MAX_GROUPS]; /* each group's covariates */
	uint8	   *group;			/* per tuple */
	int32	   *age;			/* per tuple: its age terms' entry */
	int32	   *tx_age;			/* per tuple with t_x < T: the entry of (x, T =
								 * t_x, group), or -1 when there is none */
	int32		max_ages;		/* entries of the frequency with most */
} PnbdIndex;

/* The age entries of one frequency while an index is built. */
typedef struct PnbdIndexAges
{
	uint64	   *slots;			/* x_stamp << 32 | entry, as PnbdShared's */
	uint32		nslots;			/* a power of two */
	double	   *key_T;			/* each entry's T and group */
	uint8	   *key_group;
	uint32		x_stamp;
	int32		nages;
} PnbdIndexAges;

/*
 * The entry of (T, group) among the current frequency's age entries of b:
 * found, or made when make (else -1).
 */
static int32
pnbd_index_age_entry(PnbdIndexAges *b, double T, int group, bool make)
{
	uint32		slot = pnbd_age_slot(T, group, b->nslots - 1);

	for (;;)
	{
		uint64		e = b->slots[slot];

		if ((uint32) (e >> 32) != b->x_stamp)
		{
			if (!make)
				return -1;
			b->slots[slot] = ((uint64) b->x_stamp << 32) | (uint32) b->nages;
			b->key_T[b->nages] = T;
			b->key_group[b->nages] = (uint8) group;
			return b->nages++;
		}
		if (b->key_T[(uint32) e] == T && b->key_group[(uint32) e] == group)
			return (int32) (uint32) e;
		slot = (slot + 1) & (b->nslots - 1);
	}
}

/*
 * Sets tx_age of the tuples from..to - 1 of fd (one frequency, whose age
 * entries b holds).
 */
static void
pnbd_index_tx_ages(PnbdIndex *idx, PnbdIndexAges *b, const FitData *fd, int from, int to)
{
	for (int i = from; i < to; i++)
	{
		const double *v = fitdata_tuple(fd, i);

		idx->tx_age[i] = v[1] < v[2] ? pnbd_index_age_entry(b, v[1], idx->group[i], false) : -1;
		if ((i & 0xffff) == 0xffff)
			CHECK_FOR_INTERRUPTS();
	}
}

static const char pnbd_index_owner[] = "paretonbd";

/*
 * Builds the index of fd's tuples (ncov covariates each) in fd's context;
 * ngroups -1 when they fall into more than PNBD_MAX_GROUPS groups.
 */
static PnbdIndex *
pnbd_index_build(const FitData *fd, int ncov)
{
	int			n = Max(fd->ntuples, 1);
	PnbdIndex  *idx;
	int16		group_slots[PNBD_GROUP_SLOTS];
	PnbdIndexAges b = {.nslots = 16};
	double		x = NAN;
	int			x_start = 0;	/* the first tuple of frequency x */

	/* one allocation, which fitdata_forget_index frees */
	idx = MemoryContextAllocHuge(fd->context, MAXALIGN(sizeof(PnbdIndex)) +
								 (2 * sizeof(int32) + 1) * (Size) n);
	idx->age = (int32 *) ((char *) idx + MAXALIGN(sizeof(PnbdIndex)));
	idx->tx_age = idx->age + n;
	idx->group = (uint8 *) (idx->tx_age + n);
	idx->values = fd->values;
	idx->ntuples = fd->ntuples;
	idx->ngroups = 0;
	idx->max_ages = 0;
	while (b.nslots < 2 * (uint32) n)
		b.nslots *= 2;
	b.slots = palloc_extended(sizeof(uint64) * b.nslots, MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
	b.key_T = palloc_extended(sizeof(double) * n, MCXT_ALLOC_HUGE);
	b.key_group = palloc_extended(n, MCXT_ALLOC_HUGE);
	memset(group_slots, -1, sizeof(group_slots));
	for (int i = 0; i < fd->ntuples; i++)
	{
		const double *v = fitdata_tuple(fd, i);
		uint32		slot = ncov == 0 ? 0 :
			(uint32) fitdata_hash_doubles(v + 3, ncov) & (PNBD_GROUP_SLOTS - 1);
		int			group;

		/* its group, as pnbd_group_of */
		for (;;)
		{
			group = group_slots[slot];
			if (group < 0 || pnbd_same_covariates(idx->cov[group], v + 3, ncov))
				break;
			slot = (slot + 1) & (PNBD_GROUP_SLOTS - 1);
		}
		if (group < 0)
		{
			if (idx->ngroups == PNBD_MAX_GROUPS)
			{
				idx->ngroups = -1;
				break;
			}
			group = idx->ngroups++;
			idx->cov[group] = v + 3;
			group_slots[slot] = group;
		}
		idx->group[i] = (uint8) group;
		/* its age terms' entry among those of its frequency */
		if (v[0] != x)
		{
			pnbd_index_tx_ages(idx, &b, fd, x_start, i);
			x = v[0];
			x_start = i;
			b.x_stamp++;
			b.nages = 0;
		}
		idx->age[i] = pnbd_index_age_entry(&b, v[2], group, true);
		idx->max_ages = Max(idx->max_ages, b.nages);
		if ((i & 0xffff) == 0xffff)
			CHECK_FOR_INTERRUPTS();
	}
	if (idx->ngroups >= 0)
		pnbd_index_tx_ages(idx, &b, fd, x_start, fd->ntuples);
	pfree(b.slots);
	pfree(b.key_T);
	pfree(b.key_group);
	return idx;
}

/*
 * The index of fd's tuples, built on first use and kept in fd (rebuilt when
 * the tuples are no longer those it was built for: code that changes a
 * sample's tuples in place calls fitdata_forget_index); NULL when the
 * customers fall into more than PNBD_MAX_GROUPS groups.
 */
static const PnbdIndex *
pnbd_index_of(const FitData *fd, int ncov)
{
	PnbdIndex  *idx = (PnbdIndex *) fd->index;

	if (fd->index_owner != pnbd_index_owner || idx->values != fd->values ||
		idx->ntuples != fd->ntuples)
	{
		FitData    *mfd = unconstify(FitData *, fd);

		fitdata_forget_index(mfd);
		idx = pnbd_index_build(fd, ncov);
		mfd->index = idx;
		mfd->index_owner = pnbd_index_owner;
	}
	return idx->ngroups >= 0 ? idx : NULL;
}

/*
 * Asks the processor for the age terms a (which a tuple PNBD_PREFETCH_AHEAD
 * further on will read) ahead of use: the tuples of a frequency visit its
 * entries in no useful order, and the table of a frequency with many ages
 * outgrows the cache (each of those reads was a fifth of the tuple loop).
 */
#define PNBD_PREFETCH_AHEAD 16

static inline void
pnbd_prefetch_age_terms(const PnbdAgeTerms *a)
{
#if defined(__GNUC__) || defined(__clang__)
	const char *p = (const char *) a;

	for (Size off = 0; off < sizeof(PnbdAgeTerms); off += 64)
		__builtin_prefetch(p + off);
	__builtin_prefetch(p + sizeof(PnbdAgeTerms) - 1);
#else
	(void) a;
#endif
}

/* Tuple i's age terms by the index, made on first use in this frequency. */
static inline PnbdAgeTerms *
pnbd_indexed_age_terms(PnbdShared *sh, const PnbdIndex *idx, int i, double T)
{
	PnbdAgeTerms *a = &sh->ages[idx->age[i]];

	pnbd_age_terms_at(sh, a, T, idx->group[i]);
	return a;
}

/*
 * The state of an evaluation of fd's tuples by shared terms at p (with the
 * coefficients coef), and fd's index into *idx (NULL: none, too many
 * groups).
 */
static PnbdShared *
pnbd_shared_begin(const double *p, const FitData *fd, const BtydCoefficients *coef,
				  const PnbdIndex **idx)
{
	PnbdShared *sh = palloc(sizeof(PnbdShared));

	sh->p = p;
	sh->ncov = coef->n[0] + coef->n[1];
	sh->ngroups = 0;
	memset(sh->group_slots, -1, sizeof(sh->group_slots));
	*idx = pnbd_index_of(fd, sh->ncov);
	/* the age terms' hash table, for a sample without an index only */
	sh->nage_slots = PNBD_AGE_SLOTS_MIN;
	sh->age_slots = *idx ? NULL : palloc0(sizeof(uint64) * sh->nage_slots);
	sh->ages_cap = *idx ? Max((*idx)->max_ages, 1) : PNBD_AGE_SLOTS_MIN / 2;
	sh->ages = palloc_extended(sizeof(PnbdAgeTerms) * sh->ages_cap,
							   MCXT_ALLOC_HUGE | (*idx ? MCXT_ALLOC_ZERO : 0));
	sh->nages = 0;
	/* with the index, its groups in its order (those pnbd_group_of would make) */
	for (int k = 0; *idx && k < (*idx)->ngroups; k++)
		pnbd_group_set(sh, coef, (*idx)->cov[k], k);
	sh->ngroups = *idx ? (*idx)->ngroups : 0;
	sh->x_stamp = sh->tx_stamp = 0;
	sh->x = NAN;
	memset(sh->terms, 0, sizeof(sh->terms));
	return sh;
}

/* Frees what pnbd_shared_begin allocated. */
static void
pnbd_shared_end(PnbdShared *sh)
{
	for (int k = 0; k < 2; k++)
		if (sh->terms[k].cap > 0)
			pfree(sh->terms[k].pn); /* its four arrays */
	pfree(sh->ages);
	if (sh->age_slots != NULL)
		pfree(sh->age_slots);
	pfree(sh);
}

/*
 * The sample's weighted log-likelihood by shared terms and its gradient
 * into grad (as pnbd_loglik; the fits' evaluations).
 */
static double
pnbd_loglik_shared(const double *p, const FitData *fd, const BtydCoefficients *coef,
				   double *grad)
{
	const PnbdIndex *idx;
	PnbdShared *sh = pnbd_shared_begin(p, fd, coef, &idx);
	double		psi_r = digamma(p[0]);
	double		sum = 0.0,
				sum_err = 0.0;	/* Neumaier's compensation of sum */
	double		prev_tx = NAN;

	memset(grad, 0, sizeof(double) * (4 + sh->ncov));
	for (int i = 0; i < fd->ntuples; i++)
	{
		const double *v = fitdata_tuple(fd, i);
		double		w_i = fitdata_weight(fd, i);
		double		g_i[4];
		int			group = idx ? idx->group[i] : pnbd_group_of(sh, coef, v + 3);
		PnbdAgeTerms *a,
				   *at_tx;

		if (v[0] != sh->x)
		{
			pnbd_shared_new_x(sh, v[0], psi_r);
			prev_tx = NAN;
		}
		if (v[1] != prev_tx)
		{
			prev_tx = v[1];
			sh->tx_stamp++;
		}
		if (idx && i + PNBD_PREFETCH_AHEAD < fd->ntuples)
			pnbd_prefetch_age_terms(&sh->ages[idx->age[i + PNBD_PREFETCH_AHEAD]]);
		a = idx ? pnbd_indexed_age_terms(sh, idx, i, v[2]) : pnbd_age_terms(sh, v[2], group);
		at_tx = idx && idx->tx_age[i] >= 0 ? &sh->ages[idx->tx_age[i]] : NULL;
		btyd_add_compensated(&sum, &sum_err,
							 w_i * pnbd_shared_tuple_ll(sh, group, a, at_tx, v[1], v[2], g_i));
		if (group == PNBD_LONE)
			btyd_add_customer_gradient(&paretonbd_covariate_map, 4, p, coef, v + 3,
									   v + 3 + coef->n[0], sh->groups[group].p,
									   w_i, g_i, grad);
		else
			for (int j = 0; j < 4; j++)
				sh->groups[group].grad[j] += w_i * g_i[j];
		if ((i & 0xffff) == 0xffff)
			CHECK_FOR_INTERRUPTS();
	}
	for (int k = 0; k < sh->ngroups; k++)
	{
		PnbdGroup  *g = &sh->groups[k];

		btyd_add_customer_gradient(&paretonbd_covariate_map, 4, p, coef, g->cov,
								   g->cov + coef->n[0], g->p, 1.0, g->grad, grad);
	}
	pnbd_shared_end(sh);
	return sum + sum_err;
}

/*
 * Weighted log-likelihood of the sample and, when grad is not NULL, its
 * gradient in (r, alpha, s, beta) and, for a sample with covariates, the
 * coefficients (Fader & Hardie 2007: alpha_i = alpha exp(-gamma'x_i),
 * beta_i = beta exp(-delta'z_i)): by the shared terms of pnbd_loglik_shared
 * with the gradient, customer by customer (btyd_sum_customer_loglik)
 * through the memo of G without.
 */
static double
pnbd_loglik(const double *p, const FitData *fd, double *grad)
{
	PnbdLLMemo	memo = {NULL, 0};
	double		ll;

	if (grad)
	{
		BtydCoefficients coef;
		int			npurchase,
					ndropout;

		btyd_sample_covariates(fd, &npurchase, &ndropout);
		btyd_coefficients_of(p, 4, npurchase, ndropout, &coef);
		return pnbd_loglik_shared(p, fd, &coef, grad);
	}
	if (fd->ntuples > 64)
	{
		/* two keys a tuple at most half full, and every key NaN: empty */
		uint32		size = 256;

		while (size < PNBD_LL_MEMO_SIZE && size < 4 * (uint32) fd->ntuples)
			size *= 2;
		memo.mask = size - 1;
		memo.entries = palloc(sizeof(PnbdLLMemoEntry) * size);
		for (uint32 i = 0; i < size; i++)
			memo.entries[i].key[0] = NAN;
	}
	ll = btyd_sum_customer_loglik(&paretonbd_covariate_map, 4, p, fd, NULL, pnbd_customer_ll,
								  memo.entries ? &memo : NULL);
	if (memo.entries)
		pfree(memo.entries);
	return ll;
}

/*
 * The observed information of a fit with covariates by group, analytically
 * (BtydModelSpec.group_hessians): the Hessian of each group's sum of w_i
 * LL_i in the group's log-parameters ln p = (ln r, ln alpha_i, ln s,
 * ln beta_i), in one pass over the sample with the shared terms of
 * pnbd_loglik_shared, instead of the n passes of differences of the whole
 * gradient.  Natural-parameter Hessians h (4 x 4, row-major) turn
 * into log-parameter ones by p_j p_k h_jk + [j = k] p_j g_j.
 */
#define PNBD_HESS_LOG_STEP 1e-4 /* the central differences' step */

/*
 * The coefficients of pnbd_log_f_hess's sums for one frequency and branch
 * (as PnbdSeriesTerms for the gradient's): for n = 1 .. len, at
 * coef[(n - 1) * PNBD_HESS_NCOEF ..], P_n times 1, L_r, L_s, L_r^2 + L_rr,
 * L_r L_s + L_rs, L_s^2 + L_ss (L = ln P_n and its derivatives in r and s),
 * then n P_n times 1, L_r, L_s, and n (n - 1) P_n; extended on demand.
 */
#define PNBD_HESS_NCOEF 10

typedef struct PnbdHessTerms
{
	double		e;				/* of pnbd_series_at */
	double		c;
	bool		alpha_big;
	int			len;			/* terms computed */
	int			cap;			/* allocated */
	double		pn;				/* P_len and the derivatives of its log */
	double		lr;
	double		ls;
	double		lrr;
	double		lrs;
	double		lss;
	double	   *coef;
} PnbdHessTerms;

/* Computes the coefficients of t up to n (t->len < n). */
static void
pnbd_hess_terms_extend(PnbdHessTerms *t, int n)
{
	if (n > t->cap)
	{
		int			cap = Max(n, 2 * t->cap);

		t->coef = t->cap > 0 ?
			repalloc(t->coef, sizeof(double) * PNBD_HESS_NCOEF * cap) :
			palloc(sizeof(double) * PNBD_HESS_NCOEF * cap);
		t->cap = cap;
	}
	if (t->len == 0)
	{
		t->pn = 1.0;
		t->lr = t->ls = t->lrr = t->lrs = t->lss = 0.0;
	}
	for (int k = t->len + 1; k <= n; k++)
	{
		double		de = 1.0 / (t->e + k - 1),
					dc = 1.0 / (t->c + k - 1);
		double	   *q = t->coef + (size_t) (k - 1) * PNBD_HESS_NCOEF;

		t->pn *= (t->e + k - 1) * dc;
		t->lr += t->alpha_big ? de - dc : -dc;
		t->ls += t->alpha_big ? -dc : de - dc;
		t->lrr += t->alpha_big ? dc * dc - de * de : dc * dc;
		t->lss += t->alpha_big ? dc * dc : dc * dc - de * de;
		t->lrs += dc * dc;
		q[0] = t->pn;
		q[1] = t->pn * t->lr;
		q[2] = t->pn * t->ls;
		q[3] = t->pn * (t->lr * t->lr + t->lrr);
		q[4] = t->pn * (t->lr * t->ls + t->lrs);
		q[5] = t->pn * (t->ls * t->ls + t->lss);
		q[6] = k * t->pn;
		q[7] = k * t->pn * t->lr;
		q[8] = k * t->pn * t->ls;
		q[9] = (double) k * (k - 1) * t->pn;
	}
	t->len = n;
}

/*
 * The Hessian h of ln F(y) (pnbd_log_f_grad's) in (r, alpha, s, beta), the
 * series' coefficients from t (of this frequency and branch).  H = sum_n P_n z^n (pnbd_series_at) is summed with the sums its
 * derivatives need (d ln P_n / dr = sum_{k<n} 1/(e+k) - 1/(c+k) when
 * alpha >= beta, as e = r+x, c = r+s+x+1; the other branch alike with
 * e = s+1), until the terms of H and of its first and second z-derivatives
 * are below a quarter ulp of their sums; z depends on alpha and beta only,
 * the prefactor (alpha+y)^.. (beta+y)^.. on all four.
 */
static void
pnbd_log_f_hess(const double *p, double x, double y, PnbdHessTerms *t, double *h)
{
	double		r = p[0],
				s = p[2];
	PnbdSeries	ser = pnbd_series_at(p, x, y);
	bool		a_big = ser.alpha_big;
	double		z = ser.z;
	double		ay = p[1] + y,
				by = p[3] + y;
	double		zn1 = 1.0,		/* z^(n-1) */
				zn2 = 0.0;		/* z^(n-2), n >= 2 */
	double		H = 1.0,		/* the sums, each a local: in registers */
				Hr = 0.0,
				Hs = 0.0,
				Hrr = 0.0,
				Hrs = 0.0,
				Hss = 0.0,
				Hz = 0.0,
				Hrz = 0.0,
				Hsz = 0.0,
				Hzz = 0.0;
	double		l_r,
				l_s,
				l_z,
				l_zz,
				l_rz,
				l_sz;
	double		z_a,
				z_b,
				z_aa,
				z_ab,
				z_bb;
	bool		done = false;

	Assert(t->alpha_big == a_big);
	for (int n = 1; !done && n < 1000000;)
	{
		int			end = n + PNBD_SERIES_CHUNK;

		if (end > t->len)
			pnbd_hess_terms_extend(t, end + 64);
		for (; n < end; n++)
		{
			const double *q = t->coef + (size_t) (n - 1) * PNBD_HESS_NCOEF;
			double		zn = zn1 * z;

			H += q[0] * zn;
			Hr += q[1] * zn;
			Hs += q[2] * zn;
			Hrr += q[3] * zn;
			Hrs += q[4] * zn;
			Hss += q[5] * zn;
			Hz += q[6] * zn1;
			Hrz += q[7] * zn1;
			Hsz += q[8] * zn1;
			Hzz += q[9] * zn2;
			if (q[0] * zn <= 0.25 * DBL_EPSILON * H &&
				q[6] * zn <= 0.25 * DBL_EPSILON * (Hz + 1.0) &&
				(n + 1) * q[6] * zn1 <= 0.25 * DBL_EPSILON * (Hzz + 1.0))
			{
				done = true;
				break;
			}
			zn2 = zn1;
			zn1 = zn;
		}
		CHECK_FOR_INTERRUPTS();
	}
	/* ln H in (r, s, z) */
	l_r = Hr / H;
	l_s = Hs / H;
	l_z = Hz / H;
	l_zz = Hzz / H - l_z * l_z;
	l_rz = Hrz / H - l_r * l_z;
	l_sz = Hsz / H - l_s * l_z;
	if (a_big)
	{
		z_a = by / (ay * ay);
		z_b = -1.0 / ay;
		z_aa = -2.0 * by / (ay * ay * ay);
		z_ab = 1.0 / (ay * ay);
		z_bb = 0.0;
	}
	else
	{
		z_a = -1.0 / by;
		z_b = ay / (by * by);
		z_aa = 0.0;
		z_ab = 1.0 / (by * by);
		z_bb = -2.0 * ay / (by * by * by);
	}
	h[0 * 4 + 0] = Hrr / H - l_r * l_r;
	h[0 * 4 + 2] = Hrs / H - l_r * l_s;
	h[2 * 4 + 2] = Hss / H - l_s * l_s;
	h[0 * 4 + 1] = l_rz * z_a - 1.0 / ay;
	h[0 * 4 + 3] = l_rz * z_b;
	h[1 * 4 + 2] = l_sz * z_a;
	h[2 * 4 + 3] = l_sz * z_b - 1.0 / by;
	h[1 * 4 + 1] = l_zz * z_a * z_a + l_z * z_aa;
	h[1 * 4 + 3] = l_zz * z_a * z_b + l_z * z_ab;
	h[3 * 4 + 3] = l_zz * z_b * z_b + l_z * z_bb;
	if (a_big)
	{
		/* ln F = ln H - s ln(beta+y) - (r+x) ln(alpha+y) */
		h[1 * 4 + 1] += (r + x) / (ay * ay);
		h[3 * 4 + 3] += s / (by * by);
	}
	else
	{
		/* ln F = ln H + (1-r-x) ln(alpha+y) - (s+1) ln(beta+y) */
		h[1 * 4 + 1] -= (1.0 - r - x) / (ay * ay);
		h[3 * 4 + 3] += (s + 1.0) / (by * by);
	}
	for (int j = 0; j < 4; j++)
		for (int k = 0; k < j; k++)
			h[j * 4 + k] = h[k * 4 + j];
}

/*
 * Into h (natural parameters), the Hessian of the first likelihood term
 * of pnbd_age_first at (x, T) of parameters p: -r ln(1 + T/alpha) - s ln(1
 * + T/beta) + x ln(r / (alpha+T)) + ln Gamma(r+x) - ln Gamma(r); dtri =
 * psi'(r+x) - psi'(r).
 */
static void
pnbd_first_hess(const double *p, double x, double T, double dtri, double *h)
{
	double		r = p[0],
				alpha = p[1],
				s = p[2],
				beta = p[3];

	memset(h, 0, sizeof(double) * 16);
	h[0 * 4 + 0] = dtri;
	h[0 * 4 + 1] = h[1 * 4 + 0] = 1.0 / alpha - 1.0 / (alpha + T);
	h[1 * 4 + 1] = -r / (alpha * alpha) + (r + x) / ((alpha + T) * (alpha + T));
	h[2 * 4 + 3] = h[3 * 4 + 2] = 1.0 / beta - 1.0 / (beta + T);
	h[3 * 4 + 3] = -s / (beta * beta) + s / ((beta + T) * (beta + T));
}

/*
 * Adds to h (natural parameters) the Hessian of ln K + (r+x) ln(alpha+T) +
 * s ln(beta+T), K = s / (r+s+x): the factors of R but ln F(T) (see
 * pnbd_age_f's db).
 */
static void
pnbd_add_factor_hess(const double *p, double x, double T, double *h)
{
	double		r = p[0],
				alpha = p[1],
				s = p[2],
				beta = p[3];
	double		inv_rsx2 = 1.0 / ((r + s + x) * (r + s + x));

	h[0 * 4 + 0] += inv_rsx2;
	h[0 * 4 + 2] += inv_rsx2;
	h[2 * 4 + 0] += inv_rsx2;
	h[2 * 4 + 2] += inv_rsx2 - 1.0 / (s * s);
	h[0 * 4 + 1] += 1.0 / (alpha + T);
	h[1 * 4 + 0] += 1.0 / (alpha + T);
	h[1 * 4 + 1] -= (r + x) / ((alpha + T) * (alpha + T));
	h[2 * 4 + 3] += 1.0 / (beta + T);
	h[3 * 4 + 2] += 1.0 / (beta + T);
	h[3 * 4 + 3] -= s / ((beta + T) * (beta + T));
}

/* The Hessian of ln F at (x, t_x, group) of the current t_x run. */
typedef struct PnbdFHess
{
	uint32		stamp;			/* the t_x run's */
	double		h[16];
} PnbdFHess;

/*
 * The Hessians of one age entry (x, T, group) in natural parameters: of the
 * first term; and when a tuple needs R, of ln F(T) and of ln(K G(T)) =
 * ln K + (r+x) ln(alpha+T) + s ln(beta+T) + ln F(T) (base).
 */
typedef struct PnbdAgeHess
{
	uint32		stamp;			/* the frequency's */
	bool		has_f;			/* hf and base are set */
	double		first[16];
	double		hf[16];
	double		base[16];
} PnbdAgeHess;

/*
 * The Hessians of the age entry ah, at (x, T) of group gr, made when stale
 * (and hf and base when need_f), with the series' coefficients t.
 */
static const PnbdAgeHess *
pnbd_age_hess(PnbdAgeHess *ah, const PnbdShared *sh, const PnbdGroup *gr, double T,
			  double dtri, bool need_f, PnbdHessTerms *t)
{
	if (ah->stamp != sh->x_stamp)
	{
		ah->stamp = sh->x_stamp;
		ah->has_f = false;
		pnbd_first_hess(gr->p, sh->x, T, dtri, ah->first);
	}
	if (need_f && !ah->has_f)
	{
		pnbd_log_f_hess(gr->p, sh->x, T, t, ah->hf);
		memcpy(ah->base, ah->hf, sizeof(ah->base));
		pnbd_add_factor_hess(gr->p, sh->x, T, ah->base);
		ah->has_f = true;
	}
	return ah;
}

/*
 * Adds w_i times the Hessian (natural parameters, lower triangle) of a tuple
 * that pnbd_shared_tuple_ll took by PNBD_PATH_R, its terms a, rt in place,
 * to acc: LL = first + ln(1 + e^q), q = ln R = ln(K G(T)) + ln e,
 * e = expm1(D), D = ln F(t_x) - ln F(T):
 *	 d2 LL = d2 first + w d2 q + w (1 - w) dq dq',
 *	 d2 q = d2 ln(K G(T)) + (1+e)/e d2 D - (1+e)/e^2 dD dD'.
 */
static inline void
pnbd_add_tuple_hess_r(const PnbdShared *sh, const PnbdAgeTerms *a, const PnbdRecencyTerms *rt,
					  const PnbdAgeHess *ah, const double *hf_tx, double w_i, double *acc)
{
	double		e = sh->path_e,
				w = sh->path_w;
	double		k1 = (1.0 + e) / e,
				k2 = (1.0 + e) / (e * e);
	double		dd[4],
				dq[4];

	for (int j = 0; j < 4; j++)
	{
		dd[j] = rt->dlf[j] - a->dlf[j];
		dq[j] = a->db[j] + a->dlf[j] + k1 * dd[j];
	}
	for (int j = 0; j < 4; j++)
		for (int k = 0; k <= j; k++)
		{
			int			jk = j * 4 + k;
			double		d2q = ah->base[jk] + k1 * (hf_tx[jk] - ah->hf[jk]) - k2 * dd[j] * dd[k];

			acc[jk] += w_i * (ah->first[jk] + w * d2q + w * (1.0 - w) * dq[j] * dq[k]);
		}
}

/*
 * The Hessian in the log-parameters of the tuple (x, t_x, T) at the
 * parameters p by central differences of pnbd_customer_ll's gradient (for
 * the few tuples that pnbd_customer_ll takes); lgam_rx and dpsi those of p
 * (pnbd_customer_ll's), which only the steps in r change.
 */
static void
pnbd_tuple_hess_diff(const double *p, double x, double tx, double T, double lgam_rx,
					 double dpsi, double *hl)
{
	for (int k = 0; k < 4; k++)
	{
		double		gk[2][4];
		double		q[2][4];

		for (int side = 0; side < 2; side++)
		{
			memcpy(q[side], p, sizeof(q[side]));
			q[side][k] = p[k] * exp(side == 0 ? PNBD_HESS_LOG_STEP : -PNBD_HESS_LOG_STEP);
			if (k == 0)
				(void) pnbd_customer_ll(NULL, q[side], x, tx, T,
										log_gamma_ratio_excess(q[side][0], x),
										digamma(q[side][0] + x) - digamma(q[side][0]),
										gk[side]);
			else
				(void) pnbd_customer_ll(NULL, q[side], x, tx, T, lgam_rx, dpsi, gk[side]);
		}
		for (int j = 0; j < 4; j++)
			hl[j * 4 + k] = (q[0][j] * gk[0][j] - q[1][j] * gk[1][j]) /
				(2.0 * PNBD_HESS_LOG_STEP);
	}
}

/*
 * The groups' Hessians in their log-parameters at p
 * (BtydModelSpec.group_hessians): out->hess[g * 16 + j * 4 + k] =
 * sum_i w_i d2 LL_i / d ln p_j d ln p_k.
 * A group's customers share p, so the natural-parameter Hessians are summed
 * and turned into log-parameter ones once per group.  False (ngroups -1)
 * when the sample has no index (too many groups).
 */
static bool
pnbd_group_hessians(const double *p, const FitData *fd, BtydGroupHessians *out)
{
	BtydCoefficients coef;
	int			npurchase,
				ndropout;
	const PnbdIndex *idx;
	PnbdShared *sh;
	PnbdAgeHess *age_h;
	PnbdFHess	rec_h[PNBD_MAX_GROUPS];
	PnbdHessTerms terms[2] = {{0}};	/* the current frequency's, as sh->terms */
	double	   *acc;			/* per group: natural-parameter Hessian (lower) */
	double	   *acc_log;		/* the same in log-parameters (differences) */
	double	   *grad;			/* natural-parameter gradient of the tuples of acc */
	double		psi_r = digamma(p[0]);
	double		tri_r = trigamma(p[0]);
	double		dtri = 0.0;
	double		prev_tx = NAN;

	btyd_sample_covariates(fd, &npurchase, &ndropout);
	btyd_coefficients_of(p, 4, npurchase, ndropout, &coef);
	sh = pnbd_shared_begin(p, fd, &coef, &idx);
	out->ngroups = -1;
	if (idx == NULL)
	{
		pnbd_shared_end(sh);
		return false;
	}
	age_h = palloc_extended(sizeof(PnbdAgeHess) * Max(idx->max_ages, 1),
							MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
	memset(rec_h, 0, sizeof(rec_h));
	acc = palloc0(sizeof(double) * 16 * Max(sh->ngroups, 1));
	acc_log = palloc0(sizeof(double) * 16 * Max(sh->ngroups, 1));
	grad = palloc0(sizeof(double) * 4 * Max(sh->ngroups, 1));
	for (int i = 0; i < fd->ntuples; i++)
	{
		const double *v = fitdata_tuple(fd, i);
		double		w_i = fitdata_weight(fd, i);
		int			group = idx->group[i];
		PnbdGroup  *gr = &sh->groups[group];
		PnbdAgeTerms *a,
				   *at_tx;
		double		g[4];

		if (v[0] != sh->x)
		{
			pnbd_shared_new_x(sh, v[0], psi_r);
			dtri = v[0] == 0 ? 0.0 : trigamma(p[0] + v[0]) - tri_r;
			for (int k = 0; k < 2; k++)
			{
				terms[k].alpha_big = sh->terms[k].alpha_big;
				terms[k].e = sh->terms[k].e;
				terms[k].c = sh->terms[k].c;
				terms[k].len = 0;
			}
			prev_tx = NAN;
		}
		if (v[1] != prev_tx)
		{
			prev_tx = v[1];
			sh->tx_stamp++;
		}
		a = pnbd_indexed_age_terms(sh, idx, i, v[2]);
		at_tx = idx->tx_age[i] >= 0 ? &sh->ages[idx->tx_age[i]] : NULL;
		(void) pnbd_shared_tuple_ll(sh, group, a, at_tx, v[1], v[2], g);
		if (sh->path == PNBD_PATH_CUSTOMER)
		{
			double		hl[16];

			pnbd_tuple_hess_diff(gr->p, sh->x, v[1], v[2], sh->lgam_rx, sh->dpsi, hl);
			for (int j = 0; j < 16; j++)
				acc_log[group * 16 + j] += w_i * hl[j];
		}
		else
		{
			PnbdHessTerms *t = &terms[gr->p[1] >= gr->p[3]];
			bool		r_path = sh->path == PNBD_PATH_R;
			const PnbdAgeHess *ah = pnbd_age_hess(&age_h[idx->age[i]], sh, gr, v[2], dtri,
												  r_path, t);

			if (r_path)
			{
				const double *hf_tx;

				if (idx->tx_age[i] >= 0)
					hf_tx = pnbd_age_hess(&age_h[idx->tx_age[i]], sh, gr, v[1], dtri, true, t)->hf;
				else
				{
					PnbdFHess  *fh = &rec_h[group];

					if (fh->stamp != sh->tx_stamp)
					{
						fh->stamp = sh->tx_stamp;
						pnbd_log_f_hess(gr->p, sh->x, v[1], t, fh->h);
					}
					hf_tx = fh->h;
				}
				pnbd_add_tuple_hess_r(sh, a, &sh->recency[group], ah, hf_tx, w_i,
									  acc + group * 16);
			}
			else
				for (int j = 0; j < 4; j++)
					for (int k = 0; k <= j; k++)
						acc[group * 16 + j * 4 + k] += w_i * ah->first[j * 4 + k];
			for (int j = 0; j < 4; j++)
				grad[group * 4 + j] += w_i * g[j];
		}
		if ((i & 0xffff) == 0xffff)
			CHECK_FOR_INTERRUPTS();
	}
	out->ngroups = sh->ngroups;
	out->cov = palloc(sizeof(double *) * Max(sh->ngroups, 1));
	out->hess = palloc(sizeof(double) * 16 * Max(sh->ngroups, 1));
	for (int k = 0; k < sh->ngroups; k++)
	{
		const double *q = sh->groups[k].p;

		out->cov[k] = sh->groups[k].cov;
		for (int j = 0; j < 4; j++)
		{
			for (int l = 0; l <= j; l++)
			{
				double		hjl = q[j] * q[l] * acc[k * 16 + j * 4 + l] +
					(j == l ? q[j] * grad[k * 4 + j] : 0.0);

				out->hess[k * 16 + j * 4 + l] = hjl + acc_log[k * 16 + j * 4 + l];
				out->hess[k * 16 + l * 4 + j] = hjl + acc_log[k * 16 + l * 4 + j];
			}
		}
	}
	for (int k = 0; k < 2; k++)
		if (terms[k].cap > 0)
			pfree(terms[k].coef);
	pfree(acc);
	pfree(acc_log);
	pfree(grad);
	pfree(age_h);
	pnbd_shared_end(sh);
	return true;
}

const BtydModelSpec pnbd_spec = {
	"paretonbd", 4, pnbd_names, pnbd_loglik, true, NULL, &paretonbd_covariate_map,
	pnbd_group_hessians
};

/* Final function of engage.paretonbd_fit */
Datum
paretonbd_fit_final(PG_FUNCTION_ARGS)
{
	return btyd_fit_final(fcinfo, &pnbd_spec);
}

/* engage.paretonbd_fit(engage.fitdata [, penalizer]) */
Datum
paretonbd_fit_fitdata(PG_FUNCTION_ARGS)
{
	return btyd_fit_stored(fcinfo, &pnbd_spec);
}

/* engage.paretonbd_bootstrap(sample, replicates, seed [, penalizer]) */
Datum
paretonbd_bootstrap(PG_FUNCTION_ARGS)
{
	return btyd_bootstrap(fcinfo, &pnbd_spec);
}

/*
 * The memos of a scoring function for the model of argument 0, read into
 * consts[0..3] (the caller has set consts[4..nconsts-1]): the model's inline
 * (btyd_scoring_memos), or, in the form with the customer's covariate
 * vectors as arguments argcov and argcov + 1, memos valid for the customer's
 * parameters (all-zero covariates give the model's own).
 */
static inline PnbdMemo
pnbd_scoring_memo(FunctionCallInfo fcinfo, int argcov, double *consts, int nconsts)
{
	if (PG_NARGS() > argcov)
	{
		btyd_getarg_customer_model(fcinfo, 0, argcov, argcov + 1, 4, pnbd_names,
								   &paretonbd_covariate_map, consts);
		return pnbd_memo_of(btyd_pair_memos(fcinfo, consts, nconsts));
	}
	return pnbd_memo_of(btyd_scoring_memos(fcinfo, 0, 4, pnbd_names, consts, nconsts));
}

/*
 * Starts loading the entries of the call site's memos (when there are any,
 * valid or not) that the score of summary (x, t_x, T) will read: G(t_x) and
 * G(T) unless one_time, and the per-age entry of key age_key, so that reading
 * the model and checking the summary hide the wait.  A macro, as
 * btyd_pair_prefetch.
 */
#define pnbd_prefetch(fcinfo, one_time, age_key, x, tx, T) \
	do { \
		BtydScoringMemo *m_ = (BtydScoringMemo *) (fcinfo)->flinfo->fn_extra; \
		\
		if (m_ != NULL && m_->pair[0].size != 0) \
		{ \
			if (!(one_time)) \
			{ \
				btyd_pair_prefetch(&m_->pair[0], (x), (tx)); \
				btyd_pair_prefetch(&m_->pair[0], (x), (T)); \
			} \
			btyd_pair_prefetch(&m_->pair[1], (age_key), (T)); \
		} \
	} while (0)

Datum
paretonbd_p_alive_sql(PG_FUNCTION_ARGS)
{
	double		p[4];
	double		x = PG_GETARG_FLOAT8(1),
				tx = PG_GETARG_FLOAT8(2),
				T = PG_GETARG_FLOAT8(3);
	bool		one_time = x == 0.0 && tx == 0.0;
	PnbdMemo	memo;

	pnbd_prefetch(fcinfo, one_time, PNBD_KEY_ONE_TIME, x, tx, T);
	memo = pnbd_scoring_memo(fcinfo, 4, p, 4);
	btyd_check_summary(x, tx, T);
	PG_RETURN_FLOAT8(finite_result(tx >= T ? 1.0 : pnbd_alive_cached(memo, p, x, tx, T),
								   "p_alive"));
}

/* 1 - P(alive) = R / (1 + R), accurate also where P(alive) is near 1. */
Datum
paretonbd_churn_sql(PG_FUNCTION_ARGS)
{
	double		p[4];
	double		x = PG_GETARG_FLOAT8(1),
				tx = PG_GETARG_FLOAT8(2),
				T = PG_GETARG_FLOAT8(3);

	btyd_getarg_model_for(fcinfo, 0, 4, 4, pnbd_names, &paretonbd_covariate_map, p);
	btyd_check_summary(x, tx, T);
	if (tx >= T)
		PG_RETURN_FLOAT8(0.0);
	PG_RETURN_FLOAT8(finite_result(pnbd_alive_of(-pnbd_log_ratio(p, x, tx, T, NULL)),
								   "churn_probability"));
}

Datum
paretonbd_expected_sql(PG_FUNCTION_ARGS)
{
	double		consts[5];		/* the model's parameters, then t */
	double		t = PG_GETARG_FLOAT8(1),
				x = PG_GETARG_FLOAT8(2),
				tx = PG_GETARG_FLOAT8(3),
				T = PG_GETARG_FLOAT8(4);
	bool		one_time = x == 0.0 && tx == 0.0;
	PnbdMemo	memo;

	pnbd_prefetch(fcinfo, one_time,
				  one_time ? PNBD_KEY_ONE_TIME_EXPECTED : PNBD_KEY_ALIVE_RATE, x, tx, T);
	consts[4] = t;
	memo = pnbd_scoring_memo(fcinfo, 5, consts, 5);
	ensure_nonnegative(t, "t");
	btyd_check_summary(x, tx, T);
	PG_RETURN_FLOAT8(finite_result(pnbd_expected_cached(memo, consts, t, x, tx, T),
								   "expected_purchases"));
}

Datum
paretonbd_expected_new_sql(PG_FUNCTION_ARGS)
{
	double		p[4];
	double		t = PG_GETARG_FLOAT8(1);

	btyd_getarg_model_for(fcinfo, 0, 2, 4, pnbd_names, &paretonbd_covariate_map, p);
	ensure_nonnegative(t, "t");
	PG_RETURN_FLOAT8(finite_result(pnbd_expected_new(p, t), "expected_purchases"));
}

Datum
paretonbd_prob_sql(PG_FUNCTION_ARGS)
{
	double		p[4];
	int32		n = PG_GETARG_INT32(1);
	double		t = PG_GETARG_FLOAT8(2);

	btyd_getarg_model_for(fcinfo, 0, 3, 4, pnbd_names, &paretonbd_covariate_map, p);
	if (n < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("n must not be negative")));
	ensure_nonnegative(t, "t");
	PG_RETURN_FLOAT8(finite_result(pnbd_prob(p, n, t), "prob_purchases"));
}

Datum
paretonbd_loglik_sql(PG_FUNCTION_ARGS)
{
	return btyd_loglik_sql(fcinfo, &pnbd_spec);
}

/*
 * One customer: Poisson purchases at rate lambda until min(lifetime, T).
 * Each pass returns or counts a purchase (at most BTYD_SIMULATE_MAX_PURCHASES).
 */
static void
pnbd_draw(const double *p, double T, pg_prng_state *rng, int64 *x, double *tx)
{
	double		lambda = btyd_rgamma(rng, p[0], p[1]);
	double		mu = btyd_rgamma(rng, p[2], p[3]);
	double		lifetime = btyd_rexp(rng, mu);
	double		end = Min(lifetime, T);
	double		t = 0.0;

	for (;;)
	{
		t += btyd_rexp(rng, lambda);
		if (t > end)
			return;
		btyd_simulated_purchase(x, tx, t);
	}
}

Datum
paretonbd_simulate(PG_FUNCTION_ARGS)
{
	return btyd_simulate(fcinfo, 4, pnbd_names, &paretonbd_covariate_map, pnbd_draw);
}

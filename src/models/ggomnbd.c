/*-------------------------------------------------------------------------
 *
 * ggomnbd.c
 *	  GGompertz/NBD (Bemmaor & Glady 2012, "Modeling purchasing behavior with
 *	  sudden 'death': a flexible customer lifetime model", Management Science
 *	  58(5)), in the parameterisation of the R package CLVTools (ggomnbd).
 *
 * While alive a customer buys at Poisson rate lambda ~ Gamma(r, alpha).  The
 * lifetime tau is Gompertz, P(tau > t | eta) = exp(-eta (e^(b t) - 1)), with
 * shape b shared by everybody and scale eta ~ Gamma(s, beta), so that
 * P(tau > t) = (beta / B(t))^s,  B(t) = beta + e^(b t) - 1.
 * With x = frequency, t_x = recency, T = age (Bemmaor & Glady eq. 4 and its
 * appendix):
 *
 *	 L = Gamma(r+x) alpha^r beta^s / Gamma(r) [(alpha+T)^-(r+x) B(T)^-s
 *		 + b s int_{t_x}^{T} e^(b tau) (alpha+tau)^-(r+x) B(tau)^-(s+1) dtau],
 *	 P(alive) = 1 / (1 + R),  R = the second term over the first,
 *	 E[X(t) | x, t_x, T] = P(alive) (r+x) / (alpha+T)
 *		 * int_0^t (B(T) / B(T+u))^s du,
 *	 E[X(t)] = r / alpha int_0^t (beta / B(u))^s du.
 *
 * Static covariates as in CLVTools' ggomnbd (and as Fader & Hardie 2007 put
 * them into Pareto/NBD): a customer with purchase covariates x_i and
 * dropout covariates z_i has alpha_i = alpha exp(-gamma'x_i) and beta_i =
 * beta exp(-delta'z_i), and every expression here holds at those
 * parameters (a larger gamma'x_i raises the purchase rate, a larger
 * delta'z_i the Gompertz scale eta, shortening the lifetime).
 *
 * As b -> 0 with beta / b held at beta', B(t) / b -> beta' + t and the model
 * tends to Pareto/NBD (r, alpha, s, beta').  Neither integral has a closed
 * form that stays accurate across the parameter space; both are computed by
 * Gauss-Legendre quadrature (ggom_integrate) in logarithms, one 12-point rule
 * per panel under a-priori bounds on the panel widths, with every ratio of B
 * formed by log1p and expm1.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <float.h>

#include "miscadmin.h"

#include "btyd.h"
#include "engage.h"
#include "special.h"

PG_FUNCTION_INFO_V1(ggomnbd_fit_final);
PG_FUNCTION_INFO_V1(ggomnbd_fit_fitdata);
PG_FUNCTION_INFO_V1(ggomnbd_bootstrap);
PG_FUNCTION_INFO_V1(ggomnbd_p_alive_sql);
PG_FUNCTION_INFO_V1(ggomnbd_churn_sql);
PG_FUNCTION_INFO_V1(ggomnbd_expected_sql);
PG_FUNCTION_INFO_V1(ggomnbd_expected_new_sql);
PG_FUNCTION_INFO_V1(ggomnbd_loglik_sql);
PG_FUNCTION_INFO_V1(ggomnbd_simulate);

#define GGOM_NPARAMS 5

static const char *const ggom_names[GGOM_NPARAMS] = {"r", "alpha", "b", "s", "beta"};

/*
 * The parameters into p of the model of argument 0, or, in the form of a
 * scoring function with the customer's covariate vectors as arguments
 * argcov and argcov + 1, the customer's (btyd_getarg_model_for).
 */
#define GGOM_GETARG_MODEL(argcov, p) \
	btyd_getarg_model_for(fcinfo, 0, (argcov), GGOM_NPARAMS, ggom_names, \
						  &ggomnbd_covariate_map, (p))

/* ln B(tau) = ln(beta + e^(b tau) - 1), without cancellation or overflow. */
static double
ggom_log_b(double b, double beta, double tau)
{
	double		bt = b * tau;

	if (bt < 1.0)
		return log(beta + expm1(bt));
	return bt + log1p((beta - 1.0) * exp(-bt));
}

/* ln q(tau), q(tau) = e^(b tau) / B(tau) (the hazard over b eta). */
static double
ggom_log_q(double b, double beta, double tau)
{
	double		bt = b * tau;

	if (bt < 1.0)
		return bt - log(beta + expm1(bt));
	return -log1p((beta - 1.0) * exp(-bt));
}

/*
 * D = ln B(tau0 + u) - ln B(tau0) = ln(1 + q(tau0) (e^(b u) - 1)) for u >= 0
 * given q0 = q(tau0): by log1p while the product is finite (exact also when
 * u is far below tau0), else the difference of logarithms (then D > 700).
 */
static double
ggom_log_growth(double b, double beta, double tau0, double q0, double u)
{
	double		v = q0 * expm1(b * u);

	if (isfinite(v))
		return log1p(v);
	return ggom_log_b(b, beta, tau0 + u) - ggom_log_b(b, beta, tau0);
}

/*
 * Distance from tau to the real zero of B, ln(1 - beta) / b < 0, behind
 * every tau >= 0 (infinite when beta >= 1: no real zero).
 */
static double
ggom_real_zero_distance(double b, double beta, double tau)
{
	if (beta < 1.0)
		return tau - log1p(-beta) / b;
	return INFINITY;
}

/*
 * Distance from the real axis of the complex zeros of B: e^(b tau) = 1 - beta
 * at imaginary parts -+ pi / b (beta > 1) or -+ 2 pi / b (beta < 1, beside
 * the real zero).
 */
static double
ggom_complex_zero_distance(double b, double beta)
{
	return (beta < 1.0 ? 2.0 * M_PI : M_PI) / b;
}

/*
 * A positive integrand e^lf(u) on offsets u in [0, span] of the quadrature,
 * with what ggom_integrate needs to lay out its panels: log_f (and, when
 * dlog is not NULL, the gradient of lf in the model's parameters), a bound
 * on |lf'| over a panel starting at u, the distance from u to the nearest
 * real singularity of lf (behind u), and whether lf is non-increasing from
 * u to span.
 */
typedef struct GgomIntegrand GgomIntegrand;

struct GgomIntegrand
{
	double		(*log_f) (const GgomIntegrand *g, double u, double *dlog);
	double		(*slope) (const GgomIntegrand *g, double u);
	double		(*behind) (const GgomIntegrand *g, double u);
	bool		(*falls_from) (const GgomIntegrand *g, double u);
	int			ngrad;			/* gradient components (0: none) */
	/* the model and the customer */
	double		r,
				alpha,
				b,
				s,
				beta,
				x,
				tx,
				T;
	/* what the integrands precompute */
	double		tau0;			/* the time of offset 0 */
	double		q0;				/* q(tau0) */
	double		log_q0;
	double		log_b0;			/* ln B(tau0) */
	double		qT;				/* q(T) */
	double		log_bT;			/* ln B(T) */
	double		inv_b0;			/* 1 / B(tau0) */
	double		inv_bT;			/* 1 / B(T) */
	double		log_ca;			/* ln(alpha + t_x) */
	double		log_aT;			/* ln(alpha + T) */
};

/*
 * Panels of ggom_integrate: far more than any integrand of these models
 * needs (each panel lowers lf by about GGOM_PANEL_LOG_DROP or is limited by
 * a singularity whose distance then grows by half).
 */
#define GGOM_QUAD_MAX_PANELS 200000

/*
 * How much lf may change across a panel: the 12-point rule then integrates
 * e^lf to about (GGOM_PANEL_LOG_DROP / 2)^24 / 24! = 3e-17 relative (the
 * Taylor remainder of e^lf about the panel's midpoint, which the 24th-degree
 * exactness of the rule leaves as the error).
 */
#define GGOM_PANEL_LOG_DROP 4.0

/*
 * A panel spans at most the distance from its start to the nearest real
 * singularity (all lie behind it, at tau < 0) and at most this fraction of
 * the distance of the complex ones from the real axis, so that e^lf is
 * analytic in the Bernstein ellipse of parameter rho >= 5.2 around it
 * (rho = 3 + sqrt 8 for a real singularity one panel width behind the start,
 * 2.5 + sqrt 7.25 for a complex one 2.5 half-widths above its middle) and
 * the 12-point rule's error, of order rho^-24 < 1e-17 (Trefethen 2008, "Is
 * Gauss quadrature better than Clenshaw-Curtis?", theorem 4.5), is below
 * rounding.
 */
#define GGOM_PANEL_COMPLEX_FRACTION 0.8

/* One panel's 12-point Gauss-Legendre sums, scaled by e^-m. */
typedef struct GgomPanel
{
	double		m;				/* the largest lf at the nodes */
	double		v;				/* sum w_k e^(lf_k - m) */
	double		dv[GGOM_NPARAMS];	/* the same times the gradient of lf */
} GgomPanel;

static void
ggom_panel(const GgomIntegrand *g, double a, double w, GgomPanel *out)
{
	const double *node;
	const double *weight;
	double		lf[GAUSS_LEGENDRE_N];
	double		dl[GAUSS_LEGENDRE_N][GGOM_NPARAMS];
	double		half = 0.5 * w;

	gauss_legendre(&node, &weight);
	out->m = -INFINITY;
	for (int k = 0; k < GAUSS_LEGENDRE_N; k++)
	{
		lf[k] = g->log_f(g, a + half * (1.0 + node[k]), g->ngrad > 0 ? dl[k] : NULL);
		out->m = Max(out->m, lf[k]);
	}
	out->v = 0.0;
	memset(out->dv, 0, sizeof(out->dv));
	if (!isfinite(out->m))
		return;					/* all zero, or NaN from overflow: left to the caller */
	for (int k = 0; k < GAUSS_LEGENDRE_N; k++)
	{
		double		f = weight[k] * half * exp(lf[k] - out->m);

		out->v += f;
		for (int j = 0; j < g->ngrad; j++)
			out->dv[j] += f * dl[k][j];
	}
}

/* The running total of ggom_integrate: e^scale (sum, dsum). */
typedef struct GgomSum
{
	double		scale;
	double		sum;
	double		dsum[GGOM_NPARAMS];
} GgomSum;

/* Adds a panel to the total, rescaling the total when the panel is larger. */
static void
ggom_sum_add(GgomSum *acc, const GgomPanel *p, int ngrad)
{
	double		f;

	if (p->v == 0.0)
		return;
	if (p->m > acc->scale)
	{
		double		shrink = exp(acc->scale - p->m);

		acc->sum *= shrink;
		for (int j = 0; j < ngrad; j++)
			acc->dsum[j] *= shrink;
		acc->scale = p->m;
	}
	f = exp(p->m - acc->scale);
	acc->sum += p->v * f;
	for (int j = 0; j < ngrad; j++)
		acc->dsum[j] += p->dv[j] * f;
}

static void
ggom_quadrature_failed(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("GGompertz/NBD lifetime integral did not converge"),
			 errdetail("The quadrature needed more than %d panels or a value overflowed.",
					   GGOM_QUAD_MAX_PANELS),
			 errhint("Check the model's parameters: b, s or beta may be extreme.")));
}

/*
 * ln int_0^span e^lf(u) du and, when g->ngrad > 0, the integral's weighted
 * mean of the gradient of lf into dmean.  Panels from u = 0, each no wider
 * than GGOM_PANEL_LOG_DROP / slope, than the distance to the nearest real
 * singularity, nor than GGOM_PANEL_COMPLEX_FRACTION of that of the complex
 * ones from the real axis, so that one 12-point rule per panel
 * resolves it to rounding (the a-priori bounds above; no panel is
 * integrated twice).  The widths never shrink (slope bounds do not grow and
 * distances do not shrink along u), so the panels advance.  They stop once
 * lf falls from u on and what is left (at most e^lf(u) (span - u)) no
 * longer counts.  Errors 22003 past GGOM_QUAD_MAX_PANELS or on overflow.
 */
static double
ggom_integrate(const GgomIntegrand *g, double span, double *dmean)
{
	GgomSum		acc = {-INFINITY, 0.0, {0}};
	int			panels = 0;
	double		u = 0.0;

	while (u < span)
	{
		double		width = Min(Min(span - u, GGOM_PANEL_LOG_DROP / g->slope(g, u)),
								Min(g->behind(g, u),
									GGOM_PANEL_COMPLEX_FRACTION *
									ggom_complex_zero_distance(g->b, g->beta)));
		double		end;
		GgomPanel	panel;

		if (!(width > 0.0))
			ggom_quadrature_failed();
		end = width < span - u ? u + width : span;
		if (!(end > u))
			ggom_quadrature_failed();	/* below the rounding of u */
		if (++panels > GGOM_QUAD_MAX_PANELS)
			ggom_quadrature_failed();
		if ((panels & 63) == 0)
			CHECK_FOR_INTERRUPTS();
		ggom_panel(g, u, end - u, &panel);
		if (isnan(panel.m))
			ggom_quadrature_failed();
		ggom_sum_add(&acc, &panel, g->ngrad);
		u = end;
		if (u < span && acc.sum > 0.0 && g->falls_from(g, u) &&
			g->log_f(g, u, NULL) - acc.scale + log(span - u) < log(acc.sum) - 40.0)
			break;
	}
	if (!(acc.sum > 0.0) || !isfinite(acc.sum))
		ggom_quadrature_failed();
	for (int j = 0; j < g->ngrad; j++)
		dmean[j] = acc.dsum[j] / acc.sum;
	return acc.scale + log(acc.sum);
}

/*
 * The likelihood's integrand over offsets u = tau - t_x:
 * phi(tau) = ln b + b tau - (r+x) ln(alpha+tau) - (s+1) ln B(tau)
 *			  + (r+x) ln(alpha+T) + s ln B(T),
 * less phi(t_x) (ggom_log_ratio adds it back), so R = s int e^phi.
 * Its gradient in (r, alpha, b, s, beta) is that of phi at tau:
 *	 ln((alpha+T)/(alpha+tau)), -(r+x)(T-tau)/((alpha+T)(alpha+tau)),
 *	 1/b + tau (1 - (s+1) q(tau)) + s T q(T), ln B(T) - ln B(tau),
 *	 s / B(T) - (s+1) / B(tau).
 */
/*
 * ggom_ratio_log_f where B(tau) / B(t_x) overflows: the same in logarithms
 * (ggom_log_growth), then D > 700.
 */
static double
ggom_ratio_log_f_far(const GgomIntegrand *g, double u, double *dlog)
{
	double		rx = g->r + g->x;
	double		ca = g->alpha + g->tx;
	double		d = ggom_log_growth(g->b, g->beta, g->tx, g->q0, u);

	if (dlog)
	{
		double		tau = g->tx + u;
		double		left = (g->T - g->tx) - u;
		double		log_btau = g->log_b0 + d;
		double		qtau = exp(g->log_q0 + g->b * u - d);

		dlog[0] = log1p(left / (ca + u));
		dlog[1] = -rx * left / ((g->alpha + g->T) * (ca + u));
		dlog[2] = 1.0 / g->b + tau * (1.0 - (g->s + 1.0) * qtau) + g->s * g->T * g->qT;
		dlog[3] = g->log_bT - log_btau;
		dlog[4] = g->s * exp(-g->log_bT) - (g->s + 1.0) * exp(-log_btau);
	}
	return g->b * u - rx * log1p(u / ca) - (g->s + 1.0) * d;
}

static double
ggom_ratio_log_f(const GgomIntegrand *g, double u, double *dlog)
{
	double		rx = g->r + g->x;
	double		ca = g->alpha + g->tx;
	double		em1 = expm1(g->b * u);
	double		growth = g->q0 * em1;	/* B(tau) / B(t_x) - 1 */
	double		la = log1p(u / ca);
	double		d;

	if (!isfinite(growth))
		return ggom_ratio_log_f_far(g, u, dlog);
	d = log1p(growth);
	if (dlog)
	{
		/*
		 * B(tau) = B(t_x) (1 + growth) and q(tau) = q(t_x) e^(b u) / (1 +
		 * growth): only divisions beyond the value's own logarithms.
		 */
		double		tau = g->tx + u;
		double		left = (g->T - g->tx) - u;
		double		qtau = g->q0 * (1.0 + em1) / (1.0 + growth);

		dlog[0] = g->log_aT - g->log_ca - la;
		dlog[1] = -rx * left / ((g->alpha + g->T) * (ca + u));
		dlog[2] = 1.0 / g->b + tau * (1.0 - (g->s + 1.0) * qtau) + g->s * g->T * g->qT;
		dlog[3] = g->log_bT - g->log_b0 - d;
		dlog[4] = g->s * g->inv_bT - (g->s + 1.0) * g->inv_b0 / (1.0 + growth);
	}
	return g->b * u - rx * la - (g->s + 1.0) * d;
}

/* q(tau0 + u) without overflow. */
static inline double
ggom_q_at(const GgomIntegrand *g, double u)
{
	return exp(g->log_q0 + g->b * u - ggom_log_growth(g->b, g->beta, g->tau0, g->q0, u));
}

/*
 * |phi'| <= (r+x)/(alpha+tau) + b + b (s+1) max(q, 1): the first term falls
 * along tau, and q rises to 1 (beta > 1) or falls to 1 (beta < 1).
 */
static double
ggom_ratio_slope(const GgomIntegrand *g, double u)
{
	return (g->r + g->x) / (g->alpha + g->tx + u) +
		g->b * (1.0 + (g->s + 1.0) * Max(ggom_q_at(g, u), 1.0));
}

static double
ggom_ratio_behind(const GgomIntegrand *g, double u)
{
	return Min(g->alpha + g->tx + u, ggom_real_zero_distance(g->b, g->beta, g->tx + u));
}

/*
 * phi' = b (1 - (s+1) q(tau)) - (r+x)/(alpha+tau): the first term is
 * negative for good once it is (q is monotone and tends to 1), the second
 * always is.
 */
static bool
ggom_ratio_falls(const GgomIntegrand *g, double u)
{
	return g->beta <= 1.0 || (g->s + 1.0) * ggom_q_at(g, u) >= 1.0;
}

/* Sets the model's and customer's fields of an integrand based at tau0. */
static void
ggom_integrand_init(GgomIntegrand *g, const double *p, double x, double tx, double T,
					double tau0)
{
	g->r = p[0];
	g->alpha = p[1];
	g->b = p[2];
	g->s = p[3];
	g->beta = p[4];
	g->x = x;
	g->tx = tx;
	g->T = T;
	g->tau0 = tau0;
	g->log_q0 = ggom_log_q(g->b, g->beta, tau0);
	g->q0 = exp(g->log_q0);
	g->log_b0 = ggom_log_b(g->b, g->beta, tau0);
	g->qT = exp(ggom_log_q(g->b, g->beta, T));
	g->log_bT = ggom_log_b(g->b, g->beta, T);
	g->inv_b0 = exp(-g->log_b0);
	g->inv_bT = exp(-g->log_bT);
	g->log_ca = log(g->alpha + tx);
	g->log_aT = log(g->alpha + T);
	g->ngrad = 0;
}

/*
 * ln R (-Infinity when t_x = T) and, when dlr is not NULL, its gradient in
 * (r, alpha, b, s, beta):
 *	 ln R = ln s + phi(t_x) + ln int_0^{T-t_x} e^(phi(t_x+u) - phi(t_x)) du,
 *	 phi(t_x) = ln(b q(t_x)) + (r+x) ln((alpha+T)/(alpha+t_x))
 *				+ s (ln B(T) - ln B(t_x)).
 * When ldead is not NULL it is set to ln R less the terms that depend on T
 * outside the integral, ln s + ln(b q(t_x)) + ln int: the likelihood's
 * second term is its first at T = t_x times e^ldead (ggom_loglik), which
 * avoids cancelling the large terms of ln R and of the first when T is huge.
 */
static double
ggom_log_ratio(const double *p, double x, double tx, double T, double *dlr,
			   double *ldead)
{
	GgomIntegrand g;
	double		span = T - tx;
	double		phi0;
	double		li;

	if (tx >= T)
	{
		if (dlr)
			memset(dlr, 0, sizeof(double) * GGOM_NPARAMS);
		if (ldead)
			*ldead = -INFINITY;
		return -INFINITY;
	}
	ggom_integrand_init(&g, p, x, tx, T, tx);
	g.log_f = ggom_ratio_log_f;
	g.slope = ggom_ratio_slope;
	g.behind = ggom_ratio_behind;
	g.falls_from = ggom_ratio_falls;
	g.ngrad = dlr ? GGOM_NPARAMS : 0;
	phi0 = log(g.b) + g.log_q0 + (g.r + x) * log1p(span / (g.alpha + tx)) +
		g.s * ggom_log_growth(g.b, g.beta, tx, g.q0, span);
	li = ggom_integrate(&g, span, dlr);
	if (dlr)
		dlr[3] += 1.0 / g.s;
	if (ldead)
		*ldead = log(g.s) + log(g.b) + g.log_q0 + li;
	return log(g.s) + phi0 + li;
}

/* 1 / (1 + e^lr) without overflow. */
static inline double
ggom_alive_of(double lr)
{
	return lr > 0 ? exp(-lr) / (1.0 + exp(-lr)) : 1.0 / (1.0 + exp(lr));
}

/*
 * The survival integrand of the expectations over offsets u from T:
 * (B(T) / B(T+u))^s, i.e. lf = -s (ln B(T+u) - ln B(T)); decreasing, with
 * |lf'| = s b q(T+u) <= s b max(q, 1).
 */
static double
ggom_survival_log_f(const GgomIntegrand *g, double u, double *dlog)
{
	return -g->s * ggom_log_growth(g->b, g->beta, g->tau0, g->q0, u);
}

static double
ggom_survival_slope(const GgomIntegrand *g, double u)
{
	return g->s * g->b * Max(ggom_q_at(g, u), 1.0);
}

static double
ggom_survival_behind(const GgomIntegrand *g, double u)
{
	return ggom_real_zero_distance(g->b, g->beta, g->tau0 + u);
}

static bool
ggom_survival_falls(const GgomIntegrand *g, double u)
{
	return true;
}

/*
 * int_0^t (B(T) / B(T+u))^s du, the expected time alive in (T, T + t] of a
 * customer alive at T.  The offsets are measured from the start of each
 * window so that a window far out keeps its digits; windows start where
 * the previous ended.
 */
static double
ggom_time_alive(const double *p, double T, double t)
{
	GgomIntegrand g;

	if (t == 0.0)
		return 0.0;
	ggom_integrand_init(&g, p, 0.0, T, T, T);
	g.log_f = ggom_survival_log_f;
	g.slope = ggom_survival_slope;
	g.behind = ggom_survival_behind;
	g.falls_from = ggom_survival_falls;
	return exp(ggom_integrate(&g, t, NULL));
}

/* E[X(t) | alive at T] = (r+x)/(alpha+T) * the expected time alive. */
static double
ggom_expected_alive(const double *p, double t, double x, double T)
{
	double		rate = exp(log_of_sum(p[0], x) - log_of_sum(p[1], T));

	return rate * ggom_time_alive(p, T, t);
}

/*
 * E[X(t) | alive at T] at t = (first + j) step, j < n: the integral up to
 * the first, then window by window (B(T+u) for u in a window is B(T') of
 * its start T' times the growth, so each window is an integral based at
 * its start, scaled by (B(T)/B(T'))^s).
 */
void
ggomnbd_expected_alive_steps(const double *params, double x, double T, double step,
							 int first, int n, double *out)
{
	double		rate = exp(log_of_sum(params[0], x) - log_of_sum(params[1], T));
	double		b = params[2],
				s = params[3],
				beta = params[4];
	double		log_bT = ggom_log_b(b, beta, T);
	double		total = ggom_time_alive(params, T, first * step);

	for (int j = 0; j < n; j++)
	{
		if (j > 0)
		{
			double		start = T + (first + j - 1) * step;
			double		shrink = exp(-s * (ggom_log_b(b, beta, start) - log_bT));

			total += shrink * ggom_time_alive(params, start, step);
		}
		out[j] = rate * total;
	}
}

/* P(alive) of a summary (1 when t_x = T). */
static double
ggom_p_alive(const double *p, double x, double tx, double T)
{
	if (tx >= T)
		return 1.0;
	return ggom_alive_of(ggom_log_ratio(p, x, tx, T, NULL, NULL));
}

/*
 * P(alive) through the call site's memo under the key (x, t_x, T): real
 * summaries repeat, and each is a quadrature.  consts[0..4] are the model's
 * parameters.
 */
double
ggomnbd_p_alive_memo(FunctionCallInfo fcinfo, const double *consts, int nconsts,
					 double x, double tx, double T)
{
	double		v;
	bool		hit;
	BtydMemoEntry *slot;

	if (tx >= T)
		return 1.0;
	slot = btyd_memo_slot(fcinfo, consts, nconsts, x, tx, T, &v, &hit);
	if (!hit)
	{
		v = ggom_p_alive(consts, x, tx, T);
		btyd_memo_store(slot, x, tx, T, v);
	}
	return v;
}

/* ln(B(T) / beta) = ln(1 + (e^(b T) - 1) / beta). */
static double
ggom_log_survival_odds(double b, double beta, double T)
{
	double		e = expm1(b * T);

	if (isfinite(e / beta))
		return log1p(e / beta);
	return ggom_log_b(b, beta, T) - log(beta);
}

/*
 * The log of the likelihood's first term (alive at age), less
 * ln(Gamma(r+x) / Gamma(r)) + x ln r: -r ln(1 + age/alpha)
 * + x (ln(r/alpha) - ln(1 + age/alpha)) - s ln(B(age)/beta), in pieces that
 * stay finite (as for Pareto/NBD).
 */
static double
ggom_log_alive_term(const double *p, double log_r_alpha, double x, double age)
{
	double		la = log1p_quotient(age, p[1]);

	return -p[0] * la + (x == 0 ? 0.0 : x * (log_r_alpha - la)) -
		p[3] * ggom_log_survival_odds(p[2], p[4], age);
}

/*
 * One customer's log-likelihood (Bemmaor & Glady eq. 4) at the customer's
 * parameters p and, when g is not NULL, its gradient in (r, alpha, b, s,
 * beta) (a BtydCustomerLogLik; arg unused):
 *	 LL = ln Gamma(r+x) - ln Gamma(r) + r ln alpha - (r+x) ln(alpha+T)
 *		  - s ln(B(T)/beta) + ln(1 + R),
 *	 d LL = d [all but the last] + w d ln R, w = R / (1 + R).
 * The value is ln(E1 + E2) of the two terms, E2 = E1 at t_x times e^ldead
 * (ggom_log_ratio), exact also when both are far below E1 at t_x.
 */
static double
ggom_customer_ll(void *arg, const double *p, double x, double tx, double T,
				 double lgam_rx, double dpsi, double *g)
{
	double		r = p[0],
				alpha = p[1],
				b = p[2],
				s = p[3],
				beta = p[4];
	double		log_r_alpha = log_quotient(r, alpha);
	double		dlr[GGOM_NPARAMS];
	double		ldead;
	double		lr = ggom_log_ratio(p, x, tx, T, g ? dlr : NULL, &ldead);
	double		e1 = ggom_log_alive_term(p, log_r_alpha, x, T);

	if (g)
	{
		double		w = lr > 0 ? 1.0 / (1.0 + exp(-lr)) : exp(lr) / (1.0 + exp(lr));
		double		qT = exp(ggom_log_q(b, beta, T));
		double		lodds = ggom_log_survival_odds(b, beta, T);

		g[0] = dpsi - log1p_quotient(T, alpha) + w * dlr[0];
		g[1] = r / alpha - (r + x) / (alpha + T) + w * dlr[1];
		g[2] = -s * T * qT + w * dlr[2];
		g[3] = -lodds + w * dlr[3];
		g[4] = -s / beta * expm1(-lodds) + w * dlr[4];
	}
	if (lr > 0)
		return lgam_rx + log_sum_exp(e1, ggom_log_alive_term(p, log_r_alpha, x, tx) + ldead);
	return lgam_rx + e1 + log1p(exp(lr));
}

const BtydCovariateMap ggomnbd_covariate_map = {1, -1.0, {4, -1}, -1.0, ggom_names};

/*
 * Weighted log-likelihood of the sample and, when grad is not NULL, its
 * gradient in (r, alpha, b, s, beta) and, for a sample with covariates, the
 * coefficients (alpha_i = alpha exp(-gamma'x_i), beta_i = beta
 * exp(-delta'z_i); btyd_sum_customer_loglik).
 */
static double
ggom_loglik(const double *p, const FitData *fd, double *grad)
{
	return btyd_sum_customer_loglik(&ggomnbd_covariate_map, GGOM_NPARAMS, p, fd, grad,
									ggom_customer_ll, NULL);
}

/*
 * b running off to 0 (with beta along, beta / b staying finite) is the
 * Pareto/NBD limit, where a penalizer would only pull b further down.
 */
static const char *
ggom_runoff_hint(const double *params, int i)
{
	if (i == 2 && params[2] < 1.0)
		return "b runs off to 0: the data are at the Pareto/NBD limit of the model "
			"(b -> 0 with beta / b as Pareto/NBD's beta); fit engage.paretonbd_fit instead. "
			"Scoring functions reject a model that did not converge.";
	return NULL;
}

static const BtydModelSpec ggom_spec = {
	"ggomnbd", GGOM_NPARAMS, ggom_names, ggom_loglik, true, ggom_runoff_hint,
	&ggomnbd_covariate_map, NULL
};

/* Final function of engage.ggomnbd_fit */
Datum
ggomnbd_fit_final(PG_FUNCTION_ARGS)
{
	return btyd_fit_final(fcinfo, &ggom_spec);
}

/* engage.ggomnbd_fit(engage.fitdata [, penalizer]) */
Datum
ggomnbd_fit_fitdata(PG_FUNCTION_ARGS)
{
	return btyd_fit_stored(fcinfo, &ggom_spec);
}

/* engage.ggomnbd_bootstrap(sample, replicates, seed [, penalizer]) */
Datum
ggomnbd_bootstrap(PG_FUNCTION_ARGS)
{
	return btyd_bootstrap(fcinfo, &ggom_spec);
}

Datum
ggomnbd_p_alive_sql(PG_FUNCTION_ARGS)
{
	double		p[GGOM_NPARAMS];
	double		x = PG_GETARG_FLOAT8(1),
				tx = PG_GETARG_FLOAT8(2),
				T = PG_GETARG_FLOAT8(3);

	GGOM_GETARG_MODEL(4, p);
	btyd_check_summary(x, tx, T);
	PG_RETURN_FLOAT8(finite_result(ggomnbd_p_alive_memo(fcinfo, p, GGOM_NPARAMS, x, tx, T),
								   "p_alive"));
}

/* 1 - P(alive) = R / (1 + R), accurate also where P(alive) is near 1. */
Datum
ggomnbd_churn_sql(PG_FUNCTION_ARGS)
{
	double		p[GGOM_NPARAMS];
	double		x = PG_GETARG_FLOAT8(1),
				tx = PG_GETARG_FLOAT8(2),
				T = PG_GETARG_FLOAT8(3);

	GGOM_GETARG_MODEL(4, p);
	btyd_check_summary(x, tx, T);
	if (tx >= T)
		PG_RETURN_FLOAT8(0.0);
	PG_RETURN_FLOAT8(finite_result(ggom_alive_of(-ggom_log_ratio(p, x, tx, T, NULL, NULL)),
								   "churn_probability"));
}

Datum
ggomnbd_expected_sql(PG_FUNCTION_ARGS)
{
	double		p[GGOM_NPARAMS];
	double		t = PG_GETARG_FLOAT8(1),
				x = PG_GETARG_FLOAT8(2),
				tx = PG_GETARG_FLOAT8(3),
				T = PG_GETARG_FLOAT8(4);

	GGOM_GETARG_MODEL(5, p);
	ensure_nonnegative(t, "t");
	btyd_check_summary(x, tx, T);
	PG_RETURN_FLOAT8(finite_result(ggom_expected_alive(p, t, x, T) *
								   ggomnbd_p_alive_memo(fcinfo, p, GGOM_NPARAMS, x, tx, T),
								   "expected_purchases"));
}

Datum
ggomnbd_expected_new_sql(PG_FUNCTION_ARGS)
{
	double		p[GGOM_NPARAMS];
	double		t = PG_GETARG_FLOAT8(1);

	GGOM_GETARG_MODEL(2, p);
	ensure_nonnegative(t, "t");
	PG_RETURN_FLOAT8(finite_result(ggom_expected_alive(p, t, 0.0, 0.0), "expected_purchases"));
}

Datum
ggomnbd_loglik_sql(PG_FUNCTION_ARGS)
{
	return btyd_loglik_sql(fcinfo, &ggom_spec);
}

/*
 * One customer: Poisson purchases at rate lambda until min(lifetime, T);
 * the Gompertz lifetime by inversion, tau = ln(1 + E / eta) / b, E ~ Exp(1).
 * Each pass returns or counts a purchase (at most BTYD_SIMULATE_MAX_PURCHASES).
 */
static void
ggom_draw(const double *p, double T, pg_prng_state *rng, int64 *x, double *tx)
{
	double		lambda = btyd_rgamma(rng, p[0], p[1]);
	double		eta = btyd_rgamma(rng, p[3], p[4]);
	double		lifetime = log1p(btyd_rexp(rng, 1.0) / eta) / p[2];
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
ggomnbd_simulate(PG_FUNCTION_ARGS)
{
	return btyd_simulate(fcinfo, GGOM_NPARAMS, ggom_names, &ggomnbd_covariate_map, ggom_draw);
}

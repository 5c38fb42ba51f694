/*-------------------------------------------------------------------------
 *
 * optim.c
 *	  Minimiser of the models' negative log-likelihoods (see optim.h):
 *	  BFGS on the inverse Hessian with a backtracking Armijo line search
 *	  (Nocedal & Wright 2006, algorithm 6.1 and 3.1), then Nelder-Mead
 *	  (Nelder & Mead 1965, with the usual coefficients 1, 2, 0.5, 0.5) from
 *	  the best point when BFGS stalls away from a stationary point.
 *	  The observed information of a fit: the Hessian by differences of the
 *	  gradient, inverted through its Cholesky factor.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <float.h>
#include <math.h>

#include "miscadmin.h"

#include "optim.h"

#define BFGS_MAX_ITER 1000
#define NM_MAX_ITER 5000
#define GRAD_TOL 1e-8			/* relative to 1 + |f| */
#define GRAD_TOL_STALLED 1e-5	/* accepted when no decrease is possible */
#define NM_TOL 1e-12
#define MAX_STEP 5.0			/* largest move of one coordinate per step */
#define MAX_EVALUATIONS 1000	/* objective calls of one minimisation */

/* An objective with its evaluation counter and gradient mode. */
typedef struct Problem
{
	ObjectiveFn f;
	bool		has_gradient;
	void	   *arg;
	int			n;
	double		bound;			/* |x_i| beyond this ends the search */
	int			evaluations;
	bool		last_valid;		/* the last analytic gradient, finite, and where */
	double		last_x[OPTIM_MAX_DIM];
	double		last_g[OPTIM_MAX_DIM];
} Problem;

/*
 * Whether the search must end unconverged: the evaluation budget is spent,
 * or x left the box |x_i| <= bound (the infimum lies at infinity).
 */
static bool
out_of_budget(const Problem *p, const double *x)
{
	if (p->evaluations >= MAX_EVALUATIONS)
		return true;
	for (int i = 0; i < p->n; i++)
		if (fabs(x[i]) > p->bound)
			return true;
	return false;
}

/* f(x), NaN mapped to +Infinity. */
static double
eval_value(Problem *p, const double *x)
{
	double		v;

	p->evaluations++;
	v = p->f(x, NULL, p->arg);
	return isnan(v) ? INFINITY : v;
}

/* f(x) and its gradient, analytic or by central differences. */
static double
eval_gradient(Problem *p, const double *x, double *g)
{
	double		v;
	double		xx[OPTIM_MAX_DIM];

	if (p->has_gradient)
	{
		p->evaluations++;
		v = p->f(x, g, p->arg);
		p->last_valid = isfinite(v);
		for (int i = 0; i < p->n; i++)
			p->last_valid = p->last_valid && isfinite(g[i]);
		memcpy(p->last_x, x, sizeof(double) * p->n);
		memcpy(p->last_g, g, sizeof(double) * p->n);
		return isnan(v) ? INFINITY : v;
	}
	v = eval_value(p, x);
	memcpy(xx, x, sizeof(double) * p->n);
	for (int i = 0; i < p->n; i++)
	{
		double		h = 6e-6 * (1.0 + fabs(x[i]));
		double		up,
					down;

		xx[i] = x[i] + h;
		up = eval_value(p, xx);
		xx[i] = x[i] - h;
		down = eval_value(p, xx);
		xx[i] = x[i];
		g[i] = (up - down) / (2.0 * h);
	}
	return v;
}

static double
max_abs(const double *v, int n)
{
	double		m = 0.0;

	for (int i = 0; i < n; i++)
		m = Max(m, fabs(v[i]));
	return m;
}

static double
dot(const double *u, const double *v, int n)
{
	double		s = 0.0;

	for (int i = 0; i < n; i++)
		s += u[i] * v[i];
	return s;
}

/* Sets H to the identity times scale. */
static void
set_identity(double *H, int n, double scale)
{
	for (int i = 0; i < n; i++)
		for (int j = 0; j < n; j++)
			H[i * n + j] = i == j ? scale : 0.0;
}

/* BFGS update of the inverse Hessian H with step s and gradient change y. */
static void
bfgs_update(double *H, const double *s, const double *y, int n)
{
	double		Hy[OPTIM_MAX_DIM];
	double		sy = dot(s, y, n);
	double		yHy;

	for (int i = 0; i < n; i++)
		Hy[i] = dot(H + i * n, y, n);
	yHy = dot(y, Hy, n);
	for (int i = 0; i < n; i++)
		for (int j = 0; j < n; j++)
			H[i * n + j] += ((sy + yHy) * s[i] * s[j] / sy -
							 Hy[i] * s[j] - s[i] * Hy[j]) / sy;
}

/*
 * BFGS from x, with the inverse Hessian approximation hinv0 (n x n) or, when
 * NULL, the identity scaled after the first step; true when the gradient
 * tolerance is met.  x and *value hold the best point found either way.
 */
static bool
bfgs(Problem *p, double *x, double *value, int *iterations, const double *hinv0)
{
	int			n = p->n;
	double		H[OPTIM_MAX_DIM * OPTIM_MAX_DIM];
	double		g[OPTIM_MAX_DIM],
				gnew[OPTIM_MAX_DIM],
				dir[OPTIM_MAX_DIM],
				xnew[OPTIM_MAX_DIM],
				s[OPTIM_MAX_DIM],
				y[OPTIM_MAX_DIM];
	double		f = eval_gradient(p, x, g);
	bool		scaled = hinv0 != NULL;

	if (hinv0)
		memcpy(H, hinv0, sizeof(double) * n * n);
	else
		set_identity(H, n, 1.0);
	*value = f;
	if (!isfinite(f))
		return false;
	for (int iter = 0; iter < BFGS_MAX_ITER; iter++)
	{
		double		slope;
		double		step = 1.0;
		double		fnew = INFINITY;
		double		longest;
		bool		accepted = false;

		CHECK_FOR_INTERRUPTS();
		(*iterations)++;
		if (max_abs(g, n) <= GRAD_TOL * (1.0 + fabs(f)))
			return true;
		for (int i = 0; i < n; i++)
			dir[i] = -dot(H + i * n, g, n);
		slope = dot(g, dir, n);
		if (!(slope < 0.0))
		{
			/* not a descent direction: restart from steepest descent */
			set_identity(H, n, 1.0);
			for (int i = 0; i < n; i++)
				dir[i] = -g[i];
			slope = dot(g, dir, n);
		}
		longest = max_abs(dir, n);
		if (longest > MAX_STEP)
			step = MAX_STEP / longest;
		for (int k = 0; k < 60 && p->evaluations < MAX_EVALUATIONS; k++)
		{
			for (int i = 0; i < n; i++)
				xnew[i] = x[i] + step * dir[i];
			fnew = eval_gradient(p, xnew, gnew);
			if (isfinite(fnew) && fnew <= f + 1e-4 * step * slope)
			{
				accepted = true;
				break;
			}
			step *= 0.5;
		}
		if (!accepted)
			return max_abs(g, n) <= GRAD_TOL_STALLED * (1.0 + fabs(f));
		for (int i = 0; i < n; i++)
		{
			s[i] = xnew[i] - x[i];
			y[i] = gnew[i] - g[i];
		}
		if (dot(s, y, n) > 1e-12 * sqrt(dot(s, s, n) * dot(y, y, n)))
		{
			if (!scaled)
			{
				set_identity(H, n, dot(s, y, n) / dot(y, y, n));
				scaled = true;
			}
			bfgs_update(H, s, y, n);
		}
		memcpy(x, xnew, sizeof(double) * n);
		memcpy(g, gnew, sizeof(double) * n);
		f = fnew;
		*value = f;
		if (out_of_budget(p, x))
			return false;
	}
	return max_abs(g, n) <= GRAD_TOL * (1.0 + fabs(f));
}

/* Nelder-Mead from x; true when the simplex values agree to NM_TOL. */
static bool
nelder_mead(Problem *p, double *x, double *value, int *iterations)
{
	int			n = p->n;
	double		pts[OPTIM_MAX_DIM + 1][OPTIM_MAX_DIM];
	double		val[OPTIM_MAX_DIM + 1];
	double		centre[OPTIM_MAX_DIM],
				trial[OPTIM_MAX_DIM],
				trial2[OPTIM_MAX_DIM];
	bool		converged = false;

	for (int v = 0; v <= n; v++)
	{
		memcpy(pts[v], x, sizeof(double) * n);
		if (v > 0)
			pts[v][v - 1] += 0.5;
		val[v] = eval_value(p, pts[v]);
	}
	for (int iter = 0; iter < NM_MAX_ITER; iter++)
	{
		int			best = 0,
					worst = 0,
					second = 0;
		double		ft,
					ft2;

		CHECK_FOR_INTERRUPTS();
		(*iterations)++;
		for (int v = 1; v <= n; v++)
		{
			if (val[v] < val[best])
				best = v;
			if (val[v] > val[worst])
				worst = v;
		}
		if (out_of_budget(p, pts[best]))
			break;
		second = best;
		for (int v = 0; v <= n; v++)
			if (v != worst && val[v] > val[second])
				second = v;
		if (isfinite(val[worst]) &&
			val[worst] - val[best] <= NM_TOL * (1.0 + fabs(val[best])))
		{
			converged = true;
			break;
		}
		for (int i = 0; i < n; i++)
		{
			centre[i] = 0.0;
			for (int v = 0; v <= n; v++)
				if (v != worst)
					centre[i] += pts[v][i] / n;
			trial[i] = centre[i] + (centre[i] - pts[worst][i]);
		}
		ft = eval_value(p, trial);
		if (ft < val[best])
		{
			for (int i = 0; i < n; i++)
				trial2[i] = centre[i] + 2.0 * (centre[i] - pts[worst][i]);
			ft2 = eval_value(p, trial2);
			if (ft2 < ft)
			{
				memcpy(trial, trial2, sizeof(double) * n);
				ft = ft2;
			}
		}
		else if (ft >= val[second])
		{
			/* contract towards the better of worst and reflected point */
			bool		outside = ft < val[worst];

			for (int i = 0; i < n; i++)
				trial2[i] = centre[i] + 0.5 * ((outside ? trial[i] : pts[worst][i]) - centre[i]);
			ft2 = eval_value(p, trial2);
			if (ft2 < Min(ft, val[worst]))
			{
				memcpy(trial, trial2, sizeof(double) * n);
				ft = ft2;
			}
			else
			{
				/* shrink towards the best point */
				for (int v = 0; v <= n; v++)
				{
					if (v == best)
						continue;
					for (int i = 0; i < n; i++)
						pts[v][i] = pts[best][i] + 0.5 * (pts[v][i] - pts[best][i]);
					val[v] = eval_value(p, pts[v]);
				}
				continue;
			}
		}
		memcpy(pts[worst], trial, sizeof(double) * n);
		val[worst] = ft;
	}
	{
		int			best = 0;

		for (int v = 1; v <= n; v++)
			if (val[v] < val[best])
				best = v;
		memcpy(x, pts[best], sizeof(double) * n);
		*value = val[best];
	}
	return converged;
}

OptimResult
optim_minimize(ObjectiveFn f, bool has_gradient, void *arg, double *x, int n,
			   double bound)
{
	return optim_minimize_from(f, has_gradient, arg, x, n, bound, NULL);
}

OptimResult
optim_minimize_from(ObjectiveFn f, bool has_gradient, void *arg, double *x, int n,
					double bound, const double *hinv0)
{
	Problem		p = {.f = f, .has_gradient = has_gradient, .arg = arg, .n = n, .bound = bound};
	OptimResult res = {0};

	Assert(n >= 1 && n <= OPTIM_MAX_DIM);
	res.converged = bfgs(&p, x, &res.value, &res.iterations, hinv0);
	if (!res.converged && !out_of_budget(&p, x))
	{
		/* Nelder-Mead from the best point, then BFGS again to polish */
		bool		nm = nelder_mead(&p, x, &res.value, &res.iterations);

		res.converged = bfgs(&p, x, &res.value, &res.iterations, NULL) ||
			(nm && isfinite(res.value));
	}
	res.evaluations = p.evaluations;
	res.has_gradient = p.last_valid && memcmp(p.last_x, x, sizeof(double) * n) == 0;
	if (res.has_gradient)
		memcpy(res.gradient, p.last_g, sizeof(double) * n);
	return res;
}

bool
optim_hessian(ObjectiveFn f, void *arg, const double *x, int n, double h,
			  const double *g0, double *hess)
{
	double		xx[OPTIM_MAX_DIM];
	double		g[OPTIM_MAX_DIM];

	Assert(n >= 1 && n <= OPTIM_MAX_DIM);
	memcpy(xx, x, sizeof(double) * n);
	for (int j = 0; j < n; j++)
	{
		CHECK_FOR_INTERRUPTS();
		xx[j] = x[j] + h;
		if (!isfinite(f(xx, g, arg)))
			return false;
		xx[j] = x[j];
		for (int i = 0; i < n; i++)
		{
			hess[i * n + j] = (g[i] - g0[i]) / h;
			if (!isfinite(hess[i * n + j]))
				return false;
		}
	}
	for (int i = 0; i < n; i++)
		for (int j = 0; j < i; j++)
			hess[i * n + j] = hess[j * n + i] =
				0.5 * (hess[i * n + j] + hess[j * n + i]);
	return true;
}

/*
 * A pivot below this fraction of its diagonal entry counts as zero: the
 * matrix is singular to working precision (differenced Hessians carry
 * relative errors far above DBL_EPSILON).
 */
#define CHOLESKY_MIN_PIVOT 1e-10

int
optim_cholesky_inverse(const double *a, int n, double *inv)
{
	double		l[OPTIM_MAX_DIM * OPTIM_MAX_DIM] = {0};
	double		linv[OPTIM_MAX_DIM * OPTIM_MAX_DIM] = {0};

	Assert(n >= 1 && n <= OPTIM_MAX_DIM);
	/* a = L L^T */
	for (int j = 0; j < n; j++)
	{
		double		d = a[j * n + j];

		for (int k = 0; k < j; k++)
			d -= l[j * n + k] * l[j * n + k];
		if (!(d > CHOLESKY_MIN_PIVOT * fabs(a[j * n + j])) || !isfinite(d))
			return j;
		l[j * n + j] = sqrt(d);
		for (int i = j + 1; i < n; i++)
		{
			double		s = a[i * n + j];

			for (int k = 0; k < j; k++)
				s -= l[i * n + k] * l[j * n + k];
			l[i * n + j] = s / l[j * n + j];
		}
	}
	/* L^-1, lower triangular, by forward substitution */
	for (int j = 0; j < n; j++)
	{
		linv[j * n + j] = 1.0 / l[j * n + j];
		for (int i = j + 1; i < n; i++)
		{
			double		s = 0.0;

			for (int k = j; k < i; k++)
				s -= l[i * n + k] * linv[k * n + j];
			linv[i * n + j] = s / l[i * n + i];
		}
	}
	/* a^-1 = L^-T L^-1 */
	for (int i = 0; i < n; i++)
		for (int j = 0; j <= i; j++)
		{
			double		s = 0.0;

			for (int k = i; k < n; k++)
				s += linv[k * n + i] * linv[k * n + j];
			inv[i * n + j] = inv[j * n + i] = s;
		}
	return -1;
}

/*-------------------------------------------------------------------------
 *
 * btyd_pmf.c
 *	  The counting models behind one switch (diagnostics.h), and the
 *	  conditional distribution of a customer's future purchases,
 *	  P(X(T, T + t) = n | x, t_x, T), for BG/NBD, MBG/NBD and Pareto/NBD.
 *
 * In all three models an alive customer's purchase rate and dropout
 * process are memoryless, so a customer who is alive at T behaves from T on
 * as a new customer whose mixing distributions are the posteriors given the
 * summary (x, t_x, T) and survival to T.  The conditional PMF is therefore
 *
 *	 P(X(T, T + t) = n | x, t_x, T) = [n = 0] (1 - P(alive))
 *									  + P(alive) P_new(n, t; posterior)
 *
 * with P_new the PMF of a new customer:
 *	 BG/NBD (Fader, Hardie & Lee, "Deriving the conditional PMF of the
 *	 BG/NBD model", the note's final expression): lambda ~ Gamma(r+x,
 *	 alpha+T), p ~ Beta(a, b+x): FHL 2005 eq. (8) at (r+x, alpha+T, a, b+x);
 *	 MBG/NBD (the same argument; the customer has also survived the dropout
 *	 chance right after the first purchase): FHL 2005 eq. (8), i.e. with no
 *	 dropout at T, at (r+x, alpha+T, a, b+x+1);
 *	 Pareto/NBD (Fader & Hardie, "Deriving the conditional PMF of the
 *	 Pareto/NBD model"):
 *	 lambda ~ Gamma(r+x, alpha+T), mu ~ Gamma(s, beta+T): Fader & Hardie
 *	 (2006) P(X(t) = n) at (r+x, alpha+T, s, beta+T).
 * The mean of this PMF is E[X(T, T + t) | x, t_x, T] (FHL 2005 eq. 10 and
 * its analogues), which the tests check.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "diagnostics.h"
#include "engage.h"

PG_FUNCTION_INFO_V1(bgnbd_cond_prob_sql);
PG_FUNCTION_INFO_V1(mbgnbd_cond_prob_sql);
PG_FUNCTION_INFO_V1(paretonbd_cond_prob_sql);

static const char *const bg_names[] = {"r", "alpha", "a", "b"};
static const char *const pnbd_names[] = {"r", "alpha", "s", "beta"};

void
btyd_family_getarg(FunctionCallInfo fcinfo, BtydFamily f, int argno, double *params)
{
	BTYD_GETARG_MODEL(argno, 4, f == BTYD_PARETONBD ? pnbd_names : bg_names, params);
	btyd_reject_coefficients(PG_GETARG_DATUM(argno), 4, BTYD_COUNTING_COVARIATES_HINT);
}

double
btyd_family_p_alive(FunctionCallInfo fcinfo, BtydFamily f, const double *params,
					double x, double tx, double T)
{
	switch (f)
	{
		case BTYD_BGNBD:
			return bgnbd_p_alive(params, x, tx, T);
		case BTYD_MBGNBD:
			return mbgnbd_p_alive(params, x, tx, T);
		case BTYD_PARETONBD:
			return paretonbd_p_alive_memo(fcinfo, params, 4, x, tx, T);
	}
	pg_unreachable();
}

void
btyd_family_expected_steps(BtydFamily f, const double *params, double alive,
						   double x, double T, double step, int first, int n,
						   double *out)
{
	Assert(n <= BTYD_STEPS_MAX);
	switch (f)
	{
		case BTYD_BGNBD:
			bgnbd_expected_alive_steps(params, x, T, step, first, n, out);
			break;
		case BTYD_MBGNBD:
			mbgnbd_expected_alive_steps(params, x, T, step, first, n, out);
			break;
		case BTYD_PARETONBD:
			paretonbd_expected_alive_steps(params, x, T, step, first, n, out);
			break;
	}
	for (int j = 0; j < n; j++)
		out[j] *= alive;
}

double
btyd_family_expected(FunctionCallInfo fcinfo, BtydFamily f, const double *params,
					 double x, double tx, double T, double t)
{
	double		e;

	btyd_family_expected_steps(f, params, btyd_family_p_alive(fcinfo, f, params, x, tx, T),
							   x, T, t, 1, 1, &e);
	return e;
}

double
btyd_family_prob_new(BtydFamily f, const double *params, int n, double t)
{
	if (f == BTYD_PARETONBD)
		return paretonbd_prob_new(params, n, t);
	return bg_prob_new(params, f == BTYD_MBGNBD ? 1 : 0, n, t);
}

/* The conditional PMF of the file comment, given P(alive). */
double
btyd_family_prob_given(BtydFamily f, const double *params, double alive, int n,
					   double t, double x, double T)
{
	double		post[4];
	double		p;

	post[0] = params[0] + x;
	post[1] = params[1] + T;
	post[2] = params[2];
	if (f == BTYD_PARETONBD)
	{
		post[3] = params[3] + T;
		p = paretonbd_prob_new(post, n, t);
	}
	else
	{
		post[3] = params[3] + x + (f == BTYD_MBGNBD ? 1.0 : 0.0);
		p = bg_prob_new(post, 0, n, t);
	}
	p *= alive;
	if (n == 0)
		p += 1.0 - alive;
	return p;
}

/* Errors unless n >= 0. */
static inline void
ensure_count(int32 n)
{
	if (n < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("n must not be negative")));
}

/* prob_purchases(model, n, t, frequency, recency, age) */
static Datum
cond_prob_sql(FunctionCallInfo fcinfo, BtydFamily f)
{
	double		p[4];
	int32		n = PG_GETARG_INT32(1);
	double		t = PG_GETARG_FLOAT8(2),
				x = PG_GETARG_FLOAT8(3),
				tx = PG_GETARG_FLOAT8(4),
				T = PG_GETARG_FLOAT8(5);
	double		alive;

	btyd_family_getarg(fcinfo, f, 0, p);
	ensure_count(n);
	ensure_nonnegative(t, "t");
	btyd_check_summary(x, tx, T);
	alive = btyd_family_p_alive(fcinfo, f, p, x, tx, T);
	PG_RETURN_FLOAT8(finite_result(btyd_family_prob_given(f, p, alive, n, t, x, T),
								   "prob_purchases"));
}

Datum
bgnbd_cond_prob_sql(PG_FUNCTION_ARGS)
{
	return cond_prob_sql(fcinfo, BTYD_BGNBD);
}

Datum
mbgnbd_cond_prob_sql(PG_FUNCTION_ARGS)
{
	return cond_prob_sql(fcinfo, BTYD_MBGNBD);
}

Datum
paretonbd_cond_prob_sql(PG_FUNCTION_ARGS)
{
	return cond_prob_sql(fcinfo, BTYD_PARETONBD);
}

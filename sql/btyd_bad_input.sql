-- Bad input to the counting models (BG/NBD, MBG/NBD, Pareto/NBD): errors with SQLSTATE 22023,
-- documented NULLs, empty and degenerate samples, the penalizer.
SET client_min_messages = warning;   -- no "already exists" notice when an earlier test created it
CREATE EXTENSION IF NOT EXISTS engage;
RESET client_min_messages;

-- runs a statement that must fail, and shows its SQLSTATE and message
CREATE FUNCTION btyd_error(stmt text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE stmt;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END
$$;

-- summaries: negative frequency, fractional frequency, recency > age, negative or NaN values
SELECT btyd_error($$SELECT engage.bgnbd_fit(f, r, a) FROM (VALUES (-1::float8, 0::float8, 10::float8)) v(f, r, a)$$);
SELECT btyd_error($$SELECT engage.bgnbd_fit(f, r, a) FROM (VALUES (1.5::float8, 1::float8, 10::float8)) v(f, r, a)$$);
SELECT btyd_error($$SELECT engage.mbgnbd_fit(f, r, a) FROM (VALUES (1::float8, 11::float8, 10::float8)) v(f, r, a)$$);
SELECT btyd_error($$SELECT engage.paretonbd_fit(f, r, a) FROM (VALUES (1::float8, -1::float8, 10::float8)) v(f, r, a)$$);
SELECT btyd_error($$SELECT engage.bgnbd_fit(f, r, a) FROM (VALUES (1::float8, 'NaN'::float8, 10::float8)) v(f, r, a)$$);
SELECT btyd_error($$SELECT engage.bgnbd_fit(f, r, a) FROM (VALUES (1::float8, 1::float8, 'Infinity'::float8)) v(f, r, a)$$);
SELECT btyd_error($$SELECT engage.bgnbd_fit(f, r, a, w) FROM (VALUES (1::float8, 1::float8, 10::float8, -2::float8)) v(f, r, a, w)$$);
SELECT btyd_error($$SELECT engage.bgnbd_fit(f, r, a, w, p) FROM (VALUES (1::float8, 1::float8, 10::float8, 1::float8, -0.1::float8)) v(f, r, a, w, p)$$);
-- the penalizer must be the same on every row
SELECT btyd_error($$SELECT engage.bgnbd_fit(f, r, a, 1, p) FROM (VALUES (1::float8, 1::float8, 10::float8, 0.1::float8),
                                                     (2, 5, 10, 0.2)) v(f, r, a, p)$$);

-- no rows, or only NULL rows / zero weights: NULL
SELECT engage.bgnbd_fit(f, r, a) IS NULL AS empty FROM (VALUES (1::float8, 1::float8, 10::float8)) v(f, r, a) WHERE false;
SELECT engage.paretonbd_fit(f, r, a) IS NULL AS only_nulls FROM (VALUES (NULL::float8, 1::float8, 10::float8)) v(f, r, a);
SELECT engage.mbgnbd_fit(f, r, a, 0) IS NULL AS zero_weights FROM (VALUES (1::float8, 1::float8, 10::float8)) v(f, r, a);
-- rows with a NULL weight are skipped
SELECT engage.fitdata(f, r, a, w) FROM (VALUES (1::float8, 1::float8, 10::float8, NULL::float8),
    (2, 5, 20, 3), (0, 0, 30, 2), (4, 25, 30, 1)) v(f, r, a, w);

-- too few customers to determine the model: converged = false and a WARNING, not NaN
\set VERBOSITY terse
SELECT (m).converged, (m).customers, (m).loglik < 0 AS finite_loglik
FROM (SELECT engage.bgnbd_fit(f, r, a, w) AS m FROM (VALUES (2::float8, 5::float8, 20::float8, 3::float8),
      (0, 0, 30, 2), (4, 25, 30, 1)) v(f, r, a, w)) s;
SELECT (m).converged, (m).customers
FROM (SELECT engage.bgnbd_fit(1, 5, 10) AS m FROM generate_series(1, 3)) s;
\set VERBOSITY default

-- degenerate: nobody made a repeat purchase (no interior maximum, penalized or not)
SELECT engage.bgnbd_fit(0, 0, a) FROM generate_series(1, 50) AS a;
SELECT engage.paretonbd_fit(0, 0, a) FROM generate_series(1, 50) AS a;
SELECT engage.mbgnbd_fit(0, 0, a, 1, 0.1) FROM generate_series(1, 50) AS a;

-- the penalizer (lifetimes' convention: penalizer * sum(params^2) added to the negative mean
-- log-likelihood) shrinks the parameters and lowers the likelihood
CREATE TABLE pen_cdnow (id integer, frequency float8, recency float8, age float8);
\copy pen_cdnow FROM 'test/data/cdnow/cdnow_customers_summary.csv' WITH (FORMAT csv, HEADER)
SELECT round((m).r::numeric, 4) AS r, round((m).alpha::numeric, 4) AS alpha,
       round((m).a::numeric, 4) AS a, round((m).b::numeric, 4) AS b,
       round((m).loglik::numeric, 2) AS loglik, (m).converged
FROM (SELECT engage.bgnbd_fit(frequency, recency, age, 1, 0.01) AS m FROM pen_cdnow) s;
-- the penalised optimum is a minimum of the penalised objective: neighbours are worse
SELECT bool_and(-sum_ll / 2357 + 0.01 * ss > -(m).loglik / 2357 + 0.01 * ((m).r ^ 2 + (m).alpha ^ 2 + (m).a ^ 2 + (m).b ^ 2)) AS penalised_minimum
FROM (SELECT m, k, f,
             sum(engage.log_likelihood(ROW(r, alpha, a, b, NULL, NULL, NULL, NULL, NULL, NULL)::engage.bgnbd, frequency, recency, age)) AS sum_ll,
             r ^ 2 + alpha ^ 2 + a ^ 2 + b ^ 2 AS ss
      FROM pen_cdnow,
           (SELECT engage.bgnbd_fit(frequency, recency, age, 1, 0.01) AS m FROM pen_cdnow) f0,
           generate_series(1, 4) AS k, unnest(ARRAY[0.99, 1.01]) AS f,
           LATERAL (SELECT (m).r * CASE k WHEN 1 THEN f ELSE 1 END AS r, (m).alpha * CASE k WHEN 2 THEN f ELSE 1 END AS alpha,
                           (m).a * CASE k WHEN 3 THEN f ELSE 1 END AS a, (m).b * CASE k WHEN 4 THEN f ELSE 1 END AS b) p
      GROUP BY m, k, f, r, alpha, a, b) s
GROUP BY m;
-- the same penalizer through engage.fitdata
SELECT engage.bgnbd_fit(engage.fitdata(frequency, recency, age), 0.01)::text
       = (SELECT engage.bgnbd_fit(frequency, recency, age, 1, 0.01)::text FROM pen_cdnow) AS same
FROM pen_cdnow;
DROP TABLE pen_cdnow;

-- scoring: bad parameters, bad summaries, t < 0, n < 0
SELECT btyd_error($$SELECT engage.p_alive(ROW(-0.2, 4, 0.8, 2.4, NULL, NULL, NULL, NULL, NULL, NULL)::engage.bgnbd, 1, 1, 10)$$);
SELECT btyd_error($$SELECT engage.p_alive(ROW(0.2, 0, 0.8, 2.4, NULL, NULL, NULL, NULL, NULL, NULL)::engage.mbgnbd, 1, 1, 10)$$);
SELECT btyd_error($$SELECT engage.p_alive(ROW(0.2, 4, 'NaN', 2.4, NULL, NULL, NULL, NULL, NULL, NULL)::engage.paretonbd, 1, 1, 10)$$);
SELECT btyd_error($$SELECT engage.p_alive(ROW(0.2, 4, 0.8, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::engage.bgnbd, 1, 1, 10)$$);
SELECT btyd_error($$SELECT engage.p_alive(ROW(0.2, 4, 0.8, 'Infinity', NULL, NULL, NULL, NULL, NULL, NULL)::engage.bgnbd, 1, 1, 10)$$);
SELECT btyd_error($$SELECT engage.p_alive(engage.bgnbd(0.2, 4, 0.8, 2.4), 1, 11, 10)$$);
SELECT btyd_error($$SELECT engage.churn_probability(engage.paretonbd(0.2, 4, 0.8, 2.4), -1, 1, 10)$$);
SELECT btyd_error($$SELECT engage.expected_purchases(engage.bgnbd(0.2, 4, 0.8, 2.4), -1, 1, 1, 10)$$);
SELECT btyd_error($$SELECT engage.expected_purchases(engage.mbgnbd(0.2, 4, 0.8, 2.4), 'NaN')$$);
SELECT btyd_error($$SELECT engage.expected_purchases(engage.paretonbd(0.2, 4, 0.8, 2.4), 10, 1, 1, 'NaN')$$);
SELECT btyd_error($$SELECT engage.prob_purchases(engage.bgnbd(0.2, 4, 0.8, 2.4), -1, 10)$$);
SELECT btyd_error($$SELECT engage.prob_purchases(engage.paretonbd(0.2, 4, 0.8, 2.4), 1, -10)$$);
SELECT btyd_error($$SELECT engage.bgnbd_simulate(engage.bgnbd(0.2, 4, 0.8, 2.4), -1, 10, 1)$$);
-- NULL arguments give NULL (STRICT)
SELECT engage.p_alive(engage.bgnbd(0.2, 4, 0.8, 2.4), NULL, 1, 10) IS NULL AS null_in_null_out;
-- a model held in a PL/pgSQL variable (an expanded record) scores like a stored one
DO $$
DECLARE
    m engage.bgnbd := engage.bgnbd(0.243, 4.414, 0.793, 2.426);
BEGIN
    RAISE NOTICE 'e39 = %', round(engage.expected_purchases(m, 39, 2, 30.43, 38.86)::numeric, 3);
    m.a := 0.5;
    RAISE NOTICE 'p_alive = %', round(engage.p_alive(m, 2, 30.43, 38.86)::numeric, 4);
END
$$;
DROP FUNCTION btyd_error;

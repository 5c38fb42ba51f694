-- The observed information of a Pareto/NBD fit with covariates, which the fit computes
-- analytically (the second derivatives of every customer's log-likelihood, summed by group of
-- equal covariates), against central second differences of the summed log-likelihood taken
-- here, customer by customer through engage.log_likelihood: the fit's covariance times the
-- differenced information is the identity.  The sample makes customers take each way the
-- likelihood is computed: the closed form, t_x = T (the first term alone) and t_x within 1e-6
-- of T (the quadrature, whose second derivatives the fit takes by differences).
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS engage;
RESET client_min_messages;

CREATE TABLE info_cdnow (id integer, x integer, t_x float8, age float8, zbar float8);
\copy info_cdnow FROM 'test/data/cdnow/cdnow_customers_summary_with_transactions.csv' WITH (FORMAT csv, HEADER true)
CREATE TABLE info_sample AS
SELECT id, x, CASE WHEN id % 7 = 0 AND x > 0 THEN age - 1e-6
                   WHEN id % 5 = 0 AND x > 0 THEN age
                   ELSE t_x END AS t_x,
       age, (id % 2)::float8 AS g1, (id / 2 % 2)::float8 AS g2
FROM info_cdnow;
SELECT count(*) FILTER (WHERE x > 0 AND t_x = age) AS at_age,
       count(*) FILTER (WHERE x > 0 AND t_x < age AND age - t_x < 1e-5) AS just_before_age
FROM info_sample;

CREATE TABLE info_fit AS
SELECT engage.paretonbd_fit(x, t_x, age, ARRAY[g1], ARRAY[g2]) AS m FROM info_sample;
SELECT (m).converged, array_length((m).covariance, 1) AS covariance_rows FROM info_fit;

-- theta = (r, alpha, s, beta, purchase[1], dropout[1]); steps 1e-3 relative (absolute for the
-- coefficients); the summed log-likelihood at theta + a e_j + b e_k
CREATE TABLE info_theta AS
SELECT ARRAY[(m).r, (m).alpha, (m).s, (m).beta, (m).purchase_coefficients[1],
             (m).dropout_coefficients[1]] AS t
FROM info_fit;
CREATE FUNCTION pg_temp.info_ll(t float8[], j int, a float8, k int, b float8) RETURNS float8
LANGUAGE sql AS $$
  WITH u AS (SELECT array_agg(t[i] + CASE WHEN i = j THEN a ELSE 0 END
                                   + CASE WHEN i = k THEN b ELSE 0 END ORDER BY i) AS v
             FROM generate_series(1, 6) AS i)
  SELECT sum(engage.log_likelihood(engage.paretonbd(v[1], v[2], v[3], v[4], ARRAY[v[5]], ARRAY[v[6]]),
                                   x, t_x, age, ARRAY[g1], ARRAY[g2]))
  FROM u, info_sample
$$;
CREATE TABLE info_steps AS
SELECT j, CASE WHEN j <= 4 THEN 1e-3 * t[j] ELSE 1e-3 END AS h
FROM info_theta, generate_series(1, 6) AS j;
CREATE TABLE info_differenced AS
SELECT a.j, b.j AS k,
       -(pg_temp.info_ll(t, a.j, a.h, b.j, b.h) - pg_temp.info_ll(t, a.j, a.h, b.j, -b.h)
         - pg_temp.info_ll(t, a.j, -a.h, b.j, b.h) + pg_temp.info_ll(t, a.j, -a.h, b.j, -b.h))
       / (4 * a.h * b.h) AS info
FROM info_theta, info_steps AS a, info_steps AS b
WHERE a.j <= b.j;
INSERT INTO info_differenced SELECT k, j, info FROM info_differenced WHERE j < k;

-- covariance x information = identity: each entry scaled by sqrt(cov_ll / cov_jj), which
-- makes it independent of the parameters' units, within 1e-4 (the differences' own error is
-- about 1e-5)
SELECT max(abs((v - CASE WHEN j = l THEN 1 ELSE 0 END) *
               sqrt((m).covariance[l][l] / (m).covariance[j][j]))) < 1e-4 AS inverse_of_information
FROM (SELECT i.j, d.k AS l, sum((m).covariance[i.j][d.j] * d.info) AS v
      FROM info_fit, generate_series(1, 6) AS i(j), info_differenced AS d
      GROUP BY i.j, d.k) AS p, info_fit;

DROP TABLE info_cdnow, info_sample, info_fit, info_theta, info_steps, info_differenced;

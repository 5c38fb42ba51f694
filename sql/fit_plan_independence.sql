-- Fits and fit samples are the same to the last bit whatever the plan or the order of the rows:
-- each distinct summary's weight is summed exactly and rounded once, and the likelihood visits
-- the summaries in value order.  200,000 simulated customers with recency rounded to 0.1 week
-- (4,471 distinct summaries, each repeated many times) and fractional weights, whose plain
-- floating-point sums differ in the last bits between a serial and a parallel plan.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS engage;
RESET client_min_messages;
SET extra_float_digits = 3;
-- make valgrind (ENGAGE_VALGRIND set) simulates 20,000 customers: expected/fit_plan_independence_1.out
\getenv valgrind ENGAGE_VALGRIND
\if :{?valgrind}
\set customers 20000
\else
\set customers 200000
\endif

CREATE TABLE plan_customers AS
SELECT i, frequency, least(round(recency::numeric, 1)::float8, age) AS recency, age,
       0.1::float8 + (i % 7) * 0.1::float8 AS weight
FROM engage.bgnbd_simulate(engage.bgnbd(0.243, 4.414, 0.793, 2.426), :customers, 38, 7)
     WITH ORDINALITY AS s(frequency, recency, age, i);
CREATE TABLE plan_shuffled AS SELECT * FROM plan_customers ORDER BY md5(i::text);
CREATE TABLE plan_reversed AS SELECT * FROM plan_customers ORDER BY i DESC;
VACUUM ANALYZE plan_customers, plan_shuffled, plan_reversed;
SELECT count(*) AS customers, count(DISTINCT (frequency, recency, age)) AS distinct_summaries,
       round(sum(weight)::numeric, 3) AS total_weight
FROM plan_customers;

-- serial plans, three row orders
SET max_parallel_workers_per_gather = 0;
CREATE TABLE plan_answers AS
SELECT 'serial' AS plan, md5(engage.fitdata(frequency, recency, age, weight)::text) AS sample,
       engage.bgnbd_fit(frequency, recency, age, weight)::text AS bgnbd,
       engage.mbgnbd_fit(frequency, recency, age, weight)::text AS mbgnbd,
       engage.paretonbd_fit(frequency, recency, age, weight)::text AS paretonbd
FROM plan_customers;
INSERT INTO plan_answers
SELECT 'serial, shuffled rows', md5(engage.fitdata(frequency, recency, age, weight)::text),
       engage.bgnbd_fit(frequency, recency, age, weight)::text,
       engage.mbgnbd_fit(frequency, recency, age, weight)::text,
       engage.paretonbd_fit(frequency, recency, age, weight)::text
FROM plan_shuffled;
INSERT INTO plan_answers
SELECT 'serial, reversed rows', md5(engage.fitdata(frequency, recency, age, weight)::text),
       engage.bgnbd_fit(frequency, recency, age, weight)::text,
       engage.mbgnbd_fit(frequency, recency, age, weight)::text,
       engage.paretonbd_fit(frequency, recency, age, weight)::text
FROM plan_reversed;

-- forced parallel plans: partial states built by two workers and the leader, serialised
-- and combined
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF)
SELECT md5(engage.fitdata(frequency, recency, age, weight)::text) FROM plan_customers;
SELECT md5(engage.fitdata(frequency, recency, age, weight)::text) AS sample,
       engage.bgnbd_fit(frequency, recency, age, weight)::text AS bgnbd,
       engage.mbgnbd_fit(frequency, recency, age, weight)::text AS mbgnbd,
       engage.paretonbd_fit(frequency, recency, age, weight)::text AS paretonbd
FROM plan_customers \gset parallel_
SELECT md5(engage.fitdata(frequency, recency, age, weight)::text) AS sample,
       engage.bgnbd_fit(frequency, recency, age, weight)::text AS bgnbd
FROM plan_shuffled \gset parallel_shuffled_
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;

-- bit for bit: the same md5 of the sample's text, the same parameters with 17 digits
SELECT plan, sample = :'parallel_sample' AS same_sample, bgnbd = :'parallel_bgnbd' AS same_bgnbd,
       mbgnbd = :'parallel_mbgnbd' AS same_mbgnbd, paretonbd = :'parallel_paretonbd' AS same_paretonbd,
       sample = :'parallel_shuffled_sample' AND bgnbd = :'parallel_shuffled_bgnbd' AS same_parallel_shuffled
FROM plan_answers ORDER BY plan;
-- the fits are real (rounded, as libm may differ in the last digits)
SELECT round((m).r::numeric, 4) AS r, round((m).alpha::numeric, 3) AS alpha, round((m).a::numeric, 4) AS a,
       round((m).b::numeric, 4) AS b, round((m).customers::numeric, 1) AS customers, (m).converged
FROM (SELECT bgnbd::engage.bgnbd AS m FROM plan_answers WHERE plan = 'serial') AS s;

-- stored partial samples merge to the same value in any order
CREATE TABLE plan_shards AS
SELECT i % 5 AS shard, engage.fitdata(frequency, recency, age, weight) AS sample
FROM plan_customers GROUP BY i % 5;
SELECT (SELECT md5(engage.fitdata_merge(sample ORDER BY shard)::text) FROM plan_shards) =
       (SELECT md5(engage.fitdata_merge(sample ORDER BY shard DESC)::text) FROM plan_shards) AS merge_order_independent;

-- The same for a fit with covariates (Pareto/NBD, two purchase and one dropout covariate of
-- the customer: 4,471 summaries times 8 covariate combinations): serial against forced
-- parallel plans to the last bit, and stored partial samples merged in any order.
SET max_parallel_workers_per_gather = 0;
SELECT md5(engage.fitdata(frequency, recency, age, ARRAY[(i % 2)::float8, (i / 2 % 2)::float8],
                          ARRAY[(i / 4 % 2)::float8], weight)::text) AS sample,
       engage.paretonbd_fit(frequency, recency, age, ARRAY[(i % 2)::float8, (i / 2 % 2)::float8],
                            ARRAY[(i / 4 % 2)::float8], weight)::text AS paretonbd
FROM plan_customers \gset serial_cov_
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SELECT md5(engage.fitdata(frequency, recency, age, ARRAY[(i % 2)::float8, (i / 2 % 2)::float8],
                          ARRAY[(i / 4 % 2)::float8], weight)::text) = :'serial_cov_sample' AS same_sample,
       engage.paretonbd_fit(frequency, recency, age, ARRAY[(i % 2)::float8, (i / 2 % 2)::float8],
                            ARRAY[(i / 4 % 2)::float8], weight)::text = :'serial_cov_paretonbd' AS same_paretonbd
FROM plan_shuffled;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
SELECT engage.paretonbd_fit(engage.fitdata_merge(sample ORDER BY shard DESC))::text =
       engage.paretonbd_fit(engage.fitdata_merge(sample ORDER BY shard))::text AS merge_order_independent,
       (engage.paretonbd_fit(engage.fitdata_merge(sample))).converged
FROM (SELECT i % 5 AS shard,
             engage.fitdata(frequency, recency, age, ARRAY[(i % 2)::float8, (i / 2 % 2)::float8],
                            ARRAY[(i / 4 % 2)::float8], weight) AS sample
      FROM plan_customers GROUP BY i % 5) AS shards;

DROP TABLE plan_customers, plan_shuffled, plan_reversed, plan_answers, plan_shards;

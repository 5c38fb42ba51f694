-- The model aggregates and scores over engage.rfm summaries (frequency integer, recency, age,
-- monetary): the same values as over the columns.
SET client_min_messages = warning;   -- no "already exists" notice when an earlier test created it
CREATE EXTENSION IF NOT EXISTS engage;
RESET client_min_messages;

CREATE TABLE brfm_cdnow (id integer, frequency integer, recency float8, age float8, monetary float8);
\copy brfm_cdnow FROM 'test/data/cdnow/cdnow_customers_summary_with_transactions.csv' WITH (FORMAT csv, HEADER)
CREATE TABLE brfm_summary AS
    SELECT id, ROW(frequency, recency, age, monetary)::engage.rfm AS s FROM brfm_cdnow;

-- the same models as over the columns
SELECT engage.bgnbd_fit(s)::text = (SELECT engage.bgnbd_fit(frequency, recency, age)::text FROM brfm_cdnow) AS bgnbd_same,
       engage.mbgnbd_fit(s)::text = (SELECT engage.mbgnbd_fit(frequency, recency, age)::text FROM brfm_cdnow) AS mbgnbd_same,
       engage.paretonbd_fit(s)::text = (SELECT engage.paretonbd_fit(frequency, recency, age)::text FROM brfm_cdnow) AS paretonbd_same,
       engage.gammagamma_fit(s)::text = (SELECT engage.gammagamma_fit(frequency, monetary)::text FROM brfm_cdnow) AS gammagamma_same
FROM brfm_summary;
SELECT round((m).r::numeric, 3) AS r, round((m).alpha::numeric, 3) AS alpha, round((m).a::numeric, 3) AS a,
       round((m).b::numeric, 3) AS b, (m).customers
FROM (SELECT engage.bgnbd_fit(s) AS m FROM brfm_summary) q;
SELECT round((m).p::numeric, 2) AS p, round((m).q::numeric, 2) AS q, round((m).v::numeric, 2) AS v, (m).customers
FROM (SELECT engage.gammagamma_fit(s) AS m FROM brfm_summary) q;
-- with weights and a penalizer
SELECT engage.bgnbd_fit(s, 2)::text = (SELECT engage.bgnbd_fit(frequency, recency, age, 2)::text FROM brfm_cdnow) AS weighted_same,
       engage.paretonbd_fit(s, 1, 0.01)::text = (SELECT engage.paretonbd_fit(frequency, recency, age, 1, 0.01)::text FROM brfm_cdnow) AS penalized_same,
       engage.gammagamma_fit(s, 3)::text = (SELECT engage.gammagamma_fit(frequency, monetary, 3)::text FROM brfm_cdnow) AS gg_weighted_same
FROM brfm_summary;
-- NULL summaries are skipped; bad summaries are rejected
SELECT (engage.bgnbd_fit(s)).customers, (engage.gammagamma_fit(s)).customers
FROM (SELECT s FROM brfm_summary UNION ALL SELECT NULL) q;
SELECT engage.bgnbd_fit(ROW(-1, 0, 10, 0)::engage.rfm);
SELECT engage.bgnbd_fit(ROW(1, 20, 10, 0)::engage.rfm);
SELECT engage.gammagamma_fit(ROW(2, 5, 10, -1)::engage.rfm);
-- the Gamma-Gamma fit under a forced parallel plan equals the serial one
CREATE TABLE brfm_big AS SELECT s FROM brfm_summary, generate_series(1, 20);
ANALYZE brfm_big;
CREATE TABLE brfm_serial AS SELECT engage.gammagamma_fit(s)::text AS m FROM brfm_big;
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT engage.gammagamma_fit(s) FROM brfm_big;
SELECT engage.gammagamma_fit(s)::text = (SELECT m FROM brfm_serial) AS parallel_same FROM brfm_big;
RESET parallel_setup_cost; RESET parallel_tuple_cost; RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;

-- scores over the summary: identical to the scores over its fields, for every customer
CREATE TABLE brfm_models AS
SELECT (SELECT engage.bgnbd_fit(s) FROM brfm_summary) AS bg, (SELECT engage.mbgnbd_fit(s) FROM brfm_summary) AS mbg,
       (SELECT engage.paretonbd_fit(s) FROM brfm_summary) AS pn, (SELECT engage.gammagamma_fit(s) FROM brfm_summary) AS gg;
SELECT count(*) AS customers,
       bool_and(engage.p_alive(bg, s) = engage.p_alive(bg, frequency, recency, age)
                AND engage.p_alive(mbg, s) = engage.p_alive(mbg, frequency, recency, age)
                AND engage.p_alive(pn, s) = engage.p_alive(pn, frequency, recency, age)) AS p_alive_same,
       bool_and(engage.churn_probability(bg, s) = engage.churn_probability(bg, frequency, recency, age)
                AND engage.churn_probability(mbg, s) = engage.churn_probability(mbg, frequency, recency, age)
                AND engage.churn_probability(pn, s) = engage.churn_probability(pn, frequency, recency, age)) AS churn_same,
       bool_and(engage.expected_purchases(bg, 39, s) = engage.expected_purchases(bg, 39, frequency, recency, age)
                AND engage.expected_purchases(mbg, 39, s) = engage.expected_purchases(mbg, 39, frequency, recency, age)
                AND engage.expected_purchases(pn, 39, s) = engage.expected_purchases(pn, 39, frequency, recency, age)) AS expected_same,
       bool_and(engage.expected_spend(gg, s) = engage.expected_spend(gg, frequency, monetary)) AS spend_same,
       bool_and(engage.clv(bg, gg, s, 52.14, 0.01, 4.345) = engage.clv(bg, gg, frequency, recency, age, monetary, 52.14, 0.01, 4.345)
                AND engage.clv(mbg, gg, s, 52.14, 0.01, 4.345) = engage.clv(mbg, gg, frequency, recency, age, monetary, 52.14, 0.01, 4.345)
                AND engage.clv(pn, gg, s, 52.14, 0.01, 4.345) = engage.clv(pn, gg, frequency, recency, age, monetary, 52.14, 0.01, 4.345)) AS clv_same
FROM brfm_summary JOIN brfm_cdnow USING (id), brfm_models;
-- customer 6 (x = 14): values printed
SELECT round(engage.p_alive(bg, s)::numeric, 6) AS p_alive, round(engage.expected_purchases(bg, 39, s)::numeric, 6) AS expected_39,
       round(engage.expected_spend(gg, s)::numeric, 4) AS spend, round(engage.clv(bg, gg, s, 52.14, 0.01, 4.345)::numeric, 4) AS clv
FROM brfm_summary, brfm_models WHERE id = 6;
-- the scores are inlined (no SQL function call per row), and a NULL summary scores NULL
EXPLAIN (VERBOSE, COSTS OFF) SELECT engage.p_alive(bg, s) FROM brfm_summary, brfm_models;
SELECT engage.p_alive(bg, NULL::engage.rfm) IS NULL AS null_p_alive,
       engage.clv(bg, gg, NULL::engage.rfm, 52.14, 0.01, 4.345) IS NULL AS null_clv
FROM brfm_models;
-- the overloads resolve the same under a hostile search_path
CREATE SCHEMA rfm_hostile;
CREATE FUNCTION rfm_hostile.p_alive(engage.bgnbd, double precision, double precision, double precision)
RETURNS double precision LANGUAGE sql RETURN -1;
SET search_path = rfm_hostile, public;
SELECT engage.p_alive(bg, s) = engage.p_alive(bg, 1, 20, 30) AS no_capture, engage.p_alive(bg, s) > 0 AS positive
FROM brfm_models, (SELECT ROW(1, 20, 30, 5)::engage.rfm AS s) q;
RESET search_path;
DROP SCHEMA rfm_hostile CASCADE;
DROP TABLE brfm_cdnow, brfm_summary, brfm_big, brfm_serial, brfm_models;

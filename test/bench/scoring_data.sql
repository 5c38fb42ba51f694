-- Data of test/bench/scoring.sh: the 1M-customer summary of `make bench` (data.sql's
-- bench.summary: engage.rfm of every customer's orders, weeks), built straight from the
-- generator without storing its interactions, and the models fitted on it (as queries.sql).
-- psql -v customers=N (default 1000000).
\if :{?customers}
\else
\set customers 1000000
\endif
SET client_min_messages = warning;
SET TimeZone = 'UTC';
CREATE EXTENSION engage;
\i test/data/generate.sql
CREATE SCHEMA bench;
SELECT format($$CREATE TABLE bench.summary AS
    SELECT customer_id, (engage.rfm(occurred_at, amount, '2024-12-31', '7 days')).*
    FROM engage_gen.interactions(%s, 42) WHERE amount IS NOT NULL GROUP BY customer_id$$, :customers) \gexec
VACUUM ANALYZE bench.summary;
CREATE TABLE bench.models AS
SELECT (SELECT engage.bgnbd_fit(frequency, recency, age) FROM bench.summary) AS bg,
       (SELECT engage.paretonbd_fit(frequency, recency, age) FROM bench.summary) AS pn,
       (SELECT engage.gammagamma_fit(frequency, monetary) FROM bench.summary WHERE frequency > 0) AS gg;
\pset footer off
SELECT count(*) AS customers, count(*) FILTER (WHERE frequency = 0) AS one_time_buyers,
       count(DISTINCT (frequency, recency, age)) AS distinct_summaries,
       (SELECT count(*) FROM (SELECT frequency, recency FROM bench.summary
                              UNION SELECT frequency, age FROM bench.summary) AS k) AS distinct_frequency_times
FROM bench.summary;
SELECT round((pn).r::numeric, 4) AS r, round((pn).alpha::numeric, 3) AS alpha,
       round((pn).s::numeric, 4) AS s, round((pn).beta::numeric, 2) AS beta
FROM bench.models;

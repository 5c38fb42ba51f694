-- test/data/generate.sql: the synthetic interaction generator used by demos and benchmarks.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS engage;
\set ECHO none
\i test/data/generate.sql
\set ECHO all
RESET client_min_messages;
SET TimeZone = 'UTC';

-- about 10 rows per customer: 100 customers give about 1000 rows
CREATE TEMP TABLE gen AS SELECT * FROM engage_gen.interactions(100, 1);
SELECT count(*) AS rows, count(DISTINCT customer_id) AS customers,
       min(customer_id) AS first_id, max(customer_id) AS last_id,
       min(occurred_at) >= '2023-01-01' AND max(occurred_at) < '2025-01-01' AS within_two_years,
       count(*) FILTER (WHERE kind = 'order') = count(amount) AS amounts_only_for_orders,
       min(amount) > 0 AS positive_amounts
FROM gen;
-- deterministic: the same arguments give the same rows, another seed other rows
SELECT (SELECT count(*) FROM (SELECT * FROM gen EXCEPT ALL SELECT * FROM engage_gen.interactions(100, 1)) AS d) AS rows_differing_same_seed,
       (SELECT count(*) FROM (SELECT * FROM gen INTERSECT SELECT * FROM engage_gen.interactions(100, 2)) AS d) AS rows_shared_other_seed;
-- every customer starts with an order (the acquisition), on its first day
SELECT count(*) AS customers_not_starting_with_an_order
FROM (SELECT DISTINCT ON (customer_id) customer_id, kind FROM gen ORDER BY customer_id, occurred_at) AS f
WHERE kind <> 'order';

-- the shape of a larger sample (20,000 customers; 2,000 under make valgrind, with
-- ENGAGE_VALGRIND set): kinds and channels in the stated proportions
\getenv valgrind ENGAGE_VALGRIND
\if :{?valgrind}
\set big_customers 2000
\else
\set big_customers 20000
\endif
CREATE TEMP TABLE gen_big AS SELECT * FROM engage_gen.interactions(:big_customers, 7);
SELECT round(count(*) / :big_customers.0) AS rows_per_customer FROM gen_big;
SELECT kind, string_agg(DISTINCT channel, ',' ORDER BY channel) AS channels,
       round(count(*) FILTER (WHERE NOT first_event)::numeric / sum(count(*) FILTER (WHERE NOT first_event)) OVER (), 2) AS share_after_first
FROM (SELECT *, row_number() OVER (PARTITION BY customer_id ORDER BY occurred_at) = 1 AS first_event FROM gen_big) AS g
GROUP BY kind ORDER BY kind;
-- heterogeneous customers: many with a single order, a long tail of heavy ones
SELECT count(*) FILTER (WHERE n = 1) > 0.1 * count(*) AS many_one_timers,
       max(n) > 10 * avg(n) AS heavy_tail
FROM (SELECT customer_id, count(*) AS n FROM gen_big GROUP BY customer_id) AS c;
-- median order amount about $35
SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY amount) / 5) * 5 AS median_amount_to_5 FROM gen_big;

SET client_min_messages = warning;
DROP SCHEMA engage_gen CASCADE;

-- Benchmark data, from the project's generator (test/data/generate.sql), in schema bench:
--   bench.interactions  about 10 interactions per customer (10M rows for 1M customers)
--   bench.interactions_part  the same rows in 8 partitions by hash of customer_id
--   bench.orders        its orders (amount not NULL)
--   bench.summary       engage.rfm of every customer's orders (weeks), for the models
-- psql -v customers=N (default 1000000). Prints sizes and generation times.
\if :{?customers}
\else
\set customers 1000000
\endif
SET client_min_messages = warning;
SET TimeZone = 'UTC';
\i test/data/generate.sql
CREATE SCHEMA bench;
CREATE TABLE bench.steps (step text, seconds float8);
CREATE FUNCTION pg_temp.timed(step text, command text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    started timestamptz := clock_timestamp();
BEGIN
    EXECUTE command;
    INSERT INTO bench.steps VALUES (step, extract(epoch FROM clock_timestamp() - started));
END $$;

SELECT pg_temp.timed('generate interactions', format(
    'CREATE TABLE bench.interactions AS SELECT * FROM engage_gen.interactions(%s, 42)', :customers)) \g /dev/null
SELECT pg_temp.timed('orders', $$CREATE TABLE bench.orders AS
    SELECT customer_id, occurred_at, amount FROM bench.interactions WHERE amount IS NOT NULL$$) \g /dev/null
SELECT pg_temp.timed('partitioned copy', $$CREATE TABLE bench.interactions_part (LIKE bench.interactions) PARTITION BY HASH (customer_id)$$) \g /dev/null
SELECT format('CREATE TABLE bench.interactions_part_%s PARTITION OF bench.interactions_part FOR VALUES WITH (MODULUS 8, REMAINDER %s)', i, i)
FROM generate_series(0, 7) AS i \gexec
SELECT pg_temp.timed('partitioned copy', 'INSERT INTO bench.interactions_part SELECT * FROM bench.interactions') \g /dev/null
SELECT pg_temp.timed('summary (engage.rfm)', $$CREATE TABLE bench.summary AS
    SELECT customer_id, (engage.rfm(occurred_at, amount, '2024-12-31', '7 days')).*
    FROM bench.orders GROUP BY customer_id$$) \g /dev/null
SELECT clock_timestamp() AS vacuum_started \gset
VACUUM ANALYZE bench.interactions, bench.interactions_part, bench.orders, bench.summary;
INSERT INTO bench.steps SELECT 'vacuum analyze', extract(epoch FROM clock_timestamp() - :'vacuum_started');

\echo
\echo == Data
SELECT step, round(sum(seconds)::numeric, 1) AS seconds FROM bench.steps GROUP BY step ORDER BY min(ctid);
SELECT t AS "table", to_char(c, 'FM999,999,999') AS "rows",
       to_char(customers, 'FM999,999,999') AS customers, pg_size_pretty(pg_table_size(t::regclass) + coalesce((SELECT sum(pg_table_size(relid)) FROM pg_partition_tree(t::regclass)), 0)) AS size
FROM (SELECT 'bench.interactions' AS t, count(*) AS c, count(DISTINCT customer_id) AS customers FROM bench.interactions
      UNION ALL SELECT 'bench.interactions_part', count(*), count(DISTINCT customer_id) FROM bench.interactions_part
      UNION ALL SELECT 'bench.orders', count(*), count(DISTINCT customer_id) FROM bench.orders
      UNION ALL SELECT 'bench.summary', count(*), count(*) FROM bench.summary) AS s;

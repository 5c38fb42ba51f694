-- The coordinator: the interaction table, hash-partitioned by customer over two
-- postgres_fdw foreign partitions (one per shard), plus a local copy of the same rows as the
-- single-node reference.
SET client_min_messages = warning;
CREATE EXTENSION engage;
CREATE EXTENSION postgres_fdw;

\set shard1_host :base '/shard1'
\set shard2_host :base '/shard2'
-- The 'extensions' option lets postgres_fdw ship engage's functions and aggregates.
CREATE SERVER shard1 FOREIGN DATA WRAPPER postgres_fdw
    OPTIONS (host :'shard1_host', port '5432', dbname 'postgres', extensions 'engage',
             fetch_size '10000', batch_size '1000');
CREATE SERVER shard2 FOREIGN DATA WRAPPER postgres_fdw
    OPTIONS (host :'shard2_host', port '5432', dbname 'postgres', extensions 'engage',
             fetch_size '10000', batch_size '1000');
CREATE USER MAPPING FOR CURRENT_USER SERVER shard1 OPTIONS (user 'postgres');
CREATE USER MAPPING FOR CURRENT_USER SERVER shard2 OPTIONS (user 'postgres');

CREATE TABLE interactions (
    customer_id bigint NOT NULL,
    occurred_at timestamptz NOT NULL,
    channel text NOT NULL,
    kind text NOT NULL,
    amount double precision,
    score integer
) PARTITION BY HASH (customer_id);
CREATE FOREIGN TABLE interactions_p0 PARTITION OF interactions
    FOR VALUES WITH (MODULUS 2, REMAINDER 0) SERVER shard1 OPTIONS (table_name 'interactions');
CREATE FOREIGN TABLE interactions_p1 PARTITION OF interactions
    FOR VALUES WITH (MODULUS 2, REMAINDER 1) SERVER shard2 OPTIONS (table_name 'interactions');

CREATE FOREIGN TABLE summary_p0 (customer_id bigint, frequency integer, recency double precision,
                                 age double precision, monetary double precision)
    SERVER shard1 OPTIONS (table_name 'customer_summary');
CREATE FOREIGN TABLE summary_p1 (customer_id bigint, frequency integer, recency double precision,
                                 age double precision, monetary double precision)
    SERVER shard2 OPTIONS (table_name 'customer_summary');

\i test/data/generate.sql
CREATE TABLE interactions_local AS
    SELECT *, ((customer_id * 7 + extract(doy FROM occurred_at)::int) % 11)::integer AS score
    FROM engage_gen.interactions(2000, 42);
INSERT INTO interactions SELECT * FROM interactions_local;
ANALYZE interactions_local;
CREATE VIEW summary_local AS
    SELECT customer_id, (s).frequency, (s).recency, (s).age, (s).monetary
    FROM (SELECT customer_id,
                 engage.rfm(occurred_at, amount, '2025-01-01 00:00:00+00', '7 days') AS s
          FROM interactions_local WHERE kind = 'order' GROUP BY customer_id) AS per_customer;

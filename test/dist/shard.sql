-- One shard: engage, and the shard's part of the interaction table (rows arrive from the
-- coordinator through its foreign-table partitions).
SET client_min_messages = warning;
CREATE EXTENSION engage;
CREATE TABLE interactions (
    customer_id bigint NOT NULL,
    occurred_at timestamptz NOT NULL,
    channel text NOT NULL,
    kind text NOT NULL,
    amount double precision,
    score integer
);

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

-- Each shard's customer summaries (the input of a model fit), for the two-step fit: the
-- coordinator aggregates them into a compressed sample on each shard and merges the samples.
CREATE VIEW customer_summary AS
    SELECT customer_id, (s).frequency, (s).recency, (s).age, (s).monetary
    FROM (SELECT customer_id,
                 engage.rfm(occurred_at, amount, '2025-01-01 00:00:00+00', '7 days') AS s
          FROM interactions WHERE kind = 'order' GROUP BY customer_id) AS per_customer;

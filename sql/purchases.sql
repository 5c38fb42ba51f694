-- engage.purchases: per-customer purchase days kept up to date by a trigger, read as the
-- engage.rfm summary as of any time without rescanning the orders.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS engage;
RESET client_min_messages;
SET TimeZone = 'UTC';
SET extra_float_digits = 0;
CREATE FUNCTION pg_temp.error_of(statement text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE statement;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

-- text form: zone, then ascending days with their net amount, ? for an order without amount
SELECT 'UTC {2024-01-01:10,2024-01-10:0?,2024-01-20:30}'::engage.purchases;
SELECT 'Europe/Paris {}'::engage.purchases, 'UTC {-0044-03-15:1,5874897-12-31:2.5?}'::engage.purchases;
SELECT engage.rfm('UTC {2024-01-01:10,2024-01-10:0?,2024-01-20:30,2024-01-25:-5}'::engage.purchases,
                  '2024-01-31', '1 day');
SELECT pg_temp.error_of($$SELECT 'UTC {2024-01-02:1,2024-01-01:1}'::engage.purchases$$);
SELECT pg_temp.error_of($$SELECT 'Mars/Olympus {}'::engage.purchases$$);
SELECT pg_temp.error_of($$SELECT 'UTC {2024-02-30:1}'::engage.purchases$$);
SELECT pg_temp.error_of($$SELECT 'UTC {2024-01-01:NaN}'::engage.purchases$$);
SELECT pg_temp.error_of($$SELECT 'UTC {2024-01-01:1} x'::engage.purchases$$);
SELECT pg_temp.error_of($$SELECT '{2024-01-01:1}'::engage.purchases$$);

-- the trigger a user writes: one state per customer, updated on every order
CREATE TABLE purchase_orders (customer_id integer, occurred_at timestamptz, amount double precision);
CREATE TABLE customer_purchases (customer_id integer PRIMARY KEY, state engage.purchases NOT NULL);
CREATE FUNCTION track_purchase() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO customer_purchases AS c (customer_id, state)
    VALUES (NEW.customer_id, engage.purchases_add(NULL, NEW.occurred_at, NEW.amount, 'America/New_York'))
    ON CONFLICT (customer_id) DO UPDATE
        SET state = engage.purchases_add(c.state, NEW.occurred_at, NEW.amount, 'America/New_York');
    RETURN NEW;
END $$;
CREATE TRIGGER orders_track AFTER INSERT ON purchase_orders FOR EACH ROW EXECUTE FUNCTION track_purchase();

-- 3,000 orders of 200 customers over two years, several a day, amounts in quarters (exact
-- sums in any order), 10% without an amount, 5% refunds, inserted in random order
SELECT setseed(0.42);
CREATE TABLE history AS
SELECT 1 + (random() * 199)::integer AS customer_id,
       timestamptz '2023-01-01' + random() * interval '730 days' AS occurred_at,
       CASE WHEN random() < 0.10 THEN NULL
            WHEN random() < 0.05 THEN -round(random() * 200) / 4
            ELSE round(random() * 400) / 4 END AS amount
FROM generate_series(1, 3000);
INSERT INTO history SELECT customer_id, occurred_at + interval '2 hours', amount FROM history WHERE random() < 0.1;
INSERT INTO purchase_orders SELECT * FROM history ORDER BY random();

-- equal to the batch aggregate (the same zone) at several as_of times, incl. before some
-- customers' first purchase and on day boundaries
SELECT a.as_of, count(*) AS customers,
       count(*) FILTER (WHERE engage.rfm(c.state, a.as_of, '7 days') IS NOT DISTINCT FROM b.r) AS equal,
       count(b.r) AS with_summary
FROM (VALUES (timestamptz '2023-03-01'), ('2023-06-30 23:59:59-04'), ('2024-01-01'), ('2024-06-30 04:00'),
             ('2025-01-01'), ('2030-01-01')) AS a(as_of)
CROSS JOIN customer_purchases AS c
LEFT JOIN LATERAL (SELECT engage.rfm(o.occurred_at, o.amount, a.as_of, '7 days', 'America/New_York') AS r
                   FROM purchase_orders AS o WHERE o.customer_id = c.customer_id) AS b ON true
GROUP BY a.as_of ORDER BY a.as_of;
-- the aggregate builds the same states from the history, in any order and in parallel
SELECT count(*) AS customers, count(*) FILTER (WHERE h.state::text = c.state::text) AS equal
FROM customer_purchases AS c
JOIN (SELECT customer_id, engage.purchases(occurred_at, amount, 'America/New_York' ORDER BY random()) AS state
      FROM history GROUP BY customer_id) AS h USING (customer_id);
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SELECT md5(string_agg(state::text, ';' ORDER BY customer_id)) =
       (SELECT md5(string_agg(state::text, ';' ORDER BY customer_id)) FROM customer_purchases) AS parallel_equal
FROM (SELECT customer_id, engage.purchases(occurred_at, amount, 'America/New_York') AS state
      FROM history GROUP BY customer_id) AS s;
SELECT md5(engage.purchases(occurred_at, amount, 'UTC')::text) =
       md5((SELECT engage.purchases(occurred_at, amount, 'UTC' ORDER BY occurred_at) FROM history)::text) AS one_group_parallel
FROM history;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;

-- text round trip (binary: the shared type tests, test/data/type_samples.sql)
SELECT count(*) FILTER (WHERE state::text::engage.purchases::text = state::text) AS text_round_trip
FROM customer_purchases;

-- live: customers at risk now, from the states alone (a BG/NBD fitted in weeks)
SELECT count(*) FILTER (WHERE engage.p_alive('(0.243,4.414,0.793,2.426,,,t,,,)'::engage.bgnbd,
                                             engage.rfm(state, '2025-01-01', '7 days')) < 0.5) AS at_risk,
       count(*) AS customers
FROM customer_purchases;

-- a zone other than the state's, NULLs
SELECT pg_temp.error_of($$SELECT engage.purchases_add('UTC {}'::engage.purchases, now(), 1, 'Europe/Paris')$$);
SELECT engage.purchases_add(NULL, NULL, 1, 'UTC') IS NULL AS null_time,
       engage.purchases_add('UTC {2024-01-01:1}', '2024-01-01 10:00', NULL, 'UTC') AS unpriced_same_day,
       engage.purchases_add('UTC {2024-01-01:1}', '2023-12-31 10:00', 2, 'UTC') AS earlier_day;
SELECT engage.rfm('UTC {}'::engage.purchases, '2024-01-01', '1 day') IS NULL AS empty;
SELECT pg_temp.error_of($$SELECT engage.rfm('UTC {}'::engage.purchases, '2024-01-01', '1 mon')$$);

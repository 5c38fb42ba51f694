-- Real order tables: rows without an amount, refunds and zero amounts, event tables without
-- amounts, classic RFM inputs and tie-safe quintile scores.
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

CREATE TABLE orders (customer_id integer, occurred_at timestamptz, amount double precision);
INSERT INTO orders VALUES
    -- 1: a NULL amount is a purchase day without an amount: x = 2, recency 19 days,
    --    monetary over the repeat days with an amount: 30 / 1
    (1, '2024-01-01', 10), (1, '2024-01-10', NULL), (1, '2024-01-20', 30),
    -- 2: a refund alone on its day (net -25) is no purchase day: x = 0, monetary 0
    (2, '2024-01-05', 20), (2, '2024-01-06', -25),
    -- 3: a refund on a purchase day is netted: 01-02 nets 40 - 15 = 25; 01-03 nets 0 (a
    --    purchase day without monetary value), so x = 2, monetary 25 / 1
    (3, '2024-01-01', 5), (3, '2024-01-02', 40), (3, '2024-01-02', -15),
    (3, '2024-01-03', 10), (3, '2024-01-03', -10),
    -- 4: a zero-amount order is a purchase day without monetary value (x = 1, monetary 0),
    --    as in the CDNOW summaries, which count the 8 one-time buyers of $0
    (4, '2024-01-01', 12), (4, '2024-01-15', 0),
    -- 5: rows without an amount only: x = 2, monetary 0
    (5, '2024-01-01', NULL), (5, '2024-01-02', NULL), (5, '2024-01-09', NULL),
    -- 6: a refund before the first purchase does not start the customer: first day 01-10
    (6, '2024-01-03', -5), (6, '2024-01-10', 8), (6, '2024-01-17', 2),
    -- 7: a day with a row without an amount and a refund is a purchase day without value
    (7, '2024-01-01', 3), (7, '2024-01-08', NULL), (7, '2024-01-08', -3);

SELECT customer_id, engage.rfm(occurred_at, amount, '2024-01-31', '1 day')
FROM orders GROUP BY customer_id ORDER BY customer_id;
-- the rows in any order give the same summaries
SELECT customer_id, engage.rfm(occurred_at, amount, '2024-01-31', '1 day' ORDER BY amount DESC NULLS FIRST)
FROM orders GROUP BY customer_id ORDER BY customer_id;

-- the holdout form: calibration to 01-05, holdout to 01-31 (customer 4: 01-15 is a holdout
-- purchase day without value, so holdout_monetary 0; customer 6 starts after 01-05: NULL)
SELECT customer_id, engage.rfm_holdout(occurred_at, amount, '2024-01-05', '2024-01-31', '1 day')
FROM orders GROUP BY customer_id ORDER BY customer_id;

-- event tables without amounts: every row counts for its day, monetary is NULL (with
-- literals only, the time-zone form needs a typed as_of: the 4 literals also fit the form
-- with an amount)
SELECT customer_id, engage.rfm(occurred_at, '2024-01-31', '1 day'),
       engage.rfm(occurred_at, timestamptz '2024-01-31', '1 day', 'Asia/Tokyo') AS tokyo,
       engage.rfm_holdout(occurred_at, '2024-01-05', '2024-01-31', '1 day') AS holdout,
       engage.rfm_holdout(occurred_at, timestamptz '2024-01-05', '2024-01-31', '1 day', 'Asia/Tokyo') AS holdout_tokyo
FROM orders WHERE customer_id IN (2, 6) GROUP BY customer_id ORDER BY customer_id;
-- the same summaries as with a NULL amount on every row
SELECT count(*) AS customers,
       count(*) FILTER (WHERE ((a).frequency, (a).recency, (a).age) = ((b).frequency, (b).recency, (b).age)
                        AND (a).monetary IS NULL AND (b).monetary = 0) AS equal
FROM (SELECT customer_id, engage.rfm(occurred_at, '2024-01-31', '1 day') AS a,
             engage.rfm(occurred_at, NULL::float8, '2024-01-31', '1 day') AS b
      FROM orders GROUP BY customer_id) AS s;

-- classic RFM inputs: the first purchase day is included in total and mean spend
SELECT customer_id, engage.rfm_classic(occurred_at, amount, '2024-01-31', '1 day')
FROM orders GROUP BY customer_id ORDER BY customer_id;
SELECT (engage.rfm_classic(occurred_at, amount, '2024-01-31', '7 days', 'America/New_York')).*
FROM orders WHERE customer_id = 1;
SELECT engage.rfm_classic(occurred_at, amount, '2023-12-31', '1 day') FROM orders;

-- quintile scores: 1 + floor(5 (rank - 1) / total)
SELECT total, array_agg(engage.quintile(r, total) ORDER BY r) AS scores
FROM (VALUES (1), (4), (5), (7), (10)) AS t(total), generate_series(1, total) AS r
GROUP BY total ORDER BY total;
-- ties share a score: rank() gives equal values the lowest rank of their group
SELECT v, engage.quintile(rank() OVER (ORDER BY v), count(*) OVER ()) AS score
FROM (VALUES (1), (2), (2), (2), (2), (3), (4), (5), (6), (7)) AS t(v) ORDER BY v;
-- without ties and with a multiple of 5 rows, the same as ntile(5)
SELECT count(*) FILTER (WHERE q <> n) AS differ
FROM (SELECT engage.quintile(rank() OVER w, count(*) OVER ()) AS q, ntile(5) OVER w AS n
      FROM generate_series(1, 1000) AS i WINDOW w AS (ORDER BY i)) AS s;
SELECT engage.quintile(9223372036854775807, 9223372036854775807) AS top,
       engage.quintile(1844674407370955162, 9223372036854775807) AS second;
SELECT pg_temp.error_of($$SELECT engage.quintile(0, 5)$$);
SELECT pg_temp.error_of($$SELECT engage.quintile(6, 5)$$);
SELECT pg_temp.error_of($$SELECT engage.quintile(1, 0)$$);
SELECT engage.quintile(7, 5);

-- the spend fit skips customers with repeat purchases but no positive monetary value, with a
-- notice giving their number, and fits the others: CDNOW with customers 4, 5 and 7 above
-- added gives the CDNOW fit
\set VERBOSITY default
CREATE TABLE cdnow (customer_id integer, master_id integer, purchased_on date, cds integer, amount double precision);
\copy cdnow FROM 'test/data/cdnow/cdnow_sample.csv' WITH (FORMAT csv, HEADER true)
CREATE TABLE cdnow_summary AS
SELECT customer_id, engage.rfm(purchased_on::timestamptz, amount, '1997-09-30', '7 days') AS s
FROM cdnow WHERE purchased_on <= '1997-09-30' GROUP BY customer_id;
SELECT round((a).p::numeric, 4) AS p, round((a).q::numeric, 4) AS q, round((a).v::numeric, 4) AS v,
       (a).customers, a = b AS same_with_skipped_added
FROM (SELECT engage.gammagamma_fit(s) AS a FROM cdnow_summary) AS f,
     (SELECT engage.gammagamma_fit(s) AS b
      FROM (SELECT s FROM cdnow_summary
            UNION ALL SELECT engage.rfm(occurred_at, amount, '2024-01-31', '1 day')
            FROM orders WHERE customer_id IN (4, 5, 7) GROUP BY customer_id) AS u) AS g;
-- the same with the frequency and monetary columns, a negative monetary value included
SELECT (engage.gammagamma_fit(x, m)).customers
FROM (VALUES (2.0, 10.0), (1.0, 0.0), (3.0, -4.0), (0.0, 0.0), (1.0, 30.0)) AS v(x, m);
-- errors that remain name the value
SELECT engage.gammagamma_fit(x, m) FROM (VALUES (-1.0, 10.0)) AS v(x, m);
SELECT engage.gammagamma_fit(x, m) FROM (VALUES (1.0, 'NaN')) AS v(x, m);
SELECT engage.expected_spend((SELECT engage.gammagamma_fit(s) FROM cdnow_summary), 2, 0);
SELECT engage.expected_spend((SELECT engage.gammagamma_fit(s) FROM cdnow_summary), 2, -25);

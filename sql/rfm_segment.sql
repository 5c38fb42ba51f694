-- engage.rfm_segment: named segments of r, f, m quintile scores (1-5, 5 best).
-- quietly, whether or not an earlier test installed it
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS engage;
RESET client_min_messages;

-- the grid of r and fm = ceil((f + m) / 2), each cell written out independently
CREATE TEMP TABLE segment_grid (r integer, fm integer, segment text);
INSERT INTO segment_grid VALUES
    (5, 1, 'New Customers'), (5, 2, 'Potential Loyalists'), (5, 3, 'Potential Loyalists'), (5, 4, 'Champions'), (5, 5, 'Champions'),
    (4, 1, 'Promising'), (4, 2, 'Potential Loyalists'), (4, 3, 'Potential Loyalists'), (4, 4, 'Loyal Customers'), (4, 5, 'Loyal Customers'),
    (3, 1, 'About To Sleep'), (3, 2, 'About To Sleep'), (3, 3, 'Need Attention'), (3, 4, 'Loyal Customers'), (3, 5, 'Loyal Customers'),
    (2, 1, 'Hibernating'), (2, 2, 'Hibernating'), (2, 3, 'At Risk'), (2, 4, 'At Risk'), (2, 5, 'Cannot Lose Them'),
    (1, 1, 'Lost'), (1, 2, 'Hibernating'), (1, 3, 'At Risk'), (1, 4, 'At Risk'), (1, 5, 'Cannot Lose Them');

-- all 125 combinations agree with the grid
CREATE TEMP TABLE all_scores AS
    SELECT r, f, m, engage.rfm_segment(r, f, m) AS segment
    FROM generate_series(1, 5) AS r, generate_series(1, 5) AS f, generate_series(1, 5) AS m;
SELECT count(*) AS combinations,
       count(*) FILTER (WHERE s.segment IS DISTINCT FROM g.segment) AS differing
FROM all_scores AS s LEFT JOIN segment_grid AS g ON g.r = s.r AND g.fm = (s.f + s.m + 1) / 2;
-- every one of the 11 segments is reached; how many (r, f, m) cells each covers
SELECT segment, count(*) AS cells FROM all_scores GROUP BY segment ORDER BY segment;
-- the fm boundaries: (f + m) = 2 -> 1, 3 -> 2, 4 -> 2, 5 -> 3, 8 -> 4, 9 -> 5
SELECT engage.rfm_segment(1, 1, 1) AS "1,1,1", engage.rfm_segment(1, 1, 2) AS "1,1,2",
       engage.rfm_segment(1, 2, 1) AS "1,2,1", engage.rfm_segment(3, 2, 2) AS "3,2,2",
       engage.rfm_segment(3, 2, 3) AS "3,2,3", engage.rfm_segment(3, 4, 4) AS "3,4,4",
       engage.rfm_segment(2, 4, 5) AS "2,4,5", engage.rfm_segment(5, 5, 4) AS "5,5,4",
       engage.rfm_segment(5, 1, 1) AS "5,1,1", engage.rfm_segment(4, 1, 1) AS "4,1,1";
-- NULL in, NULL out (STRICT)
SELECT engage.rfm_segment(NULL, 1, 1) IS NULL AS null_r;
-- out of range: 22023
CREATE FUNCTION pg_temp.error_of(statement text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE statement;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
SELECT pg_temp.error_of('SELECT engage.rfm_segment(0, 3, 3)');
SELECT pg_temp.error_of('SELECT engage.rfm_segment(3, 6, 3)');
SELECT pg_temp.error_of('SELECT engage.rfm_segment(3, 3, -1)');

-- the usual use: quintiles by ntile(5), 5 = most recent / most frequent / highest spend
CREATE TEMP TABLE customers AS
    SELECT i AS customer_id, (i * 37) % 100 AS days_since, (i * 11) % 17 AS orders, (i * 53) % 97 AS spend
    FROM generate_series(1, 100) AS i;
SELECT segment, count(*) AS customers
FROM (SELECT engage.rfm_segment(ntile(5) OVER (ORDER BY days_since DESC, customer_id)::integer,
                                ntile(5) OVER (ORDER BY orders, customer_id)::integer,
                                ntile(5) OVER (ORDER BY spend, customer_id)::integer) AS segment
      FROM customers) AS s
GROUP BY segment ORDER BY customers DESC, segment;

-- Ties: equal customers must get equal scores.  On CDNOW at 1998-06-30, ntile(5) over the
-- BTYD summary splits groups of identical (R, F, M) across scores; engage.quintile over
-- rank() gives every member of a group the same scores, and so the same segment.
SET TimeZone = 'UTC';
CREATE TEMP TABLE cdnow (customer_id integer, master_id integer, purchased_on date, cds integer, amount double precision);
\copy cdnow FROM 'test/data/cdnow/cdnow_sample.csv' WITH (FORMAT csv, HEADER true)
CREATE TEMP TABLE cdnow_rfm AS
SELECT customer_id, (engage.rfm(purchased_on::timestamptz, amount, '1998-06-30', '1 day')).*,
       (engage.rfm_classic(purchased_on::timestamptz, amount, '1998-06-30', '1 day')).*
FROM cdnow GROUP BY customer_id;
-- the former recipe: ntile(5)
SELECT count(*) AS split_groups, sum(customers) AS customers_in_them
FROM (SELECT count(*) AS customers
      FROM (SELECT age - recency AS rv, frequency AS fv, monetary AS mv,
                   ntile(5) OVER (ORDER BY age - recency DESC) AS r,
                   ntile(5) OVER (ORDER BY frequency) AS f,
                   ntile(5) OVER (ORDER BY monetary) AS m
            FROM cdnow_rfm) AS s
      GROUP BY rv, fv, mv HAVING count(DISTINCT (r, f, m)) > 1) AS g;
-- engage.quintile: the same (R, F, M) values in one group, for the BTYD and the classic inputs
SELECT count(*) AS groups, count(*) FILTER (WHERE scorings > 1) AS split_groups
FROM (SELECT count(DISTINCT (r, f, m)) AS scorings
      FROM (SELECT age - recency AS rv, frequency AS fv, monetary AS mv,
                   engage.quintile(rank() OVER (ORDER BY age - recency DESC), count(*) OVER ()) AS r,
                   engage.quintile(rank() OVER (ORDER BY frequency), count(*) OVER ()) AS f,
                   engage.quintile(rank() OVER (ORDER BY monetary), count(*) OVER ()) AS m
            FROM cdnow_rfm) AS s
      GROUP BY rv, fv, mv) AS g;
CREATE TEMP TABLE cdnow_segments AS
SELECT customer_id, since_last_purchase, purchase_days, total_spend,
       engage.rfm_segment(engage.quintile(rank() OVER (ORDER BY since_last_purchase DESC), count(*) OVER ()),
                          engage.quintile(rank() OVER (ORDER BY purchase_days), count(*) OVER ()),
                          engage.quintile(rank() OVER (ORDER BY total_spend), count(*) OVER ())) AS segment
FROM cdnow_rfm;
SELECT count(*) AS groups, count(*) FILTER (WHERE segments > 1) AS split_groups
FROM (SELECT count(DISTINCT segment) AS segments FROM cdnow_segments
      GROUP BY since_last_purchase, purchase_days, total_spend) AS g;
SELECT segment, count(*) AS customers FROM cdnow_segments GROUP BY segment ORDER BY customers DESC, segment;

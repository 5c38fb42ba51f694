-- engage.window_funnel and window_funnel_times whatever the order in which a group's rows
-- arrive. A state keeps its instants in time order while it holds fewer than 256 of them (an
-- early row is inserted in its place), and beyond that takes early rows at its end and sorts
-- them at the end (compacting them as it grows from 64 instants on); the answers must not
-- depend on it: the same rows in time order, in reverse, and in three pseudo-random orders give
-- the same levels and step times, for groups of 1 to 1,500 rows with many repeated times, in
-- every mode, and under a parallel plan.
SET client_min_messages = warning;  -- no notice when an earlier test created it
CREATE EXTENSION IF NOT EXISTS engage;
RESET client_min_messages;
SET TimeZone = 'UTC';

-- customer c has 1 + (c * 37) % 1500 rows on 1 + (c * 13) % 700 distinct times 10 minutes
-- apart, so that times repeat (up to about 1,500 rows on a few times) and sizes straddle 64
-- and 256; a row satisfies step 1, 2 or 3 with probability 1/6 each
SELECT setseed(0.5);
CREATE TABLE arrival AS
    SELECT c AS customer, j AS row_no,
           timestamptz '2024-01-01' + floor(random() * (1 + (c * 13) % 700)) * interval '10 minutes' AS t,
           floor(random() * 6)::int AS kind
    FROM generate_series(0, 199) AS c, generate_series(1, 1 + (c * 37) % 1500) AS j;
ANALYZE arrival;
SELECT sum(n) AS rows, count(*) AS customers, count(*) FILTER (WHERE n >= 256) AS customers_over_256,
       max(n) AS most_rows, max(times) AS most_times
FROM (SELECT customer, count(*) AS n, count(DISTINCT t) AS times FROM arrival GROUP BY customer) AS s;

-- each customer's answers for one arrival order (the aggregates' ORDER BY): the level in the
-- default mode and in three strict modes, and the step times of the default-mode chain
CREATE FUNCTION pg_temp.answers(arrival_order text)
RETURNS TABLE (customer int, level int, strict_level int, increase_level int, order_level int,
               times timestamptz[])
LANGUAGE plpgsql AS $$
BEGIN
    RETURN QUERY EXECUTE format($q$
        SELECT customer,
               engage.window_funnel('20 minutes', t, kind = 1, kind = 2, kind = 3 ORDER BY %1$s),
               engage.window_funnel('20 minutes', 'strict_deduplication', t, kind = 1, kind = 2, kind = 3 ORDER BY %1$s),
               engage.window_funnel('20 minutes', 'strict_increase', t, kind = 1, kind = 2, kind = 3 ORDER BY %1$s),
               engage.window_funnel('20 minutes', 'strict_order', t, kind = 1, kind = 2, kind = 3 ORDER BY %1$s),
               engage.window_funnel_times('20 minutes', t, kind = 1, kind = 2, kind = 3 ORDER BY %1$s)
        FROM arrival GROUP BY customer$q$, arrival_order);
END $$;
CREATE TEMP TABLE in_time_order AS SELECT * FROM pg_temp.answers('t, row_no');

SELECT level, count(*) FROM in_time_order GROUP BY level ORDER BY level;
SELECT strict_level, increase_level, order_level, count(*) FROM in_time_order GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;
SELECT cardinality(times) AS steps_timed, count(*) FROM in_time_order GROUP BY 1 ORDER BY 1;

-- the other orders give the same answers, customer by customer
SELECT o.arrival_order, count(*) AS customers,
       count(*) FILTER (WHERE (a.level, a.strict_level, a.increase_level, a.order_level, a.times) IS DISTINCT FROM
                             (b.level, b.strict_level, b.increase_level, b.order_level, b.times)) AS differ
FROM (VALUES ('t DESC, row_no'), ('hashint4(row_no)'), ('hashint4(row_no * 7 + 3)'),
             ('hashint4(row_no) % 5, t DESC')) AS o(arrival_order),
     LATERAL pg_temp.answers(o.arrival_order) AS a
     JOIN in_time_order AS b USING (customer)
GROUP BY o.arrival_order ORDER BY o.arrival_order;

-- the levels against a brute-force search (self-joins over the distinct instants) for 3 steps
CREATE TEMP TABLE instants AS SELECT DISTINCT customer, t, kind FROM arrival WHERE kind BETWEEN 1 AND 3;
CREATE INDEX ON instants (customer, kind, t);
ANALYZE instants;
SELECT count(*) AS customers, count(*) FILTER (WHERE f.level <> b.level) AS differ
FROM in_time_order AS f
JOIN (SELECT c.customer, coalesce(greatest(
          (SELECT 1 FROM instants AS a WHERE a.customer = c.customer AND a.kind = 1 LIMIT 1),
          (SELECT 2 FROM instants AS a JOIN instants AS b
               ON b.customer = a.customer AND b.kind = 2 AND b.t BETWEEN a.t AND a.t + interval '20 minutes'
           WHERE a.customer = c.customer AND a.kind = 1 LIMIT 1),
          (SELECT 3 FROM instants AS a JOIN instants AS b
               ON b.customer = a.customer AND b.kind = 2 AND b.t BETWEEN a.t AND a.t + interval '20 minutes'
           JOIN instants AS d
               ON d.customer = a.customer AND d.kind = 3 AND d.t BETWEEN b.t AND a.t + interval '20 minutes'
           WHERE a.customer = c.customer AND a.kind = 1 LIMIT 1)), 0) AS level
      FROM generate_series(0, 199) AS c(customer)) AS b USING (customer);

-- a parallel plan (partial states combined, serialised and read back) gives the same answers
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET enable_hashagg = off;
EXPLAIN (COSTS OFF)
    SELECT customer, engage.window_funnel('20 minutes', t, kind = 1, kind = 2, kind = 3) FROM arrival GROUP BY customer;
SELECT count(*) AS customers,
       count(*) FILTER (WHERE (p.level, p.strict_level, p.increase_level, p.order_level, p.times) IS DISTINCT FROM
                             (b.level, b.strict_level, b.increase_level, b.order_level, b.times)) AS differ
FROM in_time_order AS b FULL JOIN (
    SELECT customer,
           engage.window_funnel('20 minutes', t, kind = 1, kind = 2, kind = 3) AS level,
           engage.window_funnel('20 minutes', 'strict_deduplication', t, kind = 1, kind = 2, kind = 3) AS strict_level,
           engage.window_funnel('20 minutes', 'strict_increase', t, kind = 1, kind = 2, kind = 3) AS increase_level,
           engage.window_funnel('20 minutes', 'strict_order', t, kind = 1, kind = 2, kind = 3) AS order_level,
           engage.window_funnel_times('20 minutes', t, kind = 1, kind = 2, kind = 3) AS times
    FROM arrival GROUP BY customer) AS p USING (customer);
-- the whole table as one group (partial states of tens of thousands of rows)
SELECT engage.window_funnel('20 minutes', t, kind = 1, kind = 2, kind = 3, kind = 4) AS whole,
       engage.window_funnel_times('20 minutes', t, kind = 1, kind = 2, kind = 3, kind = 4) AS whole_times
FROM arrival;
RESET ALL;
SET TimeZone = 'UTC';
SELECT engage.window_funnel('20 minutes', t, kind = 1, kind = 2, kind = 3, kind = 4 ORDER BY hashint4(row_no)) AS whole_serial,
       engage.window_funnel_times('20 minutes', t, kind = 1, kind = 2, kind = 3, kind = 4 ORDER BY t DESC) AS whole_times_serial
FROM arrival;
RESET ALL;
DROP TABLE arrival;

-- a large state that turned unsorted is compacted when it grows; the row that made it grow
-- comes after the last instant but before the latest one (step 1 at 80000 s, after the step 2
-- at 80005 s that arrived earlier): the chain 1 -> 2 must still be found (level 2)
SET TimeZone = 'UTC';
SELECT engage.window_funnel('10 seconds', t, kind = 1, kind = 2, kind = 3 ORDER BY o) AS level,
       engage.window_funnel_times('10 seconds', t, kind = 1, kind = 2, kind = 3 ORDER BY o) AS times
FROM (SELECT i AS o, 1000 + i AS s, 3 AS kind FROM generate_series(1, 256) AS i  -- in order
      UNION ALL VALUES (257, 100000, 3),  -- the latest instant
                       (258, 80005, 2),   -- early: the state turns unsorted
                       (259, 3, 3)        -- early: the last instant is now an early one
      UNION ALL SELECT 260 + j, 10 + j, 3 FROM generate_series(0, 249) AS j  -- fill to 509 instants
      UNION ALL VALUES (510, 80000, 1)) AS r(o, s, kind),
     LATERAL (SELECT timestamptz '2024-01-01 00:00:00+00' + s * interval '1 second' AS t) AS x;

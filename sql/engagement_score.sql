-- engage.engagement_score: sum of weight * 2^(-(as_of - occurred_at) / half_life).
-- quietly, whether or not an earlier test installed it
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

-- half-life 1 day: 1 at as_of, 2 one day before, 4 two days before, each worth 1 at as_of;
-- the event after as_of does not count: 3
CREATE TABLE events (customer_id integer, occurred_at timestamptz, channel text, kind text, weight double precision);
INSERT INTO events VALUES
    (1, '2024-03-10 12:00', 'web', 'visit', 1), (1, '2024-03-09 12:00', 'email', 'click', 2),
    (1, '2024-03-08 12:00', 'store', 'order', 4), (1, '2024-03-11 12:00', 'web', 'order', 100),
    (2, '2024-03-10 00:00', 'app', 'visit', 1), (2, '2024-03-03 12:00', 'phone', 'ticket', -1);
SELECT customer_id, engage.engagement_score(occurred_at, weight, '2024-03-10 12:00', '1 day')
FROM events GROUP BY customer_id ORDER BY customer_id;
-- customer 2 with half-life 12 hours: 2^-1 - 2^-14
SELECT engage.engagement_score(occurred_at, weight, '2024-03-10 12:00', '12 hours') AS score,
       2::float8 ^ -1 - 2::float8 ^ -14 AS expected
FROM events WHERE customer_id = 2;

-- channel and kind weights: a CASE, or a join with a weights table
SELECT customer_id,
       engage.engagement_score(occurred_at,
                               CASE kind WHEN 'order' THEN 5 WHEN 'click' THEN 2 WHEN 'ticket' THEN -1 ELSE 1 END,
                               '2024-03-10 12:00', '1 day') AS score
FROM events GROUP BY customer_id ORDER BY customer_id;
CREATE TABLE channel_weights (channel text PRIMARY KEY, weight double precision);
INSERT INTO channel_weights VALUES ('web', 1), ('email', 0.5), ('store', 3), ('app', 1), ('phone', 2);
SELECT e.customer_id, engage.engagement_score(e.occurred_at, w.weight, '2024-03-10 12:00', '1 day') AS score
FROM events AS e JOIN channel_weights AS w USING (channel)
GROUP BY e.customer_id ORDER BY e.customer_id;

-- NULL arguments skip the row; no rows give 0
SELECT engage.engagement_score(occurred_at, weight, '2024-03-10 12:00', '1 day') FROM (VALUES
    ('2024-03-10 12:00'::timestamptz, 1.0), (NULL, 5.0), ('2024-03-09 12:00', NULL)) AS v(occurred_at, weight);
SELECT engage.engagement_score(occurred_at, weight, NULL, '1 day') AS null_as_of,
       engage.engagement_score(occurred_at, weight, '2024-03-10', NULL) AS null_half_life
FROM events;
SELECT engage.engagement_score(occurred_at, weight, '2024-03-10', '1 day') AS no_rows FROM events WHERE false;
-- as_of is read per row: each row is decayed to its own as_of (here 1 + 1)
SELECT engage.engagement_score(occurred_at, 1, occurred_at + interval '1 day', '1 day') * 2 AS per_row
FROM events WHERE customer_id = 2;
-- a very old event underflows to 0
SELECT engage.engagement_score(occurred_at, 1, '2024-03-10', '1 second') AS underflow
FROM (VALUES ('1900-01-01'::timestamptz)) AS v(occurred_at);

-- bad input
SELECT pg_temp.error_of($$SELECT engage.engagement_score(now(), 'NaN', now(), '1 day')$$);
SELECT pg_temp.error_of($$SELECT engage.engagement_score(now(), 'Infinity', now(), '1 day')$$);
SELECT pg_temp.error_of($$SELECT engage.engagement_score('infinity', 1, now(), '1 day')$$);
SELECT pg_temp.error_of($$SELECT engage.engagement_score('-infinity', 1, now(), '1 day')$$);
SELECT pg_temp.error_of($$SELECT engage.engagement_score(now(), 1, 'infinity', '1 day')$$);
SELECT pg_temp.error_of($$SELECT engage.engagement_score(now(), 1, now(), '0 seconds')$$);
SELECT pg_temp.error_of($$SELECT engage.engagement_score(now(), 1, now(), '-1 day')$$);
SELECT pg_temp.error_of($$SELECT engage.engagement_score(now(), 1, now(), '1 month')$$);
SELECT pg_temp.error_of($$SELECT engage.engagement_score(t, 1e308, now(), '1 day') FROM (VALUES (now()), (now())) AS v(t)$$);

-- parallel plans give the serial answer, and both the plain-SQL sum; make valgrind
-- (ENGAGE_VALGRIND set) takes 30,000 events: expected/engagement_score_1.out
\getenv valgrind ENGAGE_VALGRIND
\if :{?valgrind}
\set big_events 30000
\else
\set big_events 300000
\endif
CREATE TABLE events_big AS
    SELECT i % 5000 AS customer_id,
           '2024-01-01'::timestamptz + ((i::bigint * 7919) % 525600) * interval '1 minute' AS occurred_at,
           ((i * 13) % 7) - 1.0 AS weight
    FROM generate_series(1, :big_events) AS i;
ANALYZE events_big;
CREATE TABLE serial_scores AS
    SELECT customer_id, engage.engagement_score(occurred_at, weight, '2024-10-01', '30 days') AS score
    FROM events_big GROUP BY customer_id;
CREATE TABLE serial_total AS
    SELECT engage.engagement_score(occurred_at, weight, '2024-10-01', '30 days') AS score FROM events_big;
SELECT round(score::numeric, 6) AS serial_total FROM serial_total;
SELECT count(*) AS differing_from_sql
FROM serial_scores AS s
JOIN (SELECT customer_id,
             coalesce(sum(weight * 2 ^ (-extract(epoch FROM '2024-10-01'::timestamptz - occurred_at) / (30 * 86400)))
                      FILTER (WHERE occurred_at <= '2024-10-01'), 0) AS score
      FROM events_big GROUP BY customer_id) AS q USING (customer_id)
WHERE abs(s.score - q.score) > 1e-9 * greatest(1, abs(q.score));
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT engage.engagement_score(occurred_at, weight, '2024-10-01', '30 days') FROM events_big;
SELECT abs(p.score - s.score) < 1e-9 * abs(s.score) AS total_agrees
FROM (SELECT engage.engagement_score(occurred_at, weight, '2024-10-01', '30 days') AS score FROM events_big) AS p,
     serial_total AS s;
SELECT count(*) AS groups, count(*) FILTER (WHERE abs(p.score - s.score) > 1e-9 * greatest(1, abs(s.score))) AS differing
FROM (SELECT customer_id, engage.engagement_score(occurred_at, weight, '2024-10-01', '30 days') AS score
      FROM events_big GROUP BY customer_id) AS p
JOIN serial_scores AS s USING (customer_id);
-- partial states of workers that see no row of the aggregate
SELECT engage.engagement_score(occurred_at, weight, '2024-10-01', '30 days') FILTER (WHERE false) AS none,
       engage.engagement_score(occurred_at, 1, occurred_at, '30 days') FILTER (WHERE ctid = '(0,1)') AS one
FROM events_big;
RESET ALL;

DROP TABLE events, channel_weights, events_big, serial_scores, serial_total;

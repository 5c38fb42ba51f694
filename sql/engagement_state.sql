-- engage.engagement: storable, mergeable engagement states, and incremental refresh.
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

-- one event; two events; a later event moves the reference time, an earlier one does not
SELECT engage.engagement('2024-03-01 12:00', 2, '1 day');
SELECT engage.engagement_add(engage.engagement('2024-03-01 12:00', 2, '1 day'), '2024-03-02 12:00', 1);
SELECT engage.engagement_add(engage.engagement('2024-03-02 12:00', 1, '1 day'), '2024-03-01 12:00', 2);
-- the + operator (schema-qualified here; plain + with engage on the search_path)
SELECT engage.engagement('2024-03-01 12:00', 2, '1 day') OPERATOR(engage.+) engage.engagement('2024-03-02 12:00', 1, '1 day') AS merged;
-- reading it later: 2 * 2^-3 + 2^-2 = 0.5 three days after the first event
SELECT engage.engagement_score(engage.engagement('2024-03-01 12:00', 2, '1 day')
                               OPERATOR(engage.+) engage.engagement('2024-03-02 12:00', 1, '1 day'), '2024-03-04 12:00') AS score;
SELECT engage.engagement_last_event(s), engage.engagement_events(s), engage.engagement_half_life(s)
FROM (SELECT engage.engagement('2024-03-01 12:00', 2, '36 hours') OPERATOR(engage.+) engage.engagement('2024-03-02 12:00', 1, '36 hours') AS s) AS q;

-- the aggregate; NULL arguments skip the row, no rows give NULL
CREATE TABLE interactions (customer_id integer, occurred_at timestamptz, weight double precision);
INSERT INTO interactions VALUES
    (1, '2024-03-01 12:00', 2), (1, '2024-03-02 12:00', 1), (1, NULL, 5), (1, '2024-03-03', NULL),
    (2, '2024-02-01 08:30', 1);
SELECT customer_id, engage.engagement_state(occurred_at, weight, '1 day')
FROM interactions GROUP BY customer_id ORDER BY customer_id;
SELECT engage.engagement_state(occurred_at, weight, '1 day') IS NULL AS no_rows FROM interactions WHERE false;
SELECT engage.engagement_state(occurred_at, weight, NULL) IS NULL AS null_half_life FROM interactions;

-- the state's score equals the aggregate score at any as_of from the last event on
SELECT as_of, round(engage.engagement_score(s, as_of)::numeric, 15) AS from_state,
       round(a.score::numeric, 15) AS from_events
FROM (SELECT engage.engagement_state(occurred_at, weight, '1 day') AS s FROM interactions WHERE customer_id = 1) AS st,
     (VALUES ('2024-03-02 12:00'::timestamptz), ('2024-03-05 00:00'), ('2024-03-12 12:00')) AS v(as_of),
     LATERAL (SELECT engage.engagement_score(occurred_at, weight, v.as_of, '1 day') AS score
              FROM interactions WHERE customer_id = 1) AS a
ORDER BY as_of;

-- text I/O round-trips exactly, whatever the session settings
CREATE TABLE states (s engage.engagement);
INSERT INTO states
    SELECT engage.engagement_state(occurred_at, weight, '7 days 3 hours 0.5 seconds')
    FROM (VALUES ('2024-03-01 12:34:56.789012+00'::timestamptz, 0.1), ('2024-02-01', 1.0 / 3)) AS v(occurred_at, weight);
INSERT INTO states VALUES (engage.engagement('1999-12-31 23:59:59.999999+00', -1e-300, '1 microsecond'));
INSERT INTO states VALUES (engage.engagement('2024-01-01', 1.7976931348623157e308, '100000 days'));
SELECT s FROM states;
SET TimeZone = 'Asia/Kolkata';
SET DateStyle = 'SQL, DMY';
SET IntervalStyle = 'iso_8601';
SET extra_float_digits = -15;
SELECT s::text = (s::text::engage.engagement)::text AS text_round_trip,
       engage.engagement_score(s, '2030-01-01') = engage.engagement_score(s::text::engage.engagement, '2030-01-01') AS same_score
FROM states;
SELECT s FROM states LIMIT 1;
RESET TimeZone;
RESET DateStyle;
RESET IntervalStyle;
SET TimeZone = 'UTC';
SET extra_float_digits = 0;
-- input accepts any timestamp and interval syntax, and blanks
SELECT ' ( score=1.5 ,last_event=2024-03-01 12:00:00+02,  half_life=P2DT1H , events=7 ) '::engage.engagement;

-- binary I/O round-trips exactly (COPY BINARY out, then in)
SELECT current_setting('data_directory') || '/engagement_states.bin' AS bin_file \gset
COPY states TO :'bin_file' (FORMAT binary);
CREATE TABLE states_back (s engage.engagement);
COPY states_back FROM :'bin_file' (FORMAT binary);
SELECT count(*) AS copied, count(*) FILTER (WHERE a.s::text = b.s::text) AS identical
FROM (SELECT s, row_number() OVER () AS n FROM states) AS a
JOIN (SELECT s, row_number() OVER () AS n FROM states_back) AS b USING (n);

-- bad input
SELECT pg_temp.error_of($$SELECT '(score=1, last_event=2024-01-01, half_life=1 day, events=1) x'::engage.engagement$$);
SELECT pg_temp.error_of($$SELECT 'score=1, last_event=2024-01-01, half_life=1 day, events=1'::engage.engagement$$);
SELECT pg_temp.error_of($$SELECT '(score=1, last_event=2024-01-01, events=1)'::engage.engagement$$);
SELECT pg_temp.error_of($$SELECT '(score=abc, last_event=2024-01-01, half_life=1 day, events=1)'::engage.engagement$$);
SELECT pg_temp.error_of($$SELECT '(score=NaN, last_event=2024-01-01, half_life=1 day, events=1)'::engage.engagement$$);
SELECT pg_temp.error_of($$SELECT '(score=1, last_event=infinity, half_life=1 day, events=1)'::engage.engagement$$);
SELECT pg_temp.error_of($$SELECT '(score=1, last_event=2024-01-01, half_life=1 mon, events=1)'::engage.engagement$$);
SELECT pg_temp.error_of($$SELECT '(score=1, last_event=2024-01-01, half_life=-1 day, events=1)'::engage.engagement$$);
SELECT pg_temp.error_of($$SELECT '(score=1, last_event=2024-01-01, half_life=1 day, events=0)'::engage.engagement$$);
SELECT pg_temp.error_of($$SELECT engage.engagement(now(), 'NaN', '1 day')$$);
SELECT pg_temp.error_of($$SELECT engage.engagement('infinity', 1, '1 day')$$);
SELECT pg_temp.error_of($$SELECT engage.engagement(now(), 1, '0 days')$$);
SELECT pg_temp.error_of($$SELECT engage.engagement_add(engage.engagement(now(), 1, '1 day'), now(), 'Infinity')$$);
SELECT pg_temp.error_of($$SELECT engage.engagement_add(engage.engagement(now(), 1, '1 day'), '-infinity', 1)$$);
SELECT pg_temp.error_of($$SELECT engage.engagement(now(), 1, '1 day') OPERATOR(engage.+) engage.engagement(now(), 1, '2 days')$$);
SELECT pg_temp.error_of($$SELECT engage.engagement_state(occurred_at, weight, make_interval(days => customer_id)) FROM interactions$$);
SELECT pg_temp.error_of($$SELECT engage.engagement_state(occurred_at, 'NaN', '1 day') FROM interactions$$);
SELECT pg_temp.error_of($$SELECT engage.engagement_score(engage.engagement('2024-03-02', 1, '1 day'), '2024-03-01')$$);
SELECT pg_temp.error_of($$SELECT engage.engagement_score(engage.engagement('2024-03-02', 1, '1 day'), 'infinity')$$);
SELECT pg_temp.error_of($$SELECT engage.engagement('2024-01-01', 1e308, '1 day') OPERATOR(engage.+) engage.engagement('2024-01-01', 1e308, '1 day')$$);
-- an event far older than the reference time decays to exactly 0 (no overflow, no NaN)
SELECT engage.engagement_add(engage.engagement('2024-01-01', 1, '1 second'), '1900-01-01', 1e300) AS old_event;
SELECT engage.engagement_add(engage.engagement('1900-01-01', 1e300, '1 second'), '2024-01-01', 1) AS new_event;

-- incremental refresh by a statement trigger: one state per customer, merged with the
-- states of each batch of new rows
CREATE TABLE engagement_summary (customer_id integer PRIMARY KEY, state engage.engagement NOT NULL);
CREATE FUNCTION refresh_engagement() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO engagement_summary AS s (customer_id, state)
    SELECT customer_id, engage.engagement_state(occurred_at, weight, '7 days')
    FROM new_rows WHERE occurred_at IS NOT NULL AND weight IS NOT NULL
    GROUP BY customer_id
    ON CONFLICT (customer_id) DO UPDATE SET state = s.state OPERATOR(engage.+) excluded.state;
    RETURN NULL;
END $$;
CREATE TABLE feed (customer_id integer, occurred_at timestamptz, weight double precision);
CREATE TRIGGER feed_refresh AFTER INSERT ON feed REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION refresh_engagement();
-- 20 batches of 1000 rows over 300 customers, in an order that brings late (older) events
-- after newer ones
CREATE TABLE feed_source AS
    SELECT i, (i * 7) % 300 AS customer_id,
           '2024-01-01'::timestamptz + ((i::bigint * 104729) % 525600) * interval '1 minute' AS occurred_at,
           ((i * 17) % 10) / 4.0 AS weight
    FROM generate_series(1, 20000) AS i;
DO $$
BEGIN
    FOR b IN 0..19 LOOP
        INSERT INTO feed SELECT customer_id, occurred_at, weight FROM feed_source WHERE i % 20 = b;
    END LOOP;
END $$;
SELECT count(*) AS customers, sum(engage.engagement_events(state)) AS events FROM engagement_summary;
-- and the same scores from a full recomputation, relative tolerance 1e-12
SELECT count(*) AS customers,
       count(*) FILTER (WHERE engage.engagement_last_event(s.state) <> f.last_event
                           OR engage.engagement_events(s.state) <> f.events) AS differing_times_or_counts,
       count(*) FILTER (WHERE abs(engage.engagement_score(s.state, '2025-01-01') - f.score)
                              > 1e-12 * abs(f.score)) AS differing_scores
FROM engagement_summary AS s
JOIN (SELECT customer_id, max(occurred_at) AS last_event, count(*) AS events,
             engage.engagement_score(occurred_at, weight, '2025-01-01', '7 days') AS score
      FROM feed GROUP BY customer_id) AS f USING (customer_id);

-- parallel plans give the serial answer (and NULL partial states combine)
CREATE TABLE serial_states AS
    SELECT customer_id, engage.engagement_state(occurred_at, weight, '7 days') AS state
    FROM feed_source GROUP BY customer_id;
ANALYZE feed_source;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT engage.engagement_state(occurred_at, weight, '7 days') FROM feed_source;
SELECT engage.engagement_last_event(p), engage.engagement_events(p),
       abs(engage.engagement_score(p, '2025-01-01') - s.score) < 1e-12 * s.score AS same_score
FROM (SELECT engage.engagement_state(occurred_at, weight, '7 days') AS p FROM feed_source) AS q,
     (SELECT engage.engagement_score(occurred_at, weight, '2025-01-01', '7 days') AS score FROM feed_source) AS s;
SET enable_hashagg = off;
SELECT count(*) AS groups,
       count(*) FILTER (WHERE engage.engagement_events(p.state) <> engage.engagement_events(s.state)
                           OR engage.engagement_last_event(p.state) <> engage.engagement_last_event(s.state)
                           OR abs(engage.engagement_score(p.state, '2025-01-01') - engage.engagement_score(s.state, '2025-01-01'))
                              > 1e-12 * engage.engagement_score(s.state, '2025-01-01')) AS differing
FROM (SELECT customer_id, engage.engagement_state(occurred_at, weight, '7 days') AS state
      FROM feed_source GROUP BY customer_id) AS p
JOIN serial_states AS s USING (customer_id);
SELECT engage.engagement_state(occurred_at, weight, '7 days') FILTER (WHERE false) AS none,
       engage.engagement_state(occurred_at, weight, '7 days') FILTER (WHERE i = 1) AS one
FROM feed_source;
RESET ALL;

DROP TABLE interactions, states, states_back, engagement_summary, feed, feed_source, serial_states;
DROP FUNCTION refresh_engagement();

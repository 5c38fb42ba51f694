-- engage.sequence_match and engage.sequence_count: ClickHouse's sequenceMatch and sequenceCount.
SET client_min_messages = warning;  -- no notice when an earlier test created it
CREATE EXTENSION IF NOT EXISTS engage;
RESET client_min_messages;
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, YMD';

-- ClickHouse's documented example: events 1, 3, 2 at times 1, 2, 3.  (?1)(?2) over n = 1, n = 2
-- matches (the event 3 satisfies no condition and is ignored); adding the condition n = 3 it
-- does not (3 now lies between 1 and 2); with n = 4 instead it does.
CREATE TEMP TABLE ch_events (t timestamptz, number int);
INSERT INTO ch_events VALUES ('2000-01-01 00:00:01', 1), ('2000-01-01 00:00:02', 3), ('2000-01-01 00:00:03', 2);
SELECT engage.sequence_match('(?1)(?2)', t, number = 1, number = 2) AS match_1_2,
       engage.sequence_match('(?1)(?2)', t, number = 1, number = 2, number = 3) AS match_1_2_3,
       engage.sequence_match('(?1)(?2)', t, number = 1, number = 2, number = 4) AS match_1_2_4,
       engage.sequence_match('(?1).*(?2)', t, number = 1, number = 2, number = 3) AS gap_1_2_3
FROM ch_events;
-- ClickHouse's sequenceCount example: 1, 3, 2, 1, 3, 2 at times 1..6: (?1).*(?2) twice
SELECT engage.sequence_count('(?1).*(?2)', t, number = 1, number = 2) AS count_1_2,
       engage.sequence_count('(?1)(?2)', t, number = 1, number = 2, number = 3) AS adjacent_1_2
FROM (SELECT t + (k * 3) * interval '1 second', number FROM ch_events, generate_series(0, 1) AS k) AS v(t, number);

-- time conditions, in seconds, between the events of the (?N) around them (any events between)
SELECT engage.sequence_match('(?1)(?t<=2)(?2)', t, number = 1, number = 2) AS le_2,
       engage.sequence_match('(?1)(?t<2)(?2)', t, number = 1, number = 2) AS lt_2,
       engage.sequence_match('(?1)(?t==2)(?2)', t, number = 1, number = 2) AS eq_2,
       engage.sequence_match('(?1)(?t>=2)(?2)', t, number = 1, number = 2) AS ge_2,
       engage.sequence_match('(?1)(?t>2)(?2)', t, number = 1, number = 2) AS gt_2,
       engage.sequence_match('(?1)(?t>=1)(?t<=3)(?2)', t, number = 1, number = 2) AS between_1_3,
       engage.sequence_match('(?1)(?t>1)(?3)(?t<1)(?2)', t, number = 1, number = 2, number = 3) AS chained
FROM ch_events;

-- non-overlapping counting: view -> buy twice (10:00-10:10, 10:20-10:30), the 10:40 view unmatched;
-- (?1)(?1) on three views counts 1; sequence_match and count agree on no match
CREATE TEMP TABLE visits (t timestamptz, e text);
INSERT INTO visits VALUES ('2024-01-01 10:00', 'view'), ('2024-01-01 10:10', 'buy'), ('2024-01-01 10:20', 'view'),
                          ('2024-01-01 10:30', 'buy'), ('2024-01-01 10:40', 'view');
SELECT engage.sequence_count('(?1)(?2)', t, e = 'view', e = 'buy') AS view_buy,
       engage.sequence_count('(?1).*(?1)', t, e = 'view', e = 'buy') AS view_any_view,
       engage.sequence_count('(?1)(?1)', t, e = 'view', e = 'nothing') AS two_views,
       engage.sequence_count('(?2)(?t<=300)(?1)', t, e = 'view', e = 'buy') AS buy_then_view_in_5_min,
       engage.sequence_count('(?2)(?t<=600)(?1)', t, e = 'view', e = 'buy') AS buy_then_view_in_10_min,
       engage.sequence_match('(?2)(?2)', t, e = 'view', e = 'buy') AS two_buys,
       engage.sequence_count('(?2)(?2)', t, e = 'view', e = 'buy') AS two_buys_count
FROM visits;

-- Equal times: events at one instant are taken in the order of the lowest condition they
-- satisfy, whatever the order of the rows (ClickHouse leaves it undefined).
SELECT engage.sequence_match('(?1)(?2)', t, e = 'a', e = 'b') AS a_then_b,
       engage.sequence_match('(?2)(?1)', t, e = 'a', e = 'b') AS b_then_a
FROM (VALUES (timestamptz '2024-01-01', 'b'), ('2024-01-01', 'a')) AS v(t, e);

-- NULL conditions are false, NULL times skipped, no rows: false and 0
SELECT engage.sequence_match('(?1)(?2)', t, n = 1, n > x) AS with_nulls,
       engage.sequence_count('(?1)(?2)', t, n = 1, n = 2) AS null_time_skipped
FROM (VALUES (timestamptz '2024-01-01', 1, NULL::int), (NULL, 2, 0), ('2024-01-02', 2, 0)) AS v(t, n, x);
SELECT engage.sequence_match('(?1)', t, true) AS no_rows_match, engage.sequence_count('(?1)', t, true) AS no_rows_count
FROM (SELECT now() WHERE false) AS v(t);

-- Against an independent matcher: random events of 3 conditions per customer, written as a
-- string (one letter per event, its condition bits), and the pattern as a regular expression
-- (unanchored; (?N) is the class of letters with bit N).  sequence_match must equal ~.
SELECT setseed(0.125);
CREATE TEMP TABLE seq_rows AS
    SELECT i % 300 AS customer, timestamptz '2024-01-01' + i * interval '1 minute' AS t,
           (random() < 0.3) AS c1, (random() < 0.3) AS c2, (random() < 0.2) AS c3
    FROM generate_series(1, 6000) AS i;
CREATE TEMP TABLE seq_words AS
    SELECT customer,
           string_agg(chr(96 + (c1::int + 2 * c2::int + 4 * c3::int)), '' ORDER BY t)
               FILTER (WHERE c1 OR c2 OR c3) AS word
    FROM seq_rows GROUP BY customer;
CREATE FUNCTION pg_temp.as_regex(pattern text) RETURNS text LANGUAGE sql AS $$
    SELECT replace(replace(replace(pattern, '(?1)', '[aceg]'), '(?2)', '[bcfg]'), '(?3)', '[defg]')
$$;
SELECT p.pattern, count(*) AS customers,
       count(*) FILTER (WHERE m.matched) AS matched,
       count(*) FILTER (WHERE m.matched IS DISTINCT FROM (coalesce(w.word, '') ~ pg_temp.as_regex(p.pattern))) AS differ
FROM (VALUES ('(?1)(?2)(?3)'), ('(?1).*(?2)(?3)'), ('(?3)(?3)'), ('(?1)(?1).*(?2).*(?1)(?3)'), ('(?2).*(?2).*(?2).*(?2)')) AS p(pattern)
CROSS JOIN LATERAL (SELECT customer, engage.sequence_match(p.pattern, t, c1, c2, c3) AS matched
                    FROM seq_rows GROUP BY customer) AS m
JOIN seq_words AS w USING (customer)
GROUP BY p.pattern ORDER BY p.pattern;
-- and with time conditions, against a self-join: some c1 event followed, within 10 hours (and
-- by any events), by a c2 event; and more than 10 hours later (a customer's events are 5 hours
-- apart here, all times distinct)
SELECT count(*) FILTER (WHERE m.within) AS within, count(*) FILTER (WHERE m.after) AS after,
       count(*) FILTER (WHERE m.within IS DISTINCT FROM EXISTS (
           SELECT 1 FROM seq_rows a JOIN seq_rows b USING (customer)
           WHERE a.customer = m.customer AND a.c1 AND b.c2 AND b.t > a.t AND b.t - a.t <= interval '36000 seconds')
           OR m.after IS DISTINCT FROM EXISTS (
           SELECT 1 FROM seq_rows a JOIN seq_rows b USING (customer)
           WHERE a.customer = m.customer AND a.c1 AND b.c2 AND b.t - a.t > interval '36000 seconds')
           OR m.between IS DISTINCT FROM EXISTS (
           SELECT 1 FROM seq_rows a JOIN seq_rows b USING (customer) JOIN seq_rows c USING (customer)
           WHERE a.customer = m.customer AND a.c3 AND b.c1 AND c.c2
                 AND b.t - a.t BETWEEN interval '18000 seconds' AND interval '54000 seconds'
                 AND c.t - b.t BETWEEN interval '36000 seconds' AND interval '72000 seconds')) AS differ,
       count(*) FILTER (WHERE m.between) AS between
FROM (SELECT customer, engage.sequence_match('(?1)(?t<=36000)(?2)', t, c1, c2, c3) AS within,
             engage.sequence_match('(?1)(?t>36000)(?2)', t, c1, c2, c3) AS after,
             engage.sequence_match('(?3)(?t>=18000)(?t<=54000)(?1)(?t<=72000)(?t>=36000)(?2)', t, c1, c2, c3) AS between
      FROM seq_rows GROUP BY customer) AS m;
-- counting, against PostgreSQL's regexp_count of non-overlapping shortest matches
SELECT p.pattern, sum(m.n) AS matches,
       count(*) FILTER (WHERE m.n <> regexp_count(coalesce(w.word, ''), pg_temp.as_regex(replace(p.pattern, '.*', '.*?')))) AS differ
FROM (VALUES ('(?1)(?2)'), ('(?1).*(?2)'), ('(?3)(?3)'), ('(?1).*(?3)')) AS p(pattern)
CROSS JOIN LATERAL (SELECT customer, engage.sequence_count(p.pattern, t, c1, c2, c3) AS n
                    FROM seq_rows GROUP BY customer) AS m
JOIN seq_words AS w USING (customer)
GROUP BY p.pattern ORDER BY p.pattern;

-- the VARIADIC and fixed-arity forms agree; parallel plans give the serial answers
SELECT count(*) FILTER (WHERE a = b AND c = d) AS agree, count(*) AS customers
FROM (SELECT customer,
             engage.sequence_count('(?1).*(?2)(?3)', t, c1, c2, c3) AS a,
             engage.sequence_count('(?1).*(?2)(?3)', t, VARIADIC ARRAY[c1, c2, c3]) AS b,
             engage.sequence_match('(?3)(?t>=120)(?1)', t, c1, c2, c3) AS c,
             engage.sequence_match('(?3)(?t>=120)(?1)', t, VARIADIC ARRAY[c1, c2, c3]) AS d
      FROM seq_rows GROUP BY customer) AS s;
CREATE TABLE seq_par AS SELECT * FROM seq_rows;
ANALYZE seq_par;
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT engage.sequence_count('(?1).*(?2)', t, c1, c2) FROM seq_par;
SELECT engage.sequence_count('(?1).*(?2)', t, c1, c2) AS parallel_count,
       engage.sequence_match('(?3)(?3)(?3)(?3)', t, c1, c2, c3) AS parallel_match
FROM seq_par;
RESET ALL;
SELECT engage.sequence_count('(?1).*(?2)', t, c1, c2) AS serial_count,
       engage.sequence_match('(?3)(?3)(?3)(?3)', t, c1, c2, c3) AS serial_match
FROM seq_par;
DROP TABLE seq_par;

-- Bad patterns: 22023 with the position; the pattern and conditions are constants of the group.
\set VERBOSITY default
SELECT engage.sequence_match('(?1)(?2', now(), true, true);
SELECT engage.sequence_match('(?1)x', now(), true);
SELECT engage.sequence_match('(?1)(?t=5)(?1)', now(), true);
SELECT engage.sequence_match('(?1)(?t<=)(?1)', now(), true);
SELECT engage.sequence_match('(?t<=5)(?1)', now(), true);
SELECT engage.sequence_match('.*', now(), true);
SELECT engage.sequence_match('', now(), true);
SELECT engage.sequence_match('(?0)', now(), true);
SELECT engage.sequence_match('(?2)', now(), true);
SELECT engage.sequence_match('(?1)(?t<=99999999999999)(?1)', now(), true);
SELECT engage.sequence_match(NULL, now(), true);
SELECT engage.sequence_match(p, now(), true) FROM (VALUES ('(?1)'), ('(?1)(?1)')) AS v(p);
SELECT engage.sequence_match('(?1)', now(), VARIADIC array_fill(true, ARRAY[33]));
SELECT engage.sequence_match(repeat('(?1)', 65), now(), true);
-- a long pattern over many events: the work is bounded (no backtracking blow-up)
SELECT engage.sequence_match(repeat('.*(?1)', 63) || '(?2)', t, true, false) AS long_pattern,
       engage.sequence_count('(?1).*(?1).*(?1)', t, true) AS triples
FROM generate_series(timestamptz '2024-01-01', timestamptz '2024-01-01' + interval '29999 seconds', '1 second') AS t;

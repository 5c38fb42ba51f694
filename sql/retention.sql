-- engage.retention: ClickHouse retention.
SET client_min_messages = warning;  -- no notice when an earlier test created it
CREATE EXTENSION IF NOT EXISTS engage;
RESET client_min_messages;
SET DateStyle = 'ISO, YMD';

-- ClickHouse documentation example: users 0-4 seen on 2020-01-01, 0-9 on 01-02, 0-14 on 01-03
CREATE TEMP TABLE retention_test (date date, uid int);
INSERT INTO retention_test SELECT '2020-01-01', n FROM generate_series(0, 4) AS n;
INSERT INTO retention_test SELECT '2020-01-02', n FROM generate_series(0, 9) AS n;
INSERT INTO retention_test SELECT '2020-01-03', n FROM generate_series(0, 14) AS n;
SELECT uid, engage.retention(date = '2020-01-01', date = '2020-01-02', date = '2020-01-03') AS r
FROM retention_test WHERE date IN ('2020-01-01', '2020-01-02', '2020-01-03')
GROUP BY uid ORDER BY uid;
SELECT sum(r[1]) AS r1, sum(r[2]) AS r2, sum(r[3]) AS r3 FROM (
    SELECT uid, engage.retention(date = '2020-01-01', date = '2020-01-02', date = '2020-01-03') AS r
    FROM retention_test WHERE date IN ('2020-01-01', '2020-01-02', '2020-01-03') GROUP BY uid) AS a;

-- conditions on different rows count; without condition 1 everything is 0
SELECT engage.retention(e = 'signup', e = 'login', e = 'purchase') AS r
FROM (VALUES ('login'), ('purchase'), ('signup')) AS v(e);
SELECT engage.retention(e = 'signup', e = 'login', e = 'purchase') AS r
FROM (VALUES ('login'), ('purchase')) AS v(e);
SELECT engage.retention(true) AS one, engage.retention(false) AS zero;
SELECT engage.retention(e) IS NULL AS no_rows FROM (SELECT true AS e WHERE false) AS s;
SELECT engage.retention(VARIADIC array_fill(true, ARRAY[32])) = array_fill(1, ARRAY[32]) AS thirty_two;
-- the final function checks states it is given directly
SELECT engage.retention_final((3::bigint << 32) | 5) AS three_conditions;

-- bad input
CREATE FUNCTION pg_temp.error_of(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE q;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
SELECT q, pg_temp.error_of(q) FROM (VALUES
    ($q$SELECT engage.retention(true, NULL)$q$),
    ($q$SELECT engage.retention(VARIADIC NULL::boolean[])$q$),
    ($q$SELECT engage.retention(VARIADIC '{}'::boolean[])$q$),
    ($q$SELECT engage.retention(VARIADIC array_fill(true, ARRAY[33]))$q$),
    ($q$SELECT engage.retention(VARIADIC array_fill(true, ARRAY[n])) FROM generate_series(1, 2) AS n$q$),
    ($q$SELECT engage.retention_final(-1)$q$),
    ($q$SELECT engage.retention_final((2::bigint << 32) | 4)$q$),
    ($q$SELECT engage.retention_final(33::bigint << 32)$q$)
) AS cases(q);

-- a parallel plan gives the serial answer, per user and over the whole table
SELECT setseed(0.5);
CREATE TABLE retention_rows AS
    SELECT i % 4000 AS uid, floor(random() * random() * 60)::int AS day FROM generate_series(1, 200000) AS i;
ANALYZE retention_rows;
CREATE TEMP TABLE retention_serial AS
    SELECT uid, engage.retention(day = 0, day = 1, day = 7, day = 29) AS r FROM retention_rows GROUP BY uid;
SELECT r, count(*) FROM retention_serial GROUP BY r ORDER BY r;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET enable_hashagg = off;
EXPLAIN (COSTS OFF)
    SELECT uid, engage.retention(day = 0, day = 1) FROM retention_rows GROUP BY uid;
SELECT count(*) AS users, count(*) FILTER (WHERE p.r IS DISTINCT FROM s.r) AS differ
FROM retention_serial AS s FULL JOIN (
    SELECT uid, engage.retention(day = 0, day = 1, day = 7, day = 29) AS r FROM retention_rows GROUP BY uid) AS p
    USING (uid);
EXPLAIN (COSTS OFF) SELECT engage.retention(day = 0) FROM retention_rows;
SELECT engage.retention(day = 0, day = 1, day = 30) AS whole FROM retention_rows;
SELECT engage.retention(day = 0, day = 1) IS NULL AS no_rows FROM retention_rows WHERE day > 30;
RESET ALL;
DROP TABLE retention_rows;

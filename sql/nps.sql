-- engage.nps: % promoters (9-10) minus % detractors (0-6).
SET client_min_messages = warning;  -- no notice when an earlier test created it
CREATE EXTENSION IF NOT EXISTS engage;
RESET client_min_messages;

-- 3 promoters, 2 passives, 5 detractors out of 10: 30 - 50 = -20
SELECT engage.nps(s) FROM unnest(ARRAY[10, 9, 9, 8, 7, 6, 0, 3, 5, 6]) AS s;
-- NULL answers are skipped; no answers give NULL
SELECT engage.nps(s) FROM unnest(ARRAY[10, NULL, 0]::int[]) AS s;
SELECT engage.nps(s) IS NULL AS empty FROM unnest(ARRAY[]::int[]) AS s;
-- the extremes
SELECT engage.nps(10), engage.nps(0), engage.nps(7);
-- out of the scale
SELECT engage.nps(11);
SELECT engage.nps(-1);

-- a parallel plan gives the serial answer
CREATE TABLE nps_answers AS
    SELECT (i * 7919) % 11 AS score FROM generate_series(1, 200000) AS i;
ANALYZE nps_answers;
SELECT engage.nps(score) AS serial FROM nps_answers;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT engage.nps(score) FROM nps_answers;
SELECT engage.nps(score) AS parallel FROM nps_answers;
RESET ALL;
DROP TABLE nps_answers;

-- engage.fitdata: the compressed fit sample as a storable type (text and binary I/O),
-- merging, combining empty and NULL partial states, corrupt input.
SET client_min_messages = warning;   -- no "already exists" notice when an earlier test created it
CREATE EXTENSION IF NOT EXISTS engage;
RESET client_min_messages;

-- distinct tuples with summed weights; -0 and 0 are the same tuple
SELECT engage.fitdata(f, r, a) FROM (VALUES (2::float8, 30.43::float8, 38.86::float8), (0, 0, 38.86),
                                           (2, 30.43, 38.86), (0, '-0', 38.86)) v(f, r, a);
SELECT engage.fitdata(f, r, a, w) FROM (VALUES (1::float8, 0.5::float8, 3::float8, 2.5::float8), (1, 0.5, 3, 0.5)) v(f, r, a, w);
SELECT engage.fitdata(f, r, a) IS NULL AS empty FROM (VALUES (1::float8, 1::float8, 2::float8)) v(f, r, a) WHERE false;

-- text round trip, exact (shortest round-trip decimal form)
SELECT 'k=3 tuples=2 weight=3 options={} data={(0.1,0.2,0.30000000000000004,1),(1,2,3,2)}'::engage.fitdata;
SELECT x::text::engage.fitdata::text = x::text AS text_round_trip
FROM (SELECT engage.fitdata(f, f / 3.0, f / 3.0 + 1 / 7.0) AS x FROM generate_series(0, 50) AS f) s;
-- options (the penalizer of a fit aggregate) travel with the sample
SELECT 'k=3 tuples=1 weight=1 options={0.5} data={(1,2,3,1)}'::engage.fitdata;
-- malformed text
SELECT 'k=3 tuples=2 weight=3 options={} data={(1,2,3,1)}'::engage.fitdata;
SELECT 'k=21 tuples=0 weight=0 options={} data={}'::engage.fitdata;
SELECT 'k=3 tuples=1 weight=1 options={} data={(1,2,3,-1)}'::engage.fitdata;
SELECT 'k=3 tuples=1 weight=1 options={} data={(1,2,3)}'::engage.fitdata;
SELECT 'garbage'::engage.fitdata;

-- binary round trip through COPY (send / recv)
CREATE TABLE fd_src AS
    SELECT engage.fitdata(f, f / 3.0, 10.0 + f, 1 + f % 3) AS x FROM generate_series(0, 99) AS f;
CREATE TABLE fd_dst (x engage.fitdata);
DO $$
DECLARE
    f text := '/tmp/engage_fitdata_' || pg_backend_pid() || '.bin';
BEGIN
    EXECUTE format('COPY fd_src TO %L WITH (FORMAT binary)', f);
    EXECUTE format('COPY fd_dst FROM PROGRAM %L WITH (FORMAT binary)', 'cat ' || f || ' && rm -f ' || f);
END
$$;
SELECT (SELECT x::text FROM fd_src) = (SELECT x::text FROM fd_dst) AS binary_round_trip;
DROP TABLE fd_src, fd_dst;

-- merging stored samples: weights add, NULLs are skipped, an empty input gives NULL
SELECT engage.fitdata_merge(x) FROM (VALUES
    ('k=3 tuples=1 weight=2 options={} data={(1,2,3,2)}'::engage.fitdata),
    (NULL),
    ('k=3 tuples=2 weight=5 options={} data={(1,2,3,1),(0,0,3,4)}'::engage.fitdata)) v(x);
SELECT engage.fitdata_merge(x) IS NULL AS empty FROM (VALUES (NULL::engage.fitdata)) v(x);
-- different options cannot be merged
SELECT engage.fitdata_merge(x) FROM (VALUES
    ('k=3 tuples=1 weight=1 options={0.1} data={(1,2,3,1)}'::engage.fitdata),
    ('k=3 tuples=1 weight=1 options={0.2} data={(1,2,3,1)}'::engage.fitdata)) v(x);
-- a sample of another shape (k) cannot be fitted by the counting models
SELECT engage.bgnbd_fit('k=2 tuples=1 weight=1 options={} data={(1,2,1)}'::engage.fitdata);

-- exact weights: 10^6 unit weights; 1e16 + 1 + 1 is 1e16 in naive double arithmetic, the
-- exact sum keeps 1e16 + 2; ten times 0.1 is 1 (a naive sum gives 0.9999999999999999), in
-- any order, and 1 + 2^-53 + 2^-53 is 1 + 2^-52 (each partial sum rounds to 1)
SELECT engage.fitdata(1, 2, 3) FROM generate_series(1, 1000000);
SELECT engage.fitdata(1, 2, 3, w) FROM (VALUES (1e16::float8), (1), (1)) v(w);
SELECT engage.fitdata(1, 2, 3, 0.1) FROM generate_series(1, 10);
SELECT engage.fitdata(1, 2, 3, w ORDER BY w) FROM (VALUES (2::float8 ^ (-53)), (1), (2::float8 ^ (-53))) v(w);
SELECT engage.fitdata(1, 2, 3, w ORDER BY w DESC) FROM (VALUES (2::float8 ^ (-53)), (1), (2::float8 ^ (-53))) v(w);

-- weights summing past the double range are an error (22003), never a stored NaN: within a
-- summary, over the whole sample, and when merging stored samples; the largest total is kept
SELECT engage.fitdata(f, r, a, w) FROM (VALUES (1.0::float8, 1.0::float8, 2.0::float8, 1e308::float8),
                                               (1, 1, 2, 1e308), (2, 1, 3, 1)) v(f, r, a, w);
SELECT 'k=3 tuples=2 weight=0 options={} data={(1,1,2,1e308),(1,2,2,1e308)}'::engage.fitdata;
SELECT engage.fitdata(f, 1, 2, 1e308) FROM (VALUES (0::float8), (1)) v(f);
SELECT engage.fitdata_merge(x) FROM (VALUES ('k=3 tuples=1 weight=1 options={} data={(1,1,2,1e308)}'::engage.fitdata),
                                            ('k=3 tuples=1 weight=1 options={} data={(1,1,2,1e308)}'::engage.fitdata)) v(x);
SELECT 'k=3 tuples=2 weight=0 options={} data={(1,1,2,1e308),(1,2,2,7e307)}'::engage.fitdata;
SELECT 'k=3 tuples=1 weight=0 options={} data={(1,1,2,1.7976931348623157e308)}'::engage.fitdata;

-- parallel: empty partial states (a filter no row passes in some workers) combine
CREATE TABLE fd_par AS SELECT i % 50 AS f, (i % 50) / 2.0 AS r, 30.0 AS a FROM generate_series(1, 100000) AS i;
ANALYZE fd_par;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT engage.fitdata(f, r, a) FROM fd_par WHERE f = 7 AND r < 4 AND a > 0;
SELECT engage.fitdata(f, r, a) FROM fd_par WHERE f = 7 AND r < 4;
SELECT engage.fitdata(f, r, a) IS NULL AS all_empty FROM fd_par WHERE f > 100;
SELECT engage.fitdata(f, r, a)::text AS parallel_text FROM fd_par \gset
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
SELECT engage.fitdata_merge(x)::text = :'parallel_text' AS same_as_serial, length(:'parallel_text') > 100 AS nonempty
FROM (SELECT engage.fitdata(f, r, a) AS x FROM fd_par) s;
DROP TABLE fd_par;

-- Every function of schema engage that SQL can call (all but the type input/output
-- functions and those taking or returning internal), called with valid arguments in which one
-- argument at a time is replaced by an extreme value of its type: NULL, NaN, +-Infinity, zero,
-- negative, huge and tiny numbers, out-of-range integers, infinite and far timestamps,
-- zero/negative/month/huge intervals, empty and oversized arrays, model parameters that are
-- NaN, infinite, zero or negative.  Aggregates get the arguments on two rows.  Each call must
-- either return or raise an error that is not an internal error (XX000) and is worded in
-- PostgreSQL's style; no number it returns may be NaN or infinite, and each call must stop
-- within half a second of a one-second statement_timeout.
-- The functions are found in the catalog, so a new function is swept without changes here.
SET client_min_messages = error;   -- also no "already exists" notice when an earlier test created it
CREATE EXTENSION IF NOT EXISTS engage;
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, YMD';

-- A valid sample of every argument type used by engage (an expression).
CREATE TEMP TABLE sample_value (type regtype PRIMARY KEY, expr text NOT NULL);
INSERT INTO sample_value VALUES
    ('double precision', '2::float8'),
    ('integer', '2'),
    ('bigint', '2::int8'),
    ('boolean', 'true'),
    ('text', $$'strict_order'$$),
    ('timestamp with time zone', $$'2020-01-10 00:00+00'::timestamptz$$),
    ('interval', $$'7 days'::interval$$),
    ('boolean[]', $$'{t,t}'::boolean[]$$),
    ('text[]', $$'{strict_order,visit}'::text[]$$),
    ('bigint[]', $$'{1,2,3}'::bigint[]$$),
    ('double precision[]', $$'{}'::float8[]$$),
    ('engage.engagement', $$engage.engagement('2020-01-05 00:00+00', 1, '7 days')$$),
    ('engage.activity', $$'{0-3,5,9-12}'::engage.activity$$),
    ('engage.rfm', $$'(2,3,5,10)'::engage.rfm$$),
    ('engage.bgnbd', $$'(0.243,4.414,0.793,2.426,,,,,,)'::engage.bgnbd$$),
    ('engage.mbgnbd', $$'(0.525,6.183,0.891,1.614,,,,,,)'::engage.mbgnbd$$),
    ('engage.paretonbd', $$'(0.553,10.578,0.606,11.669,,,,,,)'::engage.paretonbd$$),
    ('engage.ggomnbd', $$'(0.55,10.6,0.1,0.6,2,,,,,,)'::engage.ggomnbd$$),
    ('engage.bgbb', $$'(1.204,0.750,0.657,2.783,,,,,,)'::engage.bgbb$$),
    ('engage.gammagamma', $$'(6.25,3.74,15.44,,,,,)'::engage.gammagamma$$),
    ('engage.sbg', $$'(0.668,3.806,,,,,)'::engage.sbg$$),
    ('engage.fitdata', $$(SELECT engage.fitdata(f, r, a) FROM (VALUES (2.0, 3.0, 5.0), (0.0, 0.0, 4.0)) v(f, r, a))$$),
    ('timestamp with time zone[]', $$'{2020-01-01 00:00+00,2020-01-05 00:00+00}'::timestamptz[]$$),
    ('engage.rfm_holdout', $$'(2,3,5,10,1,4,6)'::engage.rfm_holdout$$),
    ('engage.purchases', $$'UTC {2020-01-01:5,2020-01-05:0?}'::engage.purchases$$);

-- The extreme values of each type that the functions must survive.
CREATE TEMP TABLE extreme_value (type regtype, expr text NOT NULL);
INSERT INTO extreme_value
SELECT 'double precision'::regtype, unnest(ARRAY[$$'NaN'::float8$$, $$'Infinity'::float8$$,
       $$'-Infinity'::float8$$, '0::float8', '-1::float8', '1e300::float8', '-1e300::float8',
       '1e-300::float8', '1e15::float8'])
UNION ALL
SELECT 'integer', unnest(ARRAY['0', '-1', '2147483647', '(-2147483647 - 1)', '100000'])
UNION ALL
SELECT 'bigint', unnest(ARRAY['0::int8', '-1::int8', '9223372036854775807::int8',
       '(-9223372036854775807 - 1)::int8'])
UNION ALL
SELECT 'timestamp with time zone', unnest(ARRAY[$$'infinity'::timestamptz$$,
       $$'-infinity'::timestamptz$$, $$'4713-01-01 00:00+00 BC'::timestamptz$$,
       $$'294276-12-31 00:00+00'::timestamptz$$, $$'2000-01-01 00:00+00'::timestamptz$$])
UNION ALL
SELECT 'interval', unnest(ARRAY[$$'0'::interval$$, $$'-1 day'::interval$$,
       $$'1 mon'::interval$$, $$'1 microsecond'::interval$$, $$'178000000 years'::interval$$,
       $$'-178000000 years'::interval$$, $$'2147483647 days 2562047788 hours'::interval$$])
UNION ALL
SELECT 'boolean[]', unnest(ARRAY[$$'{}'::boolean[]$$, $$'{NULL}'::boolean[]$$,
       $$'{{t,t},{t,t}}'::boolean[]$$, 'array_fill(true, ARRAY[33])', $$'{f,f}'::boolean[]$$,
       $$'[5:6]={t,t}'::boolean[]$$])
UNION ALL
SELECT 'text[]', unnest(ARRAY[$$'{}'::text[]$$, $$'{NULL}'::text[]$$, $$'{visit,NULL}'::text[]$$,
       $$'{{a,b},{c,d}}'::text[]$$, '(SELECT array_agg(g::text) FROM generate_series(1, 33) g)',
       $$'{visit,visit}'::text[]$$, $$'[5:6]={visit,strict_order}'::text[]$$, $$'{""}'::text[]$$])
UNION ALL
SELECT 'bigint[]', unnest(ARRAY[$$'{}'::bigint[]$$, $$'{1,NULL,3}'::bigint[]$$,
       $$'{{1,2,3}}'::bigint[]$$, $$'{-5,-5,-5}'::bigint[]$$, $$'{0,0,0}'::bigint[]$$,
       $$'{9223372036854775807,9223372036854775807,1}'::bigint[]$$, $$'{1,2,3,4}'::bigint[]$$])
UNION ALL
SELECT 'double precision[]', unnest(ARRAY[$$'{NULL}'::float8[]$$, $$'{NaN}'::float8[]$$,
       $$'{-Infinity}'::float8[]$$, $$'{{1,2},{3,4}}'::float8[]$$, 'array_fill(1.0::float8, ARRAY[9])',
       $$'{1e300}'::float8[]$$, $$'[5:6]={1,2}'::float8[]$$, $$'{0}'::float8[]$$])
UNION ALL
SELECT 'text', unnest(ARRAY[$$''$$, $$'bogus'$$, $$repeat('strict_order,', 1000)$$])
UNION ALL
SELECT 'engage.engagement', unnest(ARRAY[
       $$engage.engagement('294276-12-30 00:00+00', 1e300, '1 microsecond')$$,
       $$engage.engagement('4713-01-02 00:00+00 BC', -1e300, '178000000 years')$$,
       $$engage.engagement('2020-01-05 00:00+00', 1, '1 microsecond')$$])
UNION ALL
SELECT 'engage.activity', unnest(ARRAY[$$'{}'::engage.activity$$,
       $$'{-2147483648}'::engage.activity$$, $$'{2147483647}'::engage.activity$$,
       $$'{0-999999}'::engage.activity$$])
UNION ALL
SELECT 'engage.rfm', unnest(ARRAY[$$'(,,,)'::engage.rfm$$, $$'(-1,3,5,10)'::engage.rfm$$,
       $$'(2,NaN,5,10)'::engage.rfm$$, $$'(2,3,Infinity,10)'::engage.rfm$$,
       $$'(2,3,5,-Infinity)'::engage.rfm$$, $$'(2,6,5,10)'::engage.rfm$$,
       $$'(2147483647,1e300,1e300,1e300)'::engage.rfm$$, $$'(0,0,0,0)'::engage.rfm$$])
UNION ALL
SELECT 'timestamp with time zone[]', unnest(ARRAY[$$'{}'::timestamptz[]$$, $$'{NULL}'::timestamptz[]$$,
       $$'{infinity}'::timestamptz[]$$, $$'{{2020-01-01 00:00+00}}'::timestamptz[]$$,
       $$'{4713-01-01 00:00+00 BC,294276-12-30 00:00+00}'::timestamptz[]$$])
UNION ALL
SELECT 'engage.rfm_holdout', unnest(ARRAY[$$'(,,,,,,)'::engage.rfm_holdout$$,
       $$'(2,6,5,10,1,4,6)'::engage.rfm_holdout$$, $$'(2,3,5,10,-1,4,6)'::engage.rfm_holdout$$,
       $$'(2,3,5,10,1,4,NaN)'::engage.rfm_holdout$$, $$'(2147483647,1e300,1e300,1e300,2147483647,1e300,1e300)'::engage.rfm_holdout$$])
UNION ALL
SELECT 'engage.purchases', unnest(ARRAY[$$'UTC {}'::engage.purchases$$,
       $$'UTC {-4713-11-24:1e308,5874897-12-31:1e308}'::engage.purchases$$,
       $$'Pacific/Kiritimati {2020-01-01:-1e308,2020-01-02:1e308?,2020-01-03:1e308}'::engage.purchases$$]);

-- Model types: all fields NULL, then each parameter in turn NaN, infinite, zero, negative,
-- huge and tiny.
INSERT INTO extreme_value
SELECT s.type, format('%L::%s', v.val, s.type)
FROM sample_value s
CROSS JOIN LATERAL (SELECT string_to_array(trim(BOTH '()' FROM
                           substring(s.expr FROM $r$'([^']*)'$r$)), ',') AS fields) f
CROSS JOIN LATERAL (
    SELECT '(' || array_to_string(f.fields[:i - 1] || ARRAY[x] || f.fields[i + 1:], ',') || ')'
    FROM generate_series(1, array_length(f.fields, 1)) AS i,
         unnest(ARRAY['NaN', 'Infinity', '-Infinity', '0', '-1', '1e300', '1e-300']) AS x
    WHERE f.fields[i] <> ''
    UNION ALL
    SELECT '(' || repeat(',', array_length(f.fields, 1) - 1) || ')') v(val)
WHERE s.type::text IN ('engage.bgnbd', 'engage.mbgnbd', 'engage.paretonbd', 'engage.ggomnbd', 'engage.bgbb',
                       'engage.gammagamma', 'engage.sbg');

-- The functions swept: callable from SQL, not the input/output functions of a type.
CREATE TEMP VIEW swept_function AS
SELECT p.oid::regprocedure AS fn, p.prokind = 'a' AS is_aggregate, p.provariadic <> 0 AS variadic,
       pg_catalog.string_to_array(p.proargtypes::text, ' ')::oid[]::regtype[] AS argtypes
FROM pg_proc p
WHERE p.pronamespace = 'engage'::regnamespace
  AND NOT 'internal'::regtype = ANY (p.proargtypes::oid[] || p.prorettype)
  AND NOT 'cstring'::regtype = ANY (p.proargtypes::oid[] || p.prorettype)
  AND NOT EXISTS (SELECT FROM pg_type t WHERE p.oid IN (t.typoutput, t.typsend));

-- Every argument type has a sample: a new type needs a line above.
SELECT DISTINCT t AS type_without_sample
FROM swept_function, unnest(argtypes) AS t
WHERE t NOT IN (SELECT type FROM sample_value);

-- The calls: the sample arguments with argument i replaced by NULL or an extreme value.
CREATE TEMP TABLE sweep_call AS
SELECT f.fn, i AS pos, format('SELECT %s(%s)%s',
           f.fn::oid::regproc,
           (SELECT string_agg(CASE WHEN f.variadic AND j = array_length(f.argtypes, 1)
                                   THEN 'VARIADIC ' ELSE '' END ||
                              CASE WHEN j = i THEN format('%s::%s', e.expr, f.argtypes[j])
                                   ELSE (SELECT s.expr FROM sample_value s WHERE s.type = f.argtypes[j]) END,
                              ', ' ORDER BY j)
            FROM generate_series(1, array_length(f.argtypes, 1)) j),
           CASE WHEN f.is_aggregate THEN ' FROM (VALUES (1), (2)) v(i)' ELSE '' END) AS stmt
FROM swept_function f
CROSS JOIN LATERAL generate_series(1, array_length(f.argtypes, 1)) i
CROSS JOIN LATERAL (SELECT 'NULL' AS expr
                    UNION ALL
                    SELECT x.expr FROM extreme_value x WHERE x.type = f.argtypes[i]) e;

-- Runs one statement and records its result as text, or its error, and how long it took.
CREATE TEMP TABLE sweep_result (fn regprocedure, pos int, stmt text, result text, code text,
                                message text, seconds float8);
CREATE FUNCTION pg_temp.run(fn regprocedure, pos int, stmt text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    started timestamptz := clock_timestamp();
    result text;
BEGIN
    BEGIN
        EXECUTE format('SELECT r::text FROM (%s) s(r) LIMIT 1', stmt) INTO result;
        INSERT INTO sweep_result
        VALUES (fn, pos, stmt, result, NULL, NULL, extract(epoch FROM clock_timestamp() - started));
    EXCEPTION WHEN OTHERS OR query_canceled THEN
        INSERT INTO sweep_result
        VALUES (fn, pos, stmt, NULL, SQLSTATE, SQLERRM, extract(epoch FROM clock_timestamp() - started));
    END;
END
$$;

-- Each call is a statement of its own, so that the time limit applies to each, and only to
-- them (not to the query listing them, which takes over a second under valgrind).
\set ECHO none
\o /dev/null
SELECT format($$SET statement_timeout = '1s'; SELECT pg_temp.run(%L, %s, %L)$$, fn, pos, stmt)
FROM sweep_call ORDER BY fn::text, stmt \gexec
\o
\set ECHO all
RESET statement_timeout;

-- Enough calls, and every swept function was called.
SELECT count(*) > 1500 AS many_calls, count(DISTINCT fn) = (SELECT count(*) FROM swept_function)
       AS every_function
FROM sweep_result;

-- No internal errors, no system errors, and every call well formed (no 42xxx, no 22P02).
SELECT stmt, code, message
FROM sweep_result
WHERE code LIKE 'XX%' OR code LIKE '58%' OR code LIKE '42%' OR code = '22P02'
ORDER BY stmt;

-- Messages in PostgreSQL's style: lower case start, no trailing period.
SELECT DISTINCT code, message
FROM sweep_result
WHERE message ~ '^[A-Z][a-z]' OR message ~ '\.$'
ORDER BY 1, 2;

-- No NaN or infinite number returned (a transition function called by hand with a NaN
-- state returns it, as float8pl does: the aggregates never pass one).
SELECT stmt, result
FROM sweep_result
WHERE result ~ '(^|[^a-z])(NaN|-?Infinity)'
  AND NOT (fn::oid::regproc::text LIKE '%\_accum' AND pos = 1)
ORDER BY stmt;

-- Each call ends within half a second of the one-second statement_timeout (requests for
-- billions of simulated customers or terms, and fits whose likelihood has no maximum, are
-- stopped by it): none is late. Under make valgrind (ENGAGE_VALGRIND set), where everything
-- runs some 50 times slower, within 30 seconds.
\getenv valgrind ENGAGE_VALGRIND
\if :{?valgrind}
\set late_after 30
\else
\set late_after 1.5
\endif
SELECT stmt, round(seconds::numeric, 1) AS seconds
FROM sweep_result
WHERE seconds > :late_after
ORDER BY stmt;

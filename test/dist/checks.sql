-- Each check prints " ok <name>" or " FAIL <name>".
SET enable_partitionwise_aggregate = on;
SET TimeZone = 'UTC';
\pset tuples_only on
\pset format unaligned

-- pushed_down(query): true when EXPLAIN VERBOSE shows the aggregate evaluated remotely.
CREATE FUNCTION pg_temp.pushed_down(query text) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
    line text;
    remote_aggs int := 0;
    local_aggs int := 0;
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (VERBOSE, COSTS OFF) ' || query LOOP
        IF line ~ 'Remote SQL: SELECT .*engage\.' AND line ~ 'GROUP BY' THEN
            remote_aggs := remote_aggs + 1;
        END IF;
        IF line ~ '(HashAggregate|GroupAggregate|Partial)' THEN
            local_aggs := local_aggs + 1;
        END IF;
    END LOOP;
    RETURN remote_aggs = 2 AND local_aggs = 0;
END $$;

-- same_rows(a, b): the two queries return the same multiset of rows.
CREATE FUNCTION pg_temp.same_rows(a text, b text) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
BEGIN
    EXECUTE format('SELECT count(*) FROM ((%s EXCEPT ALL %s) UNION ALL (%s EXCEPT ALL %s)) d', a, b, b, a) INTO n;
    RETURN n = 0;
END $$;

CREATE TEMP TABLE queries (name text, query text);
INSERT INTO queries VALUES
    ('nps', 'SELECT customer_id, engage.nps(score) FROM %s GROUP BY customer_id');

SELECT CASE WHEN pg_temp.pushed_down(format(query, 'interactions')) THEN ' ok ' ELSE ' FAIL ' END || name || ' pushed down'
FROM queries ORDER BY name;
SELECT CASE WHEN pg_temp.same_rows(format(query, 'interactions'), format(query, 'interactions_local')) THEN ' ok ' ELSE ' FAIL ' END || name || ' same rows'
FROM queries ORDER BY name;

-- Each check prints " ok <name>" or " FAIL <name>".
SET enable_partitionwise_aggregate = on;
-- postgres_fdw runs the shards' part of a query with TimeZone UTC; engage.rfm counts calendar
-- days in the session time zone, so the coordinator uses the same zone (or names the zone: below).
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
    ('nps', 'SELECT customer_id, engage.nps(score) FROM %s GROUP BY customer_id'),
    ('engagement_score', $q$SELECT customer_id, round(engage.engagement_score(occurred_at,
        CASE kind WHEN 'order' THEN 5 ELSE 1 END, '2025-01-01', '30 days')::numeric, 9)
        FROM %s GROUP BY customer_id$q$),
    ('engagement_state', $q$SELECT customer_id, engage.engagement_events(e),
        round(engage.engagement_score(e, '2025-01-01')::numeric, 9)
        FROM (SELECT customer_id, engage.engagement_state(occurred_at, 1.0, '30 days') AS e
              FROM %s GROUP BY customer_id) AS s$q$),
    ('rfm', $q$SELECT customer_id, (r).frequency, round((r).recency::numeric, 9),
        round((r).age::numeric, 9), round((r).monetary::numeric, 6)
        FROM (SELECT customer_id, engage.rfm(occurred_at, amount, '2025-01-01', '7 days') AS r
              FROM %s WHERE kind = 'order' GROUP BY customer_id) AS s$q$),
    ('rfm_holdout', $q$SELECT customer_id, (r).frequency, (r).holdout_frequency
        FROM (SELECT customer_id, engage.rfm_holdout(occurred_at, amount, '2024-06-30', '2025-01-01', '7 days') AS r
              FROM %s WHERE kind = 'order' GROUP BY customer_id) AS s$q$),
    ('lifecycle_stage', $q$SELECT customer_id, engage.lifecycle_stage(occurred_at, '2025-01-01',
        '30 days', '90 days', '180 days') FROM %s GROUP BY customer_id$q$),
    ('lifecycle_stage_personal', $q$SELECT customer_id, engage.lifecycle_stage_personal(occurred_at,
        '2025-01-01', '30 days', '90 days', '180 days') FROM %s GROUP BY customer_id$q$),
    ('activity_periods', $q$SELECT customer_id, engage.activity_periods(occurred_at, '2023-01-01', '7 days')
        FROM %s GROUP BY customer_id$q$),
    ('window_funnel', $q$SELECT customer_id, engage.window_funnel('7 days', occurred_at,
        kind = 'visit', kind = 'click', kind = 'order') FROM %s GROUP BY customer_id$q$),
    ('retention', $q$SELECT customer_id, engage.retention(occurred_at < '2024-01-01',
        occurred_at >= '2024-01-01' AND occurred_at < '2024-07-01', occurred_at >= '2024-07-01')
        FROM %s GROUP BY customer_id$q$);

SELECT CASE WHEN pg_temp.pushed_down(format(query, 'interactions')) THEN ' ok ' ELSE ' FAIL ' END || name || ' pushed down'
FROM queries ORDER BY name;
SELECT CASE WHEN pg_temp.same_rows(format(query, 'interactions'), format(query, 'interactions_local')) THEN ' ok ' ELSE ' FAIL ' END || name || ' same rows'
FROM queries ORDER BY name;

-- engage.rfm with a named time zone gives the single-node rows from a coordinator in any zone.
-- (postgres_fdw ships no call with a collatable constant argument such as the zone's name, so
-- it aggregates these rows on the coordinator; Citus pushes them down.)
SET TimeZone = 'America/New_York';
SELECT CASE WHEN pg_temp.same_rows(format(q, 'interactions'), format(q, 'interactions_local')) THEN ' ok ' ELSE ' FAIL ' END
       || 'rfm with time_zone same rows from another session zone'
FROM (VALUES ($q$SELECT customer_id, (r).frequency, round((r).recency::numeric, 9), round((r).age::numeric, 9)
        FROM (SELECT customer_id, engage.rfm(occurred_at, amount, '2025-01-01', '7 days', 'Asia/Tokyo') AS r
              FROM %s WHERE kind = 'order' GROUP BY customer_id) AS s$q$)) AS v(q);
SET TimeZone = 'UTC';

-- A fit over the whole population: each shard compresses its customer summaries into an
-- engage.fitdata sample (a whole-table aggregate on one foreign table, run by the shard),
-- the coordinator merges the samples and fits; the same model as the single-node fit.
CREATE FUNCTION pg_temp.remote_aggregates(query text) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    line text;
    n integer := 0;
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (VERBOSE, COSTS OFF) ' || query LOOP
        IF line ~ 'Remote SQL: SELECT engage\.fitdata\(' THEN
            n := n + 1;
        END IF;
    END LOOP;
    RETURN n;
END $$;
\set two_step 'SELECT engage.bgnbd_fit(engage.fitdata_merge(sample)) AS m FROM (SELECT engage.fitdata(frequency, recency, age) AS sample FROM summary_p0 UNION ALL SELECT engage.fitdata(frequency, recency, age) FROM summary_p1) AS shards'
SELECT CASE WHEN pg_temp.remote_aggregates(:'two_step') = 2 THEN ' ok ' ELSE ' FAIL ' END
       || 'bgnbd two-step fit: samples built on the shards';
WITH distributed AS (SELECT (m).* FROM (:two_step) AS d),
     single AS (SELECT (m).* FROM (SELECT engage.bgnbd_fit(frequency, recency, age) AS m FROM summary_local) AS s)
SELECT CASE WHEN d.converged AND s.converged AND d.customers = s.customers AND d.customers > 1000
             AND abs(d.r - s.r) < 1e-9 * s.r AND abs(d.alpha - s.alpha) < 1e-9 * s.alpha
             AND abs(d.a - s.a) < 1e-9 * s.a AND abs(d.b - s.b) < 1e-9 * s.b
             AND abs(d.loglik - s.loglik) < 1e-9 * abs(s.loglik)
            THEN ' ok ' ELSE ' FAIL ' END || 'bgnbd two-step fit equals the single-node fit ('
       || round(d.r::numeric, 4) || ', ' || round(d.alpha::numeric, 4) || ', ' || round(d.a::numeric, 4)
       || ', ' || round(d.b::numeric, 4) || ' on ' || d.customers || ' customers)'
FROM distributed AS d, single AS s;

-- The same with static covariates (Pareto/NBD, a purchase and a dropout dummy of the customer
-- id): the shards' samples carry the covariates and merge into the single-node sample.
\set two_step_cov 'SELECT engage.paretonbd_fit(engage.fitdata_merge(sample)) AS m FROM (SELECT engage.fitdata(frequency, recency, age, ARRAY[(customer_id % 2)::float8], ARRAY[(customer_id / 2 % 2)::float8]) AS sample FROM summary_p0 UNION ALL SELECT engage.fitdata(frequency, recency, age, ARRAY[(customer_id % 2)::float8], ARRAY[(customer_id / 2 % 2)::float8]) FROM summary_p1) AS shards'
SELECT CASE WHEN pg_temp.remote_aggregates(:'two_step_cov') = 2 THEN ' ok ' ELSE ' FAIL ' END
       || 'paretonbd two-step fit with covariates: samples built on the shards';
WITH distributed AS (SELECT (m).* FROM (:two_step_cov) AS d),
     single AS (SELECT (m).* FROM (SELECT engage.paretonbd_fit(frequency, recency, age, ARRAY[(customer_id % 2)::float8],
                                                               ARRAY[(customer_id / 2 % 2)::float8]) AS m
                                  FROM summary_local) AS s)
SELECT CASE WHEN d.converged AND s.converged AND d.customers = s.customers AND d.customers > 1000
             AND abs(d.r - s.r) < 1e-9 * s.r AND abs(d.alpha - s.alpha) < 1e-9 * s.alpha
             AND abs(d.s - s.s) < 1e-9 * s.s AND abs(d.beta - s.beta) < 1e-9 * s.beta
             AND abs(d.purchase_coefficients[1] - s.purchase_coefficients[1]) < 1e-9
             AND abs(d.dropout_coefficients[1] - s.dropout_coefficients[1]) < 1e-9
             AND abs(d.loglik - s.loglik) < 1e-9 * abs(s.loglik)
            THEN ' ok ' ELSE ' FAIL ' END || 'paretonbd two-step fit with covariates equals the single-node fit ('
       || round(d.r::numeric, 4) || ', ' || round(d.alpha::numeric, 4) || ', ' || round(d.s::numeric, 4)
       || ', ' || round(d.beta::numeric, 4) || ', ' || round(d.purchase_coefficients[1]::numeric, 4)
       || ', ' || round(d.dropout_coefficients[1]::numeric, 4) || ' on ' || d.customers || ' customers)'
FROM distributed AS d, single AS s;

-- Models fitted by aggregates with an internal state (Gamma-Gamma here; sBG and BG/BB fit the
-- same way): each shard compresses its customers into distinct (summary, covariates) rows with
-- their counts (a GROUP BY run by the shard), and the coordinator fits the counts as weights; the
-- same model as the single-node fit over every customer.  Spend covariate: a dummy of the id.
\set gg_two_step 'SELECT engage.gammagamma_fit(frequency, monetary, ARRAY[c], n::float8) AS m FROM (SELECT frequency, monetary, (customer_id % 2)::float8 AS c, count(*) AS n FROM summary_p0 GROUP BY 1, 2, 3 UNION ALL SELECT frequency, monetary, (customer_id % 2)::float8, count(*) FROM summary_p1 GROUP BY 1, 2, 3) AS shards'
CREATE FUNCTION pg_temp.remote_groups(query text) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    line text;
    n integer := 0;
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (VERBOSE, COSTS OFF) ' || query LOOP
        IF line ~ 'Remote SQL: SELECT .*count\(\*\).* GROUP BY' THEN
            n := n + 1;
        END IF;
    END LOOP;
    RETURN n;
END $$;
SELECT CASE WHEN pg_temp.remote_groups(:'gg_two_step') = 2 THEN ' ok ' ELSE ' FAIL ' END
       || 'gammagamma two-step fit with covariates: counts built on the shards';
WITH distributed AS (SELECT (m).* FROM (:gg_two_step) AS d),
     single AS (SELECT (m).* FROM (SELECT engage.gammagamma_fit(frequency, monetary, ARRAY[(customer_id % 2)::float8]) AS m
                                  FROM summary_local) AS s)
SELECT CASE WHEN d.converged AND s.converged AND d.customers = s.customers AND d.customers > 500
             AND abs(d.p - s.p) < 1e-9 * s.p AND abs(d.q - s.q) < 1e-9 * s.q AND abs(d.v - s.v) < 1e-9 * s.v
             AND abs(d.spend_coefficients[1] - s.spend_coefficients[1]) < 1e-9
             AND abs(d.loglik - s.loglik) < 1e-9 * abs(s.loglik)
            THEN ' ok ' ELSE ' FAIL ' END || 'gammagamma two-step fit with covariates equals the single-node fit ('
       || round(d.p::numeric, 4) || ', ' || round(d.q::numeric, 4) || ', ' || round(d.v::numeric, 4)
       || ', ' || round(d.spend_coefficients[1]::numeric, 4) || ' on ' || d.customers || ' customers)'
FROM distributed AS d, single AS s;

-- The detector itself: without partitionwise aggregation nothing is pushed down whole.
SET enable_partitionwise_aggregate = off;
SELECT CASE WHEN NOT pg_temp.pushed_down(format(query, 'interactions')) THEN ' ok ' ELSE ' FAIL ' END
       || 'detector: ' || name || ' not pushed down without partitionwise aggregation'
FROM queries WHERE name = 'nps';

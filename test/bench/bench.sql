-- Timing helpers of the benchmark (schema bench, created by data.sql).
--
-- A query is timed through EXPLAIN (ANALYZE, TIMING OFF): the plan runs to completion, every
-- aggregate of its target list is computed, and no row travels to the client. (Wrapping a
-- grouped query in SELECT count(*) FROM (...) would not do: the planner drops subquery
-- outputs that nobody reads, aggregates included.)

-- Every grouped aggregate of the benchmark, as the expression computed per customer; sum
-- turns its results into a checksum that compares two plans' answers (doubles rounded).
CREATE TABLE bench.aggregates (
    ord integer PRIMARY KEY,
    name text NOT NULL,
    expr text NOT NULL,         -- the aggregate call, over columns of bench.interactions
    checksum text NOT NULL,     -- a bigint from the result a, equal for equal answers
    max_ratio float8            -- target: at most this many times the count/max baseline
);
INSERT INTO bench.aggregates VALUES
    (1, 'engagement_score', $$engage.engagement_score(occurred_at, 1, '2025-01-01', '30 days')$$,
        $$round(a * 1e6)::bigint$$, 1.25),
    (2, 'rfm', $$engage.rfm(occurred_at, amount, '2024-12-31', '7 days') FILTER (WHERE amount IS NOT NULL)$$,
        $$hashtext(((a).frequency, round((a).recency::numeric, 9), round((a).age::numeric, 9), round((a).monetary::numeric, 6))::text)$$, 2),
    (3, 'lifecycle_stage', $$engage.lifecycle_stage(occurred_at, '2024-12-31', '30 days', '90 days', '180 days')$$,
        $$hashtext(a::text)$$, 2),
    (4, 'activity_periods', $$engage.activity_periods(occurred_at, '2023-01-02', '7 days')$$,
        $$hashtext(a::text)$$, 2),
    (5, 'window_funnel', $$engage.window_funnel('7 days', occurred_at, kind = 'visit', kind = 'click', kind = 'order')$$,
        $$a$$, 1.5),
    (6, 'lifecycle_stage_personal', $$engage.lifecycle_stage_personal(occurred_at, '2024-12-31', '30 days', '90 days', '180 days')$$,
        $$hashtext(a::text)$$, NULL),
    (7, 'rfm_holdout', $$engage.rfm_holdout(occurred_at, amount, '2024-06-30', '2024-12-31', '7 days') FILTER (WHERE amount IS NOT NULL)$$,
        $$hashtext(((a).frequency, round((a).recency::numeric, 9), round((a).monetary::numeric, 6), (a).holdout_frequency, round((a).holdout_monetary::numeric, 6))::text)$$, NULL),
    (8, 'engagement_state', $$engage.engagement_state(occurred_at, 1, '30 days')$$,
        $$round(engage.engagement_score(a, '2025-01-01') * 1e6)::bigint$$, NULL),
    (9, 'retention', $$engage.retention(occurred_at < '2024-01-01', occurred_at >= '2024-01-01')$$,
        $$hashtext(a::text)$$, NULL),
    (10, 'window_funnel, event form', $$engage.window_funnel('7 days', occurred_at, kind, 'visit', 'click', 'order')$$,
        $$a$$, 1.5);

-- The query of aggregate number ord (0 = the baseline) grouped by customer over a table.
CREATE FUNCTION bench.grouped(ord integer, tab text DEFAULT 'bench.interactions') RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT format('SELECT customer_id, %s FROM %s GROUP BY customer_id',
                  CASE WHEN ord = 0 THEN 'count(*), max(occurred_at)'
                       ELSE (SELECT expr FROM bench.aggregates AS g WHERE g.ord = grouped.ord) END, tab)
$$;

-- The query of aggregate number ord (0 = the baseline) grouped by customer over a table, its
-- 1M results consumed by an outer aggregate as a dashboard would: a checksum of all answers
-- (equal for equal answers). The aggregate really runs, its result being read.
CREATE FUNCTION bench.consumed(ord integer, tab text DEFAULT 'bench.interactions') RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT format('SELECT sum(customer_id * 7919 + (%s)::bigint)::bigint FROM (SELECT customer_id, %s AS a FROM %s GROUP BY customer_id) AS s',
                  CASE WHEN ord = 0 THEN 'a' ELSE (SELECT checksum FROM bench.aggregates AS g WHERE g.ord = consumed.ord) END,
                  CASE WHEN ord = 0 THEN $q$count(*) + extract(epoch FROM max(occurred_at))::bigint$q$
                       ELSE (SELECT expr FROM bench.aggregates AS g WHERE g.ord = consumed.ord) END, tab)
$$;

-- A checksum of the answers of aggregate ord over a table (under the session's settings).
CREATE FUNCTION bench.checksum(ord integer, tab text DEFAULT 'bench.interactions') RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    result bigint;
BEGIN
    EXECUTE bench.consumed(ord, tab) INTO result;
    RETURN result;
END $$;

-- The plan of one run of query, as JSON (EXPLAIN ANALYZE, no per-node timing).
CREATE FUNCTION bench.explain(query text) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    plan json;
BEGIN
    EXECUTE 'EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) ' || query INTO plan;
    RETURN plan::jsonb;
END $$;

-- Execution time of one run of query, in milliseconds.
CREATE FUNCTION bench.run_ms(query text) RETURNS float8 LANGUAGE sql AS $$
    SELECT (bench.explain(query) -> 0 ->> 'Execution Time')::float8
$$;

-- Applies settings ('name=value' each) for the rest of the transaction.
CREATE FUNCTION bench.apply(settings text[]) RETURNS void LANGUAGE sql AS $$
    SELECT count(set_config(split_part(s, '=', 1), substr(s, strpos(s, '=') + 1), true)) FROM unnest(settings) AS s
$$;

-- Median execution times of query a (under settings_a) and query b (under settings_b), each
-- run runs times, alternately (a b a b ...), after one unmeasured run of each: a slow drift
-- of the machine's load then affects both alike.
CREATE FUNCTION bench.median_pair(a text, settings_a text[], b text, settings_b text[], runs integer,
                                  OUT ms_a float8, OUT ms_b float8) LANGUAGE plpgsql AS $$
DECLARE
    keys text[] := ARRAY(SELECT DISTINCT split_part(s, '=', 1) FROM unnest(settings_a || settings_b) AS s);
    saved text[] := ARRAY(SELECT k || '=' || current_setting(k) FROM unnest(keys) AS k);
    times_a float8[] := '{}';
    times_b float8[] := '{}';
BEGIN
    FOR i IN 0 .. runs LOOP
        PERFORM bench.apply(saved || settings_a);
        times_a := times_a || bench.run_ms(a);
        PERFORM bench.apply(saved || settings_b);
        times_b := times_b || bench.run_ms(b);
    END LOOP;
    PERFORM bench.apply(saved);
    ms_a := (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY t) FROM unnest(times_a[2:]) AS t);
    ms_b := (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY t) FROM unnest(times_b[2:]) AS t);
END $$;

-- Every target, with its measurement: value = ms / baseline ms (a ratio, target "<=") or
-- baseline ms / ms (a speed-up, target ">=").
CREATE TABLE bench.results (
    id serial PRIMARY KEY,
    section text NOT NULL,
    name text NOT NULL,
    ms float8 NOT NULL,
    baseline text NOT NULL,
    baseline_ms float8 NOT NULL,
    kind text NOT NULL CHECK (kind IN ('ratio', 'speed-up')),
    value float8 NOT NULL,
    target float8,
    met boolean,
    note text
);

-- Times query against baseline_query (medians of runs alternate runs) and records the ratio,
-- target at most max_ratio (NULL: no target).
CREATE FUNCTION bench.compare(section text, name text, query text, baseline text, baseline_query text,
                              max_ratio float8, runs integer, note text DEFAULT NULL)
RETURNS SETOF bench.results LANGUAGE sql AS $$
    INSERT INTO bench.results (section, name, ms, baseline, baseline_ms, kind, value, target, met, note)
    SELECT compare.section, compare.name, m.ms_a, compare.baseline, m.ms_b, 'ratio', m.ms_a / m.ms_b,
           compare.max_ratio, m.ms_a / m.ms_b <= compare.max_ratio, compare.note
    FROM bench.median_pair(query, '{}', baseline_query, '{}', runs) AS m
    RETURNING *
$$;

-- Times query under settings against the same query under the session's settings and records
-- the speed-up, target at least min_speedup (NULL: no target).
CREATE FUNCTION bench.speedup(section text, name text, query text, settings text[], baseline text,
                              min_speedup float8, runs integer, note text DEFAULT NULL)
RETURNS SETOF bench.results LANGUAGE sql AS $$
    INSERT INTO bench.results (section, name, ms, baseline, baseline_ms, kind, value, target, met, note)
    SELECT speedup.section, speedup.name, m.ms_a, speedup.baseline, m.ms_b, 'speed-up', m.ms_b / m.ms_a,
           speedup.min_speedup, m.ms_b / m.ms_a >= speedup.min_speedup, speedup.note
    FROM bench.median_pair(query, settings, query, '{}', runs) AS m
    RETURNING *
$$;

-- The hash aggregate node of a plan (the first one, depth first).
CREATE FUNCTION bench.hash_node(plan jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
    SELECT jsonb_path_query_first(plan, 'strict $.** ? (@."Node Type" == "Aggregate" && @."Strategy" == "Hashed")')
$$;

-- Peak memory of the hash aggregate of query, in kB (run with a work_mem that avoids spilling).
CREATE FUNCTION bench.hash_peak_kb(query text) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE
    node jsonb := bench.hash_node(bench.explain(query));
BEGIN
    IF node IS NULL OR (node ->> 'HashAgg Batches')::int <> 1 THEN
        RAISE EXCEPTION 'no in-memory hash aggregate in the plan of %', query;
    END IF;
    RETURN (node ->> 'Peak Memory Usage')::float8;
END $$;

-- Bytes per group of aggregate ord: the hash aggregate's peak memory with the aggregate minus
-- that of the same grouping without any aggregate, divided by the number of groups.
CREATE FUNCTION bench.bytes_per_group(ord integer, tab text) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE
    groups bigint;
BEGIN
    EXECUTE format('SELECT count(DISTINCT customer_id) FROM %s', tab) INTO groups;
    RETURN (bench.hash_peak_kb(bench.grouped(ord, tab))
            - bench.hash_peak_kb(format('SELECT customer_id FROM %s GROUP BY customer_id', tab))) * 1024 / groups;
END $$;

-- Memory use of the 1M-group queries under the session's work_mem (run.sh adds the backend's
-- peak anonymous RSS, sampled from /proc while the query runs).
CREATE TABLE bench.memory (
    ord integer PRIMARY KEY,
    name text NOT NULL,
    bytes_per_group float8,
    work_mem text,
    strategy text,
    batches integer,
    peak_memory_kb bigint,
    disk_usage_kb bigint,
    ms float8,
    peak_rss_anon_kb bigint
);

-- Runs aggregate ord (0 = baseline) grouped by customer over the whole table once, under the
-- current settings, and records what the hash aggregate used.
CREATE FUNCTION bench.spill(ord integer) RETURNS bench.memory LANGUAGE plpgsql AS $$
DECLARE
    plan jsonb := bench.explain(bench.grouped(ord));
    node jsonb := coalesce(bench.hash_node(plan), plan -> 0 -> 'Plan');
    result bench.memory;
BEGIN
    UPDATE bench.memory AS m
    SET work_mem = current_setting('work_mem'),
        strategy = node ->> 'Strategy',
        batches = (node ->> 'HashAgg Batches')::int,
        peak_memory_kb = (node ->> 'Peak Memory Usage')::bigint,
        disk_usage_kb = (node ->> 'Disk Usage')::bigint,
        ms = (plan -> 0 ->> 'Execution Time')::float8
    WHERE m.ord = spill.ord
    RETURNING * INTO result;
    RETURN result;
END $$;

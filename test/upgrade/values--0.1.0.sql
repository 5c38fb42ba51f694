-- Values stored by engage 0.1.0, for test/t/upgrade.sh: run in a database with engage 0.1.0
-- installed, before ALTER EXTENSION engage UPDATE, with TimeZone UTC and the samples of
-- test/data/type_samples.sql (type and text, as a fresh install lists them) on standard input.
-- Uses only what 0.1.0 has. Fills schema kept:
--   t_<type>     every sample whose type 0.1.0 has, read by 0.1.0's input functions, one row per
--                sample (v) with an array of it and a NULL (va), and a row 0 with all of them
--   every_type   one column of every engage type; bundles: a composite of them, and arrays of it
--   cdnow_*      the CDNOW sample (Fader, Hardie & Lee 2005) and what 0.1.0 computed from it:
--                customer summaries, engagement states, activity, lifecycle stages, fit samples
--   models       BG/NBD, MBG/NBD, Pareto/NBD, Gamma-Gamma, BG/BB and sBG models fitted by 0.1.0
--                (CDNOW, the donations of Fader, Hardie & Shang 2010, the cohorts of Fader &
--                Hardie 2007), and arrays of them
-- Every table's first column is its key. kept.apply evaluates an expression on every row of a
-- table, giving an error's text instead of stopping, for the results of results--0.1.0.sql.
CREATE SCHEMA kept;

CREATE FUNCTION kept.apply(tab regclass, expr text, OUT key text, OUT result text)
RETURNS SETOF record LANGUAGE plpgsql AS $$
DECLARE
    keycol name := (SELECT attname FROM pg_attribute WHERE attrelid = tab AND attnum = 1);
    keys text[];
    results text[];
    row_tid tid;
BEGIN
    BEGIN
        EXECUTE format('SELECT array_agg(%I::text ORDER BY %I), array_agg((%s)::text ORDER BY %I) FROM %s',
                       keycol, keycol, expr, keycol, tab)
            INTO keys, results;
        RETURN QUERY SELECT * FROM unnest(keys, results);
        RETURN;
    EXCEPTION WHEN OTHERS THEN
        NULL;               -- some row raises an error: evaluate them one by one
    END;
    FOR row_tid, key IN EXECUTE format('SELECT ctid, %I::text FROM %s ORDER BY %I', keycol, tab, keycol) LOOP
        BEGIN
            EXECUTE format('SELECT (%s)::text FROM %s WHERE ctid = $1', expr, tab) INTO result USING row_tid;
        EXCEPTION WHEN OTHERS THEN
            result := 'ERROR ' || SQLSTATE || ': ' || SQLERRM;
        END;
        RETURN NEXT;
    END LOOP;
END $$;

-- ---- samples of every type ------------------------------------------------------------------
CREATE TABLE kept.sample_text (type text, value text);
\copy kept.sample_text FROM pstdin
-- Samples that 0.1.0's types do not accept (an enum label or a composite attribute added later)
-- are left out and listed here.
CREATE TABLE kept.sample_rejected (type text, value text, error text);
DO $$
DECLARE
    t regtype;
    name text;
    s record;
BEGIN
    FOR t IN SELECT DISTINCT to_regtype(type) FROM kept.sample_text WHERE to_regtype(type) IS NOT NULL ORDER BY 1 LOOP
        name := 't_' || (SELECT typname FROM pg_type WHERE oid = t);
        EXECUTE format('CREATE TABLE kept.%I (id integer PRIMARY KEY, v %s, va %s[])', name, t, t);
        FOR s IN SELECT row_number() OVER (ORDER BY value) AS id, value FROM kept.sample_text
                 WHERE to_regtype(type) = t ORDER BY value LOOP
            BEGIN
                EXECUTE format('INSERT INTO kept.%I VALUES ($1, $2::%s, ARRAY[$2::%s, NULL])', name, t, t)
                    USING s.id, s.value;
            EXCEPTION WHEN OTHERS THEN
                INSERT INTO kept.sample_rejected VALUES (t::text, s.value, SQLERRM);
            END;
        END LOOP;
        EXECUTE format('INSERT INTO kept.%I SELECT 0, NULL, array_agg(v ORDER BY id) FROM kept.%I', name, name);
    END LOOP;
END $$;
-- A row with a column of every type, and a composite type of them all with an array of it.
DO $$
DECLARE
    cols text;
    t record;
BEGIN
    SELECT string_agg(format('%I %s', 'c_' || typname, oid::regtype), ', ' ORDER BY typname) INTO cols
    FROM pg_type WHERE typnamespace = 'engage'::regnamespace AND typtype IN ('b', 'c', 'e') AND typcategory <> 'A';
    EXECUTE 'CREATE TABLE kept.every_type (id integer PRIMARY KEY, ' || cols || ')';
    EXECUTE 'CREATE TYPE kept.bundle AS (id integer, ' || cols || ')';
    INSERT INTO kept.every_type (id) SELECT generate_series(1, 8);
    FOR t IN SELECT typname, oid::regtype AS type FROM pg_type
             WHERE typnamespace = 'engage'::regnamespace AND typtype IN ('b', 'c', 'e') AND typcategory <> 'A' LOOP
        IF to_regclass('kept.t_' || t.typname) IS NULL THEN
            RAISE EXCEPTION 'type % has no sample in test/data/type_samples.sql', t.type;
        END IF;
        EXECUTE format('UPDATE kept.every_type AS e SET %I = s.v FROM kept.%I AS s WHERE s.id = e.id',
                       'c_' || t.typname, 't_' || t.typname);
    END LOOP;
END $$;
CREATE TABLE kept.bundles AS
SELECT id, e::text::kept.bundle AS b, ARRAY[e::text::kept.bundle, NULL, e::text::kept.bundle] AS bs
FROM kept.every_type AS e;
INSERT INTO kept.bundles SELECT 0, NULL, array_agg(e::text::kept.bundle ORDER BY id) FROM kept.every_type AS e;

-- ---- values computed by 0.1.0 from the CDNOW sample -------------------------------------------
CREATE TABLE kept.cdnow_tx (line serial, customer_id integer, master_id integer, purchased_on date, cds integer, amount float8);
\copy kept.cdnow_tx (customer_id, master_id, purchased_on, cds, amount) FROM 'test/data/cdnow/cdnow_sample.csv' WITH (FORMAT csv, HEADER true)
CREATE TABLE kept.cdnow_published (id integer, x integer, t_x float8, age float8, zbar float8);
\copy kept.cdnow_published FROM 'test/data/cdnow/cdnow_customers_summary_with_transactions.csv' WITH (FORMAT csv, HEADER true)

-- Per customer: 39-week calibration summary, holdout summary, engagement state (half-life 30
-- days, weights the amounts), weekly and daily activity, lifecycle stages on 1997-09-30.
CREATE TABLE kept.cdnow_customers AS
SELECT customer_id AS id,
       engage.rfm(purchased_on, amount, '1997-09-30', '7 days') AS summary,
       engage.rfm_holdout(purchased_on, amount, '1997-09-30', '1998-06-30', '7 days') AS holdout,
       engage.engagement_state(purchased_on, amount, '30 days') AS state,
       engage.activity_periods(purchased_on, '1997-01-01', '7 days') AS weeks,
       engage.activity_periods(purchased_on, '1997-01-01', '1 day') AS days,
       engage.lifecycle_stage(purchased_on, '1997-09-30', '30 days', '90 days', '180 days') AS stage,
       engage.lifecycle_stage_personal(purchased_on, '1997-09-30', '30 days', '90 days', '180 days') AS personal_stage
FROM kept.cdnow_tx GROUP BY customer_id;
-- and a one-customer fit sample for every 100th customer
ALTER TABLE kept.cdnow_customers ADD COLUMN sample engage.fitdata;
UPDATE kept.cdnow_customers
SET sample = (SELECT engage.fitdata(s.frequency, s.recency, s.age) FROM (SELECT (summary).*) AS s)
WHERE id % 100 = 0;

-- Fit samples: the whole calibration summary, weighted by pattern, merged from customers.
CREATE TABLE kept.cdnow_samples AS
SELECT 'all' AS name, engage.fitdata(x, t_x, age) AS sample FROM kept.cdnow_published
UNION ALL
SELECT 'patterns', engage.fitdata(x, t_x, age, n) FROM
    (SELECT x, t_x, age, count(*)::float8 AS n FROM kept.cdnow_published GROUP BY x, t_x, age) AS p
UNION ALL
SELECT 'merged', engage.fitdata_merge(sample) FILTER (WHERE sample IS NOT NULL) FROM kept.cdnow_customers;

-- Models fitted by 0.1.0, one row per data set and fit variant.
CREATE TABLE kept.models (name text PRIMARY KEY, bg engage.bgnbd, mbg engage.mbgnbd, pnbd engage.paretonbd,
                          gg engage.gammagamma, bgbb engage.bgbb, sbg engage.sbg);
INSERT INTO kept.models (name, bg, mbg, pnbd, gg)
SELECT 'cdnow', engage.bgnbd_fit(x, t_x, age), engage.mbgnbd_fit(x, t_x, age), engage.paretonbd_fit(x, t_x, age),
       engage.gammagamma_fit(x, zbar) FILTER (WHERE x > 0)
FROM kept.cdnow_published
UNION ALL
SELECT 'cdnow penalized', engage.bgnbd_fit(x, t_x, age, 1, 0.1), engage.mbgnbd_fit(x, t_x, age, 1, 0.1),
       engage.paretonbd_fit(x, t_x, age, 1, 0.1), engage.gammagamma_fit(x, zbar, 2) FILTER (WHERE x > 0)
FROM kept.cdnow_published
UNION ALL
SELECT 'cdnow rfm', engage.bgnbd_fit(summary), engage.mbgnbd_fit(summary), engage.paretonbd_fit(summary),
       engage.gammagamma_fit(summary) FILTER (WHERE (summary).frequency > 0)
FROM kept.cdnow_customers
UNION ALL
SELECT 'cdnow patterns', engage.bgnbd_fit(sample), engage.mbgnbd_fit(sample), engage.paretonbd_fit(sample), NULL
FROM kept.cdnow_samples WHERE name = 'patterns';
CREATE TABLE kept.donations (frequency integer, recency integer, periods integer, weights float8);
\copy kept.donations FROM 'test/data/donations/donations.csv' WITH (FORMAT csv, HEADER true)
INSERT INTO kept.models (name, bgbb)
SELECT 'donations', engage.bgbb_fit(frequency, recency, periods, weights) FROM kept.donations;
CREATE TABLE kept.sbg_cohorts AS      -- active customers at the end of years 0..7
SELECT 'regular' AS segment, y::integer - 1 AS year, n
FROM unnest(ARRAY[1000, 631, 468, 382, 326, 289, 262, 241]) WITH ORDINALITY AS u(n, y)
UNION ALL
SELECT 'high end', y::integer - 1, n FROM unnest(ARRAY[1000, 869, 743, 653, 593, 551, 517, 491]) WITH ORDINALITY AS u(n, y);
INSERT INTO kept.models (name, sbg)
SELECT 'sbg ' || segment, engage.sbg_fit(tenure, churned, customers)
FROM (SELECT segment, year AS tenure, true AS churned, (lag(n) OVER w - n)::float8 AS customers
      FROM kept.sbg_cohorts WINDOW w AS (PARTITION BY segment ORDER BY year)
      UNION ALL
      SELECT segment, year, false, n FROM kept.sbg_cohorts WHERE year = 7) AS s
WHERE tenure > 0
GROUP BY segment;
CREATE TABLE kept.model_arrays AS
SELECT 1 AS id, array_agg(bg ORDER BY name) AS bg, array_agg(mbg ORDER BY name) AS mbg, array_agg(pnbd ORDER BY name) AS pnbd,
       array_agg(gg ORDER BY name) AS gg, array_agg(bgbb ORDER BY name) AS bgbb, array_agg(sbg ORDER BY name) AS sbg
FROM kept.models;
CREATE TABLE kept.cdnow_arrays AS
SELECT (summary).frequency AS frequency, array_agg(summary ORDER BY id) AS summaries,
       array_agg(holdout ORDER BY id) AS holdouts, array_agg(state ORDER BY id) AS states,
       array_agg(weeks ORDER BY id) AS weeks, array_agg(stage ORDER BY id) AS stages,
       array_agg(sample ORDER BY id) FILTER (WHERE sample IS NOT NULL) AS samples
FROM kept.cdnow_customers GROUP BY 1;

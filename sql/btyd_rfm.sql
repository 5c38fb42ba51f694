-- The fit aggregates over engage.rfm summaries (frequency integer, recency, age, monetary).
-- Runs in its own database; where engage.rfm is not part of the extension yet, a stand-in of
-- the same shape is created before the extension, so that its rfm overloads are installed.
SET client_min_messages = warning;   -- no "already exists" notice when an earlier test created it
CREATE EXTENSION IF NOT EXISTS engage;
RESET client_min_messages;
SELECT current_database() AS regress_db \gset
CREATE DATABASE engage_btyd_rfm;
\c engage_btyd_rfm
SET client_min_messages = warning;
CREATE EXTENSION engage;
DO $$
BEGIN
    IF pg_catalog.to_regtype('engage.rfm') IS NULL THEN
        DROP EXTENSION engage;
        CREATE SCHEMA IF NOT EXISTS engage;
        CREATE TYPE engage.rfm AS (frequency integer, recency double precision,
                                   age double precision, monetary double precision);
        CREATE EXTENSION engage;
    END IF;
END
$$;
RESET client_min_messages;

CREATE TABLE rfm_cdnow (id integer, frequency integer, recency float8, age float8);
\copy rfm_cdnow FROM '../shared/data/cdnow/cdnow_customers_summary.csv' WITH (FORMAT csv, HEADER)
CREATE TABLE rfm_summary AS
    SELECT id, ROW(frequency, recency, age, 0)::engage.rfm AS s FROM rfm_cdnow;

-- the same models as over the columns
SELECT engage.bgnbd_fit(s)::text = (SELECT engage.bgnbd_fit(frequency, recency, age)::text FROM rfm_cdnow) AS bgnbd_same,
       engage.mbgnbd_fit(s)::text = (SELECT engage.mbgnbd_fit(frequency, recency, age)::text FROM rfm_cdnow) AS mbgnbd_same,
       engage.paretonbd_fit(s)::text = (SELECT engage.paretonbd_fit(frequency, recency, age)::text FROM rfm_cdnow) AS paretonbd_same
FROM rfm_summary;
SELECT round((m).r::numeric, 3) AS r, round((m).alpha::numeric, 3) AS alpha, round((m).a::numeric, 3) AS a,
       round((m).b::numeric, 3) AS b, (m).customers
FROM (SELECT engage.bgnbd_fit(s) AS m FROM rfm_summary) q;
-- with weights and a penalizer
SELECT engage.bgnbd_fit(s, 2)::text = (SELECT engage.bgnbd_fit(frequency, recency, age, 2)::text FROM rfm_cdnow) AS weighted_same,
       engage.paretonbd_fit(s, 1, 0.01)::text = (SELECT engage.paretonbd_fit(frequency, recency, age, 1, 0.01)::text FROM rfm_cdnow) AS penalized_same
FROM rfm_summary;
-- NULL summaries are skipped; bad summaries are rejected
SELECT (engage.bgnbd_fit(s)).customers FROM (SELECT s FROM rfm_summary UNION ALL SELECT NULL) q;
SELECT engage.bgnbd_fit(ROW(-1, 0, 10, 0)::engage.rfm);
SELECT engage.bgnbd_fit(ROW(1, 20, 10, 0)::engage.rfm);

\c :regress_db
DROP DATABASE engage_btyd_rfm;

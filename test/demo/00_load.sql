-- Demo data: the CDNOW sample as a transaction table.
\set QUIET on
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS engage;
DROP SCHEMA IF EXISTS demo CASCADE;
CREATE SCHEMA demo;
SET TimeZone = 'UTC';
CREATE TABLE demo.cdnow_raw (customer_id integer, master_id integer, purchased_on date, cds integer, amount double precision);
\copy demo.cdnow_raw FROM 'test/data/cdnow/cdnow_sample.csv' WITH (FORMAT csv, HEADER true)
CREATE TABLE demo.cdnow AS
    SELECT customer_id, purchased_on::timestamptz AS occurred_at, cds, amount FROM demo.cdnow_raw;
\echo
\echo '== CDNOW sample loaded: customers, purchases, first and last day'
SELECT count(DISTINCT customer_id) AS customers, count(*) AS purchases,
       min(occurred_at)::date AS first_day, max(occurred_at)::date AS last_day
FROM demo.cdnow;

-- Set-up of the sqlsmith fuzzing database: engage, the demo data, and a role whose
-- search_path shows sqlsmith a catalog restricted to engage's functions and aggregates
-- (views named like the catalogs, found before pg_catalog), so that the random queries
-- it generates exercise engage rather than the whole of PostgreSQL.
SET client_min_messages = warning;
CREATE SCHEMA fuzz;
CREATE VIEW fuzz.pg_proc AS
    SELECT p.* FROM pg_catalog.pg_proc AS p
    WHERE p.pronamespace = 'engage'::regnamespace
       OR p.oid IN ('pg_catalog.count("any")'::regprocedure, 'pg_catalog.sum(float8)'::regprocedure,
                    'pg_catalog.now()'::regprocedure, 'pg_catalog.float8pl(float8, float8)'::regprocedure);
CREATE ROLE fuzzer LOGIN;
GRANT USAGE ON SCHEMA fuzz, demo, engage TO fuzzer;
GRANT SELECT ON ALL TABLES IN SCHEMA fuzz, demo TO fuzzer;
ALTER ROLE fuzzer SET search_path = fuzz, pg_catalog, demo, engage;
ALTER ROLE fuzzer SET statement_timeout = '2s';

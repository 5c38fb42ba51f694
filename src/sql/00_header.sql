-- engage: customer-engagement analytics inside PostgreSQL.
-- This script is assembled from src/sql/*.sql; every object lives in @extschema@ (engage),
-- every reference to another object is schema-qualified, and every object has a comment.

\echo Use "CREATE EXTENSION engage" to load this file. \quit

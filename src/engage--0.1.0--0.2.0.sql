-- engage 0.1.0 -> 0.2.0: ALTER EXTENSION engage UPDATE TO '0.2.0'.
-- Every change to the SQL of src/sql/ since 0.1.0 is repeated here, so that an upgraded
-- database has the objects of a fresh 0.2.0 install (test/t/install.sh and
-- test/t/upgrade.sh check it).
\echo Use "ALTER EXTENSION engage UPDATE TO '0.2.0'" to load this file. \quit

-- churn_probability computed in C as the probability of the other branch, not as
-- 1 - p_alive (which rounds to 0 where p_alive is within 1e-16 of 1)
CREATE OR REPLACE FUNCTION @extschema@.churn_probability(model @extschema@.bgnbd, frequency double precision, recency double precision, age double precision)
RETURNS double precision
AS 'MODULE_PATHNAME', 'bgnbd_churn_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.churn_probability(@extschema@.bgnbd, double precision, double precision, double precision) IS '1 - p_alive: probability that the customer has churned (BG/NBD)';

CREATE OR REPLACE FUNCTION @extschema@.churn_probability(model @extschema@.mbgnbd, frequency double precision, recency double precision, age double precision)
RETURNS double precision
AS 'MODULE_PATHNAME', 'mbgnbd_churn_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.churn_probability(@extschema@.mbgnbd, double precision, double precision, double precision) IS '1 - p_alive: probability that the customer has churned (MBG/NBD)';

CREATE OR REPLACE FUNCTION @extschema@.churn_probability(model @extschema@.paretonbd, frequency double precision, recency double precision, age double precision)
RETURNS double precision
AS 'MODULE_PATHNAME', 'paretonbd_churn_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.churn_probability(@extschema@.paretonbd, double precision, double precision, double precision) IS '1 - p_alive: probability that the customer has churned (Pareto/NBD)';

CREATE OR REPLACE FUNCTION @extschema@.churn_probability(model @extschema@.bgbb, frequency integer, recency integer, n_periods integer)
RETURNS double precision
AS 'MODULE_PATHNAME', 'bgbb_churn' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.churn_probability(@extschema@.bgbb, integer, integer, integer) IS 'BG/BB probability that the customer has died by opportunity n_periods + 1: 1 - p_alive';

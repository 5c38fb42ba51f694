
-- NPS -----------------------------------------------------------------------

CREATE FUNCTION @extschema@.nps_accum(state bigint[], score integer)
RETURNS bigint[]
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.nps_combine(state bigint[], other bigint[])
RETURNS bigint[]
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.nps_final(state bigint[])
RETURNS double precision
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE AGGREGATE @extschema@.nps(score integer) (
    SFUNC = @extschema@.nps_accum,
    STYPE = bigint[],
    INITCOND = '{0,0,0}',
    COMBINEFUNC = @extschema@.nps_combine,
    FINALFUNC = @extschema@.nps_final,
    PARALLEL = SAFE
);

COMMENT ON FUNCTION @extschema@.nps_accum(bigint[], integer) IS 'transition function of engage.nps: counts one 0-10 answer';
COMMENT ON FUNCTION @extschema@.nps_combine(bigint[], bigint[]) IS 'combine function of engage.nps: adds two partial counts';
COMMENT ON FUNCTION @extschema@.nps_final(bigint[]) IS 'final function of engage.nps: % promoters minus % detractors';
COMMENT ON AGGREGATE @extschema@.nps(integer) IS 'Net Promoter Score of 0-10 answers: % promoters (9-10) minus % detractors (0-6), from -100 to 100; NULL answers are skipped, NULL when there are none';

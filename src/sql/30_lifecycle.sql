-- lifecycle stages --------------------------------------------------------------

CREATE TYPE @extschema@.stage AS ENUM ('new', 'active', 'reactivated', 'at_risk', 'lapsed', 'churned');
COMMENT ON TYPE @extschema@.stage IS 'customer lifecycle stage, from the most to the least engaged: new, active, reactivated, at_risk, lapsed (silent past dormant_after; called dormant in 0.1.0), churned';

CREATE FUNCTION @extschema@.lifecycle_stage_accum(state internal, occurred_at timestamptz, as_of timestamptz, active_within interval, dormant_after interval, churn_after interval)
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.lifecycle_stage_accum(internal, timestamptz, timestamptz, interval, interval, interval) IS 'transition function of engage.lifecycle_stage: folds one interaction into a fixed-size summary';

CREATE FUNCTION @extschema@.lifecycle_stage_combine(state internal, other internal)
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.lifecycle_stage_combine(internal, internal) IS 'combine function of engage.lifecycle_stage: merges two summaries';

CREATE FUNCTION @extschema@.lifecycle_stage_serialize(state internal)
RETURNS bytea
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.lifecycle_stage_serialize(internal) IS 'serial function of engage.lifecycle_stage';

CREATE FUNCTION @extschema@.lifecycle_stage_deserialize(state bytea, dummy internal)
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.lifecycle_stage_deserialize(bytea, internal) IS 'deserial function of engage.lifecycle_stage';

CREATE FUNCTION @extschema@.lifecycle_stage_final(state internal)
RETURNS @extschema@.stage
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.lifecycle_stage_final(internal) IS 'final function of engage.lifecycle_stage: the stage of the summary';

CREATE AGGREGATE @extschema@.lifecycle_stage(occurred_at timestamptz, as_of timestamptz, active_within interval, dormant_after interval, churn_after interval) (
    SFUNC = @extschema@.lifecycle_stage_accum,
    STYPE = internal,
    SSPACE = 144,
    COMBINEFUNC = @extschema@.lifecycle_stage_combine,
    SERIALFUNC = @extschema@.lifecycle_stage_serialize,
    DESERIALFUNC = @extschema@.lifecycle_stage_deserialize,
    FINALFUNC = @extschema@.lifecycle_stage_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.lifecycle_stage(timestamptz, timestamptz, interval, interval, interval) IS 'lifecycle stage of one customer at as_of from its interaction times, with fixed thresholds active_within <= dormant_after <= churn_after; rows after as_of and NULL times are ignored; NULL when no interaction';

CREATE FUNCTION @extschema@.lifecycle_personal_accum(state internal, occurred_at timestamptz, as_of timestamptz, active_within interval, dormant_after interval, churn_after interval)
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.lifecycle_personal_accum(internal, timestamptz, timestamptz, interval, interval, interval) IS 'transition function of engage.lifecycle_stage_personal: collects one interaction time';

CREATE FUNCTION @extschema@.lifecycle_personal_combine(state internal, other internal)
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.lifecycle_personal_combine(internal, internal) IS 'combine function of engage.lifecycle_stage_personal: unites two sets of times';

CREATE FUNCTION @extschema@.lifecycle_personal_serialize(state internal)
RETURNS bytea
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.lifecycle_personal_serialize(internal) IS 'serial function of engage.lifecycle_stage_personal';

CREATE FUNCTION @extschema@.lifecycle_personal_deserialize(state bytea, dummy internal)
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.lifecycle_personal_deserialize(bytea, internal) IS 'deserial function of engage.lifecycle_stage_personal';

CREATE FUNCTION @extschema@.lifecycle_personal_final(state internal)
RETURNS @extschema@.stage
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.lifecycle_personal_final(internal) IS 'final function of engage.lifecycle_stage_personal: the stage under thresholds scaled to the median gap';

CREATE AGGREGATE @extschema@.lifecycle_stage_personal(occurred_at timestamptz, as_of timestamptz, active_within interval, dormant_after interval, churn_after interval) (
    SFUNC = @extschema@.lifecycle_personal_accum,
    STYPE = internal,
    SSPACE = 288,
    COMBINEFUNC = @extschema@.lifecycle_personal_combine,
    SERIALFUNC = @extschema@.lifecycle_personal_serialize,
    DESERIALFUNC = @extschema@.lifecycle_personal_deserialize,
    FINALFUNC = @extschema@.lifecycle_personal_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.lifecycle_stage_personal(timestamptz, timestamptz, interval, interval, interval) IS 'lifecycle stage with at_risk/lapsed/churned after 2/4/8 median gaps between the customer''s distinct UTC interaction days (fixed thresholds below 3 gaps); new uses the fixed active_within';

CREATE FUNCTION @extschema@.lifecycle_personal_accum(state internal, occurred_at timestamptz, as_of timestamptz, active_within interval, dormant_after interval, churn_after interval, at_risk_gaps double precision, dormant_gaps double precision, churn_gaps double precision)
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.lifecycle_personal_accum(internal, timestamptz, timestamptz, interval, interval, interval, double precision, double precision, double precision) IS 'transition function of engage.lifecycle_stage_personal with explicit multiples: collects one interaction time';

CREATE AGGREGATE @extschema@.lifecycle_stage_personal(occurred_at timestamptz, as_of timestamptz, active_within interval, dormant_after interval, churn_after interval, at_risk_gaps double precision, dormant_gaps double precision, churn_gaps double precision) (
    SFUNC = @extschema@.lifecycle_personal_accum,
    STYPE = internal,
    SSPACE = 288,
    COMBINEFUNC = @extschema@.lifecycle_personal_combine,
    SERIALFUNC = @extschema@.lifecycle_personal_serialize,
    DESERIALFUNC = @extschema@.lifecycle_personal_deserialize,
    FINALFUNC = @extschema@.lifecycle_personal_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.lifecycle_stage_personal(timestamptz, timestamptz, interval, interval, interval, double precision, double precision, double precision) IS 'lifecycle stage with at_risk/lapsed/churned after the given multiples of the median gap between the customer''s distinct UTC interaction days (fixed thresholds below 3 gaps)';

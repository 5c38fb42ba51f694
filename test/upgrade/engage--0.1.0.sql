-- engage: customer-engagement analytics inside PostgreSQL.
-- This script is assembled from src/sql/*.sql; every object lives in @extschema@ (engage),
-- every reference to another object is schema-qualified, and every object has a comment.

\echo Use "CREATE EXTENSION engage" to load this file. \quit
-- customer summary (RFM) ----------------------------------------------------

CREATE TYPE @extschema@.rfm AS (
    frequency integer,
    recency double precision,
    age double precision,
    monetary double precision
);
COMMENT ON TYPE @extschema@.rfm IS 'customer summary: repeat purchase days (frequency), first to last purchase day (recency), first purchase day to as_of (age), mean amount of the repeat purchase days (monetary)';

CREATE TYPE @extschema@.rfm_holdout AS (
    frequency integer,
    recency double precision,
    age double precision,
    monetary double precision,
    holdout_frequency integer,
    holdout_monetary double precision,
    duration_holdout double precision
);
COMMENT ON TYPE @extschema@.rfm_holdout IS 'customer summary of a calibration period (as engage.rfm) plus the purchase days, their mean amount and the length of the holdout period that follows';

CREATE FUNCTION @extschema@.rfm_accum(state internal, occurred_at timestamptz, amount double precision,
                                      as_of timestamptz, unit interval)
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.rfm_accum(internal, timestamptz, double precision, timestamptz, interval) IS 'transition function of engage.rfm: adds one purchase (its calendar day in the session TimeZone)';

CREATE FUNCTION @extschema@.rfm_holdout_accum(state internal, occurred_at timestamptz, amount double precision,
                                              calibration_end timestamptz, holdout_end timestamptz,
                                              unit interval)
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.rfm_holdout_accum(internal, timestamptz, double precision, timestamptz, timestamptz, interval) IS 'transition function of engage.rfm_holdout: adds one purchase (its calendar day in the session TimeZone)';

CREATE FUNCTION @extschema@.rfm_accum(state internal, occurred_at timestamptz, amount double precision,
                                      as_of timestamptz, unit interval, time_zone text)
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.rfm_accum(internal, timestamptz, double precision, timestamptz, interval, text) IS 'transition function of engage.rfm with a time zone: adds one purchase (its calendar day in time_zone)';

CREATE FUNCTION @extschema@.rfm_holdout_accum(state internal, occurred_at timestamptz, amount double precision,
                                              calibration_end timestamptz, holdout_end timestamptz,
                                              unit interval, time_zone text)
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.rfm_holdout_accum(internal, timestamptz, double precision, timestamptz, timestamptz, interval, text) IS 'transition function of engage.rfm_holdout with a time zone: adds one purchase (its calendar day in time_zone)';

CREATE FUNCTION @extschema@.rfm_combine(state internal, other internal)
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.rfm_combine(internal, internal) IS 'combine function of engage.rfm and engage.rfm_holdout: merges two partial states';

CREATE FUNCTION @extschema@.rfm_serialize(state internal)
RETURNS bytea
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.rfm_serialize(internal) IS 'serial function of engage.rfm and engage.rfm_holdout';

CREATE FUNCTION @extschema@.rfm_deserialize(bytes bytea, dummy internal)
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.rfm_deserialize(bytea, internal) IS 'deserial function of engage.rfm and engage.rfm_holdout';

CREATE FUNCTION @extschema@.rfm_final(state internal)
RETURNS @extschema@.rfm
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.rfm_final(internal) IS 'final function of engage.rfm';

CREATE FUNCTION @extschema@.rfm_holdout_final(state internal)
RETURNS @extschema@.rfm_holdout
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.rfm_holdout_final(internal) IS 'final function of engage.rfm_holdout';

CREATE AGGREGATE @extschema@.rfm(occurred_at timestamptz, amount double precision,
                                 as_of timestamptz, unit interval) (
    SFUNC = @extschema@.rfm_accum,
    STYPE = internal,
    SSPACE = 152,
    COMBINEFUNC = @extschema@.rfm_combine,
    SERIALFUNC = @extschema@.rfm_serialize,
    DESERIALFUNC = @extschema@.rfm_deserialize,
    FINALFUNC = @extschema@.rfm_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.rfm(timestamptz, double precision, timestamptz, interval) IS 'customer summary (frequency, recency, age, monetary) of purchases by calendar day up to the day of as_of, times in units; rows with a NULL are skipped, NULL when no purchase is up to as_of';

CREATE AGGREGATE @extschema@.rfm_holdout(occurred_at timestamptz, amount double precision,
                                         calibration_end timestamptz, holdout_end timestamptz,
                                         unit interval) (
    SFUNC = @extschema@.rfm_holdout_accum,
    STYPE = internal,
    SSPACE = 152,
    COMBINEFUNC = @extschema@.rfm_combine,
    SERIALFUNC = @extschema@.rfm_serialize,
    DESERIALFUNC = @extschema@.rfm_deserialize,
    FINALFUNC = @extschema@.rfm_holdout_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.rfm_holdout(timestamptz, double precision, timestamptz, timestamptz, interval) IS 'customer summary up to the day of calibration_end plus holdout purchase days, mean daily amount and length up to the day of holdout_end; NULL when the first purchase is after calibration_end';

-- The same with the calendar days of a named time zone instead of the session's TimeZone:
-- the result then depends on the arguments alone, wherever the query runs (a shard reached
-- through postgres_fdw runs with TimeZone UTC; Citus workers with their own setting).
CREATE AGGREGATE @extschema@.rfm(occurred_at timestamptz, amount double precision,
                                 as_of timestamptz, unit interval, time_zone text) (
    SFUNC = @extschema@.rfm_accum,
    STYPE = internal,
    SSPACE = 152,
    COMBINEFUNC = @extschema@.rfm_combine,
    SERIALFUNC = @extschema@.rfm_serialize,
    DESERIALFUNC = @extschema@.rfm_deserialize,
    FINALFUNC = @extschema@.rfm_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.rfm(timestamptz, double precision, timestamptz, interval, text) IS 'customer summary (frequency, recency, age, monetary) of purchases by calendar day of time_zone up to the day of as_of, times in units; independent of the session TimeZone; rows with a NULL are skipped';

CREATE AGGREGATE @extschema@.rfm_holdout(occurred_at timestamptz, amount double precision,
                                         calibration_end timestamptz, holdout_end timestamptz,
                                         unit interval, time_zone text) (
    SFUNC = @extschema@.rfm_holdout_accum,
    STYPE = internal,
    SSPACE = 152,
    COMBINEFUNC = @extschema@.rfm_combine,
    SERIALFUNC = @extschema@.rfm_serialize,
    DESERIALFUNC = @extschema@.rfm_deserialize,
    FINALFUNC = @extschema@.rfm_holdout_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.rfm_holdout(timestamptz, double precision, timestamptz, timestamptz, interval, text) IS 'engage.rfm_holdout by calendar days of time_zone, independent of the session TimeZone';

-- RFM segments --------------------------------------------------------------

CREATE FUNCTION @extschema@.rfm_segment(r integer, f integer, m integer)
RETURNS text
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.rfm_segment(integer, integer, integer) IS 'named RFM segment of recency, frequency and monetary quintile scores 1-5 (5 best), from r and fm = ceil((f + m) / 2); see the README for the grid';
-- engagement score -----------------------------------------------------------

CREATE FUNCTION @extschema@.engagement_score_accum(state double precision, occurred_at timestamptz,
                                                   weight double precision, as_of timestamptz,
                                                   half_life interval)
RETURNS double precision
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.engagement_score_accum(double precision, timestamptz, double precision, timestamptz, interval) IS 'transition function of engage.engagement_score: adds weight * 2^(-(as_of - occurred_at) / half_life) when occurred_at <= as_of';

CREATE AGGREGATE @extschema@.engagement_score(occurred_at timestamptz, weight double precision,
                                              as_of timestamptz, half_life interval) (
    SFUNC = @extschema@.engagement_score_accum,
    STYPE = double precision,
    INITCOND = '0',
    COMBINEFUNC = pg_catalog.float8pl,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.engagement_score(timestamptz, double precision, timestamptz, interval) IS 'sum of weight * 2^(-(as_of - occurred_at) / half_life) over rows with occurred_at <= as_of; rows with a NULL are skipped; 0 when there are none';

-- incremental engagement -----------------------------------------------------

CREATE TYPE @extschema@.engagement;

CREATE FUNCTION @extschema@.engagement_in(cstring)
RETURNS @extschema@.engagement
AS 'MODULE_PATHNAME' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.engagement_in(cstring) IS 'text input of engage.engagement (STABLE: a time without offset is read in the session TimeZone)';

CREATE FUNCTION @extschema@.engagement_out(@extschema@.engagement)
RETURNS cstring
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.engagement_out(@extschema@.engagement) IS 'text output of engage.engagement: exact score, time in UTC';

CREATE FUNCTION @extschema@.engagement_recv(internal)
RETURNS @extschema@.engagement
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.engagement_recv(internal) IS 'binary input of engage.engagement';

CREATE FUNCTION @extschema@.engagement_send(@extschema@.engagement)
RETURNS bytea
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.engagement_send(@extschema@.engagement) IS 'binary output of engage.engagement';

CREATE TYPE @extschema@.engagement (
    INPUT = @extschema@.engagement_in,
    OUTPUT = @extschema@.engagement_out,
    RECEIVE = @extschema@.engagement_recv,
    SEND = @extschema@.engagement_send,
    INTERNALLENGTH = 32,
    ALIGNMENT = double,
    STORAGE = plain
);
COMMENT ON TYPE @extschema@.engagement IS 'mergeable engagement state of one customer: the decayed score at the latest event, that time, the half-life and the event count (32 bytes)';

CREATE FUNCTION @extschema@.engagement(occurred_at timestamptz, weight double precision, half_life interval)
RETURNS @extschema@.engagement
AS 'MODULE_PATHNAME', 'engagement_event' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.engagement(timestamptz, double precision, interval) IS 'engagement state of a single event';

CREATE FUNCTION @extschema@.engagement_add(state @extschema@.engagement, occurred_at timestamptz,
                                           weight double precision)
RETURNS @extschema@.engagement
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.engagement_add(@extschema@.engagement, timestamptz, double precision) IS 'engagement state plus one event (at any time, earlier or later than the last event)';

CREATE FUNCTION @extschema@.engagement_merge(a @extschema@.engagement, b @extschema@.engagement)
RETURNS @extschema@.engagement
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.engagement_merge(@extschema@.engagement, @extschema@.engagement) IS 'engagement state of the events of both states (same half-life required)';

CREATE OPERATOR @extschema@.+ (
    LEFTARG = @extschema@.engagement,
    RIGHTARG = @extschema@.engagement,
    FUNCTION = @extschema@.engagement_merge,
    COMMUTATOR = OPERATOR(@extschema@.+)
);
COMMENT ON OPERATOR @extschema@.+ (@extschema@.engagement, @extschema@.engagement) IS 'merges two engagement states (same half-life required)';

CREATE FUNCTION @extschema@.engagement_state_accum(state @extschema@.engagement, occurred_at timestamptz,
                                                   weight double precision, half_life interval)
RETURNS @extschema@.engagement
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.engagement_state_accum(@extschema@.engagement, timestamptz, double precision, interval) IS 'transition function of engage.engagement_state: absorbs one event';

CREATE AGGREGATE @extschema@.engagement_state(occurred_at timestamptz, weight double precision,
                                              half_life interval) (
    SFUNC = @extschema@.engagement_state_accum,
    STYPE = @extschema@.engagement,
    COMBINEFUNC = @extschema@.engagement_merge,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.engagement_state(timestamptz, double precision, interval) IS 'engagement state of the events: read it with engage.engagement_score(state, as_of), extend it with engage.engagement_add or +; rows with a NULL are skipped, NULL when there are none';

CREATE FUNCTION @extschema@.engagement_score(state @extschema@.engagement, as_of timestamptz)
RETURNS double precision
AS 'MODULE_PATHNAME', 'engagement_state_score' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.engagement_score(@extschema@.engagement, timestamptz) IS 'score of an engagement state at as_of: the sum of weight * 2^(-(as_of - occurred_at) / half_life) over its events; as_of before the last event is an error';

CREATE FUNCTION @extschema@.engagement_last_event(state @extschema@.engagement)
RETURNS timestamptz
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.engagement_last_event(@extschema@.engagement) IS 'time of the latest event of an engagement state';

CREATE FUNCTION @extschema@.engagement_events(state @extschema@.engagement)
RETURNS bigint
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.engagement_events(@extschema@.engagement) IS 'number of events of an engagement state';

CREATE FUNCTION @extschema@.engagement_half_life(state @extschema@.engagement)
RETURNS interval
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.engagement_half_life(@extschema@.engagement) IS 'half-life of an engagement state';
-- lifecycle stages --------------------------------------------------------------

CREATE TYPE @extschema@.stage AS ENUM ('new', 'active', 'reactivated', 'at_risk', 'dormant', 'churned');
COMMENT ON TYPE @extschema@.stage IS 'customer lifecycle stage, from the most to the least engaged: new, active, reactivated, at_risk, dormant, churned';

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
COMMENT ON AGGREGATE @extschema@.lifecycle_stage_personal(timestamptz, timestamptz, interval, interval, interval) IS 'lifecycle stage with at_risk/dormant/churned after 2/4/8 median gaps between the customer''s distinct UTC interaction days (fixed thresholds below 3 gaps); new uses the fixed active_within';

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
COMMENT ON AGGREGATE @extschema@.lifecycle_stage_personal(timestamptz, timestamptz, interval, interval, interval, double precision, double precision, double precision) IS 'lifecycle stage with at_risk/dormant/churned after the given multiples of the median gap between the customer''s distinct UTC interaction days (fixed thresholds below 3 gaps)';
-- activity and the per-period lifecycle report ------------------------------------

CREATE TYPE @extschema@.activity;

CREATE FUNCTION @extschema@.activity_in(cstring)
RETURNS @extschema@.activity
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.activity_in(cstring) IS 'input function of engage.activity: active periods and ranges in braces, e.g. {0-3,5}';

CREATE FUNCTION @extschema@.activity_out(@extschema@.activity)
RETURNS cstring
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.activity_out(@extschema@.activity) IS 'output function of engage.activity: active periods in increasing order, runs as ranges';

CREATE FUNCTION @extschema@.activity_recv(internal)
RETURNS @extschema@.activity
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.activity_recv(internal) IS 'binary input function of engage.activity';

CREATE FUNCTION @extschema@.activity_send(@extschema@.activity)
RETURNS bytea
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.activity_send(@extschema@.activity) IS 'binary output function of engage.activity';

CREATE TYPE @extschema@.activity (
    INPUT = @extschema@.activity_in,
    OUTPUT = @extschema@.activity_out,
    RECEIVE = @extschema@.activity_recv,
    SEND = @extschema@.activity_send,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = int4,
    STORAGE = extended
);
COMMENT ON TYPE @extschema@.activity IS 'set of active periods (integers) of one customer, stored as a bitmap: 8 bytes + 1 byte per 8 periods spanned, spans up to 1000000 periods';

CREATE FUNCTION @extschema@.activity_eq(a @extschema@.activity, b @extschema@.activity)
RETURNS boolean
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.activity_eq(@extschema@.activity, @extschema@.activity) IS 'whether two activity values hold the same periods';

CREATE FUNCTION @extschema@.activity_ne(a @extschema@.activity, b @extschema@.activity)
RETURNS boolean
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.activity_ne(@extschema@.activity, @extschema@.activity) IS 'whether two activity values differ';

CREATE FUNCTION @extschema@.activity_hash(a @extschema@.activity)
RETURNS integer
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.activity_hash(@extschema@.activity) IS 'hash of an activity value';

CREATE OPERATOR @extschema@.= (
    LEFTARG = @extschema@.activity,
    RIGHTARG = @extschema@.activity,
    FUNCTION = @extschema@.activity_eq,
    COMMUTATOR = OPERATOR(@extschema@.=),
    NEGATOR = OPERATOR(@extschema@.<>),
    RESTRICT = pg_catalog.eqsel,
    JOIN = pg_catalog.eqjoinsel,
    HASHES
);
COMMENT ON OPERATOR @extschema@.= (@extschema@.activity, @extschema@.activity) IS 'same active periods';

CREATE OPERATOR @extschema@.<> (
    LEFTARG = @extschema@.activity,
    RIGHTARG = @extschema@.activity,
    FUNCTION = @extschema@.activity_ne,
    COMMUTATOR = OPERATOR(@extschema@.<>),
    NEGATOR = OPERATOR(@extschema@.=),
    RESTRICT = pg_catalog.neqsel,
    JOIN = pg_catalog.neqjoinsel
);
COMMENT ON OPERATOR @extschema@.<> (@extschema@.activity, @extschema@.activity) IS 'different active periods';

CREATE OPERATOR CLASS @extschema@.activity_hash_ops
    DEFAULT FOR TYPE @extschema@.activity USING hash AS
        OPERATOR 1 @extschema@.= (@extschema@.activity, @extschema@.activity),
        FUNCTION 1 @extschema@.activity_hash(@extschema@.activity);
COMMENT ON OPERATOR CLASS @extschema@.activity_hash_ops USING hash IS 'hash operator class of engage.activity: GROUP BY, DISTINCT and hash joins on activity values';
COMMENT ON OPERATOR FAMILY @extschema@.activity_hash_ops USING hash IS 'hash operator family of engage.activity (created with its operator class)';

CREATE FUNCTION @extschema@.activity_periods_accum(state internal, occurred_at timestamptz, origin timestamptz, period interval)
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.activity_periods_accum(internal, timestamptz, timestamptz, interval) IS 'transition function of engage.activity_periods: marks the period of one interaction';

CREATE FUNCTION @extschema@.activity_periods_combine(state internal, other internal)
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.activity_periods_combine(internal, internal) IS 'combine function of engage.activity_periods: ORs two bitmaps';

CREATE FUNCTION @extschema@.activity_periods_serialize(state internal)
RETURNS bytea
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.activity_periods_serialize(internal) IS 'serial function of engage.activity_periods';

CREATE FUNCTION @extschema@.activity_periods_deserialize(state bytea, dummy internal)
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.activity_periods_deserialize(bytea, internal) IS 'deserial function of engage.activity_periods';

CREATE FUNCTION @extschema@.activity_periods_final(state internal)
RETURNS @extschema@.activity
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.activity_periods_final(internal) IS 'final function of engage.activity_periods: the activity value';

CREATE AGGREGATE @extschema@.activity_periods(occurred_at timestamptz, origin timestamptz, period interval) (
    SFUNC = @extschema@.activity_periods_accum,
    STYPE = internal,
    SSPACE = 112,
    COMBINEFUNC = @extschema@.activity_periods_combine,
    SERIALFUNC = @extschema@.activity_periods_serialize,
    DESERIALFUNC = @extschema@.activity_periods_deserialize,
    FINALFUNC = @extschema@.activity_periods_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.activity_periods(timestamptz, timestamptz, interval) IS 'periods in which a customer was active: floor((occurred_at - origin) / period) for a fixed-length period (negative before origin); NULL times are skipped, NULL when none';

CREATE FUNCTION @extschema@.activity_union(a @extschema@.activity, b @extschema@.activity)
RETURNS @extschema@.activity
AS 'MODULE_PATHNAME', 'activity_union' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.activity_union(@extschema@.activity, @extschema@.activity) IS 'periods active in a or in b';

CREATE AGGREGATE @extschema@.activity_union(a @extschema@.activity) (
    SFUNC = @extschema@.activity_union,
    STYPE = @extschema@.activity,
    COMBINEFUNC = @extschema@.activity_union,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.activity_union(@extschema@.activity) IS 'periods active in any of the values, e.g. to roll up stored activity built over the same origin and period';

CREATE FUNCTION @extschema@.period_of(occurred_at timestamptz, origin timestamptz, period interval)
RETURNS integer
AS 'MODULE_PATHNAME', 'activity_period_of' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.period_of(timestamptz, timestamptz, interval) IS 'period index of a time, floor((occurred_at - origin) / period), as used by engage.activity_periods';

CREATE FUNCTION @extschema@.is_active(a @extschema@.activity, period integer)
RETURNS boolean
AS 'MODULE_PATHNAME', 'activity_is_active' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.is_active(@extschema@.activity, integer) IS 'whether the period is active';

CREATE FUNCTION @extschema@.active_periods(a @extschema@.activity)
RETURNS integer
AS 'MODULE_PATHNAME', 'activity_count' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.active_periods(@extschema@.activity) IS 'number of active periods';

CREATE FUNCTION @extschema@.active_periods(a @extschema@.activity, at_period integer, n integer)
RETURNS integer
AS 'MODULE_PATHNAME', 'activity_active_in_last' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.active_periods(@extschema@.activity, integer, integer) IS 'number of active periods among the n periods ending at at_period (L7 / L28 with daily periods)';

CREATE FUNCTION @extschema@.first_period(a @extschema@.activity)
RETURNS integer
AS 'MODULE_PATHNAME', 'activity_first_period' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.first_period(@extschema@.activity) IS 'first active period, NULL when none';

CREATE FUNCTION @extschema@.last_period(a @extschema@.activity)
RETURNS integer
AS 'MODULE_PATHNAME', 'activity_last_period' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.last_period(@extschema@.activity) IS 'last active period, NULL when none';

CREATE FUNCTION @extschema@.current_streak(a @extschema@.activity, at_period integer)
RETURNS integer
AS 'MODULE_PATHNAME', 'activity_current_streak' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.current_streak(@extschema@.activity, integer) IS 'consecutive active periods ending at at_period, 0 when at_period is inactive';

CREATE FUNCTION @extschema@.longest_streak(a @extschema@.activity)
RETURNS integer
AS 'MODULE_PATHNAME', 'activity_longest_streak' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.longest_streak(@extschema@.activity) IS 'longest run of consecutive active periods';

CREATE FUNCTION @extschema@.lifecycle(a @extschema@.activity, first_period integer, last_period integer)
RETURNS TABLE (period integer, status text)
AS 'MODULE_PATHNAME', 'activity_lifecycle' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 10;
COMMENT ON FUNCTION @extschema@.lifecycle(@extschema@.activity, integer, integer) IS 'PostHog lifecycle status of each period in first_period..last_period that has one: new (first active period), returning (active, and active the period before), resurrecting (active, not the period before, active earlier), dormant (active the period before, not this one)';
-- funnels ----------------------------------------------------------------------

CREATE FUNCTION @extschema@.window_funnel_accum(state internal, "window" interval, occurred_at timestamptz, steps boolean[])
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.window_funnel_accum(internal, interval, timestamptz, boolean[]) IS 'transition function of engage.window_funnel: records the instant of an event that satisfies some step';

CREATE FUNCTION @extschema@.window_funnel_combine(state internal, other internal)
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.window_funnel_combine(internal, internal) IS 'combine function of engage.window_funnel: unites two event lists';

CREATE FUNCTION @extschema@.window_funnel_serialize(state internal)
RETURNS bytea
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.window_funnel_serialize(internal) IS 'serial function of engage.window_funnel';

CREATE FUNCTION @extschema@.window_funnel_deserialize(state bytea, dummy internal)
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.window_funnel_deserialize(bytea, internal) IS 'deserial function of engage.window_funnel';

CREATE FUNCTION @extschema@.window_funnel_final(state internal)
RETURNS integer
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.window_funnel_final(internal) IS 'final function of engage.window_funnel: the longest chain';

CREATE AGGREGATE @extschema@.window_funnel("window" interval, occurred_at timestamptz, VARIADIC steps boolean[]) (
    SFUNC = @extschema@.window_funnel_accum,
    STYPE = internal,
    SSPACE = 272,
    COMBINEFUNC = @extschema@.window_funnel_combine,
    SERIALFUNC = @extschema@.window_funnel_serialize,
    DESERIALFUNC = @extschema@.window_funnel_deserialize,
    FINALFUNC = @extschema@.window_funnel_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.window_funnel(interval, timestamptz, boolean[]) IS 'ClickHouse windowFunnel (default mode): length of the longest chain step 1 -> ... -> step k in time order within window of its step-1 event; equal times are taken in step order; 1 to 32 steps, NULL steps are an error, rows with a NULL time are skipped; 0 when step 1 never holds';

CREATE FUNCTION @extschema@.window_funnel_accum(state internal, "window" interval, mode text, occurred_at timestamptz, steps boolean[])
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.window_funnel_accum(internal, interval, text, timestamptz, boolean[]) IS 'transition function of engage.window_funnel with a mode: records the instant of an event that satisfies some step';

CREATE AGGREGATE @extschema@.window_funnel("window" interval, mode text, occurred_at timestamptz, VARIADIC steps boolean[]) (
    SFUNC = @extschema@.window_funnel_accum,
    STYPE = internal,
    SSPACE = 272,
    COMBINEFUNC = @extschema@.window_funnel_combine,
    SERIALFUNC = @extschema@.window_funnel_serialize,
    DESERIALFUNC = @extschema@.window_funnel_deserialize,
    FINALFUNC = @extschema@.window_funnel_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.window_funnel(interval, text, timestamptz, boolean[]) IS 'ClickHouse windowFunnel with a mode: a comma-separated list of strict_order (a row satisfying no step, or a step out of order, ends the search), strict_deduplication (a repeated step ends it) and strict_increase (steps at strictly increasing times); '''' is the default mode';

-- Fixed-arity forms window_funnel(window, [mode,] occurred_at, step1, ..., stepN) for N = 2..8:
-- the same aggregates with the same answers and states, chosen by the parser over the VARIADIC
-- forms for calls with 2 to 8 steps; PostgreSQL then passes each step as an argument instead of
-- building a boolean[] for every row.
DO $fixed$
DECLARE
    steps text;
    types text;
BEGIN
    FOR n IN 2..8 LOOP
        SELECT pg_catalog.string_agg(pg_catalog.format('step%s boolean', i), ', ' ORDER BY i),
               pg_catalog.string_agg('boolean', ', ')
        INTO steps, types FROM pg_catalog.generate_series(1, n) AS i;
        EXECUTE pg_catalog.format($sql$
CREATE FUNCTION @extschema@.window_funnel_accum(state internal, "window" interval, occurred_at timestamptz, %1$s)
RETURNS internal
AS 'MODULE_PATHNAME', 'window_funnel_steps_accum' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.window_funnel_accum(internal, interval, timestamptz, %2$s) IS 'transition function of engage.window_funnel with %3$s step arguments: records the instant of an event that satisfies some step';
CREATE AGGREGATE @extschema@.window_funnel("window" interval, occurred_at timestamptz, %1$s) (
    SFUNC = @extschema@.window_funnel_accum,
    STYPE = internal,
    SSPACE = 272,
    COMBINEFUNC = @extschema@.window_funnel_combine,
    SERIALFUNC = @extschema@.window_funnel_serialize,
    DESERIALFUNC = @extschema@.window_funnel_deserialize,
    FINALFUNC = @extschema@.window_funnel_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.window_funnel(interval, timestamptz, %2$s) IS 'ClickHouse windowFunnel (default mode) with %3$s steps: the same as the VARIADIC form, without an array per row';
CREATE FUNCTION @extschema@.window_funnel_accum(state internal, "window" interval, mode text, occurred_at timestamptz, %1$s)
RETURNS internal
AS 'MODULE_PATHNAME', 'window_funnel_mode_steps_accum' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.window_funnel_accum(internal, interval, text, timestamptz, %2$s) IS 'transition function of engage.window_funnel with a mode and %3$s step arguments: records the instant of an event that satisfies some step';
CREATE AGGREGATE @extschema@.window_funnel("window" interval, mode text, occurred_at timestamptz, %1$s) (
    SFUNC = @extschema@.window_funnel_accum,
    STYPE = internal,
    SSPACE = 272,
    COMBINEFUNC = @extschema@.window_funnel_combine,
    SERIALFUNC = @extschema@.window_funnel_serialize,
    DESERIALFUNC = @extschema@.window_funnel_deserialize,
    FINALFUNC = @extschema@.window_funnel_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.window_funnel(interval, text, timestamptz, %2$s) IS 'ClickHouse windowFunnel with a mode and %3$s steps: the same as the VARIADIC form, without an array per row';
$sql$, steps, types, n);
    END LOOP;
END
$fixed$;

-- retention --------------------------------------------------------------------

CREATE FUNCTION @extschema@.retention_accum(state bigint, conditions boolean[])
RETURNS bigint
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.retention_accum(bigint, boolean[]) IS 'transition function of engage.retention: ORs the conditions of one row into a bit mask (bits 32-39: number of conditions)';

CREATE FUNCTION @extschema@.retention_combine(state bigint, other bigint)
RETURNS bigint
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.retention_combine(bigint, bigint) IS 'combine function of engage.retention: ORs two bit masks';

CREATE FUNCTION @extschema@.retention_final(state bigint)
RETURNS integer[]
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.retention_final(bigint) IS 'final function of engage.retention: the 0/1 array';

CREATE AGGREGATE @extschema@.retention(VARIADIC conditions boolean[]) (
    SFUNC = @extschema@.retention_accum,
    STYPE = bigint,
    INITCOND = '0',
    COMBINEFUNC = @extschema@.retention_combine,
    FINALFUNC = @extschema@.retention_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.retention(boolean[]) IS 'ClickHouse retention: r[1] = 1 if condition 1 held on some row, r[i] = 1 if conditions 1 and i each held on some row; 1 to 32 conditions, NULL conditions are an error; NULL for no rows';

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
-- fit samples -----------------------------------------------------------------
-- The state of every model-fitting aggregate: the distinct input tuples with their summed
-- weights (src/fitdata.c).  Shared by all fit aggregates, and storable as engage.fitdata so
-- that partial samples can be shipped, merged and fitted later.

CREATE FUNCTION @extschema@.fitdata_combine(internal, internal)
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.fitdata_combine(internal, internal) IS 'combine function of every fit aggregate: merges two compressed samples';

CREATE FUNCTION @extschema@.fitdata_serialize(internal)
RETURNS bytea
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.fitdata_serialize(internal) IS 'serial function of every fit aggregate (versioned, length-checked)';

CREATE FUNCTION @extschema@.fitdata_deserialize(bytea, internal)
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.fitdata_deserialize(bytea, internal) IS 'deserial function of every fit aggregate';

CREATE TYPE @extschema@.fitdata;

CREATE FUNCTION @extschema@.fitdata_in(cstring)
RETURNS @extschema@.fitdata
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.fitdata_in(cstring) IS 'input function of engage.fitdata';

CREATE FUNCTION @extschema@.fitdata_out(@extschema@.fitdata)
RETURNS cstring
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.fitdata_out(@extschema@.fitdata) IS 'output function of engage.fitdata';

CREATE FUNCTION @extschema@.fitdata_recv(internal)
RETURNS @extschema@.fitdata
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.fitdata_recv(internal) IS 'binary input function of engage.fitdata';

CREATE FUNCTION @extschema@.fitdata_send(@extschema@.fitdata)
RETURNS bytea
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.fitdata_send(@extschema@.fitdata) IS 'binary output function of engage.fitdata';

CREATE TYPE @extschema@.fitdata (
    INPUT = @extschema@.fitdata_in,
    OUTPUT = @extschema@.fitdata_out,
    RECEIVE = @extschema@.fitdata_recv,
    SEND = @extschema@.fitdata_send,
    INTERNALLENGTH = VARIABLE,
    STORAGE = extended
);
COMMENT ON TYPE @extschema@.fitdata IS 'a compressed fit sample: distinct tuples with summed weights (text form k=.. tuples=.. weight=.. options={..} data={(values..,weight),..})';

CREATE FUNCTION @extschema@.fitdata_final(internal)
RETURNS @extschema@.fitdata
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.fitdata_final(internal) IS 'final function of engage.fitdata and engage.fitdata_merge';

CREATE FUNCTION @extschema@.fitdata_merge_accum(internal, @extschema@.fitdata)
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.fitdata_merge_accum(internal, @extschema@.fitdata) IS 'transition function of engage.fitdata_merge';

CREATE AGGREGATE @extschema@.fitdata_merge(@extschema@.fitdata) (
    SFUNC = @extschema@.fitdata_merge_accum,
    STYPE = internal,
    FINALFUNC = @extschema@.fitdata_final,
    COMBINEFUNC = @extschema@.fitdata_combine,
    SERIALFUNC = @extschema@.fitdata_serialize,
    DESERIALFUNC = @extschema@.fitdata_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.fitdata_merge(@extschema@.fitdata) IS 'merges stored fit samples (e.g. partial samples of shards) into one; NULLs are skipped';

-- customer summaries for the counting models (BG/NBD, MBG/NBD, Pareto/NBD) ------------

CREATE FUNCTION @extschema@.btyd_fit_accum(internal, double precision, double precision, double precision)
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.btyd_fit_accum(internal, double precision, double precision, double precision) IS 'transition function of the counting-model fit aggregates: adds (frequency, recency, age)';

CREATE FUNCTION @extschema@.btyd_fit_accum(internal, double precision, double precision, double precision, double precision)
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.btyd_fit_accum(internal, double precision, double precision, double precision, double precision) IS 'transition function of the counting-model fit aggregates: adds (frequency, recency, age) with a weight';

CREATE FUNCTION @extschema@.btyd_fit_accum(internal, double precision, double precision, double precision, double precision, double precision)
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.btyd_fit_accum(internal, double precision, double precision, double precision, double precision, double precision) IS 'transition function of the counting-model fit aggregates: adds (frequency, recency, age) with a weight and a penalizer';

CREATE AGGREGATE @extschema@.fitdata(frequency double precision, recency double precision, age double precision) (
    SFUNC = @extschema@.btyd_fit_accum,
    STYPE = internal,
    FINALFUNC = @extschema@.fitdata_final,
    COMBINEFUNC = @extschema@.fitdata_combine,
    SERIALFUNC = @extschema@.fitdata_serialize,
    DESERIALFUNC = @extschema@.fitdata_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.fitdata(double precision, double precision, double precision) IS 'the compressed sample of customer summaries (frequency, recency, age), to store, merge, and fit with engage.bgnbd_fit(fitdata) etc.';

CREATE AGGREGATE @extschema@.fitdata(frequency double precision, recency double precision, age double precision, weight double precision) (
    SFUNC = @extschema@.btyd_fit_accum,
    STYPE = internal,
    FINALFUNC = @extschema@.fitdata_final,
    COMBINEFUNC = @extschema@.fitdata_combine,
    SERIALFUNC = @extschema@.fitdata_serialize,
    DESERIALFUNC = @extschema@.fitdata_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.fitdata(double precision, double precision, double precision, double precision) IS 'the compressed sample of customer summaries (frequency, recency, age), each row counting weight customers';
-- BG/NBD ----------------------------------------------------------------------
-- Fader, Hardie & Lee 2005, Counting your customers the easy way (src/bgnbd.c).

CREATE TYPE @extschema@.bgnbd AS (
    r double precision,
    alpha double precision,
    a double precision,
    b double precision,
    loglik double precision,
    customers double precision,
    converged boolean
);
COMMENT ON TYPE @extschema@.bgnbd IS 'BG/NBD model: purchase rate ~ Gamma(r, alpha), dropout probability ~ Beta(a, b); loglik = log-likelihood of the fitted sample, customers = its summed weight, converged = optimiser converged';

CREATE FUNCTION @extschema@.bgnbd_fit_final(internal)
RETURNS @extschema@.bgnbd
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.bgnbd_fit_final(internal) IS 'final function of engage.bgnbd_fit: maximum-likelihood fit of the compressed sample';

CREATE AGGREGATE @extschema@.bgnbd_fit(frequency double precision, recency double precision, age double precision) (
    SFUNC = @extschema@.btyd_fit_accum,
    STYPE = internal,
    FINALFUNC = @extschema@.bgnbd_fit_final,
    COMBINEFUNC = @extschema@.fitdata_combine,
    SERIALFUNC = @extschema@.fitdata_serialize,
    DESERIALFUNC = @extschema@.fitdata_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.bgnbd_fit(double precision, double precision, double precision) IS 'fits the BG/NBD model by maximum likelihood to customer summaries (frequency, recency, age); NULL without rows';

CREATE AGGREGATE @extschema@.bgnbd_fit(frequency double precision, recency double precision, age double precision, weight double precision) (
    SFUNC = @extschema@.btyd_fit_accum,
    STYPE = internal,
    FINALFUNC = @extschema@.bgnbd_fit_final,
    COMBINEFUNC = @extschema@.fitdata_combine,
    SERIALFUNC = @extschema@.fitdata_serialize,
    DESERIALFUNC = @extschema@.fitdata_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.bgnbd_fit(double precision, double precision, double precision, double precision) IS 'fits the BG/NBD model by maximum likelihood to customer summaries (frequency, recency, age), each row counting weight customers; NULL without rows';

CREATE AGGREGATE @extschema@.bgnbd_fit(frequency double precision, recency double precision, age double precision, weight double precision, penalizer double precision) (
    SFUNC = @extschema@.btyd_fit_accum,
    STYPE = internal,
    FINALFUNC = @extschema@.bgnbd_fit_final,
    COMBINEFUNC = @extschema@.fitdata_combine,
    SERIALFUNC = @extschema@.fitdata_serialize,
    DESERIALFUNC = @extschema@.fitdata_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.bgnbd_fit(double precision, double precision, double precision, double precision, double precision) IS 'fits the BG/NBD model by maximum likelihood to customer summaries (frequency, recency, age), each row counting weight customers, with an L2 penalizer (the same on every row); NULL without rows';

CREATE FUNCTION @extschema@.bgnbd_fit(sample @extschema@.fitdata)
RETURNS @extschema@.bgnbd
AS 'MODULE_PATHNAME', 'bgnbd_fit_fitdata' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.bgnbd_fit(@extschema@.fitdata) IS 'fits the BG/NBD model to a stored sample (engage.fitdata), as the aggregate would';

CREATE FUNCTION @extschema@.bgnbd_fit(sample @extschema@.fitdata, penalizer double precision)
RETURNS @extschema@.bgnbd
AS 'MODULE_PATHNAME', 'bgnbd_fit_fitdata' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.bgnbd_fit(@extschema@.fitdata, double precision) IS 'fits the BG/NBD model to a stored sample with an L2 penalizer';

CREATE FUNCTION @extschema@.p_alive(model @extschema@.bgnbd, frequency double precision, recency double precision, age double precision)
RETURNS double precision
AS 'MODULE_PATHNAME', 'bgnbd_p_alive_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.p_alive(@extschema@.bgnbd, double precision, double precision, double precision) IS 'probability that a customer with this summary is still alive (BG/NBD)';

CREATE FUNCTION @extschema@.churn_probability(model @extschema@.bgnbd, frequency double precision, recency double precision, age double precision)
RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN 1.0::double precision - @extschema@.p_alive(model, frequency, recency, age);
COMMENT ON FUNCTION @extschema@.churn_probability(@extschema@.bgnbd, double precision, double precision, double precision) IS '1 - p_alive: probability that the customer has churned (BG/NBD)';

CREATE FUNCTION @extschema@.expected_purchases(model @extschema@.bgnbd, t double precision, frequency double precision, recency double precision, age double precision)
RETURNS double precision
AS 'MODULE_PATHNAME', 'bgnbd_expected_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 20;
COMMENT ON FUNCTION @extschema@.expected_purchases(@extschema@.bgnbd, double precision, double precision, double precision, double precision) IS 'expected number of purchases in (age, age + t] of a customer with this summary (BG/NBD)';

CREATE FUNCTION @extschema@.expected_purchases(model @extschema@.bgnbd, t double precision)
RETURNS double precision
AS 'MODULE_PATHNAME', 'bgnbd_expected_new_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 20;
COMMENT ON FUNCTION @extschema@.expected_purchases(@extschema@.bgnbd, double precision) IS 'expected number of repeat purchases in (0, t] of a new customer (BG/NBD)';

CREATE FUNCTION @extschema@.prob_purchases(model @extschema@.bgnbd, n integer, t double precision)
RETURNS double precision
AS 'MODULE_PATHNAME', 'bgnbd_prob_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 50;
COMMENT ON FUNCTION @extschema@.prob_purchases(@extschema@.bgnbd, integer, double precision) IS 'probability that a new customer makes exactly n repeat purchases in (0, t] (BG/NBD)';

CREATE FUNCTION @extschema@.log_likelihood(model @extschema@.bgnbd, frequency double precision, recency double precision, age double precision)
RETURNS double precision
AS 'MODULE_PATHNAME', 'bgnbd_loglik_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 10;
COMMENT ON FUNCTION @extschema@.log_likelihood(@extschema@.bgnbd, double precision, double precision, double precision) IS 'log-likelihood of one customer summary under the model (BG/NBD)';

CREATE FUNCTION @extschema@.bgnbd_simulate(model @extschema@.bgnbd, customers integer, age double precision, seed integer)
RETURNS TABLE (frequency integer, recency double precision, age double precision)
AS 'MODULE_PATHNAME', 'bgnbd_simulate' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 1000;
COMMENT ON FUNCTION @extschema@.bgnbd_simulate(@extschema@.bgnbd, integer, double precision, integer) IS 'summaries of customers drawn from the BG/NBD model, all observed for age since their first purchase; the same for the same seed';

-- MBG/NBD ---------------------------------------------------------------------
-- Batislam, Denizel & Filiztekin 2007 (src/bgnbd.c).

CREATE TYPE @extschema@.mbgnbd AS (
    r double precision,
    alpha double precision,
    a double precision,
    b double precision,
    loglik double precision,
    customers double precision,
    converged boolean
);
COMMENT ON TYPE @extschema@.mbgnbd IS 'MBG/NBD model: purchase rate ~ Gamma(r, alpha), dropout probability ~ Beta(a, b), dropout possible right after the first purchase; loglik = log-likelihood of the fitted sample, customers = its summed weight, converged = optimiser converged';

CREATE FUNCTION @extschema@.mbgnbd_fit_final(internal)
RETURNS @extschema@.mbgnbd
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.mbgnbd_fit_final(internal) IS 'final function of engage.mbgnbd_fit: maximum-likelihood fit of the compressed sample';

CREATE AGGREGATE @extschema@.mbgnbd_fit(frequency double precision, recency double precision, age double precision) (
    SFUNC = @extschema@.btyd_fit_accum,
    STYPE = internal,
    FINALFUNC = @extschema@.mbgnbd_fit_final,
    COMBINEFUNC = @extschema@.fitdata_combine,
    SERIALFUNC = @extschema@.fitdata_serialize,
    DESERIALFUNC = @extschema@.fitdata_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.mbgnbd_fit(double precision, double precision, double precision) IS 'fits the MBG/NBD model by maximum likelihood to customer summaries (frequency, recency, age); NULL without rows';

CREATE AGGREGATE @extschema@.mbgnbd_fit(frequency double precision, recency double precision, age double precision, weight double precision) (
    SFUNC = @extschema@.btyd_fit_accum,
    STYPE = internal,
    FINALFUNC = @extschema@.mbgnbd_fit_final,
    COMBINEFUNC = @extschema@.fitdata_combine,
    SERIALFUNC = @extschema@.fitdata_serialize,
    DESERIALFUNC = @extschema@.fitdata_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.mbgnbd_fit(double precision, double precision, double precision, double precision) IS 'fits the MBG/NBD model by maximum likelihood to customer summaries (frequency, recency, age), each row counting weight customers; NULL without rows';

CREATE AGGREGATE @extschema@.mbgnbd_fit(frequency double precision, recency double precision, age double precision, weight double precision, penalizer double precision) (
    SFUNC = @extschema@.btyd_fit_accum,
    STYPE = internal,
    FINALFUNC = @extschema@.mbgnbd_fit_final,
    COMBINEFUNC = @extschema@.fitdata_combine,
    SERIALFUNC = @extschema@.fitdata_serialize,
    DESERIALFUNC = @extschema@.fitdata_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.mbgnbd_fit(double precision, double precision, double precision, double precision, double precision) IS 'fits the MBG/NBD model by maximum likelihood to customer summaries (frequency, recency, age), each row counting weight customers, with an L2 penalizer (the same on every row); NULL without rows';

CREATE FUNCTION @extschema@.mbgnbd_fit(sample @extschema@.fitdata)
RETURNS @extschema@.mbgnbd
AS 'MODULE_PATHNAME', 'mbgnbd_fit_fitdata' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.mbgnbd_fit(@extschema@.fitdata) IS 'fits the MBG/NBD model to a stored sample (engage.fitdata), as the aggregate would';

CREATE FUNCTION @extschema@.mbgnbd_fit(sample @extschema@.fitdata, penalizer double precision)
RETURNS @extschema@.mbgnbd
AS 'MODULE_PATHNAME', 'mbgnbd_fit_fitdata' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.mbgnbd_fit(@extschema@.fitdata, double precision) IS 'fits the MBG/NBD model to a stored sample with an L2 penalizer';

CREATE FUNCTION @extschema@.p_alive(model @extschema@.mbgnbd, frequency double precision, recency double precision, age double precision)
RETURNS double precision
AS 'MODULE_PATHNAME', 'mbgnbd_p_alive_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.p_alive(@extschema@.mbgnbd, double precision, double precision, double precision) IS 'probability that a customer with this summary is still alive (MBG/NBD)';

CREATE FUNCTION @extschema@.churn_probability(model @extschema@.mbgnbd, frequency double precision, recency double precision, age double precision)
RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN 1.0::double precision - @extschema@.p_alive(model, frequency, recency, age);
COMMENT ON FUNCTION @extschema@.churn_probability(@extschema@.mbgnbd, double precision, double precision, double precision) IS '1 - p_alive: probability that the customer has churned (MBG/NBD)';

CREATE FUNCTION @extschema@.expected_purchases(model @extschema@.mbgnbd, t double precision, frequency double precision, recency double precision, age double precision)
RETURNS double precision
AS 'MODULE_PATHNAME', 'mbgnbd_expected_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 20;
COMMENT ON FUNCTION @extschema@.expected_purchases(@extschema@.mbgnbd, double precision, double precision, double precision, double precision) IS 'expected number of purchases in (age, age + t] of a customer with this summary (MBG/NBD)';

CREATE FUNCTION @extschema@.expected_purchases(model @extschema@.mbgnbd, t double precision)
RETURNS double precision
AS 'MODULE_PATHNAME', 'mbgnbd_expected_new_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 20;
COMMENT ON FUNCTION @extschema@.expected_purchases(@extschema@.mbgnbd, double precision) IS 'expected number of repeat purchases in (0, t] of a new customer (MBG/NBD)';

CREATE FUNCTION @extschema@.prob_purchases(model @extschema@.mbgnbd, n integer, t double precision)
RETURNS double precision
AS 'MODULE_PATHNAME', 'mbgnbd_prob_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 50;
COMMENT ON FUNCTION @extschema@.prob_purchases(@extschema@.mbgnbd, integer, double precision) IS 'probability that a new customer makes exactly n repeat purchases in (0, t] (MBG/NBD)';

CREATE FUNCTION @extschema@.log_likelihood(model @extschema@.mbgnbd, frequency double precision, recency double precision, age double precision)
RETURNS double precision
AS 'MODULE_PATHNAME', 'mbgnbd_loglik_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 10;
COMMENT ON FUNCTION @extschema@.log_likelihood(@extschema@.mbgnbd, double precision, double precision, double precision) IS 'log-likelihood of one customer summary under the model (MBG/NBD)';

CREATE FUNCTION @extschema@.mbgnbd_simulate(model @extschema@.mbgnbd, customers integer, age double precision, seed integer)
RETURNS TABLE (frequency integer, recency double precision, age double precision)
AS 'MODULE_PATHNAME', 'mbgnbd_simulate' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 1000;
COMMENT ON FUNCTION @extschema@.mbgnbd_simulate(@extschema@.mbgnbd, integer, double precision, integer) IS 'summaries of customers drawn from the MBG/NBD model, all observed for age since their first purchase; the same for the same seed';

-- Pareto/NBD ------------------------------------------------------------------
-- Schmittlein, Morrison & Colombo 1987; Fader & Hardie 2005 note (src/paretonbd.c).

CREATE TYPE @extschema@.paretonbd AS (
    r double precision,
    alpha double precision,
    s double precision,
    beta double precision,
    loglik double precision,
    customers double precision,
    converged boolean
);
COMMENT ON TYPE @extschema@.paretonbd IS 'Pareto/NBD model: purchase rate ~ Gamma(r, alpha), dropout rate ~ Gamma(s, beta); loglik = log-likelihood of the fitted sample, customers = its summed weight, converged = optimiser converged';

CREATE FUNCTION @extschema@.paretonbd_fit_final(internal)
RETURNS @extschema@.paretonbd
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.paretonbd_fit_final(internal) IS 'final function of engage.paretonbd_fit: maximum-likelihood fit of the compressed sample';

CREATE AGGREGATE @extschema@.paretonbd_fit(frequency double precision, recency double precision, age double precision) (
    SFUNC = @extschema@.btyd_fit_accum,
    STYPE = internal,
    FINALFUNC = @extschema@.paretonbd_fit_final,
    COMBINEFUNC = @extschema@.fitdata_combine,
    SERIALFUNC = @extschema@.fitdata_serialize,
    DESERIALFUNC = @extschema@.fitdata_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.paretonbd_fit(double precision, double precision, double precision) IS 'fits the Pareto/NBD model by maximum likelihood to customer summaries (frequency, recency, age); NULL without rows';

CREATE AGGREGATE @extschema@.paretonbd_fit(frequency double precision, recency double precision, age double precision, weight double precision) (
    SFUNC = @extschema@.btyd_fit_accum,
    STYPE = internal,
    FINALFUNC = @extschema@.paretonbd_fit_final,
    COMBINEFUNC = @extschema@.fitdata_combine,
    SERIALFUNC = @extschema@.fitdata_serialize,
    DESERIALFUNC = @extschema@.fitdata_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.paretonbd_fit(double precision, double precision, double precision, double precision) IS 'fits the Pareto/NBD model by maximum likelihood to customer summaries (frequency, recency, age), each row counting weight customers; NULL without rows';

CREATE AGGREGATE @extschema@.paretonbd_fit(frequency double precision, recency double precision, age double precision, weight double precision, penalizer double precision) (
    SFUNC = @extschema@.btyd_fit_accum,
    STYPE = internal,
    FINALFUNC = @extschema@.paretonbd_fit_final,
    COMBINEFUNC = @extschema@.fitdata_combine,
    SERIALFUNC = @extschema@.fitdata_serialize,
    DESERIALFUNC = @extschema@.fitdata_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.paretonbd_fit(double precision, double precision, double precision, double precision, double precision) IS 'fits the Pareto/NBD model by maximum likelihood to customer summaries (frequency, recency, age), each row counting weight customers, with an L2 penalizer (the same on every row); NULL without rows';

CREATE FUNCTION @extschema@.paretonbd_fit(sample @extschema@.fitdata)
RETURNS @extschema@.paretonbd
AS 'MODULE_PATHNAME', 'paretonbd_fit_fitdata' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.paretonbd_fit(@extschema@.fitdata) IS 'fits the Pareto/NBD model to a stored sample (engage.fitdata), as the aggregate would';

CREATE FUNCTION @extschema@.paretonbd_fit(sample @extschema@.fitdata, penalizer double precision)
RETURNS @extschema@.paretonbd
AS 'MODULE_PATHNAME', 'paretonbd_fit_fitdata' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.paretonbd_fit(@extschema@.fitdata, double precision) IS 'fits the Pareto/NBD model to a stored sample with an L2 penalizer';

CREATE FUNCTION @extschema@.p_alive(model @extschema@.paretonbd, frequency double precision, recency double precision, age double precision)
RETURNS double precision
AS 'MODULE_PATHNAME', 'paretonbd_p_alive_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.p_alive(@extschema@.paretonbd, double precision, double precision, double precision) IS 'probability that a customer with this summary is still alive (Pareto/NBD)';

CREATE FUNCTION @extschema@.churn_probability(model @extschema@.paretonbd, frequency double precision, recency double precision, age double precision)
RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN 1.0::double precision - @extschema@.p_alive(model, frequency, recency, age);
COMMENT ON FUNCTION @extschema@.churn_probability(@extschema@.paretonbd, double precision, double precision, double precision) IS '1 - p_alive: probability that the customer has churned (Pareto/NBD)';

CREATE FUNCTION @extschema@.expected_purchases(model @extschema@.paretonbd, t double precision, frequency double precision, recency double precision, age double precision)
RETURNS double precision
AS 'MODULE_PATHNAME', 'paretonbd_expected_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 20;
COMMENT ON FUNCTION @extschema@.expected_purchases(@extschema@.paretonbd, double precision, double precision, double precision, double precision) IS 'expected number of purchases in (age, age + t] of a customer with this summary (Pareto/NBD)';

CREATE FUNCTION @extschema@.expected_purchases(model @extschema@.paretonbd, t double precision)
RETURNS double precision
AS 'MODULE_PATHNAME', 'paretonbd_expected_new_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 20;
COMMENT ON FUNCTION @extschema@.expected_purchases(@extschema@.paretonbd, double precision) IS 'expected number of repeat purchases in (0, t] of a new customer (Pareto/NBD)';

CREATE FUNCTION @extschema@.prob_purchases(model @extschema@.paretonbd, n integer, t double precision)
RETURNS double precision
AS 'MODULE_PATHNAME', 'paretonbd_prob_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 50;
COMMENT ON FUNCTION @extschema@.prob_purchases(@extschema@.paretonbd, integer, double precision) IS 'probability that a new customer makes exactly n repeat purchases in (0, t] (Pareto/NBD)';

CREATE FUNCTION @extschema@.log_likelihood(model @extschema@.paretonbd, frequency double precision, recency double precision, age double precision)
RETURNS double precision
AS 'MODULE_PATHNAME', 'paretonbd_loglik_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 10;
COMMENT ON FUNCTION @extschema@.log_likelihood(@extschema@.paretonbd, double precision, double precision, double precision) IS 'log-likelihood of one customer summary under the model (Pareto/NBD)';

CREATE FUNCTION @extschema@.paretonbd_simulate(model @extschema@.paretonbd, customers integer, age double precision, seed integer)
RETURNS TABLE (frequency integer, recency double precision, age double precision)
AS 'MODULE_PATHNAME', 'paretonbd_simulate' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 1000;
COMMENT ON FUNCTION @extschema@.paretonbd_simulate(@extschema@.paretonbd, integer, double precision, integer) IS 'summaries of customers drawn from the Pareto/NBD model, all observed for age since their first purchase; the same for the same seed';

-- BG/BB ---------------------------------------------------------------------
-- Fader, Hardie & Shang (2010), "Customer-base analysis in a discrete-time
-- noncontractual setting", Marketing Science 29(6): repeat transactions at
-- discrete opportunities (src/bgbb.c gives the equations).

CREATE TYPE @extschema@.bgbb AS (
    alpha double precision,
    beta double precision,
    gamma double precision,
    delta double precision,
    loglik double precision,
    customers double precision,
    converged boolean
);
COMMENT ON TYPE @extschema@.bgbb IS 'fitted BG/BB model: transaction probability p ~ Beta(alpha, beta), dropout probability theta ~ Beta(gamma, delta) per opportunity; log-likelihood, customers (summed weight) and convergence of the fit';

CREATE FUNCTION @extschema@.bgbb_fit_accum(state internal, frequency integer, recency integer, n_periods integer)
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.bgbb_fit_accum(internal, integer, integer, integer) IS 'transition function of engage.bgbb_fit: adds one customer to the compressed sample';

CREATE FUNCTION @extschema@.bgbb_fit_accum(state internal, frequency integer, recency integer, n_periods integer, weight double precision)
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.bgbb_fit_accum(internal, integer, integer, integer, double precision) IS 'transition function of engage.bgbb_fit: adds weight customers to the compressed sample';

CREATE FUNCTION @extschema@.bgbb_fit_final(state internal)
RETURNS @extschema@.bgbb
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE COST 10000;
COMMENT ON FUNCTION @extschema@.bgbb_fit_final(internal) IS 'final function of engage.bgbb_fit: maximises the likelihood over the compressed sample';

CREATE AGGREGATE @extschema@.bgbb_fit(frequency integer, recency integer, n_periods integer) (
    SFUNC = @extschema@.bgbb_fit_accum,
    STYPE = internal,
    COMBINEFUNC = @extschema@.fitdata_combine,
    SERIALFUNC = @extschema@.fitdata_serialize,
    DESERIALFUNC = @extschema@.fitdata_deserialize,
    FINALFUNC = @extschema@.bgbb_fit_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.bgbb_fit(integer, integer, integer) IS 'maximum-likelihood BG/BB fit (Fader, Hardie & Shang 2010) of customers with frequency transactions in n_periods opportunities, the last at opportunity recency; rows with a NULL are skipped; NULL without rows';

CREATE AGGREGATE @extschema@.bgbb_fit(frequency integer, recency integer, n_periods integer, weight double precision) (
    SFUNC = @extschema@.bgbb_fit_accum,
    STYPE = internal,
    COMBINEFUNC = @extschema@.fitdata_combine,
    SERIALFUNC = @extschema@.fitdata_serialize,
    DESERIALFUNC = @extschema@.fitdata_deserialize,
    FINALFUNC = @extschema@.bgbb_fit_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.bgbb_fit(integer, integer, integer, double precision) IS 'maximum-likelihood BG/BB fit of pre-aggregated data: each row stands for weight customers with the same (frequency, recency, n_periods)';

CREATE FUNCTION @extschema@.p_alive(model @extschema@.bgbb, frequency integer, recency integer, n_periods integer)
RETURNS double precision
AS 'MODULE_PATHNAME', 'bgbb_p_alive' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.p_alive(@extschema@.bgbb, integer, integer, integer) IS 'BG/BB probability that the customer is alive at opportunity n_periods + 1 (FHS 2010)';

CREATE FUNCTION @extschema@.churn_probability(model @extschema@.bgbb, frequency integer, recency integer, n_periods integer)
RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN 1.0::double precision - @extschema@.p_alive(model, frequency, recency, n_periods);
COMMENT ON FUNCTION @extschema@.churn_probability(@extschema@.bgbb, integer, integer, integer) IS 'BG/BB probability that the customer has died by opportunity n_periods + 1: 1 - p_alive';

CREATE FUNCTION @extschema@.expected_purchases(model @extschema@.bgbb, n_star integer, frequency integer, recency integer, n_periods integer)
RETURNS double precision
AS 'MODULE_PATHNAME', 'bgbb_expected_conditional' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.expected_purchases(@extschema@.bgbb, integer, integer, integer, integer) IS 'BG/BB expected transactions of the customer in the next n_star opportunities (FHS 2010 eq. 13)';

CREATE FUNCTION @extschema@.expected_purchases(model @extschema@.bgbb, n integer)
RETURNS double precision
AS 'MODULE_PATHNAME', 'bgbb_expected_new' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.expected_purchases(@extschema@.bgbb, integer) IS 'BG/BB expected transactions of a new customer in n opportunities (FHS 2010)';

CREATE FUNCTION @extschema@.prob_purchases(model @extschema@.bgbb, x integer, n integer)
RETURNS double precision
AS 'MODULE_PATHNAME', 'bgbb_prob_purchases' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.prob_purchases(@extschema@.bgbb, integer, integer) IS 'BG/BB probability that a new customer makes exactly x transactions in n opportunities (FHS 2010 eq. 7)';
-- Gamma-Gamma -----------------------------------------------------------------
-- Fader, Hardie & Lee (2005), "RFM and CLV: using iso-value curves for
-- customer base analysis", JMR 42(4); Fader & Hardie (2013), "The Gamma-Gamma
-- model of monetary value" (src/gammagamma.c gives the equations).

CREATE TYPE @extschema@.gammagamma AS (
    p double precision,
    q double precision,
    v double precision,
    loglik double precision,
    customers double precision,
    converged boolean
);
COMMENT ON TYPE @extschema@.gammagamma IS 'fitted Gamma-Gamma spend model: transaction values ~ Gamma(p, nu), nu ~ Gamma(q, v); log-likelihood, customers (summed weight of those with repeat transactions) and convergence of the fit';

CREATE FUNCTION @extschema@.gammagamma_fit_accum(state internal, frequency double precision, monetary double precision)
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.gammagamma_fit_accum(internal, double precision, double precision) IS 'transition function of engage.gammagamma_fit: adds one customer with repeat transactions to the compressed sample';

CREATE FUNCTION @extschema@.gammagamma_fit_accum(state internal, frequency double precision, monetary double precision, weight double precision)
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.gammagamma_fit_accum(internal, double precision, double precision, double precision) IS 'transition function of engage.gammagamma_fit: adds weight customers with repeat transactions to the compressed sample';

CREATE FUNCTION @extschema@.gammagamma_fit_final(state internal)
RETURNS @extschema@.gammagamma
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE COST 10000;
COMMENT ON FUNCTION @extschema@.gammagamma_fit_final(internal) IS 'final function of engage.gammagamma_fit: maximises the likelihood over the compressed sample';

CREATE AGGREGATE @extschema@.gammagamma_fit(frequency double precision, monetary double precision) (
    SFUNC = @extschema@.gammagamma_fit_accum,
    STYPE = internal,
    COMBINEFUNC = @extschema@.fitdata_combine,
    SERIALFUNC = @extschema@.fitdata_serialize,
    DESERIALFUNC = @extschema@.fitdata_deserialize,
    FINALFUNC = @extschema@.gammagamma_fit_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.gammagamma_fit(double precision, double precision) IS 'maximum-likelihood Gamma-Gamma fit of customers with frequency repeat transactions of mean value monetary; customers with frequency 0 and rows with a NULL are skipped; NULL when no customer has a repeat transaction';

CREATE AGGREGATE @extschema@.gammagamma_fit(frequency double precision, monetary double precision, weight double precision) (
    SFUNC = @extschema@.gammagamma_fit_accum,
    STYPE = internal,
    COMBINEFUNC = @extschema@.fitdata_combine,
    SERIALFUNC = @extschema@.fitdata_serialize,
    DESERIALFUNC = @extschema@.fitdata_deserialize,
    FINALFUNC = @extschema@.gammagamma_fit_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.gammagamma_fit(double precision, double precision, double precision) IS 'maximum-likelihood Gamma-Gamma fit of pre-aggregated data: each row stands for weight customers';

CREATE FUNCTION @extschema@.expected_spend(model @extschema@.gammagamma, frequency double precision, monetary double precision)
RETURNS double precision
AS 'MODULE_PATHNAME', 'gammagamma_expected_spend' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.expected_spend(@extschema@.gammagamma, double precision, double precision) IS 'Gamma-Gamma conditional expected average transaction value (v + frequency * monetary) p / (p * frequency + q - 1); the population mean v p / (q - 1) when frequency is 0';
-- sBG -----------------------------------------------------------------------
-- Fader & Hardie (2007), "How to project customer retention", Journal of
-- Interactive Marketing 21(1); DERL from Fader & Hardie (2010), "Customer-base
-- valuation in a contractual setting", Marketing Science 29(1) (src/sbg.c).

CREATE TYPE @extschema@.sbg AS (
    alpha double precision,
    beta double precision,
    loglik double precision,
    customers double precision,
    converged boolean
);
COMMENT ON TYPE @extschema@.sbg IS 'fitted shifted Beta-Geometric retention model: churn probability per period theta ~ Beta(alpha, beta); log-likelihood, customers (summed weight) and convergence of the fit';

CREATE FUNCTION @extschema@.sbg_fit_accum(state internal, tenure integer, churned boolean)
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.sbg_fit_accum(internal, integer, boolean) IS 'transition function of engage.sbg_fit: adds one customer to the compressed sample';

CREATE FUNCTION @extschema@.sbg_fit_accum(state internal, tenure integer, churned boolean, weight double precision)
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.sbg_fit_accum(internal, integer, boolean, double precision) IS 'transition function of engage.sbg_fit: adds weight customers to the compressed sample';

CREATE FUNCTION @extschema@.sbg_fit_final(state internal)
RETURNS @extschema@.sbg
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE COST 10000;
COMMENT ON FUNCTION @extschema@.sbg_fit_final(internal) IS 'final function of engage.sbg_fit: maximises the likelihood over the compressed sample';

CREATE AGGREGATE @extschema@.sbg_fit(tenure integer, churned boolean) (
    SFUNC = @extschema@.sbg_fit_accum,
    STYPE = internal,
    COMBINEFUNC = @extschema@.fitdata_combine,
    SERIALFUNC = @extschema@.fitdata_serialize,
    DESERIALFUNC = @extschema@.fitdata_deserialize,
    FINALFUNC = @extschema@.sbg_fit_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.sbg_fit(integer, boolean) IS 'maximum-likelihood sBG fit (Fader & Hardie 2007) of customers observed for tenure periods who cancelled at the end of the last one (churned) or are still active; rows with a NULL are skipped; NULL without rows';

CREATE AGGREGATE @extschema@.sbg_fit(tenure integer, churned boolean, weight double precision) (
    SFUNC = @extschema@.sbg_fit_accum,
    STYPE = internal,
    COMBINEFUNC = @extschema@.fitdata_combine,
    SERIALFUNC = @extschema@.fitdata_serialize,
    DESERIALFUNC = @extschema@.fitdata_deserialize,
    FINALFUNC = @extschema@.sbg_fit_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.sbg_fit(integer, boolean, double precision) IS 'maximum-likelihood sBG fit of pre-aggregated data: each row stands for weight customers';

CREATE FUNCTION @extschema@.survival(model @extschema@.sbg, t integer)
RETURNS double precision
AS 'MODULE_PATHNAME', 'sbg_survival' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.survival(@extschema@.sbg, integer) IS 'sBG probability that a new customer is still active after t periods: B(alpha, beta + t) / B(alpha, beta)';

CREATE FUNCTION @extschema@.retention_rate(model @extschema@.sbg, t integer)
RETURNS double precision
AS 'MODULE_PATHNAME', 'sbg_retention_rate' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.retention_rate(@extschema@.sbg, integer) IS 'sBG renewal rate at the end of period t >= 1 among customers active in it: (beta + t - 1) / (alpha + beta + t - 1)';

CREATE FUNCTION @extschema@.derl(model @extschema@.sbg, renewals integer, discount_rate double precision)
RETURNS double precision
AS 'MODULE_PATHNAME', 'sbg_derl' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.derl(@extschema@.sbg, integer, double precision) IS 'sBG discounted expected residual lifetime, in periods, of a customer who has made renewals renewals, just before the next renewal decision (Fader & Hardie 2010); residual value = payment per period * derl';
-- CLV -----------------------------------------------------------------------
-- Discounted customer lifetime value from a counting model and the
-- Gamma-Gamma spend model, with the convention of the lifetimes package
-- (src/clv.c gives the definition).

CREATE FUNCTION @extschema@.clv(model @extschema@.bgnbd, gg @extschema@.gammagamma,
    frequency double precision, recency double precision, age double precision, monetary double precision,
    horizon double precision, discount_rate double precision, step double precision)
RETURNS double precision
AS 'MODULE_PATHNAME', 'clv_bgnbd' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 50;
COMMENT ON FUNCTION @extschema@.clv(@extschema@.bgnbd, @extschema@.gammagamma, double precision, double precision, double precision, double precision, double precision, double precision, double precision) IS 'discounted CLV: sum over i = 1 .. floor(horizon / step) of (E[X(i step)] - E[X((i-1) step)]) * expected_spend / (1 + discount_rate)^i, E[X(t)] the BG/NBD conditional expectation';

CREATE FUNCTION @extschema@.clv(model @extschema@.mbgnbd, gg @extschema@.gammagamma,
    frequency double precision, recency double precision, age double precision, monetary double precision,
    horizon double precision, discount_rate double precision, step double precision)
RETURNS double precision
AS 'MODULE_PATHNAME', 'clv_mbgnbd' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 50;
COMMENT ON FUNCTION @extschema@.clv(@extschema@.mbgnbd, @extschema@.gammagamma, double precision, double precision, double precision, double precision, double precision, double precision, double precision) IS 'discounted CLV: sum over i = 1 .. floor(horizon / step) of (E[X(i step)] - E[X((i-1) step)]) * expected_spend / (1 + discount_rate)^i, E[X(t)] the MBG/NBD conditional expectation';

CREATE FUNCTION @extschema@.clv(model @extschema@.paretonbd, gg @extschema@.gammagamma,
    frequency double precision, recency double precision, age double precision, monetary double precision,
    horizon double precision, discount_rate double precision, step double precision)
RETURNS double precision
AS 'MODULE_PATHNAME', 'clv_paretonbd' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 50;
COMMENT ON FUNCTION @extschema@.clv(@extschema@.paretonbd, @extschema@.gammagamma, double precision, double precision, double precision, double precision, double precision, double precision, double precision) IS 'discounted CLV: sum over i = 1 .. floor(horizon / step) of (E[X(i step)] - E[X((i-1) step)]) * expected_spend / (1 + discount_rate)^i, E[X(t)] the Pareto/NBD conditional expectation';
-- models over engage.rfm summaries --------------------------------------------
-- Fits and scores taking an engage.rfm customer summary (frequency integer, recency, age,
-- monetary) instead of its columns.  The scoring overloads are SQL functions with
-- standard bodies, resolved when created (immune to search_path) and inlined by the planner.

CREATE FUNCTION @extschema@.btyd_fit_accum_rfm(internal, @extschema@.rfm)
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.btyd_fit_accum_rfm(internal, @extschema@.rfm) IS 'transition function of the counting-model fit aggregates over engage.rfm';

CREATE FUNCTION @extschema@.btyd_fit_accum_rfm(internal, @extschema@.rfm, double precision)
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.btyd_fit_accum_rfm(internal, @extschema@.rfm, double precision) IS 'transition function of the counting-model fit aggregates over engage.rfm with a weight';

CREATE FUNCTION @extschema@.btyd_fit_accum_rfm(internal, @extschema@.rfm, double precision, double precision)
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.btyd_fit_accum_rfm(internal, @extschema@.rfm, double precision, double precision) IS 'transition function of the counting-model fit aggregates over engage.rfm with a weight and a penalizer';

CREATE AGGREGATE @extschema@.bgnbd_fit(summary @extschema@.rfm) (
    SFUNC = @extschema@.btyd_fit_accum_rfm,
    STYPE = internal,
    FINALFUNC = @extschema@.bgnbd_fit_final,
    COMBINEFUNC = @extschema@.fitdata_combine,
    SERIALFUNC = @extschema@.fitdata_serialize,
    DESERIALFUNC = @extschema@.fitdata_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.bgnbd_fit(@extschema@.rfm) IS 'fits the BG/NBD model to engage.rfm summaries; NULL summaries are skipped';

CREATE AGGREGATE @extschema@.bgnbd_fit(summary @extschema@.rfm, weight double precision) (
    SFUNC = @extschema@.btyd_fit_accum_rfm,
    STYPE = internal,
    FINALFUNC = @extschema@.bgnbd_fit_final,
    COMBINEFUNC = @extschema@.fitdata_combine,
    SERIALFUNC = @extschema@.fitdata_serialize,
    DESERIALFUNC = @extschema@.fitdata_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.bgnbd_fit(@extschema@.rfm, double precision) IS 'fits the BG/NBD model to engage.rfm summaries with a weight per row; NULL summaries are skipped';

CREATE AGGREGATE @extschema@.bgnbd_fit(summary @extschema@.rfm, weight double precision, penalizer double precision) (
    SFUNC = @extschema@.btyd_fit_accum_rfm,
    STYPE = internal,
    FINALFUNC = @extschema@.bgnbd_fit_final,
    COMBINEFUNC = @extschema@.fitdata_combine,
    SERIALFUNC = @extschema@.fitdata_serialize,
    DESERIALFUNC = @extschema@.fitdata_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.bgnbd_fit(@extschema@.rfm, double precision, double precision) IS 'fits the BG/NBD model to engage.rfm summaries with a weight per row and an L2 penalizer; NULL summaries are skipped';

CREATE AGGREGATE @extschema@.mbgnbd_fit(summary @extschema@.rfm) (
    SFUNC = @extschema@.btyd_fit_accum_rfm,
    STYPE = internal,
    FINALFUNC = @extschema@.mbgnbd_fit_final,
    COMBINEFUNC = @extschema@.fitdata_combine,
    SERIALFUNC = @extschema@.fitdata_serialize,
    DESERIALFUNC = @extschema@.fitdata_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.mbgnbd_fit(@extschema@.rfm) IS 'fits the MBG/NBD model to engage.rfm summaries; NULL summaries are skipped';

CREATE AGGREGATE @extschema@.mbgnbd_fit(summary @extschema@.rfm, weight double precision) (
    SFUNC = @extschema@.btyd_fit_accum_rfm,
    STYPE = internal,
    FINALFUNC = @extschema@.mbgnbd_fit_final,
    COMBINEFUNC = @extschema@.fitdata_combine,
    SERIALFUNC = @extschema@.fitdata_serialize,
    DESERIALFUNC = @extschema@.fitdata_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.mbgnbd_fit(@extschema@.rfm, double precision) IS 'fits the MBG/NBD model to engage.rfm summaries with a weight per row; NULL summaries are skipped';

CREATE AGGREGATE @extschema@.mbgnbd_fit(summary @extschema@.rfm, weight double precision, penalizer double precision) (
    SFUNC = @extschema@.btyd_fit_accum_rfm,
    STYPE = internal,
    FINALFUNC = @extschema@.mbgnbd_fit_final,
    COMBINEFUNC = @extschema@.fitdata_combine,
    SERIALFUNC = @extschema@.fitdata_serialize,
    DESERIALFUNC = @extschema@.fitdata_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.mbgnbd_fit(@extschema@.rfm, double precision, double precision) IS 'fits the MBG/NBD model to engage.rfm summaries with a weight per row and an L2 penalizer; NULL summaries are skipped';

CREATE AGGREGATE @extschema@.paretonbd_fit(summary @extschema@.rfm) (
    SFUNC = @extschema@.btyd_fit_accum_rfm,
    STYPE = internal,
    FINALFUNC = @extschema@.paretonbd_fit_final,
    COMBINEFUNC = @extschema@.fitdata_combine,
    SERIALFUNC = @extschema@.fitdata_serialize,
    DESERIALFUNC = @extschema@.fitdata_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.paretonbd_fit(@extschema@.rfm) IS 'fits the Pareto/NBD model to engage.rfm summaries; NULL summaries are skipped';

CREATE AGGREGATE @extschema@.paretonbd_fit(summary @extschema@.rfm, weight double precision) (
    SFUNC = @extschema@.btyd_fit_accum_rfm,
    STYPE = internal,
    FINALFUNC = @extschema@.paretonbd_fit_final,
    COMBINEFUNC = @extschema@.fitdata_combine,
    SERIALFUNC = @extschema@.fitdata_serialize,
    DESERIALFUNC = @extschema@.fitdata_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.paretonbd_fit(@extschema@.rfm, double precision) IS 'fits the Pareto/NBD model to engage.rfm summaries with a weight per row; NULL summaries are skipped';

CREATE AGGREGATE @extschema@.paretonbd_fit(summary @extschema@.rfm, weight double precision, penalizer double precision) (
    SFUNC = @extschema@.btyd_fit_accum_rfm,
    STYPE = internal,
    FINALFUNC = @extschema@.paretonbd_fit_final,
    COMBINEFUNC = @extschema@.fitdata_combine,
    SERIALFUNC = @extschema@.fitdata_serialize,
    DESERIALFUNC = @extschema@.fitdata_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.paretonbd_fit(@extschema@.rfm, double precision, double precision) IS 'fits the Pareto/NBD model to engage.rfm summaries with a weight per row and an L2 penalizer; NULL summaries are skipped';

CREATE FUNCTION @extschema@.gammagamma_fit_accum_rfm(state internal, summary @extschema@.rfm)
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.gammagamma_fit_accum_rfm(internal, @extschema@.rfm) IS 'transition function of engage.gammagamma_fit over engage.rfm: adds the (frequency, monetary) of one summary';

CREATE FUNCTION @extschema@.gammagamma_fit_accum_rfm(state internal, summary @extschema@.rfm, weight double precision)
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.gammagamma_fit_accum_rfm(internal, @extschema@.rfm, double precision) IS 'transition function of engage.gammagamma_fit over engage.rfm with a weight';

CREATE AGGREGATE @extschema@.gammagamma_fit(summary @extschema@.rfm) (
    SFUNC = @extschema@.gammagamma_fit_accum_rfm,
    STYPE = internal,
    COMBINEFUNC = @extschema@.fitdata_combine,
    SERIALFUNC = @extschema@.fitdata_serialize,
    DESERIALFUNC = @extschema@.fitdata_deserialize,
    FINALFUNC = @extschema@.gammagamma_fit_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.gammagamma_fit(@extschema@.rfm) IS 'fits the Gamma-Gamma spend model to the frequency and monetary of engage.rfm summaries; summaries with frequency 0 and NULL summaries are skipped';

CREATE AGGREGATE @extschema@.gammagamma_fit(summary @extschema@.rfm, weight double precision) (
    SFUNC = @extschema@.gammagamma_fit_accum_rfm,
    STYPE = internal,
    COMBINEFUNC = @extschema@.fitdata_combine,
    SERIALFUNC = @extschema@.fitdata_serialize,
    DESERIALFUNC = @extschema@.fitdata_deserialize,
    FINALFUNC = @extschema@.gammagamma_fit_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.gammagamma_fit(@extschema@.rfm, double precision) IS 'fits the Gamma-Gamma spend model to the frequency and monetary of engage.rfm summaries with a weight per row; summaries with frequency 0 and NULL summaries are skipped';

-- scoring over engage.rfm

CREATE FUNCTION @extschema@.p_alive(model @extschema@.bgnbd, summary @extschema@.rfm)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN @extschema@.p_alive(model, (summary).frequency, (summary).recency, (summary).age);
COMMENT ON FUNCTION @extschema@.p_alive(@extschema@.bgnbd, @extschema@.rfm) IS 'p_alive(model, frequency, recency, age) of an engage.rfm summary (BG/NBD)';

CREATE FUNCTION @extschema@.churn_probability(model @extschema@.bgnbd, summary @extschema@.rfm)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN @extschema@.churn_probability(model, (summary).frequency, (summary).recency, (summary).age);
COMMENT ON FUNCTION @extschema@.churn_probability(@extschema@.bgnbd, @extschema@.rfm) IS 'churn_probability(model, frequency, recency, age) of an engage.rfm summary (BG/NBD)';

CREATE FUNCTION @extschema@.expected_purchases(model @extschema@.bgnbd, t double precision, summary @extschema@.rfm)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN @extschema@.expected_purchases(model, t, (summary).frequency, (summary).recency, (summary).age);
COMMENT ON FUNCTION @extschema@.expected_purchases(@extschema@.bgnbd, double precision, @extschema@.rfm) IS 'expected_purchases(model, t, frequency, recency, age) of an engage.rfm summary (BG/NBD)';

CREATE FUNCTION @extschema@.clv(model @extschema@.bgnbd, gg @extschema@.gammagamma, summary @extschema@.rfm,
    horizon double precision, discount_rate double precision, step double precision)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN @extschema@.clv(model, gg, (summary).frequency, (summary).recency, (summary).age, (summary).monetary,
                       horizon, discount_rate, step);
COMMENT ON FUNCTION @extschema@.clv(@extschema@.bgnbd, @extschema@.gammagamma, @extschema@.rfm, double precision, double precision, double precision) IS 'clv(model, gg, frequency, recency, age, monetary, horizon, discount_rate, step) of an engage.rfm summary (BG/NBD and Gamma-Gamma)';

CREATE FUNCTION @extschema@.p_alive(model @extschema@.mbgnbd, summary @extschema@.rfm)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN @extschema@.p_alive(model, (summary).frequency, (summary).recency, (summary).age);
COMMENT ON FUNCTION @extschema@.p_alive(@extschema@.mbgnbd, @extschema@.rfm) IS 'p_alive(model, frequency, recency, age) of an engage.rfm summary (MBG/NBD)';

CREATE FUNCTION @extschema@.churn_probability(model @extschema@.mbgnbd, summary @extschema@.rfm)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN @extschema@.churn_probability(model, (summary).frequency, (summary).recency, (summary).age);
COMMENT ON FUNCTION @extschema@.churn_probability(@extschema@.mbgnbd, @extschema@.rfm) IS 'churn_probability(model, frequency, recency, age) of an engage.rfm summary (MBG/NBD)';

CREATE FUNCTION @extschema@.expected_purchases(model @extschema@.mbgnbd, t double precision, summary @extschema@.rfm)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN @extschema@.expected_purchases(model, t, (summary).frequency, (summary).recency, (summary).age);
COMMENT ON FUNCTION @extschema@.expected_purchases(@extschema@.mbgnbd, double precision, @extschema@.rfm) IS 'expected_purchases(model, t, frequency, recency, age) of an engage.rfm summary (MBG/NBD)';

CREATE FUNCTION @extschema@.clv(model @extschema@.mbgnbd, gg @extschema@.gammagamma, summary @extschema@.rfm,
    horizon double precision, discount_rate double precision, step double precision)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN @extschema@.clv(model, gg, (summary).frequency, (summary).recency, (summary).age, (summary).monetary,
                       horizon, discount_rate, step);
COMMENT ON FUNCTION @extschema@.clv(@extschema@.mbgnbd, @extschema@.gammagamma, @extschema@.rfm, double precision, double precision, double precision) IS 'clv(model, gg, frequency, recency, age, monetary, horizon, discount_rate, step) of an engage.rfm summary (MBG/NBD and Gamma-Gamma)';

CREATE FUNCTION @extschema@.p_alive(model @extschema@.paretonbd, summary @extschema@.rfm)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN @extschema@.p_alive(model, (summary).frequency, (summary).recency, (summary).age);
COMMENT ON FUNCTION @extschema@.p_alive(@extschema@.paretonbd, @extschema@.rfm) IS 'p_alive(model, frequency, recency, age) of an engage.rfm summary (Pareto/NBD)';

CREATE FUNCTION @extschema@.churn_probability(model @extschema@.paretonbd, summary @extschema@.rfm)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN @extschema@.churn_probability(model, (summary).frequency, (summary).recency, (summary).age);
COMMENT ON FUNCTION @extschema@.churn_probability(@extschema@.paretonbd, @extschema@.rfm) IS 'churn_probability(model, frequency, recency, age) of an engage.rfm summary (Pareto/NBD)';

CREATE FUNCTION @extschema@.expected_purchases(model @extschema@.paretonbd, t double precision, summary @extschema@.rfm)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN @extschema@.expected_purchases(model, t, (summary).frequency, (summary).recency, (summary).age);
COMMENT ON FUNCTION @extschema@.expected_purchases(@extschema@.paretonbd, double precision, @extschema@.rfm) IS 'expected_purchases(model, t, frequency, recency, age) of an engage.rfm summary (Pareto/NBD)';

CREATE FUNCTION @extschema@.clv(model @extschema@.paretonbd, gg @extschema@.gammagamma, summary @extschema@.rfm,
    horizon double precision, discount_rate double precision, step double precision)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN @extschema@.clv(model, gg, (summary).frequency, (summary).recency, (summary).age, (summary).monetary,
                       horizon, discount_rate, step);
COMMENT ON FUNCTION @extschema@.clv(@extschema@.paretonbd, @extschema@.gammagamma, @extschema@.rfm, double precision, double precision, double precision) IS 'clv(model, gg, frequency, recency, age, monetary, horizon, discount_rate, step) of an engage.rfm summary (Pareto/NBD and Gamma-Gamma)';

CREATE FUNCTION @extschema@.expected_spend(model @extschema@.gammagamma, summary @extschema@.rfm)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN @extschema@.expected_spend(model, (summary).frequency, (summary).monetary);
COMMENT ON FUNCTION @extschema@.expected_spend(@extschema@.gammagamma, @extschema@.rfm) IS 'expected_spend(model, frequency, monetary) of an engage.rfm summary';

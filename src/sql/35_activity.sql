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
AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.activity_periods_accum(internal, timestamptz, timestamptz, interval) IS 'transition function of engage.activity_periods: marks the period of one interaction (calendar periods in the session TimeZone)';

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
COMMENT ON AGGREGATE @extschema@.activity_periods(timestamptz, timestamptz, interval) IS 'periods in which a customer was active: floor((occurred_at - origin) / period) for a fixed-length period, or calendar months (quarters, years) counted from the month of origin in the session TimeZone for a period of whole months (negative before origin); NULL times are skipped, NULL when none';

-- Calendar periods in a named time zone: activity_periods and period_of with a period of whole
-- months ('1 month', '3 months', '1 year') count the calendar months of time_zone, whatever the
-- session's TimeZone (fixed-length periods do not depend on the zone).
CREATE FUNCTION @extschema@.activity_periods_accum(state internal, occurred_at timestamptz, origin timestamptz, period interval, time_zone text)
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.activity_periods_accum(internal, timestamptz, timestamptz, interval, text) IS 'transition function of engage.activity_periods with a time zone: marks the period of one interaction (calendar periods in time_zone)';

CREATE AGGREGATE @extschema@.activity_periods(occurred_at timestamptz, origin timestamptz, period interval, time_zone text) (
    SFUNC = @extschema@.activity_periods_accum,
    STYPE = internal,
    SSPACE = 112,
    COMBINEFUNC = @extschema@.activity_periods_combine,
    SERIALFUNC = @extschema@.activity_periods_serialize,
    DESERIALFUNC = @extschema@.activity_periods_deserialize,
    FINALFUNC = @extschema@.activity_periods_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.activity_periods(timestamptz, timestamptz, interval, text) IS 'periods in which a customer was active, calendar periods (whole months, quarters, years) counted from the month of origin in time_zone, independent of the session TimeZone; fixed-length periods as without time_zone';

CREATE FUNCTION @extschema@.period_of(occurred_at timestamptz, origin timestamptz, period interval, time_zone text)
RETURNS integer
AS 'MODULE_PATHNAME', 'activity_period_of_zone' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.period_of(timestamptz, timestamptz, interval, text) IS 'period index of a time as engage.activity_periods with a time zone computes it: calendar months from the month of origin in time_zone for a period of whole months';

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
AS 'MODULE_PATHNAME', 'activity_period_of' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.period_of(timestamptz, timestamptz, interval) IS 'period index of a time, floor((occurred_at - origin) / period), or calendar months from the month of origin in the session TimeZone for a period of whole months, as used by engage.activity_periods';

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

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

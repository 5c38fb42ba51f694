-- customer summary (RFM) ----------------------------------------------------

CREATE TYPE @extschema@.rfm AS (
    frequency integer,
    recency double precision,
    age double precision,
    monetary double precision
);
COMMENT ON TYPE @extschema@.rfm IS 'customer summary: repeat purchase days (frequency), first to last purchase day (recency), first purchase day to as_of (age), mean net amount of the repeat purchase days with a positive one (monetary; 0 when none, NULL without amounts)';

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
COMMENT ON AGGREGATE @extschema@.rfm(timestamptz, double precision, timestamptz, interval) IS 'customer summary (frequency, recency, age, monetary) of purchases by calendar day up to the day of as_of, times in units; a row with a NULL amount is a purchase without an amount, a day whose amounts net below 0 is no purchase day; rows with another NULL are skipped; NULL when no purchase is up to as_of';

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
COMMENT ON AGGREGATE @extschema@.rfm(timestamptz, double precision, timestamptz, interval, text) IS 'customer summary (frequency, recency, age, monetary) of purchases by calendar day of time_zone up to the day of as_of, times in units; independent of the session TimeZone; amounts as in engage.rfm(timestamptz, double precision, timestamptz, interval)';

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

-- The same of event tables without amounts: every row counts for its day (frequency, recency,
-- age and the holdout purchase days); monetary and holdout_monetary are NULL.
CREATE FUNCTION @extschema@.rfm_events_accum(state internal, occurred_at timestamptz,
                                             as_of timestamptz, unit interval)
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.rfm_events_accum(internal, timestamptz, timestamptz, interval) IS 'transition function of engage.rfm without amounts: adds one event (its calendar day in the session TimeZone)';

CREATE FUNCTION @extschema@.rfm_events_accum(state internal, occurred_at timestamptz,
                                             as_of timestamptz, unit interval, time_zone text)
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.rfm_events_accum(internal, timestamptz, timestamptz, interval, text) IS 'transition function of engage.rfm without amounts, with a time zone: adds one event (its calendar day in time_zone)';

CREATE FUNCTION @extschema@.rfm_holdout_events_accum(state internal, occurred_at timestamptz,
                                                     calibration_end timestamptz, holdout_end timestamptz,
                                                     unit interval)
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.rfm_holdout_events_accum(internal, timestamptz, timestamptz, timestamptz, interval) IS 'transition function of engage.rfm_holdout without amounts: adds one event (its calendar day in the session TimeZone)';

CREATE FUNCTION @extschema@.rfm_holdout_events_accum(state internal, occurred_at timestamptz,
                                                     calibration_end timestamptz, holdout_end timestamptz,
                                                     unit interval, time_zone text)
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.rfm_holdout_events_accum(internal, timestamptz, timestamptz, timestamptz, interval, text) IS 'transition function of engage.rfm_holdout without amounts, with a time zone: adds one event (its calendar day in time_zone)';

CREATE AGGREGATE @extschema@.rfm(occurred_at timestamptz, as_of timestamptz, unit interval) (
    SFUNC = @extschema@.rfm_events_accum,
    STYPE = internal,
    SSPACE = 152,
    COMBINEFUNC = @extschema@.rfm_combine,
    SERIALFUNC = @extschema@.rfm_serialize,
    DESERIALFUNC = @extschema@.rfm_deserialize,
    FINALFUNC = @extschema@.rfm_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.rfm(timestamptz, timestamptz, interval) IS 'customer summary of an event table without amounts: every event day up to the day of as_of is a purchase day, monetary is NULL; NULL when no event is up to as_of';

CREATE AGGREGATE @extschema@.rfm(occurred_at timestamptz, as_of timestamptz, unit interval, time_zone text) (
    SFUNC = @extschema@.rfm_events_accum,
    STYPE = internal,
    SSPACE = 152,
    COMBINEFUNC = @extschema@.rfm_combine,
    SERIALFUNC = @extschema@.rfm_serialize,
    DESERIALFUNC = @extschema@.rfm_deserialize,
    FINALFUNC = @extschema@.rfm_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.rfm(timestamptz, timestamptz, interval, text) IS 'engage.rfm of an event table without amounts, by calendar days of time_zone';

CREATE AGGREGATE @extschema@.rfm_holdout(occurred_at timestamptz, calibration_end timestamptz,
                                         holdout_end timestamptz, unit interval) (
    SFUNC = @extschema@.rfm_holdout_events_accum,
    STYPE = internal,
    SSPACE = 152,
    COMBINEFUNC = @extschema@.rfm_combine,
    SERIALFUNC = @extschema@.rfm_serialize,
    DESERIALFUNC = @extschema@.rfm_deserialize,
    FINALFUNC = @extschema@.rfm_holdout_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.rfm_holdout(timestamptz, timestamptz, timestamptz, interval) IS 'engage.rfm_holdout of an event table without amounts: monetary and holdout_monetary NULL';

CREATE AGGREGATE @extschema@.rfm_holdout(occurred_at timestamptz, calibration_end timestamptz,
                                         holdout_end timestamptz, unit interval, time_zone text) (
    SFUNC = @extschema@.rfm_holdout_events_accum,
    STYPE = internal,
    SSPACE = 152,
    COMBINEFUNC = @extschema@.rfm_combine,
    SERIALFUNC = @extschema@.rfm_serialize,
    DESERIALFUNC = @extschema@.rfm_deserialize,
    FINALFUNC = @extschema@.rfm_holdout_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.rfm_holdout(timestamptz, timestamptz, timestamptz, interval, text) IS 'engage.rfm_holdout of an event table without amounts, by calendar days of time_zone';

-- classic RFM --------------------------------------------------------------

CREATE TYPE @extschema@.rfm_classic AS (
    first_purchase date,
    last_purchase date,
    purchase_days integer,
    total_spend double precision,
    mean_spend double precision,
    since_last_purchase double precision
);
COMMENT ON TYPE @extschema@.rfm_classic IS 'classic RFM inputs: first and last purchase day, number of purchase days, total net spend (first purchase included), mean spend per purchase day with an amount, and time from the last purchase day to as_of';

CREATE FUNCTION @extschema@.rfm_classic_final(state internal)
RETURNS @extschema@.rfm_classic
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.rfm_classic_final(internal) IS 'final function of engage.rfm_classic';

CREATE AGGREGATE @extschema@.rfm_classic(occurred_at timestamptz, amount double precision,
                                         as_of timestamptz, unit interval) (
    SFUNC = @extschema@.rfm_accum,
    STYPE = internal,
    SSPACE = 152,
    COMBINEFUNC = @extschema@.rfm_combine,
    SERIALFUNC = @extschema@.rfm_serialize,
    DESERIALFUNC = @extschema@.rfm_deserialize,
    FINALFUNC = @extschema@.rfm_classic_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.rfm_classic(timestamptz, double precision, timestamptz, interval) IS 'classic RFM inputs of purchases by calendar day up to the day of as_of (purchase days and amounts as in engage.rfm), times in units; NULL when no purchase is up to as_of';

CREATE AGGREGATE @extschema@.rfm_classic(occurred_at timestamptz, amount double precision,
                                         as_of timestamptz, unit interval, time_zone text) (
    SFUNC = @extschema@.rfm_accum,
    STYPE = internal,
    SSPACE = 152,
    COMBINEFUNC = @extschema@.rfm_combine,
    SERIALFUNC = @extschema@.rfm_serialize,
    DESERIALFUNC = @extschema@.rfm_deserialize,
    FINALFUNC = @extschema@.rfm_classic_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.rfm_classic(timestamptz, double precision, timestamptz, interval, text) IS 'engage.rfm_classic by calendar days of time_zone, independent of the session TimeZone';

CREATE FUNCTION @extschema@.quintile(rank bigint, total bigint)
RETURNS integer
AS 'MODULE_PATHNAME', 'rfm_quintile' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.quintile(bigint, bigint) IS 'tie-safe quintile score 1-5 of rank (as rank() gives: ties share the lowest) among total rows: 1 + floor(5 * (rank - 1) / total)';

-- RFM segments --------------------------------------------------------------

CREATE FUNCTION @extschema@.rfm_segment(r integer, f integer, m integer)
RETURNS text
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.rfm_segment(integer, integer, integer) IS 'named RFM segment of recency, frequency and monetary quintile scores 1-5 (5 best), from r and fm = ceil((f + m) / 2); see the README for the grid';

-- incremental purchase summary ------------------------------------------------

CREATE TYPE @extschema@.purchases;

CREATE FUNCTION @extschema@.purchases_in(cstring)
RETURNS @extschema@.purchases
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.purchases_in(cstring) IS 'text input of engage.purchases: a time zone, then {YYYY-MM-DD:net amount[?],...} ascending, ? marking a day with an order without an amount';

CREATE FUNCTION @extschema@.purchases_out(@extschema@.purchases)
RETURNS cstring
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.purchases_out(@extschema@.purchases) IS 'text output of engage.purchases';

CREATE FUNCTION @extschema@.purchases_recv(internal)
RETURNS @extschema@.purchases
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.purchases_recv(internal) IS 'binary input of engage.purchases';

CREATE FUNCTION @extschema@.purchases_send(@extschema@.purchases)
RETURNS bytea
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.purchases_send(@extschema@.purchases) IS 'binary output of engage.purchases';

CREATE TYPE @extschema@.purchases (
    INPUT = @extschema@.purchases_in,
    OUTPUT = @extschema@.purchases_out,
    RECEIVE = @extschema@.purchases_recv,
    SEND = @extschema@.purchases_send,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = double,
    STORAGE = extended
);
COMMENT ON TYPE @extschema@.purchases IS 'a customer''s purchase days (net amount, and whether an order without an amount fell on each) in one time zone, kept up to date one order at a time; engage.rfm(purchases, as_of, unit) reads the summary as of any time';

CREATE FUNCTION @extschema@.purchases_add(state @extschema@.purchases, occurred_at timestamptz,
                                          amount double precision, time_zone text)
RETURNS @extschema@.purchases
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.purchases_add(@extschema@.purchases, timestamptz, double precision, text) IS 'state with one more order on its calendar day in time_zone (a new state when state is NULL; a NULL amount is an order without an amount; a NULL occurred_at or time_zone leaves state unchanged); time_zone must be the state''s';

CREATE FUNCTION @extschema@.rfm(state @extschema@.purchases, as_of timestamptz, unit interval)
RETURNS @extschema@.rfm
AS 'MODULE_PATHNAME', 'purchases_rfm' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.rfm(@extschema@.purchases, timestamptz, interval) IS 'customer summary of the purchase days of state up to the day of as_of (in the state''s time zone), times in units: equal to engage.rfm(occurred_at, amount, as_of, unit, time_zone) over the same orders; NULL when no purchase is up to as_of';

CREATE FUNCTION @extschema@.purchases_accum(state internal, occurred_at timestamptz,
                                            amount double precision, time_zone text)
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.purchases_accum(internal, timestamptz, double precision, text) IS 'transition function of engage.purchases: adds one order';

CREATE FUNCTION @extschema@.purchases_combine(state internal, other internal)
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.purchases_combine(internal, internal) IS 'combine function of engage.purchases';

CREATE FUNCTION @extschema@.purchases_serialize(state internal)
RETURNS bytea
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.purchases_serialize(internal) IS 'serial function of engage.purchases';

CREATE FUNCTION @extschema@.purchases_deserialize(bytes bytea, dummy internal)
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.purchases_deserialize(bytea, internal) IS 'deserial function of engage.purchases';

CREATE FUNCTION @extschema@.purchases_final(state internal)
RETURNS @extschema@.purchases
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.purchases_final(internal) IS 'final function of engage.purchases';

CREATE AGGREGATE @extschema@.purchases(occurred_at timestamptz, amount double precision, time_zone text) (
    SFUNC = @extschema@.purchases_accum,
    STYPE = internal,
    COMBINEFUNC = @extschema@.purchases_combine,
    SERIALFUNC = @extschema@.purchases_serialize,
    DESERIALFUNC = @extschema@.purchases_deserialize,
    FINALFUNC = @extschema@.purchases_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.purchases(timestamptz, double precision, text) IS 'the engage.purchases state of a customer''s order history (days of time_zone), to be kept up to date with engage.purchases_add; rows with a NULL time or zone are skipped; NULL when there are none';

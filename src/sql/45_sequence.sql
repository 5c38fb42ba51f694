-- sequences ---------------------------------------------------------------------
-- ClickHouse's sequenceMatch and sequenceCount (src/behaviour/sequence.c gives the pattern syntax and
-- the matching).

CREATE FUNCTION @extschema@.sequence_accum(state internal, pattern text, occurred_at timestamptz, conditions boolean[])
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.sequence_accum(internal, text, timestamptz, boolean[]) IS 'transition function of engage.sequence_match and engage.sequence_count: records the time and conditions of an event that satisfies some condition';

CREATE FUNCTION @extschema@.sequence_combine(state internal, other internal)
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.sequence_combine(internal, internal) IS 'combine function of engage.sequence_match and engage.sequence_count: unites two event lists';

CREATE FUNCTION @extschema@.sequence_serialize(state internal)
RETURNS bytea
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.sequence_serialize(internal) IS 'serial function of engage.sequence_match and engage.sequence_count (versioned, length-checked)';

CREATE FUNCTION @extschema@.sequence_deserialize(state bytea, dummy internal)
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.sequence_deserialize(bytea, internal) IS 'deserial function of engage.sequence_match and engage.sequence_count';

CREATE FUNCTION @extschema@.sequence_match_final(state internal)
RETURNS boolean
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.sequence_match_final(internal) IS 'final function of engage.sequence_match: whether the pattern matches the events';

CREATE FUNCTION @extschema@.sequence_count_final(state internal)
RETURNS bigint
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.sequence_count_final(internal) IS 'final function of engage.sequence_count: the number of non-overlapping matches';

CREATE AGGREGATE @extschema@.sequence_match(pattern text, occurred_at timestamptz, VARIADIC conditions boolean[]) (
    SFUNC = @extschema@.sequence_accum,
    STYPE = internal,
    COMBINEFUNC = @extschema@.sequence_combine,
    SERIALFUNC = @extschema@.sequence_serialize,
    DESERIALFUNC = @extschema@.sequence_deserialize,
    FINALFUNC = @extschema@.sequence_match_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.sequence_match(text, timestamptz, boolean[]) IS 'ClickHouse sequenceMatch: whether the events (rows where some condition holds, in time order) match the pattern of (?N) events, .* and (?t op seconds) time conditions; 1 to 32 conditions, NULL conditions are false; false for no rows';

CREATE AGGREGATE @extschema@.sequence_count(pattern text, occurred_at timestamptz, VARIADIC conditions boolean[]) (
    SFUNC = @extschema@.sequence_accum,
    STYPE = internal,
    COMBINEFUNC = @extschema@.sequence_combine,
    SERIALFUNC = @extschema@.sequence_serialize,
    DESERIALFUNC = @extschema@.sequence_deserialize,
    FINALFUNC = @extschema@.sequence_count_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.sequence_count(text, timestamptz, boolean[]) IS 'ClickHouse sequenceCount: the number of non-overlapping matches of the pattern (as engage.sequence_match), each search starting after the last event of the previous match; 0 for no rows';

-- Fixed-arity forms sequence_match/sequence_count(pattern, occurred_at, cond1, ..., condN),
-- N = 2..8: the same aggregates without a boolean[] built for every row.
DO $fixed$
DECLARE
    conds text;
    types text;
BEGIN
    FOR n IN 2..8 LOOP
        SELECT pg_catalog.string_agg(pg_catalog.format('cond%s boolean', i), ', ' ORDER BY i),
               pg_catalog.string_agg('boolean', ', ')
        INTO conds, types FROM pg_catalog.generate_series(1, n) AS i;
        EXECUTE pg_catalog.format($sql$
CREATE FUNCTION @extschema@.sequence_accum(state internal, pattern text, occurred_at timestamptz, %1$s)
RETURNS internal
AS 'MODULE_PATHNAME', 'sequence_args_accum' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.sequence_accum(internal, text, timestamptz, %2$s) IS 'transition function of engage.sequence_match and engage.sequence_count with %3$s condition arguments';
CREATE AGGREGATE @extschema@.sequence_match(pattern text, occurred_at timestamptz, %1$s) (
    SFUNC = @extschema@.sequence_accum,
    STYPE = internal,
    COMBINEFUNC = @extschema@.sequence_combine,
    SERIALFUNC = @extschema@.sequence_serialize,
    DESERIALFUNC = @extschema@.sequence_deserialize,
    FINALFUNC = @extschema@.sequence_match_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.sequence_match(text, timestamptz, %2$s) IS 'ClickHouse sequenceMatch with %3$s conditions: the same as the VARIADIC form, without an array per row';
CREATE AGGREGATE @extschema@.sequence_count(pattern text, occurred_at timestamptz, %1$s) (
    SFUNC = @extschema@.sequence_accum,
    STYPE = internal,
    COMBINEFUNC = @extschema@.sequence_combine,
    SERIALFUNC = @extschema@.sequence_serialize,
    DESERIALFUNC = @extschema@.sequence_deserialize,
    FINALFUNC = @extschema@.sequence_count_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.sequence_count(text, timestamptz, %2$s) IS 'ClickHouse sequenceCount with %3$s conditions: the same as the VARIADIC form, without an array per row';
$sql$, conds, types, n);
    END LOOP;
END
$fixed$;

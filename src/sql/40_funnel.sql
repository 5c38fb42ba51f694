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
COMMENT ON AGGREGATE @extschema@.window_funnel(interval, timestamptz, boolean[]) IS 'ClickHouse windowFunnel (default mode): length of the longest chain step 1 -> ... -> step k in time order within window of its step-1 event; equal times are taken in step order; 1 to 32 steps, a NULL step did not happen, rows with a NULL time are skipped; 0 when step 1 never holds';

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

-- Time to convert: window_funnel_times(...) takes window_funnel's arguments (and shares its
-- transition, combine and serial functions) and returns the times at which the steps of the
-- longest chain were reached.
CREATE FUNCTION @extschema@.window_funnel_times_final(state internal)
RETURNS timestamptz[]
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.window_funnel_times_final(internal) IS 'final function of engage.window_funnel_times: the step times of the longest chain';

CREATE AGGREGATE @extschema@.window_funnel_times("window" interval, occurred_at timestamptz, VARIADIC steps boolean[]) (
    SFUNC = @extschema@.window_funnel_accum,
    STYPE = internal,
    SSPACE = 272,
    COMBINEFUNC = @extschema@.window_funnel_combine,
    SERIALFUNC = @extschema@.window_funnel_serialize,
    DESERIALFUNC = @extschema@.window_funnel_deserialize,
    FINALFUNC = @extschema@.window_funnel_times_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.window_funnel_times(interval, timestamptz, boolean[]) IS 'the times at which the steps of window_funnel''s longest chain were reached (PostHog''s time to convert): one element per step reached, {} when step 1 never holds; the chain is the first to reach the deepest step, from its latest possible step-1 event, each next step at the first time it extended that chain; NULL steps did not happen';

CREATE AGGREGATE @extschema@.window_funnel_times("window" interval, mode text, occurred_at timestamptz, VARIADIC steps boolean[]) (
    SFUNC = @extschema@.window_funnel_accum,
    STYPE = internal,
    SSPACE = 272,
    COMBINEFUNC = @extschema@.window_funnel_combine,
    SERIALFUNC = @extschema@.window_funnel_serialize,
    DESERIALFUNC = @extschema@.window_funnel_deserialize,
    FINALFUNC = @extschema@.window_funnel_times_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.window_funnel_times(interval, text, timestamptz, boolean[]) IS 'engage.window_funnel_times with window_funnel''s strict modes';

-- Fixed-arity forms window_funnel_times(window, [mode,] occurred_at, step1, ..., stepN), N = 2..8,
-- over the fixed-arity transition functions of window_funnel.
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
CREATE AGGREGATE @extschema@.window_funnel_times("window" interval, occurred_at timestamptz, %1$s) (
    SFUNC = @extschema@.window_funnel_accum,
    STYPE = internal,
    SSPACE = 272,
    COMBINEFUNC = @extschema@.window_funnel_combine,
    SERIALFUNC = @extschema@.window_funnel_serialize,
    DESERIALFUNC = @extschema@.window_funnel_deserialize,
    FINALFUNC = @extschema@.window_funnel_times_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.window_funnel_times(interval, timestamptz, %2$s) IS 'engage.window_funnel_times with %3$s steps: the same as the VARIADIC form, without an array per row';
CREATE AGGREGATE @extschema@.window_funnel_times("window" interval, mode text, occurred_at timestamptz, %1$s) (
    SFUNC = @extschema@.window_funnel_accum,
    STYPE = internal,
    SSPACE = 272,
    COMBINEFUNC = @extschema@.window_funnel_combine,
    SERIALFUNC = @extschema@.window_funnel_serialize,
    DESERIALFUNC = @extschema@.window_funnel_deserialize,
    FINALFUNC = @extschema@.window_funnel_times_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.window_funnel_times(interval, text, timestamptz, %2$s) IS 'engage.window_funnel_times with a mode and %3$s steps: the same as the VARIADIC form, without an array per row';
$sql$, steps, types, n);
    END LOOP;
END
$fixed$;

-- Event form window_funnel(window, [mode,] occurred_at, event, VARIADIC steps text[]): the boolean
-- form with steps event = steps[1], event = steps[2], ...; the steps array is read once per query
-- and each row's event matched by its bytes.  Same state, combine, serial and final functions.
CREATE FUNCTION @extschema@.window_funnel_accum(state internal, "window" interval, occurred_at timestamptz, event text, steps text[])
RETURNS internal
AS 'MODULE_PATHNAME', 'window_funnel_event_accum' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.window_funnel_accum(internal, interval, timestamptz, text, text[]) IS 'transition function of engage.window_funnel with event values: records the instant of an event equal to some step';

CREATE FUNCTION @extschema@.window_funnel_accum(state internal, "window" interval, mode text, occurred_at timestamptz, event text, steps text[])
RETURNS internal
AS 'MODULE_PATHNAME', 'window_funnel_event_accum' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.window_funnel_accum(internal, interval, text, timestamptz, text, text[]) IS 'transition function of engage.window_funnel with a mode and event values: records the instant of an event equal to some step';

CREATE AGGREGATE @extschema@.window_funnel("window" interval, occurred_at timestamptz, event text, VARIADIC steps text[]) (
    SFUNC = @extschema@.window_funnel_accum,
    STYPE = internal,
    SSPACE = 272,
    COMBINEFUNC = @extschema@.window_funnel_combine,
    SERIALFUNC = @extschema@.window_funnel_serialize,
    DESERIALFUNC = @extschema@.window_funnel_deserialize,
    FINALFUNC = @extschema@.window_funnel_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.window_funnel(interval, timestamptz, text, text[]) IS 'ClickHouse windowFunnel (default mode) over the values of one event column: step i holds on a row whose event equals steps[i] (byte equality; nondeterministic collations are error 0A000); the boolean form with event = steps[i]; a NULL event is no step; 1 to 32 distinct, non-NULL steps';

CREATE AGGREGATE @extschema@.window_funnel("window" interval, mode text, occurred_at timestamptz, event text, VARIADIC steps text[]) (
    SFUNC = @extschema@.window_funnel_accum,
    STYPE = internal,
    SSPACE = 272,
    COMBINEFUNC = @extschema@.window_funnel_combine,
    SERIALFUNC = @extschema@.window_funnel_serialize,
    DESERIALFUNC = @extschema@.window_funnel_deserialize,
    FINALFUNC = @extschema@.window_funnel_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.window_funnel(interval, text, timestamptz, text, text[]) IS 'ClickHouse windowFunnel with a mode over the values of one event column: the boolean form with a mode and event = steps[i]';

CREATE AGGREGATE @extschema@.window_funnel_times("window" interval, occurred_at timestamptz, event text, VARIADIC steps text[]) (
    SFUNC = @extschema@.window_funnel_accum,
    STYPE = internal,
    SSPACE = 272,
    COMBINEFUNC = @extschema@.window_funnel_combine,
    SERIALFUNC = @extschema@.window_funnel_serialize,
    DESERIALFUNC = @extschema@.window_funnel_deserialize,
    FINALFUNC = @extschema@.window_funnel_times_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.window_funnel_times(interval, timestamptz, text, text[]) IS 'engage.window_funnel_times over the values of one event column: step i holds on a row whose event equals steps[i]';

CREATE AGGREGATE @extschema@.window_funnel_times("window" interval, mode text, occurred_at timestamptz, event text, VARIADIC steps text[]) (
    SFUNC = @extschema@.window_funnel_accum,
    STYPE = internal,
    SSPACE = 272,
    COMBINEFUNC = @extschema@.window_funnel_combine,
    SERIALFUNC = @extschema@.window_funnel_serialize,
    DESERIALFUNC = @extschema@.window_funnel_deserialize,
    FINALFUNC = @extschema@.window_funnel_times_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.window_funnel_times(interval, text, timestamptz, text, text[]) IS 'engage.window_funnel_times with a mode over the values of one event column: step i holds on a row whose event equals steps[i]';

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

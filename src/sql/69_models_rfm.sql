-- fits over engage.rfm summaries ---------------------------------------------
-- engage.rfm (customer summary) is defined in an earlier part; these overloads are created
-- only when it exists, so that this part also installs without it.

DO $do$
BEGIN
    IF pg_catalog.to_regtype('@extschema@.rfm') IS NULL THEN
        RETURN;
    END IF;
    EXECUTE $s$
        CREATE FUNCTION @extschema@.btyd_fit_accum_rfm(internal, @extschema@.rfm)
        RETURNS internal
        AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE
    $s$;
    EXECUTE $s$
        COMMENT ON FUNCTION @extschema@.btyd_fit_accum_rfm(internal, @extschema@.rfm) IS 'transition function of the counting-model fit aggregates over engage.rfm'
    $s$;
    EXECUTE $s$
        CREATE FUNCTION @extschema@.btyd_fit_accum_rfm(internal, @extschema@.rfm, double precision)
        RETURNS internal
        AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE
    $s$;
    EXECUTE $s$
        COMMENT ON FUNCTION @extschema@.btyd_fit_accum_rfm(internal, @extschema@.rfm, double precision) IS 'transition function of the counting-model fit aggregates over engage.rfm with a weight'
    $s$;
    EXECUTE $s$
        CREATE FUNCTION @extschema@.btyd_fit_accum_rfm(internal, @extschema@.rfm, double precision, double precision)
        RETURNS internal
        AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE
    $s$;
    EXECUTE $s$
        COMMENT ON FUNCTION @extschema@.btyd_fit_accum_rfm(internal, @extschema@.rfm, double precision, double precision) IS 'transition function of the counting-model fit aggregates over engage.rfm with a weight and a penalizer'
    $s$;
    EXECUTE $s$
        CREATE AGGREGATE @extschema@.bgnbd_fit(summary @extschema@.rfm) (
            SFUNC = @extschema@.btyd_fit_accum_rfm,
            STYPE = internal,
            FINALFUNC = @extschema@.bgnbd_fit_final,
            COMBINEFUNC = @extschema@.fitdata_combine,
            SERIALFUNC = @extschema@.fitdata_serialize,
            DESERIALFUNC = @extschema@.fitdata_deserialize,
            PARALLEL = SAFE
        )
    $s$;
    EXECUTE $s$
        COMMENT ON AGGREGATE @extschema@.bgnbd_fit(@extschema@.rfm) IS 'fits the BG/NBD model to engage.rfm summaries'
    $s$;
    EXECUTE $s$
        CREATE AGGREGATE @extschema@.bgnbd_fit(summary @extschema@.rfm, weight double precision) (
            SFUNC = @extschema@.btyd_fit_accum_rfm,
            STYPE = internal,
            FINALFUNC = @extschema@.bgnbd_fit_final,
            COMBINEFUNC = @extschema@.fitdata_combine,
            SERIALFUNC = @extschema@.fitdata_serialize,
            DESERIALFUNC = @extschema@.fitdata_deserialize,
            PARALLEL = SAFE
        )
    $s$;
    EXECUTE $s$
        COMMENT ON AGGREGATE @extschema@.bgnbd_fit(@extschema@.rfm, double precision) IS 'fits the BG/NBD model to engage.rfm summaries with weight'
    $s$;
    EXECUTE $s$
        CREATE AGGREGATE @extschema@.bgnbd_fit(summary @extschema@.rfm, weight double precision, penalizer double precision) (
            SFUNC = @extschema@.btyd_fit_accum_rfm,
            STYPE = internal,
            FINALFUNC = @extschema@.bgnbd_fit_final,
            COMBINEFUNC = @extschema@.fitdata_combine,
            SERIALFUNC = @extschema@.fitdata_serialize,
            DESERIALFUNC = @extschema@.fitdata_deserialize,
            PARALLEL = SAFE
        )
    $s$;
    EXECUTE $s$
        COMMENT ON AGGREGATE @extschema@.bgnbd_fit(@extschema@.rfm, double precision, double precision) IS 'fits the BG/NBD model to engage.rfm summaries with weight, penalizer'
    $s$;
    EXECUTE $s$
        CREATE AGGREGATE @extschema@.mbgnbd_fit(summary @extschema@.rfm) (
            SFUNC = @extschema@.btyd_fit_accum_rfm,
            STYPE = internal,
            FINALFUNC = @extschema@.mbgnbd_fit_final,
            COMBINEFUNC = @extschema@.fitdata_combine,
            SERIALFUNC = @extschema@.fitdata_serialize,
            DESERIALFUNC = @extschema@.fitdata_deserialize,
            PARALLEL = SAFE
        )
    $s$;
    EXECUTE $s$
        COMMENT ON AGGREGATE @extschema@.mbgnbd_fit(@extschema@.rfm) IS 'fits the MBG/NBD model to engage.rfm summaries'
    $s$;
    EXECUTE $s$
        CREATE AGGREGATE @extschema@.mbgnbd_fit(summary @extschema@.rfm, weight double precision) (
            SFUNC = @extschema@.btyd_fit_accum_rfm,
            STYPE = internal,
            FINALFUNC = @extschema@.mbgnbd_fit_final,
            COMBINEFUNC = @extschema@.fitdata_combine,
            SERIALFUNC = @extschema@.fitdata_serialize,
            DESERIALFUNC = @extschema@.fitdata_deserialize,
            PARALLEL = SAFE
        )
    $s$;
    EXECUTE $s$
        COMMENT ON AGGREGATE @extschema@.mbgnbd_fit(@extschema@.rfm, double precision) IS 'fits the MBG/NBD model to engage.rfm summaries with weight'
    $s$;
    EXECUTE $s$
        CREATE AGGREGATE @extschema@.mbgnbd_fit(summary @extschema@.rfm, weight double precision, penalizer double precision) (
            SFUNC = @extschema@.btyd_fit_accum_rfm,
            STYPE = internal,
            FINALFUNC = @extschema@.mbgnbd_fit_final,
            COMBINEFUNC = @extschema@.fitdata_combine,
            SERIALFUNC = @extschema@.fitdata_serialize,
            DESERIALFUNC = @extschema@.fitdata_deserialize,
            PARALLEL = SAFE
        )
    $s$;
    EXECUTE $s$
        COMMENT ON AGGREGATE @extschema@.mbgnbd_fit(@extschema@.rfm, double precision, double precision) IS 'fits the MBG/NBD model to engage.rfm summaries with weight, penalizer'
    $s$;
    EXECUTE $s$
        CREATE AGGREGATE @extschema@.paretonbd_fit(summary @extschema@.rfm) (
            SFUNC = @extschema@.btyd_fit_accum_rfm,
            STYPE = internal,
            FINALFUNC = @extschema@.paretonbd_fit_final,
            COMBINEFUNC = @extschema@.fitdata_combine,
            SERIALFUNC = @extschema@.fitdata_serialize,
            DESERIALFUNC = @extschema@.fitdata_deserialize,
            PARALLEL = SAFE
        )
    $s$;
    EXECUTE $s$
        COMMENT ON AGGREGATE @extschema@.paretonbd_fit(@extschema@.rfm) IS 'fits the Pareto/NBD model to engage.rfm summaries'
    $s$;
    EXECUTE $s$
        CREATE AGGREGATE @extschema@.paretonbd_fit(summary @extschema@.rfm, weight double precision) (
            SFUNC = @extschema@.btyd_fit_accum_rfm,
            STYPE = internal,
            FINALFUNC = @extschema@.paretonbd_fit_final,
            COMBINEFUNC = @extschema@.fitdata_combine,
            SERIALFUNC = @extschema@.fitdata_serialize,
            DESERIALFUNC = @extschema@.fitdata_deserialize,
            PARALLEL = SAFE
        )
    $s$;
    EXECUTE $s$
        COMMENT ON AGGREGATE @extschema@.paretonbd_fit(@extschema@.rfm, double precision) IS 'fits the Pareto/NBD model to engage.rfm summaries with weight'
    $s$;
    EXECUTE $s$
        CREATE AGGREGATE @extschema@.paretonbd_fit(summary @extschema@.rfm, weight double precision, penalizer double precision) (
            SFUNC = @extschema@.btyd_fit_accum_rfm,
            STYPE = internal,
            FINALFUNC = @extschema@.paretonbd_fit_final,
            COMBINEFUNC = @extschema@.fitdata_combine,
            SERIALFUNC = @extschema@.fitdata_serialize,
            DESERIALFUNC = @extschema@.fitdata_deserialize,
            PARALLEL = SAFE
        )
    $s$;
    EXECUTE $s$
        COMMENT ON AGGREGATE @extschema@.paretonbd_fit(@extschema@.rfm, double precision, double precision) IS 'fits the Pareto/NBD model to engage.rfm summaries with weight, penalizer'
    $s$;
END
$do$;

-- fit samples -----------------------------------------------------------------
-- The state of every model-fitting aggregate: the distinct input tuples with their summed
-- weights (src/models/fitdata.c).  Shared by all fit aggregates, and storable as engage.fitdata so
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

-- customer summaries with static covariates (Fader & Hardie 2007) ------------------

CREATE FUNCTION @extschema@.btyd_fit_accum_cov(internal, double precision, double precision, double precision, double precision[], double precision[])
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.btyd_fit_accum_cov(internal, double precision, double precision, double precision, double precision[], double precision[]) IS 'transition function of the counting-model fit aggregates with covariates: adds (frequency, recency, age, purchase covariates, dropout covariates)';

CREATE FUNCTION @extschema@.btyd_fit_accum_cov(internal, double precision, double precision, double precision, double precision[], double precision[], double precision)
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.btyd_fit_accum_cov(internal, double precision, double precision, double precision, double precision[], double precision[], double precision) IS 'transition function of the counting-model fit aggregates with covariates: adds (frequency, recency, age, purchase covariates, dropout covariates) with a weight';

CREATE FUNCTION @extschema@.btyd_fit_accum_cov(internal, double precision, double precision, double precision, double precision[], double precision[], double precision, double precision)
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.btyd_fit_accum_cov(internal, double precision, double precision, double precision, double precision[], double precision[], double precision, double precision) IS 'transition function of the counting-model fit aggregates with covariates: adds (frequency, recency, age, purchase covariates, dropout covariates) with a weight and a penalizer';

CREATE AGGREGATE @extschema@.fitdata(frequency double precision, recency double precision, age double precision, purchase_covariates double precision[], dropout_covariates double precision[]) (
    SFUNC = @extschema@.btyd_fit_accum_cov,
    STYPE = internal,
    FINALFUNC = @extschema@.fitdata_final,
    COMBINEFUNC = @extschema@.fitdata_combine,
    SERIALFUNC = @extschema@.fitdata_serialize,
    DESERIALFUNC = @extschema@.fitdata_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.fitdata(double precision, double precision, double precision, double precision[], double precision[]) IS 'the compressed sample of customer summaries with their purchase and dropout covariate vectors (the same lengths on every row, either may be empty; rows with a NULL are skipped), to store, merge, and fit with engage.paretonbd_fit(fitdata) etc.';

CREATE AGGREGATE @extschema@.fitdata(frequency double precision, recency double precision, age double precision, purchase_covariates double precision[], dropout_covariates double precision[], weight double precision) (
    SFUNC = @extschema@.btyd_fit_accum_cov,
    STYPE = internal,
    FINALFUNC = @extschema@.fitdata_final,
    COMBINEFUNC = @extschema@.fitdata_combine,
    SERIALFUNC = @extschema@.fitdata_serialize,
    DESERIALFUNC = @extschema@.fitdata_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.fitdata(double precision, double precision, double precision, double precision[], double precision[], double precision) IS 'the compressed sample of customer summaries with covariates, each row counting weight customers';

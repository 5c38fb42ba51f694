-- bootstrap -------------------------------------------------------------------
-- Resampling customers with replacement and refitting, as CLVTools does
-- (src/models/bootstrap.c): the replicates give percentile intervals of any score.

CREATE FUNCTION @extschema@.fitdata_resample(sample @extschema@.fitdata, seed bigint)
RETURNS @extschema@.fitdata
AS 'MODULE_PATHNAME', 'fitdata_resample' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.fitdata_resample(@extschema@.fitdata, bigint) IS 'a bootstrap sample: as many customers as the sample holds, drawn uniformly with replacement with their covariates, if any (weights must be whole numbers, counting customers); the same for the same seed';

CREATE FUNCTION @extschema@.bgnbd_bootstrap(sample @extschema@.fitdata, replicates integer, seed bigint)
RETURNS SETOF @extschema@.bgnbd
AS 'MODULE_PATHNAME', 'bgnbd_bootstrap' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 1000000 ROWS 100;
COMMENT ON FUNCTION @extschema@.bgnbd_bootstrap(@extschema@.fitdata, integer, bigint) IS 'nonparametric bootstrap of the BG/NBD fit: replicates refits, each to the sample''s customers resampled with replacement (weights must be whole numbers), with their covariates and the coefficients of a sample with covariates; warm-started from the whole sample''s fit, without covariance; a replicate that did not converge or runs off has converged = false; the same for the same seed';

CREATE FUNCTION @extschema@.bgnbd_bootstrap(sample @extschema@.fitdata, replicates integer, seed bigint, penalizer double precision)
RETURNS SETOF @extschema@.bgnbd
AS 'MODULE_PATHNAME', 'bgnbd_bootstrap' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 1000000 ROWS 100;
COMMENT ON FUNCTION @extschema@.bgnbd_bootstrap(@extschema@.fitdata, integer, bigint, double precision) IS 'nonparametric bootstrap of the BG/NBD fit with an L2 penalizer';

CREATE FUNCTION @extschema@.mbgnbd_bootstrap(sample @extschema@.fitdata, replicates integer, seed bigint)
RETURNS SETOF @extschema@.mbgnbd
AS 'MODULE_PATHNAME', 'mbgnbd_bootstrap' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 1000000 ROWS 100;
COMMENT ON FUNCTION @extschema@.mbgnbd_bootstrap(@extschema@.fitdata, integer, bigint) IS 'nonparametric bootstrap of the MBG/NBD fit: replicates refits, each to the sample''s customers resampled with replacement (weights must be whole numbers), with their covariates and the coefficients of a sample with covariates; warm-started from the whole sample''s fit, without covariance; a replicate that did not converge or runs off has converged = false; the same for the same seed';

CREATE FUNCTION @extschema@.mbgnbd_bootstrap(sample @extschema@.fitdata, replicates integer, seed bigint, penalizer double precision)
RETURNS SETOF @extschema@.mbgnbd
AS 'MODULE_PATHNAME', 'mbgnbd_bootstrap' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 1000000 ROWS 100;
COMMENT ON FUNCTION @extschema@.mbgnbd_bootstrap(@extschema@.fitdata, integer, bigint, double precision) IS 'nonparametric bootstrap of the MBG/NBD fit with an L2 penalizer';

CREATE FUNCTION @extschema@.paretonbd_bootstrap(sample @extschema@.fitdata, replicates integer, seed bigint)
RETURNS SETOF @extschema@.paretonbd
AS 'MODULE_PATHNAME', 'paretonbd_bootstrap' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 1000000 ROWS 100;
COMMENT ON FUNCTION @extschema@.paretonbd_bootstrap(@extschema@.fitdata, integer, bigint) IS 'nonparametric bootstrap of the Pareto/NBD fit: replicates refits, each to the sample''s customers resampled with replacement (weights must be whole numbers), with their covariates and the coefficients of a sample with covariates; warm-started from the whole sample''s fit, without covariance; a replicate that did not converge or runs off has converged = false; the same for the same seed';

CREATE FUNCTION @extschema@.paretonbd_bootstrap(sample @extschema@.fitdata, replicates integer, seed bigint, penalizer double precision)
RETURNS SETOF @extschema@.paretonbd
AS 'MODULE_PATHNAME', 'paretonbd_bootstrap' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 1000000 ROWS 100;
COMMENT ON FUNCTION @extschema@.paretonbd_bootstrap(@extschema@.fitdata, integer, bigint, double precision) IS 'nonparametric bootstrap of the Pareto/NBD fit with an L2 penalizer';

CREATE FUNCTION @extschema@.ggomnbd_bootstrap(sample @extschema@.fitdata, replicates integer, seed bigint)
RETURNS SETOF @extschema@.ggomnbd
AS 'MODULE_PATHNAME', 'ggomnbd_bootstrap' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 10000000 ROWS 100;
COMMENT ON FUNCTION @extschema@.ggomnbd_bootstrap(@extschema@.fitdata, integer, bigint) IS 'nonparametric bootstrap of the GGompertz/NBD fit: replicates refits, each to the sample''s customers resampled with replacement (weights must be whole numbers); warm-started from the whole sample''s fit, without covariance; a replicate that did not converge has converged = false; the same for the same seed';

CREATE FUNCTION @extschema@.ggomnbd_bootstrap(sample @extschema@.fitdata, replicates integer, seed bigint, penalizer double precision)
RETURNS SETOF @extschema@.ggomnbd
AS 'MODULE_PATHNAME', 'ggomnbd_bootstrap' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 10000000 ROWS 100;
COMMENT ON FUNCTION @extschema@.ggomnbd_bootstrap(@extschema@.fitdata, integer, bigint, double precision) IS 'nonparametric bootstrap of the GGompertz/NBD fit with an L2 penalizer';

-- Gamma-Gamma -----------------------------------------------------------------
-- Fader, Hardie & Lee (2005), "RFM and CLV: using iso-value curves for
-- customer base analysis", JMR 42(4); Fader & Hardie (2013), "The Gamma-Gamma
-- model of monetary value" (src/models/gammagamma.c gives the equations).

CREATE TYPE @extschema@.gammagamma AS (
    p double precision,
    q double precision,
    v double precision,
    loglik double precision,
    customers double precision,
    converged boolean,
    covariance double precision[],
    spend_coefficients double precision[]
);
COMMENT ON TYPE @extschema@.gammagamma IS 'fitted Gamma-Gamma spend model: transaction values ~ Gamma(p, nu), nu ~ Gamma(q, v); log-likelihood, customers (summed weight of those with repeat transactions) and convergence of the fit; covariance = covariance matrix of the parameter estimates (natural scale, rows and columns in parameter order, then the spend coefficients; NULL when unknown); spend_coefficients = theta of a fit with spend covariates w (customer scale v exp(theta'' w)), NULL without covariates';

CREATE FUNCTION @extschema@.gammagamma(p double precision, q double precision, v double precision)
RETURNS @extschema@.gammagamma
AS 'MODULE_PATHNAME', 'btyd_model_construct' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.gammagamma(double precision, double precision, double precision) IS 'a Gamma-Gamma model of the given parameters without covariates (not fitted: loglik, customers, covariance and spend_coefficients NULL, converged true); errors unless every parameter is a positive finite number';

CREATE FUNCTION @extschema@.gammagamma(p double precision, q double precision, v double precision, spend_coefficients double precision[])
RETURNS @extschema@.gammagamma
AS 'MODULE_PATHNAME', 'btyd_model_construct' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.gammagamma(double precision, double precision, double precision, double precision[]) IS 'a Gamma-Gamma model with spend covariates of the given parameters and spend coefficients theta (v_i = v exp(theta'' w_i); not fitted: loglik, customers and covariance NULL, converged true); errors unless every parameter is a positive finite number and the coefficients at most 8 finite numbers';

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
COMMENT ON AGGREGATE @extschema@.gammagamma_fit(double precision, double precision) IS 'maximum-likelihood Gamma-Gamma fit of customers with frequency repeat transactions of mean value monetary; customers with frequency 0 and rows with a NULL are skipped, those with monetary <= 0 skipped with a notice giving their number; NULL when no customer has a repeat transaction';

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

-- Gamma-Gamma with spend covariates: customer i's scale v_i = v exp(theta' w_i)

CREATE FUNCTION @extschema@.gammagamma_fit_accum_covariates(state internal, frequency double precision, monetary double precision, spend_covariates double precision[])
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.gammagamma_fit_accum_covariates(internal, double precision, double precision, double precision[]) IS 'transition function of engage.gammagamma_fit with spend covariates: adds one customer with repeat transactions and their covariates to the compressed sample';

CREATE FUNCTION @extschema@.gammagamma_fit_accum_covariates(state internal, frequency double precision, monetary double precision, spend_covariates double precision[], weight double precision)
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.gammagamma_fit_accum_covariates(internal, double precision, double precision, double precision[], double precision) IS 'transition function of engage.gammagamma_fit with spend covariates: adds weight customers to the compressed sample';

CREATE FUNCTION @extschema@.gammagamma_fit_accum_covariates(state internal, frequency double precision, monetary double precision, spend_covariates double precision[], weight double precision, penalizer double precision)
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.gammagamma_fit_accum_covariates(internal, double precision, double precision, double precision[], double precision, double precision) IS 'transition function of engage.gammagamma_fit with spend covariates and a penalizer (the same on every row)';

CREATE FUNCTION @extschema@.gammagamma_fit_final_covariates(state internal)
RETURNS @extschema@.gammagamma
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE COST 10000;
COMMENT ON FUNCTION @extschema@.gammagamma_fit_final_covariates(internal) IS 'final function of engage.gammagamma_fit with spend covariates: maximises the penalised likelihood over the compressed sample';

CREATE AGGREGATE @extschema@.gammagamma_fit(frequency double precision, monetary double precision, spend_covariates double precision[]) (
    SFUNC = @extschema@.gammagamma_fit_accum_covariates,
    STYPE = internal,
    COMBINEFUNC = @extschema@.fitdata_combine,
    SERIALFUNC = @extschema@.fitdata_serialize,
    DESERIALFUNC = @extschema@.fitdata_deserialize,
    FINALFUNC = @extschema@.gammagamma_fit_final_covariates,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.gammagamma_fit(double precision, double precision, double precision[]) IS 'maximum-likelihood Gamma-Gamma fit with spend covariates (v_i = v exp(theta'' w_i), w_i = spend_covariates, the same length on every row, may be empty); skips rows as the fit without covariates does; spend_coefficients holds theta';

CREATE AGGREGATE @extschema@.gammagamma_fit(frequency double precision, monetary double precision, spend_covariates double precision[], weight double precision) (
    SFUNC = @extschema@.gammagamma_fit_accum_covariates,
    STYPE = internal,
    COMBINEFUNC = @extschema@.fitdata_combine,
    SERIALFUNC = @extschema@.fitdata_serialize,
    DESERIALFUNC = @extschema@.fitdata_deserialize,
    FINALFUNC = @extschema@.gammagamma_fit_final_covariates,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.gammagamma_fit(double precision, double precision, double precision[], double precision) IS 'maximum-likelihood Gamma-Gamma fit with spend covariates of pre-aggregated data: each row stands for weight customers';

CREATE AGGREGATE @extschema@.gammagamma_fit(frequency double precision, monetary double precision, spend_covariates double precision[], weight double precision, penalizer double precision) (
    SFUNC = @extschema@.gammagamma_fit_accum_covariates,
    STYPE = internal,
    COMBINEFUNC = @extschema@.fitdata_combine,
    SERIALFUNC = @extschema@.fitdata_serialize,
    DESERIALFUNC = @extschema@.fitdata_deserialize,
    FINALFUNC = @extschema@.gammagamma_fit_final_covariates,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.gammagamma_fit(double precision, double precision, double precision[], double precision, double precision) IS 'maximum-likelihood Gamma-Gamma fit with spend covariates and an L2 penalty: minimises -loglik + penalizer * sum(theta^2) (the coefficients only, as CLVTools'' reg.lambdas); the penalizer must be the same on every row';

CREATE FUNCTION @extschema@.expected_spend(model @extschema@.gammagamma, frequency double precision, monetary double precision, spend_covariates double precision[])
RETURNS double precision
AS 'MODULE_PATHNAME', 'gammagamma_expected_spend_covariates' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.expected_spend(@extschema@.gammagamma, double precision, double precision, double precision[]) IS 'Gamma-Gamma conditional expected average transaction value of a customer with spend covariates w: (v_i + frequency * monetary) p / (p * frequency + q - 1), v_i = v exp(theta'' w); a model without covariates takes an empty array';

-- sBG -----------------------------------------------------------------------
-- Fader & Hardie (2007), "How to project customer retention", Journal of
-- Interactive Marketing 21(1); DERL from Fader & Hardie (2010), "Customer-base
-- valuation in a contractual setting", Marketing Science 29(1) (src/models/sbg.c).

CREATE TYPE @extschema@.sbg AS (
    alpha double precision,
    beta double precision,
    loglik double precision,
    customers double precision,
    converged boolean,
    covariance double precision[],
    dropout_coefficients double precision[]
);
COMMENT ON TYPE @extschema@.sbg IS 'fitted shifted Beta-Geometric retention model: churn probability per period theta ~ Beta(alpha, beta); log-likelihood, customers (summed weight) and convergence of the fit; covariance = covariance matrix of the parameter estimates (natural scale, rows and columns in parameter order, then the dropout coefficients; NULL when unknown); dropout_coefficients = gamma_a then gamma_b of a fit with dropout covariates z (alpha_i = alpha exp(-gamma_a'' z), beta_i = beta exp(-gamma_b'' z)), NULL without covariates';

CREATE FUNCTION @extschema@.sbg(alpha double precision, beta double precision)
RETURNS @extschema@.sbg
AS 'MODULE_PATHNAME', 'btyd_model_construct' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.sbg(double precision, double precision) IS 'a sBG model of the given parameters without covariates (not fitted: loglik, customers, covariance and dropout_coefficients NULL, converged true); errors unless every parameter is a positive finite number';

CREATE FUNCTION @extschema@.sbg_fit_accum(state internal, tenure integer, churned boolean)
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.sbg_fit_accum(internal, integer, boolean) IS 'transition function of engage.sbg_fit: adds one customer to the compressed sample';

CREATE FUNCTION @extschema@.sbg_fit_accum(state internal, tenure integer, churned boolean, weight double precision)
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.sbg_fit_accum(internal, integer, boolean, double precision) IS 'transition function of engage.sbg_fit: adds weight customers to the compressed sample';

CREATE FUNCTION @extschema@.sbg_fit_final(state internal)
RETURNS @extschema@.sbg
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE COST 10000;
COMMENT ON FUNCTION @extschema@.sbg_fit_final(internal) IS 'final function of engage.sbg_fit: maximises the likelihood over the compressed sample';

CREATE AGGREGATE @extschema@.sbg_fit(tenure integer, churned boolean) (
    SFUNC = @extschema@.sbg_fit_accum,
    STYPE = internal,
    COMBINEFUNC = @extschema@.fitdata_combine,
    SERIALFUNC = @extschema@.fitdata_serialize,
    DESERIALFUNC = @extschema@.fitdata_deserialize,
    FINALFUNC = @extschema@.sbg_fit_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.sbg_fit(integer, boolean) IS 'maximum-likelihood sBG fit (Fader & Hardie 2007) of customers observed for tenure periods who cancelled at the end of the last one (churned) or are still active; rows with a NULL are skipped; NULL without rows';

CREATE AGGREGATE @extschema@.sbg_fit(tenure integer, churned boolean, weight double precision) (
    SFUNC = @extschema@.sbg_fit_accum,
    STYPE = internal,
    COMBINEFUNC = @extschema@.fitdata_combine,
    SERIALFUNC = @extschema@.fitdata_serialize,
    DESERIALFUNC = @extschema@.fitdata_deserialize,
    FINALFUNC = @extschema@.sbg_fit_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.sbg_fit(integer, boolean, double precision) IS 'maximum-likelihood sBG fit of pre-aggregated data: each row stands for weight customers';

CREATE FUNCTION @extschema@.survival(model @extschema@.sbg, t integer)
RETURNS double precision
AS 'MODULE_PATHNAME', 'sbg_survival' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.survival(@extschema@.sbg, integer) IS 'sBG probability that a new customer is still active after t periods: B(alpha, beta + t) / B(alpha, beta)';

CREATE FUNCTION @extschema@.retention_rate(model @extschema@.sbg, t integer)
RETURNS double precision
AS 'MODULE_PATHNAME', 'sbg_retention_rate' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.retention_rate(@extschema@.sbg, integer) IS 'sBG renewal rate at the end of period t >= 1 among customers active in it: (beta + t - 1) / (alpha + beta + t - 1)';

CREATE FUNCTION @extschema@.derl(model @extschema@.sbg, renewals integer, discount_rate double precision)
RETURNS double precision
AS 'MODULE_PATHNAME', 'sbg_derl' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.derl(@extschema@.sbg, integer, double precision) IS 'sBG discounted expected residual lifetime, in periods, of a customer who has made renewals renewals, just before the next renewal decision (Fader & Hardie 2010); residual value = payment per period * derl';

-- sBG with dropout covariates (as PyMC-Marketing's ShiftedBetaGeoModel): customer i's
-- alpha_i = alpha exp(-gamma_a' z_i), beta_i = beta exp(-gamma_b' z_i)

CREATE FUNCTION @extschema@.sbg_fit_accum_covariates(state internal, tenure integer, churned boolean, dropout_covariates double precision[])
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.sbg_fit_accum_covariates(internal, integer, boolean, double precision[]) IS 'transition function of engage.sbg_fit with dropout covariates: adds one customer and their covariates to the compressed sample';

CREATE FUNCTION @extschema@.sbg_fit_accum_covariates(state internal, tenure integer, churned boolean, dropout_covariates double precision[], weight double precision)
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.sbg_fit_accum_covariates(internal, integer, boolean, double precision[], double precision) IS 'transition function of engage.sbg_fit with dropout covariates: adds weight customers to the compressed sample';

CREATE FUNCTION @extschema@.sbg_fit_accum_covariates(state internal, tenure integer, churned boolean, dropout_covariates double precision[], weight double precision, penalizer double precision)
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.sbg_fit_accum_covariates(internal, integer, boolean, double precision[], double precision, double precision) IS 'transition function of engage.sbg_fit with dropout covariates and a penalizer (the same on every row)';

CREATE FUNCTION @extschema@.sbg_fit_final_covariates(state internal)
RETURNS @extschema@.sbg
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE COST 10000;
COMMENT ON FUNCTION @extschema@.sbg_fit_final_covariates(internal) IS 'final function of engage.sbg_fit with dropout covariates: maximises the penalised likelihood over the compressed sample';

CREATE AGGREGATE @extschema@.sbg_fit(tenure integer, churned boolean, dropout_covariates double precision[]) (
    SFUNC = @extschema@.sbg_fit_accum_covariates,
    STYPE = internal,
    COMBINEFUNC = @extschema@.fitdata_combine,
    SERIALFUNC = @extschema@.fitdata_serialize,
    DESERIALFUNC = @extschema@.fitdata_deserialize,
    FINALFUNC = @extschema@.sbg_fit_final_covariates,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.sbg_fit(integer, boolean, double precision[]) IS 'maximum-likelihood sBG fit with dropout covariates z (the same length on every row, may be empty): alpha_i = alpha exp(-gamma_a'' z), beta_i = beta exp(-gamma_b'' z); dropout_coefficients holds gamma_a then gamma_b; rows with a NULL are skipped';

CREATE AGGREGATE @extschema@.sbg_fit(tenure integer, churned boolean, dropout_covariates double precision[], weight double precision) (
    SFUNC = @extschema@.sbg_fit_accum_covariates,
    STYPE = internal,
    COMBINEFUNC = @extschema@.fitdata_combine,
    SERIALFUNC = @extschema@.fitdata_serialize,
    DESERIALFUNC = @extschema@.fitdata_deserialize,
    FINALFUNC = @extschema@.sbg_fit_final_covariates,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.sbg_fit(integer, boolean, double precision[], double precision) IS 'maximum-likelihood sBG fit with dropout covariates of pre-aggregated data: each row stands for weight customers';

CREATE AGGREGATE @extschema@.sbg_fit(tenure integer, churned boolean, dropout_covariates double precision[], weight double precision, penalizer double precision) (
    SFUNC = @extschema@.sbg_fit_accum_covariates,
    STYPE = internal,
    COMBINEFUNC = @extschema@.fitdata_combine,
    SERIALFUNC = @extschema@.fitdata_serialize,
    DESERIALFUNC = @extschema@.fitdata_deserialize,
    FINALFUNC = @extschema@.sbg_fit_final_covariates,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.sbg_fit(integer, boolean, double precision[], double precision, double precision) IS 'maximum-likelihood sBG fit with dropout covariates and an L2 penalty: minimises -loglik + penalizer * sum of the squared coefficients (the coefficients only, as CLVTools'' reg.lambdas); the penalizer must be the same on every row';

CREATE FUNCTION @extschema@.survival(model @extschema@.sbg, t integer, dropout_covariates double precision[])
RETURNS double precision
AS 'MODULE_PATHNAME', 'sbg_survival' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.survival(@extschema@.sbg, integer, double precision[]) IS 'sBG survival S(t) of a customer with dropout covariates z (alpha_i, beta_i); a model without covariates takes an empty array';

CREATE FUNCTION @extschema@.retention_rate(model @extschema@.sbg, t integer, dropout_covariates double precision[])
RETURNS double precision
AS 'MODULE_PATHNAME', 'sbg_retention_rate' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.retention_rate(@extschema@.sbg, integer, double precision[]) IS 'sBG retention rate r_t of a customer with dropout covariates z (alpha_i, beta_i); a model without covariates takes an empty array';

CREATE FUNCTION @extschema@.derl(model @extschema@.sbg, renewals integer, discount_rate double precision, dropout_covariates double precision[])
RETURNS double precision
AS 'MODULE_PATHNAME', 'sbg_derl' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.derl(@extschema@.sbg, integer, double precision, double precision[]) IS 'sBG discounted expected residual lifetime of a customer with dropout covariates z (alpha_i, beta_i); a model without covariates takes an empty array';

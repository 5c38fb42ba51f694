-- BG/BB ---------------------------------------------------------------------
-- Fader, Hardie & Shang (2010), "Customer-base analysis in a discrete-time
-- noncontractual setting", Marketing Science 29(6): repeat transactions at
-- discrete opportunities (src/models/bgbb.c gives the equations).

CREATE TYPE @extschema@.bgbb AS (
    alpha double precision,
    beta double precision,
    gamma double precision,
    delta double precision,
    loglik double precision,
    customers double precision,
    converged boolean,
    covariance double precision[],
    purchase_coefficients double precision[],
    dropout_coefficients double precision[]
);
COMMENT ON TYPE @extschema@.bgbb IS 'fitted BG/BB model: transaction probability p ~ Beta(alpha, beta), dropout probability theta ~ Beta(gamma, delta) per opportunity; log-likelihood, customers (summed weight) and convergence of the fit; covariance = covariance matrix of the parameter estimates (natural scale, rows and columns in parameter order, then the purchase and the dropout coefficients; NULL when unknown); purchase_coefficients, dropout_coefficients = those of a fit with covariates x, z (alpha_i = alpha exp(purchase_coefficients'' x), gamma_i = gamma exp(dropout_coefficients'' z)), NULL without covariates';

CREATE FUNCTION @extschema@.bgbb(alpha double precision, beta double precision, gamma double precision, delta double precision)
RETURNS @extschema@.bgbb
AS 'MODULE_PATHNAME', 'btyd_model_construct' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.bgbb(double precision, double precision, double precision, double precision) IS 'a BG/BB model of the given parameters without covariates (not fitted: loglik, customers, covariance and coefficients NULL, converged true); errors unless every parameter is a positive finite number';

CREATE FUNCTION @extschema@.bgbb_fit_accum(state internal, frequency integer, recency integer, n_periods integer)
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.bgbb_fit_accum(internal, integer, integer, integer) IS 'transition function of engage.bgbb_fit: adds one customer to the compressed sample';

CREATE FUNCTION @extschema@.bgbb_fit_accum(state internal, frequency integer, recency integer, n_periods integer, weight double precision)
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.bgbb_fit_accum(internal, integer, integer, integer, double precision) IS 'transition function of engage.bgbb_fit: adds weight customers to the compressed sample';

CREATE FUNCTION @extschema@.bgbb_fit_final(state internal)
RETURNS @extschema@.bgbb
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE COST 10000;
COMMENT ON FUNCTION @extschema@.bgbb_fit_final(internal) IS 'final function of engage.bgbb_fit: maximises the likelihood over the compressed sample';

CREATE AGGREGATE @extschema@.bgbb_fit(frequency integer, recency integer, n_periods integer) (
    SFUNC = @extschema@.bgbb_fit_accum,
    STYPE = internal,
    COMBINEFUNC = @extschema@.fitdata_combine,
    SERIALFUNC = @extschema@.fitdata_serialize,
    DESERIALFUNC = @extschema@.fitdata_deserialize,
    FINALFUNC = @extschema@.bgbb_fit_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.bgbb_fit(integer, integer, integer) IS 'maximum-likelihood BG/BB fit (Fader, Hardie & Shang 2010) of customers with frequency transactions in n_periods opportunities, the last at opportunity recency; rows with a NULL are skipped; NULL without rows';

CREATE AGGREGATE @extschema@.bgbb_fit(frequency integer, recency integer, n_periods integer, weight double precision) (
    SFUNC = @extschema@.bgbb_fit_accum,
    STYPE = internal,
    COMBINEFUNC = @extschema@.fitdata_combine,
    SERIALFUNC = @extschema@.fitdata_serialize,
    DESERIALFUNC = @extschema@.fitdata_deserialize,
    FINALFUNC = @extschema@.bgbb_fit_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.bgbb_fit(integer, integer, integer, double precision) IS 'maximum-likelihood BG/BB fit of pre-aggregated data: each row stands for weight customers with the same (frequency, recency, n_periods)';

CREATE FUNCTION @extschema@.p_alive(model @extschema@.bgbb, frequency integer, recency integer, n_periods integer)
RETURNS double precision
AS 'MODULE_PATHNAME', 'bgbb_p_alive' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.p_alive(@extschema@.bgbb, integer, integer, integer) IS 'BG/BB probability that the customer is alive at opportunity n_periods + 1 (FHS 2010)';

CREATE FUNCTION @extschema@.churn_probability(model @extschema@.bgbb, frequency integer, recency integer, n_periods integer)
RETURNS double precision
AS 'MODULE_PATHNAME', 'bgbb_churn' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.churn_probability(@extschema@.bgbb, integer, integer, integer) IS 'BG/BB probability that the customer has died by opportunity n_periods + 1: 1 - p_alive';

CREATE FUNCTION @extschema@.expected_purchases(model @extschema@.bgbb, n_star integer, frequency integer, recency integer, n_periods integer)
RETURNS double precision
AS 'MODULE_PATHNAME', 'bgbb_expected_conditional' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.expected_purchases(@extschema@.bgbb, integer, integer, integer, integer) IS 'BG/BB expected transactions of the customer in the next n_star opportunities (FHS 2010 eq. 13)';

CREATE FUNCTION @extschema@.expected_purchases(model @extschema@.bgbb, n integer)
RETURNS double precision
AS 'MODULE_PATHNAME', 'bgbb_expected_new' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.expected_purchases(@extschema@.bgbb, integer) IS 'BG/BB expected transactions of a new customer in n opportunities (FHS 2010)';

CREATE FUNCTION @extschema@.prob_purchases(model @extschema@.bgbb, x integer, n integer)
RETURNS double precision
AS 'MODULE_PATHNAME', 'bgbb_prob_purchases' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.prob_purchases(@extschema@.bgbb, integer, integer) IS 'BG/BB probability that a new customer makes exactly x transactions in n opportunities (FHS 2010 eq. 7)';

-- BG/BB with covariates: customer i's alpha_i = alpha exp(gamma_p' x_i) (purchase covariates x_i),
-- gamma_i = gamma exp(delta_d' z_i) (dropout covariates z_i)

CREATE FUNCTION @extschema@.bgbb_fit_accum_covariates(state internal, frequency integer, recency integer, n_periods integer, purchase_covariates double precision[], dropout_covariates double precision[])
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.bgbb_fit_accum_covariates(internal, integer, integer, integer, double precision[], double precision[]) IS 'transition function of engage.bgbb_fit with covariates: adds one customer and their covariates to the compressed sample';

CREATE FUNCTION @extschema@.bgbb_fit_accum_covariates(state internal, frequency integer, recency integer, n_periods integer, purchase_covariates double precision[], dropout_covariates double precision[], weight double precision)
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.bgbb_fit_accum_covariates(internal, integer, integer, integer, double precision[], double precision[], double precision) IS 'transition function of engage.bgbb_fit with covariates: adds weight customers to the compressed sample';

CREATE FUNCTION @extschema@.bgbb_fit_accum_covariates(state internal, frequency integer, recency integer, n_periods integer, purchase_covariates double precision[], dropout_covariates double precision[], weight double precision, penalizer double precision)
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.bgbb_fit_accum_covariates(internal, integer, integer, integer, double precision[], double precision[], double precision, double precision) IS 'transition function of engage.bgbb_fit with covariates and a penalizer (the same on every row)';

CREATE FUNCTION @extschema@.bgbb_fit_final_covariates(state internal)
RETURNS @extschema@.bgbb
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE COST 10000;
COMMENT ON FUNCTION @extschema@.bgbb_fit_final_covariates(internal) IS 'final function of engage.bgbb_fit with covariates: maximises the penalised likelihood over the compressed sample';

CREATE AGGREGATE @extschema@.bgbb_fit(frequency integer, recency integer, n_periods integer, purchase_covariates double precision[], dropout_covariates double precision[]) (
    SFUNC = @extschema@.bgbb_fit_accum_covariates,
    STYPE = internal,
    COMBINEFUNC = @extschema@.fitdata_combine,
    SERIALFUNC = @extschema@.fitdata_serialize,
    DESERIALFUNC = @extschema@.fitdata_deserialize,
    FINALFUNC = @extschema@.bgbb_fit_final_covariates,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.bgbb_fit(integer, integer, integer, double precision[], double precision[]) IS 'maximum-likelihood BG/BB fit with purchase covariates x and dropout covariates z (each the same length on every row, either may be empty): alpha_i = alpha exp(purchase_coefficients'' x), gamma_i = gamma exp(dropout_coefficients'' z); rows with a NULL are skipped';

CREATE AGGREGATE @extschema@.bgbb_fit(frequency integer, recency integer, n_periods integer, purchase_covariates double precision[], dropout_covariates double precision[], weight double precision) (
    SFUNC = @extschema@.bgbb_fit_accum_covariates,
    STYPE = internal,
    COMBINEFUNC = @extschema@.fitdata_combine,
    SERIALFUNC = @extschema@.fitdata_serialize,
    DESERIALFUNC = @extschema@.fitdata_deserialize,
    FINALFUNC = @extschema@.bgbb_fit_final_covariates,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.bgbb_fit(integer, integer, integer, double precision[], double precision[], double precision) IS 'maximum-likelihood BG/BB fit with covariates of pre-aggregated data: each row stands for weight customers';

CREATE AGGREGATE @extschema@.bgbb_fit(frequency integer, recency integer, n_periods integer, purchase_covariates double precision[], dropout_covariates double precision[], weight double precision, penalizer double precision) (
    SFUNC = @extschema@.bgbb_fit_accum_covariates,
    STYPE = internal,
    COMBINEFUNC = @extschema@.fitdata_combine,
    SERIALFUNC = @extschema@.fitdata_serialize,
    DESERIALFUNC = @extschema@.fitdata_deserialize,
    FINALFUNC = @extschema@.bgbb_fit_final_covariates,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.bgbb_fit(integer, integer, integer, double precision[], double precision[], double precision, double precision) IS 'maximum-likelihood BG/BB fit with covariates and an L2 penalty: minimises -loglik + penalizer * sum of the squared coefficients (the coefficients only, as CLVTools'' reg.lambdas); the penalizer must be the same on every row';

CREATE FUNCTION @extschema@.p_alive(model @extschema@.bgbb, frequency integer, recency integer, n_periods integer, purchase_covariates double precision[], dropout_covariates double precision[])
RETURNS double precision
AS 'MODULE_PATHNAME', 'bgbb_p_alive' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.p_alive(@extschema@.bgbb, integer, integer, integer, double precision[], double precision[]) IS 'BG/BB probability that a customer with covariates is alive at opportunity n_periods + 1 (alpha_i, gamma_i); a model without covariates takes empty arrays';

CREATE FUNCTION @extschema@.churn_probability(model @extschema@.bgbb, frequency integer, recency integer, n_periods integer, purchase_covariates double precision[], dropout_covariates double precision[])
RETURNS double precision
AS 'MODULE_PATHNAME', 'bgbb_churn' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.churn_probability(@extschema@.bgbb, integer, integer, integer, double precision[], double precision[]) IS 'BG/BB probability that a customer with covariates has died by opportunity n_periods + 1 (alpha_i, gamma_i); a model without covariates takes empty arrays';

CREATE FUNCTION @extschema@.expected_purchases(model @extschema@.bgbb, n_star integer, frequency integer, recency integer, n_periods integer, purchase_covariates double precision[], dropout_covariates double precision[])
RETURNS double precision
AS 'MODULE_PATHNAME', 'bgbb_expected_conditional' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.expected_purchases(@extschema@.bgbb, integer, integer, integer, integer, double precision[], double precision[]) IS 'BG/BB expected transactions in the next n_star opportunities of a customer with covariates (alpha_i, gamma_i); a model without covariates takes empty arrays';

CREATE FUNCTION @extschema@.expected_purchases(model @extschema@.bgbb, n integer, purchase_covariates double precision[], dropout_covariates double precision[])
RETURNS double precision
AS 'MODULE_PATHNAME', 'bgbb_expected_new' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.expected_purchases(@extschema@.bgbb, integer, double precision[], double precision[]) IS 'BG/BB expected transactions in n opportunities of a new customer with covariates (alpha_i, gamma_i); a model without covariates takes empty arrays';

CREATE FUNCTION @extschema@.prob_purchases(model @extschema@.bgbb, x integer, n integer, purchase_covariates double precision[], dropout_covariates double precision[])
RETURNS double precision
AS 'MODULE_PATHNAME', 'bgbb_prob_purchases' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.prob_purchases(@extschema@.bgbb, integer, integer, double precision[], double precision[]) IS 'BG/BB probability that a new customer with covariates makes exactly x transactions in n opportunities (alpha_i, gamma_i); a model without covariates takes empty arrays';

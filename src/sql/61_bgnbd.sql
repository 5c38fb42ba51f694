-- BG/NBD ----------------------------------------------------------------------
-- Fader, Hardie & Lee 2005, Counting your customers the easy way (src/models/bgnbd.c).

CREATE TYPE @extschema@.bgnbd AS (
    r double precision,
    alpha double precision,
    a double precision,
    b double precision,
    loglik double precision,
    customers double precision,
    converged boolean,
    covariance double precision[],
    purchase_coefficients double precision[],
    dropout_coefficients double precision[]
);
COMMENT ON TYPE @extschema@.bgnbd IS 'BG/NBD model: purchase rate ~ Gamma(r, alpha), dropout probability ~ Beta(a, b); with covariates alpha_i = alpha exp(-purchase_coefficients . x_i), a_i = a exp(dropout_coefficients . z_i), b_i = b exp(dropout_coefficients . z_i); loglik = log-likelihood of the fitted sample, customers = its summed weight, converged = optimiser converged; covariance = covariance matrix of the estimates (natural scale, rows and columns in the order of the parameters, then the purchase coefficients, then the dropout coefficients; NULL when unknown); purchase_coefficients, dropout_coefficients = the coefficients of the customer''s purchase and dropout covariates (Fader & Hardie 2007; NULL without covariates)';

CREATE FUNCTION @extschema@.bgnbd(r double precision, alpha double precision, a double precision, b double precision)
RETURNS @extschema@.bgnbd
AS 'MODULE_PATHNAME', 'btyd_model_construct' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.bgnbd(double precision, double precision, double precision, double precision) IS 'a BG/NBD model of the given parameters (not fitted: loglik, customers and covariance NULL, converged true); errors unless every parameter is a positive finite number';

CREATE FUNCTION @extschema@.bgnbd(r double precision, alpha double precision, a double precision, b double precision, purchase_coefficients double precision[], dropout_coefficients double precision[])
RETURNS @extschema@.bgnbd
AS 'MODULE_PATHNAME', 'btyd_model_construct' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.bgnbd(double precision, double precision, double precision, double precision, double precision[], double precision[]) IS 'a BG/NBD model with static covariates of the given parameters and coefficients (not fitted: loglik, customers and covariance NULL, converged true); errors unless every parameter is a positive finite number and the coefficients at most 8 finite numbers each';

CREATE FUNCTION @extschema@.bgnbd_fit_final(internal)
RETURNS @extschema@.bgnbd
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.bgnbd_fit_final(internal) IS 'final function of engage.bgnbd_fit: maximum-likelihood fit of the compressed sample';

CREATE AGGREGATE @extschema@.bgnbd_fit(frequency double precision, recency double precision, age double precision) (
    SFUNC = @extschema@.btyd_fit_accum,
    STYPE = internal,
    FINALFUNC = @extschema@.bgnbd_fit_final,
    COMBINEFUNC = @extschema@.fitdata_combine,
    SERIALFUNC = @extschema@.fitdata_serialize,
    DESERIALFUNC = @extschema@.fitdata_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.bgnbd_fit(double precision, double precision, double precision) IS 'fits the BG/NBD model by maximum likelihood to customer summaries (frequency, recency, age); NULL without rows';

CREATE AGGREGATE @extschema@.bgnbd_fit(frequency double precision, recency double precision, age double precision, weight double precision) (
    SFUNC = @extschema@.btyd_fit_accum,
    STYPE = internal,
    FINALFUNC = @extschema@.bgnbd_fit_final,
    COMBINEFUNC = @extschema@.fitdata_combine,
    SERIALFUNC = @extschema@.fitdata_serialize,
    DESERIALFUNC = @extschema@.fitdata_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.bgnbd_fit(double precision, double precision, double precision, double precision) IS 'fits the BG/NBD model by maximum likelihood to customer summaries (frequency, recency, age), each row counting weight customers; NULL without rows';

CREATE AGGREGATE @extschema@.bgnbd_fit(frequency double precision, recency double precision, age double precision, weight double precision, penalizer double precision) (
    SFUNC = @extschema@.btyd_fit_accum,
    STYPE = internal,
    FINALFUNC = @extschema@.bgnbd_fit_final,
    COMBINEFUNC = @extschema@.fitdata_combine,
    SERIALFUNC = @extschema@.fitdata_serialize,
    DESERIALFUNC = @extschema@.fitdata_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.bgnbd_fit(double precision, double precision, double precision, double precision, double precision) IS 'fits the BG/NBD model by maximum likelihood to customer summaries (frequency, recency, age), each row counting weight customers, with an L2 penalizer (the same on every row); NULL without rows';

CREATE FUNCTION @extschema@.bgnbd_fit(sample @extschema@.fitdata)
RETURNS @extschema@.bgnbd
AS 'MODULE_PATHNAME', 'bgnbd_fit_fitdata' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.bgnbd_fit(@extschema@.fitdata) IS 'fits the BG/NBD model to a stored sample (engage.fitdata), as the aggregate would';

CREATE FUNCTION @extschema@.bgnbd_fit(sample @extschema@.fitdata, penalizer double precision)
RETURNS @extschema@.bgnbd
AS 'MODULE_PATHNAME', 'bgnbd_fit_fitdata' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.bgnbd_fit(@extschema@.fitdata, double precision) IS 'fits the BG/NBD model to a stored sample with an L2 penalizer';

CREATE FUNCTION @extschema@.p_alive(model @extschema@.bgnbd, frequency double precision, recency double precision, age double precision)
RETURNS double precision
AS 'MODULE_PATHNAME', 'bgnbd_p_alive_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.p_alive(@extschema@.bgnbd, double precision, double precision, double precision) IS 'probability that a customer with this summary is still alive (BG/NBD)';

CREATE FUNCTION @extschema@.churn_probability(model @extschema@.bgnbd, frequency double precision, recency double precision, age double precision)
RETURNS double precision
AS 'MODULE_PATHNAME', 'bgnbd_churn_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.churn_probability(@extschema@.bgnbd, double precision, double precision, double precision) IS '1 - p_alive: probability that the customer has churned (BG/NBD)';

CREATE FUNCTION @extschema@.expected_purchases(model @extschema@.bgnbd, t double precision, frequency double precision, recency double precision, age double precision)
RETURNS double precision
AS 'MODULE_PATHNAME', 'bgnbd_expected_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 20;
COMMENT ON FUNCTION @extschema@.expected_purchases(@extschema@.bgnbd, double precision, double precision, double precision, double precision) IS 'expected number of purchases in (age, age + t] of a customer with this summary (BG/NBD)';

CREATE FUNCTION @extschema@.expected_purchases(model @extschema@.bgnbd, t double precision)
RETURNS double precision
AS 'MODULE_PATHNAME', 'bgnbd_expected_new_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 20;
COMMENT ON FUNCTION @extschema@.expected_purchases(@extschema@.bgnbd, double precision) IS 'expected number of repeat purchases in (0, t] of a new customer (BG/NBD)';

CREATE FUNCTION @extschema@.prob_purchases(model @extschema@.bgnbd, n integer, t double precision)
RETURNS double precision
AS 'MODULE_PATHNAME', 'bgnbd_prob_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 50;
COMMENT ON FUNCTION @extschema@.prob_purchases(@extschema@.bgnbd, integer, double precision) IS 'probability that a new customer makes exactly n repeat purchases in (0, t] (BG/NBD)';

CREATE FUNCTION @extschema@.log_likelihood(model @extschema@.bgnbd, frequency double precision, recency double precision, age double precision)
RETURNS double precision
AS 'MODULE_PATHNAME', 'bgnbd_loglik_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 10;
COMMENT ON FUNCTION @extschema@.log_likelihood(@extschema@.bgnbd, double precision, double precision, double precision) IS 'log-likelihood of one customer summary under the model (BG/NBD)';

CREATE FUNCTION @extschema@.bgnbd_simulate(model @extschema@.bgnbd, customers integer, age double precision, seed integer)
RETURNS TABLE (frequency integer, recency double precision, age double precision)
AS 'MODULE_PATHNAME', 'bgnbd_simulate' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 1000;
COMMENT ON FUNCTION @extschema@.bgnbd_simulate(@extschema@.bgnbd, integer, double precision, integer) IS 'summaries of customers drawn from the BG/NBD model, all observed for age since their first purchase; the same for the same seed';

-- BG/NBD with static covariates: alpha_i = alpha exp(-gamma'x_i), a_i = a exp(delta'z_i), b_i = b exp(delta'z_i) (Fader & Hardie 2007).

CREATE AGGREGATE @extschema@.bgnbd_fit(frequency double precision, recency double precision, age double precision, purchase_covariates double precision[], dropout_covariates double precision[]) (
    SFUNC = @extschema@.btyd_fit_accum_cov,
    STYPE = internal,
    FINALFUNC = @extschema@.bgnbd_fit_final,
    COMBINEFUNC = @extschema@.fitdata_combine,
    SERIALFUNC = @extschema@.fitdata_serialize,
    DESERIALFUNC = @extschema@.fitdata_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.bgnbd_fit(double precision, double precision, double precision, double precision[], double precision[]) IS 'fits the BG/NBD model with static covariates by maximum likelihood to customer summaries (frequency, recency, age) and the purchase and dropout covariate vectors (the same lengths on every row, either may be empty); NULL without rows';

CREATE AGGREGATE @extschema@.bgnbd_fit(frequency double precision, recency double precision, age double precision, purchase_covariates double precision[], dropout_covariates double precision[], weight double precision) (
    SFUNC = @extschema@.btyd_fit_accum_cov,
    STYPE = internal,
    FINALFUNC = @extschema@.bgnbd_fit_final,
    COMBINEFUNC = @extschema@.fitdata_combine,
    SERIALFUNC = @extschema@.fitdata_serialize,
    DESERIALFUNC = @extschema@.fitdata_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.bgnbd_fit(double precision, double precision, double precision, double precision[], double precision[], double precision) IS 'fits the BG/NBD model with static covariates by maximum likelihood to customer summaries (frequency, recency, age) and the purchase and dropout covariate vectors (the same lengths on every row, either may be empty); each row counting weight customers; NULL without rows';

CREATE AGGREGATE @extschema@.bgnbd_fit(frequency double precision, recency double precision, age double precision, purchase_covariates double precision[], dropout_covariates double precision[], weight double precision, penalizer double precision) (
    SFUNC = @extschema@.btyd_fit_accum_cov,
    STYPE = internal,
    FINALFUNC = @extschema@.bgnbd_fit_final,
    COMBINEFUNC = @extschema@.fitdata_combine,
    SERIALFUNC = @extschema@.fitdata_serialize,
    DESERIALFUNC = @extschema@.fitdata_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.bgnbd_fit(double precision, double precision, double precision, double precision[], double precision[], double precision, double precision) IS 'fits the BG/NBD model with static covariates by maximum likelihood to customer summaries (frequency, recency, age) and the purchase and dropout covariate vectors (the same lengths on every row, either may be empty); each row counting weight customers, with an L2 penalizer on the coefficients (the same on every row); NULL without rows';

CREATE FUNCTION @extschema@.p_alive(model @extschema@.bgnbd, frequency double precision, recency double precision, age double precision, purchase_covariates double precision[], dropout_covariates double precision[])
RETURNS double precision
AS 'MODULE_PATHNAME', 'bgnbd_p_alive_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.p_alive(@extschema@.bgnbd, double precision, double precision, double precision, double precision[], double precision[]) IS 'probability that a customer with this summary and these covariates is still alive (BG/NBD with covariates)';

CREATE FUNCTION @extschema@.churn_probability(model @extschema@.bgnbd, frequency double precision, recency double precision, age double precision, purchase_covariates double precision[], dropout_covariates double precision[])
RETURNS double precision
AS 'MODULE_PATHNAME', 'bgnbd_churn_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.churn_probability(@extschema@.bgnbd, double precision, double precision, double precision, double precision[], double precision[]) IS '1 - p_alive: probability that the customer with these covariates has churned (BG/NBD with covariates)';

CREATE FUNCTION @extschema@.expected_purchases(model @extschema@.bgnbd, t double precision, frequency double precision, recency double precision, age double precision, purchase_covariates double precision[], dropout_covariates double precision[])
RETURNS double precision
AS 'MODULE_PATHNAME', 'bgnbd_expected_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 20;
COMMENT ON FUNCTION @extschema@.expected_purchases(@extschema@.bgnbd, double precision, double precision, double precision, double precision, double precision[], double precision[]) IS 'expected number of purchases in (age, age + t] of a customer with this summary and these covariates (BG/NBD with covariates)';

CREATE FUNCTION @extschema@.expected_purchases(model @extschema@.bgnbd, t double precision, purchase_covariates double precision[], dropout_covariates double precision[])
RETURNS double precision
AS 'MODULE_PATHNAME', 'bgnbd_expected_new_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 20;
COMMENT ON FUNCTION @extschema@.expected_purchases(@extschema@.bgnbd, double precision, double precision[], double precision[]) IS 'expected number of repeat purchases in (0, t] of a new customer with these covariates (BG/NBD with covariates)';

CREATE FUNCTION @extschema@.prob_purchases(model @extschema@.bgnbd, n integer, t double precision, purchase_covariates double precision[], dropout_covariates double precision[])
RETURNS double precision
AS 'MODULE_PATHNAME', 'bgnbd_prob_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 50;
COMMENT ON FUNCTION @extschema@.prob_purchases(@extschema@.bgnbd, integer, double precision, double precision[], double precision[]) IS 'probability that a new customer with these covariates makes exactly n repeat purchases in (0, t] (BG/NBD with covariates)';

CREATE FUNCTION @extschema@.log_likelihood(model @extschema@.bgnbd, frequency double precision, recency double precision, age double precision, purchase_covariates double precision[], dropout_covariates double precision[])
RETURNS double precision
AS 'MODULE_PATHNAME', 'bgnbd_loglik_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 10;
COMMENT ON FUNCTION @extschema@.log_likelihood(@extschema@.bgnbd, double precision, double precision, double precision, double precision[], double precision[]) IS 'log-likelihood of one customer summary with its covariates under the model (BG/NBD with covariates)';

CREATE FUNCTION @extschema@.bgnbd_simulate(model @extschema@.bgnbd, customers integer, age double precision, seed integer, purchase_covariates double precision[], dropout_covariates double precision[])
RETURNS TABLE (frequency integer, recency double precision, age double precision)
AS 'MODULE_PATHNAME', 'bgnbd_simulate' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 1000;
COMMENT ON FUNCTION @extschema@.bgnbd_simulate(@extschema@.bgnbd, integer, double precision, integer, double precision[], double precision[]) IS 'summaries of customers with these covariates drawn from the BG/NBD model, all observed for age since their first purchase; the same for the same seed';

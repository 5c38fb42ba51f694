-- GGompertz/NBD ---------------------------------------------------------------
-- Bemmaor & Glady 2012, Modeling purchasing behavior with sudden "death"
-- (src/models/ggomnbd.c).

CREATE TYPE @extschema@.ggomnbd AS (
    r double precision,
    alpha double precision,
    b double precision,
    s double precision,
    beta double precision,
    loglik double precision,
    customers double precision,
    converged boolean,
    covariance double precision[],
    purchase_coefficients double precision[],
    dropout_coefficients double precision[]
);
COMMENT ON TYPE @extschema@.ggomnbd IS 'GGompertz/NBD model: purchase rate ~ Gamma(r, alpha), lifetime Gompertz of shape b with scale ~ Gamma(s, beta); with covariates alpha_i = alpha exp(-purchase_coefficients . x_i), beta_i = beta exp(-dropout_coefficients . z_i) (as CLVTools'' ggomnbd); loglik = log-likelihood of the fitted sample, customers = its summed weight, converged = optimiser converged; covariance = covariance matrix of the estimates (natural scale, rows and columns in the order of the parameters, then the purchase coefficients, then the dropout coefficients; NULL when unknown); purchase_coefficients, dropout_coefficients = the coefficients of the customer''s purchase and dropout covariates (NULL without covariates)';

CREATE FUNCTION @extschema@.ggomnbd(r double precision, alpha double precision, b double precision, s double precision, beta double precision)
RETURNS @extschema@.ggomnbd
AS 'MODULE_PATHNAME', 'btyd_model_construct' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.ggomnbd(double precision, double precision, double precision, double precision, double precision) IS 'a GGompertz/NBD model of the given parameters (not fitted: loglik, customers, covariance and coefficients NULL, converged true); errors unless every parameter is a positive finite number';

CREATE FUNCTION @extschema@.ggomnbd_fit_final(internal)
RETURNS @extschema@.ggomnbd
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.ggomnbd_fit_final(internal) IS 'final function of engage.ggomnbd_fit: maximum-likelihood fit of the compressed sample';

CREATE AGGREGATE @extschema@.ggomnbd_fit(frequency double precision, recency double precision, age double precision) (
    SFUNC = @extschema@.btyd_fit_accum,
    STYPE = internal,
    FINALFUNC = @extschema@.ggomnbd_fit_final,
    COMBINEFUNC = @extschema@.fitdata_combine,
    SERIALFUNC = @extschema@.fitdata_serialize,
    DESERIALFUNC = @extschema@.fitdata_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.ggomnbd_fit(double precision, double precision, double precision) IS 'fits the GGompertz/NBD model by maximum likelihood to customer summaries (frequency, recency, age); NULL without rows';

CREATE AGGREGATE @extschema@.ggomnbd_fit(frequency double precision, recency double precision, age double precision, weight double precision) (
    SFUNC = @extschema@.btyd_fit_accum,
    STYPE = internal,
    FINALFUNC = @extschema@.ggomnbd_fit_final,
    COMBINEFUNC = @extschema@.fitdata_combine,
    SERIALFUNC = @extschema@.fitdata_serialize,
    DESERIALFUNC = @extschema@.fitdata_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.ggomnbd_fit(double precision, double precision, double precision, double precision) IS 'fits the GGompertz/NBD model by maximum likelihood to customer summaries (frequency, recency, age), each row counting weight customers; NULL without rows';

CREATE AGGREGATE @extschema@.ggomnbd_fit(frequency double precision, recency double precision, age double precision, weight double precision, penalizer double precision) (
    SFUNC = @extschema@.btyd_fit_accum,
    STYPE = internal,
    FINALFUNC = @extschema@.ggomnbd_fit_final,
    COMBINEFUNC = @extschema@.fitdata_combine,
    SERIALFUNC = @extschema@.fitdata_serialize,
    DESERIALFUNC = @extschema@.fitdata_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.ggomnbd_fit(double precision, double precision, double precision, double precision, double precision) IS 'fits the GGompertz/NBD model by maximum likelihood to customer summaries (frequency, recency, age), each row counting weight customers, with an L2 penalizer (the same on every row); NULL without rows';

CREATE FUNCTION @extschema@.ggomnbd_fit(sample @extschema@.fitdata)
RETURNS @extschema@.ggomnbd
AS 'MODULE_PATHNAME', 'ggomnbd_fit_fitdata' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.ggomnbd_fit(@extschema@.fitdata) IS 'fits the GGompertz/NBD model to a stored sample (engage.fitdata), as the aggregate would';

CREATE FUNCTION @extschema@.ggomnbd_fit(sample @extschema@.fitdata, penalizer double precision)
RETURNS @extschema@.ggomnbd
AS 'MODULE_PATHNAME', 'ggomnbd_fit_fitdata' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.ggomnbd_fit(@extschema@.fitdata, double precision) IS 'fits the GGompertz/NBD model to a stored sample with an L2 penalizer';

CREATE FUNCTION @extschema@.p_alive(model @extschema@.ggomnbd, frequency double precision, recency double precision, age double precision)
RETURNS double precision
AS 'MODULE_PATHNAME', 'ggomnbd_p_alive_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 50;
COMMENT ON FUNCTION @extschema@.p_alive(@extschema@.ggomnbd, double precision, double precision, double precision) IS 'probability that a customer with this summary is still alive (GGompertz/NBD)';

CREATE FUNCTION @extschema@.churn_probability(model @extschema@.ggomnbd, frequency double precision, recency double precision, age double precision)
RETURNS double precision
AS 'MODULE_PATHNAME', 'ggomnbd_churn_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 50;
COMMENT ON FUNCTION @extschema@.churn_probability(@extschema@.ggomnbd, double precision, double precision, double precision) IS '1 - p_alive: probability that the customer has churned (GGompertz/NBD)';

CREATE FUNCTION @extschema@.expected_purchases(model @extschema@.ggomnbd, t double precision, frequency double precision, recency double precision, age double precision)
RETURNS double precision
AS 'MODULE_PATHNAME', 'ggomnbd_expected_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 100;
COMMENT ON FUNCTION @extschema@.expected_purchases(@extschema@.ggomnbd, double precision, double precision, double precision, double precision) IS 'expected number of purchases in (age, age + t] of a customer with this summary (GGompertz/NBD)';

CREATE FUNCTION @extschema@.expected_purchases(model @extschema@.ggomnbd, t double precision)
RETURNS double precision
AS 'MODULE_PATHNAME', 'ggomnbd_expected_new_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 50;
COMMENT ON FUNCTION @extschema@.expected_purchases(@extschema@.ggomnbd, double precision) IS 'expected number of repeat purchases in (0, t] of a new customer (GGompertz/NBD)';

CREATE FUNCTION @extschema@.log_likelihood(model @extschema@.ggomnbd, frequency double precision, recency double precision, age double precision)
RETURNS double precision
AS 'MODULE_PATHNAME', 'ggomnbd_loglik_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 50;
COMMENT ON FUNCTION @extschema@.log_likelihood(@extschema@.ggomnbd, double precision, double precision, double precision) IS 'log-likelihood of one customer summary under the model (GGompertz/NBD)';

CREATE FUNCTION @extschema@.ggomnbd_simulate(model @extschema@.ggomnbd, customers integer, age double precision, seed integer)
RETURNS TABLE (frequency integer, recency double precision, age double precision)
AS 'MODULE_PATHNAME', 'ggomnbd_simulate' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 1000;
COMMENT ON FUNCTION @extschema@.ggomnbd_simulate(@extschema@.ggomnbd, integer, double precision, integer) IS 'summaries of customers drawn from the GGompertz/NBD model, all observed for age since their first purchase; the same for the same seed';

-- GGompertz/NBD with static covariates (as CLVTools' ggomnbd): alpha_i = alpha exp(-gamma'x_i), beta_i = beta exp(-delta'z_i).

CREATE FUNCTION @extschema@.ggomnbd(r double precision, alpha double precision, b double precision, s double precision, beta double precision, purchase_coefficients double precision[], dropout_coefficients double precision[])
RETURNS @extschema@.ggomnbd
AS 'MODULE_PATHNAME', 'btyd_model_construct' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.ggomnbd(double precision, double precision, double precision, double precision, double precision, double precision[], double precision[]) IS 'a GGompertz/NBD model with static covariates of the given parameters and coefficients (not fitted: loglik, customers and covariance NULL, converged true); errors unless every parameter is a positive finite number and the coefficients at most 8 finite numbers each';

CREATE AGGREGATE @extschema@.ggomnbd_fit(frequency double precision, recency double precision, age double precision, purchase_covariates double precision[], dropout_covariates double precision[]) (
    SFUNC = @extschema@.btyd_fit_accum_cov,
    STYPE = internal,
    FINALFUNC = @extschema@.ggomnbd_fit_final,
    COMBINEFUNC = @extschema@.fitdata_combine,
    SERIALFUNC = @extschema@.fitdata_serialize,
    DESERIALFUNC = @extschema@.fitdata_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.ggomnbd_fit(double precision, double precision, double precision, double precision[], double precision[]) IS 'fits the GGompertz/NBD model with static covariates by maximum likelihood to customer summaries (frequency, recency, age) and the purchase and dropout covariate vectors (the same lengths on every row, either may be empty); NULL without rows';

CREATE AGGREGATE @extschema@.ggomnbd_fit(frequency double precision, recency double precision, age double precision, purchase_covariates double precision[], dropout_covariates double precision[], weight double precision) (
    SFUNC = @extschema@.btyd_fit_accum_cov,
    STYPE = internal,
    FINALFUNC = @extschema@.ggomnbd_fit_final,
    COMBINEFUNC = @extschema@.fitdata_combine,
    SERIALFUNC = @extschema@.fitdata_serialize,
    DESERIALFUNC = @extschema@.fitdata_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.ggomnbd_fit(double precision, double precision, double precision, double precision[], double precision[], double precision) IS 'fits the GGompertz/NBD model with static covariates by maximum likelihood to customer summaries (frequency, recency, age) and the purchase and dropout covariate vectors (the same lengths on every row, either may be empty); each row counting weight customers; NULL without rows';

CREATE AGGREGATE @extschema@.ggomnbd_fit(frequency double precision, recency double precision, age double precision, purchase_covariates double precision[], dropout_covariates double precision[], weight double precision, penalizer double precision) (
    SFUNC = @extschema@.btyd_fit_accum_cov,
    STYPE = internal,
    FINALFUNC = @extschema@.ggomnbd_fit_final,
    COMBINEFUNC = @extschema@.fitdata_combine,
    SERIALFUNC = @extschema@.fitdata_serialize,
    DESERIALFUNC = @extschema@.fitdata_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.ggomnbd_fit(double precision, double precision, double precision, double precision[], double precision[], double precision, double precision) IS 'fits the GGompertz/NBD model with static covariates by maximum likelihood to customer summaries (frequency, recency, age) and the purchase and dropout covariate vectors (the same lengths on every row, either may be empty); each row counting weight customers, with an L2 penalizer on the coefficients (the same on every row); NULL without rows';

CREATE FUNCTION @extschema@.p_alive(model @extschema@.ggomnbd, frequency double precision, recency double precision, age double precision, purchase_covariates double precision[], dropout_covariates double precision[])
RETURNS double precision
AS 'MODULE_PATHNAME', 'ggomnbd_p_alive_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 50;
COMMENT ON FUNCTION @extschema@.p_alive(@extschema@.ggomnbd, double precision, double precision, double precision, double precision[], double precision[]) IS 'probability that a customer with this summary and these covariates is still alive (GGompertz/NBD with covariates)';

CREATE FUNCTION @extschema@.churn_probability(model @extschema@.ggomnbd, frequency double precision, recency double precision, age double precision, purchase_covariates double precision[], dropout_covariates double precision[])
RETURNS double precision
AS 'MODULE_PATHNAME', 'ggomnbd_churn_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 50;
COMMENT ON FUNCTION @extschema@.churn_probability(@extschema@.ggomnbd, double precision, double precision, double precision, double precision[], double precision[]) IS '1 - p_alive: probability that the customer with these covariates has churned (GGompertz/NBD with covariates)';

CREATE FUNCTION @extschema@.expected_purchases(model @extschema@.ggomnbd, t double precision, frequency double precision, recency double precision, age double precision, purchase_covariates double precision[], dropout_covariates double precision[])
RETURNS double precision
AS 'MODULE_PATHNAME', 'ggomnbd_expected_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 100;
COMMENT ON FUNCTION @extschema@.expected_purchases(@extschema@.ggomnbd, double precision, double precision, double precision, double precision, double precision[], double precision[]) IS 'expected number of purchases in (age, age + t] of a customer with this summary and these covariates (GGompertz/NBD with covariates)';

CREATE FUNCTION @extschema@.expected_purchases(model @extschema@.ggomnbd, t double precision, purchase_covariates double precision[], dropout_covariates double precision[])
RETURNS double precision
AS 'MODULE_PATHNAME', 'ggomnbd_expected_new_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 50;
COMMENT ON FUNCTION @extschema@.expected_purchases(@extschema@.ggomnbd, double precision, double precision[], double precision[]) IS 'expected number of repeat purchases in (0, t] of a new customer with these covariates (GGompertz/NBD with covariates)';

CREATE FUNCTION @extschema@.log_likelihood(model @extschema@.ggomnbd, frequency double precision, recency double precision, age double precision, purchase_covariates double precision[], dropout_covariates double precision[])
RETURNS double precision
AS 'MODULE_PATHNAME', 'ggomnbd_loglik_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 50;
COMMENT ON FUNCTION @extschema@.log_likelihood(@extschema@.ggomnbd, double precision, double precision, double precision, double precision[], double precision[]) IS 'log-likelihood of one customer summary with its covariates under the model (GGompertz/NBD with covariates)';

CREATE FUNCTION @extschema@.ggomnbd_simulate(model @extschema@.ggomnbd, customers integer, age double precision, seed integer, purchase_covariates double precision[], dropout_covariates double precision[])
RETURNS TABLE (frequency integer, recency double precision, age double precision)
AS 'MODULE_PATHNAME', 'ggomnbd_simulate' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 1000;
COMMENT ON FUNCTION @extschema@.ggomnbd_simulate(@extschema@.ggomnbd, integer, double precision, integer, double precision[], double precision[]) IS 'summaries of customers with these covariates drawn from the GGompertz/NBD model, all observed for age since their first purchase; the same for the same seed';

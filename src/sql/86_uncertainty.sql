-- parameter uncertainty ------------------------------------------------------
-- Standard errors, Wald intervals and information criteria of the fitted models
-- (src/models/uncertainty.c; the covariance is computed by the fit, src/models/btyd.c).

CREATE FUNCTION @extschema@.parameters(model @extschema@.bgnbd, level double precision DEFAULT 0.95)
RETURNS TABLE (parameter text, estimate double precision, std_error double precision, lower double precision, upper double precision)
AS 'MODULE_PATHNAME', 'btyd_parameters' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 4;
COMMENT ON FUNCTION @extschema@.parameters(@extschema@.bgnbd, double precision) IS 'the BG/NBD parameters in order (r, alpha, a, b) with standard errors from the fit''s covariance and Wald bounds estimate -+ z SE of the given level (z = 1.96 at 0.95); std_error and bounds NULL when the covariance is unknown';

CREATE FUNCTION @extschema@.aic(model @extschema@.bgnbd)
RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN 2.0 * (4 + coalesce(cardinality((model).purchase_coefficients), 0) + coalesce(cardinality((model).dropout_coefficients), 0)) - 2.0 * (model).loglik;
COMMENT ON FUNCTION @extschema@.aic(@extschema@.bgnbd) IS 'Akaike information criterion of the BG/NBD fit: 2 k - 2 loglik with k = 4 parameters plus the number of covariate coefficients; NULL when loglik is';

CREATE FUNCTION @extschema@.bic(model @extschema@.bgnbd)
RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN (4 + coalesce(cardinality((model).purchase_coefficients), 0) + coalesce(cardinality((model).dropout_coefficients), 0)) * ln((model).customers) - 2.0 * (model).loglik;
COMMENT ON FUNCTION @extschema@.bic(@extschema@.bgnbd) IS 'Bayesian information criterion of the BG/NBD fit: k ln(customers) - 2 loglik with k = 4 parameters plus the number of covariate coefficients and customers the summed weight of the sample; NULL when loglik or customers is';

CREATE FUNCTION @extschema@.parameters(model @extschema@.mbgnbd, level double precision DEFAULT 0.95)
RETURNS TABLE (parameter text, estimate double precision, std_error double precision, lower double precision, upper double precision)
AS 'MODULE_PATHNAME', 'btyd_parameters' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 4;
COMMENT ON FUNCTION @extschema@.parameters(@extschema@.mbgnbd, double precision) IS 'the MBG/NBD parameters in order (r, alpha, a, b) with standard errors from the fit''s covariance and Wald bounds estimate -+ z SE of the given level (z = 1.96 at 0.95); std_error and bounds NULL when the covariance is unknown';

CREATE FUNCTION @extschema@.aic(model @extschema@.mbgnbd)
RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN 2.0 * (4 + coalesce(cardinality((model).purchase_coefficients), 0) + coalesce(cardinality((model).dropout_coefficients), 0)) - 2.0 * (model).loglik;
COMMENT ON FUNCTION @extschema@.aic(@extschema@.mbgnbd) IS 'Akaike information criterion of the MBG/NBD fit: 2 k - 2 loglik with k = 4 parameters plus the number of covariate coefficients; NULL when loglik is';

CREATE FUNCTION @extschema@.bic(model @extschema@.mbgnbd)
RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN (4 + coalesce(cardinality((model).purchase_coefficients), 0) + coalesce(cardinality((model).dropout_coefficients), 0)) * ln((model).customers) - 2.0 * (model).loglik;
COMMENT ON FUNCTION @extschema@.bic(@extschema@.mbgnbd) IS 'Bayesian information criterion of the MBG/NBD fit: k ln(customers) - 2 loglik with k = 4 parameters plus the number of covariate coefficients and customers the summed weight of the sample; NULL when loglik or customers is';

CREATE FUNCTION @extschema@.parameters(model @extschema@.paretonbd, level double precision DEFAULT 0.95)
RETURNS TABLE (parameter text, estimate double precision, std_error double precision, lower double precision, upper double precision)
AS 'MODULE_PATHNAME', 'btyd_parameters' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 4;
COMMENT ON FUNCTION @extschema@.parameters(@extschema@.paretonbd, double precision) IS 'the Pareto/NBD parameters in order (r, alpha, s, beta) with standard errors from the fit''s covariance and Wald bounds estimate -+ z SE of the given level (z = 1.96 at 0.95); std_error and bounds NULL when the covariance is unknown';

CREATE FUNCTION @extschema@.aic(model @extschema@.paretonbd)
RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN 2.0 * (4 + coalesce(cardinality((model).purchase_coefficients), 0) + coalesce(cardinality((model).dropout_coefficients), 0)) - 2.0 * (model).loglik;
COMMENT ON FUNCTION @extschema@.aic(@extschema@.paretonbd) IS 'Akaike information criterion of the Pareto/NBD fit: 2 k - 2 loglik with k = 4 parameters plus the number of covariate coefficients; NULL when loglik is';

CREATE FUNCTION @extschema@.bic(model @extschema@.paretonbd)
RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN (4 + coalesce(cardinality((model).purchase_coefficients), 0) + coalesce(cardinality((model).dropout_coefficients), 0)) * ln((model).customers) - 2.0 * (model).loglik;
COMMENT ON FUNCTION @extschema@.bic(@extschema@.paretonbd) IS 'Bayesian information criterion of the Pareto/NBD fit: k ln(customers) - 2 loglik with k = 4 parameters plus the number of covariate coefficients and customers the summed weight of the sample; NULL when loglik or customers is';

CREATE FUNCTION @extschema@.parameters(model @extschema@.ggomnbd, level double precision DEFAULT 0.95)
RETURNS TABLE (parameter text, estimate double precision, std_error double precision, lower double precision, upper double precision)
AS 'MODULE_PATHNAME', 'btyd_parameters' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 5;
COMMENT ON FUNCTION @extschema@.parameters(@extschema@.ggomnbd, double precision) IS 'the GGompertz/NBD parameters in order (r, alpha, b, s, beta) with standard errors from the fit''s covariance and Wald bounds estimate -+ z SE of the given level (z = 1.96 at 0.95); std_error and bounds NULL when the covariance is unknown';

CREATE FUNCTION @extschema@.aic(model @extschema@.ggomnbd)
RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN 2.0 * (5 + coalesce(cardinality((model).purchase_coefficients), 0) + coalesce(cardinality((model).dropout_coefficients), 0)) - 2.0 * (model).loglik;
COMMENT ON FUNCTION @extschema@.aic(@extschema@.ggomnbd) IS 'Akaike information criterion of the GGompertz/NBD fit: 2 k - 2 loglik with k = 5 parameters plus the number of covariate coefficients; NULL when loglik is';

CREATE FUNCTION @extschema@.bic(model @extschema@.ggomnbd)
RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN (5 + coalesce(cardinality((model).purchase_coefficients), 0) + coalesce(cardinality((model).dropout_coefficients), 0)) * ln((model).customers) - 2.0 * (model).loglik;
COMMENT ON FUNCTION @extschema@.bic(@extschema@.ggomnbd) IS 'Bayesian information criterion of the GGompertz/NBD fit: k ln(customers) - 2 loglik with k = 5 parameters plus the number of covariate coefficients and customers the summed weight of the sample; NULL when loglik or customers is';

CREATE FUNCTION @extschema@.parameters(model @extschema@.bgbb, level double precision DEFAULT 0.95)
RETURNS TABLE (parameter text, estimate double precision, std_error double precision, lower double precision, upper double precision)
AS 'MODULE_PATHNAME', 'btyd_parameters' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 4;
COMMENT ON FUNCTION @extschema@.parameters(@extschema@.bgbb, double precision) IS 'the BG/BB parameters in order (alpha, beta, gamma, delta, then purchase[1], ... and dropout[1], ... the coefficients of a fit with covariates) with standard errors from the fit''s covariance and Wald bounds estimate -+ z SE of the given level (z = 1.96 at 0.95); std_error and bounds NULL when the covariance is unknown';

CREATE FUNCTION @extschema@.aic(model @extschema@.bgbb)
RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN 2.0 * (4 + coalesce(cardinality((model).purchase_coefficients), 0) + coalesce(cardinality((model).dropout_coefficients), 0)) - 2.0 * (model).loglik;
COMMENT ON FUNCTION @extschema@.aic(@extschema@.bgbb) IS 'Akaike information criterion of the BG/BB fit: 2 k - 2 loglik with k = 4 parameters plus the coefficients; NULL when loglik is';

CREATE FUNCTION @extschema@.bic(model @extschema@.bgbb)
RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN (4 + coalesce(cardinality((model).purchase_coefficients), 0) + coalesce(cardinality((model).dropout_coefficients), 0)) * ln((model).customers) - 2.0 * (model).loglik;
COMMENT ON FUNCTION @extschema@.bic(@extschema@.bgbb) IS 'Bayesian information criterion of the BG/BB fit: k ln(customers) - 2 loglik with k = 4 parameters plus the coefficients and customers the summed weight of the sample; NULL when loglik or customers is';

CREATE FUNCTION @extschema@.parameters(model @extschema@.gammagamma, level double precision DEFAULT 0.95)
RETURNS TABLE (parameter text, estimate double precision, std_error double precision, lower double precision, upper double precision)
AS 'MODULE_PATHNAME', 'btyd_parameters' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 3;
COMMENT ON FUNCTION @extschema@.parameters(@extschema@.gammagamma, double precision) IS 'the Gamma-Gamma parameters in order (p, q, v, then spend[1], spend[2], ... the spend coefficients of a fit with covariates) with standard errors from the fit''s covariance and Wald bounds estimate -+ z SE of the given level (z = 1.96 at 0.95); std_error and bounds NULL when the covariance is unknown';

CREATE FUNCTION @extschema@.aic(model @extschema@.gammagamma)
RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN 2.0 * (3 + coalesce(cardinality((model).spend_coefficients), 0)) - 2.0 * (model).loglik;
COMMENT ON FUNCTION @extschema@.aic(@extschema@.gammagamma) IS 'Akaike information criterion of the Gamma-Gamma fit: 2 k - 2 loglik with k = 3 parameters plus the spend coefficients; NULL when loglik is';

CREATE FUNCTION @extschema@.bic(model @extschema@.gammagamma)
RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN (3 + coalesce(cardinality((model).spend_coefficients), 0)) * ln((model).customers) - 2.0 * (model).loglik;
COMMENT ON FUNCTION @extschema@.bic(@extschema@.gammagamma) IS 'Bayesian information criterion of the Gamma-Gamma fit: k ln(customers) - 2 loglik with k = 3 parameters plus the spend coefficients and customers the summed weight of the sample; NULL when loglik or customers is';

CREATE FUNCTION @extschema@.parameters(model @extschema@.sbg, level double precision DEFAULT 0.95)
RETURNS TABLE (parameter text, estimate double precision, std_error double precision, lower double precision, upper double precision)
AS 'MODULE_PATHNAME', 'btyd_parameters' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 2;
COMMENT ON FUNCTION @extschema@.parameters(@extschema@.sbg, double precision) IS 'the sBG parameters in order (alpha, beta, then dropout[1], dropout[2], ... the dropout coefficients gamma_a then gamma_b of a fit with covariates) with standard errors from the fit''s covariance and Wald bounds estimate -+ z SE of the given level (z = 1.96 at 0.95); std_error and bounds NULL when the covariance is unknown';

CREATE FUNCTION @extschema@.aic(model @extschema@.sbg)
RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN 2.0 * (2 + coalesce(cardinality((model).dropout_coefficients), 0)) - 2.0 * (model).loglik;
COMMENT ON FUNCTION @extschema@.aic(@extschema@.sbg) IS 'Akaike information criterion of the sBG fit: 2 k - 2 loglik with k = 2 parameters plus the dropout coefficients; NULL when loglik is';

CREATE FUNCTION @extschema@.bic(model @extschema@.sbg)
RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN (2 + coalesce(cardinality((model).dropout_coefficients), 0)) * ln((model).customers) - 2.0 * (model).loglik;
COMMENT ON FUNCTION @extschema@.bic(@extschema@.sbg) IS 'Bayesian information criterion of the sBG fit: k ln(customers) - 2 loglik with k = 2 parameters plus the dropout coefficients and customers the summed weight of the sample; NULL when loglik or customers is';

-- prediction intervals: the delta method on the parameters' covariance

CREATE TYPE @extschema@.prediction_interval AS (
    estimate double precision,
    std_error double precision,
    lower double precision,
    upper double precision
);
COMMENT ON TYPE @extschema@.prediction_interval IS 'a customer score with its delta-method standard error (natural scale) and the bounds of its interval (built on the logit scale for probabilities, the log scale for expectations)';

CREATE FUNCTION @extschema@.p_alive_interval(model @extschema@.bgnbd, frequency double precision, recency double precision, age double precision, level double precision DEFAULT 0.95)
RETURNS @extschema@.prediction_interval
AS 'MODULE_PATHNAME', 'bgnbd_p_alive_interval' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 100;
COMMENT ON FUNCTION @extschema@.p_alive_interval(@extschema@.bgnbd, double precision, double precision, double precision, double precision) IS 'p_alive with its delta-method standard error from the fit''s covariance and an interval of the given level on the logit scale (BG/NBD); NULL when the model has no covariance';

CREATE FUNCTION @extschema@.expected_purchases_interval(model @extschema@.bgnbd, t double precision, frequency double precision, recency double precision, age double precision, level double precision DEFAULT 0.95)
RETURNS @extschema@.prediction_interval
AS 'MODULE_PATHNAME', 'bgnbd_expected_interval' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 200;
COMMENT ON FUNCTION @extschema@.expected_purchases_interval(@extschema@.bgnbd, double precision, double precision, double precision, double precision, double precision) IS 'expected_purchases(model, t, ...) with its delta-method standard error from the fit''s covariance and an interval of the given level on the log scale (BG/NBD); NULL when the model has no covariance';

CREATE FUNCTION @extschema@.p_alive_interval(model @extschema@.mbgnbd, frequency double precision, recency double precision, age double precision, level double precision DEFAULT 0.95)
RETURNS @extschema@.prediction_interval
AS 'MODULE_PATHNAME', 'mbgnbd_p_alive_interval' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 100;
COMMENT ON FUNCTION @extschema@.p_alive_interval(@extschema@.mbgnbd, double precision, double precision, double precision, double precision) IS 'p_alive with its delta-method standard error from the fit''s covariance and an interval of the given level on the logit scale (MBG/NBD); NULL when the model has no covariance';

CREATE FUNCTION @extschema@.expected_purchases_interval(model @extschema@.mbgnbd, t double precision, frequency double precision, recency double precision, age double precision, level double precision DEFAULT 0.95)
RETURNS @extschema@.prediction_interval
AS 'MODULE_PATHNAME', 'mbgnbd_expected_interval' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 200;
COMMENT ON FUNCTION @extschema@.expected_purchases_interval(@extschema@.mbgnbd, double precision, double precision, double precision, double precision, double precision) IS 'expected_purchases(model, t, ...) with its delta-method standard error from the fit''s covariance and an interval of the given level on the log scale (MBG/NBD); NULL when the model has no covariance';

CREATE FUNCTION @extschema@.p_alive_interval(model @extschema@.paretonbd, frequency double precision, recency double precision, age double precision, level double precision DEFAULT 0.95)
RETURNS @extschema@.prediction_interval
AS 'MODULE_PATHNAME', 'paretonbd_p_alive_interval' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 100;
COMMENT ON FUNCTION @extschema@.p_alive_interval(@extschema@.paretonbd, double precision, double precision, double precision, double precision) IS 'p_alive with its delta-method standard error from the fit''s covariance and an interval of the given level on the logit scale (Pareto/NBD); NULL when the model has no covariance';

CREATE FUNCTION @extschema@.expected_purchases_interval(model @extschema@.paretonbd, t double precision, frequency double precision, recency double precision, age double precision, level double precision DEFAULT 0.95)
RETURNS @extschema@.prediction_interval
AS 'MODULE_PATHNAME', 'paretonbd_expected_interval' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 200;
COMMENT ON FUNCTION @extschema@.expected_purchases_interval(@extschema@.paretonbd, double precision, double precision, double precision, double precision, double precision) IS 'expected_purchases(model, t, ...) with its delta-method standard error from the fit''s covariance and an interval of the given level on the log scale (Pareto/NBD); NULL when the model has no covariance';

CREATE FUNCTION @extschema@.p_alive_interval(model @extschema@.paretonbd, frequency double precision, recency double precision, age double precision, purchase_covariates double precision[], dropout_covariates double precision[], level double precision DEFAULT 0.95)
RETURNS @extschema@.prediction_interval
AS 'MODULE_PATHNAME', 'paretonbd_p_alive_interval' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 200;
COMMENT ON FUNCTION @extschema@.p_alive_interval(@extschema@.paretonbd, double precision, double precision, double precision, double precision[], double precision[], double precision) IS 'p_alive of a customer with these covariates with its delta-method standard error from the fit''s covariance (parameters and coefficients) and an interval of the given level on the logit scale (Pareto/NBD with covariates); NULL when the model has no covariance';

CREATE FUNCTION @extschema@.expected_purchases_interval(model @extschema@.paretonbd, t double precision, frequency double precision, recency double precision, age double precision, purchase_covariates double precision[], dropout_covariates double precision[], level double precision DEFAULT 0.95)
RETURNS @extschema@.prediction_interval
AS 'MODULE_PATHNAME', 'paretonbd_expected_interval' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 400;
COMMENT ON FUNCTION @extschema@.expected_purchases_interval(@extschema@.paretonbd, double precision, double precision, double precision, double precision, double precision[], double precision[], double precision) IS 'expected_purchases(model, t, ...) of a customer with these covariates with its delta-method standard error from the fit''s covariance (parameters and coefficients) and an interval of the given level on the log scale (Pareto/NBD with covariates); NULL when the model has no covariance';

CREATE FUNCTION @extschema@.p_alive_interval(model @extschema@.bgnbd, frequency double precision, recency double precision, age double precision, purchase_covariates double precision[], dropout_covariates double precision[], level double precision DEFAULT 0.95)
RETURNS @extschema@.prediction_interval
AS 'MODULE_PATHNAME', 'bgnbd_p_alive_interval' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 200;
COMMENT ON FUNCTION @extschema@.p_alive_interval(@extschema@.bgnbd, double precision, double precision, double precision, double precision[], double precision[], double precision) IS 'p_alive of a customer with these covariates with its delta-method standard error from the fit''s covariance (parameters and coefficients) and an interval of the given level on the logit scale (BG/NBD with covariates); NULL when the model has no covariance';

CREATE FUNCTION @extschema@.expected_purchases_interval(model @extschema@.bgnbd, t double precision, frequency double precision, recency double precision, age double precision, purchase_covariates double precision[], dropout_covariates double precision[], level double precision DEFAULT 0.95)
RETURNS @extschema@.prediction_interval
AS 'MODULE_PATHNAME', 'bgnbd_expected_interval' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 400;
COMMENT ON FUNCTION @extschema@.expected_purchases_interval(@extschema@.bgnbd, double precision, double precision, double precision, double precision, double precision[], double precision[], double precision) IS 'expected_purchases(model, t, ...) of a customer with these covariates with its delta-method standard error from the fit''s covariance (parameters and coefficients) and an interval of the given level on the log scale (BG/NBD with covariates); NULL when the model has no covariance';

CREATE FUNCTION @extschema@.p_alive_interval(model @extschema@.mbgnbd, frequency double precision, recency double precision, age double precision, purchase_covariates double precision[], dropout_covariates double precision[], level double precision DEFAULT 0.95)
RETURNS @extschema@.prediction_interval
AS 'MODULE_PATHNAME', 'mbgnbd_p_alive_interval' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 200;
COMMENT ON FUNCTION @extschema@.p_alive_interval(@extschema@.mbgnbd, double precision, double precision, double precision, double precision[], double precision[], double precision) IS 'p_alive of a customer with these covariates with its delta-method standard error from the fit''s covariance (parameters and coefficients) and an interval of the given level on the logit scale (MBG/NBD with covariates); NULL when the model has no covariance';

CREATE FUNCTION @extschema@.expected_purchases_interval(model @extschema@.mbgnbd, t double precision, frequency double precision, recency double precision, age double precision, purchase_covariates double precision[], dropout_covariates double precision[], level double precision DEFAULT 0.95)
RETURNS @extschema@.prediction_interval
AS 'MODULE_PATHNAME', 'mbgnbd_expected_interval' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 400;
COMMENT ON FUNCTION @extschema@.expected_purchases_interval(@extschema@.mbgnbd, double precision, double precision, double precision, double precision, double precision[], double precision[], double precision) IS 'expected_purchases(model, t, ...) of a customer with these covariates with its delta-method standard error from the fit''s covariance (parameters and coefficients) and an interval of the given level on the log scale (MBG/NBD with covariates); NULL when the model has no covariance';
CREATE FUNCTION @extschema@.p_alive_interval(model @extschema@.ggomnbd, frequency double precision, recency double precision, age double precision, level double precision DEFAULT 0.95)
RETURNS @extschema@.prediction_interval
AS 'MODULE_PATHNAME', 'ggomnbd_p_alive_interval' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 1000;
COMMENT ON FUNCTION @extschema@.p_alive_interval(@extschema@.ggomnbd, double precision, double precision, double precision, double precision) IS 'p_alive with its delta-method standard error from the fit''s covariance and an interval of the given level on the logit scale (GGompertz/NBD); NULL when the model has no covariance';

CREATE FUNCTION @extschema@.expected_purchases_interval(model @extschema@.ggomnbd, t double precision, frequency double precision, recency double precision, age double precision, level double precision DEFAULT 0.95)
RETURNS @extschema@.prediction_interval
AS 'MODULE_PATHNAME', 'ggomnbd_expected_interval' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 2000;
COMMENT ON FUNCTION @extschema@.expected_purchases_interval(@extschema@.ggomnbd, double precision, double precision, double precision, double precision, double precision) IS 'expected_purchases(model, t, ...) with its delta-method standard error from the fit''s covariance and an interval of the given level on the log scale (GGompertz/NBD); NULL when the model has no covariance';

CREATE FUNCTION @extschema@.p_alive_interval(model @extschema@.ggomnbd, frequency double precision, recency double precision, age double precision, purchase_covariates double precision[], dropout_covariates double precision[], level double precision DEFAULT 0.95)
RETURNS @extschema@.prediction_interval
AS 'MODULE_PATHNAME', 'ggomnbd_p_alive_interval' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 2000;
COMMENT ON FUNCTION @extschema@.p_alive_interval(@extschema@.ggomnbd, double precision, double precision, double precision, double precision[], double precision[], double precision) IS 'p_alive of a customer with these covariates with its delta-method standard error from the fit''s covariance (parameters and coefficients) and an interval of the given level on the logit scale (GGompertz/NBD with covariates); NULL when the model has no covariance';

CREATE FUNCTION @extschema@.expected_purchases_interval(model @extschema@.ggomnbd, t double precision, frequency double precision, recency double precision, age double precision, purchase_covariates double precision[], dropout_covariates double precision[], level double precision DEFAULT 0.95)
RETURNS @extschema@.prediction_interval
AS 'MODULE_PATHNAME', 'ggomnbd_expected_interval' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 4000;
COMMENT ON FUNCTION @extschema@.expected_purchases_interval(@extschema@.ggomnbd, double precision, double precision, double precision, double precision, double precision[], double precision[], double precision) IS 'expected_purchases(model, t, ...) of a customer with these covariates with its delta-method standard error from the fit''s covariance (parameters and coefficients) and an interval of the given level on the log scale (GGompertz/NBD with covariates); NULL when the model has no covariance';

-- CLV prediction intervals: the delta method over both models' parameters

CREATE FUNCTION @extschema@.clv_interval(model @extschema@.bgnbd, gg @extschema@.gammagamma,
    frequency double precision, recency double precision, age double precision, monetary double precision,
    horizon double precision, discount_rate double precision, step double precision, level double precision DEFAULT 0.95)
RETURNS @extschema@.prediction_interval
AS 'MODULE_PATHNAME', 'clv_interval_bgnbd' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 1000;
COMMENT ON FUNCTION @extschema@.clv_interval(@extschema@.bgnbd, @extschema@.gammagamma, double precision, double precision, double precision, double precision, double precision, double precision, double precision, double precision) IS 'clv(model, gg, ...) with its delta-method standard error over the 4 BG/NBD and 3 Gamma-Gamma parameters (block-diagonal covariance: the two fits are independent) and an interval of the given level on the log scale; NULL when either model has no covariance';

CREATE FUNCTION @extschema@.clv_interval(model @extschema@.mbgnbd, gg @extschema@.gammagamma,
    frequency double precision, recency double precision, age double precision, monetary double precision,
    horizon double precision, discount_rate double precision, step double precision, level double precision DEFAULT 0.95)
RETURNS @extschema@.prediction_interval
AS 'MODULE_PATHNAME', 'clv_interval_mbgnbd' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 1000;
COMMENT ON FUNCTION @extschema@.clv_interval(@extschema@.mbgnbd, @extschema@.gammagamma, double precision, double precision, double precision, double precision, double precision, double precision, double precision, double precision) IS 'clv(model, gg, ...) with its delta-method standard error over the 4 MBG/NBD and 3 Gamma-Gamma parameters (block-diagonal covariance: the two fits are independent) and an interval of the given level on the log scale; NULL when either model has no covariance';

CREATE FUNCTION @extschema@.clv_interval(model @extschema@.paretonbd, gg @extschema@.gammagamma,
    frequency double precision, recency double precision, age double precision, monetary double precision,
    horizon double precision, discount_rate double precision, step double precision, level double precision DEFAULT 0.95)
RETURNS @extschema@.prediction_interval
AS 'MODULE_PATHNAME', 'clv_interval_paretonbd' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 1000;
COMMENT ON FUNCTION @extschema@.clv_interval(@extschema@.paretonbd, @extschema@.gammagamma, double precision, double precision, double precision, double precision, double precision, double precision, double precision, double precision) IS 'clv(model, gg, ...) with its delta-method standard error over the 4 Pareto/NBD and 3 Gamma-Gamma parameters (block-diagonal covariance: the two fits are independent) and an interval of the given level on the log scale; NULL when either model has no covariance';

CREATE FUNCTION @extschema@.clv_interval(model @extschema@.ggomnbd, gg @extschema@.gammagamma,
    frequency double precision, recency double precision, age double precision, monetary double precision,
    horizon double precision, discount_rate double precision, step double precision, level double precision DEFAULT 0.95)
RETURNS @extschema@.prediction_interval
AS 'MODULE_PATHNAME', 'clv_interval_ggomnbd' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 10000;
COMMENT ON FUNCTION @extschema@.clv_interval(@extschema@.ggomnbd, @extschema@.gammagamma, double precision, double precision, double precision, double precision, double precision, double precision, double precision, double precision) IS 'clv(model, gg, ...) with its delta-method standard error over the 5 GGompertz/NBD and 3 Gamma-Gamma parameters (block-diagonal covariance: the two fits are independent) and an interval of the given level on the log scale; NULL when either model has no covariance';

-- CLV prediction intervals with covariates: the delta method over both models' parameters and
-- coefficients
CREATE FUNCTION @extschema@.clv_interval(model @extschema@.bgnbd, gg @extschema@.gammagamma,
    frequency double precision, recency double precision, age double precision, monetary double precision,
    horizon double precision, discount_rate double precision, step double precision,
    purchase_covariates double precision[], dropout_covariates double precision[], spend_covariates double precision[],
    level double precision DEFAULT 0.95)
RETURNS @extschema@.prediction_interval
AS 'MODULE_PATHNAME', 'clv_interval_bgnbd' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 1000;
COMMENT ON FUNCTION @extschema@.clv_interval(@extschema@.bgnbd, @extschema@.gammagamma, double precision, double precision, double precision, double precision, double precision, double precision, double precision, double precision[], double precision[], double precision[], double precision) IS 'clv(model, gg, ..., purchase_covariates, dropout_covariates, spend_covariates) with its delta-method standard error over the BG/NBD parameters and coefficients and the Gamma-Gamma parameters and spend coefficients (block-diagonal covariance: the two fits are independent) and an interval of the given level on the log scale; NULL when either model has no covariance';
CREATE FUNCTION @extschema@.clv_interval(model @extschema@.mbgnbd, gg @extschema@.gammagamma,
    frequency double precision, recency double precision, age double precision, monetary double precision,
    horizon double precision, discount_rate double precision, step double precision,
    purchase_covariates double precision[], dropout_covariates double precision[], spend_covariates double precision[],
    level double precision DEFAULT 0.95)
RETURNS @extschema@.prediction_interval
AS 'MODULE_PATHNAME', 'clv_interval_mbgnbd' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 1000;
COMMENT ON FUNCTION @extschema@.clv_interval(@extschema@.mbgnbd, @extschema@.gammagamma, double precision, double precision, double precision, double precision, double precision, double precision, double precision, double precision[], double precision[], double precision[], double precision) IS 'clv(model, gg, ..., purchase_covariates, dropout_covariates, spend_covariates) with its delta-method standard error over the MBG/NBD parameters and coefficients and the Gamma-Gamma parameters and spend coefficients (block-diagonal covariance: the two fits are independent) and an interval of the given level on the log scale; NULL when either model has no covariance';
CREATE FUNCTION @extschema@.clv_interval(model @extschema@.paretonbd, gg @extschema@.gammagamma,
    frequency double precision, recency double precision, age double precision, monetary double precision,
    horizon double precision, discount_rate double precision, step double precision,
    purchase_covariates double precision[], dropout_covariates double precision[], spend_covariates double precision[],
    level double precision DEFAULT 0.95)
RETURNS @extschema@.prediction_interval
AS 'MODULE_PATHNAME', 'clv_interval_paretonbd' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 1000;
COMMENT ON FUNCTION @extschema@.clv_interval(@extschema@.paretonbd, @extschema@.gammagamma, double precision, double precision, double precision, double precision, double precision, double precision, double precision, double precision[], double precision[], double precision[], double precision) IS 'clv(model, gg, ..., purchase_covariates, dropout_covariates, spend_covariates) with its delta-method standard error over the Pareto/NBD parameters and coefficients and the Gamma-Gamma parameters and spend coefficients (block-diagonal covariance: the two fits are independent) and an interval of the given level on the log scale; NULL when either model has no covariance';
CREATE FUNCTION @extschema@.clv_interval(model @extschema@.ggomnbd, gg @extschema@.gammagamma,
    frequency double precision, recency double precision, age double precision, monetary double precision,
    horizon double precision, discount_rate double precision, step double precision,
    purchase_covariates double precision[], dropout_covariates double precision[], spend_covariates double precision[],
    level double precision DEFAULT 0.95)
RETURNS @extschema@.prediction_interval
AS 'MODULE_PATHNAME', 'clv_interval_ggomnbd' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 10000;
COMMENT ON FUNCTION @extschema@.clv_interval(@extschema@.ggomnbd, @extschema@.gammagamma, double precision, double precision, double precision, double precision, double precision, double precision, double precision, double precision[], double precision[], double precision[], double precision) IS 'clv(model, gg, ..., purchase_covariates, dropout_covariates, spend_covariates) with its delta-method standard error over the GGompertz/NBD parameters and coefficients and the Gamma-Gamma parameters and spend coefficients (block-diagonal covariance: the two fits are independent) and an interval of the given level on the log scale; NULL when either model has no covariance';

-- CLV -----------------------------------------------------------------------
-- Discounted customer lifetime value from a counting model and the
-- Gamma-Gamma spend model, with the convention of the lifetimes package
-- (src/models/clv.c gives the definition).

CREATE FUNCTION @extschema@.clv(model @extschema@.bgnbd, gg @extschema@.gammagamma,
    frequency double precision, recency double precision, age double precision, monetary double precision,
    horizon double precision, discount_rate double precision, step double precision)
RETURNS double precision
AS 'MODULE_PATHNAME', 'clv_bgnbd' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 50;
COMMENT ON FUNCTION @extschema@.clv(@extschema@.bgnbd, @extschema@.gammagamma, double precision, double precision, double precision, double precision, double precision, double precision, double precision) IS 'discounted CLV: sum over i = 1 .. floor(horizon / step) of (E[X(i step)] - E[X((i-1) step)]) * expected_spend / (1 + discount_rate)^i, E[X(t)] the BG/NBD conditional expectation';

CREATE FUNCTION @extschema@.clv(model @extschema@.mbgnbd, gg @extschema@.gammagamma,
    frequency double precision, recency double precision, age double precision, monetary double precision,
    horizon double precision, discount_rate double precision, step double precision)
RETURNS double precision
AS 'MODULE_PATHNAME', 'clv_mbgnbd' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 50;
COMMENT ON FUNCTION @extschema@.clv(@extschema@.mbgnbd, @extschema@.gammagamma, double precision, double precision, double precision, double precision, double precision, double precision, double precision) IS 'discounted CLV: sum over i = 1 .. floor(horizon / step) of (E[X(i step)] - E[X((i-1) step)]) * expected_spend / (1 + discount_rate)^i, E[X(t)] the MBG/NBD conditional expectation';

CREATE FUNCTION @extschema@.clv(model @extschema@.paretonbd, gg @extschema@.gammagamma,
    frequency double precision, recency double precision, age double precision, monetary double precision,
    horizon double precision, discount_rate double precision, step double precision)
RETURNS double precision
AS 'MODULE_PATHNAME', 'clv_paretonbd' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 50;
COMMENT ON FUNCTION @extschema@.clv(@extschema@.paretonbd, @extschema@.gammagamma, double precision, double precision, double precision, double precision, double precision, double precision, double precision) IS 'discounted CLV: sum over i = 1 .. floor(horizon / step) of (E[X(i step)] - E[X((i-1) step)]) * expected_spend / (1 + discount_rate)^i, E[X(t)] the Pareto/NBD conditional expectation';

CREATE FUNCTION @extschema@.clv(model @extschema@.paretonbd, gg @extschema@.gammagamma, frequency double precision, recency double precision, age double precision, monetary double precision, horizon double precision, discount_rate double precision, step double precision, purchase_covariates double precision[], dropout_covariates double precision[])
RETURNS double precision
AS 'MODULE_PATHNAME', 'clv_paretonbd' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 50;
COMMENT ON FUNCTION @extschema@.clv(@extschema@.paretonbd, @extschema@.gammagamma, double precision, double precision, double precision, double precision, double precision, double precision, double precision, double precision[], double precision[]) IS 'discounted CLV of a customer with these purchase and dropout covariates: as engage.clv(model, gg, ...) with the Pareto/NBD model at the customer''s parameters';

CREATE FUNCTION @extschema@.clv(model @extschema@.bgnbd, gg @extschema@.gammagamma, frequency double precision, recency double precision, age double precision, monetary double precision, horizon double precision, discount_rate double precision, step double precision, purchase_covariates double precision[], dropout_covariates double precision[])
RETURNS double precision
AS 'MODULE_PATHNAME', 'clv_bgnbd' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 50;
COMMENT ON FUNCTION @extschema@.clv(@extschema@.bgnbd, @extschema@.gammagamma, double precision, double precision, double precision, double precision, double precision, double precision, double precision, double precision[], double precision[]) IS 'discounted CLV of a customer with these purchase and dropout covariates: as engage.clv(model, gg, ...) with the BG/NBD model at the customer''s parameters';

CREATE FUNCTION @extschema@.clv(model @extschema@.mbgnbd, gg @extschema@.gammagamma, frequency double precision, recency double precision, age double precision, monetary double precision, horizon double precision, discount_rate double precision, step double precision, purchase_covariates double precision[], dropout_covariates double precision[])
RETURNS double precision
AS 'MODULE_PATHNAME', 'clv_mbgnbd' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 50;
COMMENT ON FUNCTION @extschema@.clv(@extschema@.mbgnbd, @extschema@.gammagamma, double precision, double precision, double precision, double precision, double precision, double precision, double precision, double precision[], double precision[]) IS 'discounted CLV of a customer with these purchase and dropout covariates: as engage.clv(model, gg, ...) with the MBG/NBD model at the customer''s parameters';
CREATE FUNCTION @extschema@.clv(model @extschema@.ggomnbd, gg @extschema@.gammagamma,
    frequency double precision, recency double precision, age double precision, monetary double precision,
    horizon double precision, discount_rate double precision, step double precision)
RETURNS double precision
AS 'MODULE_PATHNAME', 'clv_ggomnbd' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 200;
COMMENT ON FUNCTION @extschema@.clv(@extschema@.ggomnbd, @extschema@.gammagamma, double precision, double precision, double precision, double precision, double precision, double precision, double precision) IS 'discounted CLV: sum over i = 1 .. floor(horizon / step) of (E[X(i step)] - E[X((i-1) step)]) * expected_spend / (1 + discount_rate)^i, E[X(t)] the GGompertz/NBD conditional expectation';

CREATE FUNCTION @extschema@.clv(model @extschema@.ggomnbd, gg @extschema@.gammagamma, frequency double precision, recency double precision, age double precision, monetary double precision, horizon double precision, discount_rate double precision, step double precision, purchase_covariates double precision[], dropout_covariates double precision[])
RETURNS double precision
AS 'MODULE_PATHNAME', 'clv_ggomnbd' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 200;
COMMENT ON FUNCTION @extschema@.clv(@extschema@.ggomnbd, @extschema@.gammagamma, double precision, double precision, double precision, double precision, double precision, double precision, double precision, double precision[], double precision[]) IS 'discounted CLV of a customer with these purchase and dropout covariates: as engage.clv(model, gg, ...) with the GGompertz/NBD model at the customer''s parameters';

-- CLV with covariates in both models: the counting model's purchase and dropout covariates and
-- Gamma-Gamma's spend covariates
CREATE FUNCTION @extschema@.clv(model @extschema@.bgnbd, gg @extschema@.gammagamma, frequency double precision, recency double precision, age double precision, monetary double precision, horizon double precision, discount_rate double precision, step double precision, purchase_covariates double precision[], dropout_covariates double precision[], spend_covariates double precision[])
RETURNS double precision
AS 'MODULE_PATHNAME', 'clv_bgnbd' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 50;
COMMENT ON FUNCTION @extschema@.clv(@extschema@.bgnbd, @extschema@.gammagamma, double precision, double precision, double precision, double precision, double precision, double precision, double precision, double precision[], double precision[], double precision[]) IS 'discounted CLV of a customer with these purchase, dropout and spend covariates: as engage.clv(model, gg, ...) with the BG/NBD model and the Gamma-Gamma model at the customer''s parameters (v_i = v exp(theta'' spend_covariates)); a model without coefficients takes empty arrays';
CREATE FUNCTION @extschema@.clv(model @extschema@.mbgnbd, gg @extschema@.gammagamma, frequency double precision, recency double precision, age double precision, monetary double precision, horizon double precision, discount_rate double precision, step double precision, purchase_covariates double precision[], dropout_covariates double precision[], spend_covariates double precision[])
RETURNS double precision
AS 'MODULE_PATHNAME', 'clv_mbgnbd' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 50;
COMMENT ON FUNCTION @extschema@.clv(@extschema@.mbgnbd, @extschema@.gammagamma, double precision, double precision, double precision, double precision, double precision, double precision, double precision, double precision[], double precision[], double precision[]) IS 'discounted CLV of a customer with these purchase, dropout and spend covariates: as engage.clv(model, gg, ...) with the MBG/NBD model and the Gamma-Gamma model at the customer''s parameters (v_i = v exp(theta'' spend_covariates)); a model without coefficients takes empty arrays';
CREATE FUNCTION @extschema@.clv(model @extschema@.paretonbd, gg @extschema@.gammagamma, frequency double precision, recency double precision, age double precision, monetary double precision, horizon double precision, discount_rate double precision, step double precision, purchase_covariates double precision[], dropout_covariates double precision[], spend_covariates double precision[])
RETURNS double precision
AS 'MODULE_PATHNAME', 'clv_paretonbd' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 50;
COMMENT ON FUNCTION @extschema@.clv(@extschema@.paretonbd, @extschema@.gammagamma, double precision, double precision, double precision, double precision, double precision, double precision, double precision, double precision[], double precision[], double precision[]) IS 'discounted CLV of a customer with these purchase, dropout and spend covariates: as engage.clv(model, gg, ...) with the Pareto/NBD model and the Gamma-Gamma model at the customer''s parameters (v_i = v exp(theta'' spend_covariates)); a model without coefficients takes empty arrays';
CREATE FUNCTION @extschema@.clv(model @extschema@.ggomnbd, gg @extschema@.gammagamma, frequency double precision, recency double precision, age double precision, monetary double precision, horizon double precision, discount_rate double precision, step double precision, purchase_covariates double precision[], dropout_covariates double precision[], spend_covariates double precision[])
RETURNS double precision
AS 'MODULE_PATHNAME', 'clv_ggomnbd' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 200;
COMMENT ON FUNCTION @extschema@.clv(@extschema@.ggomnbd, @extschema@.gammagamma, double precision, double precision, double precision, double precision, double precision, double precision, double precision, double precision[], double precision[], double precision[]) IS 'discounted CLV of a customer with these purchase, dropout and spend covariates: as engage.clv(model, gg, ...) with the GGompertz/NBD model and the Gamma-Gamma model at the customer''s parameters (v_i = v exp(theta'' spend_covariates)); a model without coefficients takes empty arrays';

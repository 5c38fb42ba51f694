-- model choice ----------------------------------------------------------------
-- The counting models side by side on one sample: likelihood, information criteria, rank by
-- BIC among the fits that converged, and holdout forecast errors (src/models/compare.c).

CREATE FUNCTION @extschema@.compare_models(sample @extschema@.fitdata)
RETURNS TABLE (model text, parameters integer, customers double precision,
               log_likelihood double precision, aic double precision, bic double precision,
               converged boolean, bic_rank integer, delta_bic double precision, best boolean,
               holdout_observed double precision, holdout_expected double precision,
               holdout_total_error double precision, holdout_relative_error double precision,
               holdout_mae double precision, holdout_rmse double precision,
               estimates double precision[])
AS 'MODULE_PATHNAME', 'compare_models_fit' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 1000000 ROWS 3;
COMMENT ON FUNCTION @extschema@.compare_models(@extschema@.fitdata) IS 'fits BG/NBD, MBG/NBD and Pareto/NBD to the sample (as engage.bgnbd_fit(sample) etc.) and compares them, one row each: log-likelihood, AIC, BIC (ln of the sample''s customers), converged, rank by BIC among the fits that converged (NULL for one that did not), and for a sample over engage.rfm_holdout the holdout purchases observed and expected, total error (expected - observed, and relative to observed), mean absolute and root mean squared error per customer (NULL without holdout or for a fit that did not converge); estimates in the order of the model''s parameters';

CREATE FUNCTION @extschema@.compare_models(sample @extschema@.fitdata, bgnbd @extschema@.bgnbd,
                                           mbgnbd @extschema@.mbgnbd, paretonbd @extschema@.paretonbd)
RETURNS TABLE (model text, parameters integer, customers double precision,
               log_likelihood double precision, aic double precision, bic double precision,
               converged boolean, bic_rank integer, delta_bic double precision, best boolean,
               holdout_observed double precision, holdout_expected double precision,
               holdout_total_error double precision, holdout_relative_error double precision,
               holdout_mae double precision, holdout_rmse double precision,
               estimates double precision[])
AS 'MODULE_PATHNAME', 'compare_models_given' LANGUAGE C IMMUTABLE PARALLEL SAFE COST 10000 ROWS 3;
COMMENT ON FUNCTION @extschema@.compare_models(@extschema@.fitdata, @extschema@.bgnbd, @extschema@.mbgnbd, @extschema@.paretonbd) IS 'compares fitted (or hand-built) models on the sample, as engage.compare_models(sample) does after its fits: log-likelihood, AIC and BIC of this sample, whatever the models were fitted on; converged as the model says; a NULL model has no row, a NULL sample gives no rows';

-- model diagnostics -----------------------------------------------------------
-- The conditional distribution of future purchases (src/models/btyd_pmf.c) and the data behind
-- the usual checks of a fitted counting model (src/models/diagnostics.c): frequency/recency
-- matrices, period transactions, calibration against holdout, tracking, P(alive) paths.

CREATE FUNCTION @extschema@.prob_purchases(model @extschema@.bgnbd, n integer, t double precision,
    frequency double precision, recency double precision, age double precision)
RETURNS double precision
AS 'MODULE_PATHNAME', 'bgnbd_cond_prob_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 50;
COMMENT ON FUNCTION @extschema@.prob_purchases(@extschema@.bgnbd, integer, double precision, double precision, double precision, double precision) IS 'probability that a customer with this summary makes exactly n purchases in (age, age + t] (BG/NBD)';

CREATE FUNCTION @extschema@.prob_purchases(model @extschema@.mbgnbd, n integer, t double precision,
    frequency double precision, recency double precision, age double precision)
RETURNS double precision
AS 'MODULE_PATHNAME', 'mbgnbd_cond_prob_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 50;
COMMENT ON FUNCTION @extschema@.prob_purchases(@extschema@.mbgnbd, integer, double precision, double precision, double precision, double precision) IS 'probability that a customer with this summary makes exactly n purchases in (age, age + t] (MBG/NBD)';

CREATE FUNCTION @extschema@.prob_purchases(model @extschema@.paretonbd, n integer, t double precision,
    frequency double precision, recency double precision, age double precision)
RETURNS double precision
AS 'MODULE_PATHNAME', 'paretonbd_cond_prob_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 100;
COMMENT ON FUNCTION @extschema@.prob_purchases(@extschema@.paretonbd, integer, double precision, double precision, double precision, double precision) IS 'probability that a customer with this summary makes exactly n purchases in (age, age + t] (Pareto/NBD)';

CREATE FUNCTION @extschema@.prob_purchases(model @extschema@.bgnbd, n integer, t double precision, summary @extschema@.rfm)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN @extschema@.prob_purchases(model, n, t, (summary).frequency, (summary).recency, (summary).age);
COMMENT ON FUNCTION @extschema@.prob_purchases(@extschema@.bgnbd, integer, double precision, @extschema@.rfm) IS 'prob_purchases(model, n, t, frequency, recency, age) of an engage.rfm summary (BG/NBD)';

CREATE FUNCTION @extschema@.prob_purchases(model @extschema@.mbgnbd, n integer, t double precision, summary @extschema@.rfm)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN @extschema@.prob_purchases(model, n, t, (summary).frequency, (summary).recency, (summary).age);
COMMENT ON FUNCTION @extschema@.prob_purchases(@extschema@.mbgnbd, integer, double precision, @extschema@.rfm) IS 'prob_purchases(model, n, t, frequency, recency, age) of an engage.rfm summary (MBG/NBD)';

CREATE FUNCTION @extschema@.prob_purchases(model @extschema@.paretonbd, n integer, t double precision, summary @extschema@.rfm)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN @extschema@.prob_purchases(model, n, t, (summary).frequency, (summary).recency, (summary).age);
COMMENT ON FUNCTION @extschema@.prob_purchases(@extschema@.paretonbd, integer, double precision, @extschema@.rfm) IS 'prob_purchases(model, n, t, frequency, recency, age) of an engage.rfm summary (Pareto/NBD)';

-- the frequency/recency matrix: P(alive) and expected purchases over a grid of summaries
CREATE FUNCTION @extschema@.frequency_recency_matrix(model @extschema@.bgnbd, max_frequency integer, age double precision,
    t double precision DEFAULT 1, recency_step double precision DEFAULT 1)
RETURNS TABLE (frequency integer, recency double precision, p_alive double precision, expected_purchases double precision)
AS 'MODULE_PATHNAME', 'bgnbd_fr_matrix' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 1000;
COMMENT ON FUNCTION @extschema@.frequency_recency_matrix(@extschema@.bgnbd, integer, double precision, double precision, double precision) IS 'P(alive) and expected purchases in the next t of customers of this age, for frequency 0 .. max_frequency and recency 0, recency_step, ... up to age (BG/NBD); NULL in the cells of frequency 0 and recency > 0, which no customer has';

CREATE FUNCTION @extschema@.frequency_recency_matrix(model @extschema@.mbgnbd, max_frequency integer, age double precision,
    t double precision DEFAULT 1, recency_step double precision DEFAULT 1)
RETURNS TABLE (frequency integer, recency double precision, p_alive double precision, expected_purchases double precision)
AS 'MODULE_PATHNAME', 'mbgnbd_fr_matrix' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 1000;
COMMENT ON FUNCTION @extschema@.frequency_recency_matrix(@extschema@.mbgnbd, integer, double precision, double precision, double precision) IS 'P(alive) and expected purchases in the next t of customers of this age, for frequency 0 .. max_frequency and recency 0, recency_step, ... up to age (MBG/NBD); NULL in the cells of frequency 0 and recency > 0, which no customer has';

CREATE FUNCTION @extschema@.frequency_recency_matrix(model @extschema@.paretonbd, max_frequency integer, age double precision,
    t double precision DEFAULT 1, recency_step double precision DEFAULT 1)
RETURNS TABLE (frequency integer, recency double precision, p_alive double precision, expected_purchases double precision)
AS 'MODULE_PATHNAME', 'paretonbd_fr_matrix' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 1000;
COMMENT ON FUNCTION @extschema@.frequency_recency_matrix(@extschema@.paretonbd, integer, double precision, double precision, double precision) IS 'P(alive) and expected purchases in the next t of customers of this age, for frequency 0 .. max_frequency and recency 0, recency_step, ... up to age (Pareto/NBD); NULL in the cells of frequency 0 and recency > 0, which no customer has';

-- period transactions: customers by number of repeat purchases in calibration
CREATE FUNCTION @extschema@.period_transactions(model @extschema@.bgnbd, sample @extschema@.fitdata, max_frequency integer DEFAULT 7)
RETURNS TABLE (frequency integer, label text, observed double precision, expected double precision)
AS 'MODULE_PATHNAME', 'bgnbd_period_transactions' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 8;
COMMENT ON FUNCTION @extschema@.period_transactions(@extschema@.bgnbd, @extschema@.fitdata, integer) IS 'customers of the sample with 0, 1, ... repeat purchases (the last row: max_frequency or more), observed and expected from the model at each customer''s age (BG/NBD)';

CREATE FUNCTION @extschema@.period_transactions(model @extschema@.mbgnbd, sample @extschema@.fitdata, max_frequency integer DEFAULT 7)
RETURNS TABLE (frequency integer, label text, observed double precision, expected double precision)
AS 'MODULE_PATHNAME', 'mbgnbd_period_transactions' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 8;
COMMENT ON FUNCTION @extschema@.period_transactions(@extschema@.mbgnbd, @extschema@.fitdata, integer) IS 'customers of the sample with 0, 1, ... repeat purchases (the last row: max_frequency or more), observed and expected from the model at each customer''s age (MBG/NBD)';

CREATE FUNCTION @extschema@.period_transactions(model @extschema@.paretonbd, sample @extschema@.fitdata, max_frequency integer DEFAULT 7)
RETURNS TABLE (frequency integer, label text, observed double precision, expected double precision)
AS 'MODULE_PATHNAME', 'paretonbd_period_transactions' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 8;
COMMENT ON FUNCTION @extschema@.period_transactions(@extschema@.paretonbd, @extschema@.fitdata, integer) IS 'customers of the sample with 0, 1, ... repeat purchases (the last row: max_frequency or more), observed and expected from the model at each customer''s age (Pareto/NBD)';

-- calibration against holdout: mean holdout purchases by calibration frequency
CREATE FUNCTION @extschema@.holdout_fitdata_accum(state internal, summary @extschema@.rfm_holdout)
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.holdout_fitdata_accum(internal, @extschema@.rfm_holdout) IS 'transition function of engage.fitdata over engage.rfm_holdout: adds (frequency, recency, age, holdout_frequency); duration_holdout is the sample''s option';

CREATE AGGREGATE @extschema@.fitdata(summary @extschema@.rfm_holdout) (
    SFUNC = @extschema@.holdout_fitdata_accum,
    STYPE = internal,
    FINALFUNC = @extschema@.fitdata_final,
    COMBINEFUNC = @extschema@.fitdata_combine,
    SERIALFUNC = @extschema@.fitdata_serialize,
    DESERIALFUNC = @extschema@.fitdata_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.fitdata(@extschema@.rfm_holdout) IS 'the compressed sample of calibration summaries with their holdout purchases (frequency, recency, age, holdout_frequency), for engage.calibration_holdout; duration_holdout must be the same on every row; NULL summaries are skipped';

CREATE AGGREGATE @extschema@.fitdata(summary @extschema@.rfm) (
    SFUNC = @extschema@.btyd_fit_accum_rfm,
    STYPE = internal,
    FINALFUNC = @extschema@.fitdata_final,
    COMBINEFUNC = @extschema@.fitdata_combine,
    SERIALFUNC = @extschema@.fitdata_serialize,
    DESERIALFUNC = @extschema@.fitdata_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.fitdata(@extschema@.rfm) IS 'the compressed sample of engage.rfm summaries (frequency, recency, age), to fit and to diagnose; NULL summaries are skipped';

CREATE FUNCTION @extschema@.calibration_holdout(model @extschema@.bgnbd, sample @extschema@.fitdata, max_frequency integer DEFAULT 7)
RETURNS TABLE (frequency integer, label text, customers double precision, observed double precision, expected double precision)
AS 'MODULE_PATHNAME', 'bgnbd_calibration_holdout' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 8;
COMMENT ON FUNCTION @extschema@.calibration_holdout(@extschema@.bgnbd, @extschema@.fitdata, integer) IS 'by calibration frequency 0, 1, ... (the last row: max_frequency or more): customers, their mean holdout purchases, and the mean expected from the model given each summary (BG/NBD); the sample is engage.fitdata over engage.rfm_holdout';

CREATE FUNCTION @extschema@.calibration_holdout(model @extschema@.mbgnbd, sample @extschema@.fitdata, max_frequency integer DEFAULT 7)
RETURNS TABLE (frequency integer, label text, customers double precision, observed double precision, expected double precision)
AS 'MODULE_PATHNAME', 'mbgnbd_calibration_holdout' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 8;
COMMENT ON FUNCTION @extschema@.calibration_holdout(@extschema@.mbgnbd, @extschema@.fitdata, integer) IS 'by calibration frequency 0, 1, ... (the last row: max_frequency or more): customers, their mean holdout purchases, and the mean expected from the model given each summary (MBG/NBD); the sample is engage.fitdata over engage.rfm_holdout';

CREATE FUNCTION @extschema@.calibration_holdout(model @extschema@.paretonbd, sample @extschema@.fitdata, max_frequency integer DEFAULT 7)
RETURNS TABLE (frequency integer, label text, customers double precision, observed double precision, expected double precision)
AS 'MODULE_PATHNAME', 'paretonbd_calibration_holdout' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 8;
COMMENT ON FUNCTION @extschema@.calibration_holdout(@extschema@.paretonbd, @extschema@.fitdata, integer) IS 'by calibration frequency 0, 1, ... (the last row: max_frequency or more): customers, their mean holdout purchases, and the mean expected from the model given each summary (Pareto/NBD); the sample is engage.fitdata over engage.rfm_holdout';

-- the P(alive) path of one customer
CREATE FUNCTION @extschema@.p_alive_path(model @extschema@.bgnbd, purchases timestamptz[], as_of timestamptz, unit interval)
RETURNS TABLE (day date, age double precision, frequency integer, recency double precision, p_alive double precision)
AS 'MODULE_PATHNAME', 'bgnbd_p_alive_path' LANGUAGE C STABLE STRICT PARALLEL SAFE ROWS 365;
COMMENT ON FUNCTION @extschema@.p_alive_path(@extschema@.bgnbd, timestamptz[], timestamptz, interval) IS 'P(alive) of one customer at the end of each calendar day (session TimeZone) from the first purchase to as_of, from the purchase times, times in units (BG/NBD); no rows without a purchase up to as_of';

CREATE FUNCTION @extschema@.p_alive_path(model @extschema@.mbgnbd, purchases timestamptz[], as_of timestamptz, unit interval)
RETURNS TABLE (day date, age double precision, frequency integer, recency double precision, p_alive double precision)
AS 'MODULE_PATHNAME', 'mbgnbd_p_alive_path' LANGUAGE C STABLE STRICT PARALLEL SAFE ROWS 365;
COMMENT ON FUNCTION @extschema@.p_alive_path(@extschema@.mbgnbd, timestamptz[], timestamptz, interval) IS 'P(alive) of one customer at the end of each calendar day (session TimeZone) from the first purchase to as_of, from the purchase times, times in units (MBG/NBD); no rows without a purchase up to as_of';

CREATE FUNCTION @extschema@.p_alive_path(model @extschema@.paretonbd, purchases timestamptz[], as_of timestamptz, unit interval)
RETURNS TABLE (day date, age double precision, frequency integer, recency double precision, p_alive double precision)
AS 'MODULE_PATHNAME', 'paretonbd_p_alive_path' LANGUAGE C STABLE STRICT PARALLEL SAFE ROWS 365;
COMMENT ON FUNCTION @extschema@.p_alive_path(@extschema@.paretonbd, timestamptz[], timestamptz, interval) IS 'P(alive) of one customer at the end of each calendar day (session TimeZone) from the first purchase to as_of, from the purchase times, times in units (Pareto/NBD); no rows without a purchase up to as_of';

-- tracking: a cohort's repeat purchases per period over calendar time

CREATE FUNCTION @extschema@.tracking_sample_accum(state internal, customer_id bigint, occurred_at timestamptz,
                                                  origin timestamptz, unit interval)
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.tracking_sample_accum(internal, bigint, timestamptz, timestamptz, interval) IS 'transition function of engage.tracking_sample: records the (customer, calendar day) of one order (session TimeZone)';

CREATE FUNCTION @extschema@.tracking_sample_combine(state internal, other internal)
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.tracking_sample_combine(internal, internal) IS 'combine function of engage.tracking_sample';

CREATE FUNCTION @extschema@.tracking_sample_serialize(state internal)
RETURNS bytea
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.tracking_sample_serialize(internal) IS 'serial function of engage.tracking_sample (versioned, length-checked)';

CREATE FUNCTION @extschema@.tracking_sample_deserialize(bytes bytea, dummy internal)
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.tracking_sample_deserialize(bytea, internal) IS 'deserial function of engage.tracking_sample';

CREATE FUNCTION @extschema@.tracking_sample_final(state internal)
RETURNS @extschema@.fitdata
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.tracking_sample_final(internal) IS 'final function of engage.tracking_sample';

CREATE AGGREGATE @extschema@.tracking_sample(customer_id bigint, occurred_at timestamptz, origin timestamptz, unit interval) (
    SFUNC = @extschema@.tracking_sample_accum,
    STYPE = internal,
    COMBINEFUNC = @extschema@.tracking_sample_combine,
    SERIALFUNC = @extschema@.tracking_sample_serialize,
    DESERIALFUNC = @extschema@.tracking_sample_deserialize,
    FINALFUNC = @extschema@.tracking_sample_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.tracking_sample(bigint, timestamptz, timestamptz, interval) IS 'the purchase days of a cohort for engage.tracking: customers per first purchase day and purchase days per (first day, day), days since the day of origin (session TimeZone), periods of unit (whole days); origin and unit the same on every row; rows with a NULL customer_id or occurred_at are skipped';

CREATE FUNCTION @extschema@.tracking(model @extschema@.bgnbd, sample @extschema@.fitdata)
RETURNS TABLE (period integer, period_start date, observed double precision, expected double precision,
               cumulative_observed double precision, cumulative_expected double precision)
AS 'MODULE_PATHNAME', 'bgnbd_tracking' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 100;
COMMENT ON FUNCTION @extschema@.tracking(@extschema@.bgnbd, @extschema@.fitdata) IS 'repeat purchases of the cohort of engage.tracking_sample per period and cumulated, observed and expected from the model (BG/NBD, fitted in the same unit), through the period of the last purchase';

CREATE FUNCTION @extschema@.tracking(model @extschema@.bgnbd, sample @extschema@.fitdata, periods integer)
RETURNS TABLE (period integer, period_start date, observed double precision, expected double precision,
               cumulative_observed double precision, cumulative_expected double precision)
AS 'MODULE_PATHNAME', 'bgnbd_tracking' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 100;
COMMENT ON FUNCTION @extschema@.tracking(@extschema@.bgnbd, @extschema@.fitdata, integer) IS 'repeat purchases of the cohort of engage.tracking_sample per period and cumulated, observed and expected from the model (BG/NBD, fitted in the same unit), for periods 1 .. periods';

CREATE FUNCTION @extschema@.tracking(model @extschema@.mbgnbd, sample @extschema@.fitdata)
RETURNS TABLE (period integer, period_start date, observed double precision, expected double precision,
               cumulative_observed double precision, cumulative_expected double precision)
AS 'MODULE_PATHNAME', 'mbgnbd_tracking' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 100;
COMMENT ON FUNCTION @extschema@.tracking(@extschema@.mbgnbd, @extschema@.fitdata) IS 'repeat purchases of the cohort of engage.tracking_sample per period and cumulated, observed and expected from the model (MBG/NBD, fitted in the same unit), through the period of the last purchase';

CREATE FUNCTION @extschema@.tracking(model @extschema@.mbgnbd, sample @extschema@.fitdata, periods integer)
RETURNS TABLE (period integer, period_start date, observed double precision, expected double precision,
               cumulative_observed double precision, cumulative_expected double precision)
AS 'MODULE_PATHNAME', 'mbgnbd_tracking' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 100;
COMMENT ON FUNCTION @extschema@.tracking(@extschema@.mbgnbd, @extschema@.fitdata, integer) IS 'repeat purchases of the cohort of engage.tracking_sample per period and cumulated, observed and expected from the model (MBG/NBD, fitted in the same unit), for periods 1 .. periods';

CREATE FUNCTION @extschema@.tracking(model @extschema@.paretonbd, sample @extschema@.fitdata)
RETURNS TABLE (period integer, period_start date, observed double precision, expected double precision,
               cumulative_observed double precision, cumulative_expected double precision)
AS 'MODULE_PATHNAME', 'paretonbd_tracking' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 100;
COMMENT ON FUNCTION @extschema@.tracking(@extschema@.paretonbd, @extschema@.fitdata) IS 'repeat purchases of the cohort of engage.tracking_sample per period and cumulated, observed and expected from the model (Pareto/NBD, fitted in the same unit), through the period of the last purchase';

CREATE FUNCTION @extschema@.tracking(model @extschema@.paretonbd, sample @extschema@.fitdata, periods integer)
RETURNS TABLE (period integer, period_start date, observed double precision, expected double precision,
               cumulative_observed double precision, cumulative_expected double precision)
AS 'MODULE_PATHNAME', 'paretonbd_tracking' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 100;
COMMENT ON FUNCTION @extschema@.tracking(@extschema@.paretonbd, @extschema@.fitdata, integer) IS 'repeat purchases of the cohort of engage.tracking_sample per period and cumulated, observed and expected from the model (Pareto/NBD, fitted in the same unit), for periods 1 .. periods';

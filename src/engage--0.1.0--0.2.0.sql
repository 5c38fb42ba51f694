-- engage 0.1.0 -> 0.2.0: ALTER EXTENSION engage UPDATE TO '0.2.0'.
-- Every change to the SQL of src/sql/ since 0.1.0 is repeated here, so that an upgraded
-- database has the objects of a fresh 0.2.0 install (test/t/install.sh and
-- test/t/upgrade.sh check it).
\echo Use "ALTER EXTENSION engage UPDATE TO '0.2.0'" to load this file. \quit

-- ==== model diagnostics: conditional P(X(t) = n), frequency/recency matrix, period transactions,
-- calibration against holdout, tracking, P(alive) paths (src/sql/90_diagnostics.sql) ====

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

-- churn_probability computed in C as the probability of the other branch, not as
-- 1 - p_alive (which rounds to 0 where p_alive is within 1e-16 of 1)
CREATE OR REPLACE FUNCTION @extschema@.churn_probability(model @extschema@.bgnbd, frequency double precision, recency double precision, age double precision)
RETURNS double precision
AS 'MODULE_PATHNAME', 'bgnbd_churn_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.churn_probability(@extschema@.bgnbd, double precision, double precision, double precision) IS '1 - p_alive: probability that the customer has churned (BG/NBD)';

CREATE OR REPLACE FUNCTION @extschema@.churn_probability(model @extschema@.mbgnbd, frequency double precision, recency double precision, age double precision)
RETURNS double precision
AS 'MODULE_PATHNAME', 'mbgnbd_churn_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.churn_probability(@extschema@.mbgnbd, double precision, double precision, double precision) IS '1 - p_alive: probability that the customer has churned (MBG/NBD)';

CREATE OR REPLACE FUNCTION @extschema@.churn_probability(model @extschema@.paretonbd, frequency double precision, recency double precision, age double precision)
RETURNS double precision
AS 'MODULE_PATHNAME', 'paretonbd_churn_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.churn_probability(@extschema@.paretonbd, double precision, double precision, double precision) IS '1 - p_alive: probability that the customer has churned (Pareto/NBD)';

CREATE OR REPLACE FUNCTION @extschema@.churn_probability(model @extschema@.bgbb, frequency integer, recency integer, n_periods integer)
RETURNS double precision
AS 'MODULE_PATHNAME', 'bgbb_churn' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.churn_probability(@extschema@.bgbb, integer, integer, integer) IS 'BG/BB probability that the customer has died by opportunity n_periods + 1: 1 - p_alive';

-- ==== calendar periods: activity_periods and period_of with whole months, in the session
-- TimeZone or a named zone (src/sql/35_activity.sql) ====

ALTER FUNCTION @extschema@.activity_periods_accum(internal, timestamptz, timestamptz, interval) STABLE;
COMMENT ON FUNCTION @extschema@.activity_periods_accum(internal, timestamptz, timestamptz, interval) IS 'transition function of engage.activity_periods: marks the period of one interaction (calendar periods in the session TimeZone)';
COMMENT ON AGGREGATE @extschema@.activity_periods(timestamptz, timestamptz, interval) IS 'periods in which a customer was active: floor((occurred_at - origin) / period) for a fixed-length period, or calendar months (quarters, years) counted from the month of origin in the session TimeZone for a period of whole months (negative before origin); NULL times are skipped, NULL when none';
ALTER FUNCTION @extschema@.period_of(timestamptz, timestamptz, interval) STABLE;
COMMENT ON FUNCTION @extschema@.period_of(timestamptz, timestamptz, interval) IS 'period index of a time, floor((occurred_at - origin) / period), or calendar months from the month of origin in the session TimeZone for a period of whole months, as used by engage.activity_periods';

-- Calendar periods in a named time zone: activity_periods and period_of with a period of whole
-- months ('1 month', '3 months', '1 year') count the calendar months of time_zone, whatever the
-- session's TimeZone (fixed-length periods do not depend on the zone).
CREATE FUNCTION @extschema@.activity_periods_accum(state internal, occurred_at timestamptz, origin timestamptz, period interval, time_zone text)
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.activity_periods_accum(internal, timestamptz, timestamptz, interval, text) IS 'transition function of engage.activity_periods with a time zone: marks the period of one interaction (calendar periods in time_zone)';

CREATE AGGREGATE @extschema@.activity_periods(occurred_at timestamptz, origin timestamptz, period interval, time_zone text) (
    SFUNC = @extschema@.activity_periods_accum,
    STYPE = internal,
    SSPACE = 112,
    COMBINEFUNC = @extschema@.activity_periods_combine,
    SERIALFUNC = @extschema@.activity_periods_serialize,
    DESERIALFUNC = @extschema@.activity_periods_deserialize,
    FINALFUNC = @extschema@.activity_periods_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.activity_periods(timestamptz, timestamptz, interval, text) IS 'periods in which a customer was active, calendar periods (whole months, quarters, years) counted from the month of origin in time_zone, independent of the session TimeZone; fixed-length periods as without time_zone';

CREATE FUNCTION @extschema@.period_of(occurred_at timestamptz, origin timestamptz, period interval, time_zone text)
RETURNS integer
AS 'MODULE_PATHNAME', 'activity_period_of_zone' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.period_of(timestamptz, timestamptz, interval, text) IS 'period index of a time as engage.activity_periods with a time zone computes it: calendar months from the month of origin in time_zone for a period of whole months';

-- ==== one lifecycle vocabulary: the stage 'dormant' (silent past dormant_after) is now
-- 'lapsed', leaving 'dormant' to the lifecycle report's PostHog status (src/sql/30_lifecycle.sql) ====

ALTER TYPE @extschema@.stage RENAME VALUE 'dormant' TO 'lapsed';
COMMENT ON TYPE @extschema@.stage IS 'customer lifecycle stage, from the most to the least engaged: new, active, reactivated, at_risk, lapsed (silent past dormant_after; called dormant in 0.1.0), churned';
COMMENT ON AGGREGATE @extschema@.lifecycle_stage_personal(timestamptz, timestamptz, interval, interval, interval) IS 'lifecycle stage with at_risk/lapsed/churned after 2/4/8 median gaps between the customer''s distinct UTC interaction days (fixed thresholds below 3 gaps); new uses the fixed active_within';
COMMENT ON AGGREGATE @extschema@.lifecycle_stage_personal(timestamptz, timestamptz, interval, interval, interval, double precision, double precision, double precision) IS 'lifecycle stage with at_risk/lapsed/churned after the given multiples of the median gap between the customer''s distinct UTC interaction days (fixed thresholds below 3 gaps)';

-- ==== funnels: a NULL step did not happen (it was an error); window_funnel_times, the step times
-- of the longest chain (src/sql/40_funnel.sql) ====

COMMENT ON AGGREGATE @extschema@.window_funnel(interval, timestamptz, boolean[]) IS 'ClickHouse windowFunnel (default mode): length of the longest chain step 1 -> ... -> step k in time order within window of its step-1 event; equal times are taken in step order; 1 to 32 steps, a NULL step did not happen, rows with a NULL time are skipped; 0 when step 1 never holds';

-- Time to convert: window_funnel_times(...) takes window_funnel's arguments (and shares its
-- transition, combine and serial functions) and returns the times at which the steps of the
-- longest chain were reached.
CREATE FUNCTION @extschema@.window_funnel_times_final(state internal)
RETURNS timestamptz[]
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.window_funnel_times_final(internal) IS 'final function of engage.window_funnel_times: the step times of the longest chain';

CREATE AGGREGATE @extschema@.window_funnel_times("window" interval, occurred_at timestamptz, VARIADIC steps boolean[]) (
    SFUNC = @extschema@.window_funnel_accum,
    STYPE = internal,
    SSPACE = 272,
    COMBINEFUNC = @extschema@.window_funnel_combine,
    SERIALFUNC = @extschema@.window_funnel_serialize,
    DESERIALFUNC = @extschema@.window_funnel_deserialize,
    FINALFUNC = @extschema@.window_funnel_times_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.window_funnel_times(interval, timestamptz, boolean[]) IS 'the times at which the steps of window_funnel''s longest chain were reached (PostHog''s time to convert): one element per step reached, {} when step 1 never holds; the chain is the first to reach the deepest step, from its latest possible step-1 event, each next step at the first time it extended that chain; NULL steps did not happen';

CREATE AGGREGATE @extschema@.window_funnel_times("window" interval, mode text, occurred_at timestamptz, VARIADIC steps boolean[]) (
    SFUNC = @extschema@.window_funnel_accum,
    STYPE = internal,
    SSPACE = 272,
    COMBINEFUNC = @extschema@.window_funnel_combine,
    SERIALFUNC = @extschema@.window_funnel_serialize,
    DESERIALFUNC = @extschema@.window_funnel_deserialize,
    FINALFUNC = @extschema@.window_funnel_times_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.window_funnel_times(interval, text, timestamptz, boolean[]) IS 'engage.window_funnel_times with window_funnel''s strict modes';

-- Fixed-arity forms window_funnel_times(window, [mode,] occurred_at, step1, ..., stepN), N = 2..8,
-- over the fixed-arity transition functions of window_funnel.
DO $fixed$
DECLARE
    steps text;
    types text;
BEGIN
    FOR n IN 2..8 LOOP
        SELECT pg_catalog.string_agg(pg_catalog.format('step%s boolean', i), ', ' ORDER BY i),
               pg_catalog.string_agg('boolean', ', ')
        INTO steps, types FROM pg_catalog.generate_series(1, n) AS i;
        EXECUTE pg_catalog.format($sql$
CREATE AGGREGATE @extschema@.window_funnel_times("window" interval, occurred_at timestamptz, %1$s) (
    SFUNC = @extschema@.window_funnel_accum,
    STYPE = internal,
    SSPACE = 272,
    COMBINEFUNC = @extschema@.window_funnel_combine,
    SERIALFUNC = @extschema@.window_funnel_serialize,
    DESERIALFUNC = @extschema@.window_funnel_deserialize,
    FINALFUNC = @extschema@.window_funnel_times_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.window_funnel_times(interval, timestamptz, %2$s) IS 'engage.window_funnel_times with %3$s steps: the same as the VARIADIC form, without an array per row';
CREATE AGGREGATE @extschema@.window_funnel_times("window" interval, mode text, occurred_at timestamptz, %1$s) (
    SFUNC = @extschema@.window_funnel_accum,
    STYPE = internal,
    SSPACE = 272,
    COMBINEFUNC = @extschema@.window_funnel_combine,
    SERIALFUNC = @extschema@.window_funnel_serialize,
    DESERIALFUNC = @extschema@.window_funnel_deserialize,
    FINALFUNC = @extschema@.window_funnel_times_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.window_funnel_times(interval, text, timestamptz, %2$s) IS 'engage.window_funnel_times with a mode and %3$s steps: the same as the VARIADIC form, without an array per row';
$sql$, steps, types, n);
    END LOOP;
END
$fixed$;

-- ==== sequences: ClickHouse's sequenceMatch and sequenceCount (src/sql/45_sequence.sql) ====

-- sequences ---------------------------------------------------------------------
-- ClickHouse's sequenceMatch and sequenceCount (src/behaviour/sequence.c gives the pattern syntax and
-- the matching).

CREATE FUNCTION @extschema@.sequence_accum(state internal, pattern text, occurred_at timestamptz, conditions boolean[])
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.sequence_accum(internal, text, timestamptz, boolean[]) IS 'transition function of engage.sequence_match and engage.sequence_count: records the time and conditions of an event that satisfies some condition';

CREATE FUNCTION @extschema@.sequence_combine(state internal, other internal)
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.sequence_combine(internal, internal) IS 'combine function of engage.sequence_match and engage.sequence_count: unites two event lists';

CREATE FUNCTION @extschema@.sequence_serialize(state internal)
RETURNS bytea
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.sequence_serialize(internal) IS 'serial function of engage.sequence_match and engage.sequence_count (versioned, length-checked)';

CREATE FUNCTION @extschema@.sequence_deserialize(state bytea, dummy internal)
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.sequence_deserialize(bytea, internal) IS 'deserial function of engage.sequence_match and engage.sequence_count';

CREATE FUNCTION @extschema@.sequence_match_final(state internal)
RETURNS boolean
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.sequence_match_final(internal) IS 'final function of engage.sequence_match: whether the pattern matches the events';

CREATE FUNCTION @extschema@.sequence_count_final(state internal)
RETURNS bigint
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.sequence_count_final(internal) IS 'final function of engage.sequence_count: the number of non-overlapping matches';

CREATE AGGREGATE @extschema@.sequence_match(pattern text, occurred_at timestamptz, VARIADIC conditions boolean[]) (
    SFUNC = @extschema@.sequence_accum,
    STYPE = internal,
    COMBINEFUNC = @extschema@.sequence_combine,
    SERIALFUNC = @extschema@.sequence_serialize,
    DESERIALFUNC = @extschema@.sequence_deserialize,
    FINALFUNC = @extschema@.sequence_match_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.sequence_match(text, timestamptz, boolean[]) IS 'ClickHouse sequenceMatch: whether the events (rows where some condition holds, in time order) match the pattern of (?N) events, .* and (?t op seconds) time conditions; 1 to 32 conditions, NULL conditions are false; false for no rows';

CREATE AGGREGATE @extschema@.sequence_count(pattern text, occurred_at timestamptz, VARIADIC conditions boolean[]) (
    SFUNC = @extschema@.sequence_accum,
    STYPE = internal,
    COMBINEFUNC = @extschema@.sequence_combine,
    SERIALFUNC = @extschema@.sequence_serialize,
    DESERIALFUNC = @extschema@.sequence_deserialize,
    FINALFUNC = @extschema@.sequence_count_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.sequence_count(text, timestamptz, boolean[]) IS 'ClickHouse sequenceCount: the number of non-overlapping matches of the pattern (as engage.sequence_match), each search starting after the last event of the previous match; 0 for no rows';

-- Fixed-arity forms sequence_match/sequence_count(pattern, occurred_at, cond1, ..., condN),
-- N = 2..8: the same aggregates without a boolean[] built for every row.
DO $fixed$
DECLARE
    conds text;
    types text;
BEGIN
    FOR n IN 2..8 LOOP
        SELECT pg_catalog.string_agg(pg_catalog.format('cond%s boolean', i), ', ' ORDER BY i),
               pg_catalog.string_agg('boolean', ', ')
        INTO conds, types FROM pg_catalog.generate_series(1, n) AS i;
        EXECUTE pg_catalog.format($sql$
CREATE FUNCTION @extschema@.sequence_accum(state internal, pattern text, occurred_at timestamptz, %1$s)
RETURNS internal
AS 'MODULE_PATHNAME', 'sequence_args_accum' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.sequence_accum(internal, text, timestamptz, %2$s) IS 'transition function of engage.sequence_match and engage.sequence_count with %3$s condition arguments';
CREATE AGGREGATE @extschema@.sequence_match(pattern text, occurred_at timestamptz, %1$s) (
    SFUNC = @extschema@.sequence_accum,
    STYPE = internal,
    COMBINEFUNC = @extschema@.sequence_combine,
    SERIALFUNC = @extschema@.sequence_serialize,
    DESERIALFUNC = @extschema@.sequence_deserialize,
    FINALFUNC = @extschema@.sequence_match_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.sequence_match(text, timestamptz, %2$s) IS 'ClickHouse sequenceMatch with %3$s conditions: the same as the VARIADIC form, without an array per row';
CREATE AGGREGATE @extschema@.sequence_count(pattern text, occurred_at timestamptz, %1$s) (
    SFUNC = @extschema@.sequence_accum,
    STYPE = internal,
    COMBINEFUNC = @extschema@.sequence_combine,
    SERIALFUNC = @extschema@.sequence_serialize,
    DESERIALFUNC = @extschema@.sequence_deserialize,
    FINALFUNC = @extschema@.sequence_count_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.sequence_count(text, timestamptz, %2$s) IS 'ClickHouse sequenceCount with %3$s conditions: the same as the VARIADIC form, without an array per row';
$sql$, conds, types, n);
    END LOOP;
END
$fixed$;

-- ==== parameter uncertainty: the covariance of every model's estimates, model constructors,
-- engage.parameters, aic, bic, prediction intervals (src/sql/6x-80 model types, src/sql/86_uncertainty.sql) ====

ALTER TYPE @extschema@.bgnbd ADD ATTRIBUTE covariance double precision[];
COMMENT ON TYPE @extschema@.bgnbd IS 'BG/NBD model: purchase rate ~ Gamma(r, alpha), dropout probability ~ Beta(a, b); loglik = log-likelihood of the fitted sample, customers = its summed weight, converged = optimiser converged; covariance = covariance matrix of the parameter estimates (natural scale, rows and columns in parameter order; NULL when unknown)';

CREATE FUNCTION @extschema@.bgnbd(r double precision, alpha double precision, a double precision, b double precision)
RETURNS @extschema@.bgnbd
AS 'MODULE_PATHNAME', 'btyd_model_construct' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.bgnbd(double precision, double precision, double precision, double precision) IS 'a BG/NBD model of the given parameters (not fitted: loglik, customers and covariance NULL, converged true); errors unless every parameter is a positive finite number';

ALTER TYPE @extschema@.mbgnbd ADD ATTRIBUTE covariance double precision[];
COMMENT ON TYPE @extschema@.mbgnbd IS 'MBG/NBD model: purchase rate ~ Gamma(r, alpha), dropout probability ~ Beta(a, b), dropout possible right after the first purchase; loglik = log-likelihood of the fitted sample, customers = its summed weight, converged = optimiser converged; covariance = covariance matrix of the parameter estimates (natural scale, rows and columns in parameter order; NULL when unknown)';

CREATE FUNCTION @extschema@.mbgnbd(r double precision, alpha double precision, a double precision, b double precision)
RETURNS @extschema@.mbgnbd
AS 'MODULE_PATHNAME', 'btyd_model_construct' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.mbgnbd(double precision, double precision, double precision, double precision) IS 'a MBG/NBD model of the given parameters (not fitted: loglik, customers and covariance NULL, converged true); errors unless every parameter is a positive finite number';

ALTER TYPE @extschema@.paretonbd ADD ATTRIBUTE covariance double precision[];
COMMENT ON TYPE @extschema@.paretonbd IS 'Pareto/NBD model: purchase rate ~ Gamma(r, alpha), dropout rate ~ Gamma(s, beta); loglik = log-likelihood of the fitted sample, customers = its summed weight, converged = optimiser converged; covariance = covariance matrix of the parameter estimates (natural scale, rows and columns in parameter order; NULL when unknown)';

CREATE FUNCTION @extschema@.paretonbd(r double precision, alpha double precision, s double precision, beta double precision)
RETURNS @extschema@.paretonbd
AS 'MODULE_PATHNAME', 'btyd_model_construct' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.paretonbd(double precision, double precision, double precision, double precision) IS 'a Pareto/NBD model of the given parameters (not fitted: loglik, customers and covariance NULL, converged true); errors unless every parameter is a positive finite number';

ALTER TYPE @extschema@.bgbb ADD ATTRIBUTE covariance double precision[];
COMMENT ON TYPE @extschema@.bgbb IS 'fitted BG/BB model: transaction probability p ~ Beta(alpha, beta), dropout probability theta ~ Beta(gamma, delta) per opportunity; log-likelihood, customers (summed weight) and convergence of the fit; covariance = covariance matrix of the parameter estimates (natural scale, rows and columns in parameter order; NULL when unknown)';

CREATE FUNCTION @extschema@.bgbb(alpha double precision, beta double precision, gamma double precision, delta double precision)
RETURNS @extschema@.bgbb
AS 'MODULE_PATHNAME', 'btyd_model_construct' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.bgbb(double precision, double precision, double precision, double precision) IS 'a BG/BB model of the given parameters (not fitted: loglik, customers and covariance NULL, converged true); errors unless every parameter is a positive finite number';

ALTER TYPE @extschema@.gammagamma ADD ATTRIBUTE covariance double precision[];
COMMENT ON TYPE @extschema@.gammagamma IS 'fitted Gamma-Gamma spend model: transaction values ~ Gamma(p, nu), nu ~ Gamma(q, v); log-likelihood, customers (summed weight of those with repeat transactions) and convergence of the fit; covariance = covariance matrix of the parameter estimates (natural scale, rows and columns in parameter order; NULL when unknown)';

CREATE FUNCTION @extschema@.gammagamma(p double precision, q double precision, v double precision)
RETURNS @extschema@.gammagamma
AS 'MODULE_PATHNAME', 'btyd_model_construct' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.gammagamma(double precision, double precision, double precision) IS 'a Gamma-Gamma model of the given parameters (not fitted: loglik, customers and covariance NULL, converged true); errors unless every parameter is a positive finite number';

ALTER TYPE @extschema@.sbg ADD ATTRIBUTE covariance double precision[];
COMMENT ON TYPE @extschema@.sbg IS 'fitted shifted Beta-Geometric retention model: churn probability per period theta ~ Beta(alpha, beta); log-likelihood, customers (summed weight) and convergence of the fit; covariance = covariance matrix of the parameter estimates (natural scale, rows and columns in parameter order; NULL when unknown)';

CREATE FUNCTION @extschema@.sbg(alpha double precision, beta double precision)
RETURNS @extschema@.sbg
AS 'MODULE_PATHNAME', 'btyd_model_construct' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.sbg(double precision, double precision) IS 'a sBG model of the given parameters (not fitted: loglik, customers and covariance NULL, converged true); errors unless every parameter is a positive finite number';

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
RETURN 2.0 * 4 - 2.0 * (model).loglik;
COMMENT ON FUNCTION @extschema@.aic(@extschema@.bgnbd) IS 'Akaike information criterion of the BG/NBD fit: 2 k - 2 loglik with k = 4 parameters; NULL when loglik is';

CREATE FUNCTION @extschema@.bic(model @extschema@.bgnbd)
RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN 4 * ln((model).customers) - 2.0 * (model).loglik;
COMMENT ON FUNCTION @extschema@.bic(@extschema@.bgnbd) IS 'Bayesian information criterion of the BG/NBD fit: k ln(customers) - 2 loglik with k = 4 parameters and customers the summed weight of the sample; NULL when loglik or customers is';

CREATE FUNCTION @extschema@.parameters(model @extschema@.mbgnbd, level double precision DEFAULT 0.95)
RETURNS TABLE (parameter text, estimate double precision, std_error double precision, lower double precision, upper double precision)
AS 'MODULE_PATHNAME', 'btyd_parameters' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 4;
COMMENT ON FUNCTION @extschema@.parameters(@extschema@.mbgnbd, double precision) IS 'the MBG/NBD parameters in order (r, alpha, a, b) with standard errors from the fit''s covariance and Wald bounds estimate -+ z SE of the given level (z = 1.96 at 0.95); std_error and bounds NULL when the covariance is unknown';

CREATE FUNCTION @extschema@.aic(model @extschema@.mbgnbd)
RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN 2.0 * 4 - 2.0 * (model).loglik;
COMMENT ON FUNCTION @extschema@.aic(@extschema@.mbgnbd) IS 'Akaike information criterion of the MBG/NBD fit: 2 k - 2 loglik with k = 4 parameters; NULL when loglik is';

CREATE FUNCTION @extschema@.bic(model @extschema@.mbgnbd)
RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN 4 * ln((model).customers) - 2.0 * (model).loglik;
COMMENT ON FUNCTION @extschema@.bic(@extschema@.mbgnbd) IS 'Bayesian information criterion of the MBG/NBD fit: k ln(customers) - 2 loglik with k = 4 parameters and customers the summed weight of the sample; NULL when loglik or customers is';

CREATE FUNCTION @extschema@.parameters(model @extschema@.paretonbd, level double precision DEFAULT 0.95)
RETURNS TABLE (parameter text, estimate double precision, std_error double precision, lower double precision, upper double precision)
AS 'MODULE_PATHNAME', 'btyd_parameters' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 4;
COMMENT ON FUNCTION @extschema@.parameters(@extschema@.paretonbd, double precision) IS 'the Pareto/NBD parameters in order (r, alpha, s, beta) with standard errors from the fit''s covariance and Wald bounds estimate -+ z SE of the given level (z = 1.96 at 0.95); std_error and bounds NULL when the covariance is unknown';

CREATE FUNCTION @extschema@.aic(model @extschema@.paretonbd)
RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN 2.0 * 4 - 2.0 * (model).loglik;
COMMENT ON FUNCTION @extschema@.aic(@extschema@.paretonbd) IS 'Akaike information criterion of the Pareto/NBD fit: 2 k - 2 loglik with k = 4 parameters; NULL when loglik is';

CREATE FUNCTION @extschema@.bic(model @extschema@.paretonbd)
RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN 4 * ln((model).customers) - 2.0 * (model).loglik;
COMMENT ON FUNCTION @extschema@.bic(@extschema@.paretonbd) IS 'Bayesian information criterion of the Pareto/NBD fit: k ln(customers) - 2 loglik with k = 4 parameters and customers the summed weight of the sample; NULL when loglik or customers is';

CREATE FUNCTION @extschema@.parameters(model @extschema@.bgbb, level double precision DEFAULT 0.95)
RETURNS TABLE (parameter text, estimate double precision, std_error double precision, lower double precision, upper double precision)
AS 'MODULE_PATHNAME', 'btyd_parameters' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 4;
COMMENT ON FUNCTION @extschema@.parameters(@extschema@.bgbb, double precision) IS 'the BG/BB parameters in order (alpha, beta, gamma, delta) with standard errors from the fit''s covariance and Wald bounds estimate -+ z SE of the given level (z = 1.96 at 0.95); std_error and bounds NULL when the covariance is unknown';

CREATE FUNCTION @extschema@.aic(model @extschema@.bgbb)
RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN 2.0 * 4 - 2.0 * (model).loglik;
COMMENT ON FUNCTION @extschema@.aic(@extschema@.bgbb) IS 'Akaike information criterion of the BG/BB fit: 2 k - 2 loglik with k = 4 parameters; NULL when loglik is';

CREATE FUNCTION @extschema@.bic(model @extschema@.bgbb)
RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN 4 * ln((model).customers) - 2.0 * (model).loglik;
COMMENT ON FUNCTION @extschema@.bic(@extschema@.bgbb) IS 'Bayesian information criterion of the BG/BB fit: k ln(customers) - 2 loglik with k = 4 parameters and customers the summed weight of the sample; NULL when loglik or customers is';

CREATE FUNCTION @extschema@.parameters(model @extschema@.gammagamma, level double precision DEFAULT 0.95)
RETURNS TABLE (parameter text, estimate double precision, std_error double precision, lower double precision, upper double precision)
AS 'MODULE_PATHNAME', 'btyd_parameters' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 3;
COMMENT ON FUNCTION @extschema@.parameters(@extschema@.gammagamma, double precision) IS 'the Gamma-Gamma parameters in order (p, q, v) with standard errors from the fit''s covariance and Wald bounds estimate -+ z SE of the given level (z = 1.96 at 0.95); std_error and bounds NULL when the covariance is unknown';

CREATE FUNCTION @extschema@.aic(model @extschema@.gammagamma)
RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN 2.0 * 3 - 2.0 * (model).loglik;
COMMENT ON FUNCTION @extschema@.aic(@extschema@.gammagamma) IS 'Akaike information criterion of the Gamma-Gamma fit: 2 k - 2 loglik with k = 3 parameters; NULL when loglik is';

CREATE FUNCTION @extschema@.bic(model @extschema@.gammagamma)
RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN 3 * ln((model).customers) - 2.0 * (model).loglik;
COMMENT ON FUNCTION @extschema@.bic(@extschema@.gammagamma) IS 'Bayesian information criterion of the Gamma-Gamma fit: k ln(customers) - 2 loglik with k = 3 parameters and customers the summed weight of the sample; NULL when loglik or customers is';

CREATE FUNCTION @extschema@.parameters(model @extschema@.sbg, level double precision DEFAULT 0.95)
RETURNS TABLE (parameter text, estimate double precision, std_error double precision, lower double precision, upper double precision)
AS 'MODULE_PATHNAME', 'btyd_parameters' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 2;
COMMENT ON FUNCTION @extschema@.parameters(@extschema@.sbg, double precision) IS 'the sBG parameters in order (alpha, beta) with standard errors from the fit''s covariance and Wald bounds estimate -+ z SE of the given level (z = 1.96 at 0.95); std_error and bounds NULL when the covariance is unknown';

CREATE FUNCTION @extschema@.aic(model @extschema@.sbg)
RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN 2.0 * 2 - 2.0 * (model).loglik;
COMMENT ON FUNCTION @extschema@.aic(@extschema@.sbg) IS 'Akaike information criterion of the sBG fit: 2 k - 2 loglik with k = 2 parameters; NULL when loglik is';

CREATE FUNCTION @extschema@.bic(model @extschema@.sbg)
RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN 2 * ln((model).customers) - 2.0 * (model).loglik;
COMMENT ON FUNCTION @extschema@.bic(@extschema@.sbg) IS 'Bayesian information criterion of the sBG fit: k ln(customers) - 2 loglik with k = 2 parameters and customers the summed weight of the sample; NULL when loglik or customers is';

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

-- order inputs: rows without an amount, refunds, event tables, classic RFM, quintile scores ----

COMMENT ON TYPE @extschema@.rfm IS 'customer summary: repeat purchase days (frequency), first to last purchase day (recency), first purchase day to as_of (age), mean net amount of the repeat purchase days with a positive one (monetary; 0 when none, NULL without amounts)';
COMMENT ON AGGREGATE @extschema@.rfm(timestamptz, double precision, timestamptz, interval) IS 'customer summary (frequency, recency, age, monetary) of purchases by calendar day up to the day of as_of, times in units; a row with a NULL amount is a purchase without an amount, a day whose amounts net below 0 is no purchase day; rows with another NULL are skipped; NULL when no purchase is up to as_of';
COMMENT ON AGGREGATE @extschema@.rfm(timestamptz, double precision, timestamptz, interval, text) IS 'customer summary (frequency, recency, age, monetary) of purchases by calendar day of time_zone up to the day of as_of, times in units; independent of the session TimeZone; amounts as in engage.rfm(timestamptz, double precision, timestamptz, interval)';

-- The same of event tables without amounts: every row counts for its day (frequency, recency,
-- age and the holdout purchase days); monetary and holdout_monetary are NULL.
CREATE FUNCTION @extschema@.rfm_events_accum(state internal, occurred_at timestamptz,
                                             as_of timestamptz, unit interval)
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.rfm_events_accum(internal, timestamptz, timestamptz, interval) IS 'transition function of engage.rfm without amounts: adds one event (its calendar day in the session TimeZone)';

CREATE FUNCTION @extschema@.rfm_events_accum(state internal, occurred_at timestamptz,
                                             as_of timestamptz, unit interval, time_zone text)
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.rfm_events_accum(internal, timestamptz, timestamptz, interval, text) IS 'transition function of engage.rfm without amounts, with a time zone: adds one event (its calendar day in time_zone)';

CREATE FUNCTION @extschema@.rfm_holdout_events_accum(state internal, occurred_at timestamptz,
                                                     calibration_end timestamptz, holdout_end timestamptz,
                                                     unit interval)
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.rfm_holdout_events_accum(internal, timestamptz, timestamptz, timestamptz, interval) IS 'transition function of engage.rfm_holdout without amounts: adds one event (its calendar day in the session TimeZone)';

CREATE FUNCTION @extschema@.rfm_holdout_events_accum(state internal, occurred_at timestamptz,
                                                     calibration_end timestamptz, holdout_end timestamptz,
                                                     unit interval, time_zone text)
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.rfm_holdout_events_accum(internal, timestamptz, timestamptz, timestamptz, interval, text) IS 'transition function of engage.rfm_holdout without amounts, with a time zone: adds one event (its calendar day in time_zone)';

CREATE AGGREGATE @extschema@.rfm(occurred_at timestamptz, as_of timestamptz, unit interval) (
    SFUNC = @extschema@.rfm_events_accum,
    STYPE = internal,
    SSPACE = 152,
    COMBINEFUNC = @extschema@.rfm_combine,
    SERIALFUNC = @extschema@.rfm_serialize,
    DESERIALFUNC = @extschema@.rfm_deserialize,
    FINALFUNC = @extschema@.rfm_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.rfm(timestamptz, timestamptz, interval) IS 'customer summary of an event table without amounts: every event day up to the day of as_of is a purchase day, monetary is NULL; NULL when no event is up to as_of';

CREATE AGGREGATE @extschema@.rfm(occurred_at timestamptz, as_of timestamptz, unit interval, time_zone text) (
    SFUNC = @extschema@.rfm_events_accum,
    STYPE = internal,
    SSPACE = 152,
    COMBINEFUNC = @extschema@.rfm_combine,
    SERIALFUNC = @extschema@.rfm_serialize,
    DESERIALFUNC = @extschema@.rfm_deserialize,
    FINALFUNC = @extschema@.rfm_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.rfm(timestamptz, timestamptz, interval, text) IS 'engage.rfm of an event table without amounts, by calendar days of time_zone';

CREATE AGGREGATE @extschema@.rfm_holdout(occurred_at timestamptz, calibration_end timestamptz,
                                         holdout_end timestamptz, unit interval) (
    SFUNC = @extschema@.rfm_holdout_events_accum,
    STYPE = internal,
    SSPACE = 152,
    COMBINEFUNC = @extschema@.rfm_combine,
    SERIALFUNC = @extschema@.rfm_serialize,
    DESERIALFUNC = @extschema@.rfm_deserialize,
    FINALFUNC = @extschema@.rfm_holdout_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.rfm_holdout(timestamptz, timestamptz, timestamptz, interval) IS 'engage.rfm_holdout of an event table without amounts: monetary and holdout_monetary NULL';

CREATE AGGREGATE @extschema@.rfm_holdout(occurred_at timestamptz, calibration_end timestamptz,
                                         holdout_end timestamptz, unit interval, time_zone text) (
    SFUNC = @extschema@.rfm_holdout_events_accum,
    STYPE = internal,
    SSPACE = 152,
    COMBINEFUNC = @extschema@.rfm_combine,
    SERIALFUNC = @extschema@.rfm_serialize,
    DESERIALFUNC = @extschema@.rfm_deserialize,
    FINALFUNC = @extschema@.rfm_holdout_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.rfm_holdout(timestamptz, timestamptz, timestamptz, interval, text) IS 'engage.rfm_holdout of an event table without amounts, by calendar days of time_zone';

-- classic RFM --------------------------------------------------------------

CREATE TYPE @extschema@.rfm_classic AS (
    first_purchase date,
    last_purchase date,
    purchase_days integer,
    total_spend double precision,
    mean_spend double precision,
    since_last_purchase double precision
);
COMMENT ON TYPE @extschema@.rfm_classic IS 'classic RFM inputs: first and last purchase day, number of purchase days, total net spend (first purchase included), mean spend per purchase day with an amount, and time from the last purchase day to as_of';

CREATE FUNCTION @extschema@.rfm_classic_final(state internal)
RETURNS @extschema@.rfm_classic
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.rfm_classic_final(internal) IS 'final function of engage.rfm_classic';

CREATE AGGREGATE @extschema@.rfm_classic(occurred_at timestamptz, amount double precision,
                                         as_of timestamptz, unit interval) (
    SFUNC = @extschema@.rfm_accum,
    STYPE = internal,
    SSPACE = 152,
    COMBINEFUNC = @extschema@.rfm_combine,
    SERIALFUNC = @extschema@.rfm_serialize,
    DESERIALFUNC = @extschema@.rfm_deserialize,
    FINALFUNC = @extschema@.rfm_classic_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.rfm_classic(timestamptz, double precision, timestamptz, interval) IS 'classic RFM inputs of purchases by calendar day up to the day of as_of (purchase days and amounts as in engage.rfm), times in units; NULL when no purchase is up to as_of';

CREATE AGGREGATE @extschema@.rfm_classic(occurred_at timestamptz, amount double precision,
                                         as_of timestamptz, unit interval, time_zone text) (
    SFUNC = @extschema@.rfm_accum,
    STYPE = internal,
    SSPACE = 152,
    COMBINEFUNC = @extschema@.rfm_combine,
    SERIALFUNC = @extschema@.rfm_serialize,
    DESERIALFUNC = @extschema@.rfm_deserialize,
    FINALFUNC = @extschema@.rfm_classic_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.rfm_classic(timestamptz, double precision, timestamptz, interval, text) IS 'engage.rfm_classic by calendar days of time_zone, independent of the session TimeZone';

CREATE FUNCTION @extschema@.quintile(rank bigint, total bigint)
RETURNS integer
AS 'MODULE_PATHNAME', 'rfm_quintile' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.quintile(bigint, bigint) IS 'tie-safe quintile score 1-5 of rank (as rank() gives: ties share the lowest) among total rows: 1 + floor(5 * (rank - 1) / total)';

COMMENT ON AGGREGATE @extschema@.gammagamma_fit(double precision, double precision) IS 'maximum-likelihood Gamma-Gamma fit of customers with frequency repeat transactions of mean value monetary; customers with frequency 0 and rows with a NULL are skipped, those with monetary <= 0 skipped with a notice giving their number; NULL when no customer has a repeat transaction';
COMMENT ON AGGREGATE @extschema@.gammagamma_fit(@extschema@.rfm) IS 'fits the Gamma-Gamma spend model to the frequency and monetary of engage.rfm summaries; summaries with frequency 0 and NULL summaries are skipped, those with monetary <= 0 (or NULL) skipped, with a notice giving their number when <= 0';
COMMENT ON AGGREGATE @extschema@.gammagamma_fit(@extschema@.rfm, double precision) IS 'fits the Gamma-Gamma spend model to the frequency and monetary of engage.rfm summaries with a weight per row; summaries with frequency 0 and NULL summaries are skipped, those with monetary <= 0 (or NULL) skipped, with a notice giving their number when <= 0';

-- incremental purchase summaries: engage.purchases -------------------------------------

CREATE TYPE @extschema@.purchases;

CREATE FUNCTION @extschema@.purchases_in(cstring)
RETURNS @extschema@.purchases
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.purchases_in(cstring) IS 'text input of engage.purchases: a time zone, then {YYYY-MM-DD:net amount[?],...} ascending, ? marking a day with an order without an amount';

CREATE FUNCTION @extschema@.purchases_out(@extschema@.purchases)
RETURNS cstring
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.purchases_out(@extschema@.purchases) IS 'text output of engage.purchases';

CREATE FUNCTION @extschema@.purchases_recv(internal)
RETURNS @extschema@.purchases
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.purchases_recv(internal) IS 'binary input of engage.purchases';

CREATE FUNCTION @extschema@.purchases_send(@extschema@.purchases)
RETURNS bytea
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.purchases_send(@extschema@.purchases) IS 'binary output of engage.purchases';

CREATE TYPE @extschema@.purchases (
    INPUT = @extschema@.purchases_in,
    OUTPUT = @extschema@.purchases_out,
    RECEIVE = @extschema@.purchases_recv,
    SEND = @extschema@.purchases_send,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = double,
    STORAGE = extended
);
COMMENT ON TYPE @extschema@.purchases IS 'a customer''s purchase days (net amount, and whether an order without an amount fell on each) in one time zone, kept up to date one order at a time; engage.rfm(purchases, as_of, unit) reads the summary as of any time';

CREATE FUNCTION @extschema@.purchases_add(state @extschema@.purchases, occurred_at timestamptz,
                                          amount double precision, time_zone text)
RETURNS @extschema@.purchases
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.purchases_add(@extschema@.purchases, timestamptz, double precision, text) IS 'state with one more order on its calendar day in time_zone (a new state when state is NULL; a NULL amount is an order without an amount; a NULL occurred_at or time_zone leaves state unchanged); time_zone must be the state''s';

CREATE FUNCTION @extschema@.rfm(state @extschema@.purchases, as_of timestamptz, unit interval)
RETURNS @extschema@.rfm
AS 'MODULE_PATHNAME', 'purchases_rfm' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.rfm(@extschema@.purchases, timestamptz, interval) IS 'customer summary of the purchase days of state up to the day of as_of (in the state''s time zone), times in units: equal to engage.rfm(occurred_at, amount, as_of, unit, time_zone) over the same orders; NULL when no purchase is up to as_of';

CREATE FUNCTION @extschema@.purchases_accum(state internal, occurred_at timestamptz,
                                            amount double precision, time_zone text)
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.purchases_accum(internal, timestamptz, double precision, text) IS 'transition function of engage.purchases: adds one order';

CREATE FUNCTION @extschema@.purchases_combine(state internal, other internal)
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.purchases_combine(internal, internal) IS 'combine function of engage.purchases';

CREATE FUNCTION @extschema@.purchases_serialize(state internal)
RETURNS bytea
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.purchases_serialize(internal) IS 'serial function of engage.purchases';

CREATE FUNCTION @extschema@.purchases_deserialize(bytes bytea, dummy internal)
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.purchases_deserialize(bytea, internal) IS 'deserial function of engage.purchases';

CREATE FUNCTION @extschema@.purchases_final(state internal)
RETURNS @extschema@.purchases
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.purchases_final(internal) IS 'final function of engage.purchases';

CREATE AGGREGATE @extschema@.purchases(occurred_at timestamptz, amount double precision, time_zone text) (
    SFUNC = @extschema@.purchases_accum,
    STYPE = internal,
    COMBINEFUNC = @extschema@.purchases_combine,
    SERIALFUNC = @extschema@.purchases_serialize,
    DESERIALFUNC = @extschema@.purchases_deserialize,
    FINALFUNC = @extschema@.purchases_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.purchases(timestamptz, double precision, text) IS 'the engage.purchases state of a customer''s order history (days of time_zone), to be kept up to date with engage.purchases_add; rows with a NULL time or zone are skipped; NULL when there are none';

-- ==== CLV prediction intervals (src/sql/86_uncertainty.sql) and the bootstrap of the counting
-- models (src/sql/87_bootstrap.sql) ====

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


CREATE FUNCTION @extschema@.fitdata_resample(sample @extschema@.fitdata, seed bigint)
RETURNS @extschema@.fitdata
AS 'MODULE_PATHNAME', 'fitdata_resample' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.fitdata_resample(@extschema@.fitdata, bigint) IS 'a bootstrap sample: as many customers as the sample holds, drawn uniformly with replacement (weights must be whole numbers, counting customers); the same for the same seed';

CREATE FUNCTION @extschema@.bgnbd_bootstrap(sample @extschema@.fitdata, replicates integer, seed bigint)
RETURNS SETOF @extschema@.bgnbd
AS 'MODULE_PATHNAME', 'bgnbd_bootstrap' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 1000000 ROWS 100;
COMMENT ON FUNCTION @extschema@.bgnbd_bootstrap(@extschema@.fitdata, integer, bigint) IS 'nonparametric bootstrap of the BG/NBD fit: replicates refits, each to the sample''s customers resampled with replacement (weights must be whole numbers); warm-started from the whole sample''s fit, without covariance; a replicate that did not converge has converged = false; the same for the same seed';

CREATE FUNCTION @extschema@.bgnbd_bootstrap(sample @extschema@.fitdata, replicates integer, seed bigint, penalizer double precision)
RETURNS SETOF @extschema@.bgnbd
AS 'MODULE_PATHNAME', 'bgnbd_bootstrap' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 1000000 ROWS 100;
COMMENT ON FUNCTION @extschema@.bgnbd_bootstrap(@extschema@.fitdata, integer, bigint, double precision) IS 'nonparametric bootstrap of the BG/NBD fit with an L2 penalizer';

CREATE FUNCTION @extschema@.mbgnbd_bootstrap(sample @extschema@.fitdata, replicates integer, seed bigint)
RETURNS SETOF @extschema@.mbgnbd
AS 'MODULE_PATHNAME', 'mbgnbd_bootstrap' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 1000000 ROWS 100;
COMMENT ON FUNCTION @extschema@.mbgnbd_bootstrap(@extschema@.fitdata, integer, bigint) IS 'nonparametric bootstrap of the MBG/NBD fit: replicates refits, each to the sample''s customers resampled with replacement (weights must be whole numbers); warm-started from the whole sample''s fit, without covariance; a replicate that did not converge has converged = false; the same for the same seed';

CREATE FUNCTION @extschema@.mbgnbd_bootstrap(sample @extschema@.fitdata, replicates integer, seed bigint, penalizer double precision)
RETURNS SETOF @extschema@.mbgnbd
AS 'MODULE_PATHNAME', 'mbgnbd_bootstrap' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 1000000 ROWS 100;
COMMENT ON FUNCTION @extschema@.mbgnbd_bootstrap(@extschema@.fitdata, integer, bigint, double precision) IS 'nonparametric bootstrap of the MBG/NBD fit with an L2 penalizer';

CREATE FUNCTION @extschema@.paretonbd_bootstrap(sample @extschema@.fitdata, replicates integer, seed bigint)
RETURNS SETOF @extschema@.paretonbd
AS 'MODULE_PATHNAME', 'paretonbd_bootstrap' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 1000000 ROWS 100;
COMMENT ON FUNCTION @extschema@.paretonbd_bootstrap(@extschema@.fitdata, integer, bigint) IS 'nonparametric bootstrap of the Pareto/NBD fit: replicates refits, each to the sample''s customers resampled with replacement (weights must be whole numbers); warm-started from the whole sample''s fit, without covariance; a replicate that did not converge has converged = false; the same for the same seed';

CREATE FUNCTION @extschema@.paretonbd_bootstrap(sample @extschema@.fitdata, replicates integer, seed bigint, penalizer double precision)
RETURNS SETOF @extschema@.paretonbd
AS 'MODULE_PATHNAME', 'paretonbd_bootstrap' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 1000000 ROWS 100;
COMMENT ON FUNCTION @extschema@.paretonbd_bootstrap(@extschema@.fitdata, integer, bigint, double precision) IS 'nonparametric bootstrap of the Pareto/NBD fit with an L2 penalizer';

-- ==== static covariates in the counting models (Fader & Hardie 2007; src/sql/60_fitdata.sql,
-- 61_bgnbd.sql, 62_mbgnbd.sql, 63_paretonbd.sql, 85_clv.sql, 86_uncertainty.sql) ====
-- The model types gain the coefficient arrays (NULL for the models stored before, which have no
-- covariates).

ALTER TYPE @extschema@.bgnbd ADD ATTRIBUTE purchase_coefficients double precision[], ADD ATTRIBUTE dropout_coefficients double precision[];
ALTER TYPE @extschema@.mbgnbd ADD ATTRIBUTE purchase_coefficients double precision[], ADD ATTRIBUTE dropout_coefficients double precision[];
ALTER TYPE @extschema@.paretonbd ADD ATTRIBUTE purchase_coefficients double precision[], ADD ATTRIBUTE dropout_coefficients double precision[];
COMMENT ON TYPE @extschema@.bgnbd IS 'BG/NBD model: purchase rate ~ Gamma(r, alpha), dropout probability ~ Beta(a, b); with covariates alpha_i = alpha exp(-purchase_coefficients . x_i), a_i = a exp(dropout_coefficients . z_i), b_i = b exp(dropout_coefficients . z_i); loglik = log-likelihood of the fitted sample, customers = its summed weight, converged = optimiser converged; covariance = covariance matrix of the estimates (natural scale, rows and columns in the order of the parameters, then the purchase coefficients, then the dropout coefficients; NULL when unknown); purchase_coefficients, dropout_coefficients = the coefficients of the customer''s purchase and dropout covariates (Fader & Hardie 2007; NULL without covariates)';
COMMENT ON TYPE @extschema@.mbgnbd IS 'MBG/NBD model: purchase rate ~ Gamma(r, alpha), dropout probability ~ Beta(a, b), dropout possible at the first purchase; with covariates alpha_i = alpha exp(-purchase_coefficients . x_i), a_i = a exp(dropout_coefficients . z_i), b_i = b exp(dropout_coefficients . z_i); loglik = log-likelihood of the fitted sample, customers = its summed weight, converged = optimiser converged; covariance = covariance matrix of the estimates (natural scale, rows and columns in the order of the parameters, then the purchase coefficients, then the dropout coefficients; NULL when unknown); purchase_coefficients, dropout_coefficients = the coefficients of the customer''s purchase and dropout covariates (Fader & Hardie 2007; NULL without covariates)';
COMMENT ON TYPE @extschema@.paretonbd IS 'Pareto/NBD model: purchase rate ~ Gamma(r, alpha), dropout rate ~ Gamma(s, beta); with covariates alpha_i = alpha exp(-purchase_coefficients . x_i), beta_i = beta exp(-dropout_coefficients . z_i); loglik = log-likelihood of the fitted sample, customers = its summed weight, converged = optimiser converged; covariance = covariance matrix of the estimates (natural scale, rows and columns in the order of the parameters, then the purchase coefficients, then the dropout coefficients; NULL when unknown); purchase_coefficients, dropout_coefficients = the coefficients of the customer''s purchase and dropout covariates (Fader & Hardie 2007; NULL without covariates)';

-- constructors of models with covariates

CREATE FUNCTION @extschema@.bgnbd(r double precision, alpha double precision, a double precision, b double precision, purchase_coefficients double precision[], dropout_coefficients double precision[])
RETURNS @extschema@.bgnbd
AS 'MODULE_PATHNAME', 'btyd_model_construct' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.bgnbd(double precision, double precision, double precision, double precision, double precision[], double precision[]) IS 'a BG/NBD model with static covariates of the given parameters and coefficients (not fitted: loglik, customers and covariance NULL, converged true); errors unless every parameter is a positive finite number and the coefficients at most 8 finite numbers each';

CREATE FUNCTION @extschema@.mbgnbd(r double precision, alpha double precision, a double precision, b double precision, purchase_coefficients double precision[], dropout_coefficients double precision[])
RETURNS @extschema@.mbgnbd
AS 'MODULE_PATHNAME', 'btyd_model_construct' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.mbgnbd(double precision, double precision, double precision, double precision, double precision[], double precision[]) IS 'a MBG/NBD model with static covariates of the given parameters and coefficients (not fitted: loglik, customers and covariance NULL, converged true); errors unless every parameter is a positive finite number and the coefficients at most 8 finite numbers each';

CREATE FUNCTION @extschema@.paretonbd(r double precision, alpha double precision, s double precision, beta double precision, purchase_coefficients double precision[], dropout_coefficients double precision[])
RETURNS @extschema@.paretonbd
AS 'MODULE_PATHNAME', 'btyd_model_construct' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.paretonbd(double precision, double precision, double precision, double precision, double precision[], double precision[]) IS 'a Pareto/NBD model with static covariates of the given parameters and coefficients (not fitted: loglik, customers and covariance NULL, converged true); errors unless every parameter is a positive finite number and the coefficients at most 8 finite numbers each';

-- customer summaries with static covariates (Fader & Hardie 2007) ------------------

CREATE FUNCTION @extschema@.btyd_fit_accum_cov(internal, double precision, double precision, double precision, double precision[], double precision[])
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.btyd_fit_accum_cov(internal, double precision, double precision, double precision, double precision[], double precision[]) IS 'transition function of the counting-model fit aggregates with covariates: adds (frequency, recency, age, purchase covariates, dropout covariates)';

CREATE FUNCTION @extschema@.btyd_fit_accum_cov(internal, double precision, double precision, double precision, double precision[], double precision[], double precision)
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.btyd_fit_accum_cov(internal, double precision, double precision, double precision, double precision[], double precision[], double precision) IS 'transition function of the counting-model fit aggregates with covariates: adds (frequency, recency, age, purchase covariates, dropout covariates) with a weight';

CREATE FUNCTION @extschema@.btyd_fit_accum_cov(internal, double precision, double precision, double precision, double precision[], double precision[], double precision, double precision)
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.btyd_fit_accum_cov(internal, double precision, double precision, double precision, double precision[], double precision[], double precision, double precision) IS 'transition function of the counting-model fit aggregates with covariates: adds (frequency, recency, age, purchase covariates, dropout covariates) with a weight and a penalizer';

CREATE AGGREGATE @extschema@.fitdata(frequency double precision, recency double precision, age double precision, purchase_covariates double precision[], dropout_covariates double precision[]) (
    SFUNC = @extschema@.btyd_fit_accum_cov,
    STYPE = internal,
    FINALFUNC = @extschema@.fitdata_final,
    COMBINEFUNC = @extschema@.fitdata_combine,
    SERIALFUNC = @extschema@.fitdata_serialize,
    DESERIALFUNC = @extschema@.fitdata_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.fitdata(double precision, double precision, double precision, double precision[], double precision[]) IS 'the compressed sample of customer summaries with their purchase and dropout covariate vectors (the same lengths on every row, either may be empty; rows with a NULL are skipped), to store, merge, and fit with engage.paretonbd_fit(fitdata) etc.';

CREATE AGGREGATE @extschema@.fitdata(frequency double precision, recency double precision, age double precision, purchase_covariates double precision[], dropout_covariates double precision[], weight double precision) (
    SFUNC = @extschema@.btyd_fit_accum_cov,
    STYPE = internal,
    FINALFUNC = @extschema@.fitdata_final,
    COMBINEFUNC = @extschema@.fitdata_combine,
    SERIALFUNC = @extschema@.fitdata_serialize,
    DESERIALFUNC = @extschema@.fitdata_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.fitdata(double precision, double precision, double precision, double precision[], double precision[], double precision) IS 'the compressed sample of customer summaries with covariates, each row counting weight customers';

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

-- MBG/NBD with static covariates: alpha_i = alpha exp(-gamma'x_i), a_i = a exp(delta'z_i), b_i = b exp(delta'z_i) (Fader & Hardie 2007).

CREATE AGGREGATE @extschema@.mbgnbd_fit(frequency double precision, recency double precision, age double precision, purchase_covariates double precision[], dropout_covariates double precision[]) (
    SFUNC = @extschema@.btyd_fit_accum_cov,
    STYPE = internal,
    FINALFUNC = @extschema@.mbgnbd_fit_final,
    COMBINEFUNC = @extschema@.fitdata_combine,
    SERIALFUNC = @extschema@.fitdata_serialize,
    DESERIALFUNC = @extschema@.fitdata_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.mbgnbd_fit(double precision, double precision, double precision, double precision[], double precision[]) IS 'fits the MBG/NBD model with static covariates by maximum likelihood to customer summaries (frequency, recency, age) and the purchase and dropout covariate vectors (the same lengths on every row, either may be empty); NULL without rows';

CREATE AGGREGATE @extschema@.mbgnbd_fit(frequency double precision, recency double precision, age double precision, purchase_covariates double precision[], dropout_covariates double precision[], weight double precision) (
    SFUNC = @extschema@.btyd_fit_accum_cov,
    STYPE = internal,
    FINALFUNC = @extschema@.mbgnbd_fit_final,
    COMBINEFUNC = @extschema@.fitdata_combine,
    SERIALFUNC = @extschema@.fitdata_serialize,
    DESERIALFUNC = @extschema@.fitdata_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.mbgnbd_fit(double precision, double precision, double precision, double precision[], double precision[], double precision) IS 'fits the MBG/NBD model with static covariates by maximum likelihood to customer summaries (frequency, recency, age) and the purchase and dropout covariate vectors (the same lengths on every row, either may be empty); each row counting weight customers; NULL without rows';

CREATE AGGREGATE @extschema@.mbgnbd_fit(frequency double precision, recency double precision, age double precision, purchase_covariates double precision[], dropout_covariates double precision[], weight double precision, penalizer double precision) (
    SFUNC = @extschema@.btyd_fit_accum_cov,
    STYPE = internal,
    FINALFUNC = @extschema@.mbgnbd_fit_final,
    COMBINEFUNC = @extschema@.fitdata_combine,
    SERIALFUNC = @extschema@.fitdata_serialize,
    DESERIALFUNC = @extschema@.fitdata_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.mbgnbd_fit(double precision, double precision, double precision, double precision[], double precision[], double precision, double precision) IS 'fits the MBG/NBD model with static covariates by maximum likelihood to customer summaries (frequency, recency, age) and the purchase and dropout covariate vectors (the same lengths on every row, either may be empty); each row counting weight customers, with an L2 penalizer on the coefficients (the same on every row); NULL without rows';

CREATE FUNCTION @extschema@.p_alive(model @extschema@.mbgnbd, frequency double precision, recency double precision, age double precision, purchase_covariates double precision[], dropout_covariates double precision[])
RETURNS double precision
AS 'MODULE_PATHNAME', 'mbgnbd_p_alive_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.p_alive(@extschema@.mbgnbd, double precision, double precision, double precision, double precision[], double precision[]) IS 'probability that a customer with this summary and these covariates is still alive (MBG/NBD with covariates)';

CREATE FUNCTION @extschema@.churn_probability(model @extschema@.mbgnbd, frequency double precision, recency double precision, age double precision, purchase_covariates double precision[], dropout_covariates double precision[])
RETURNS double precision
AS 'MODULE_PATHNAME', 'mbgnbd_churn_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.churn_probability(@extschema@.mbgnbd, double precision, double precision, double precision, double precision[], double precision[]) IS '1 - p_alive: probability that the customer with these covariates has churned (MBG/NBD with covariates)';

CREATE FUNCTION @extschema@.expected_purchases(model @extschema@.mbgnbd, t double precision, frequency double precision, recency double precision, age double precision, purchase_covariates double precision[], dropout_covariates double precision[])
RETURNS double precision
AS 'MODULE_PATHNAME', 'mbgnbd_expected_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 20;
COMMENT ON FUNCTION @extschema@.expected_purchases(@extschema@.mbgnbd, double precision, double precision, double precision, double precision, double precision[], double precision[]) IS 'expected number of purchases in (age, age + t] of a customer with this summary and these covariates (MBG/NBD with covariates)';

CREATE FUNCTION @extschema@.expected_purchases(model @extschema@.mbgnbd, t double precision, purchase_covariates double precision[], dropout_covariates double precision[])
RETURNS double precision
AS 'MODULE_PATHNAME', 'mbgnbd_expected_new_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 20;
COMMENT ON FUNCTION @extschema@.expected_purchases(@extschema@.mbgnbd, double precision, double precision[], double precision[]) IS 'expected number of repeat purchases in (0, t] of a new customer with these covariates (MBG/NBD with covariates)';

CREATE FUNCTION @extschema@.prob_purchases(model @extschema@.mbgnbd, n integer, t double precision, purchase_covariates double precision[], dropout_covariates double precision[])
RETURNS double precision
AS 'MODULE_PATHNAME', 'mbgnbd_prob_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 50;
COMMENT ON FUNCTION @extschema@.prob_purchases(@extschema@.mbgnbd, integer, double precision, double precision[], double precision[]) IS 'probability that a new customer with these covariates makes exactly n repeat purchases in (0, t] (MBG/NBD with covariates)';

CREATE FUNCTION @extschema@.log_likelihood(model @extschema@.mbgnbd, frequency double precision, recency double precision, age double precision, purchase_covariates double precision[], dropout_covariates double precision[])
RETURNS double precision
AS 'MODULE_PATHNAME', 'mbgnbd_loglik_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 10;
COMMENT ON FUNCTION @extschema@.log_likelihood(@extschema@.mbgnbd, double precision, double precision, double precision, double precision[], double precision[]) IS 'log-likelihood of one customer summary with its covariates under the model (MBG/NBD with covariates)';

CREATE FUNCTION @extschema@.mbgnbd_simulate(model @extschema@.mbgnbd, customers integer, age double precision, seed integer, purchase_covariates double precision[], dropout_covariates double precision[])
RETURNS TABLE (frequency integer, recency double precision, age double precision)
AS 'MODULE_PATHNAME', 'mbgnbd_simulate' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 1000;
COMMENT ON FUNCTION @extschema@.mbgnbd_simulate(@extschema@.mbgnbd, integer, double precision, integer, double precision[], double precision[]) IS 'summaries of customers with these covariates drawn from the MBG/NBD model, all observed for age since their first purchase; the same for the same seed';

-- Pareto/NBD with static covariates: alpha_i = alpha exp(-gamma'x_i), beta_i = beta exp(-delta'z_i) (Fader & Hardie 2007).

CREATE AGGREGATE @extschema@.paretonbd_fit(frequency double precision, recency double precision, age double precision, purchase_covariates double precision[], dropout_covariates double precision[]) (
    SFUNC = @extschema@.btyd_fit_accum_cov,
    STYPE = internal,
    FINALFUNC = @extschema@.paretonbd_fit_final,
    COMBINEFUNC = @extschema@.fitdata_combine,
    SERIALFUNC = @extschema@.fitdata_serialize,
    DESERIALFUNC = @extschema@.fitdata_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.paretonbd_fit(double precision, double precision, double precision, double precision[], double precision[]) IS 'fits the Pareto/NBD model with static covariates by maximum likelihood to customer summaries (frequency, recency, age) and the purchase and dropout covariate vectors (the same lengths on every row, either may be empty); NULL without rows';

CREATE AGGREGATE @extschema@.paretonbd_fit(frequency double precision, recency double precision, age double precision, purchase_covariates double precision[], dropout_covariates double precision[], weight double precision) (
    SFUNC = @extschema@.btyd_fit_accum_cov,
    STYPE = internal,
    FINALFUNC = @extschema@.paretonbd_fit_final,
    COMBINEFUNC = @extschema@.fitdata_combine,
    SERIALFUNC = @extschema@.fitdata_serialize,
    DESERIALFUNC = @extschema@.fitdata_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.paretonbd_fit(double precision, double precision, double precision, double precision[], double precision[], double precision) IS 'fits the Pareto/NBD model with static covariates by maximum likelihood to customer summaries (frequency, recency, age) and the purchase and dropout covariate vectors (the same lengths on every row, either may be empty); each row counting weight customers; NULL without rows';

CREATE AGGREGATE @extschema@.paretonbd_fit(frequency double precision, recency double precision, age double precision, purchase_covariates double precision[], dropout_covariates double precision[], weight double precision, penalizer double precision) (
    SFUNC = @extschema@.btyd_fit_accum_cov,
    STYPE = internal,
    FINALFUNC = @extschema@.paretonbd_fit_final,
    COMBINEFUNC = @extschema@.fitdata_combine,
    SERIALFUNC = @extschema@.fitdata_serialize,
    DESERIALFUNC = @extschema@.fitdata_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.paretonbd_fit(double precision, double precision, double precision, double precision[], double precision[], double precision, double precision) IS 'fits the Pareto/NBD model with static covariates by maximum likelihood to customer summaries (frequency, recency, age) and the purchase and dropout covariate vectors (the same lengths on every row, either may be empty); each row counting weight customers, with an L2 penalizer on the coefficients (the same on every row); NULL without rows';

CREATE FUNCTION @extschema@.p_alive(model @extschema@.paretonbd, frequency double precision, recency double precision, age double precision, purchase_covariates double precision[], dropout_covariates double precision[])
RETURNS double precision
AS 'MODULE_PATHNAME', 'paretonbd_p_alive_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.p_alive(@extschema@.paretonbd, double precision, double precision, double precision, double precision[], double precision[]) IS 'probability that a customer with this summary and these covariates is still alive (Pareto/NBD with covariates)';

CREATE FUNCTION @extschema@.churn_probability(model @extschema@.paretonbd, frequency double precision, recency double precision, age double precision, purchase_covariates double precision[], dropout_covariates double precision[])
RETURNS double precision
AS 'MODULE_PATHNAME', 'paretonbd_churn_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.churn_probability(@extschema@.paretonbd, double precision, double precision, double precision, double precision[], double precision[]) IS '1 - p_alive: probability that the customer with these covariates has churned (Pareto/NBD with covariates)';

CREATE FUNCTION @extschema@.expected_purchases(model @extschema@.paretonbd, t double precision, frequency double precision, recency double precision, age double precision, purchase_covariates double precision[], dropout_covariates double precision[])
RETURNS double precision
AS 'MODULE_PATHNAME', 'paretonbd_expected_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 20;
COMMENT ON FUNCTION @extschema@.expected_purchases(@extschema@.paretonbd, double precision, double precision, double precision, double precision, double precision[], double precision[]) IS 'expected number of purchases in (age, age + t] of a customer with this summary and these covariates (Pareto/NBD with covariates)';

CREATE FUNCTION @extschema@.expected_purchases(model @extschema@.paretonbd, t double precision, purchase_covariates double precision[], dropout_covariates double precision[])
RETURNS double precision
AS 'MODULE_PATHNAME', 'paretonbd_expected_new_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 20;
COMMENT ON FUNCTION @extschema@.expected_purchases(@extschema@.paretonbd, double precision, double precision[], double precision[]) IS 'expected number of repeat purchases in (0, t] of a new customer with these covariates (Pareto/NBD with covariates)';

CREATE FUNCTION @extschema@.prob_purchases(model @extschema@.paretonbd, n integer, t double precision, purchase_covariates double precision[], dropout_covariates double precision[])
RETURNS double precision
AS 'MODULE_PATHNAME', 'paretonbd_prob_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 50;
COMMENT ON FUNCTION @extschema@.prob_purchases(@extschema@.paretonbd, integer, double precision, double precision[], double precision[]) IS 'probability that a new customer with these covariates makes exactly n repeat purchases in (0, t] (Pareto/NBD with covariates)';

CREATE FUNCTION @extschema@.log_likelihood(model @extschema@.paretonbd, frequency double precision, recency double precision, age double precision, purchase_covariates double precision[], dropout_covariates double precision[])
RETURNS double precision
AS 'MODULE_PATHNAME', 'paretonbd_loglik_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 10;
COMMENT ON FUNCTION @extschema@.log_likelihood(@extschema@.paretonbd, double precision, double precision, double precision, double precision[], double precision[]) IS 'log-likelihood of one customer summary with its covariates under the model (Pareto/NBD with covariates)';

CREATE FUNCTION @extschema@.paretonbd_simulate(model @extschema@.paretonbd, customers integer, age double precision, seed integer, purchase_covariates double precision[], dropout_covariates double precision[])
RETURNS TABLE (frequency integer, recency double precision, age double precision)
AS 'MODULE_PATHNAME', 'paretonbd_simulate' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 1000;
COMMENT ON FUNCTION @extschema@.paretonbd_simulate(@extschema@.paretonbd, integer, double precision, integer, double precision[], double precision[]) IS 'summaries of customers with these covariates drawn from the Pareto/NBD model, all observed for age since their first purchase; the same for the same seed';

-- CLV of customers with covariates

CREATE FUNCTION @extschema@.clv(model @extschema@.bgnbd, gg @extschema@.gammagamma, frequency double precision, recency double precision, age double precision, monetary double precision, horizon double precision, discount_rate double precision, step double precision, purchase_covariates double precision[], dropout_covariates double precision[])
RETURNS double precision
AS 'MODULE_PATHNAME', 'clv_bgnbd' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 50;
COMMENT ON FUNCTION @extschema@.clv(@extschema@.bgnbd, @extschema@.gammagamma, double precision, double precision, double precision, double precision, double precision, double precision, double precision, double precision[], double precision[]) IS 'discounted CLV of a customer with these purchase and dropout covariates: as engage.clv(model, gg, ...) with the BG/NBD model at the customer''s parameters';

CREATE FUNCTION @extschema@.clv(model @extschema@.mbgnbd, gg @extschema@.gammagamma, frequency double precision, recency double precision, age double precision, monetary double precision, horizon double precision, discount_rate double precision, step double precision, purchase_covariates double precision[], dropout_covariates double precision[])
RETURNS double precision
AS 'MODULE_PATHNAME', 'clv_mbgnbd' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 50;
COMMENT ON FUNCTION @extschema@.clv(@extschema@.mbgnbd, @extschema@.gammagamma, double precision, double precision, double precision, double precision, double precision, double precision, double precision, double precision[], double precision[]) IS 'discounted CLV of a customer with these purchase and dropout covariates: as engage.clv(model, gg, ...) with the MBG/NBD model at the customer''s parameters';

CREATE FUNCTION @extschema@.clv(model @extschema@.paretonbd, gg @extschema@.gammagamma, frequency double precision, recency double precision, age double precision, monetary double precision, horizon double precision, discount_rate double precision, step double precision, purchase_covariates double precision[], dropout_covariates double precision[])
RETURNS double precision
AS 'MODULE_PATHNAME', 'clv_paretonbd' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 50;
COMMENT ON FUNCTION @extschema@.clv(@extschema@.paretonbd, @extschema@.gammagamma, double precision, double precision, double precision, double precision, double precision, double precision, double precision, double precision[], double precision[]) IS 'discounted CLV of a customer with these purchase and dropout covariates: as engage.clv(model, gg, ...) with the Pareto/NBD model at the customer''s parameters';

-- information criteria count the coefficients

CREATE OR REPLACE FUNCTION @extschema@.aic(model @extschema@.bgnbd)
RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN 2.0 * (4 + coalesce(cardinality((model).purchase_coefficients), 0) + coalesce(cardinality((model).dropout_coefficients), 0)) - 2.0 * (model).loglik;
COMMENT ON FUNCTION @extschema@.aic(@extschema@.bgnbd) IS 'Akaike information criterion of the BG/NBD fit: 2 k - 2 loglik with k = 4 parameters plus the number of covariate coefficients; NULL when loglik is';

CREATE OR REPLACE FUNCTION @extschema@.bic(model @extschema@.bgnbd)
RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN (4 + coalesce(cardinality((model).purchase_coefficients), 0) + coalesce(cardinality((model).dropout_coefficients), 0)) * ln((model).customers) - 2.0 * (model).loglik;
COMMENT ON FUNCTION @extschema@.bic(@extschema@.bgnbd) IS 'Bayesian information criterion of the BG/NBD fit: k ln(customers) - 2 loglik with k = 4 parameters plus the number of covariate coefficients and customers the summed weight of the sample; NULL when loglik or customers is';

CREATE OR REPLACE FUNCTION @extschema@.aic(model @extschema@.mbgnbd)
RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN 2.0 * (4 + coalesce(cardinality((model).purchase_coefficients), 0) + coalesce(cardinality((model).dropout_coefficients), 0)) - 2.0 * (model).loglik;
COMMENT ON FUNCTION @extschema@.aic(@extschema@.mbgnbd) IS 'Akaike information criterion of the MBG/NBD fit: 2 k - 2 loglik with k = 4 parameters plus the number of covariate coefficients; NULL when loglik is';

CREATE OR REPLACE FUNCTION @extschema@.bic(model @extschema@.mbgnbd)
RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN (4 + coalesce(cardinality((model).purchase_coefficients), 0) + coalesce(cardinality((model).dropout_coefficients), 0)) * ln((model).customers) - 2.0 * (model).loglik;
COMMENT ON FUNCTION @extschema@.bic(@extschema@.mbgnbd) IS 'Bayesian information criterion of the MBG/NBD fit: k ln(customers) - 2 loglik with k = 4 parameters plus the number of covariate coefficients and customers the summed weight of the sample; NULL when loglik or customers is';

CREATE OR REPLACE FUNCTION @extschema@.aic(model @extschema@.paretonbd)
RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN 2.0 * (4 + coalesce(cardinality((model).purchase_coefficients), 0) + coalesce(cardinality((model).dropout_coefficients), 0)) - 2.0 * (model).loglik;
COMMENT ON FUNCTION @extschema@.aic(@extschema@.paretonbd) IS 'Akaike information criterion of the Pareto/NBD fit: 2 k - 2 loglik with k = 4 parameters plus the number of covariate coefficients; NULL when loglik is';

CREATE OR REPLACE FUNCTION @extschema@.bic(model @extschema@.paretonbd)
RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN (4 + coalesce(cardinality((model).purchase_coefficients), 0) + coalesce(cardinality((model).dropout_coefficients), 0)) * ln((model).customers) - 2.0 * (model).loglik;
COMMENT ON FUNCTION @extschema@.bic(@extschema@.paretonbd) IS 'Bayesian information criterion of the Pareto/NBD fit: k ln(customers) - 2 loglik with k = 4 parameters plus the number of covariate coefficients and customers the summed weight of the sample; NULL when loglik or customers is';

-- prediction intervals of customers with covariates

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

CREATE FUNCTION @extschema@.p_alive_interval(model @extschema@.paretonbd, frequency double precision, recency double precision, age double precision, purchase_covariates double precision[], dropout_covariates double precision[], level double precision DEFAULT 0.95)
RETURNS @extschema@.prediction_interval
AS 'MODULE_PATHNAME', 'paretonbd_p_alive_interval' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 200;
COMMENT ON FUNCTION @extschema@.p_alive_interval(@extschema@.paretonbd, double precision, double precision, double precision, double precision[], double precision[], double precision) IS 'p_alive of a customer with these covariates with its delta-method standard error from the fit''s covariance (parameters and coefficients) and an interval of the given level on the logit scale (Pareto/NBD with covariates); NULL when the model has no covariance';

CREATE FUNCTION @extschema@.expected_purchases_interval(model @extschema@.paretonbd, t double precision, frequency double precision, recency double precision, age double precision, purchase_covariates double precision[], dropout_covariates double precision[], level double precision DEFAULT 0.95)
RETURNS @extschema@.prediction_interval
AS 'MODULE_PATHNAME', 'paretonbd_expected_interval' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 400;
COMMENT ON FUNCTION @extschema@.expected_purchases_interval(@extschema@.paretonbd, double precision, double precision, double precision, double precision, double precision[], double precision[], double precision) IS 'expected_purchases(model, t, ...) of a customer with these covariates with its delta-method standard error from the fit''s covariance (parameters and coefficients) and an interval of the given level on the log scale (Pareto/NBD with covariates); NULL when the model has no covariance';
-- ==== covariates of the Gamma-Gamma spend model: spend_coefficients, fits with spend covariates
-- and a penalizer, expected_spend of a customer with covariates (src/sql/75_gammagamma.sql) ====

ALTER TYPE @extschema@.gammagamma ADD ATTRIBUTE spend_coefficients double precision[] CASCADE;
COMMENT ON TYPE @extschema@.gammagamma IS 'fitted Gamma-Gamma spend model: transaction values ~ Gamma(p, nu), nu ~ Gamma(q, v); log-likelihood, customers (summed weight of those with repeat transactions) and convergence of the fit; covariance = covariance matrix of the parameter estimates (natural scale, rows and columns in parameter order, then the spend coefficients; NULL when unknown); spend_coefficients = theta of a fit with spend covariates w (customer scale v exp(theta'' w)), NULL without covariates';
COMMENT ON FUNCTION @extschema@.gammagamma(double precision, double precision, double precision) IS 'a Gamma-Gamma model of the given parameters without covariates (not fitted: loglik, customers, covariance and spend_coefficients NULL, converged true); errors unless every parameter is a positive finite number';

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

CREATE OR REPLACE FUNCTION @extschema@.aic(model @extschema@.gammagamma)
RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN 2.0 * (3 + coalesce(cardinality((model).spend_coefficients), 0)) - 2.0 * (model).loglik;
COMMENT ON FUNCTION @extschema@.aic(@extschema@.gammagamma) IS 'Akaike information criterion of the Gamma-Gamma fit: 2 k - 2 loglik with k = 3 parameters plus the spend coefficients; NULL when loglik is';

CREATE OR REPLACE FUNCTION @extschema@.bic(model @extschema@.gammagamma)
RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN (3 + coalesce(cardinality((model).spend_coefficients), 0)) * ln((model).customers) - 2.0 * (model).loglik;
COMMENT ON FUNCTION @extschema@.bic(@extschema@.gammagamma) IS 'Bayesian information criterion of the Gamma-Gamma fit: k ln(customers) - 2 loglik with k = 3 parameters plus the spend coefficients and customers the summed weight of the sample; NULL when loglik or customers is';
COMMENT ON FUNCTION @extschema@.parameters(@extschema@.gammagamma, double precision) IS 'the Gamma-Gamma parameters in order (p, q, v, then spend[1], spend[2], ... the spend coefficients of a fit with covariates) with standard errors from the fit''s covariance and Wald bounds estimate -+ z SE of the given level (z = 1.96 at 0.95); std_error and bounds NULL when the covariance is unknown';

-- ==== covariates of the sBG model: dropout_coefficients, fits with dropout covariates and a
-- penalizer, survival, retention_rate and derl of a customer with covariates (src/sql/80_sbg.sql) ====

ALTER TYPE @extschema@.sbg ADD ATTRIBUTE dropout_coefficients double precision[] CASCADE;
COMMENT ON TYPE @extschema@.sbg IS 'fitted shifted Beta-Geometric retention model: churn probability per period theta ~ Beta(alpha, beta); log-likelihood, customers (summed weight) and convergence of the fit; covariance = covariance matrix of the parameter estimates (natural scale, rows and columns in parameter order, then the dropout coefficients; NULL when unknown); dropout_coefficients = gamma_a then gamma_b of a fit with dropout covariates z (alpha_i = alpha exp(-gamma_a'' z), beta_i = beta exp(-gamma_b'' z)), NULL without covariates';
COMMENT ON FUNCTION @extschema@.sbg(double precision, double precision) IS 'a sBG model of the given parameters without covariates (not fitted: loglik, customers, covariance and dropout_coefficients NULL, converged true); errors unless every parameter is a positive finite number';

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

CREATE OR REPLACE FUNCTION @extschema@.aic(model @extschema@.sbg)
RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN 2.0 * (2 + coalesce(cardinality((model).dropout_coefficients), 0)) - 2.0 * (model).loglik;
COMMENT ON FUNCTION @extschema@.aic(@extschema@.sbg) IS 'Akaike information criterion of the sBG fit: 2 k - 2 loglik with k = 2 parameters plus the dropout coefficients; NULL when loglik is';

CREATE OR REPLACE FUNCTION @extschema@.bic(model @extschema@.sbg)
RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN (2 + coalesce(cardinality((model).dropout_coefficients), 0)) * ln((model).customers) - 2.0 * (model).loglik;
COMMENT ON FUNCTION @extschema@.bic(@extschema@.sbg) IS 'Bayesian information criterion of the sBG fit: k ln(customers) - 2 loglik with k = 2 parameters plus the dropout coefficients and customers the summed weight of the sample; NULL when loglik or customers is';
COMMENT ON FUNCTION @extschema@.parameters(@extschema@.sbg, double precision) IS 'the sBG parameters in order (alpha, beta, then dropout[1], dropout[2], ... the dropout coefficients gamma_a then gamma_b of a fit with covariates) with standard errors from the fit''s covariance and Wald bounds estimate -+ z SE of the given level (z = 1.96 at 0.95); std_error and bounds NULL when the covariance is unknown';

-- ==== covariates of the BG/BB model: purchase_coefficients and dropout_coefficients, fits with
-- covariates and a penalizer, scores of a customer with covariates (src/sql/70_bgbb.sql) ====

ALTER TYPE @extschema@.bgbb ADD ATTRIBUTE purchase_coefficients double precision[] CASCADE;
ALTER TYPE @extschema@.bgbb ADD ATTRIBUTE dropout_coefficients double precision[] CASCADE;
COMMENT ON TYPE @extschema@.bgbb IS 'fitted BG/BB model: transaction probability p ~ Beta(alpha, beta), dropout probability theta ~ Beta(gamma, delta) per opportunity; log-likelihood, customers (summed weight) and convergence of the fit; covariance = covariance matrix of the parameter estimates (natural scale, rows and columns in parameter order, then the purchase and the dropout coefficients; NULL when unknown); purchase_coefficients, dropout_coefficients = those of a fit with covariates x, z (alpha_i = alpha exp(purchase_coefficients'' x), gamma_i = gamma exp(dropout_coefficients'' z)), NULL without covariates';
COMMENT ON FUNCTION @extschema@.bgbb(double precision, double precision, double precision, double precision) IS 'a BG/BB model of the given parameters without covariates (not fitted: loglik, customers, covariance and coefficients NULL, converged true); errors unless every parameter is a positive finite number';

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

CREATE OR REPLACE FUNCTION @extschema@.aic(model @extschema@.bgbb)
RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN 2.0 * (4 + coalesce(cardinality((model).purchase_coefficients), 0) + coalesce(cardinality((model).dropout_coefficients), 0)) - 2.0 * (model).loglik;
COMMENT ON FUNCTION @extschema@.aic(@extschema@.bgbb) IS 'Akaike information criterion of the BG/BB fit: 2 k - 2 loglik with k = 4 parameters plus the coefficients; NULL when loglik is';

CREATE OR REPLACE FUNCTION @extschema@.bic(model @extschema@.bgbb)
RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN (4 + coalesce(cardinality((model).purchase_coefficients), 0) + coalesce(cardinality((model).dropout_coefficients), 0)) * ln((model).customers) - 2.0 * (model).loglik;
COMMENT ON FUNCTION @extschema@.bic(@extschema@.bgbb) IS 'Bayesian information criterion of the BG/BB fit: k ln(customers) - 2 loglik with k = 4 parameters plus the coefficients and customers the summed weight of the sample; NULL when loglik or customers is';
COMMENT ON FUNCTION @extschema@.parameters(@extschema@.bgbb, double precision) IS 'the BG/BB parameters in order (alpha, beta, gamma, delta, then purchase[1], ... and dropout[1], ... the coefficients of a fit with covariates) with standard errors from the fit''s covariance and Wald bounds estimate -+ z SE of the given level (z = 1.96 at 0.95); std_error and bounds NULL when the covariance is unknown';

-- GGompertz/NBD model (Bemmaor & Glady 2012): type, constructor, fits, scores, CLV,
-- parameters and information criteria, engage.rfm overloads.


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
COMMENT ON TYPE @extschema@.ggomnbd IS 'GGompertz/NBD model: purchase rate ~ Gamma(r, alpha), lifetime Gompertz of shape b with scale ~ Gamma(s, beta); loglik = log-likelihood of the fitted sample, customers = its summed weight, converged = optimiser converged; covariance = covariance matrix of the parameter estimates (natural scale, rows and columns in parameter order; NULL when unknown); purchase_coefficients and dropout_coefficients = covariate coefficients (NULL: a model without covariates)';

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

CREATE FUNCTION @extschema@.clv(model @extschema@.ggomnbd, gg @extschema@.gammagamma,
    frequency double precision, recency double precision, age double precision, monetary double precision,
    horizon double precision, discount_rate double precision, step double precision)
RETURNS double precision
AS 'MODULE_PATHNAME', 'clv_ggomnbd' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 200;
COMMENT ON FUNCTION @extschema@.clv(@extschema@.ggomnbd, @extschema@.gammagamma, double precision, double precision, double precision, double precision, double precision, double precision, double precision) IS 'discounted CLV: sum over i = 1 .. floor(horizon / step) of (E[X(i step)] - E[X((i-1) step)]) * expected_spend / (1 + discount_rate)^i, E[X(t)] the GGompertz/NBD conditional expectation';

CREATE FUNCTION @extschema@.parameters(model @extschema@.ggomnbd, level double precision DEFAULT 0.95)
RETURNS TABLE (parameter text, estimate double precision, std_error double precision, lower double precision, upper double precision)
AS 'MODULE_PATHNAME', 'btyd_parameters' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 5;
COMMENT ON FUNCTION @extschema@.parameters(@extschema@.ggomnbd, double precision) IS 'the GGompertz/NBD parameters in order (r, alpha, b, s, beta) with standard errors from the fit''s covariance and Wald bounds estimate -+ z SE of the given level (z = 1.96 at 0.95); std_error and bounds NULL when the covariance is unknown';

CREATE FUNCTION @extschema@.aic(model @extschema@.ggomnbd)
RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN 2.0 * 5 - 2.0 * (model).loglik;
COMMENT ON FUNCTION @extschema@.aic(@extschema@.ggomnbd) IS 'Akaike information criterion of the GGompertz/NBD fit: 2 k - 2 loglik with k = 5 parameters; NULL when loglik is';

CREATE FUNCTION @extschema@.bic(model @extschema@.ggomnbd)
RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN 5 * ln((model).customers) - 2.0 * (model).loglik;
COMMENT ON FUNCTION @extschema@.bic(@extschema@.ggomnbd) IS 'Bayesian information criterion of the GGompertz/NBD fit: k ln(customers) - 2 loglik with k = 5 parameters and customers the summed weight of the sample; NULL when loglik or customers is';

CREATE AGGREGATE @extschema@.ggomnbd_fit(summary @extschema@.rfm) (
    SFUNC = @extschema@.btyd_fit_accum_rfm,
    STYPE = internal,
    FINALFUNC = @extschema@.ggomnbd_fit_final,
    COMBINEFUNC = @extschema@.fitdata_combine,
    SERIALFUNC = @extschema@.fitdata_serialize,
    DESERIALFUNC = @extschema@.fitdata_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.ggomnbd_fit(@extschema@.rfm) IS 'fits the GGompertz/NBD model to engage.rfm summaries; NULL summaries are skipped';

CREATE AGGREGATE @extschema@.ggomnbd_fit(summary @extschema@.rfm, weight double precision) (
    SFUNC = @extschema@.btyd_fit_accum_rfm,
    STYPE = internal,
    FINALFUNC = @extschema@.ggomnbd_fit_final,
    COMBINEFUNC = @extschema@.fitdata_combine,
    SERIALFUNC = @extschema@.fitdata_serialize,
    DESERIALFUNC = @extschema@.fitdata_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.ggomnbd_fit(@extschema@.rfm, double precision) IS 'fits the GGompertz/NBD model to engage.rfm summaries with a weight per row; NULL summaries are skipped';

CREATE AGGREGATE @extschema@.ggomnbd_fit(summary @extschema@.rfm, weight double precision, penalizer double precision) (
    SFUNC = @extschema@.btyd_fit_accum_rfm,
    STYPE = internal,
    FINALFUNC = @extschema@.ggomnbd_fit_final,
    COMBINEFUNC = @extschema@.fitdata_combine,
    SERIALFUNC = @extschema@.fitdata_serialize,
    DESERIALFUNC = @extschema@.fitdata_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.ggomnbd_fit(@extschema@.rfm, double precision, double precision) IS 'fits the GGompertz/NBD model to engage.rfm summaries with a weight per row and an L2 penalizer; NULL summaries are skipped';

CREATE FUNCTION @extschema@.p_alive(model @extschema@.ggomnbd, summary @extschema@.rfm)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN @extschema@.p_alive(model, (summary).frequency, (summary).recency, (summary).age);
COMMENT ON FUNCTION @extschema@.p_alive(@extschema@.ggomnbd, @extschema@.rfm) IS 'p_alive(model, frequency, recency, age) of an engage.rfm summary (GGompertz/NBD)';

CREATE FUNCTION @extschema@.churn_probability(model @extschema@.ggomnbd, summary @extschema@.rfm)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN @extschema@.churn_probability(model, (summary).frequency, (summary).recency, (summary).age);
COMMENT ON FUNCTION @extschema@.churn_probability(@extschema@.ggomnbd, @extschema@.rfm) IS 'churn_probability(model, frequency, recency, age) of an engage.rfm summary (GGompertz/NBD)';

CREATE FUNCTION @extschema@.expected_purchases(model @extschema@.ggomnbd, t double precision, summary @extschema@.rfm)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN @extschema@.expected_purchases(model, t, (summary).frequency, (summary).recency, (summary).age);
COMMENT ON FUNCTION @extschema@.expected_purchases(@extschema@.ggomnbd, double precision, @extschema@.rfm) IS 'expected_purchases(model, t, frequency, recency, age) of an engage.rfm summary (GGompertz/NBD)';

CREATE FUNCTION @extschema@.clv(model @extschema@.ggomnbd, gg @extschema@.gammagamma, summary @extschema@.rfm,
    horizon double precision, discount_rate double precision, step double precision)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN @extschema@.clv(model, gg, (summary).frequency, (summary).recency, (summary).age, (summary).monetary,
                       horizon, discount_rate, step);
COMMENT ON FUNCTION @extschema@.clv(@extschema@.ggomnbd, @extschema@.gammagamma, @extschema@.rfm, double precision, double precision, double precision) IS 'clv(model, gg, frequency, recency, age, monetary, horizon, discount_rate, step) of an engage.rfm summary (GGompertz/NBD and Gamma-Gamma)';

-- model choice: engage.compare_models ---------------------------------------------------

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

-- GGompertz/NBD uncertainty: delta-method prediction intervals (src/sql/86_uncertainty.sql)
-- and the bootstrap (src/sql/87_bootstrap.sql)

CREATE FUNCTION @extschema@.p_alive_interval(model @extschema@.ggomnbd, frequency double precision, recency double precision, age double precision, level double precision DEFAULT 0.95)
RETURNS @extschema@.prediction_interval
AS 'MODULE_PATHNAME', 'ggomnbd_p_alive_interval' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 1000;
COMMENT ON FUNCTION @extschema@.p_alive_interval(@extschema@.ggomnbd, double precision, double precision, double precision, double precision) IS 'p_alive with its delta-method standard error from the fit''s covariance and an interval of the given level on the logit scale (GGompertz/NBD); NULL when the model has no covariance';

CREATE FUNCTION @extschema@.expected_purchases_interval(model @extschema@.ggomnbd, t double precision, frequency double precision, recency double precision, age double precision, level double precision DEFAULT 0.95)
RETURNS @extschema@.prediction_interval
AS 'MODULE_PATHNAME', 'ggomnbd_expected_interval' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 2000;
COMMENT ON FUNCTION @extschema@.expected_purchases_interval(@extschema@.ggomnbd, double precision, double precision, double precision, double precision, double precision) IS 'expected_purchases(model, t, ...) with its delta-method standard error from the fit''s covariance and an interval of the given level on the log scale (GGompertz/NBD); NULL when the model has no covariance';

CREATE FUNCTION @extschema@.clv_interval(model @extschema@.ggomnbd, gg @extschema@.gammagamma,
    frequency double precision, recency double precision, age double precision, monetary double precision,
    horizon double precision, discount_rate double precision, step double precision, level double precision DEFAULT 0.95)
RETURNS @extschema@.prediction_interval
AS 'MODULE_PATHNAME', 'clv_interval_ggomnbd' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 10000;
COMMENT ON FUNCTION @extschema@.clv_interval(@extschema@.ggomnbd, @extschema@.gammagamma, double precision, double precision, double precision, double precision, double precision, double precision, double precision, double precision) IS 'clv(model, gg, ...) with its delta-method standard error over the 5 GGompertz/NBD and 3 Gamma-Gamma parameters (block-diagonal covariance: the two fits are independent) and an interval of the given level on the log scale; NULL when either model has no covariance';

CREATE FUNCTION @extschema@.ggomnbd_bootstrap(sample @extschema@.fitdata, replicates integer, seed bigint)
RETURNS SETOF @extschema@.ggomnbd
AS 'MODULE_PATHNAME', 'ggomnbd_bootstrap' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 10000000 ROWS 100;
COMMENT ON FUNCTION @extschema@.ggomnbd_bootstrap(@extschema@.fitdata, integer, bigint) IS 'nonparametric bootstrap of the GGompertz/NBD fit: replicates refits, each to the sample''s customers resampled with replacement (weights must be whole numbers); warm-started from the whole sample''s fit, without covariance; a replicate that did not converge has converged = false; the same for the same seed';

CREATE FUNCTION @extschema@.ggomnbd_bootstrap(sample @extschema@.fitdata, replicates integer, seed bigint, penalizer double precision)
RETURNS SETOF @extschema@.ggomnbd
AS 'MODULE_PATHNAME', 'ggomnbd_bootstrap' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 10000000 ROWS 100;
COMMENT ON FUNCTION @extschema@.ggomnbd_bootstrap(@extschema@.fitdata, integer, bigint, double precision) IS 'nonparametric bootstrap of the GGompertz/NBD fit with an L2 penalizer';

-- ==== CLV and uncertainty of models with covariates (src/sql/75_gammagamma.sql,
-- 85_clv.sql, 86_uncertainty.sql, 87_bootstrap.sql): the Gamma-Gamma constructor with spend
-- coefficients, engage.clv and engage.clv_interval with purchase, dropout and spend covariate
-- vectors, the bootstrap of fits with covariates ====
CREATE FUNCTION @extschema@.gammagamma(p double precision, q double precision, v double precision, spend_coefficients double precision[])
RETURNS @extschema@.gammagamma
AS 'MODULE_PATHNAME', 'btyd_model_construct' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.gammagamma(double precision, double precision, double precision, double precision[]) IS 'a Gamma-Gamma model with spend covariates of the given parameters and spend coefficients theta (v_i = v exp(theta'' w_i); not fitted: loglik, customers and covariance NULL, converged true); errors unless every parameter is a positive finite number and the coefficients at most 8 finite numbers';

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
COMMENT ON FUNCTION @extschema@.fitdata_resample(@extschema@.fitdata, bigint) IS 'a bootstrap sample: as many customers as the sample holds, drawn uniformly with replacement with their covariates, if any (weights must be whole numbers, counting customers); the same for the same seed';
COMMENT ON FUNCTION @extschema@.bgnbd_bootstrap(@extschema@.fitdata, integer, bigint) IS 'nonparametric bootstrap of the BG/NBD fit: replicates refits, each to the sample''s customers resampled with replacement (weights must be whole numbers), with their covariates and the coefficients of a sample with covariates; warm-started from the whole sample''s fit, without covariance; a replicate that did not converge or runs off has converged = false; the same for the same seed';
COMMENT ON FUNCTION @extschema@.mbgnbd_bootstrap(@extschema@.fitdata, integer, bigint) IS 'nonparametric bootstrap of the MBG/NBD fit: replicates refits, each to the sample''s customers resampled with replacement (weights must be whole numbers), with their covariates and the coefficients of a sample with covariates; warm-started from the whole sample''s fit, without covariance; a replicate that did not converge or runs off has converged = false; the same for the same seed';
COMMENT ON FUNCTION @extschema@.paretonbd_bootstrap(@extschema@.fitdata, integer, bigint) IS 'nonparametric bootstrap of the Pareto/NBD fit: replicates refits, each to the sample''s customers resampled with replacement (weights must be whole numbers), with their covariates and the coefficients of a sample with covariates; warm-started from the whole sample''s fit, without covariance; a replicate that did not converge or runs off has converged = false; the same for the same seed';

-- ==== static covariates in GGompertz/NBD (as CLVTools' ggomnbd: alpha_i = alpha exp(-gamma'x_i),
-- beta_i = beta exp(-delta'z_i); src/sql/64_ggomnbd.sql, 85_clv.sql, 86_uncertainty.sql) ====

COMMENT ON TYPE @extschema@.ggomnbd IS 'GGompertz/NBD model: purchase rate ~ Gamma(r, alpha), lifetime Gompertz of shape b with scale ~ Gamma(s, beta); with covariates alpha_i = alpha exp(-purchase_coefficients . x_i), beta_i = beta exp(-dropout_coefficients . z_i) (as CLVTools'' ggomnbd); loglik = log-likelihood of the fitted sample, customers = its summed weight, converged = optimiser converged; covariance = covariance matrix of the estimates (natural scale, rows and columns in the order of the parameters, then the purchase coefficients, then the dropout coefficients; NULL when unknown); purchase_coefficients, dropout_coefficients = the coefficients of the customer''s purchase and dropout covariates (NULL without covariates)';

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

CREATE FUNCTION @extschema@.clv(model @extschema@.ggomnbd, gg @extschema@.gammagamma, frequency double precision, recency double precision, age double precision, monetary double precision, horizon double precision, discount_rate double precision, step double precision, purchase_covariates double precision[], dropout_covariates double precision[])
RETURNS double precision
AS 'MODULE_PATHNAME', 'clv_ggomnbd' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 200;
COMMENT ON FUNCTION @extschema@.clv(@extschema@.ggomnbd, @extschema@.gammagamma, double precision, double precision, double precision, double precision, double precision, double precision, double precision, double precision[], double precision[]) IS 'discounted CLV of a customer with these purchase and dropout covariates: as engage.clv(model, gg, ...) with the GGompertz/NBD model at the customer''s parameters';

CREATE OR REPLACE FUNCTION @extschema@.aic(model @extschema@.ggomnbd)
RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN 2.0 * (5 + coalesce(cardinality((model).purchase_coefficients), 0) + coalesce(cardinality((model).dropout_coefficients), 0)) - 2.0 * (model).loglik;
COMMENT ON FUNCTION @extschema@.aic(@extschema@.ggomnbd) IS 'Akaike information criterion of the GGompertz/NBD fit: 2 k - 2 loglik with k = 5 parameters plus the number of covariate coefficients; NULL when loglik is';

CREATE OR REPLACE FUNCTION @extschema@.bic(model @extschema@.ggomnbd)
RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN (5 + coalesce(cardinality((model).purchase_coefficients), 0) + coalesce(cardinality((model).dropout_coefficients), 0)) * ln((model).customers) - 2.0 * (model).loglik;
COMMENT ON FUNCTION @extschema@.bic(@extschema@.ggomnbd) IS 'Bayesian information criterion of the GGompertz/NBD fit: k ln(customers) - 2 loglik with k = 5 parameters plus the number of covariate coefficients and customers the summed weight of the sample; NULL when loglik or customers is';

CREATE FUNCTION @extschema@.p_alive_interval(model @extschema@.ggomnbd, frequency double precision, recency double precision, age double precision, purchase_covariates double precision[], dropout_covariates double precision[], level double precision DEFAULT 0.95)
RETURNS @extschema@.prediction_interval
AS 'MODULE_PATHNAME', 'ggomnbd_p_alive_interval' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 2000;
COMMENT ON FUNCTION @extschema@.p_alive_interval(@extschema@.ggomnbd, double precision, double precision, double precision, double precision[], double precision[], double precision) IS 'p_alive of a customer with these covariates with its delta-method standard error from the fit''s covariance (parameters and coefficients) and an interval of the given level on the logit scale (GGompertz/NBD with covariates); NULL when the model has no covariance';

CREATE FUNCTION @extschema@.expected_purchases_interval(model @extschema@.ggomnbd, t double precision, frequency double precision, recency double precision, age double precision, purchase_covariates double precision[], dropout_covariates double precision[], level double precision DEFAULT 0.95)
RETURNS @extschema@.prediction_interval
AS 'MODULE_PATHNAME', 'ggomnbd_expected_interval' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 4000;
COMMENT ON FUNCTION @extschema@.expected_purchases_interval(@extschema@.ggomnbd, double precision, double precision, double precision, double precision, double precision[], double precision[], double precision) IS 'expected_purchases(model, t, ...) of a customer with these covariates with its delta-method standard error from the fit''s covariance (parameters and coefficients) and an interval of the given level on the log scale (GGompertz/NBD with covariates); NULL when the model has no covariance';

-- window_funnel over the values of one event column ------------------------------

-- Event form window_funnel(window, [mode,] occurred_at, event, VARIADIC steps text[]): the boolean
-- form with steps event = steps[1], event = steps[2], ...; the steps array is read once per query
-- and each row's event matched by its bytes.  Same state, combine, serial and final functions.
CREATE FUNCTION @extschema@.window_funnel_accum(state internal, "window" interval, occurred_at timestamptz, event text, steps text[])
RETURNS internal
AS 'MODULE_PATHNAME', 'window_funnel_event_accum' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.window_funnel_accum(internal, interval, timestamptz, text, text[]) IS 'transition function of engage.window_funnel with event values: records the instant of an event equal to some step';

CREATE FUNCTION @extschema@.window_funnel_accum(state internal, "window" interval, mode text, occurred_at timestamptz, event text, steps text[])
RETURNS internal
AS 'MODULE_PATHNAME', 'window_funnel_event_accum' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.window_funnel_accum(internal, interval, text, timestamptz, text, text[]) IS 'transition function of engage.window_funnel with a mode and event values: records the instant of an event equal to some step';

CREATE AGGREGATE @extschema@.window_funnel("window" interval, occurred_at timestamptz, event text, VARIADIC steps text[]) (
    SFUNC = @extschema@.window_funnel_accum,
    STYPE = internal,
    SSPACE = 272,
    COMBINEFUNC = @extschema@.window_funnel_combine,
    SERIALFUNC = @extschema@.window_funnel_serialize,
    DESERIALFUNC = @extschema@.window_funnel_deserialize,
    FINALFUNC = @extschema@.window_funnel_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.window_funnel(interval, timestamptz, text, text[]) IS 'ClickHouse windowFunnel (default mode) over the values of one event column: step i holds on a row whose event equals steps[i] (byte equality; nondeterministic collations are error 0A000); the boolean form with event = steps[i]; a NULL event is no step; 1 to 32 distinct, non-NULL steps';

CREATE AGGREGATE @extschema@.window_funnel("window" interval, mode text, occurred_at timestamptz, event text, VARIADIC steps text[]) (
    SFUNC = @extschema@.window_funnel_accum,
    STYPE = internal,
    SSPACE = 272,
    COMBINEFUNC = @extschema@.window_funnel_combine,
    SERIALFUNC = @extschema@.window_funnel_serialize,
    DESERIALFUNC = @extschema@.window_funnel_deserialize,
    FINALFUNC = @extschema@.window_funnel_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.window_funnel(interval, text, timestamptz, text, text[]) IS 'ClickHouse windowFunnel with a mode over the values of one event column: the boolean form with a mode and event = steps[i]';

CREATE AGGREGATE @extschema@.window_funnel_times("window" interval, occurred_at timestamptz, event text, VARIADIC steps text[]) (
    SFUNC = @extschema@.window_funnel_accum,
    STYPE = internal,
    SSPACE = 272,
    COMBINEFUNC = @extschema@.window_funnel_combine,
    SERIALFUNC = @extschema@.window_funnel_serialize,
    DESERIALFUNC = @extschema@.window_funnel_deserialize,
    FINALFUNC = @extschema@.window_funnel_times_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.window_funnel_times(interval, timestamptz, text, text[]) IS 'engage.window_funnel_times over the values of one event column: step i holds on a row whose event equals steps[i]';

CREATE AGGREGATE @extschema@.window_funnel_times("window" interval, mode text, occurred_at timestamptz, event text, VARIADIC steps text[]) (
    SFUNC = @extschema@.window_funnel_accum,
    STYPE = internal,
    SSPACE = 272,
    COMBINEFUNC = @extschema@.window_funnel_combine,
    SERIALFUNC = @extschema@.window_funnel_serialize,
    DESERIALFUNC = @extschema@.window_funnel_deserialize,
    FINALFUNC = @extschema@.window_funnel_times_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.window_funnel_times(interval, text, timestamptz, text, text[]) IS 'engage.window_funnel_times with a mode over the values of one event column: step i holds on a row whose event equals steps[i]';

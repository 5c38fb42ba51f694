-- models over engage.rfm summaries --------------------------------------------
-- Fits and scores taking an engage.rfm customer summary (frequency integer, recency, age,
-- monetary) instead of its columns.  The scoring overloads are SQL functions with
-- standard bodies, resolved when created (immune to search_path) and inlined by the planner.

CREATE FUNCTION @extschema@.btyd_fit_accum_rfm(internal, @extschema@.rfm)
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.btyd_fit_accum_rfm(internal, @extschema@.rfm) IS 'transition function of the counting-model fit aggregates over engage.rfm';

CREATE FUNCTION @extschema@.btyd_fit_accum_rfm(internal, @extschema@.rfm, double precision)
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.btyd_fit_accum_rfm(internal, @extschema@.rfm, double precision) IS 'transition function of the counting-model fit aggregates over engage.rfm with a weight';

CREATE FUNCTION @extschema@.btyd_fit_accum_rfm(internal, @extschema@.rfm, double precision, double precision)
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.btyd_fit_accum_rfm(internal, @extschema@.rfm, double precision, double precision) IS 'transition function of the counting-model fit aggregates over engage.rfm with a weight and a penalizer';

CREATE AGGREGATE @extschema@.bgnbd_fit(summary @extschema@.rfm) (
    SFUNC = @extschema@.btyd_fit_accum_rfm,
    STYPE = internal,
    FINALFUNC = @extschema@.bgnbd_fit_final,
    COMBINEFUNC = @extschema@.fitdata_combine,
    SERIALFUNC = @extschema@.fitdata_serialize,
    DESERIALFUNC = @extschema@.fitdata_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.bgnbd_fit(@extschema@.rfm) IS 'fits the BG/NBD model to engage.rfm summaries; NULL summaries are skipped';

CREATE AGGREGATE @extschema@.bgnbd_fit(summary @extschema@.rfm, weight double precision) (
    SFUNC = @extschema@.btyd_fit_accum_rfm,
    STYPE = internal,
    FINALFUNC = @extschema@.bgnbd_fit_final,
    COMBINEFUNC = @extschema@.fitdata_combine,
    SERIALFUNC = @extschema@.fitdata_serialize,
    DESERIALFUNC = @extschema@.fitdata_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.bgnbd_fit(@extschema@.rfm, double precision) IS 'fits the BG/NBD model to engage.rfm summaries with a weight per row; NULL summaries are skipped';

CREATE AGGREGATE @extschema@.bgnbd_fit(summary @extschema@.rfm, weight double precision, penalizer double precision) (
    SFUNC = @extschema@.btyd_fit_accum_rfm,
    STYPE = internal,
    FINALFUNC = @extschema@.bgnbd_fit_final,
    COMBINEFUNC = @extschema@.fitdata_combine,
    SERIALFUNC = @extschema@.fitdata_serialize,
    DESERIALFUNC = @extschema@.fitdata_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.bgnbd_fit(@extschema@.rfm, double precision, double precision) IS 'fits the BG/NBD model to engage.rfm summaries with a weight per row and an L2 penalizer; NULL summaries are skipped';

CREATE AGGREGATE @extschema@.mbgnbd_fit(summary @extschema@.rfm) (
    SFUNC = @extschema@.btyd_fit_accum_rfm,
    STYPE = internal,
    FINALFUNC = @extschema@.mbgnbd_fit_final,
    COMBINEFUNC = @extschema@.fitdata_combine,
    SERIALFUNC = @extschema@.fitdata_serialize,
    DESERIALFUNC = @extschema@.fitdata_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.mbgnbd_fit(@extschema@.rfm) IS 'fits the MBG/NBD model to engage.rfm summaries; NULL summaries are skipped';

CREATE AGGREGATE @extschema@.mbgnbd_fit(summary @extschema@.rfm, weight double precision) (
    SFUNC = @extschema@.btyd_fit_accum_rfm,
    STYPE = internal,
    FINALFUNC = @extschema@.mbgnbd_fit_final,
    COMBINEFUNC = @extschema@.fitdata_combine,
    SERIALFUNC = @extschema@.fitdata_serialize,
    DESERIALFUNC = @extschema@.fitdata_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.mbgnbd_fit(@extschema@.rfm, double precision) IS 'fits the MBG/NBD model to engage.rfm summaries with a weight per row; NULL summaries are skipped';

CREATE AGGREGATE @extschema@.mbgnbd_fit(summary @extschema@.rfm, weight double precision, penalizer double precision) (
    SFUNC = @extschema@.btyd_fit_accum_rfm,
    STYPE = internal,
    FINALFUNC = @extschema@.mbgnbd_fit_final,
    COMBINEFUNC = @extschema@.fitdata_combine,
    SERIALFUNC = @extschema@.fitdata_serialize,
    DESERIALFUNC = @extschema@.fitdata_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.mbgnbd_fit(@extschema@.rfm, double precision, double precision) IS 'fits the MBG/NBD model to engage.rfm summaries with a weight per row and an L2 penalizer; NULL summaries are skipped';

CREATE AGGREGATE @extschema@.paretonbd_fit(summary @extschema@.rfm) (
    SFUNC = @extschema@.btyd_fit_accum_rfm,
    STYPE = internal,
    FINALFUNC = @extschema@.paretonbd_fit_final,
    COMBINEFUNC = @extschema@.fitdata_combine,
    SERIALFUNC = @extschema@.fitdata_serialize,
    DESERIALFUNC = @extschema@.fitdata_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.paretonbd_fit(@extschema@.rfm) IS 'fits the Pareto/NBD model to engage.rfm summaries; NULL summaries are skipped';

CREATE AGGREGATE @extschema@.paretonbd_fit(summary @extschema@.rfm, weight double precision) (
    SFUNC = @extschema@.btyd_fit_accum_rfm,
    STYPE = internal,
    FINALFUNC = @extschema@.paretonbd_fit_final,
    COMBINEFUNC = @extschema@.fitdata_combine,
    SERIALFUNC = @extschema@.fitdata_serialize,
    DESERIALFUNC = @extschema@.fitdata_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.paretonbd_fit(@extschema@.rfm, double precision) IS 'fits the Pareto/NBD model to engage.rfm summaries with a weight per row; NULL summaries are skipped';

CREATE AGGREGATE @extschema@.paretonbd_fit(summary @extschema@.rfm, weight double precision, penalizer double precision) (
    SFUNC = @extschema@.btyd_fit_accum_rfm,
    STYPE = internal,
    FINALFUNC = @extschema@.paretonbd_fit_final,
    COMBINEFUNC = @extschema@.fitdata_combine,
    SERIALFUNC = @extschema@.fitdata_serialize,
    DESERIALFUNC = @extschema@.fitdata_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.paretonbd_fit(@extschema@.rfm, double precision, double precision) IS 'fits the Pareto/NBD model to engage.rfm summaries with a weight per row and an L2 penalizer; NULL summaries are skipped';

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

CREATE FUNCTION @extschema@.gammagamma_fit_accum_rfm(state internal, summary @extschema@.rfm)
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.gammagamma_fit_accum_rfm(internal, @extschema@.rfm) IS 'transition function of engage.gammagamma_fit over engage.rfm: adds the (frequency, monetary) of one summary';

CREATE FUNCTION @extschema@.gammagamma_fit_accum_rfm(state internal, summary @extschema@.rfm, weight double precision)
RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.gammagamma_fit_accum_rfm(internal, @extschema@.rfm, double precision) IS 'transition function of engage.gammagamma_fit over engage.rfm with a weight';

CREATE AGGREGATE @extschema@.gammagamma_fit(summary @extschema@.rfm) (
    SFUNC = @extschema@.gammagamma_fit_accum_rfm,
    STYPE = internal,
    COMBINEFUNC = @extschema@.fitdata_combine,
    SERIALFUNC = @extschema@.fitdata_serialize,
    DESERIALFUNC = @extschema@.fitdata_deserialize,
    FINALFUNC = @extschema@.gammagamma_fit_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.gammagamma_fit(@extschema@.rfm) IS 'fits the Gamma-Gamma spend model to the frequency and monetary of engage.rfm summaries; summaries with frequency 0 and NULL summaries are skipped, those with monetary <= 0 (or NULL) skipped, with a notice giving their number when <= 0';

CREATE AGGREGATE @extschema@.gammagamma_fit(summary @extschema@.rfm, weight double precision) (
    SFUNC = @extschema@.gammagamma_fit_accum_rfm,
    STYPE = internal,
    COMBINEFUNC = @extschema@.fitdata_combine,
    SERIALFUNC = @extschema@.fitdata_serialize,
    DESERIALFUNC = @extschema@.fitdata_deserialize,
    FINALFUNC = @extschema@.gammagamma_fit_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.gammagamma_fit(@extschema@.rfm, double precision) IS 'fits the Gamma-Gamma spend model to the frequency and monetary of engage.rfm summaries with a weight per row; summaries with frequency 0 and NULL summaries are skipped, those with monetary <= 0 (or NULL) skipped, with a notice giving their number when <= 0';

-- scoring over engage.rfm

CREATE FUNCTION @extschema@.p_alive(model @extschema@.bgnbd, summary @extschema@.rfm)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN @extschema@.p_alive(model, (summary).frequency, (summary).recency, (summary).age);
COMMENT ON FUNCTION @extschema@.p_alive(@extschema@.bgnbd, @extschema@.rfm) IS 'p_alive(model, frequency, recency, age) of an engage.rfm summary (BG/NBD)';

CREATE FUNCTION @extschema@.churn_probability(model @extschema@.bgnbd, summary @extschema@.rfm)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN @extschema@.churn_probability(model, (summary).frequency, (summary).recency, (summary).age);
COMMENT ON FUNCTION @extschema@.churn_probability(@extschema@.bgnbd, @extschema@.rfm) IS 'churn_probability(model, frequency, recency, age) of an engage.rfm summary (BG/NBD)';

CREATE FUNCTION @extschema@.expected_purchases(model @extschema@.bgnbd, t double precision, summary @extschema@.rfm)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN @extschema@.expected_purchases(model, t, (summary).frequency, (summary).recency, (summary).age);
COMMENT ON FUNCTION @extschema@.expected_purchases(@extschema@.bgnbd, double precision, @extschema@.rfm) IS 'expected_purchases(model, t, frequency, recency, age) of an engage.rfm summary (BG/NBD)';

CREATE FUNCTION @extschema@.clv(model @extschema@.bgnbd, gg @extschema@.gammagamma, summary @extschema@.rfm,
    horizon double precision, discount_rate double precision, step double precision)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN @extschema@.clv(model, gg, (summary).frequency, (summary).recency, (summary).age, (summary).monetary,
                       horizon, discount_rate, step);
COMMENT ON FUNCTION @extschema@.clv(@extschema@.bgnbd, @extschema@.gammagamma, @extschema@.rfm, double precision, double precision, double precision) IS 'clv(model, gg, frequency, recency, age, monetary, horizon, discount_rate, step) of an engage.rfm summary (BG/NBD and Gamma-Gamma)';

CREATE FUNCTION @extschema@.p_alive(model @extschema@.mbgnbd, summary @extschema@.rfm)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN @extschema@.p_alive(model, (summary).frequency, (summary).recency, (summary).age);
COMMENT ON FUNCTION @extschema@.p_alive(@extschema@.mbgnbd, @extschema@.rfm) IS 'p_alive(model, frequency, recency, age) of an engage.rfm summary (MBG/NBD)';

CREATE FUNCTION @extschema@.churn_probability(model @extschema@.mbgnbd, summary @extschema@.rfm)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN @extschema@.churn_probability(model, (summary).frequency, (summary).recency, (summary).age);
COMMENT ON FUNCTION @extschema@.churn_probability(@extschema@.mbgnbd, @extschema@.rfm) IS 'churn_probability(model, frequency, recency, age) of an engage.rfm summary (MBG/NBD)';

CREATE FUNCTION @extschema@.expected_purchases(model @extschema@.mbgnbd, t double precision, summary @extschema@.rfm)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN @extschema@.expected_purchases(model, t, (summary).frequency, (summary).recency, (summary).age);
COMMENT ON FUNCTION @extschema@.expected_purchases(@extschema@.mbgnbd, double precision, @extschema@.rfm) IS 'expected_purchases(model, t, frequency, recency, age) of an engage.rfm summary (MBG/NBD)';

CREATE FUNCTION @extschema@.clv(model @extschema@.mbgnbd, gg @extschema@.gammagamma, summary @extschema@.rfm,
    horizon double precision, discount_rate double precision, step double precision)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN @extschema@.clv(model, gg, (summary).frequency, (summary).recency, (summary).age, (summary).monetary,
                       horizon, discount_rate, step);
COMMENT ON FUNCTION @extschema@.clv(@extschema@.mbgnbd, @extschema@.gammagamma, @extschema@.rfm, double precision, double precision, double precision) IS 'clv(model, gg, frequency, recency, age, monetary, horizon, discount_rate, step) of an engage.rfm summary (MBG/NBD and Gamma-Gamma)';

CREATE FUNCTION @extschema@.p_alive(model @extschema@.paretonbd, summary @extschema@.rfm)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN @extschema@.p_alive(model, (summary).frequency, (summary).recency, (summary).age);
COMMENT ON FUNCTION @extschema@.p_alive(@extschema@.paretonbd, @extschema@.rfm) IS 'p_alive(model, frequency, recency, age) of an engage.rfm summary (Pareto/NBD)';

CREATE FUNCTION @extschema@.churn_probability(model @extschema@.paretonbd, summary @extschema@.rfm)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN @extschema@.churn_probability(model, (summary).frequency, (summary).recency, (summary).age);
COMMENT ON FUNCTION @extschema@.churn_probability(@extschema@.paretonbd, @extschema@.rfm) IS 'churn_probability(model, frequency, recency, age) of an engage.rfm summary (Pareto/NBD)';

CREATE FUNCTION @extschema@.expected_purchases(model @extschema@.paretonbd, t double precision, summary @extschema@.rfm)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN @extschema@.expected_purchases(model, t, (summary).frequency, (summary).recency, (summary).age);
COMMENT ON FUNCTION @extschema@.expected_purchases(@extschema@.paretonbd, double precision, @extschema@.rfm) IS 'expected_purchases(model, t, frequency, recency, age) of an engage.rfm summary (Pareto/NBD)';

CREATE FUNCTION @extschema@.clv(model @extschema@.paretonbd, gg @extschema@.gammagamma, summary @extschema@.rfm,
    horizon double precision, discount_rate double precision, step double precision)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN @extschema@.clv(model, gg, (summary).frequency, (summary).recency, (summary).age, (summary).monetary,
                       horizon, discount_rate, step);
COMMENT ON FUNCTION @extschema@.clv(@extschema@.paretonbd, @extschema@.gammagamma, @extschema@.rfm, double precision, double precision, double precision) IS 'clv(model, gg, frequency, recency, age, monetary, horizon, discount_rate, step) of an engage.rfm summary (Pareto/NBD and Gamma-Gamma)';

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

CREATE FUNCTION @extschema@.expected_spend(model @extschema@.gammagamma, summary @extschema@.rfm)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN @extschema@.expected_spend(model, (summary).frequency, (summary).monetary);
COMMENT ON FUNCTION @extschema@.expected_spend(@extschema@.gammagamma, @extschema@.rfm) IS 'expected_spend(model, frequency, monetary) of an engage.rfm summary';

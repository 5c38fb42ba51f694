-- Results computed from the values of values--0.1.0.sql (schema kept), with functions that 0.1.0
-- has: test/t/upgrade.sh runs this before ALTER EXTENSION engage UPDATE, after it, and in a fresh
-- install given the same values, and requires the same lines each time. One line per result:
-- "table expression [key]: result", an error's text in place of a result that raises one.
SELECT format('%s %s [%s]: %s', e.tab, e.expr, r.key, r.result)
FROM (VALUES
    -- every sample of every type
    ('kept.t_activity', 'engage.active_periods(v)'),
    ('kept.t_activity', 'engage.active_periods(v, 10, 7)'),
    ('kept.t_activity', 'engage.first_period(v)'),
    ('kept.t_activity', 'engage.last_period(v)'),
    ('kept.t_activity', 'engage.longest_streak(v)'),
    ('kept.t_activity', 'engage.current_streak(v, 5)'),
    ('kept.t_activity', 'engage.is_active(v, 0)'),
    ('kept.t_activity', 'engage.is_active(v, 2147483647)'),
    ('kept.t_activity', '(SELECT string_agg(period || '' '' || status, '','') FROM engage.lifecycle(v, -12, 12))'),
    ('kept.t_activity', 'engage.activity_union(v, ''{1,3,5-9}'')'),
    ('kept.t_activity', 'engage.activity_hash(v)'),
    ('kept.t_activity', 'v OPERATOR(engage.=) ''{0-3,5,9-12}'' AND NOT v OPERATOR(engage.<>) ''{0-3,5,9-12}'''),
    ('kept.t_activity', 'v OPERATOR(engage.=) va[1]'),
    ('kept.t_activity', '(SELECT engage.activity_union(a) FROM unnest(va) AS a)'),
    ('kept.t_engagement', 'engage.engagement_score(v, ''2024-06-01'')'),
    ('kept.t_engagement', 'engage.engagement_score(v, ''1997-10-01'')'),
    ('kept.t_engagement', 'engage.engagement_last_event(v)'),
    ('kept.t_engagement', 'engage.engagement_events(v)'),
    ('kept.t_engagement', 'engage.engagement_half_life(v)'),
    ('kept.t_engagement', 'engage.engagement_add(v, ''2024-03-01'', 2)'),
    ('kept.t_engagement', 'v OPERATOR(engage.+) v'),
    ('kept.t_engagement', 'engage.engagement_merge(v, va[1])'),
    ('kept.t_fitdata', 'engage.bgnbd_fit(v)'),
    ('kept.t_fitdata', 'engage.mbgnbd_fit(v, 0.1)'),
    ('kept.t_fitdata', 'engage.paretonbd_fit(v)'),
    ('kept.t_fitdata', '(SELECT engage.fitdata_merge(f) FROM unnest(va) AS f)'),
    ('kept.t_rfm', 'engage.p_alive((SELECT bg FROM kept.models WHERE name = ''cdnow''), v)'),
    ('kept.t_rfm', 'engage.churn_probability((SELECT mbg FROM kept.models WHERE name = ''cdnow''), v)'),
    ('kept.t_rfm', 'engage.expected_purchases((SELECT pnbd FROM kept.models WHERE name = ''cdnow''), 10, v)'),
    ('kept.t_rfm', 'engage.expected_spend((SELECT gg FROM kept.models WHERE name = ''cdnow''), v)'),
    ('kept.t_rfm', 'engage.clv((SELECT bg FROM kept.models WHERE name = ''cdnow''), (SELECT gg FROM kept.models WHERE name = ''cdnow''), v, 52, 0.01, 4.345)'),
    ('kept.t_rfm', '(SELECT engage.bgnbd_fit(s) FROM unnest(va) AS s)'),
    ('kept.t_rfm_holdout', '(v).holdout_frequency + (v).frequency'),
    ('kept.t_stage', 'v < ''at_risk'''),
    ('kept.t_stage', '(SELECT count(*) FROM kept.t_stage AS s WHERE s.v < t_stage.v)'),
    ('kept.t_stage', '(SELECT max(s) FROM unnest(va) AS s)'),
    ('kept.t_bgnbd', 'engage.p_alive(v, 2, 30.43, 38.86)'),
    ('kept.t_bgnbd', 'engage.churn_probability(v, 0, 0, 38.86)'),
    ('kept.t_bgnbd', 'engage.expected_purchases(v, 10, 2, 30.43, 38.86)'),
    ('kept.t_bgnbd', 'engage.expected_purchases(v, 10)'),
    ('kept.t_bgnbd', 'engage.prob_purchases(v, 2, 10)'),
    ('kept.t_bgnbd', 'engage.log_likelihood(v, 2, 30.43, 38.86)'),
    ('kept.t_bgnbd', 'engage.clv(v, (SELECT gg FROM kept.models WHERE name = ''cdnow''), 2, 30.43, 38.86, 22.35, 52, 0.01, 4.345)'),
    ('kept.t_bgnbd', '(SELECT string_agg(s::text, '','') FROM engage.bgnbd_simulate(v, 3, 38, 1) AS s)'),
    ('kept.t_mbgnbd', 'engage.p_alive(v, 2, 30.43, 38.86)'),
    ('kept.t_mbgnbd', 'engage.churn_probability(v, 0, 0, 38.86)'),
    ('kept.t_mbgnbd', 'engage.expected_purchases(v, 10, 2, 30.43, 38.86)'),
    ('kept.t_mbgnbd', 'engage.expected_purchases(v, 10)'),
    ('kept.t_mbgnbd', 'engage.prob_purchases(v, 2, 10)'),
    ('kept.t_mbgnbd', 'engage.log_likelihood(v, 2, 30.43, 38.86)'),
    ('kept.t_mbgnbd', 'engage.clv(v, (SELECT gg FROM kept.models WHERE name = ''cdnow''), 2, 30.43, 38.86, 22.35, 52, 0.01, 4.345)'),
    ('kept.t_mbgnbd', '(SELECT string_agg(s::text, '','') FROM engage.mbgnbd_simulate(v, 3, 38, 1) AS s)'),
    ('kept.t_paretonbd', 'engage.p_alive(v, 2, 30.43, 38.86)'),
    ('kept.t_paretonbd', 'engage.churn_probability(v, 0, 0, 38.86)'),
    ('kept.t_paretonbd', 'engage.expected_purchases(v, 10, 2, 30.43, 38.86)'),
    ('kept.t_paretonbd', 'engage.expected_purchases(v, 10)'),
    ('kept.t_paretonbd', 'engage.prob_purchases(v, 2, 10)'),
    ('kept.t_paretonbd', 'engage.log_likelihood(v, 2, 30.43, 38.86)'),
    ('kept.t_paretonbd', 'engage.clv(v, (SELECT gg FROM kept.models WHERE name = ''cdnow''), 2, 30.43, 38.86, 22.35, 52, 0.01, 4.345)'),
    ('kept.t_paretonbd', '(SELECT string_agg(s::text, '','') FROM engage.paretonbd_simulate(v, 3, 38, 1) AS s)'),
    ('kept.t_bgbb', 'engage.p_alive(v, 3, 5, 6)'),
    ('kept.t_bgbb', 'engage.churn_probability(v, 0, 0, 6)'),
    ('kept.t_bgbb', 'engage.expected_purchases(v, 5, 3, 5, 6)'),
    ('kept.t_bgbb', 'engage.expected_purchases(v, 6)'),
    ('kept.t_bgbb', 'engage.prob_purchases(v, 2, 6)'),
    ('kept.t_gammagamma', 'engage.expected_spend(v, 2, 22.35)'),
    ('kept.t_gammagamma', 'engage.expected_spend(v, ''(2,30.43,38.86,22.35)'')'),
    ('kept.t_gammagamma', 'engage.clv((SELECT pnbd FROM kept.models WHERE name = ''cdnow''), v, 2, 30.43, 38.86, 22.35, 52, 0.01, 4.345)'),
    ('kept.t_sbg', 'engage.survival(v, 3)'),
    ('kept.t_sbg', 'engage.retention_rate(v, 3)'),
    ('kept.t_sbg', 'engage.derl(v, 2, 0.1)'),
    ('kept.every_type', 'engage.p_alive(c_bgnbd, c_rfm)'),
    ('kept.every_type', 'engage.expected_spend(c_gammagamma, c_rfm)'),
    ('kept.every_type', 'engage.engagement_score(c_engagement, engage.engagement_last_event(c_engagement))'),
    ('kept.bundles', 'engage.clv((b).c_paretonbd, (b).c_gammagamma, (b).c_rfm, 52, 0.01, 4.345)'),
    ('kept.bundles', '(SELECT count(x.c_activity) FROM unnest(bs) AS x)'),
    -- per CDNOW customer
    ('kept.cdnow_customers', 'engage.p_alive((SELECT bg FROM kept.models WHERE name = ''cdnow''), summary)'),
    ('kept.cdnow_customers', 'engage.p_alive((SELECT mbg FROM kept.models WHERE name = ''cdnow''), summary)'),
    ('kept.cdnow_customers', 'engage.p_alive((SELECT pnbd FROM kept.models WHERE name = ''cdnow''), summary)'),
    ('kept.cdnow_customers', 'engage.expected_purchases((SELECT pnbd FROM kept.models WHERE name = ''cdnow rfm''), 39, summary)'),
    ('kept.cdnow_customers', 'engage.clv((SELECT bg FROM kept.models WHERE name = ''cdnow''), (SELECT gg FROM kept.models WHERE name = ''cdnow''), summary, 52, 0.01, 4.345)'),
    ('kept.cdnow_customers', 'engage.log_likelihood((SELECT bg FROM kept.models WHERE name = ''cdnow penalized''), (holdout).frequency, (holdout).recency, (holdout).age)'),
    ('kept.cdnow_customers', 'engage.engagement_score(state, ''1998-07-01'')'),
    ('kept.cdnow_customers', 'engage.engagement_score(engage.engagement_add(state, ''1998-07-01'', 10), ''1998-07-01'')'),
    ('kept.cdnow_customers', 'engage.engagement_events(state)'),
    ('kept.cdnow_customers', 'engage.active_periods(weeks, 38, 13)'),
    ('kept.cdnow_customers', 'engage.current_streak(days, engage.last_period(days))'),
    ('kept.cdnow_customers', 'engage.longest_streak(weeks)'),
    ('kept.cdnow_customers', 'stage || '' '' || personal_stage'),
    ('kept.cdnow_customers', 'engage.bgnbd_fit(sample)'),
    -- the fitted models and fit samples
    ('kept.models', 'engage.p_alive(bg, 0, 0, 39) || '' '' || engage.p_alive(mbg, 5, 30, 39) || '' '' || engage.p_alive(pnbd, 5, 30, 39)'),
    ('kept.models', 'engage.expected_purchases(bg, 52) || '' '' || engage.expected_purchases(mbg, 52) || '' '' || engage.expected_purchases(pnbd, 52)'),
    ('kept.models', '(SELECT sum(engage.log_likelihood(bg, x, t_x, age) ORDER BY id) || '' '' || sum(engage.log_likelihood(pnbd, x, t_x, age) ORDER BY id) FROM kept.cdnow_published)'),
    ('kept.models', 'engage.expected_spend(gg, 3, 40) || '' '' || engage.p_alive(bgbb, 4, 6, 6) || '' '' || engage.derl(sbg, 4, 0.1)'),
    ('kept.models', 'engage.expected_purchases(bgbb, 5, 3, 4, 6) || '' '' || engage.retention_rate(sbg, 12)'),
    ('kept.cdnow_samples', 'engage.bgnbd_fit(sample)'),
    ('kept.cdnow_samples', 'engage.mbgnbd_fit(sample)'),
    ('kept.cdnow_samples', 'engage.paretonbd_fit(sample, 0.01)'),
    ('kept.model_arrays', 'engage.p_alive(bg[2], 1, 20, 39) || '' '' || engage.survival(sbg[6], 5) || '' '' || pnbd[1]::text'),
    ('kept.cdnow_arrays', 'cardinality(summaries) || '' '' || (SELECT sum(engage.engagement_score(s, ''1998-07-01'') ORDER BY o) FROM unnest(states) WITH ORDINALITY AS u(s, o))'),
    ('kept.cdnow_arrays', '(SELECT engage.activity_union(w) FROM unnest(weeks) AS w)'),
    ('kept.cdnow_arrays', '(SELECT string_agg(s::text, '','' ORDER BY s) FROM unnest(stages) AS s)'),
    ('kept.cdnow_arrays', '(SELECT engage.bgnbd_fit(s) FROM unnest(summaries) AS s)')
) AS e(tab, expr), LATERAL kept.apply(e.tab::regclass, e.expr) AS r
UNION ALL
-- aggregates over the stored values
SELECT 'kept.cdnow_customers bgnbd_fit(summary): ' || engage.bgnbd_fit(summary ORDER BY id) FROM kept.cdnow_customers
UNION ALL
SELECT 'kept.cdnow_customers gammagamma_fit(summary): ' || engage.gammagamma_fit(summary ORDER BY id) FILTER (WHERE (summary).frequency > 0)
FROM kept.cdnow_customers
UNION ALL
SELECT 'kept.cdnow_customers activity_union(weeks): ' || engage.activity_union(weeks) FROM kept.cdnow_customers
UNION ALL
SELECT 'kept.cdnow_customers paretonbd_fit(fitdata_merge(sample)): ' || engage.paretonbd_fit(engage.fitdata_merge(sample ORDER BY id))
FROM kept.cdnow_customers WHERE sample IS NOT NULL
UNION ALL
SELECT format('kept.cdnow_customers GROUP BY weeks: %s customers, %s distinct', sum(n), count(*))
FROM (SELECT weeks, count(*) AS n FROM kept.cdnow_customers GROUP BY weeks) AS g
UNION ALL
SELECT format('kept.cdnow_customers stages: %s', string_agg(stage || ' ' || n, ', ' ORDER BY stage))
FROM (SELECT stage, count(*) AS n FROM kept.cdnow_customers GROUP BY stage) AS g
ORDER BY 1;
